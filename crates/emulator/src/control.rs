//! The control plane, `/_emulator/…`: every route but `health` needs the project's Basic credentials.
//!
//! | route | what it does |
//! |---|---|
//! | `GET health` | `{"status": "ready"}` once the state is loaded (no credentials) |
//! | `POST reset` | forgets every client, armed fault and journal entry (signing keys stay); with `{"deterministic": N}` ids, secrets and keys follow from `N` from then on (`null`: random again) |
//! | `GET export` / `POST import` | the whole state as JSON (clients, hashed secrets, signing keys) |
//! | `GET requests[?route=create]` | the request journal (bounded, credentials and secrets redacted) |
//! | `POST faults` / `DELETE faults` | arm faults (`route`, `times` or `probability`, and `status` + `body` / `retry_after`, `delay_ms`, `reset_connection`, `apply_then_lose`) / disarm them all |
//! | `POST clock/advance` `{"seconds": N}` / `POST clock/set` `{"unix": N}` | move the clock (checked: never past year 9999) |
//! | `POST keys/rotate` | rotate the signing key |
//! | `PUT` / `GET` / `DELETE jwt-template` | the M2M JWT template: `{"custom_claims": {"tenant": "{{ request.tenant }}", "team": "{{ trusted_metadata.team }}"}, "custom_audience": "…"}` (not saved in the state file) |
//! | `PUT` / `GET rules` | the rules request bodies obey: `{"strictness": "strict"}` (Stytch's and our documented guesses) or `"lenient"` (Stytch's only); not saved in the state file (`--rules` sets them at start) |
//!
//! Changes are saved to the state file before they are acknowledged, like the API's.

use std::time::Duration;

use serde_json::{Value, json};
use stytch_m2m_core::transport::{HttpRequest, HttpResponse, Method};
use stytch_m2m_mock::Snapshot;
use stytch_m2m_mock::wire::{self, Route};
use stytch_m2m_mock::{Engine, Failure, Fault, ServerRules, Strictness};
use stytch_m2m_models::ErrorType;

use crate::{Emulator, json_response};

impl Emulator {
    /// `/_emulator/...`: the mock's controls.
    pub(crate) async fn control(
        &self,
        engine: &Engine,
        control: &str,
        request: &HttpRequest,
    ) -> HttpResponse {
        let request_id = engine.request_id();
        let ok = |extra: Value| {
            let mut body = json!({"status_code": 200, "request_id": request_id});
            if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
                body.extend(extra);
            }
            json_response(200, &body)
        };
        let bad = |why: &str| wire::error(&request_id, false, &Failure::bad_request(why));
        // No body, or a JSON object: anything else is refused before it can change anything.
        let body: Value = if request.body.is_empty() {
            Value::Null
        } else {
            match serde_json::from_slice(&request.body) {
                Ok(object @ Value::Object(_)) => object,
                _ => return bad("The body must be a JSON object (or empty); nothing was changed."),
            }
        };
        let mock = &self.inner.mock;
        match (request.method, control) {
            (Method::Get, "health") => ok(json!({"status": "ready"})),
            (Method::Get, "metrics") => HttpResponse::new(
                200,
                self.inner.counters.render(mock.faults_fired()).into_bytes(),
            )
            .with_header("content-type", "text/plain; version=0.0.4"),
            (Method::Post, "clock/advance") => {
                let Some(seconds) = body.get("seconds").and_then(Value::as_u64) else {
                    return bad("Send {\"seconds\": <whole seconds>}.");
                };
                match mock.clock().try_advance(Duration::from_secs(seconds)) {
                    Ok(()) => ok(json!({"now": mock.clock().now_unix()})),
                    Err(_) => {
                        bad("The clock cannot move past 9999-12-31T23:59:59Z; nothing was changed.")
                    }
                }
            }
            (Method::Post, "clock/set") => {
                let Some(unix) = body.get("unix").and_then(Value::as_u64) else {
                    return bad("Send {\"unix\": <seconds since the epoch>}.");
                };
                match unix
                    .checked_mul(1000)
                    .ok_or(())
                    .and_then(|ms| mock.clock().try_set_millis(ms).map_err(|_| ()))
                {
                    Ok(()) => ok(json!({"now": mock.clock().now_unix()})),
                    Err(()) => bad(
                        "The clock cannot be set past 9999-12-31T23:59:59Z; nothing was changed.",
                    ),
                }
            }
            (Method::Post, "keys/rotate") => {
                self.durably(engine, || {
                    let kid = mock.rotate_signing_key();
                    Ok(ok(json!({"kid": kid})))
                })
                .await
            }
            (Method::Post, "reset") => {
                let deterministic = match body.get("deterministic") {
                    None => None,
                    Some(Value::Null) => Some(None),
                    Some(seed) => match seed.as_u64() {
                        Some(seed) => Some(Some(seed)),
                        None => {
                            return bad(
                                "deterministic is a whole number (or null to turn it off).",
                            );
                        }
                    },
                };
                self.durably(engine, || {
                    let mut empty = engine.snapshot();
                    empty.clients.clear();
                    engine
                        .reset_to(&empty)
                        .map_err(|why| bad(&format!("The state cannot be reset: {why}.")))?;
                    mock.clear_faults();
                    mock.clear_requests();
                    let kid = deterministic.map(|seed| engine.reseed(seed));
                    Ok(ok(
                        json!({"kid": kid.unwrap_or_else(|| engine.current_kid())}),
                    ))
                })
                .await
            }
            (Method::Get, "export") => json_response(200, &json!(engine.snapshot())),
            (Method::Post, "import") => {
                let Ok(snapshot) = serde_json::from_slice::<Snapshot>(&request.body) else {
                    return bad("Send a document exported by GET /_emulator/export.");
                };
                // Imported whole under the lock that serializes changes, then made durable; a failed save puts
                // the previous state back, in memory and on disk.
                self.durably(engine, || {
                    engine
                        .reset_to(&snapshot)
                        .map_err(|why| bad(&format!("The document cannot be imported: {why}.")))?;
                    Ok(ok(json!({"clients": snapshot.clients.len()})))
                })
                .await
            }
            (Method::Get, "requests") => {
                let wanted = query_param(&request.url, "route");
                if wanted
                    .as_ref()
                    .is_some_and(|name| !ROUTES.iter().any(|(_, n)| n == name))
                {
                    return bad(UNKNOWN_ROUTE);
                }
                let entries: Vec<Value> = mock
                    .requests()
                    .iter()
                    .filter(|r| match &wanted {
                        None => true,
                        Some(name) => route_of(r).is_some_and(|route| route_name(route) == name),
                    })
                    .map(|r| {
                        json!({
                            "method": r.method.as_str(),
                            "url": r.url,
                            "route": route_of(r).map(route_name),
                            "headers": r.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
                            "body": String::from_utf8_lossy(&r.body),
                        })
                    })
                    .collect();
                ok(json!({"requests": entries, "unauthenticated": mock.unauthenticated_requests()}))
            }
            (Method::Post, "faults") => match arm(mock, &body) {
                Ok(()) => ok(json!({})),
                Err(why) => bad(why),
            },
            (Method::Put, "jwt-template") => match mock.set_jwt_template(Some(&body)) {
                Ok(()) => ok(json!({"template": body})),
                Err(failure) => wire::error(&request_id, false, &failure),
            },
            (Method::Get, "jwt-template") => ok(json!({
                "template": engine.jwt_template().map(|t| t.document())
            })),
            (Method::Delete, "jwt-template") => {
                engine.set_jwt_template(None);
                ok(json!({}))
            }
            (Method::Put, "rules") => match body
                .get("strictness")
                .and_then(Value::as_str)
                .map(str::parse::<Strictness>)
            {
                Some(Ok(strictness)) => {
                    engine.set_rules(ServerRules::embedded(strictness));
                    ok(json!({"strictness": strictness.as_str()}))
                }
                _ => bad("`strictness` must be \"strict\" or \"lenient\"."),
            },
            (Method::Get, "rules") => ok(json!({
                "strictness": engine.rules().strictness().as_str()
            })),
            (Method::Delete, "faults") => {
                mock.clear_faults();
                ok(json!({}))
            }
            _ => wire::error(&request_id, false, &Failure::route_not_found()),
        }
    }

    /// A change with a state file: applied, saved, and acknowledged only once saved. Changes are serialized;
    /// one that cannot be saved is undone and answered 500, so no client is told of a change a restart would
    /// lose. A change whose response an injected fault loses is still saved (it was applied).
    pub(crate) async fn apply_durably(
        &self,
        engine: &Engine,
        request: HttpRequest,
    ) -> Option<HttpResponse> {
        // The lock is taken after any injected delay: a delayed request holds up no other change.
        let serialize = async {
            let guard = self.inner.save_lock.lock().await;
            (guard, engine.snapshot())
        };
        let (_, serialized, answered) = self.inner.mock.handle_serialized(request, serialize).await;
        let Some((_one_change_at_a_time, before)) = serialized else {
            // An injected answer: the engine was not reached, nothing to save.
            return answered.ok();
        };
        if let Ok(response) = &answered
            && response.status != 200
        {
            return Some(response.clone());
        }
        match self.save_locked().await {
            Ok(()) => answered.ok(),
            Err(e) => Some(self.undo(engine, &before, &e)),
        }
    }

    /// Applies a control's change and saves it before answering. `Err(answer)`: refused, nothing changed.
    async fn durably(
        &self,
        engine: &Engine,
        apply: impl FnOnce() -> Result<HttpResponse, HttpResponse>,
    ) -> HttpResponse {
        let _one_change_at_a_time = self.inner.save_lock.lock().await;
        let before = engine.snapshot();
        let response = match apply() {
            Ok(response) => response,
            Err(refused) => return refused,
        };
        match self.save_locked().await {
            Ok(()) => response,
            Err(e) => self.undo(engine, &before, &e),
        }
    }

    fn undo(&self, engine: &Engine, before: &Snapshot, error: &std::io::Error) -> HttpResponse {
        tracing::error!(error = %error, "saving the state file failed; the change is undone");
        if let Err(e) = engine.reset_to(before) {
            tracing::error!(error = %e, "undoing the change failed");
        }
        let failure = Failure::new(
            500,
            ErrorType::InternalServerError,
            "The change could not be saved, so it was not applied.",
        );
        wire::error(&engine.request_id(), false, &failure)
    }
}

/// The first value of `name` in the query string, percent-decoded.
fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn route_of(request: &HttpRequest) -> Option<Route> {
    match wire::route(request.method, &request.url) {
        wire::Routed::Found(route, _) => Some(route),
        _ => None,
    }
}

const ROUTES: [(Route, &str); 10] = [
    (Route::Create, "create"),
    (Route::Search, "search"),
    (Route::Get, "get"),
    (Route::Update, "update"),
    (Route::Delete, "delete"),
    (Route::RotateStart, "rotate_start"),
    (Route::RotateCancel, "rotate_cancel"),
    (Route::Rotate, "rotate"),
    (Route::Token, "token"),
    (Route::Jwks, "jwks"),
];

fn route_name(route: Route) -> &'static str {
    ROUTES
        .iter()
        .find(|(r, _)| *r == route)
        .map_or("unknown", |(_, name)| name)
}

/// The answer to a route name that is none.
const UNKNOWN_ROUTE: &str = "Unknown route; use create, search, get, update, delete, rotate_start, rotate_cancel, rotate, token or jwks.";

/// Arms the fault a `POST /_emulator/faults` body describes.
fn arm(mock: &stytch_m2m_mock::MockStytch, body: &Value) -> Result<(), &'static str> {
    let route = match body.get("route") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(
            ROUTES
                .iter()
                .find(|(_, n)| n == name)
                .map(|(r, _)| *r)
                .ok_or(UNKNOWN_ROUTE)?,
        ),
        Some(_) => return Err("route must be a string."),
    };
    let flag = |name: &str| body.get(name).and_then(Value::as_bool).unwrap_or(false);
    let fault = if flag("apply_then_lose") {
        Fault::ApplyThenLose(stytch_m2m_core::transport::TransportErrorKind::Io)
    } else if flag("reset_connection") {
        Fault::Transport(stytch_m2m_core::transport::TransportErrorKind::Io)
    } else if let Some(ms) = body.get("delay_ms").and_then(Value::as_u64) {
        Fault::Delay(Duration::from_millis(ms.min(600_000)))
    } else if let Some(status) = body.get("status").and_then(Value::as_u64) {
        let status = u16::try_from(status)
            .ok()
            .filter(|s| (100..=599).contains(s))
            .ok_or("status must be an HTTP status (100-599).")?;
        let mut fault = match body.get("body") {
            Some(custom) => Fault::Respond(HttpResponse::new(
                status,
                serde_json::to_vec(custom).unwrap_or_default(),
            )),
            None => Fault::status(status),
        };
        if let (Some(seconds), Fault::Respond(response)) =
            (body.get("retry_after").and_then(Value::as_u64), &mut fault)
        {
            *response = response
                .clone()
                .with_header("retry-after", seconds.to_string());
        }
        fault
    } else {
        return Err(
            "Say what the fault does: status (with body, retry_after), delay_ms, reset_connection or apply_then_lose.",
        );
    };
    match (
        body.get("times").and_then(Value::as_u64),
        body.get("probability").and_then(Value::as_f64),
    ) {
        (Some(times), None) => {
            let times = u32::try_from(times).map_err(|_| "times is too large.")?;
            match route {
                Some(route) => mock.fail_next(route, times, fault),
                None => mock.fail_next_any(times, fault),
            }
        }
        (None, Some(p)) if (0.0..=1.0).contains(&p) => mock.fail_with_probability(route, p, fault),
        (None, None) => match route {
            Some(route) => mock.fail_next(route, 1, fault),
            None => mock.fail_next_any(1, fault),
        },
        _ => return Err("Give either times or a probability between 0 and 1."),
    }
    Ok(())
}

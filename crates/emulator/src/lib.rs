//! A local Stytch M2M server: the `stytch-m2m-mock` engine served over HTTP/1.1 (hyper).
//!
//! Every route of the mock, with the same behaviour and wire JSON, so that any language's SDK can be pointed at
//! it (`http://127.0.0.1:4010`). Beyond the API:
//! - `GET /openapi.json`: the OpenAPI document of the API;
//! - discovery: `GET /.well-known/openid-configuration`, `/.well-known/oauth-authorization-server`,
//!   `/v1/public/{project_id}/.well-known/openid-configuration` (issuer, `jwks_uri`, `token_endpoint`, grant
//!   types, auth methods) and `/.well-known/jwks.json`;
//! - `POST /_emulator/clock/advance` (`{"seconds": N}`) and `POST /_emulator/keys/rotate`: the mock's clock and
//!   signing-key controls, with the project's Basic credentials;
//! - an optional state file ([`StateFile`], `0600`) saved atomically after every change, signing keys included;
//!   a change is acknowledged only once saved (one that cannot be saved is undone and answered 500);
//! - bounded per connection whatever it sends ([`ServerLimits`]): header, idle and body timeouts, a connection
//!   cap, accept errors backed off, a shutdown deadline; credentials are checked before a body is read, request
//!   bodies over [`MAX_BODY_BYTES`] get a 413 in Stytch's error shape, and the request journal is bounded and
//!   redacted (nothing kept of requests refused for their credentials).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use stytch_m2m_emulator::Emulator;
//! use stytch_m2m_mock::MockStytch;
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let emulator = Emulator::new(MockStytch::new());
//! tokio::spawn(emulator.serve(listener, std::future::pending()));
//! # Ok(()) }
//! ```

mod control;
mod discovery;
mod harness;
mod limits;
mod metrics;
mod openapi;
mod received;
mod response;
mod seed;
mod serve;
mod state;
mod stop;

use received::{InPlace, Received, recycle};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Limited};
use hyper::body::Body as _;
use serde_json::Value;
use stytch_m2m_core::transport::{HttpRequest, HttpResponse, Method};
use stytch_m2m_mock::wire;
use stytch_m2m_mock::{Failure, MockStytch, Route};
use stytch_m2m_models::ErrorType;

pub use harness::TestEmulator;
pub use limits::ServerLimits;
pub use openapi::{bundle as openapi_bundle, document as openapi_document};
pub use seed::{SeedClient, SeedFile, SeedKey};
pub use state::StateFile;

/// The largest request body accepted (1 MiB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The server: a mock project, and where to save it.
#[derive(Clone, Debug)]
pub struct Emulator {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    mock: MockStytch,
    state: Option<StateFile>,
    save_lock: tokio::sync::Mutex<()>,
    limits: ServerLimits,
    counters: metrics::Counters,
}

impl Emulator {
    /// Serves this mock project, keeping nothing on disk.
    pub fn new(mock: MockStytch) -> Self {
        Self::with_state(mock, None)
    }

    /// Serves this mock project and saves it to `state` after every change.
    pub fn with_state(mock: MockStytch, state: Option<StateFile>) -> Self {
        Self::with_limits(mock, state, ServerLimits::default())
    }

    /// Serves this mock project, saving it to `state`, within these limits.
    pub fn with_limits(mock: MockStytch, state: Option<StateFile>, limits: ServerLimits) -> Self {
        Self {
            inner: Arc::new(Inner {
                mock,
                state,
                save_lock: tokio::sync::Mutex::new(()),
                limits,
                counters: metrics::Counters::default(),
            }),
        }
    }

    /// The mock project served.
    pub fn mock(&self) -> &MockStytch {
        &self.inner.mock
    }

    /// The answer to an authenticated `get` of a client, read where hyper parsed it (nothing copied): the request a
    /// server is sent most. `None` for any other request (or one with other credentials, or while a fault is
    /// armed), with nothing journaled: [`Emulator::answer_now`] and [`Emulator::answer`] take it.
    fn get_now(&self, request: &hyper::Request<hyper::body::Incoming>) -> Option<HttpResponse> {
        if request.method() != hyper::Method::GET || !request.body().is_end_stream() {
            return None;
        }
        let url = request.uri().path_and_query()?.as_str();
        let wire::Routed::Found(Route::Get, Some(id)) = wire::route(Method::Get, url) else {
            return None;
        };
        let engine = self.inner.mock.engine();
        let authorization = request.headers().get(hyper::header::AUTHORIZATION)?;
        if !wire::is_project_basic(engine, authorization.as_bytes()) {
            return None;
        }
        let head = InPlace {
            url,
            headers: request.headers(),
        };
        self.inner.mock.get_now(&head, &id)
    }

    /// The answer to a request that needs nothing waited for: a known route of the mock (no body to read, no
    /// control, no durable write, no armed fault). [`Now::Later`] hands the request back, untouched and
    /// unjournaled, for [`Emulator::answer`], which answers every request.
    fn answer_now(&self, request: Received) -> Now {
        let Some(method) = request.method else {
            return Now::Later(request);
        };
        let path = &request.head.url[..request.path_len];
        if !request.body.is_end_stream() || path.starts_with("/_emulator/") {
            return Now::Later(request);
        }
        let routed = wire::route(method, &request.head.url);
        let wire::Routed::Found(route, _) = &routed else {
            return Now::Later(request);
        };
        let route = *route;
        if self.inner.state.is_some() && route.is_mutating() {
            return Now::Later(request);
        }
        let authorized = !needs_credentials(path, &routed)
            || wire::project_authorized(self.inner.mock.engine(), &request.head);
        match self
            .inner
            .mock
            .handle_checked_now(&request.head, routed, authorized)
        {
            Ok(response) => {
                recycle(request.head);
                Now::Answered(response, route)
            }
            Err(_) => Now::Later(request),
        }
    }

    async fn answer(&self, request: Received) -> Option<HttpResponse> {
        let engine = self.inner.mock.engine();
        let Received {
            method,
            mut head,
            path_len,
            body,
        } = request;
        let Some(method) = method else {
            recycle(head);
            return Some(wire::error(
                &engine.request_id(),
                false,
                &Failure::method_not_allowed(),
            ));
        };
        // Owned: the body is read into the same request before the route is answered.
        let routed = wire::route(method, &head.url).into_owned();
        let control = head.url[..path_len].starts_with("/_emulator/");
        // Credentials first: the body of a request that will be refused is never read. (Checked once: a route
        // that takes none ignores `authorized`.)
        let authorized = !needs_credentials(&head.url[..path_len], &routed)
            || wire::project_authorized(engine, &head);
        if !authorized {
            return match control {
                true => Some(wire::error(
                    &engine.request_id(),
                    false,
                    &Failure::unauthorized(),
                )),
                false => {
                    let answered = self.handle(&head, routed, false).await;
                    recycle(head);
                    answered
                }
            };
        }
        head.body = if body.is_end_stream() {
            // No body (a get, a delete): nothing to wait for.
            Bytes::new()
        } else {
            let body = Limited::new(body, MAX_BODY_BYTES).collect();
            match Box::pin(tokio::time::timeout(self.inner.limits.body_timeout, body)).await {
                Ok(Ok(collected)) => collected.to_bytes(),
                Ok(Err(_)) => {
                    let failure = Failure::new(
                        413,
                        ErrorType::BadRequest,
                        format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
                    );
                    return Some(wire::error(&engine.request_id(), false, &failure));
                }
                Err(_) => {
                    let failure = Failure::new(
                        408,
                        ErrorType::BadRequest,
                        "The request body did not arrive in time.",
                    );
                    return Some(wire::error(&engine.request_id(), false, &failure));
                }
            }
        };
        let request = head;
        let bare_path = &request.url[..path_len];
        if bare_path == "/openapi.json" && method == Method::Get {
            return Some(json_response(200, &openapi::document()));
        }
        if let Some((status, document)) = discovery::document(engine, &request, bare_path) {
            return Some(json_response(status, &document));
        }
        if let Some(control) = bare_path.strip_prefix("/_emulator/") {
            // Boxed, as the rare paths below: the future of every request is only as large as a `get` needs
            // (hyper moves it once or twice per request).
            return Some(Box::pin(self.control(engine, control, &request)).await);
        }
        let mutating = matches!(&routed, wire::Routed::Found(route, _) if route.is_mutating());
        if mutating && self.inner.state.is_some() {
            return Box::pin(self.apply_durably(engine, request)).await;
        }
        let answered = self.handle(&request, routed, authorized).await;
        recycle(request);
        answered
    }

    /// The mock's answer: at once when no fault is armed (nothing of the engine's path is held across an await:
    /// a request's future stays small), else through the mock's fault path, boxed as the other rare paths.
    async fn handle(
        &self,
        request: &HttpRequest,
        routed: wire::Routed<'_>,
        authorized: bool,
    ) -> Option<HttpResponse> {
        match self
            .inner
            .mock
            .handle_checked_now(request, routed, authorized)
        {
            Ok(response) => Some(response),
            Err(routed) => Box::pin(self.inner.mock.handle_checked(request, routed, authorized))
                .await
                .ok(),
        }
    }

    /// Saves the state file now (nothing without one). Changes made through the API are saved by themselves.
    pub async fn persist(&self) -> std::io::Result<()> {
        let _serialized = self.inner.save_lock.lock().await;
        self.save_locked().await
    }

    /// Saves, the save lock held by the caller.
    async fn save_locked(&self) -> std::io::Result<()> {
        let Some(state) = &self.inner.state else {
            return Ok(());
        };
        let snapshot = self.inner.mock.engine().snapshot();
        let state = state.clone();
        tokio::task::spawn_blocking(move || state.save(&snapshot))
            .await
            .map_err(std::io::Error::other)?
    }
}

/// What [`Emulator::answer_now`] made of a request.
enum Now {
    /// Answered at once, for this route.
    Answered(HttpResponse, Route),
    /// To be answered by [`Emulator::answer`]: it needs something waited for.
    Later(Received),
}

/// Whether the request's route takes the project's Basic credentials (management routes and every control but
/// health).
fn needs_credentials(path: &str, routed: &wire::Routed) -> bool {
    if let Some(control) = path.strip_prefix("/_emulator/") {
        return control != "health";
    }
    matches!(routed, wire::Routed::Found(route, _) if route.needs_project_auth())
}

fn json_response(status: u16, body: &Value) -> HttpResponse {
    HttpResponse::new(status, serde_json::to_vec(body).unwrap_or_default())
}

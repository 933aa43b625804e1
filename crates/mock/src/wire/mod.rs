//! The wire front of the engine: HTTP as plain data in, Stytch's wire JSON and statuses out.
//!
//! [`handle`] routes a request like the real API, checks the project's Basic credentials on the management
//! routes, reads the body as leniently as Stytch does, calls the [`Engine`], and writes the success envelope or
//! the error body (all five Stytch fields, or the OAuth2 ones for the token endpoint). It never panics on any
//! input. The mock transport and the emulator server both answer through it.

mod body;
pub(crate) mod encode;
mod route;

use std::borrow::Cow;

use serde_json::{Value, json};
use stytch_m2m_core::auth::ProjectKind;
use stytch_m2m_core::models::ErrorType;
use stytch_m2m_core::models::{CreateRequest, UpdateRequest};
use stytch_m2m_core::transport::{HttpRequest, HttpResponse};

pub use route::{Route, Routed, path_of, route};

use crate::engine::{Engine, Failure, RequestId};
use body::Expect;
use encode::{ClientModel, WireClient, envelope, envelope_raw};

/// Answers one request.
pub fn handle(engine: &Engine, request: &HttpRequest) -> HttpResponse {
    respond(engine, request, route(request.method, &request.url))
}

/// Answers one request that has already been routed (see `route`).
pub fn respond(engine: &Engine, request: &HttpRequest, routed: Routed) -> HttpResponse {
    respond_checked(engine, request, routed, None)
}

/// Like [`respond`], the project's credentials already checked (`Some(authorized)`) or not (`None`).
pub(crate) fn respond_checked(
    engine: &Engine,
    request: &HttpRequest,
    routed: Routed,
    authorized: Option<bool>,
) -> HttpResponse {
    let fresh = engine.fresh_request_id();
    let (route, param) = match routed {
        Routed::Found(route, param) => (route, param),
        Routed::MethodNotAllowed => {
            return error(fresh.as_str(), false, &Failure::method_not_allowed());
        }
        Routed::NotFound => {
            return error(fresh.as_str(), false, &Failure::route_not_found());
        }
    };
    match answer(
        engine,
        request,
        (route, param.unwrap_or_default()),
        authorized,
        &fresh,
    ) {
        // Stytch lets the JWKS be cached for 15 minutes.
        Ok(body) if route == Route::Jwks => {
            success(body).with_header("cache-control", "public, max-age=900")
        }
        // RFC 6749 §5.1: a token response is never stored by a cache.
        Ok(body) if route == Route::Token => success(body)
            .with_header("cache-control", "no-store")
            .with_header("pragma", "no-cache"),
        Ok(body) => success(body),
        Err(failure) if route == Route::Token => {
            error(fresh.as_str(), route.oauth_errors(), &failure)
                .with_header("cache-control", "no-store")
        }
        Err(failure) => error(fresh.as_str(), route.oauth_errors(), &failure),
    }
}

fn answer(
    engine: &Engine,
    request: &HttpRequest,
    (route, param): (Route, Cow<'_, str>),
    authorized: Option<bool>,
    fresh: &RequestId,
) -> Result<Vec<u8>, Failure> {
    // As text only where a body is built from JSON values: a `get` copies the id's bytes.
    let request_id = || fresh.as_str();
    if route.needs_project_auth()
        && !authorized.unwrap_or_else(|| project_authorized(engine, request))
    {
        return Err(Failure::unauthorized());
    }
    let id = param.as_ref();
    Ok(match route {
        Route::Create => {
            let request: CreateRequest =
                body::model(body::json_object(&request.body, Expect::Object)?, &[])?;
            client_body(&engine.create(request)?, request_id())
        }
        Route::Get => {
            body::json_object(&request.body, Expect::NothingOrObject)?;
            get_body(engine, id, fresh)?
        }
        Route::Search => {
            let search = body::search(body::json_object(&request.body, Expect::Object)?)?;
            let (clients, metadata) = engine.search(&search)?;
            to_body(&json!({
                "status_code": 200,
                "request_id": request_id(),
                "m2m_clients": clients.iter().map(WireClient::new).collect::<Vec<_>>(),
                "results_metadata": {"total": metadata.total, "next_cursor": metadata.next_cursor},
            }))
        }
        Route::Update => {
            let update: UpdateRequest = body::model(
                body::json_object(&request.body, Expect::Object)?,
                &["client_id"],
            )?;
            client_body(&engine.update(id, update)?, request_id())
        }
        Route::Delete => {
            body::json_object(&request.body, Expect::NothingOrObject)?;
            engine.delete(id)?;
            envelope("client_id", &id, request_id())
        }
        Route::RotateStart | Route::RotateCancel | Route::Rotate => {
            // The body's members are ignored (node and ruby send `{}`, the others `{"client_id": …}`).
            body::json_object(&request.body, Expect::Object)?;
            match route {
                Route::RotateStart => client_body(&engine.rotate_start(id)?, request_id()),
                Route::RotateCancel => client_body(&engine.rotate_cancel(id)?, request_id()),
                _ => client_body(&engine.rotate(id)?, request_id()),
            }
        }
        Route::Token => {
            if id != engine.project_id() {
                return Err(Failure::new(
                    400,
                    ErrorType::InvalidRequest,
                    "The project id in the path is unknown.",
                ));
            }
            let token = body::token(request)?;
            match token.grant_type.as_deref() {
                Some("client_credentials") => {}
                None => {
                    return Err(Failure::new(
                        400,
                        ErrorType::InvalidRequest,
                        "grant_type is required.",
                    ));
                }
                Some(_) => {
                    return Err(Failure::new(
                        400,
                        ErrorType::UnsupportedGrantType,
                        "Only client_credentials is supported.",
                    ));
                }
            }
            let (Some(client_id), Some(client_secret)) = (token.client_id, token.client_secret)
            else {
                return Err(Failure::new(
                    400,
                    ErrorType::InvalidRequest,
                    "client_id and client_secret are required.",
                ));
            };
            let grant =
                engine.token_with(&client_id, &client_secret, token.scopes, &token.params)?;
            to_body(&json!({
                "status_code": 200,
                "request_id": request_id(),
                "access_token": grant.access_token.expose_secret(),
                "token_type": "bearer",
                "expires_in": grant.expires_in,
            }))
        }
        Route::Jwks => {
            let b2b_path = path_of(&request.url).starts_with("/v1/b2b/");
            let b2b_project = engine.project_kind() == ProjectKind::B2b;
            if id != engine.project_id() || b2b_path != b2b_project {
                return Err(Failure::new(
                    404,
                    ErrorType::InvalidProjectId,
                    "The project id in the path is unknown.",
                ));
            }
            to_body(&json!({"status_code": 200, "request_id": request_id(), "keys": engine.jwks()}))
        }
    })
}

/// The answer to an authenticated `get` of client `id` with no body ([`respond_checked`]'s, for a request a server
/// has read where it lies).
pub(crate) fn respond_get(engine: &Engine, id: &str) -> HttpResponse {
    let fresh = engine.fresh_request_id();
    match get_body(engine, id, &fresh) {
        Ok(body) => success(body),
        Err(failure) => error(fresh.as_str(), false, &failure),
    }
}

/// A `get`'s body: the client's stored wire JSON in the envelope.
fn get_body(engine: &Engine, id: &str, fresh: &RequestId) -> Result<Vec<u8>, Failure> {
    engine.read_client_wire(id, |json| envelope_raw("m2m_client", json, fresh))
}

/// Whether an `Authorization` value is the project's Basic credentials exactly as every SDK sends them (`Basic `
/// and the padded base64), compared as bytes in constant time, nothing decoded. `false` says only that the text
/// differs: [`project_authorized`] also accepts the other spellings of the same credentials.
///
/// ```
/// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
/// use base64::Engine as _;
/// use stytch_m2m::mock::{MockStytch, wire};
///
/// let mock = MockStytch::new();
/// let credentials = format!("{}:{}", mock.project_id(), mock.project_secret().expose_secret());
/// let header = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials));
/// assert!(wire::is_project_basic(mock.engine(), header.as_bytes()));
/// assert!(!wire::is_project_basic(mock.engine(), b"Basic bm9wZTpub3Bl"));
/// ```
pub fn is_project_basic(engine: &Engine, authorization: &[u8]) -> bool {
    authorization
        .strip_prefix(b"Basic ")
        .is_some_and(|encoded| engine.is_project_basic_credentials(encoded))
}

/// Whether the request carries the project's Basic credentials: first compared as the text every SDK sends
/// (`Basic ` and the padded base64), then, when that differs, decoded (another case of the scheme, spaces).
pub fn project_authorized(engine: &Engine, request: &HttpRequest) -> bool {
    let header = request.headers.get("authorization");
    if header.is_some_and(|value| is_project_basic(engine, value.as_bytes())) {
        return true;
    }
    header.is_some()
        && body::with_basic_auth(request, |id, secret| {
            engine.check_project_credentials(id, secret)
        })
        .unwrap_or(false)
}

/// A client's success body.
fn client_body(model: &impl ClientModel, request_id: &str) -> Vec<u8> {
    envelope("m2m_client", &WireClient::new(model), request_id)
}

fn to_body(body: &Value) -> Vec<u8> {
    serde_json::to_vec(body).unwrap_or_default()
}

fn success(body: Vec<u8>) -> HttpResponse {
    HttpResponse::new(200, body)
}

/// An error body: Stytch's five fields, or OAuth2's for the token endpoint. 429 carries `Retry-After`.
pub fn error(request_id: &str, oauth: bool, failure: &Failure) -> HttpResponse {
    let url = format!("https://stytch.com/docs/api/errors/{}", failure.status);
    let body = if oauth {
        json!({
            "status_code": failure.status,
            "request_id": request_id,
            "error": failure.error_type,
            "error_description": failure.message,
            "error_uri": url,
        })
    } else {
        json!({
            "status_code": failure.status,
            "request_id": request_id,
            "error_type": failure.error_type,
            "error_message": failure.message,
            "error_url": url,
        })
    };
    HttpResponse::new(
        failure.status,
        serde_json::to_vec(&body).unwrap_or_default(),
    )
}

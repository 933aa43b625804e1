//! The wire front of the engine: HTTP as plain data in, Stytch's wire JSON and statuses out.
//!
//! [`handle`] routes a request like the real API, checks the project's Basic credentials on the management
//! routes, reads the body as leniently as Stytch does, calls the [`Engine`], and writes the success envelope or
//! the error body (all five Stytch fields, or the OAuth2 ones for the token endpoint). It never panics on any
//! input. The mock transport and the emulator server both answer through it.

mod body;
mod route;

use serde::Serialize;
use serde_json::{Value, json};
use stytch_m2m_core::auth::ProjectKind;
use stytch_m2m_core::models::ErrorType;
use stytch_m2m_core::models::{CreateRequest, UpdateRequest};
use stytch_m2m_core::transport::{HttpRequest, HttpResponse};

pub use route::{Route, Routed, path_of, route};

use crate::engine::{Engine, Failure};
use body::Expect;

/// Answers one request.
pub fn handle(engine: &Engine, request: &HttpRequest) -> HttpResponse {
    respond(engine, request, route(request.method, &request.url))
}

/// Answers one request that has already been routed (see `route`).
pub fn respond(engine: &Engine, request: &HttpRequest, routed: Routed) -> HttpResponse {
    let request_id = engine.request_id();
    let (route, param) = match routed {
        Routed::Found(route, param) => (route, param),
        Routed::MethodNotAllowed => {
            return error(&request_id, false, &Failure::method_not_allowed());
        }
        Routed::NotFound => {
            return error(&request_id, false, &Failure::route_not_found());
        }
    };
    match answer(
        engine,
        request,
        route,
        param.unwrap_or_default(),
        &request_id,
    ) {
        // Stytch lets the JWKS be cached for 15 minutes.
        Ok(body) if route == Route::Jwks => {
            success(body).with_header("cache-control", "public, max-age=900")
        }
        Ok(body) => success(body),
        Err(failure) => error(&request_id, route.oauth_errors(), &failure),
    }
}

fn answer(
    engine: &Engine,
    request: &HttpRequest,
    route: Route,
    param: String,
    request_id: &str,
) -> Result<Value, Failure> {
    if route.needs_project_auth() && !project_authorized(engine, request) {
        return Err(Failure::unauthorized());
    }
    let envelope =
        |key: &str, value: Value| json!({"status_code": 200, "request_id": request_id, key: value});
    let id = param.as_str();
    Ok(match route {
        Route::Create => {
            let request: CreateRequest =
                body::model(body::json_object(&request.body, Expect::Object)?, &[])?;
            envelope("m2m_client", client_json(&engine.create(request)?))
        }
        Route::Get => {
            body::json_object(&request.body, Expect::NothingOrObject)?;
            envelope("m2m_client", client_json(&engine.get(id)?))
        }
        Route::Search => {
            let search = body::search(body::json_object(&request.body, Expect::Object)?)?;
            let (clients, metadata) = engine.search(&search)?;
            json!({
                "status_code": 200,
                "request_id": request_id,
                "m2m_clients": clients.iter().map(client_json).collect::<Vec<_>>(),
                "results_metadata": {"total": metadata.total, "next_cursor": metadata.next_cursor},
            })
        }
        Route::Update => {
            let update: UpdateRequest = body::model(
                body::json_object(&request.body, Expect::Object)?,
                &["client_id"],
            )?;
            envelope("m2m_client", client_json(&engine.update(id, update)?))
        }
        Route::Delete => {
            body::json_object(&request.body, Expect::NothingOrObject)?;
            engine.delete(id)?;
            envelope("client_id", Value::from(id))
        }
        Route::RotateStart | Route::RotateCancel | Route::Rotate => {
            // The body's members are ignored (node and ruby send `{}`, the others `{"client_id": …}`).
            body::json_object(&request.body, Expect::Object)?;
            let client = match route {
                Route::RotateStart => client_json(&engine.rotate_start(id)?),
                Route::RotateCancel => client_json(&engine.rotate_cancel(id)?),
                _ => client_json(&engine.rotate(id)?),
            };
            envelope("m2m_client", client)
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
            json!({
                "status_code": 200,
                "request_id": request_id,
                "access_token": grant.access_token.expose_secret(),
                "token_type": "bearer",
                "expires_in": grant.expires_in,
            })
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
            json!({"status_code": 200, "request_id": request_id, "keys": engine.jwks()})
        }
    })
}

/// Whether the request carries the project's Basic credentials.
pub fn project_authorized(engine: &Engine, request: &HttpRequest) -> bool {
    body::basic_auth(request)
        .is_some_and(|(id, secret)| engine.check_project_credentials(&id, &secret))
}

/// A client as the live API writes it: `next_client_secret_last_four` is always present (`null` when not
/// rotating) and `trusted_metadata` is an object.
fn client_json(client: &impl Serialize) -> Value {
    let mut value = serde_json::to_value(client).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.entry("next_client_secret_last_four")
            .or_insert(Value::Null);
        map.entry("trusted_metadata").or_insert_with(|| json!({}));
    }
    value
}

fn success(body: Value) -> HttpResponse {
    HttpResponse::new(200, serde_json::to_vec(&body).unwrap_or_default())
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

//! An axum extractor for the token [`RequireM2m`](crate::RequireM2m) authenticated.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;
use stytch_m2m_core::auth::AuthenticatedToken;

use crate::Refusal;
use crate::inbound::PassedWithoutToken;

/// The caller's authenticated M2M token, put into the request by [`RequireM2m`](crate::RequireM2m).
///
/// As `M2mToken`, a request that an optional layer ([`RequireM2m::optional`](crate::RequireM2m::optional)) let
/// through without credentials is answered 401 with that layer's realm; as `Option<M2mToken>`, the handler sees
/// `None`. On a route with no [`RequireM2m`](crate::RequireM2m) at all, `M2mToken` is a server misconfiguration, not the caller's
/// fault: 500, logged once.
///
/// ```
/// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_tower as middleware; }
/// use axum::Json;
/// use stytch_m2m::middleware::M2mToken;
///
/// async fn create_invoice(M2mToken(token): M2mToken) -> Json<serde_json::Value> {
///     Json(serde_json::json!({ "client_id": token.client_id() }))
/// }
///
/// async fn list(caller: Option<M2mToken>) -> String {
///     match caller {
///         Some(M2mToken(token)) => format!("for {}", token.client_id()),
///         None => "public listing".into(),
///     }
/// }
/// ```
#[derive(Clone, Debug)]
pub struct M2mToken(pub AuthenticatedToken);

/// The answer when a handler requires a token and the request has none.
#[derive(Debug)]
#[non_exhaustive]
pub enum MissingM2mToken {
    /// An optional layer let the request through without credentials: 401 with the layer's realm.
    NoCredentials {
        /// The realm of the layer.
        realm: Arc<str>,
    },
    /// No [`RequireM2m`](crate::RequireM2m) guards the route: a server misconfiguration, 500.
    NoLayer,
}

/// Whether the misconfiguration was logged (once per process).
static LOGGED_NO_LAYER: AtomicBool = AtomicBool::new(false);

impl IntoResponse for MissingM2mToken {
    fn into_response(self) -> Response {
        match self {
            MissingM2mToken::NoCredentials { realm } => Refusal::MissingCredentials
                .default_response(&realm)
                .map(axum_core::body::Body::from),
            MissingM2mToken::NoLayer => {
                if !LOGGED_NO_LAYER.swap(true, Ordering::Relaxed) {
                    tracing::error!(
                        target: "stytch_m2m_tower",
                        "a handler extracts M2mToken on a route that no RequireM2m layer guards; answering 500"
                    );
                }
                let mut response = Response::new(axum_core::body::Body::from(
                    r#"{"error":"server_error","error_description":"the route is not configured to authenticate M2M tokens"}"#,
                ));
                *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
                response.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("application/json"),
                );
                response
            }
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for M2mToken {
    type Rejection = MissingM2mToken;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(token) = parts.extensions.get::<AuthenticatedToken>() {
            return Ok(M2mToken(token.clone()));
        }
        Err(match parts.extensions.get::<PassedWithoutToken>() {
            Some(PassedWithoutToken(realm)) => MissingM2mToken::NoCredentials {
                realm: realm.clone(),
            },
            None => MissingM2mToken::NoLayer,
        })
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for M2mToken {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<AuthenticatedToken>()
            .cloned()
            .map(M2mToken))
    }
}

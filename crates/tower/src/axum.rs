//! An axum extractor for the token [`RequireM2m`](crate::RequireM2m) authenticated.

use std::convert::Infallible;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;
use stytch_m2m_core::AuthenticatedToken;

use crate::Refusal;

/// The caller's authenticated M2M token, put into the request by [`RequireM2m`](crate::RequireM2m).
///
/// As `M2mToken`, a request without one is answered 401 (`WWW-Authenticate: Bearer realm="api"`); as
/// `Option<M2mToken>` (with [`RequireM2m::optional`](crate::RequireM2m::optional)), the handler sees `None`.
///
/// ```
/// use axum::Json;
/// use stytch_m2m_tower::M2mToken;
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
pub struct MissingM2mToken;

impl IntoResponse for MissingM2mToken {
    fn into_response(self) -> Response {
        Refusal::MissingCredentials
            .default_response("api")
            .map(axum_core::body::Body::from)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for M2mToken {
    type Rejection = MissingM2mToken;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<AuthenticatedToken>()
            .cloned()
            .map(M2mToken)
            .ok_or(MissingM2mToken)
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

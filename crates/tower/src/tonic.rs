//! gRPC with tonic (feature `tonic`): the caller's token in a handler, and outgoing calls through a `Channel`.
//!
//! Inbound, [`RequireM2m`](crate::RequireM2m) needs nothing more: it recognises gRPC calls and refuses them with
//! gRPC statuses (16, 7, 14; see [`grpc`](crate::grpc)). Tonic copies the HTTP request's extensions into the
//! `tonic::Request`, so a handler reads the verified token with [`M2mTokenExt::m2m_token`]. Outbound,
//! [`AttachM2mToken`](crate::AttachM2mToken) wraps a `tonic::transport::Channel` (a gRPC body is a stream: never
//! replayed; a call refused with 16 invalidates the token under the provider's bound).

use stytch_m2m_core::auth::AuthenticatedToken;

use crate::inbound::PassedWithoutToken;
use crate::outbound::ReplayBody;

/// The caller's verified token, from a `tonic::Request`.
///
/// ```
/// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_tower as middleware; }
/// use stytch_m2m::middleware::M2mTokenExt as _;
///
/// fn caller(request: &tonic::Request<()>) -> Result<String, tonic::Status> {
///     Ok(request.m2m_token()?.client_id().to_owned())
/// }
/// # let status = caller(&tonic::Request::new(())).unwrap_err();
/// # assert_eq!(status.code(), tonic::Code::Internal); // no layer in front: the server's mistake
/// ```
pub trait M2mTokenExt {
    /// The token [`RequireM2m`](crate::RequireM2m) verified. `UNAUTHENTICATED` when an optional layer let the
    /// call through without credentials; `INTERNAL` (logged once) when no layer guards the service: a server
    /// misconfiguration, not the caller's fault.
    fn m2m_token(&self) -> Result<&AuthenticatedToken, tonic::Status>;
}

impl<T> M2mTokenExt for tonic::Request<T> {
    fn m2m_token(&self) -> Result<&AuthenticatedToken, tonic::Status> {
        if let Some(token) = self.extensions().get::<AuthenticatedToken>() {
            return Ok(token);
        }
        if self.extensions().get::<PassedWithoutToken>().is_some() {
            return Err(tonic::Status::unauthenticated("no Bearer credentials"));
        }
        static LOGGED: std::sync::Once = std::sync::Once::new();
        LOGGED.call_once(|| {
            tracing::error!(
                target: "stytch_m2m_tower",
                "a gRPC handler asked for the M2M token of a call no RequireM2m layer guards"
            );
        });
        Err(tonic::Status::internal("the service is misconfigured"))
    }
}

/// A gRPC body is a stream: it is never sent twice.
impl ReplayBody for tonic::body::Body {
    fn try_replay(&self) -> Option<Self> {
        None
    }
}

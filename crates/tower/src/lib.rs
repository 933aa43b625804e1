//! Tower middleware for Stytch M2M tokens, for both ends of a service-to-service call.
//!
//! - Inbound, [`RequireM2m`]: a `tower::Layer` (axum, hyper, tonic) that requires a valid access token with the
//!   scopes a route needs, answers refusals as RFC 6750 §3 says, and puts the
//!   [`AuthenticatedToken`](stytch_m2m_core::auth::AuthenticatedToken) into the request's extensions; with feature
//!   `axum`, the `M2mToken` extractor reads it. It needs only a secret-less
//!   [`TokenVerifier`](stytch_m2m_core::auth::TokenVerifier).
//! - Outbound, [`AttachM2mToken`]: a `tower::Layer` for outgoing `http::Request`s (and, with feature
//!   `reqwest-middleware`, a `reqwest_middleware::Middleware`) that attaches a token from a
//!   [`TokenProvider`](stytch_m2m_core::auth::TokenProvider), and on a 401 gets a new one and retries once.
//! - gRPC: the inbound layer refuses gRPC calls with gRPC statuses ([`grpc`]); with feature `tonic`, handlers read
//!   the caller with `M2mTokenExt::m2m_token`, and the outbound layer wraps a tonic `Channel`.
//! - MCP servers and other OAuth-protected resources: RFC 9728 metadata ([`ProtectedResource`]).

#[cfg(feature = "axum")]
mod axum;
mod inbound;
mod outbound;
#[cfg(feature = "reqwest-middleware")]
mod reqwest;
#[cfg(feature = "tonic")]
mod tonic;

#[cfg(feature = "axum")]
pub use axum::{M2mToken, MissingM2mToken};
pub use inbound::grpc;
pub use inbound::{ProtectedResource, Refusal, RequireM2m, RequireM2mService, ResponseFuture};
pub use outbound::{AttachM2mToken, AttachM2mTokenService, ReplayBody};
#[cfg(feature = "tonic")]
pub use tonic::M2mTokenExt;

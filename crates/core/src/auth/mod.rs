//! Local authentication of M2M access tokens, and the caches no official SDK has.
//!
//! - [`TokenVerifier`]: RS256 against the project's JWKS, `typ`, `iss`, `aud`, `exp`, `nbf`, maximum age, scopes
//!   ([`scopes`]), with its own error type ([`AuthError`]). It needs no project secret; a
//!   [`Client`](crate::Client) has one too ([`Client::authenticate_token`](crate::Client::authenticate_token)).
//! - The JWKS source ([`JwksPolicy`]): refresh ahead in the background, one fetch in flight, stale keys serving
//!   through an outage, rate-limited fetches, `Cache-Control: max-age`, static or user-given key sets.
//! - The verified-token cache ([`VerifiedCachePolicy`]): a repeated token skips the RSA verification.
//! - [`TokenProvider`]: access tokens cached per (secret, scopes) of one M2M client, refreshed ahead of expiry,
//!   single flight; built without the project secret ([`TokenProvider::builder`]).

mod authenticate;
mod claims;
mod claims_scan;
mod error;
mod jwks;
mod jwks_keys;
mod jwks_policy;
mod jwt;
mod project;
mod provider;
mod provider_builder;
mod provider_exchange;
mod provider_policy;
pub mod scopes;
mod token;
mod verified;
mod verifier;
mod verifier_builder;

pub use authenticate::{AuthenticateOptions, AuthorizationCheck, DEFAULT_CLOCK_TOLERANCE};
pub use error::MAX_CLAIMS_DEPTH;
pub use error::{AuthError, InvalidToken, JwksUnavailable};
pub use jwks::JwksPolicy;
pub use jwt::MAX_TOKEN_LEN;
pub use provider::{ProviderPolicy, TokenProvider};
pub use provider_builder::TokenProviderBuilder;
pub use token::AuthenticatedToken;
pub use verified::VerifiedCachePolicy;
pub use verifier::TokenVerifier;
pub use verifier_builder::{ProjectKind, TokenVerifierBuilder};

pub(crate) use verifier_builder::validate_project_id;

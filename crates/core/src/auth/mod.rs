//! Local authentication of M2M access tokens, and the two caches no official SDK has.
//!
//! - [`Client::authenticate_token`](crate::Client::authenticate_token): RS256 against the project's JWKS, `iss`,
//!   `aud`, `exp`, `nbf`, maximum age, scopes ([`scopes`]), with typed errors ([`AuthError`]).
//! - The JWKS cache ([`JwksPolicy`]): TTL, one refetch for an unknown `kid`, a cooldown between refetches.
//! - The verified-token cache ([`VerifiedCachePolicy`]): a repeated token skips the RSA verification.
//! - [`TokenProvider`]: access tokens cached per (client, scopes), refreshed ahead of expiry, single flight.

mod authenticate;
mod claims;
mod error;
mod jwks;
mod jwt;
mod provider;
pub mod scopes;
mod token;
mod verified;

pub use authenticate::{AuthenticateOptions, AuthorizationCheck};
pub use error::{AuthError, InvalidToken};
pub use jwks::JwksPolicy;
pub use jwt::MAX_TOKEN_LEN;
pub use provider::TokenProvider;
pub use token::AuthenticatedToken;
pub use verified::VerifiedCachePolicy;

pub(crate) use jwks::JwksCache;
pub(crate) use verified::VerifiedCache;

/// The per-client state of local authentication, shared by the client's clones.
pub(crate) struct AuthState {
    pub clock: std::sync::Arc<dyn crate::clock::Clock>,
    pub jwks: JwksCache,
    pub verified: VerifiedCache,
}

//! [`AuthError`]: why a token was not accepted. Never quotes the token.

use std::fmt;

/// Why a token is invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidToken {
    /// Not a well-formed JWT (parts, base64url, JSON, size, a claim of the wrong type); the text says what.
    Malformed(String),
    /// The header's `alg` is not `RS256` (`none` and HS256 are refused here).
    UnsupportedAlgorithm(String),
    /// No key of the project's JWKS has this `kid` (even after a refetch).
    UnknownKey(String),
    /// The signature does not verify.
    Signature,
    /// `iss` is neither `stytch.com/{project_id}` nor the base URL.
    Issuer,
    /// `aud` does not contain the project id.
    Audience,
    /// `exp` has passed.
    Expired,
    /// `nbf` is in the future.
    NotYetValid,
    /// A required claim is absent.
    MissingClaim(&'static str),
}

impl fmt::Display for InvalidToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidToken::Malformed(why) => write!(f, "malformed: {why}"),
            InvalidToken::UnsupportedAlgorithm(alg) => {
                write!(f, "unsupported algorithm {alg:?} (only RS256)")
            }
            InvalidToken::UnknownKey(kid) => {
                write!(f, "no key of the project's JWKS has kid {kid:?}")
            }
            InvalidToken::Signature => f.write_str("the signature does not verify"),
            InvalidToken::Issuer => f.write_str("unexpected \"iss\" claim value"),
            InvalidToken::Audience => f.write_str("unexpected \"aud\" claim value"),
            InvalidToken::Expired => f.write_str("the token has expired (\"exp\")"),
            InvalidToken::NotYetValid => f.write_str("the token is not valid yet (\"nbf\")"),
            InvalidToken::MissingClaim(claim) => write!(f, "the {claim:?} claim is missing"),
        }
    }
}

/// Why `authenticate_token` refused a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token is not a valid access token of this project (node: `jwt_invalid`).
    #[error("invalid token: {0}")]
    Invalid(InvalidToken),
    /// The token is older than `max_token_age` (node: `jwt_too_old`).
    #[error("the token was issued at {issued_at}, {max_age_secs} or more seconds ago")]
    TooOld {
        /// Its `iat`.
        issued_at: u64,
        /// The maximum age asked for, in seconds.
        max_age_secs: u64,
    },
    /// The token lacks required scopes (node: `missing_scopes`); with a custom authorization function, every
    /// required scope is named.
    #[error("missing at least one required scope: {}", .0.join(" "))]
    MissingScopes(Vec<String>),
    /// The JWKS could not be fetched.
    #[error("the JWKS is unavailable: {0}")]
    JwksUnavailable(#[source] Box<crate::Error>),
}

impl From<InvalidToken> for AuthError {
    fn from(cause: InvalidToken) -> Self {
        AuthError::Invalid(cause)
    }
}

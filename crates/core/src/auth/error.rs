//! [`AuthError`]: why a token was not accepted. Never quotes the token.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// How deep custom claims may nest (objects and arrays). Deeper payloads are refused with
/// [`InvalidToken::NestingTooDeep`] rather than parsed into a silently empty map later.
pub const MAX_CLAIMS_DEPTH: usize = 64;

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
    /// The header has `crit`: this verifier understands no critical extension, so RFC 7515 §4.1.11 requires
    /// refusing the token.
    CriticalHeader,
    /// The header's `typ` is present and is not `JWT` (any case), or is not a string.
    TokenType,
    /// The claims nest objects or arrays deeper than [`MAX_CLAIMS_DEPTH`].
    NestingTooDeep,
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
            InvalidToken::CriticalHeader => {
                f.write_str("the header has \"crit\": no critical extension is supported")
            }
            InvalidToken::TokenType => f.write_str("the header's \"typ\" is not \"JWT\""),
            InvalidToken::NestingTooDeep => {
                write!(f, "the claims nest deeper than {} levels", MAX_CLAIMS_DEPTH)
            }
        }
    }
}

/// Why `authenticate_token` refused a token: the verifier's own error type, so that a handler maps it with one
/// `match` (or [`AuthError::http_status`]) to 401, 403 or 503. No variant quotes the token.
///
/// ```
/// # use stytch_m2m_core as stytch_m2m;
/// use stytch_m2m::auth::{AuthError, InvalidToken};
///
/// fn status(e: &AuthError) -> u16 {
///     match e {
///         AuthError::Invalid(_) | AuthError::TooOld { .. } => 401,
///         AuthError::MissingScopes { .. } => 403,
///         AuthError::JwksUnavailable(_) => 503,
///         _ => 401,
///     }
/// }
/// let e = AuthError::Invalid(InvalidToken::Expired);
/// assert_eq!(status(&e), e.http_status());
/// ```
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token is not a valid access token of this project (node: `jwt_invalid`): refuse with 401.
    #[error("invalid token: {0}")]
    Invalid(InvalidToken),
    /// The token is older than `max_token_age` (node: `jwt_too_old`): refuse with 401.
    #[error("the token was issued at {issued_at}, {max_age_secs} or more seconds ago")]
    TooOld {
        /// Its `iat`.
        issued_at: u64,
        /// The maximum age asked for, in seconds.
        max_age_secs: u64,
    },
    /// The token lacks required scopes (node: `missing_scopes`): refuse with 403. With a custom authorization
    /// function, every required scope is named.
    #[error("missing at least one required scope: {}", .missing.join(" "))]
    MissingScopes {
        /// The M2M client the valid token was issued to (not a secret: for logs and the 403's body).
        client_id: String,
        /// The required scopes the token lacks.
        missing: Vec<String>,
    },
    /// No usable key: the JWKS could not be fetched and no key for the token is cached. Not the caller's fault:
    /// answer 503.
    #[error("{0}")]
    JwksUnavailable(JwksUnavailable),
}

impl AuthError {
    /// The HTTP status a resource server answers with: 401 for an invalid or too old token, 403 for missing
    /// scopes, 503 when the keys are unavailable.
    pub fn http_status(&self) -> u16 {
        match self {
            AuthError::Invalid(_) | AuthError::TooOld { .. } => 401,
            AuthError::MissingScopes { .. } => 403,
            AuthError::JwksUnavailable(_) => 503,
        }
    }
}

impl From<InvalidToken> for AuthError {
    fn from(cause: InvalidToken) -> Self {
        AuthError::Invalid(cause)
    }
}

/// Why no key could be had: the last fetch failed (with its error), timed out, or the verifier is backing off
/// after failures. Cheap to clone: every waiter of one fetch gets the same one.
///
/// `Display` gives the reason; the failure behind it (a transport error, an API error) is its
/// [`source`](std::error::Error::source), as the std convention has it, so that error reporters print it once.
#[derive(Clone, Debug)]
pub struct JwksUnavailable {
    reason: Arc<str>,
    retry_after: Option<Duration>,
    refused_status: Option<u16>,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl JwksUnavailable {
    pub(crate) fn new(reason: impl Into<Arc<str>>) -> Self {
        Self {
            reason: reason.into(),
            retry_after: None,
            refused_status: None,
            source: None,
        }
    }

    /// The JWKS URL answered a client error (404 for a wrong project id, base URL or project kind): a
    /// misconfiguration of this verifier, not an outage.
    pub(crate) fn refused(url: &str, status: u16) -> Self {
        let mut e = Self::new(format!(
            "{url} answered {status}: the verifier is misconfigured, not facing an outage; check the project id, \
             the base URL and the project kind (a B2B project's JWKS is at /v1/b2b/sessions/jwks/{{project_id}})"
        ));
        e.refused_status = Some(status);
        e
    }

    /// The HTTP status of a JWKS URL that answered with a client error (4xx other than 408 and 429), if that is
    /// why: the verifier's project id, base URL or project kind is wrong, and waiting will not help. `None`
    /// for an outage (unreachable, timed out, 5xx), which may pass.
    ///
    /// A resource server still answers 503 (the caller is not at fault), and its operators should be told: the
    /// middleware logs such a refusal at `error`, once per minute.
    pub fn refused_status(&self) -> Option<u16> {
        self.refused_status
    }

    /// Whether the JWKS URL refused the request ([`refused_status`](Self::refused_status)): a
    /// misconfiguration rather than an outage.
    pub fn is_misconfiguration(&self) -> bool {
        self.refused_status.is_some()
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    pub(crate) fn with_retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    /// How long until the verifier tries to fetch the JWKS again, when it is backing off (for a `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl fmt::Display for JwksUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the JWKS is unavailable: {}", self.reason)
    }
}

impl std::error::Error for JwksUnavailable {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

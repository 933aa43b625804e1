//! [`Refusal`]: why a request was not let through, and its RFC 6750 §3 answer.

use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, Response, StatusCode};
use stytch_m2m_core::auth::{AuthError, InvalidToken};

/// When the keys are unavailable and the verifier gives no better hint, clients are told to retry after this.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(5);

/// Why the inbound layer refused a request. Handed to a custom responder; the default one answers as RFC 6750 §3
/// says. Never holds the token.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Refusal {
    /// No credentials, or credentials of another scheme: 401 with `WWW-Authenticate: Bearer realm="…"` and no
    /// error code (§3.1).
    MissingCredentials,
    /// A malformed Bearer credential (empty, two tokens, not token68, two `Authorization` headers): 400
    /// `invalid_request`.
    InvalidRequest(&'static str),
    /// The token is invalid, expired or too old: 401 `invalid_token`.
    InvalidToken(AuthError),
    /// The token is valid but lacks a required scope: 403 `insufficient_scope`, naming the required scopes.
    InsufficientScope {
        /// The scopes the route requires.
        required: Vec<String>,
        /// The caller.
        client_id: String,
    },
    /// No usable signing key (the JWKS is unreachable and nothing usable is cached): 503 with `Retry-After`,
    /// never 401, since it is not the caller's fault.
    KeysUnavailable(AuthError),
}

impl Refusal {
    pub(crate) fn from_auth_error(error: AuthError) -> Self {
        match error {
            AuthError::JwksUnavailable(_) => Refusal::KeysUnavailable(error),
            AuthError::MissingScopes { client_id, missing } => Refusal::InsufficientScope {
                required: missing,
                client_id,
            },
            other => Refusal::InvalidToken(other),
        }
    }

    /// The HTTP status of the default answer.
    pub fn status(&self) -> StatusCode {
        match self {
            Refusal::MissingCredentials | Refusal::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            Refusal::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            Refusal::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            Refusal::KeysUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The RFC 6750 error code (`invalid_request`, `invalid_token`, `insufficient_scope`), if any.
    pub fn error_code(&self) -> Option<&'static str> {
        match self {
            Refusal::MissingCredentials | Refusal::KeysUnavailable(_) => None,
            Refusal::InvalidRequest(_) => Some("invalid_request"),
            Refusal::InvalidToken(_) => Some("invalid_token"),
            Refusal::InsufficientScope { .. } => Some("insufficient_scope"),
        }
    }

    /// A description for people, built only from this crate's own words: never the token, never a value the
    /// caller chose (such as a `kid` or an `alg`).
    pub fn description(&self) -> String {
        match self {
            Refusal::MissingCredentials => "no Bearer credentials".into(),
            Refusal::InvalidRequest(why) => (*why).into(),
            Refusal::InvalidToken(AuthError::Invalid(cause)) => describe(cause),
            Refusal::InvalidToken(AuthError::TooOld { .. }) => "the token is too old".into(),
            Refusal::InvalidToken(_) => "the token is not valid".into(),
            Refusal::InsufficientScope { .. } => "the token lacks a required scope".into(),
            Refusal::KeysUnavailable(_) => {
                "the signing keys are unavailable; try again later".into()
            }
        }
    }

    /// The client id of the caller, when the token was valid.
    pub fn client_id(&self) -> Option<&str> {
        match self {
            Refusal::InsufficientScope { client_id, .. } if !client_id.is_empty() => {
                Some(client_id)
            }
            _ => None,
        }
    }

    /// How long a client should wait before retrying (503 only).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Refusal::KeysUnavailable(AuthError::JwksUnavailable(e)) => Some(
                e.retry_after()
                    .filter(|d| !d.is_zero())
                    .unwrap_or(DEFAULT_RETRY_AFTER),
            ),
            Refusal::KeysUnavailable(_) => Some(DEFAULT_RETRY_AFTER),
            _ => None,
        }
    }

    /// The `WWW-Authenticate` challenge of the default answer (none for 503).
    pub fn challenge(&self, realm: &str) -> Option<String> {
        self.challenge_with(realm, None)
    }

    /// The challenge naming the resource's RFC 9728 metadata document (`resource_metadata="…"`), when there is
    /// one.
    pub fn challenge_with(&self, realm: &str, resource_metadata: Option<&str>) -> Option<String> {
        if matches!(self, Refusal::KeysUnavailable(_)) {
            return None;
        }
        let mut challenge = format!("Bearer realm=\"{}\"", quoted(realm));
        if let Some(url) = resource_metadata {
            challenge.push_str(&format!(", resource_metadata=\"{}\"", quoted(url)));
        }
        if let Some(code) = self.error_code() {
            challenge.push_str(&format!(
                ", error=\"{code}\", error_description=\"{}\"",
                quoted(&self.description())
            ));
        }
        if let Refusal::InsufficientScope { required, .. } = self {
            challenge.push_str(&format!(", scope=\"{}\"", quoted(&required.join(" "))));
        }
        Some(challenge)
    }

    /// The default answer: the status, the challenge, `Retry-After` for 503, and the same facts as JSON.
    pub fn default_response(&self, realm: &str) -> Response<Bytes> {
        self.default_response_with(realm, None)
    }

    /// The default answer, its challenge naming the resource's RFC 9728 metadata document when there is one.
    pub fn default_response_with(
        &self,
        realm: &str,
        resource_metadata: Option<&str>,
    ) -> Response<Bytes> {
        let mut body = serde_json::json!({
            "status_code": self.status().as_u16(),
            "error_description": self.description(),
        });
        if let Some(code) = self.error_code() {
            body["error"] = code.into();
        }
        if let Refusal::InsufficientScope { required, .. } = self {
            body["scope"] = required.join(" ").into();
        }
        let retry_after = self
            .retry_after()
            .map(|d| d.as_secs_f64().ceil().max(1.0) as u64);
        if let Some(seconds) = retry_after {
            body["retry_after"] = seconds.into();
        }
        let mut response = Response::new(Bytes::from(body.to_string()));
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(challenge) = self.challenge_with(realm, resource_metadata)
            && let Ok(value) = HeaderValue::from_str(&challenge)
        {
            headers.insert(WWW_AUTHENTICATE, value);
        }
        if let Some(seconds) = retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// RFC 6750 §3: `error_description` and `scope` values use %x20-21 / %x23-5B / %x5D-7E (no `"` or `\`).
fn quoted(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if (' '..='~').contains(&c) => c,
            _ => '?',
        })
        .collect()
}

fn describe(cause: &InvalidToken) -> String {
    match cause {
        InvalidToken::Malformed(why) => format!("malformed token: {why}"),
        InvalidToken::UnsupportedAlgorithm(_) => "unsupported algorithm (only RS256)".into(),
        InvalidToken::UnknownKey(_) => "unknown signing key".into(),
        InvalidToken::Signature => "the signature does not verify".into(),
        InvalidToken::Issuer => "unexpected issuer".into(),
        InvalidToken::Audience => "unexpected audience".into(),
        InvalidToken::Expired => "the token has expired".into(),
        InvalidToken::NotYetValid => "the token is not valid yet".into(),
        InvalidToken::MissingClaim(claim) => format!("the {claim} claim is missing"),
        other => other.to_string(),
    }
}

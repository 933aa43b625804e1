//! The error taxonomy, keyed on "was the request sent?" (after smithy-rs `SdkError`).

use std::fmt;
use std::time::Duration;

use serde_json::{Map, Value};
use stytch_m2m_models::{ErrorResponse, ErrorType, OAuth2ErrorResponse};

use crate::transport::TransportError;
use crate::validate::ValidationError;

/// Statuses worth retrying for a call that is safe to repeat.
pub(crate) const RETRYABLE_STATUSES: [u16; 5] = [429, 500, 502, 503, 504];

/// Everything a call can fail with. Cheap to clone (every waiter of a shared token refresh gets the same error,
/// as the variant it is).
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input was refused before anything was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// The client or verifier was built with an unusable setting (a project id, a base URL, a missing transport):
    /// nothing was sent, and no request can fix it.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No response: a connection failure or a timeout. Unless [`TransportError::is_unsent`], the request may have
    /// reached the server.
    #[error("transport: {0}")]
    Transport(#[from] TransportError),
    /// Stytch answered with an error.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The response could not be decoded (not JSON, truncated, or of the wrong shape).
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A local token authentication failed.
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
}

impl Error {
    /// The `request_id` Stytch gave the call, when there was a response that carried one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            _ => None,
        }
    }

    /// Whether trying the same call again may succeed: 429, 500, 502, 503, 504, connection failures and timeouts.
    /// (Whether it is *safe* to repeat depends on the operation; the client's retry loop knows which.)
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(e) => e.is_retryable(),
            Error::Api(_) | Error::Decode(_) => self
                .status()
                .is_some_and(|s| RETRYABLE_STATUSES.contains(&s)),
            _ => false,
        }
    }

    /// The API error, if Stytch answered with one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The kind of API error (`error_type`), if Stytch answered with one that named it.
    pub fn error_type(&self) -> Option<&ErrorType> {
        self.as_api().and_then(|e| e.error_type.as_ref())
    }
}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Self {
        Error::Api(Box::new(error))
    }
}

/// A setting the client or verifier was built with is unusable. Names the setting and the rule, never a value
/// (a secret may be one).
///
/// ```
/// # use stytch_m2m_core as stytch_m2m;
/// use stytch_m2m::{Client, Error};
/// # use stytch_m2m::transport::{BoxFuture, HttpRequest, HttpResponse, Transport, TransportError};
/// # struct Nowhere;
/// # impl Transport for Nowhere {
/// #     fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
/// #         Box::pin(async { Ok(HttpResponse::new(200, b"{}".to_vec())) })
/// #     }
/// # }
/// let e = Client::builder("project-test-1", "secret-test-1", Nowhere)
///     .base_url("http://api.example.com")
///     .build()
///     .unwrap_err();
/// assert!(matches!(&e, Error::Config(c) if c.setting == "base_url"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid setting `{setting}`: {rule}")]
#[non_exhaustive]
pub struct ConfigError {
    /// The setting (`project_id`, `base_url`, `transport`, `STYTCH_SECRET`, …).
    pub setting: String,
    /// The rule it breaks, in words.
    pub rule: String,
}

impl ConfigError {
    /// A configuration error: this setting breaks this rule (for middleware and tools built on the SDK, which
    /// report their own settings the same way).
    ///
    /// ```
    /// # use stytch_m2m_core as stytch_m2m;
    /// let e = stytch_m2m::ConfigError::new("resource", "must be an absolute http(s) URL");
    /// assert_eq!(e.to_string(), "invalid setting `resource`: must be an absolute http(s) URL");
    /// ```
    pub fn new(setting: impl Into<String>, rule: impl Into<String>) -> Self {
        Self {
            setting: setting.into(),
            rule: rule.into(),
        }
    }
}

/// An error answered by Stytch: a Stytch-style body (`error_type`, `error_message`, `error_url`) or an
/// OAuth2-style one (`error`, `error_description`, `error_uri`) mapped onto the same fields. Missing fields are
/// tolerated.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status of the response.
    pub status: u16,
    /// The kind of error, when the body named one.
    pub error_type: Option<ErrorType>,
    /// The explanation, when the body had one.
    pub error_message: Option<String>,
    /// A link to the documentation of the error.
    pub error_url: Option<String>,
    /// The id of the call, to quote to Stytch support.
    pub request_id: Option<String>,
    /// Extra facts, when any.
    pub error_details: Map<String, Value>,
    /// How long the server asked to wait before trying again (`Retry-After`, in seconds).
    pub retry_after: Option<Duration>,
    raw: RawResponse,
}

/// The response an [`ApiError`] was read from, as received (smithy's `raw()`): for fields this SDK does not
/// model. `Debug` shows the status and sizes, not the body.
#[derive(Clone, PartialEq)]
pub struct RawResponse {
    status: u16,
    headers: crate::transport::Headers,
    body: bytes::Bytes,
}

impl RawResponse {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &crate::transport::Headers {
        &self.headers
    }

    /// The body, as received.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("headers", &self.headers.iter().count())
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

impl ApiError {
    /// Reads an error response; fails when its body is not a JSON object of either error style.
    pub(crate) fn from_response(
        response: &crate::transport::HttpResponse,
        retry_after: Option<Duration>,
    ) -> Result<Self, serde_json::Error> {
        let body = &response.body;
        let stytch: ErrorResponse = serde_json::from_slice(body)?;
        let mut error = ApiError {
            status: response.status,
            error_type: stytch.error_type,
            error_message: stytch.error_message.filter(|m| !m.is_empty()),
            error_url: stytch.error_url,
            request_id: stytch.request_id,
            error_details: stytch.error_details,
            retry_after,
            raw: RawResponse {
                status: response.status,
                headers: response.headers.clone(),
                body: body.clone(),
            },
        };
        if (error.error_type.is_none() || error.error_message.is_none())
            && let Ok(oauth) = serde_json::from_slice::<OAuth2ErrorResponse>(body)
        {
            error.error_type = error.error_type.or(oauth.error);
            error.error_message = error
                .error_message
                .or(oauth.error_description.filter(|m| !m.is_empty()));
            error.error_url = error.error_url.or(oauth.error_uri);
        }
        Ok(error)
    }

    /// The response as received: status, headers and body.
    pub fn raw(&self) -> &RawResponse {
        &self.raw
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stytch answered {}", self.status)?;
        if let Some(t) = &self.error_type {
            write!(f, " {t}")?;
        }
        if let Some(message) = &self.error_message {
            write!(f, ": {message}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request_id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The most bytes of a raw body kept in a [`DecodeError`].
const SNIPPET_LIMIT: usize = 512;

/// Keys whose presence in an undecodable body means the body is not quoted (it may hold a secret).
const SECRET_KEYS: [&[u8]; 4] = [
    b"client_secret",
    b"next_client_secret",
    b"access_token",
    b"private",
];

/// A response that could not be decoded.
#[derive(Clone, Debug, thiserror::Error)]
#[error("could not decode the {status} response ({source}); body: {snippet}")]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status of the response.
    pub status: u16,
    /// At most [`DecodeError::SNIPPET_LIMIT`] bytes of the body (lossy UTF-8), or a note that it was withheld because it may
    /// hold a secret.
    pub snippet: String,
    /// Why decoding failed.
    #[source]
    pub source: std::sync::Arc<serde_json::Error>,
}

impl DecodeError {
    /// The most bytes of a body a [`DecodeError`] keeps as its snippet.
    pub const SNIPPET_LIMIT: usize = SNIPPET_LIMIT;
}

impl DecodeError {
    pub(crate) fn new(status: u16, body: &[u8], source: serde_json::Error) -> Self {
        let holds_secret = SECRET_KEYS
            .iter()
            .any(|key| body.windows(key.len()).any(|w| w == *key));
        let snippet = if holds_secret {
            format!(
                "[{} bytes withheld: the body may hold a secret]",
                body.len()
            )
        } else {
            let end = body.len().min(SNIPPET_LIMIT);
            let mut s = String::from_utf8_lossy(&body[..end]).into_owned();
            if body.len() > end {
                s.push('…');
            }
            s
        };
        Self {
            status,
            snippet,
            source: std::sync::Arc::new(source),
        }
    }
}

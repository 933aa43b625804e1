//! [`Client`]: validate -> encode -> retry loop with timeouts (`retry.rs`) -> [`Transport::send`] -> decode
//! (`decode.rs`).

use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use stytch_m2m_models::Secret;
use tracing::Instrument as _;

use crate::auth::{AuthError, AuthenticateOptions, AuthenticatedToken, TokenVerifier};
use crate::config::{RetryPolicy, TimeoutPolicy};
use crate::decode::decode;
use crate::error::Error;
use crate::transport::{Headers, HttpRequest, Method, Transport};

/// The bytes of the fixed header names and values `Client::encode` writes besides the secret and the user agent.
const ENCODED_HEADER_BYTES: usize = 96;

/// A Stytch M2M client: cheap to clone (one `Arc`), `Send + Sync`, shared by every task.
///
/// ```
/// # use stytch_m2m_core as stytch_m2m;
/// # use stytch_m2m::transport::{BoxFuture, HttpRequest, HttpResponse, Transport, TransportError};
/// # struct AnyTransport;
/// # impl Transport for AnyTransport {
/// #     fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
/// #         Box::pin(async { Ok(HttpResponse::new(200, b"{}".to_vec())) })
/// #     }
/// # }
/// use stytch_m2m::{Client, RetryPolicy, TimeoutPolicy};
/// use std::time::Duration;
///
/// let client = Client::builder("project-test-00000000-0000-4000-8000-000000000000", "secret-test-…", AnyTransport)
///     .retry(RetryPolicy::default().with_max_attempts(5))
///     .timeouts(TimeoutPolicy::default().with_attempt(Some(Duration::from_secs(3))))
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url(), "https://test.stytch.com");
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) verifier: TokenVerifier,
    pub(crate) project_id: String,
    pub(crate) base_url: String,
    /// `Basic base64(project_id:secret)`; none in a client built for token exchanges only.
    pub(crate) authorization: Option<Secret>,
    pub(crate) user_agent: String,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeouts: TimeoutPolicy,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("project_id", &self.inner.project_id)
            .field("base_url", &self.inner.base_url)
            .field("secret", &"[REDACTED]")
            .field("retry", &self.inner.retry)
            .field("timeouts", &self.inner.timeouts)
            .finish()
    }
}

/// Which credentials a call carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Auth {
    /// `Authorization: Basic base64(project_id:secret)`.
    Project,
    /// None (the token endpoint authenticates the M2M client from the body; the JWKS is public).
    None,
}

/// One call, ready to encode.
pub(crate) struct Call {
    pub operation: &'static str,
    pub method: Method,
    pub path: String,
    pub body: Option<(&'static str, Bytes)>,
    pub auth: Auth,
    pub idempotent: bool,
    pub client_id: Option<String>,
}

impl Call {
    /// A call with a JSON body.
    pub fn json(
        operation: &'static str,
        method: Method,
        path: String,
        body: &impl serde::Serialize,
    ) -> Self {
        let body = serde_json::to_vec(body).expect("request models always serialize");
        Self::empty(operation, method, path).with_body("application/json", body.into())
    }

    /// A call without a body.
    pub fn empty(operation: &'static str, method: Method, path: String) -> Self {
        Self {
            operation,
            method,
            path,
            body: None,
            auth: Auth::Project,
            idempotent: matches!(method, Method::Get | Method::Put | Method::Delete),
            client_id: None,
        }
    }

    /// Sets the body and its content type.
    pub fn with_body(mut self, content_type: &'static str, body: Bytes) -> Self {
        self.body = Some((content_type, body));
        self
    }

    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    pub fn for_client(mut self, client_id: &str) -> Self {
        self.client_id = Some(client_id.to_owned());
        self
    }

    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }
}

impl Client {
    /// The project id.
    pub fn project_id(&self) -> &str {
        &self.inner.project_id
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The transport.
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.inner.transport
    }

    pub(crate) fn encode(&self, call: &Call) -> HttpRequest {
        let secret = match (&self.inner.authorization, call.auth) {
            (Some(authorization), Auth::Project) => authorization.expose_secret(),
            _ => "",
        };
        let mut headers = Headers::with_capacity(
            4,
            secret.len() + self.inner.user_agent.len() + ENCODED_HEADER_BYTES,
        );
        if !secret.is_empty() {
            headers.insert("authorization", secret);
        }
        headers.insert("user-agent", self.inner.user_agent.as_str());
        headers.insert("accept", "application/json");
        let body = match &call.body {
            Some((content_type, bytes)) => {
                headers.insert("content-type", *content_type);
                bytes.clone()
            }
            None => Bytes::new(),
        };
        HttpRequest {
            method: call.method,
            url: format!("{}{}", self.inner.base_url, call.path),
            headers,
            body,
        }
    }

    /// Runs one call: the retry loop with both timeouts, then decoding into `T` or the error taxonomy.
    pub(crate) async fn execute<T: DeserializeOwned>(&self, call: Call) -> Result<T, Error> {
        // OpenTelemetry's HTTP client conventions, plus Stytch's request id and the operation. The fields are only
        // computed when someone listens to the span.
        let span = tracing::debug_span!(
            "stytch_m2m",
            otel.name = call.operation,
            otel.kind = "client",
            "stytch.operation" = call.operation,
            "http.request.method" = call.method.as_str(),
            "server.address" = server_address(&self.inner.base_url),
            "url.full" = %format_args!("{}{}", self.inner.base_url, call.path.split(['?', '#']).next().unwrap_or_default()),
            client_id = call.client_id.as_deref(),
            "http.response.status_code" = tracing::field::Empty,
            "error.type" = tracing::field::Empty,
            "stytch.request_id" = tracing::field::Empty,
        );
        async {
            let started = crate::metrics::Started::now();
            let deadline = self
                .inner
                .timeouts
                .overall
                .and_then(|limit| tokio::time::Instant::now().checked_add(limit));
            let attempted = self.attempts(&call, deadline).await;
            crate::metrics::client_call(
                call.operation,
                attempted.as_ref().ok().map(|r| r.status),
                started,
            );
            let span = tracing::Span::current();
            let response = match attempted {
                Ok(response) => response,
                Err(e) => {
                    span.record("error.type", e.kind().as_str());
                    return Err(e.into());
                }
            };
            span.record("http.response.status_code", response.status);
            if response.status >= 400 {
                span.record("error.type", response.status);
            }
            decode(response)
        }
        .instrument(span)
        .await
    }
}

impl Client {
    /// Authenticates an M2M access token locally with the client's [`TokenVerifier`] (see
    /// [`TokenVerifier::authenticate_token`]). A service that only checks tokens should build a `TokenVerifier`
    /// instead, and hold no project secret.
    ///
    /// ```no_run
    /// # use stytch_m2m_core as stytch_m2m;
    /// # async fn run(client: stytch_m2m::Client, bearer: &str) -> Result<(), stytch_m2m::Error> {
    /// use stytch_m2m::auth::AuthenticateOptions;
    ///
    /// let token = client
    ///     .authenticate_token(bearer, &AuthenticateOptions::new().required_scopes(["read:users"]))
    ///     .await?;
    /// println!("called by {}", token.client_id());
    /// # Ok(()) }
    /// ```
    pub async fn authenticate_token(
        &self,
        token: &str,
        options: &AuthenticateOptions,
    ) -> Result<AuthenticatedToken, AuthError> {
        self.inner.verifier.authenticate_token(token, options).await
    }
}

/// The host (and port) of a base URL: OpenTelemetry's `server.address`. Never a user or password (base URLs with
/// them are refused when the client is built).
fn server_address(base_url: &str) -> &str {
    let rest = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // A trailing `:port` is dropped (an IPv6 literal keeps its brackets: `[::1]`).
    match authority.rsplit_once(':') {
        Some((host, port))
            if port.bytes().all(|b| b.is_ascii_digit())
                && (!host.contains(':') || host.ends_with(']')) =>
        {
            host
        }
        _ => authority,
    }
}

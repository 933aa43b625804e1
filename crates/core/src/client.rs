//! [`Client`]: validate -> encode -> retry loop with timeouts (`retry.rs`) -> [`Transport::send`] -> decode
//! (`decode.rs`).

use std::sync::Arc;

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::de::DeserializeOwned;
use stytch_m2m_models::Secret;
use tracing::Instrument as _;

use crate::auth::TokenVerifier;
use crate::builder::ClientBuilder;
use crate::config::{RetryConfig, TimeoutConfig};
use crate::decode::decode;
use crate::error::Error;
use crate::transport::{Headers, HttpRequest, Method, Transport};

/// The bytes of the fixed header names and values `Client::encode` writes besides the secret and the user agent.
const ENCODED_HEADER_BYTES: usize = 96;

/// The `User-Agent` this SDK sends.
pub const USER_AGENT: &str = concat!("stytch-m2m-rust/", env!("CARGO_PKG_VERSION"));

/// Characters left as they are in a path segment: RFC 3986 unreserved. Everything else is percent-encoded.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one path segment (a `client_id`, a `project_id`).
pub(crate) fn encode_path_segment(segment: &str) -> String {
    utf8_percent_encode(segment, PATH_SEGMENT).to_string()
}

/// A Stytch M2M client: cheap to clone (one `Arc`), `Send + Sync`, shared by every task.
///
/// ```
/// # use stytch_m2m_core::transport::{BoxFuture, HttpRequest, HttpResponse, Transport, TransportError};
/// # struct AnyTransport;
/// # impl Transport for AnyTransport {
/// #     fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
/// #         Box::pin(async { Ok(HttpResponse::new(200, b"{}".to_vec())) })
/// #     }
/// # }
/// use stytch_m2m_core::{Client, RetryConfig, TimeoutConfig};
/// use std::time::Duration;
///
/// let client = Client::builder("project-test-00000000-0000-4000-8000-000000000000", "secret-test-…", AnyTransport)
///     .retry(RetryConfig::standard().with_max_attempts(5))
///     .timeouts(TimeoutConfig::standard().with_attempt(Some(Duration::from_secs(3))))
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
    pub(crate) authorization: Secret,
    pub(crate) user_agent: String,
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) retry: RetryConfig,
    pub(crate) timeouts: TimeoutConfig,
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
    /// A client for this project, its environment chosen from the project id's prefix, with the standard retry
    /// and timeout policies.
    pub fn new(
        project_id: impl Into<String>,
        secret: impl Into<Secret>,
        transport: impl Transport + 'static,
    ) -> Result<Self, Error> {
        Self::builder(project_id, secret, transport).build()
    }

    /// A builder for a client of this project over `transport`.
    pub fn builder(
        project_id: impl Into<String>,
        secret: impl Into<Secret>,
        transport: impl Transport + 'static,
    ) -> ClientBuilder {
        ClientBuilder::new(project_id.into(), secret.into(), Arc::new(transport))
    }

    /// A client from the environment: `STYTCH_PROJECT_ID`, `STYTCH_SECRET` and, optionally, `STYTCH_BASE_URL`
    /// (else the environment of the project id's prefix), over `transport`. A missing variable is a validation
    /// error naming it.
    ///
    /// ```no_run
    /// # fn run(transport: impl stytch_m2m_core::Transport + 'static) -> Result<(), stytch_m2m_core::Error> {
    /// let client = stytch_m2m_core::Client::from_env(transport)?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn from_env(transport: impl Transport + 'static) -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok(), transport)
    }

    /// [`Client::from_env`] with another source of variables.
    pub(crate) fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
        transport: impl Transport + 'static,
    ) -> Result<Self, Error> {
        let required = |name: &'static str| {
            lookup(name).filter(|v| !v.is_empty()).ok_or_else(|| {
                Error::from(crate::error::ConfigError::new(
                    name,
                    "must be set in the environment",
                ))
            })
        };
        let mut builder = Self::builder(
            required("STYTCH_PROJECT_ID")?,
            required("STYTCH_SECRET")?,
            transport,
        );
        if let Some(base_url) = lookup("STYTCH_BASE_URL").filter(|v| !v.is_empty()) {
            builder = builder.base_url(base_url);
        }
        builder.build()
    }

    /// The client's token verifier (sharing its transport). Hand a clone to code that only checks tokens: it
    /// carries no secret.
    pub fn verifier(&self) -> &TokenVerifier {
        &self.inner.verifier
    }

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

    /// Client management: create, get, search, update, delete, and `secrets()` for rotation.
    pub fn clients(&self) -> crate::clients::Clients<'_> {
        crate::clients::Clients::new(self)
    }

    pub(crate) fn encode(&self, call: &Call) -> HttpRequest {
        let secret = self.inner.authorization.expose_secret();
        let mut headers = Headers::with_capacity(
            4,
            secret.len() + self.inner.user_agent.len() + ENCODED_HEADER_BYTES,
        );
        if call.auth == Auth::Project {
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
        let span = tracing::debug_span!(
            "stytch_m2m",
            operation = call.operation,
            client_id = call.client_id.as_deref(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        async {
            let deadline = self
                .inner
                .timeouts
                .overall
                .and_then(|limit| tokio::time::Instant::now().checked_add(limit));
            let response = self.attempts(&call, deadline).await?;
            tracing::Span::current().record("status", response.status);
            decode(response)
        }
        .instrument(span)
        .await
    }
}

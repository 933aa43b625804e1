//! The transport trait: HTTP as plain data in, HTTP as plain data out.
//!
//! Core owns the wire format (paths, headers, JSON, error decoding); a transport only moves bytes. That is what
//! lets the in-memory mock run exactly the code production runs. No HTTP library type appears here.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;

pub use crate::headers::Headers;

/// A boxed `Send` future, the return type of [`Transport::send`] (so that `Arc<dyn Transport>` works).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Moves one HTTP request to a server and its response back.
///
/// Implementations: `stytch-m2m-http` (reqwest), `stytch-m2m-mock` (in memory), or your own (a recording or
/// scripted transport in tests). Retries, timeouts and decoding are done by the caller, not here.
///
/// ```
/// # use stytch_m2m_core as stytch_m2m;
/// use stytch_m2m::transport::{BoxFuture, HttpRequest, HttpResponse, Transport, TransportError};
///
/// /// Answers every request with 503.
/// struct Down;
///
/// impl Transport for Down {
///     fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
///         Box::pin(async { Ok(HttpResponse::new(503, b"{}".to_vec())) })
///     }
/// }
/// let transport: std::sync::Arc<dyn Transport> = std::sync::Arc::new(Down);
/// # let _ = transport;
/// ```
pub trait Transport: Send + Sync {
    /// Sends `request` and returns the response, or why there is none.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        (**self).send(request)
    }
}

/// An HTTP method used by the M2M API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method name as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Parses a method name (case-sensitive, as HTTP says).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An HTTP request as plain data.
///
/// `Debug` redacts the `Authorization` header and omits the body (which may hold a client secret).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL: base URL, path (with percent-encoded segments) and query.
    pub url: String,
    /// The headers.
    pub headers: Headers,
    /// The body; empty when there is none.
    pub body: Bytes,
}

impl HttpRequest {
    /// A request with no header and no body.
    ///
    /// ```
    /// # use stytch_m2m_core as stytch_m2m;
    /// use stytch_m2m::transport::{HttpRequest, Method};
    ///
    /// let request = HttpRequest::new(Method::Post, "http://127.0.0.1:4010/v1/m2m/clients")
    ///     .with_header("content-type", "application/json")
    ///     .with_body(r#"{"scopes":["read:users"]}"#);
    /// assert_eq!(request.headers.get("Content-Type"), Some("application/json"));
    /// ```
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            headers: Headers::new(),
            body: Bytes::new(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Replaces the headers.
    pub fn with_headers(mut self, headers: Headers) -> Self {
        self.headers = headers;
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// An HTTP response as plain data. `Debug` omits the body (which may hold a secret).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: Headers,
    /// The body.
    pub body: Bytes,
}

impl HttpResponse {
    /// A response with this status and body and a JSON content type.
    pub fn new(status: u16, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            // Borrowed: a response built here allocates nothing for its headers.
            headers: Headers::json_content_type(),
            body: body.into(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Replaces the headers (`new` sets a JSON content type).
    pub fn with_headers(mut self, headers: Headers) -> Self {
        self.headers = headers;
        self
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// What kind of failure a [`TransportError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made: the request was certainly not sent.
    Connect,
    /// The attempt or the whole call took too long: the request may have been sent.
    Timeout,
    /// The connection failed while sending or receiving: the request may have been sent.
    Io,
    /// Anything else: the request may have been sent.
    Other,
    /// The request could not be made as configured (a malformed URL, a method the transport does not send, a
    /// TLS setup that fails): it was not sent, and repeating it cannot help, so it is never retried.
    Config,
}

impl TransportErrorKind {
    /// A short name (`connect`, `timeout`, `io`, `other`, `config`): OpenTelemetry's `error.type` of a call that
    /// got no response.
    ///
    /// ```
    /// # use stytch_m2m_core as stytch_m2m;
    /// use stytch_m2m::transport::TransportErrorKind;
    ///
    /// assert_eq!(TransportErrorKind::Timeout.as_str(), "timeout");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            TransportErrorKind::Connect => "connect",
            TransportErrorKind::Timeout => "timeout",
            TransportErrorKind::Io => "io",
            TransportErrorKind::Other => "other",
            TransportErrorKind::Config => "config",
        }
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "connection failed",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Io => "connection broken",
            TransportErrorKind::Other => "transport error",
            TransportErrorKind::Config => "configuration error",
        })
    }
}

/// Why a transport gave no response.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    #[source]
    source: Option<std::sync::Arc<dyn std::error::Error + Send + Sync>>,
}

impl TransportError {
    /// A failure of this kind with a message (never put a secret in it).
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// Attaches the underlying error.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(std::sync::Arc::new(source));
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether the request is known never to have reached the server (connection and configuration failures).
    pub fn is_unsent(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::Connect | TransportErrorKind::Config
        )
    }

    /// Whether trying again may succeed: every kind but [`TransportErrorKind::Config`].
    pub fn is_retryable(&self) -> bool {
        self.kind != TransportErrorKind::Config
    }

    /// Whether this is a timeout.
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportErrorKind::Timeout
    }
}

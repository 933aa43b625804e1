//! The transport trait: HTTP as plain data in, HTTP as plain data out.
//!
//! Core owns the wire format (paths, headers, JSON, error decoding); a transport only moves bytes. That is what
//! lets the in-memory mock run exactly the code production runs. No HTTP library type appears here.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;

/// A boxed `Send` future, the return type of [`Transport::send`] (so that `Arc<dyn Transport>` works).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Moves one HTTP request to a server and its response back.
///
/// Implementations: `stytch-m2m-http` (reqwest), `stytch-m2m-mock` (in memory), or your own (a recording or
/// scripted transport in tests). Retries, timeouts and decoding are done by the caller, not here.
///
/// ```
/// use stytch_m2m_core::transport::{BoxFuture, HttpRequest, HttpResponse, Transport, TransportError};
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

/// Header names whose values are never shown by `Debug`.
const SENSITIVE_HEADERS: &[&str] = &["authorization", "cookie", "set-cookie"];

/// Headers as an ordered list of (name, value) pairs; names are compared case-insensitively.
///
/// Stored packed (every name and value in one buffer), so that building or copying a set of headers costs two
/// allocations however many headers it holds: the request path builds one per call, the HTTP transport one per
/// response.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers {
    text: String,
    /// (name start, value start, value end) in `text`; a name ends where its value starts.
    entries: Vec<(u32, u32, u32)>,
}

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// No headers yet, with room for `count` headers of `bytes` bytes of names and values in all.
    pub fn with_capacity(count: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            entries: Vec::with_capacity(count),
        }
    }

    /// Adds a header (an existing one of the same name is kept: HTTP allows repeats).
    pub fn insert(&mut self, name: impl AsRef<str>, value: impl AsRef<str>) {
        let (name, value) = (name.as_ref(), value.as_ref());
        let start = self.text.len();
        self.text.push_str(name);
        self.text.push_str(value);
        let offset = |n: usize| u32::try_from(n).expect("headers are far smaller than 4 GiB");
        self.entries.push((
            offset(start),
            offset(start + name.len()),
            offset(self.text.len()),
        ));
    }

    /// The number of headers.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no header.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The first value of header `name`, if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Every (name, value) pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|&(n, v, end)| {
            (
                &self.text[n as usize..v as usize],
                &self.text[v as usize..end as usize],
            )
        })
    }

    /// The pairs with the values of `Authorization` and cookies replaced by `[REDACTED]`.
    pub fn redacted(&self) -> Vec<(String, String)> {
        self.iter()
            .map(|(n, v)| {
                let sensitive = SENSITIVE_HEADERS.iter().any(|s| n.eq_ignore_ascii_case(s));
                (
                    n.to_owned(),
                    if sensitive {
                        "[REDACTED]".to_owned()
                    } else {
                        v.to_owned()
                    },
                )
            })
            .collect()
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.redacted()).finish()
    }
}

impl<N: AsRef<str>, V: AsRef<str>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut headers = Self::new();
        for (n, v) in iter {
            headers.insert(n, v);
        }
        headers
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
    /// use stytch_m2m_core::transport::{HttpRequest, Method};
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
        let mut headers = Headers::new();
        headers.insert("content-type", "application/json");
        Self {
            status,
            headers,
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

#[cfg(test)]
mod tests {
    use super::Headers;

    #[test]
    fn packed_headers_keep_order_repeats_and_case_insensitive_lookup() {
        let mut headers = Headers::with_capacity(1, 4);
        assert!(headers.is_empty());
        headers.insert("Set-Cookie", "a=1");
        headers.insert("content-type", "application/json");
        headers.insert("set-cookie", "b=2");
        headers.insert("x-empty", "");
        assert_eq!(headers.len(), 4);
        assert_eq!(headers.get("SET-COOKIE"), Some("a=1"));
        assert_eq!(headers.get("Content-Type"), Some("application/json"));
        assert_eq!(headers.get("x-empty"), Some(""));
        assert_eq!(headers.get("missing"), None);
        let pairs: Vec<(&str, &str)> = headers.iter().collect();
        assert_eq!(
            pairs,
            [
                ("Set-Cookie", "a=1"),
                ("content-type", "application/json"),
                ("set-cookie", "b=2"),
                ("x-empty", "")
            ]
        );
        let rebuilt: Headers = pairs.into_iter().collect();
        assert_eq!(rebuilt, headers);
        let shown = format!("{headers:?}");
        assert!(!shown.contains("a=1") && !shown.contains("b=2"), "{shown}");
        assert!(shown.contains("application/json"));
    }
}

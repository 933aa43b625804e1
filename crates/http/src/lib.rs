//! The HTTP transport of stytch-m2m: [`HttpTransport`], over one pooled reqwest client.
//!
//! It only moves bytes: the SDK's core encodes, retries, times out and decodes. reqwest errors become
//! [`TransportError`]s of the right kind (connection failures are "never sent", so even a create is retried;
//! timeouts and broken connections "may have been sent").
//!
//! ```no_run
//! # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_http::{HttpTransport, HttpTransportBuilder}; }
//! use stytch_m2m::Client;
//! use stytch_m2m::HttpTransport;
//!
//! let client = Client::builder("project-test-…", "secret-test-…", HttpTransport::new()).build().unwrap();
//! # let _ = client;
//! ```

use std::time::Duration;

use bytes::Bytes;
use stytch_m2m_core::transport::{
    BoxFuture, Headers, HttpRequest, HttpResponse, Method, Transport,
};
use stytch_m2m_core::transport::{TransportError, TransportErrorKind};

/// The largest response body read, in bytes; a larger one is an error (a rogue server cannot exhaust memory).
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// A transport over HTTP/1.1 with keep-alive: one connection pool shared by every clone and call.
///
/// Proxies: the environment's (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`) apply, except that a
/// request to the loopback (`localhost`, `127.0.0.0/8`, `::1`: an emulator on this machine) never goes through a
/// proxy, whatever the environment says (Go's `net/http` rule): the project's credentials are not handed to a
/// proxy for a server on this very host. A transport [from your own client](HttpTransport::from_client) sends
/// everything as that client is configured.
#[derive(Clone, Debug)]
pub struct HttpTransport {
    client: reqwest::Client,
    /// The client for loopback URLs, without any proxy; made on first use. `None` for a client of the user's, and
    /// when the environment names no proxy (the one client then reaches the loopback directly).
    direct: Option<std::sync::Arc<Direct>>,
}

/// The proxy-free client of loopback requests, built on first use with the transport's settings.
#[derive(Debug)]
struct Direct {
    settings: HttpTransportBuilder,
    client: std::sync::OnceLock<reqwest::Client>,
}

/// Builds an [`HttpTransport`]; see [`HttpTransport::builder`].
#[derive(Clone, Debug)]
#[must_use]
pub struct HttpTransportBuilder {
    connect_timeout: Duration,
    read_timeout: Option<Duration>,
    pool_idle_timeout: Duration,
    pool_max_idle_per_host: usize,
}

impl Default for HttpTransportBuilder {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            read_timeout: None,
            pool_idle_timeout: Duration::from_secs(90),
            pool_max_idle_per_host: 32,
        }
    }
}

impl HttpTransportBuilder {
    /// The limit for opening a connection (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// A limit between two reads of a response (default: none). The client's per-attempt timeout (10 s by default)
    /// already bounds the whole attempt, reading included; this adds a per-read timer to every response, so set it
    /// only when the transport is used without the client's timeouts.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// How long an idle pooled connection is kept (default 90 s).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// How many idle connections per host are kept (default 32).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// Builds the transport. A failure (the TLS setup, say) is [`TransportErrorKind::Config`]: nothing was sent
    /// and trying again cannot help.
    pub fn build(self) -> Result<HttpTransport, TransportError> {
        let client = self.reqwest(reqwest::Client::builder())?;
        // reqwest takes its proxies from these variables when the client is built; without any, the one client
        // already reaches the loopback directly, and no second client is needed (nor paid for).
        let proxied = [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
        ]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()));
        Ok(HttpTransport {
            client,
            direct: proxied.then(|| {
                std::sync::Arc::new(Direct {
                    settings: self,
                    client: std::sync::OnceLock::new(),
                })
            }),
        })
    }

    fn reqwest(
        &self,
        mut client: reqwest::ClientBuilder,
    ) -> Result<reqwest::Client, TransportError> {
        if let Some(timeout) = self.read_timeout {
            client = client.read_timeout(timeout);
        }
        client
            .connect_timeout(self.connect_timeout)
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .http1_only()
            .tcp_nodelay(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(build_failed)
    }
}

impl Default for HttpTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpTransport {
    /// A transport with the default timeouts and pool.
    ///
    /// # Panics
    /// When the TLS backend cannot be initialised (no usable root certificates); use [`HttpTransport::builder`]
    /// to get the error instead.
    pub fn new() -> Self {
        Self::builder()
            .build()
            .expect("the HTTP client builds with default settings")
    }

    /// A builder for timeouts and pool settings.
    pub fn builder() -> HttpTransportBuilder {
        HttpTransportBuilder::default()
    }

    /// A transport over a reqwest client you configured (proxies, certificates...).
    pub fn from_client(client: reqwest::Client) -> Self {
        Self {
            client,
            direct: None,
        }
    }

    /// The client for this URL: the proxy-free one for the loopback.
    fn client_for(&self, url: &reqwest::Url) -> Result<&reqwest::Client, TransportError> {
        let Some(direct) = &self.direct else {
            return Ok(&self.client);
        };
        let loopback = match url.host() {
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        if !loopback {
            return Ok(&self.client);
        }
        if let Some(client) = direct.client.get() {
            return Ok(client);
        }
        let client = direct
            .settings
            .reqwest(reqwest::Client::builder().no_proxy())?;
        Ok(direct.client.get_or_init(|| client))
    }

    async fn round_trip(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
            other => {
                return Err(TransportError::new(
                    TransportErrorKind::Config,
                    format!("the HTTP transport does not send {}", other.as_str()),
                ));
            }
        };
        let url = reqwest::Url::parse(&request.url).map_err(|e| {
            TransportError::new(
                TransportErrorKind::Config,
                format!("the URL is not valid: {e}"),
            )
        })?;
        let mut builder = self.client_for(&url)?.request(method, url);
        for (name, value) in request.headers.iter() {
            builder = builder.header(name, value);
        }
        if !request.body.is_empty() {
            builder = builder.body(request.body);
        }
        let mut response = builder.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        // One packed copy of the headers (two allocations, sized in advance); values that are not text are dropped.
        let map = response.headers();
        let bytes = map.iter().map(|(n, v)| n.as_str().len() + v.len()).sum();
        let mut headers = Headers::with_capacity(map.len(), bytes);
        for (name, value) in map {
            if let Ok(value) = value.to_str() {
                headers.insert(name.as_str(), value);
            }
        }
        let too_large = || {
            TransportError::new(
                TransportErrorKind::Other,
                format!("the response body is larger than {MAX_RESPONSE_BYTES} bytes"),
            )
        };
        if response
            .content_length()
            .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
        {
            return Err(too_large());
        }
        // A body that arrives in one chunk (the usual case) is kept as it is, without a copy.
        let Some(first) = response.chunk().await.map_err(classify)? else {
            return Ok(HttpResponse::new(status, Bytes::new()).with_headers(headers));
        };
        if first.len() > MAX_RESPONSE_BYTES {
            return Err(too_large());
        }
        let Some(second) = response.chunk().await.map_err(classify)? else {
            return Ok(HttpResponse::new(status, first).with_headers(headers));
        };
        let mut body = Vec::with_capacity(first.len() + second.len());
        let mut next = Some(second);
        body.extend_from_slice(&first);
        while let Some(chunk) = next {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
            next = response.chunk().await.map_err(classify)?;
        }
        Ok(HttpResponse::new(status, Bytes::from(body)).with_headers(headers))
    }
}

/// A client that could not be built: a configuration error, never retried.
fn build_failed(source: impl std::error::Error + Send + Sync + 'static) -> TransportError {
    TransportError::new(
        TransportErrorKind::Config,
        "building the HTTP client failed",
    )
    .with_source(source)
}

/// Maps a reqwest error onto the transport error kinds that the retry rules read.
fn classify(error: reqwest::Error) -> TransportError {
    let (kind, what) = if error.is_builder() {
        (
            TransportErrorKind::Config,
            "the request could not be built (check the base URL)",
        )
    } else if error.is_connect() {
        (TransportErrorKind::Connect, "could not connect")
    } else if error.is_timeout() {
        (TransportErrorKind::Timeout, "timed out")
    } else if error.is_request() || error.is_body() || error.is_decode() {
        (
            TransportErrorKind::Io,
            "the connection failed during the exchange",
        )
    } else {
        (TransportErrorKind::Other, "the request failed")
    };
    // reqwest's messages name the URL, never headers or bodies: no secret reaches the error.
    TransportError::new(kind, what).with_source(error)
}

impl Transport for HttpTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(self.round_trip(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_that_cannot_be_built_is_a_configuration_error_never_retried() {
        let e = build_failed(std::io::Error::other("no TLS roots"));
        assert_eq!(e.kind(), TransportErrorKind::Config);
        assert!(!e.is_retryable());
        assert!(e.is_unsent());
    }
}

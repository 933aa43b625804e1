//! [`Received`]: a request as hyper hands it over, its head copied at once into buffers a request answered
//! before on the same thread.

use std::cell::Cell;

use bytes::Bytes;
use hyper::body::Incoming;
use stytch_m2m_core::transport::{Headers, HttpRequest, Method};

thread_local! {
    /// The buffers (URL and headers) of a request this thread answered: the next request received here is copied
    /// into them, so that receiving one allocates nothing once the thread has answered one.
    static SPARE_HEAD: Cell<Option<HttpRequest>> = const { Cell::new(None) };
}

/// A request as hyper hands it over, its head copied out at once. The head shares hyper's read buffer, which
/// hyper reuses for the next request on the connection only once nothing else holds it: kept until the answer,
/// it would cost a fresh buffer (and its cache misses) on every request.
pub(crate) struct Received {
    /// `None`: a method Stytch has no route for.
    pub(crate) method: Option<Method>,
    /// The URL (path and query, as hyper parsed them) and headers, in a spare request's buffers.
    pub(crate) head: HttpRequest,
    /// The length of the path at the start of the URL (hyper's own split, not searched for again).
    pub(crate) path_len: usize,
    pub(crate) body: Incoming,
}

impl Received {
    /// The M2M route it names, if any (for the counters of `/_emulator/metrics`).
    pub(crate) fn route(&self) -> Option<stytch_m2m_mock::Route> {
        match stytch_m2m_mock::wire::route(self.method?, &self.head.url) {
            stytch_m2m_mock::wire::Routed::Found(route, _) => Some(route),
            _ => None,
        }
    }

    pub(crate) fn of(request: hyper::Request<Incoming>) -> Self {
        let (parts, body) = request.into_parts();
        let method = Method::parse(parts.method.as_str());
        let mut head = SPARE_HEAD
            .try_with(Cell::take)
            .ok()
            .flatten()
            .unwrap_or_else(|| HttpRequest::new(Method::Get, String::new()));
        head.method = method.unwrap_or(Method::Get);
        let path_len = match parts.uri.path_and_query() {
            Some(target) => {
                head.url.push_str(target.as_str());
                target.path().len()
            }
            // No path at all (an authority-form target): none of ours.
            None => {
                head.url.push('/');
                0
            }
        };
        copy_headers(&parts.headers, &mut head.headers);
        Self {
            method,
            head,
            path_len,
            body,
        }
    }
}

/// A request's head read where hyper parsed it, nothing copied: how an authenticated `get` is answered
/// ([`stytch_m2m_mock::MockStytch::get_now`]). Its (first) `authorization` header, already found to be the
/// project's Basic credentials, is handed on as the journal keeps it: the credential is neither read again nor
/// passed on.
pub(crate) struct InPlace<'a> {
    pub(crate) url: &'a str,
    pub(crate) headers: &'a hyper::HeaderMap,
}

impl stytch_m2m_mock::RequestHead for InPlace<'_> {
    fn method(&self) -> Method {
        Method::Get
    }

    fn url(&self) -> &str {
        self.url
    }

    fn headers(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        let mut checked = true;
        self.headers.iter().map(move |(name, value)| {
            if checked && name == hyper::header::AUTHORIZATION {
                checked = false;
                return (name.as_str(), Some("Basic [REDACTED]"));
            }
            (name.as_str(), text(value))
        })
    }
}

/// Hands a request's buffers back for the next request this thread receives (emptied: nothing of one request
/// reaches another).
pub(crate) fn recycle(mut head: HttpRequest) {
    head.url.clear();
    head.headers.clear();
    head.body = Bytes::new();
    let _ = SPARE_HEAD.try_with(|spare| spare.set(Some(head)));
}

/// Copies the request's headers (those with UTF-8 values) into `headers`, which is empty.
fn copy_headers(map: &hyper::HeaderMap, headers: &mut Headers) {
    for (name, value) in map {
        if let Some(value) = text(value) {
            headers.insert(name.as_str(), value);
        }
    }
}

/// A header value as text: UTF-8 (hyper's parser has already refused control characters). A short value is
/// checked as visible ASCII a byte at a time (cheaper than starting a UTF-8 check); a long one, such as a
/// credential, as UTF-8, 32 bytes at a time.
fn text(value: &hyper::header::HeaderValue) -> Option<&str> {
    const SHORT: usize = 64;
    match value.len() < SHORT {
        true => value.to_str().ok(),
        false => None,
    }
    .or_else(|| simdutf8::basic::from_utf8(value.as_bytes()).ok())
}

#[cfg(test)]
mod tests {
    use super::copy_headers;
    use stytch_m2m_core::transport::Headers;

    #[test]
    fn headers_are_copied_in_order_with_utf8_values_and_others_skipped() {
        let mut map = hyper::HeaderMap::new();
        map.append("host", "127.0.0.1:4010".parse().unwrap());
        map.append(
            "authorization",
            hyper::header::HeaderValue::from_static("Basic cHJvamVjdDpzZWNyZXQ="),
        );
        map.append(
            "x-name",
            hyper::header::HeaderValue::from_bytes("café".as_bytes()).unwrap(),
        );
        map.append(
            "x-latin1",
            hyper::header::HeaderValue::from_bytes(b"caf\xe9").unwrap(),
        );
        map.append("x-tab", "a\tb".parse().unwrap());
        // Long values take the other check: UTF-8 kept, Latin-1 skipped alike.
        let long_utf8 = format!("{}é", "a".repeat(70));
        map.append(
            "x-long",
            hyper::header::HeaderValue::from_str(&long_utf8).unwrap(),
        );
        let mut long_latin1 = vec![b'a'; 70];
        long_latin1.push(0xe9);
        map.append(
            "x-long-latin1",
            hyper::header::HeaderValue::from_bytes(&long_latin1).unwrap(),
        );
        let mut headers = Headers::new();
        copy_headers(&map, &mut headers);
        assert_eq!(
            headers.iter().collect::<Vec<_>>(),
            [
                ("host", "127.0.0.1:4010"),
                ("authorization", "Basic cHJvamVjdDpzZWNyZXQ="),
                ("x-name", "café"),
                ("x-tab", "a\tb"),
                ("x-long", long_utf8.as_str()),
            ]
        );
    }
}

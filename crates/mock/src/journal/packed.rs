//! A journal entry packed into bytes: the journal keeps its entries one after another in one ring of bytes, so
//! that recording writes a few hundred bytes in a row instead of into the scattered buffers of an entry recorded
//! thousands of requests before (memory long out of every cache).

use bytes::Bytes;
use stytch_m2m_core::transport::{Headers, HttpRequest, Method};

/// Appends a header's name and value.
pub(super) fn push_header(out: &mut Vec<u8>, name: &str, value: &str) {
    push_bytes(out, name.as_bytes());
    push_bytes(out, value.as_bytes());
}

/// Appends a method (its name: the set of methods may grow).
pub(super) fn push_method(out: &mut Vec<u8>, method: Method) {
    push_bytes(out, method.as_str().as_bytes());
}

/// Appends bytes with their length (a URL, a body).
pub(super) fn push_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    push_len(out, bytes.len());
    out.extend_from_slice(bytes);
}

/// Appends a count or length.
pub(super) fn push_len(out: &mut Vec<u8>, len: usize) {
    let len = u32::try_from(len).expect("a journaled request is far smaller than 4 GiB");
    out.extend_from_slice(&len.to_le_bytes());
}

/// Writes a count or length at `at`, where [`push_len`] left room for it.
pub(super) fn set_len(out: &mut [u8], at: usize, len: usize) {
    let len = u32::try_from(len).expect("a journaled request is far smaller than 4 GiB");
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
}

/// The request packed at the start of `bytes` (method, URL, header count, each header's name and value, body,
/// each length-prefixed); `None` for bytes that are not one.
pub(super) fn unpack(bytes: &[u8]) -> Option<HttpRequest> {
    let mut reader = Reader(bytes);
    let method = Method::parse(reader.text()?)?;
    let url = reader.text()?;
    let count = reader.len()?;
    let mut headers = Headers::new();
    for _ in 0..count {
        let name = reader.text()?;
        let value = reader.text()?;
        headers.insert(name, value);
    }
    let body = Bytes::copy_from_slice(reader.bytes()?);
    Some(
        HttpRequest::new(method, url)
            .with_headers(headers)
            .with_body(body),
    )
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (taken, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(taken)
    }

    fn len(&mut self) -> Option<usize> {
        let bytes: [u8; 4] = self.take(4)?.try_into().ok()?;
        usize::try_from(u32::from_le_bytes(bytes)).ok()
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = self.len()?;
        self.take(len)
    }

    fn text(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(out: &mut Vec<u8>, request: &HttpRequest) {
        push_method(out, request.method);
        push_bytes(out, request.url.as_bytes());
        push_len(out, request.headers.len());
        for (name, value) in request.headers.iter() {
            push_header(out, name, value);
        }
        push_bytes(out, &request.body);
    }

    #[test]
    fn a_packed_request_unpacks_to_the_same_request() {
        for request in [
            HttpRequest::new(Method::Get, "/v1/m2m/clients/c1")
                .with_header("host", "127.0.0.1:4010")
                .with_header("authorization", "Basic [REDACTED]"),
            HttpRequest::new(Method::Post, "/v1/m2m/clients?x=é")
                .with_header("content-type", "application/json")
                .with_header("x-empty", "")
                .with_header("X-Repeat", "1")
                .with_header("x-repeat", "2")
                .with_body(r#"{"scopes":["a"]}"#),
            HttpRequest::new(Method::Put, ""),
            HttpRequest::new(Method::Delete, "/v1/m2m/clients/c2"),
        ] {
            let mut out = vec![9, 9];
            pack(&mut out, &request);
            assert_eq!(unpack(&out[2..]), Some(request.clone()));
            // A truncated entry is refused, never misread.
            for end in 2..out.len() {
                assert_eq!(unpack(&out[2..end]), None, "{end}");
            }
        }
        assert_eq!(unpack(&[3, 0, 0, 0, b'G', b'E', b'X']), None);
    }
}

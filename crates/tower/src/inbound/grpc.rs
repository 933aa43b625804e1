//! Refusals in gRPC's terms: a gRPC request (`content-type: application/grpc…`) is refused with a trailers-only
//! response (HTTP 200, `grpc-status` and `grpc-message` in the headers, no body), never an HTTP 401 that a gRPC
//! client could only report as a protocol error.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Response};

use super::Refusal;

/// `UNAUTHENTICATED`: missing, malformed, invalid, expired or foreign credentials.
pub const UNAUTHENTICATED: u16 = 16;
/// `PERMISSION_DENIED`: a valid token without a required scope.
pub const PERMISSION_DENIED: u16 = 7;
/// `UNAVAILABLE`: the signing keys cannot be had (an outage or a misconfigured verifier); worth retrying later.
pub const UNAVAILABLE: u16 = 14;

/// Whether a request is a gRPC call (`application/grpc`, `application/grpc+proto`, …).
pub(crate) fn is_grpc(headers: &HeaderMap) -> bool {
    headers.get(http::header::CONTENT_TYPE).is_some_and(|v| {
        let v = v.as_bytes();
        v.len() >= 16
            && v[..16].eq_ignore_ascii_case(b"application/grpc")
            && matches!(v.get(16), None | Some(b'+' | b';'))
    })
}

impl Refusal {
    /// The gRPC status code of this refusal: 16 `UNAUTHENTICATED` (no, malformed or invalid credentials), 7
    /// `PERMISSION_DENIED` (missing scopes), 14 `UNAVAILABLE` (no signing key can be had). Never `INTERNAL` or
    /// `UNKNOWN`.
    pub fn grpc_status(&self) -> u16 {
        match self {
            Refusal::MissingCredentials | Refusal::InvalidRequest(_) | Refusal::InvalidToken(_) => {
                UNAUTHENTICATED
            }
            Refusal::InsufficientScope { .. } => PERMISSION_DENIED,
            Refusal::KeysUnavailable(_) => UNAVAILABLE,
        }
    }

    /// The `grpc-message`, before percent-encoding: this crate's own words, naming the missing scopes of a 7.
    pub fn grpc_message(&self) -> String {
        match self {
            Refusal::InsufficientScope { required, .. } => {
                format!("the token lacks a required scope: {}", required.join(" "))
            }
            other => other.description(),
        }
    }

    /// The gRPC answer: trailers-only (HTTP 200, `content-type: application/grpc`, `grpc-status`,
    /// `grpc-message` percent-encoded as the gRPC protocol says, no body).
    pub fn grpc_response(&self) -> Response<Bytes> {
        let mut response = Response::new(Bytes::new());
        let headers = response.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/grpc"),
        );
        headers.insert("grpc-status", HeaderValue::from(self.grpc_status()));
        if let Ok(message) = HeaderValue::from_str(&percent_encode(&self.grpc_message())) {
            headers.insert("grpc-message", message);
        }
        response
    }
}

/// gRPC's percent-encoding of `grpc-message`: bytes outside `0x20..=0x7E`, and `%`, as `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if (0x20..=0x7e).contains(&b) && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_requests_are_recognised_by_their_content_type() {
        for (value, grpc) in [
            ("application/grpc", true),
            ("application/grpc+proto", true),
            ("Application/GRPC; charset=utf-8", true),
            ("application/grpc-web", false),
            ("application/json", false),
            ("application/grpcx", false),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static(value));
            assert_eq!(is_grpc(&headers), grpc, "{value}");
        }
        assert!(!is_grpc(&HeaderMap::new()));
    }

    #[test]
    fn messages_are_percent_encoded() {
        assert_eq!(percent_encode("a b%c"), "a b%25c");
        assert_eq!(percent_encode("naïve\n"), "na%C3%AFve%0A");
    }
}

//! Reading `Authorization: Bearer` as RFC 6750 §2.1 and RFC 7235 define it.

use http::HeaderMap;
use http::header::AUTHORIZATION;

/// What the request's `Authorization` header carries.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Credentials<'a> {
    /// No `Authorization` header.
    None,
    /// Credentials of another scheme (`Basic …`): not ours.
    OtherScheme,
    /// A Bearer credential, not yet checked against the token68 syntax: a token the verifier accepts is a JWT,
    /// whose characters are all token68, so the syntax is checked only when it refuses ([`malformed`]).
    Bearer(&'a str),
    /// A Bearer credential that breaks the syntax, or two `Authorization` headers: why.
    Malformed(&'static str),
}

/// Whether `token` is `token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_token68(token: &[u8]) -> bool {
    let body = token.len() - token.iter().rev().take_while(|&&b| b == b'=').count();
    body > 0
        && token[..body].iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// Why a Bearer credential the verifier refused breaks RFC 6750's syntax (400 `invalid_request`), or `None` when
/// it is well-formed (so the token itself is invalid: 401 `invalid_token`).
pub(crate) fn malformed(token: &str) -> Option<&'static str> {
    let bytes = token.as_bytes();
    if bytes.iter().any(|&b| b == b' ' || b == b'\t') {
        Some("the Bearer credential has more than one token")
    } else if !is_token68(bytes) {
        Some("the Bearer credential is not token68")
    } else {
        None
    }
}

/// Reads the credentials of a request: the scheme, and the token after `1*SP`.
pub(crate) fn credentials(headers: &HeaderMap) -> Credentials<'_> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Credentials::None;
    };
    if values.next().is_some() {
        return Credentials::Malformed("more than one Authorization header");
    }
    let bytes = value.as_bytes();
    let trim = |b: &u8| *b == b' ' || *b == b'\t';
    let start = bytes.iter().position(|b| !trim(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !trim(b))
        .map_or(start, |i| i + 1);
    let value = &bytes[start..end];
    let scheme_end = value.iter().position(|&b| b == b' ').unwrap_or(value.len());
    if !value[..scheme_end].eq_ignore_ascii_case(b"bearer") {
        return Credentials::OtherScheme;
    }
    // `credentials = auth-scheme [ 1*SP token68 ]`
    let rest = &value[scheme_end..];
    let token = &rest[rest.iter().take_while(|&&b| b == b' ').count()..];
    if token.is_empty() {
        return Credentials::Malformed("the Bearer credential is empty");
    }
    match std::str::from_utf8(token) {
        Ok(token) => Credentials::Bearer(token),
        Err(_) => Credentials::Malformed("the Bearer credential is not token68"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn read(values: &[&'static str]) -> Credentials<'static> {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(AUTHORIZATION, HeaderValue::from_static(v));
        }
        // Leak for a 'static borrow in a test.
        let headers: &'static HeaderMap = Box::leak(Box::new(headers));
        credentials(headers)
    }

    #[test]
    fn reads_bearer_credentials_as_rfc_6750_says() {
        assert_eq!(read(&[]), Credentials::None);
        assert_eq!(read(&["Basic dXNlcjpwYXNz"]), Credentials::OtherScheme);
        assert_eq!(
            read(&["Bearer abc.DEF-_~+/=="]),
            Credentials::Bearer("abc.DEF-_~+/==")
        );
        assert_eq!(read(&["bearer  abc"]), Credentials::Bearer("abc"));
        assert_eq!(read(&["BEARER abc"]), Credentials::Bearer("abc"));
        for malformed in [
            &["Bearer"][..],
            &["Bearer "],
            &["Bearer a", "Bearer a"],
            &["Bearer a", "Basic b"],
        ] {
            assert!(
                matches!(read(malformed), Credentials::Malformed(_)),
                "{malformed:?}"
            );
        }
        // The token's own syntax is checked once the verifier refused it.
        for token in ["a b", "a\tb", "ab$c", "=", "a=b", "é"] {
            assert!(malformed(token).is_some(), "{token}");
        }
        for token in ["abc.DEF-_~+/==", "eyJ.eyJ.sig"] {
            assert!(malformed(token).is_none(), "{token}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_bytes(b"Bearer \xff").unwrap(),
        );
        assert!(matches!(credentials(&headers), Credentials::Malformed(_)));
    }
}

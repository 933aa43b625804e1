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
    /// A syntactically valid Bearer token (token68).
    Bearer(&'a str),
    /// A Bearer credential that breaks the syntax, or two `Authorization` headers: why.
    Malformed(&'static str),
}

/// `token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`
fn is_token68(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// Reads the credentials of a request.
pub(crate) fn credentials(headers: &HeaderMap) -> Credentials<'_> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Credentials::None;
    };
    if values.next().is_some() {
        return Credentials::Malformed("more than one Authorization header");
    }
    let Ok(value) = value.to_str() else {
        return Credentials::Malformed("the Authorization header is not visible ASCII");
    };
    let value = value.trim_matches([' ', '\t']);
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Credentials::OtherScheme;
    }
    // `credentials = auth-scheme [ 1*SP token68 ]`
    let token = rest.trim_start_matches(' ');
    if token.is_empty() {
        return Credentials::Malformed("the Bearer credential is empty");
    }
    if token.contains([' ', '\t']) {
        return Credentials::Malformed("the Bearer credential has more than one token");
    }
    if !is_token68(token) {
        return Credentials::Malformed("the Bearer credential is not token68");
    }
    Credentials::Bearer(token)
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
            &["Bearer a b"],
            &["Bearer a\tb"],
            &["Bearer ab$c"],
            &["Bearer ="],
            &["Bearer a=b"],
            &["Bearer a", "Bearer a"],
            &["Bearer a", "Basic b"],
        ] {
            assert!(
                matches!(read(malformed), Credentials::Malformed(_)),
                "{malformed:?}"
            );
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_bytes(b"Bearer \xff").unwrap(),
        );
        assert!(matches!(credentials(&headers), Credentials::Malformed(_)));
    }
}

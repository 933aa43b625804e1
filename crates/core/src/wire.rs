//! Wire helpers every part of the crate shares (the client, its operations, the verifier): the user agent, path
//! encoding, `Retry-After`, and the base-URL guard. A leaf: it depends on no other module of the crate but the
//! error types.

use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::ConfigError;
use crate::transport::HttpResponse;

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

/// The server's `Retry-After`, if it sent one: a number of seconds, or an HTTP date (RFC 9110 §10.2.3; a date
/// in the past means now).
pub(crate) fn retry_after(response: &HttpResponse) -> Option<Duration> {
    parse_retry_after(
        response.headers.get("retry-after")?,
        std::time::SystemTime::now(),
    )
}

fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Refuses a base URL that would send the project's Basic credentials (or fetch the JWKS that decides which
/// tokens are trusted) where they should not go. Decided on the URL as parsed (WHATWG, as reqwest parses it),
/// never on its text:
/// - it must parse, with the scheme `https` or `http` (in any case);
/// - it must carry no userinfo (`user:pass@`): the text before `@` is not the host, and credentials in a base URL
///   are never wanted;
/// - plain `http` only to a loopback host (`localhost`, `127.0.0.0/8`, `::1`), unless `allow_insecure_http`.
pub(crate) fn check_base_url(base_url: &str, allow_insecure_http: bool) -> Result<(), ConfigError> {
    let refuse = |rule: &'static str| ConfigError::new("base_url", rule);
    let url = url::Url::parse(base_url).map_err(|_| refuse("must be an absolute URL"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("must not contain userinfo (`user:password@`)"));
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(name)) => name == "localhost",
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if loopback || allow_insecure_http {
                Ok(())
            } else {
                Err(refuse(
                    "must be https; plain http only to a loopback host, or with allow_insecure_http",
                ))
            }
        }
        _ => Err(refuse("must be an https (or loopback http) URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn retry_after_in_seconds_or_as_an_http_date() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000); // 2027-01-15T08:00:00Z
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Fri, 15 Jan 2027 08:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Fri, 15 Jan 2027 07:59:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past: now"
        );
        for bad in ["", "soon", "-5", "1.5", "Fri, 99 Jan 2027 08:00:30 GMT"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn decided_on_the_parsed_url() {
        for ok in [
            "https://api.example.com",
            "HTTPS://api.example.com/",
            "http://127.0.0.1:4010",
            "http://127.9.9.9",
            "http://localhost:4010/",
            "http://LOCALHOST",
            "HTTP://localhost:4010",
            "http://[::1]:4010",
            "http://[0:0:0:0:0:0:0:1]",
        ] {
            assert_eq!(check_base_url(ok, false), Ok(()), "{ok}");
        }
        for (refused, rule) in [
            ("HTTP://api.example.com", "https"),
            ("Http://api.example.com", "https"),
            ("http://example.com", "https"),
            ("http://10.0.0.1:4010", "https"),
            ("http://emulator:4010", "https"),
            ("http://127.0.0.1.evil.com", "https"),
            ("http://localhost.evil.com", "https"),
            ("http://127.0.0.1:1@api.example.com/", "userinfo"),
            ("http://[::1]@api.example.com/", "userinfo"),
            ("https://user:pw@api.example.com", "userinfo"),
            ("http://localhost@127.0.0.1", "userinfo"),
            ("ftp://127.0.0.1", "https"),
            ("api.example.com", "absolute"),
            ("", "absolute"),
        ] {
            let e = check_base_url(refused, false).unwrap_err();
            assert_eq!(e.setting, "base_url");
            assert!(e.to_string().contains(rule), "{refused}: {e}");
        }
        // The opt-in allows plain http to any host, never userinfo.
        assert_eq!(check_base_url("http://emulator:4010", true), Ok(()));
        assert_eq!(check_base_url("HTTP://api.example.com", true), Ok(()));
        assert!(check_base_url("http://a:b@emulator:4010", true).is_err());
    }
}

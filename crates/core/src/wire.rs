//! Wire helpers every part of the client shares, depending on nothing else of the crate: the base-URL guard.

use crate::error::ConfigError;

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

//! Redaction: what the journal keeps of credentials (a registered `Authorization` scheme) and secrets in bodies
//! (nothing).

use std::borrow::Cow;

use bytes::Bytes;
use serde_json::Value;

const REDACTED: &str = "[REDACTED]";

/// An `Authorization` value as the journal keeps it: the credentials replaced by `[REDACTED]`, a registered
/// scheme kept. Anything else is replaced whole: the first word of a value with no known scheme may itself be the
/// credential (`Authorization: s3cret more`).
pub(super) fn redacted_authorization(value: &str) -> Cow<'static, str> {
    /// Schemes of the IANA HTTP Authentication Scheme Registry (and DPoP, RFC 9449).
    const SCHEMES: &[&str] = &[
        "Basic",
        "Bearer",
        "Digest",
        "DPoP",
        "HOBA",
        "Mutual",
        "Negotiate",
        "OAuth",
        "SCRAM-SHA-1",
        "SCRAM-SHA-256",
        "vapid",
    ];
    let Some(end) = value.as_bytes().iter().position(|&b| b == b' ') else {
        return Cow::Borrowed(REDACTED);
    };
    let scheme = &value[..end];
    match scheme {
        "Basic" => Cow::Borrowed("Basic [REDACTED]"),
        "Bearer" => Cow::Borrowed("Bearer [REDACTED]"),
        _ if SCHEMES
            .iter()
            .any(|known| known.eq_ignore_ascii_case(scheme)) =>
        {
            Cow::Owned(format!("{scheme} {REDACTED}"))
        }
        _ => Cow::Borrowed(REDACTED),
    }
}

/// The body as the journal keeps it: any `client_secret` replaced by `[REDACTED]`.
pub(super) fn redacted_body(body: &Bytes) -> Bytes {
    if !contains(body, b"secret") {
        return body.clone();
    }
    if let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(body) {
        for (key, value) in object.iter_mut() {
            if key.contains("secret") {
                *value = Value::String(REDACTED.into());
            }
        }
        return Bytes::from(serde_json::to_vec(&object).unwrap_or_default());
    }
    if let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) {
        let pairs: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(k, v)| {
                let v = if k.contains("secret") {
                    REDACTED.into()
                } else {
                    v
                };
                (k, v)
            })
            .collect();
        return Bytes::from(serde_urlencoded::to_string(pairs).unwrap_or_default());
    }
    // Neither JSON nor a form, yet it mentions a secret: keep nothing of it.
    Bytes::from_static(b"[REDACTED: unreadable body]")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

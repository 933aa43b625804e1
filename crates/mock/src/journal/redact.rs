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

/// Which headers carry credentials: `Authorization` and `Proxy-Authorization` (a registered scheme kept),
/// `Cookie` (replaced whole). Decided on the name's length first: one compare for almost every header.
pub(super) fn redacted_header(name: &str, value: &str) -> Option<Cow<'static, str>> {
    match name.len() {
        13 if name.eq_ignore_ascii_case("authorization") => Some(redacted_authorization(value)),
        19 if name.eq_ignore_ascii_case("proxy-authorization") => {
            Some(redacted_authorization(value))
        }
        6 if name.eq_ignore_ascii_case("cookie") => Some(Cow::Borrowed(REDACTED)),
        _ => None,
    }
}

/// What the journal keeps of a body it cannot read (neither a JSON document nor a form of `name=value` pairs):
/// it may hold a secret in any spelling, so nothing of it is kept.
pub(super) const UNREADABLE: &[u8] = b"[REDACTED: unreadable body]";

/// The body as the journal keeps it: the value of every member or form field whose name (as parsed, whatever its
/// spelling: `client_\u0073ecret`, `client_%73ecret`) holds `secret` replaced by `[REDACTED]`, at any depth;
/// a body kept byte for byte when nothing is redacted; [`UNREADABLE`] for a body that is neither JSON nor a form.
pub(super) fn redacted_body(body: &Bytes) -> Bytes {
    if let Ok(mut value) = serde_json::from_slice::<Value>(body) {
        if !redact_json(&mut value) {
            return body.clone();
        }
        return Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
    }
    if is_form(body)
        && let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
    {
        if !pairs.iter().any(|(k, _)| k.contains("secret")) {
            return body.clone();
        }
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
    Bytes::from_static(UNREADABLE)
}

/// Redacts secrets in a JSON document; whether anything was.
fn redact_json(value: &mut Value) -> bool {
    match value {
        Value::Object(object) => {
            let mut any = false;
            for (key, value) in object.iter_mut() {
                if key.contains("secret") {
                    *value = Value::String(REDACTED.into());
                    any = true;
                } else {
                    any |= redact_json(value);
                }
            }
            any
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |any, item| redact_json(item) | any),
        _ => false,
    }
}

/// A form as a client sends one: `name=value` pairs joined by `&`, each with its `=`, in the bytes a form
/// encoder writes (no space, quote or brace: a malformed JSON body is no form).
fn is_form(body: &[u8]) -> bool {
    body.split(|&b| b == b'&')
        .all(|pair| pair.contains(&b'=') && !pair.starts_with(b"="))
        && body.iter().all(|&b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'=' | b'&' | b'%' | b'+' | b'-' | b'_' | b'.' | b'*' | b'~' | b':'
                )
        })
}

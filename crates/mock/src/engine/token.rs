//! Minting access tokens: RS256 JWTs with the header and claims of Stytch's (wire-token-and-jwt.md section 3).

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::keys::SigningKey;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// How long a token lives, in seconds (Stytch: one hour).
pub const TOKEN_LIFETIME_SECS: u64 = 3600;

/// The claims of one token.
pub(crate) struct Claims<'a> {
    pub project_id: &'a str,
    /// The `iss`: `stytch.com/{project_id}` or a custom domain's.
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub scopes: &'a [String],
    pub issued_at: u64,
    pub custom: &'a Map<String, Value>,
    /// A custom audience (from the JWT template) instead of the project id.
    pub audience: Option<&'a str>,
}

/// Signs a token: header `{alg: RS256, kid, typ: JWT}`; claims `sub`, `iss` (`stytch.com/{project_id}` unless custom),
/// `aud = [project_id]`, `scope` (space-joined), `iat`, `nbf = iat`, `exp = iat + 3600`, then the custom claims
/// (which never override the registered ones).
pub(crate) fn mint(key: &SigningKey, claims: &Claims<'_>, reuse: &Reuse) -> String {
    let header = json!({"alg": "RS256", "kid": key.kid, "typ": "JWT"});
    let mut payload = claims.custom.clone();
    let registered = json!({
        "sub": claims.client_id,
        "iss": claims.issuer,
        "aud": [claims.audience.unwrap_or(claims.project_id)],
        "scope": claims.scopes.join(" "),
        "iat": claims.issued_at,
        "nbf": claims.issued_at,
        "exp": claims.issued_at + TOKEN_LIFETIME_SECS,
    });
    if let Value::Object(registered) = registered {
        payload.extend(registered);
    }
    let signing_input = format!(
        "{}.{}",
        B64.encode(serde_json::to_vec(&header).expect("JSON")),
        B64.encode(serde_json::to_vec(&Value::Object(payload)).expect("JSON"))
    );
    reuse.get_or_sign(claims.issued_at, signing_input, |input| {
        B64.encode(key.sign(input.as_bytes()))
    })
}

/// RSA PKCS#1 v1.5 signatures are deterministic and the claims have one-second resolution, so the same header and
/// claims within one second make a byte-identical token: its signature is reused instead of computed again (an
/// RSA signature costs about a millisecond). Only the current second's signatures are kept, at most
/// [`Reuse::MAX`] of them.
#[derive(Debug, Default)]
pub(crate) struct Reuse {
    signatures: std::sync::Mutex<(u64, std::collections::HashMap<String, String>)>,
}

impl Reuse {
    const MAX: usize = 4096;

    fn get_or_sign(
        &self,
        second: u64,
        signing_input: String,
        sign: impl FnOnce(&str) -> String,
    ) -> String {
        let mut guard = self.signatures.lock().unwrap_or_else(|e| e.into_inner());
        let (current, signatures) = &mut *guard;
        if *current != second || signatures.len() >= Self::MAX {
            *current = second;
            signatures.clear();
        }
        if let Some(signature) = signatures.get(&signing_input) {
            return format!("{signing_input}.{signature}");
        }
        let signature = sign(&signing_input);
        let token = format!("{signing_input}.{signature}");
        signatures.insert(signing_input, signature);
        token
    }
}

/// Signs `header.claims` as a compact JWS with `key` (the header is taken as given).
pub(crate) fn sign(key: &SigningKey, header: &Value, claims: &Value) -> String {
    sign_bytes(
        key,
        &serde_json::to_vec(header).expect("JSON"),
        &serde_json::to_vec(claims).expect("JSON"),
    )
}

/// Signs any bytes as header and payload (for tests of what a verifier does with them).
pub(crate) fn sign_bytes(key: &SigningKey, header: &[u8], claims: &[u8]) -> String {
    let signing_input = format!("{}.{}", B64.encode(header), B64.encode(claims));
    let signature = key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", B64.encode(signature))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_token_signed_this_second_is_reused_and_only_this_second() {
        let reuse = Reuse::default();
        let signed = Cell::new(0);
        let sign = |input: &str| {
            signed.set(signed.get() + 1);
            format!("sig-of-{}", input.len())
        };
        let a = reuse.get_or_sign(100, "h.p1".into(), sign);
        let b = reuse.get_or_sign(100, "h.p1".into(), sign);
        assert_eq!(a, b);
        assert_eq!(signed.get(), 1, "the second one reused the signature");
        reuse.get_or_sign(100, "h.p2".into(), sign);
        assert_eq!(signed.get(), 2, "other claims are signed");
        reuse.get_or_sign(101, "h.p1".into(), sign);
        assert_eq!(signed.get(), 3, "a new second starts afresh");
        for i in 0..10_000 {
            reuse.get_or_sign(101, format!("h.{i}"), sign);
        }
        assert!(reuse.signatures.lock().unwrap().1.len() <= Reuse::MAX);
    }
}

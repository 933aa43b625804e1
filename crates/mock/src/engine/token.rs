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
    pub client_id: &'a str,
    pub scopes: &'a [String],
    pub issued_at: u64,
    pub custom: &'a Map<String, Value>,
}

/// Signs a token: header `{alg: RS256, kid, typ: JWT}`; claims `sub`, `iss = stytch.com/{project_id}`,
/// `aud = [project_id]`, `scope` (space-joined), `iat`, `nbf = iat`, `exp = iat + 3600`, then the custom claims
/// (which never override the registered ones).
pub(crate) fn mint(key: &SigningKey, claims: &Claims<'_>) -> String {
    let header = json!({"alg": "RS256", "kid": key.kid, "typ": "JWT"});
    let mut payload = claims.custom.clone();
    let registered = json!({
        "sub": claims.client_id,
        "iss": format!("stytch.com/{}", claims.project_id),
        "aud": [claims.project_id],
        "scope": claims.scopes.join(" "),
        "iat": claims.issued_at,
        "nbf": claims.issued_at,
        "exp": claims.issued_at + TOKEN_LIFETIME_SECS,
    });
    if let Value::Object(registered) = registered {
        payload.extend(registered);
    }
    sign(key, &header, &Value::Object(payload))
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

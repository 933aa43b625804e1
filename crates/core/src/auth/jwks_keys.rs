//! Reading a JWKS: one GET through the transport, and the keys in it that may verify RS256 signatures, each
//! parsed once.

use std::collections::HashMap;
use std::sync::Arc;

use aws_lc_rs::rsa::PublicKeyComponents;
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use base64::Engine as _;
use stytch_m2m_models::JwksResponse;

use foldhash::fast::RandomState;

use super::error::JwksUnavailable;
use crate::transport::{Headers, HttpRequest, HttpResponse, Method, Transport};

/// Keys by `kid`, each parsed once.
pub(crate) type KeyMap = HashMap<Box<str>, Arc<ParsedPublicKey>, RandomState>;

/// One GET of the JWKS: the usable keys and their freshness.
pub(crate) async fn fetch(
    transport: &dyn Transport,
    url: String,
) -> Result<(KeyMap, Option<String>), JwksUnavailable> {
    let mut headers = Headers::new();
    headers.insert("user-agent", crate::wire::USER_AGENT);
    headers.insert("accept", "application/json");
    let request_url = url.clone();
    let request = HttpRequest {
        method: Method::Get,
        url,
        headers,
        body: bytes::Bytes::new(),
    };
    let response: HttpResponse = transport
        .send(request)
        .await
        .map_err(|e| JwksUnavailable::new("the request failed").with_source(e))?;
    if (400..500).contains(&response.status) && !matches!(response.status, 408 | 429) {
        let status = response.status;
        let e = JwksUnavailable::refused(&request_url, status);
        return Err(match crate::decode::decode::<JwksResponse>(response) {
            Err(source) => e.with_source(source),
            Ok(_) => e,
        });
    }
    let cache_control = response.headers.get("cache-control").map(str::to_owned);
    let jwks: JwksResponse = crate::decode::decode(response)
        .map_err(|e| JwksUnavailable::new("the response is an error").with_source(e))?;
    Ok((usable_keys(&jwks), cache_control))
}

/// The keys that may verify RS256 signatures: `kty` RSA, `alg` RS256 or absent, `use` absent or `sig`,
/// `key_ops` absent or containing `verify`, and a valid RSA public key; each parsed once.
pub(crate) fn usable_keys(jwks: &JwksResponse) -> KeyMap {
    jwks.keys
        .iter()
        .filter(|k| k.kty == "RSA" && (k.alg == "RS256" || k.alg.is_empty()))
        .filter(|k| k.use_.as_deref().is_none_or(|u| u == "sig"))
        .filter(|k| k.key_ops.is_empty() || k.key_ops.iter().any(|op| op == "verify"))
        .filter_map(|k| Some((k.kid.as_str().into(), Arc::new(parse_key(&k.n, &k.e)?))))
        .collect()
}

/// Parses a JWKS document the user gives (JSON text: `{"keys": [...]}`).
pub(crate) fn parse_jwks(json: &str) -> Result<KeyMap, serde_json::Error> {
    serde_json::from_str::<JwksResponse>(json).map(|jwks| usable_keys(&jwks))
}

/// Parses an RSA public key from its JWK `n` and `e` (base64url), once per kid.
fn parse_key(n: &str, e: &str) -> Option<ParsedPublicKey> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let components = PublicKeyComponents {
        n: b64.decode(n).ok()?,
        e: b64.decode(e).ok()?,
    };
    components
        .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
        .ok()
}

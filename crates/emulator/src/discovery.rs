//! Discovery documents, so that generic JWT middleware configured by discovery can point at the emulator:
//! `/.well-known/openid-configuration`, `/.well-known/oauth-authorization-server`,
//! `/v1/public/{project_id}/.well-known/openid-configuration` and `/.well-known/jwks.json`.

use serde_json::{Value, json};
use stytch_m2m_core::transport::HttpRequest;
use stytch_m2m_mock::Engine;

/// The document for `path`, if it is a discovery path of this project.
///
/// The root documents are served only when the issuer is an `http(s)` URL (`--issuer`, as behind a custom
/// domain): a standard client (RFC 8414 §3.3, OpenID Connect Discovery §4.3) requires the document's `issuer`
/// to be the URL it derived the document's address from, and `stytch.com/{project_id}` is no URL. Real Stytch
/// serves root documents only on a project domain, whose issuer is `https://{domain}`. The per-project document
/// keeps Stytch's shape, whatever the issuer.
pub(crate) fn document(engine: &Engine, request: &HttpRequest, path: &str) -> Option<Value> {
    match path {
        "/.well-known/jwks.json" => Some(json!({ "keys": engine.jwks() })),
        "/.well-known/openid-configuration" | "/.well-known/oauth-authorization-server" => {
            issuer_is_url(engine.issuer()).then(|| metadata(engine, request))
        }
        _ if is_public_configuration(path, engine.project_id()) => Some(metadata(engine, request)),
        _ => None,
    }
}

/// Whether `path` is `/v1/public/{project_id}/.well-known/openid-configuration` (compared in place: every `GET`
/// asks).
fn is_public_configuration(path: &str, project_id: &str) -> bool {
    path.strip_prefix("/v1/public/")
        .and_then(|rest| rest.strip_prefix(project_id))
        .is_some_and(|rest| rest == "/.well-known/openid-configuration")
}

/// The server metadata (RFC 8414; the fields OpenID Connect Discovery requires too). The issuer is the one the
/// tokens carry (`stytch.com/{project_id}`, or `--issuer`'s), so that middleware checking `iss` against it
/// accepts them.
fn metadata(engine: &Engine, request: &HttpRequest) -> Value {
    let base = match request.headers.get("host") {
        Some(host) if !host.is_empty() => format!("http://{host}"),
        _ => "http://127.0.0.1".to_owned(),
    };
    let project_id = engine.project_id();
    json!({
        "issuer": engine.issuer(),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        // OpenID Connect Discovery requires an authorization endpoint; this M2M-only server has none to serve
        // (the address answers 404): clients use the token endpoint's client_credentials grant.
        "authorization_endpoint": format!("{base}/v1/public/{project_id}/oauth2/authorize"),
        "token_endpoint": format!("{base}/v1/public/{project_id}/oauth2/token"),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
    })
}

/// Whether an issuer is a URL a standard client can fetch discovery from: `http` or `https`, a host, no query or
/// fragment.
fn issuer_is_url(issuer: &str) -> bool {
    let rest = issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        !rest.is_empty() && !rest.starts_with('/') && !rest.contains(['?', '#'])
    })
}

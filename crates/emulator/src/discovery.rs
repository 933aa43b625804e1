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
///
/// The `authorization_endpoint` the documents name answers every request with an OAuth error (RFC 6749 §4.1.2.1:
/// no redirection without a registered client): this server grants `client_credentials` only, at the token
/// endpoint. A client that requires the member finds it, and a person who follows it reads why.
pub(crate) fn document(engine: &Engine, request: &HttpRequest, path: &str) -> Option<(u16, Value)> {
    if is_public_path(path, engine.project_id(), "/oauth2/authorize") {
        return Some((
            400,
            json!({
                "error": "unsupported_response_type",
                "error_description": "This server issues machine-to-machine tokens only: use the client_credentials \
                    grant at the token endpoint named by the discovery document.",
            }),
        ));
    }
    if request.method != stytch_m2m_core::transport::Method::Get {
        return None;
    }
    match path {
        "/.well-known/jwks.json" => Some((200, json!({ "keys": engine.jwks() }))),
        "/.well-known/openid-configuration" | "/.well-known/oauth-authorization-server" => {
            issuer_is_url(engine.issuer()).then(|| (200, metadata(engine, request)))
        }
        _ if is_public_path(
            path,
            engine.project_id(),
            "/.well-known/openid-configuration",
        ) =>
        {
            Some((200, metadata(engine, request)))
        }
        _ => None,
    }
}

/// Whether `path` is `/v1/public/{project_id}{tail}` (compared in place: every `GET` asks).
fn is_public_path(path: &str, project_id: &str, tail: &str) -> bool {
    path.strip_prefix("/v1/public/")
        .and_then(|rest| rest.strip_prefix(project_id))
        .is_some_and(|rest| rest == tail)
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
        // OpenID Connect Discovery requires an authorization endpoint (and the official MCP Python SDK discards
        // metadata without one): it answers an OAuth error, since clients use the client_credentials grant.
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

//! What a standard MCP client does with client credentials, from the server's URL alone: a 401 names the
//! resource's metadata (RFC 9728), which names the authorization server, whose RFC 8414 document names the token
//! endpoint; the token comes from the SDK's `TokenProvider` (no project secret), then `tools/call`.

#![allow(dead_code)]

use rmcp::ServiceExt as _;
use rmcp::model::{CallToolRequestParams, ContentBlock};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use stytch_m2m::HttpTransport;
use stytch_m2m::auth::TokenProvider;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The steps, each as it happened.
#[derive(Debug)]
pub struct Walk {
    pub resource_metadata: String,
    pub authorization_server: String,
    pub token_endpoint: String,
    /// The text of `whoami`'s result.
    pub whoami: String,
}

/// `resource_metadata="…"` of a `WWW-Authenticate: Bearer` challenge.
fn resource_metadata(challenge: &str) -> Option<String> {
    let start = challenge.find("resource_metadata=\"")? + "resource_metadata=\"".len();
    let end = challenge[start..].find('"')? + start;
    Some(challenge[start..end].to_owned())
}

/// RFC 8414 §3.1: the metadata URL of an issuer (the well-known segment goes between host and path).
fn authorization_server_metadata(issuer: &str) -> String {
    let (scheme, rest) = issuer.split_once("://").unwrap_or(("https", issuer));
    let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        format!("{scheme}://{host}/.well-known/oauth-authorization-server")
    } else {
        format!("{scheme}://{host}/.well-known/oauth-authorization-server/{path}")
    }
}

/// Walks from `mcp_url` to a `whoami` call with these client credentials.
pub async fn walk(mcp_url: &str, client_id: &str, client_secret: &str) -> Result<Walk, BoxError> {
    let http = reqwest::Client::new();
    // 1. Unauthenticated: 401, naming the metadata.
    let refused = http.post(mcp_url).body("{}").send().await?;
    if refused.status() != reqwest::StatusCode::UNAUTHORIZED {
        return Err(format!("expected 401 from {mcp_url}, got {}", refused.status()).into());
    }
    let challenge = refused
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let resource_metadata =
        resource_metadata(challenge).ok_or("the 401 names no resource_metadata")?;
    // 2. The protected resource's metadata: the authorization server.
    let document: serde_json::Value =
        serde_json::from_slice(&http.get(&resource_metadata).send().await?.bytes().await?)?;
    let authorization_server = document["authorization_servers"][0]
        .as_str()
        .ok_or("the metadata names no authorization server")?
        .to_owned();
    // 3. The authorization server's RFC 8414 document: its token endpoint, checked to be the issuer's.
    let server: serde_json::Value = serde_json::from_slice(
        &http
            .get(authorization_server_metadata(&authorization_server))
            .send()
            .await?
            .bytes()
            .await?,
    )?;
    if server["issuer"] != authorization_server.as_str() {
        return Err(format!(
            "the document's issuer is {}, not {authorization_server}",
            server["issuer"]
        )
        .into());
    }
    let grants = server["grant_types_supported"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !grants.iter().any(|g| g == "client_credentials") {
        return Err("the authorization server does not list client_credentials".into());
    }
    let token_endpoint = server["token_endpoint"]
        .as_str()
        .ok_or("no token_endpoint")?
        .to_owned();
    // 4. A token from the SDK's provider: Stytch's token endpoint is {base}/v1/public/{project_id}/oauth2/token.
    let (base, project_id) = token_endpoint
        .strip_suffix("/oauth2/token")
        .and_then(|prefix| prefix.rsplit_once("/v1/public/"))
        .ok_or("the token endpoint is not a Stytch project's")?;
    let provider = TokenProvider::builder(project_id, client_id, client_secret)
        .transport(HttpTransport::new())
        .base_url(base)
        .build()?;
    let token = provider.token(["mcp:tools"]).await?;
    // 5. The MCP session, with the token, and the tool call.
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(mcp_url).auth_header(token.expose_secret()),
    );
    let client = ().serve(transport).await?;
    let result = client
        .call_tool(CallToolRequestParams::new("whoami"))
        .await?;
    let whoami = result
        .content
        .iter()
        .find_map(|block| match block {
            ContentBlock::Text(text) => Some(text.text.clone()),
            _ => None,
        })
        .ok_or("whoami answered no text")?;
    client.cancel().await?;
    Ok(Walk {
        resource_metadata,
        authorization_server,
        token_endpoint,
        whoami,
    })
}

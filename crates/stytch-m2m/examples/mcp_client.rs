//! An MCP client (rmcp) with client credentials, going from the server's URL alone to a tool call: 401 →
//! protected-resource metadata (RFC 9728) → the authorization server's RFC 8414 document → a token from the SDK's
//! `TokenProvider` (no project secret) → `tools/call whoami`.
//!
//! Against `mcp_server` and the emulator started with `--issuer` equal to its own base URL:
//!
//! ```sh
//! stytch-m2m-emulator --port 4010 --issuer http://127.0.0.1:4010 &
//! # create a client with scope mcp:tools (stytch-m2m clients create --scope mcp:tools), then:
//! PORT=8000 STYTCH_PROJECT_ID=… STYTCH_BASE_URL=http://127.0.0.1:4010 STYTCH_ISSUER=http://127.0.0.1:4010 \
//!   cargo run --example mcp_server &
//! MCP_URL=http://127.0.0.1:8000/mcp M2M_CLIENT_ID=… M2M_CLIENT_SECRET=… cargo run --example mcp_client
//! ```

#[path = "common/mcp_walk.rs"]
mod mcp_walk;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let url = std::env::var("MCP_URL").unwrap_or_else(|_| "http://127.0.0.1:8000/mcp".into());
    let walk = mcp_walk::walk(
        &url,
        &std::env::var("M2M_CLIENT_ID")?,
        &std::env::var("M2M_CLIENT_SECRET")?,
    )
    .await?;
    println!("1. {url} answered 401, naming {}", walk.resource_metadata);
    println!(
        "2. whose authorization server is {}",
        walk.authorization_server
    );
    println!("3. whose token endpoint is {}", walk.token_endpoint);
    println!("4. whoami: {}", walk.whoami);
    Ok(())
}

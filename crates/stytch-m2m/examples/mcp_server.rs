//! An MCP server (rmcp, Streamable HTTP on axum) that accepts Stytch M2M access tokens, holding no project secret,
//! and tells clients where to get them (RFC 9728).
//!
//! `cargo run --example mcp_server` binds `127.0.0.1:$PORT` (default 8000; 0 picks a free port) and prints
//! `Listening on http://127.0.0.1:PORT`:
//! - MCP at `/mcp`, requiring the scope `mcp:tools`; one tool, `whoami`, answers `{"client_id": …, "scopes": […]}`
//!   of the caller;
//! - `/.well-known/oauth-protected-resource/mcp`: `resource` is `http://127.0.0.1:PORT/mcp`, `authorization_servers`
//!   is `STYTCH_ISSUER` exactly as given, `scopes_supported` has `mcp:tools`; every 401 names it.
//!
//! `STYTCH_PROJECT_ID`, `STYTCH_BASE_URL` (the emulator's, say) and `STYTCH_ISSUER` (the authorization server's
//! issuer URL: start the emulator with `--issuer` equal to its own base URL) configure it. Without
//! `STYTCH_PROJECT_ID`, the embedded mock plays Stytch and a demo token is printed (its issuer is no URL: use the
//! emulator to try the whole walk with `mcp_client`).

#[path = "common/env.rs"]
mod env;
#[path = "common/whoami.rs"]
mod whoami;

use stytch_m2m::mock::MockStytch;
use stytch_m2m::models::CreateRequest;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", env::port(8000))).await?;
    let base = format!("http://{}", listener.local_addr()?);

    let (verifier, issuer) = match env::verifier()? {
        Some(configured) => configured,
        None => {
            let mock = MockStytch::new();
            let demo = mock
                .seed_client(CreateRequest::new([whoami::SCOPE]).client_name("demo"))
                .expect("the demo client is valid");
            let token = mock
                .token_provider(&demo.client_id, demo.client_secret)
                .token([whoami::SCOPE])
                .await?;
            println!(
                "No STYTCH_PROJECT_ID: the embedded mock plays Stytch (project {}).",
                mock.project_id()
            );
            println!("A demo token for {} (valid one hour):\n", demo.client_id);
            println!("  TOKEN={}\n", token.expose_secret());
            println!("  curl -i -X POST {base}/mcp   # 401, naming the metadata");
            println!("  curl {base}/.well-known/oauth-protected-resource/mcp\n");
            let issuer = format!("stytch.com/{}", mock.project_id());
            (mock.verifier(), issuer)
        }
    };

    println!("Listening on {base}");
    axum::serve(listener, whoami::router(verifier, &base, &issuer)).await?;
    Ok(())
}

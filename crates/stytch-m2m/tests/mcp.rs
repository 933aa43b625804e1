//! An MCP server protected by M2M tokens, walked as a standard MCP client does, with a real rmcp client over real
//! sockets: from the server's URL alone, through RFC 9728 and the emulator's RFC 8414 document, to `tools/call`.

#[path = "../examples/common/mcp_walk.rs"]
mod mcp_walk;
#[path = "../examples/common/whoami.rs"]
mod whoami;

use stytch_m2m::mock::MockStytch;
use stytch_m2m::models::CreateRequest;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standard_client_goes_from_the_url_to_a_tool_call() {
    // The emulator, its issuer its own URL (as behind a project domain).
    let emulator_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", emulator_listener.local_addr().unwrap());
    let project = MockStytch::builder().issuer(issuer.clone()).build();
    tokio::spawn(
        stytch_m2m_emulator::Emulator::new(project.clone())
            .serve(emulator_listener, std::future::pending()),
    );
    let agent = project
        .seed_client(CreateRequest::new([whoami::SCOPE]).client_name("agent"))
        .unwrap();
    // The MCP server: it checks tokens against the emulator, holding no project secret.
    let verifier = stytch_m2m::auth::TokenVerifier::builder(project.project_id())
        .transport(stytch_m2m::HttpTransport::new())
        .base_url(&issuer)
        .issuer(&issuer)
        .build()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, whoami::router(verifier, &base, &issuer)).into_future());

    let walk = mcp_walk::walk(
        &format!("{base}/mcp"),
        &agent.client_id,
        agent.client_secret.expose_secret(),
    )
    .await
    .unwrap();
    assert_eq!(
        walk.resource_metadata,
        format!("{base}/.well-known/oauth-protected-resource/mcp")
    );
    assert_eq!(walk.authorization_server, issuer);
    assert_eq!(
        walk.token_endpoint,
        format!("{issuer}/v1/public/{}/oauth2/token", project.project_id())
    );
    let who: serde_json::Value = serde_json::from_str(&walk.whoami).unwrap();
    assert_eq!(
        who,
        serde_json::json!({"client_id": agent.client_id, "scopes": [whoami::SCOPE]})
    );
}

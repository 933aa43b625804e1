//! RFC 9728 over real HTTP: the layer serves the protected-resource metadata document without a token, and every
//! challenge names it (`resource_metadata`), next to RFC 6750's `insufficient_scope` on a 403.

use axum::Router;
use axum::routing::post;
use reqwest::StatusCode;
use serde_json::{Value, json};
use stytch_m2m_core::auth::AuthenticateOptions;
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_mock::MockStytch;
use stytch_m2m_tower::{ProtectedResource, RequireM2m};

struct Served {
    base: String,
    mock: MockStytch,
}

async fn serve() -> Served {
    let mock = MockStytch::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let resource = ProtectedResource::new(format!("{base}/mcp"))
        .unwrap()
        .authorization_server("https://login.example.com")
        .scopes_supported(["mcp:tools"]);
    let layer = RequireM2m::new(mock.verifier())
        .options(AuthenticateOptions::new().required_scopes(["mcp:tools"]))
        .protected_resource(resource);
    // The layer wraps the whole router: it sees the well-known path too, and answers it itself.
    let router = Router::new()
        .route("/mcp", post(|| async { "tools" }))
        .layer(layer);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Served { base, mock }
}

impl Served {
    async fn token(&self, scopes: &[&str]) -> String {
        let m = self
            .mock
            .seed_client(CreateRequest::new(scopes.iter().copied()))
            .unwrap();
        self.mock
            .token_provider(m.client_id, m.client_secret)
            .token(scopes)
            .await
            .unwrap()
            .expose_secret()
            .to_owned()
    }

    async fn call(&self, bearer: Option<&str>) -> (StatusCode, String) {
        let mut request = reqwest::Client::new().post(format!("{}/mcp", self.base));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let challenge = response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (response.status(), challenge)
    }
}

#[tokio::test]
async fn the_document_is_served_without_a_token() {
    let served = serve().await;
    let response = reqwest::get(format!(
        "{}/.well-known/oauth-protected-resource/mcp",
        served.base
    ))
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let document: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(
        document,
        json!({
            "resource": format!("{}/mcp", served.base),
            "authorization_servers": ["https://login.example.com"],
            "scopes_supported": ["mcp:tools"],
            "bearer_methods_supported": ["header"],
        })
    );
}

#[tokio::test]
async fn every_challenge_names_the_document() {
    let served = serve().await;
    let metadata = format!(
        "resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\"",
        served.base
    );
    // No credentials: 401 without an error code, and the document.
    let (status, challenge) = served.call(None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(challenge.starts_with("Bearer realm=\"api\""), "{challenge}");
    assert!(challenge.contains(&metadata), "{challenge}");
    assert!(!challenge.contains("error="), "{challenge}");
    // An invalid token: 401 invalid_token, and the document.
    let (status, challenge) = served.call(Some("not.a.token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert!(challenge.contains(&metadata), "{challenge}");
    // A valid token without the scope: 403 insufficient_scope naming it (RFC 6750 §3.1), and the document.
    let other = served.token(&["read:other"]).await;
    let (status, challenge) = served.call(Some(&other)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(challenge.contains("scope=\"mcp:tools\""), "{challenge}");
    assert!(challenge.contains(&metadata), "{challenge}");
    // With the scope: through.
    let good = served.token(&["mcp:tools"]).await;
    assert_eq!(served.call(Some(&good)).await.0, StatusCode::OK);
}

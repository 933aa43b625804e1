//! Discovery: a generic client follows the discovery document to the token endpoint and the keys, gets a token
//! and verifies it with only what discovery told it.

use serde_json::Value;
use stytch_m2m_core::auth::{AuthenticateOptions, TokenVerifier};
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_core::transport::{Headers, HttpRequest, Method, Transport};
use stytch_m2m_emulator::TestEmulator;
use stytch_m2m_http::HttpTransport;

async fn get(url: &str) -> (u16, Value) {
    let response = HttpTransport::new()
        .send(HttpRequest::new(Method::Get, url.to_owned()))
        .await
        .unwrap();
    (
        response.status,
        serde_json::from_slice(&response.body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn discovery_leads_to_the_keys_that_verify_a_minted_token() {
    let emulator = TestEmulator::start().await.unwrap();
    let base = emulator.base_url();
    let pid = emulator.project_id();
    let documents = [
        format!("{base}/.well-known/openid-configuration"),
        format!("{base}/.well-known/oauth-authorization-server"),
        format!("{base}/v1/public/{pid}/.well-known/openid-configuration"),
    ];
    let mut seen = Vec::new();
    for url in &documents {
        let (status, doc) = get(url).await;
        assert_eq!(status, 200, "{url}");
        assert_eq!(
            doc["grant_types_supported"],
            serde_json::json!(["client_credentials"])
        );
        seen.push(doc);
    }
    assert!(
        seen.windows(2).all(|w| w[0] == w[1]),
        "one metadata document"
    );
    let doc = &seen[0];
    assert_eq!(doc["issuer"], format!("stytch.com/{pid}"));
    assert_eq!(
        doc["token_endpoint"],
        format!("{base}/v1/public/{pid}/oauth2/token")
    );

    // A client credentials grant at the discovered token endpoint, authenticated with HTTP Basic.
    let m = emulator
        .controls()
        .seed_client(CreateRequest::new(["read:users"]))
        .unwrap();
    let mut headers = Headers::new();
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        m.client_id,
        m.client_secret.expose_secret()
    ));
    headers.insert("authorization", format!("Basic {basic}"));
    headers.insert("content-type", "application/x-www-form-urlencoded");
    let response = HttpTransport::new()
        .send(
            HttpRequest::new(
                Method::Post,
                doc["token_endpoint"].as_str().unwrap().to_owned(),
            )
            .with_headers(headers)
            .with_body("grant_type=client_credentials"),
        )
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    let grant: Value = serde_json::from_slice(&response.body).unwrap();
    let token = grant["access_token"].as_str().unwrap();

    // The keys at the discovered jwks_uri verify it, with the discovered issuer.
    let (status, jwks) = get(doc["jwks_uri"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let verifier = TokenVerifier::builder(pid)
        .static_jwks(jwks.to_string())
        .issuer(doc["issuer"].as_str().unwrap())
        .build()
        .unwrap();
    let verified = verifier
        .authenticate_token(
            token,
            &AuthenticateOptions::new().required_scopes(["read:users"]),
        )
        .await
        .unwrap();
    assert_eq!(verified.client_id(), m.client_id);
}

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
    // With Stytch's issuer (no URL), only the per-project document, in Stytch's shape: a root document naming
    // `stytch.com/{pid}` would be refused by every standard client (RFC 8414 §3.3).
    for root in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        assert_eq!(get(&format!("{base}{root}")).await.0, 404, "{root}");
    }
    let (status, doc) = get(&format!(
        "{base}/v1/public/{pid}/.well-known/openid-configuration"
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        doc["grant_types_supported"],
        serde_json::json!(["client_credentials"])
    );
    let doc = &doc;
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

/// An HTTP client for openidconnect, over this crate's HTTP transport.
async fn fetch(request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>, std::io::Error> {
    let response = HttpTransport::new()
        .send(HttpRequest::new(Method::Get, request.uri().to_string()))
        .await
        .map_err(std::io::Error::other)?;
    let mut answer = http::Response::builder().status(response.status);
    for (name, value) in response.headers.iter() {
        answer = answer.header(name, value);
    }
    answer
        .body(response.body.to_vec())
        .map_err(std::io::Error::other)
}

#[tokio::test]
async fn a_standard_discovery_client_accepts_the_root_documents_of_a_url_issuer() {
    use openidconnect::IssuerUrl;
    use openidconnect::core::CoreProviderMetadata;

    // The issuer is the server's own URL, as behind a project domain.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mock = stytch_m2m_mock::MockStytch::builder()
        .issuer(base.clone())
        .build();
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(
        stytch_m2m_emulator::Emulator::new(mock.clone()).serve(listener, async move {
            let _ = stopped.await;
        }),
    );
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(base.clone()).unwrap(), &fetch)
            .await
            .expect("openidconnect accepts the document and its keys");
    assert_eq!(metadata.issuer().as_str(), base);
    assert_eq!(
        metadata.token_endpoint().unwrap().as_str(),
        format!("{base}/v1/public/{}/oauth2/token", mock.project_id())
    );
    assert!(!metadata.jwks().keys().is_empty());
    // RFC 8414's document names the same issuer, and the client credentials grant.
    let (status, doc) = get(&format!("{base}/.well-known/oauth-authorization-server")).await;
    assert_eq!(status, 200);
    assert_eq!(doc["issuer"], base);
    assert_eq!(
        doc["grant_types_supported"],
        serde_json::json!(["client_credentials"])
    );
    // The authorization endpoint it names answers with an OAuth error, not a 404 (clients that require the member
    // find it; a client following it learns to use the client_credentials grant).
    let authorize = metadata.authorization_endpoint().as_str().to_owned();
    assert_eq!(
        authorize,
        format!("{base}/v1/public/{}/oauth2/authorize", mock.project_id())
    );
    for method in [Method::Get, Method::Post] {
        let response = HttpTransport::new()
            .send(HttpRequest::new(
                method,
                format!("{authorize}?response_type=code&client_id=x"),
            ))
            .await
            .unwrap();
        assert_eq!(response.status, 400);
        let body: Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(body["error"], "unsupported_response_type");
    }
    // Discovery from a URL that is not the issuer is refused by the same client: the check is real.
    let elsewhere = IssuerUrl::new(base.replace("127.0.0.1", "localhost")).unwrap();
    assert!(
        CoreProviderMetadata::discover_async(elsewhere, &fetch)
            .await
            .is_err()
    );
}

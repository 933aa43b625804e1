//! A verifier's options: custom audience and issuer, static and given key sets, building without network, and
//! the absence of any secret.

use std::time::Duration;

use serde_json::json;
use stytch_m2m_core::auth::{AuthError, AuthenticateOptions, InvalidToken, TokenVerifier};
use stytch_m2m_tests::{claims_for, frozen_mock, jwks_fetches, signed_token};

#[tokio::test]
async fn custom_audience_and_custom_domain_issuer() {
    let mock = frozen_mock();
    let mut c = claims_for(&mock, "svc");
    c["aud"] = json!(["https://api.example.com"]);
    c["iss"] = json!("https://login.example.com");
    let header = json!({"alg": "RS256", "kid": mock.engine().current_kid(), "typ": "JWT"});
    let custom = mock.sign_jwt(&header, &c);
    let default = mock.verifier();
    let e = default
        .authenticate_token(&custom, &AuthenticateOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(e, AuthError::Invalid(InvalidToken::Issuer)),
        "{e:?}"
    );
    let only_issuer = mock
        .verifier_builder()
        .issuer("https://login.example.com")
        .build()
        .unwrap();
    let e = only_issuer
        .authenticate_token(&custom, &AuthenticateOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(e, AuthError::Invalid(InvalidToken::Audience)),
        "{e:?}"
    );
    let configured = mock
        .verifier_builder()
        .issuer("https://login.example.com")
        .audience("https://api.example.com")
        .build()
        .unwrap();
    configured
        .authenticate_token(&custom, &AuthenticateOptions::new())
        .await
        .unwrap();
    // With a custom audience, the project id is no longer the audience.
    let e = configured
        .authenticate_token(&signed_token(&mock, "svc"), &AuthenticateOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(e, AuthError::Invalid(InvalidToken::Audience)),
        "{e:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn static_and_given_key_sets_and_building_without_network() {
    let mock = frozen_mock();
    let jwks = json!({"keys": mock.engine().jwks()}).to_string();
    // Building never fetches.
    let dynamic = mock.verifier();
    assert_eq!(mock.requests().len(), 0);
    drop(dynamic);
    // Static: no transport at all, never fetches, unknown kids are simply unknown.
    let fixed = TokenVerifier::builder(mock.project_id())
        .static_jwks(jwks.clone())
        .clock(mock.clock().clone())
        .build()
        .unwrap();
    let jwt = signed_token(&mock, "svc");
    fixed
        .authenticate_token(&jwt, &AuthenticateOptions::new())
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(30 * 24 * 3600)).await;
    fixed
        .authenticate_token(&jwt, &AuthenticateOptions::new())
        .await
        .unwrap();
    mock.rotate_signing_key();
    let e = fixed
        .authenticate_token(&signed_token(&mock, "new"), &AuthenticateOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(e, AuthError::Invalid(InvalidToken::UnknownKey(_))));
    // Given up front with a transport: no fetch until its TTL (5 minutes) passes, then refreshed.
    let given = mock.verifier_builder().jwks_json(jwks).build().unwrap();
    given
        .authenticate_token(&jwt, &AuthenticateOptions::new())
        .await
        .unwrap();
    assert_eq!(mock.requests().len(), 0, "no request at all so far");
    // A kid it does not know triggers one fetch, which finds the rotated key.
    given
        .authenticate_token(&signed_token(&mock, "new"), &AuthenticateOptions::new())
        .await
        .unwrap();
    assert_eq!(jwks_fetches(&mock), 1);
    // Configuration mistakes are refused at build time, naming the field.
    let e = TokenVerifier::builder(mock.project_id())
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("transport"), "{e}");
    let e = TokenVerifier::builder(mock.project_id())
        .static_jwks("{\"not\": \"a jwks\"}")
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("jwks"), "{e}");
    let e = TokenVerifier::builder("")
        .static_jwks("{\"keys\": []}")
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("project_id"), "{e}");
}

#[tokio::test]
async fn the_verifier_holds_no_secret_and_a_client_keeps_its_keys_cached() {
    let mock = frozen_mock();
    let verifier = mock.verifier();
    let shown = format!("{verifier:?}");
    assert!(!shown.contains(mock.project_secret().expose_secret()));
    let client = mock.client();
    let jwt = signed_token(&mock, "svc");
    let via_client = client
        .authenticate_token(&jwt, &AuthenticateOptions::new())
        .await
        .unwrap();
    let again = client
        .authenticate_token(&jwt, &AuthenticateOptions::new())
        .await
        .unwrap();
    assert_eq!(via_client, again);
    assert_eq!(
        jwks_fetches(&mock),
        1,
        "the client's verifier keeps one cache"
    );
    fn send_sync_clone<T: Send + Sync + Clone>() {}
    send_sync_clone::<TokenVerifier>();
}

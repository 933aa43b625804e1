//! A token provider's credentials: built from the project id and one client's id and secret (never the project
//! secret), and a secret swapped back during an exchange joins that exchange.

use std::time::Duration;

use stytch_m2m_core::auth::TokenProvider;
use stytch_m2m_mock::{Fault, Route};
use stytch_m2m_tests::{frozen_project, settle, token_exchanges};

/// A calling service holds its own client's credentials and the project id, never the project secret.
#[tokio::test]
async fn a_provider_needs_no_project_secret() {
    let (mock, id, secret) = frozen_project();
    let provider = TokenProvider::builder(mock.project_id(), id.clone(), secret.clone())
        .transport(mock.clone())
        .build()
        .unwrap();
    let token = provider.token(&["read:users"]).await.unwrap();
    let verified = mock
        .verifier()
        .authenticate_token(
            token.expose_secret(),
            &stytch_m2m_core::auth::AuthenticateOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(verified.client_id(), id);
    let sent = mock.requests();
    let exchange = sent
        .iter()
        .find(|r| r.url.contains("/oauth2/token"))
        .unwrap();
    assert!(
        exchange.headers.get("authorization").is_none(),
        "no project credentials are sent"
    );
    let shown = format!(
        "{provider:?} {:?}",
        TokenProvider::builder(mock.project_id(), &id, secret.clone())
    );
    assert!(!shown.contains(secret.expose_secret()), "{shown}");

    // What the builder refuses, each named.
    let missing = TokenProvider::builder(mock.project_id(), &id, secret.clone())
        .build()
        .unwrap_err();
    assert!(missing.to_string().contains("transport"), "{missing}");
    let empty = TokenProvider::builder(mock.project_id(), &id, "")
        .transport(mock.clone())
        .build()
        .unwrap_err();
    assert!(empty.to_string().contains("client_secret"), "{empty}");
    let plain = TokenProvider::builder(mock.project_id(), &id, secret)
        .transport(mock.clone())
        .base_url("http://stytch:4010")
        .build()
        .unwrap_err();
    assert!(plain.to_string().contains("allow_insecure_http"), "{plain}");
}

/// Swapping to another secret and back while an exchange for the first is in flight joins that exchange.
#[tokio::test(start_paused = true)]
async fn a_secret_swapped_back_during_an_exchange_makes_no_second_exchange() {
    let (mock, id, secret) = frozen_project();
    let provider = mock.token_provider(id, secret.clone());
    mock.fail_next(Route::Token, 1, Fault::Delay(Duration::from_secs(2)));
    let first = {
        let provider = provider.clone();
        tokio::spawn(async move { provider.token(&["read:users"]).await })
    };
    settle().await;
    provider.set_secret("another-secret-not-yet-deployed");
    provider.set_secret(secret);
    let second = provider.token(&["read:users"]).await.unwrap();
    let first = first.await.unwrap().unwrap();
    assert_eq!(first, second, "both callers share the one exchange");
    assert_eq!(token_exchanges(&mock), 1);
    // The token is cached for the current secret.
    assert_eq!(provider.token(&["read:users"]).await.unwrap(), first);
    assert_eq!(token_exchanges(&mock), 1);
}

//! Background work that dies never wedges the verifier or the provider (a fetch or an exchange whose runtime
//! shuts down, or whose transport panics, counts as one failure; the next caller starts anew), and an unknown
//! `kid` while the JWKS cannot be fetched is "unavailable" (503), never "invalid" (401).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use stytch_m2m_core::auth::{AuthError, AuthenticateOptions, InvalidToken, TokenProvider};
use stytch_m2m_core::transport::BoxFuture;
use stytch_m2m_core::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use stytch_m2m_core::{Client, RetryPolicy};
use stytch_m2m_mock::{Fault, MockStytch, Route};
use stytch_m2m_tests::{frozen_mock, frozen_project, settle, signed_token};

/// The mock behind a transport that can hang every request, or panic on the next `n`.
#[derive(Clone)]
struct Flaky {
    mock: MockStytch,
    hang: Arc<AtomicBool>,
    panics: Arc<AtomicU32>,
}

impl Flaky {
    fn new(mock: &MockStytch) -> Self {
        Self {
            mock: mock.clone(),
            hang: Arc::default(),
            panics: Arc::default(),
        }
    }
}

impl Transport for Flaky {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            if self.hang.load(Ordering::SeqCst) {
                std::future::pending::<()>().await;
            }
            if self
                .panics
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                panic!("a transport bug");
            }
            self.mock.send(request).await
        })
    }
}

fn paused_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
}

fn authenticate(
    verifier: &stytch_m2m_core::auth::TokenVerifier,
    token: &str,
) -> impl Future<Output = Result<String, AuthError>> + Send + use<> {
    let (verifier, token) = (verifier.clone(), token.to_owned());
    async move {
        verifier
            .authenticate_token(&token, &AuthenticateOptions::new())
            .await
            .map(|t| t.client_id().to_owned())
    }
}

#[test]
fn a_jwks_fetch_that_dies_with_its_runtime_does_not_wedge_the_verifier() {
    let mock = frozen_mock();
    let flaky = Flaky::new(&mock);
    let verifier = mock
        .verifier_builder()
        .transport(flaky.clone())
        .build()
        .unwrap();
    let token = signed_token(&mock, "svc");
    // A caller starts the first fetch, which hangs; its runtime shuts down (a #[tokio::test] ends).
    flaky.hang.store(true, Ordering::SeqCst);
    let first = paused_runtime();
    first.block_on(async {
        tokio::spawn(authenticate(&verifier, &token));
        settle().await;
    });
    drop(first);
    flaky.hang.store(false, Ordering::SeqCst);
    // Another runtime: the dead fetch counted as one failure (a short backoff), then fetching works again.
    paused_runtime().block_on(async {
        match authenticate(&verifier, &token).await {
            Ok(_) => {}
            Err(AuthError::JwksUnavailable(e)) => {
                assert!(e.retry_after().is_some_and(|d| d <= Duration::from_secs(1)));
                tokio::time::advance(Duration::from_secs(1)).await;
                authenticate(&verifier, &token).await.unwrap();
            }
            Err(e) => panic!("{e}"),
        }
        // And it stays healthy.
        tokio::time::advance(Duration::from_secs(75)).await;
        assert_eq!(authenticate(&verifier, &token).await.unwrap(), "svc");
    });
}

#[tokio::test(start_paused = true)]
async fn a_jwks_fetch_whose_transport_panics_counts_as_one_failure() {
    let mock = frozen_mock();
    let flaky = Flaky::new(&mock);
    flaky.panics.store(1, Ordering::SeqCst);
    let verifier = mock.verifier_builder().transport(flaky).build().unwrap();
    let token = signed_token(&mock, "svc");
    let e = authenticate(&verifier, &token).await.unwrap_err();
    let AuthError::JwksUnavailable(e) = e else {
        panic!("{e}")
    };
    assert!(e.to_string().contains("panicked"), "{e}");
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(authenticate(&verifier, &token).await.unwrap(), "svc");
}

fn provider_over(
    flaky: &Flaky,
    id: &str,
    secret: stytch_m2m_core::models::Secret,
) -> TokenProvider {
    let client = Client::builder(
        flaky.mock.project_id(),
        flaky.mock.project_secret().clone(),
        flaky.clone(),
    )
    .retry(RetryPolicy::disabled())
    .build()
    .unwrap();
    TokenProvider::new(client, id, secret)
}

#[test]
fn a_token_exchange_that_dies_with_its_runtime_does_not_wedge_the_provider() {
    let (mock, id, secret) = frozen_project();
    let flaky = Flaky::new(&mock);
    let provider = provider_over(&flaky, &id, secret);
    flaky.hang.store(true, Ordering::SeqCst);
    let first = paused_runtime();
    first.block_on(async {
        let p = provider.clone();
        tokio::spawn(async move { p.token(&["read:users"]).await });
        settle().await;
    });
    drop(first);
    flaky.hang.store(false, Ordering::SeqCst);
    paused_runtime().block_on(async {
        let token = provider.token(&["read:users"]).await.unwrap();
        assert!(!token.expose_secret().is_empty());
    });
}

#[tokio::test(start_paused = true)]
async fn a_token_exchange_whose_transport_panics_counts_as_one_failure() {
    let (mock, id, secret) = frozen_project();
    let flaky = Flaky::new(&mock);
    flaky.panics.store(1, Ordering::SeqCst);
    let provider = provider_over(&flaky, &id, secret);
    let e = provider.token(&["read:users"]).await.unwrap_err();
    assert!(e.to_string().contains("panicked"), "{e}");
    provider.token(&["read:users"]).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_unknown_kid_while_the_jwks_cannot_be_fetched_is_unavailable_not_invalid() {
    let mock = frozen_mock();
    let verifier = mock.verifier();
    let old = signed_token(&mock, "old");
    authenticate(&verifier, &old).await.unwrap();
    // Past the cooldown, the JWKS goes down and a new signing key is rotated in.
    tokio::time::advance(Duration::from_secs(31)).await;
    mock.fail_next(Route::Jwks, 1000, Fault::status(503));
    mock.rotate_signing_key();
    let new = signed_token(&mock, "new");
    for _ in 0..3 {
        match authenticate(&verifier, &new).await {
            Err(AuthError::JwksUnavailable(e)) => assert!(e.retry_after().is_some(), "{e}"),
            other => panic!("expected unavailable, got {other:?}"),
        }
        // Tokens of the cached key keep working.
        authenticate(&verifier, &old).await.unwrap();
        tokio::time::advance(Duration::from_millis(300)).await;
    }
    // The JWKS comes back: still "unavailable" until a fetch succeeds, never "unknown".
    mock.clear_faults();
    match authenticate(&verifier, &new).await {
        Ok(sub) => assert_eq!(sub, "new"),
        Err(AuthError::JwksUnavailable(_)) => {
            tokio::time::advance(Duration::from_secs(30)).await;
            assert_eq!(authenticate(&verifier, &new).await.unwrap(), "new");
        }
        Err(e) => panic!("{e}"),
    }
    // A kid absent from a set that was just fetched is unknown (401), as before.
    let forged = mock.sign_jwt(
        &serde_json::json!({"alg": "RS256", "kid": "jwk-test-nobody", "typ": "JWT"}),
        &stytch_m2m_tests::claims_for(&mock, "x"),
    );
    tokio::time::advance(Duration::from_secs(31)).await;
    assert!(matches!(
        authenticate(&verifier, &forged).await,
        Err(AuthError::Invalid(InvalidToken::UnknownKey(_)))
    ));
}

/// `JwksUnavailable` follows the std convention: the reason in `Display`, the failure behind it as `source()`, so
/// that a reporter walking the chain prints each once.
#[tokio::test(start_paused = true)]
async fn jwks_unavailable_prints_its_source_once() {
    use std::error::Error as _;
    let mock = frozen_mock();
    mock.fail_next(Route::Jwks, 10, Fault::status(503));
    let verifier = mock.verifier();
    let token = signed_token(&mock, "svc");
    let Err(AuthError::JwksUnavailable(e)) = authenticate(&verifier, &token).await else {
        panic!("expected unavailable")
    };
    let source = e.source().expect("the API error behind it").to_string();
    assert!(!e.to_string().contains(&source), "{e} / {source}");
    let mut chain = Vec::new();
    let mut next: Option<&dyn std::error::Error> = Some(&e);
    while let Some(error) = next {
        chain.push(error.to_string());
        next = error.source();
    }
    assert!(chain.len() >= 2, "{chain:?}");
    assert_eq!(
        chain.len(),
        chain.iter().collect::<std::collections::HashSet<_>>().len()
    );
}

//! The verifier's JWKS source on a paused clock: nobody waits while a usable key is cached, one fetch in flight,
//! failures rate limited, stale keys through an outage, waiters that go away, B2B paths, static and given key
//! sets, custom audience and issuer.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use stytch_m2m_core::auth::{
    AuthError, AuthenticateOptions, InvalidToken, JwksPolicy, ProjectKind, TokenVerifier,
};
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_core::transport::Transport;
use stytch_m2m_mock::{Fault, MockClock, MockStytch, Route};
use stytch_m2m_tests::{NOW, claims_for, frozen_mock, jwks_fetches, settle, signed_token};
use tokio::time::Instant;

/// Longer than any fetch timeout: a JWKS endpoint that never answers.
const NEVER: Duration = Duration::from_secs(24 * 3600);

/// Runs `n` authentications of `tokens[i % len]` concurrently; returns their outcomes.
async fn concurrently(
    verifier: &TokenVerifier,
    tokens: &[String],
    n: usize,
) -> Vec<Result<String, AuthError>> {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (verifier, token) = (verifier.clone(), tokens[i % tokens.len()].clone());
            tokio::spawn(async move {
                verifier
                    .authenticate_token(&token, &AuthenticateOptions::new())
                    .await
                    .map(|t| t.client_id().to_owned())
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    outcomes
}

#[tokio::test(start_paused = true)]
async fn a_cached_key_answers_at_once_while_the_jwks_fails_or_hangs() {
    for (name, fault) in [
        ("503", Fault::status(503)),
        ("never answers", Fault::Delay(NEVER)),
    ] {
        let mock = frozen_mock();
        let verifier = mock.verifier();
        let cached = signed_token(&mock, "cached");
        verifier
            .authenticate_token(&cached, &AuthenticateOptions::new())
            .await
            .unwrap();
        assert_eq!(jwks_fetches(&mock), 1);
        // The set (max-age 900) is due; every JWKS request from now on fails or hangs.
        tokio::time::advance(Duration::from_secs(901)).await;
        mock.fail_next(Route::Jwks, 1000, fault);
        // Cached tokens and new tokens signed by the cached key: 100 concurrent callers, none waits.
        let mut tokens = vec![cached];
        tokens.extend((0..9).map(|i| signed_token(&mock, &format!("new-{i}"))));
        let started = Instant::now();
        let outcomes = concurrently(&verifier, &tokens, 100).await;
        assert_eq!(started.elapsed(), Duration::ZERO, "{name}: nobody waited");
        assert!(outcomes.iter().all(Result::is_ok), "{name}: {outcomes:?}");
        assert_eq!(jwks_fetches(&mock), 2, "{name}: one background refresh");
        // While it fails, more calls keep answering at once and fetches stay rate limited.
        for _ in 0..10 {
            tokio::time::advance(Duration::from_secs(3)).await;
            let started = Instant::now();
            assert!(
                concurrently(&verifier, &tokens, 20)
                    .await
                    .iter()
                    .all(Result::is_ok)
            );
            assert_eq!(started.elapsed(), Duration::ZERO, "{name}");
        }
        let fetches = jwks_fetches(&mock);
        assert!(
            (2..=7).contains(&fetches),
            "{name}: {fetches} fetches in 30 s of failures"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn stale_keys_serve_for_max_stale_then_keys_are_unavailable() {
    let mock = frozen_mock();
    let verifier = mock
        .verifier_builder()
        .jwks_policy(JwksPolicy::default().with_max_stale(Duration::from_secs(600)))
        .build()
        .unwrap();
    let jwt = signed_token(&mock, "svc");
    verifier
        .authenticate_token(&jwt, &AuthenticateOptions::new())
        .await
        .unwrap();
    mock.fail_next(Route::Jwks, 10_000, Fault::status(503));
    // Fresh for 900 s, then stale for 600 s more while every refresh fails.
    tokio::time::advance(Duration::from_secs(1499)).await;
    verifier
        .authenticate_token(&jwt, &AuthenticateOptions::new())
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(2)).await;
    let e = verifier
        .authenticate_token(&jwt, &AuthenticateOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(e, AuthError::JwksUnavailable(_)), "{e:?}");
    assert_eq!(e.http_status(), 503);
    // It recovers as soon as the JWKS answers again.
    mock.clear_faults();
    tokio::time::advance(Duration::from_secs(31)).await;
    verifier
        .authenticate_token(&jwt, &AuthenticateOptions::new())
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn cold_start_with_the_jwks_down_fails_fast_with_one_fetch() {
    for (name, fault, waited) in [
        ("503", Fault::status(503), Duration::ZERO),
        ("never answers", Fault::Delay(NEVER), Duration::from_secs(5)),
    ] {
        let mock = frozen_mock();
        let verifier = mock.verifier();
        mock.fail_next(Route::Jwks, 1000, fault);
        let tokens: Vec<String> = (0..10)
            .map(|i| signed_token(&mock, &format!("c{i}")))
            .collect();
        let started = Instant::now();
        let outcomes = concurrently(&verifier, &tokens, 100).await;
        assert_eq!(
            started.elapsed(),
            waited,
            "{name}: the fetch timeout (5 s) at most"
        );
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, Err(AuthError::JwksUnavailable(_)))),
            "{name}: {outcomes:?}"
        );
        assert_eq!(jwks_fetches(&mock), 1, "{name}: one fetch for 100 waiters");
        // Right after, callers are refused at once (backing off) and no fetch is made.
        let started = Instant::now();
        let again = concurrently(&verifier, &tokens, 50).await;
        assert_eq!(started.elapsed(), Duration::ZERO);
        assert!(
            again.iter().all(
                |o| matches!(o, Err(AuthError::JwksUnavailable(e)) if e.retry_after().is_some())
            )
        );
        assert_eq!(
            jwks_fetches(&mock),
            1,
            "{name}: failed fetches are rate limited"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_flood_of_random_kids_causes_at_most_one_fetch_per_cooldown() {
    let mock = frozen_mock();
    let verifier = mock.verifier();
    verifier
        .authenticate_token(&signed_token(&mock, "warm"), &AuthenticateOptions::new())
        .await
        .unwrap();
    let claims = claims_for(&mock, "attacker");
    // 5 minutes of 200 tokens a second, each with a new random kid (10 s of them per step).
    for step in 0..30 {
        let tokens: Vec<String> = (0..20)
            .map(|i| {
                mock.sign_jwt(
                    &json!({"alg": "RS256", "kid": format!("random-{step}-{i}"), "typ": "JWT"}),
                    &claims,
                )
            })
            .collect();
        for outcome in concurrently(&verifier, &tokens, 20).await {
            assert!(
                matches!(
                    outcome,
                    Err(AuthError::Invalid(InvalidToken::UnknownKey(_)))
                ),
                "{outcome:?}"
            );
        }
        tokio::time::advance(Duration::from_secs(10)).await;
    }
    let fetches = jwks_fetches(&mock);
    // 300 s / 30 s cooldown = 10 refetches, plus the first fetch.
    assert!(fetches <= 11, "{fetches} fetches");
}

#[tokio::test(start_paused = true)]
async fn waiters_dropped_mid_fetch_leave_nothing_behind() {
    let mock = frozen_mock();
    let transport: Arc<dyn Transport> = Arc::new(mock.clone());
    let verifier = TokenVerifier::builder(mock.project_id())
        .shared_transport(transport.clone())
        .clock(mock.clock().clone())
        .build()
        .unwrap();
    // The JWKS takes 2 s; every caller gives up after 100 ms.
    mock.fail_next(Route::Jwks, 1, Fault::Delay(Duration::from_secs(2)));
    let jwt = signed_token(&mock, "svc");
    for _ in 0..10 {
        let outcome = tokio::time::timeout(
            Duration::from_millis(100),
            verifier.authenticate_token(&jwt, &AuthenticateOptions::new()),
        )
        .await;
        assert!(outcome.is_err(), "the caller was dropped");
    }
    assert_eq!(
        jwks_fetches(&mock),
        1,
        "the dropped callers shared one fetch"
    );
    // The fetch goes on without them and completes; the next caller needs no fetch.
    tokio::time::advance(Duration::from_secs(2)).await;
    settle().await;
    let started = Instant::now();
    verifier
        .authenticate_token(&jwt, &AuthenticateOptions::new())
        .await
        .unwrap();
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(jwks_fetches(&mock), 1);
    // Nothing holds the transport once the verifier is gone.
    drop(verifier);
    settle().await;
    assert_eq!(Arc::strong_count(&transport), 1);
}

#[tokio::test(start_paused = true)]
async fn b2b_and_consumer_projects_use_their_own_jwks_path() {
    for kind in [ProjectKind::Consumer, ProjectKind::B2b] {
        let mock = MockStytch::builder()
            .clock(MockClock::frozen_at_unix(NOW))
            .project_kind(kind)
            .build();
        let m = mock
            .seed_client(CreateRequest::new(["read:users"]))
            .unwrap();
        let jwt = mock
            .client()
            .token(&m.client_id, &m.client_secret, &["read:users"])
            .await
            .unwrap()
            .access_token;
        let right = TokenVerifier::builder(mock.project_id())
            .transport(mock.clone())
            .clock(mock.clock().clone())
            .project_kind(kind)
            .build()
            .unwrap();
        assert!(
            right
                .authenticate_token(jwt.expose_secret(), &AuthenticateOptions::new())
                .await
                .is_ok(),
            "{kind:?}"
        );
        let expected = match kind {
            ProjectKind::B2b => "/v1/b2b/sessions/jwks/",
            _ => "/v1/sessions/jwks/",
        };
        let fetched = mock.requests().last().unwrap().url.clone();
        assert!(fetched.contains(expected), "{kind:?}: {fetched}");
        // The other kind's path does not serve this project's keys: a wrongly configured verifier says so.
        let wrong = if kind == ProjectKind::B2b {
            ProjectKind::Consumer
        } else {
            ProjectKind::B2b
        };
        let wrong = TokenVerifier::builder(mock.project_id())
            .transport(mock.clone())
            .clock(mock.clock().clone())
            .project_kind(wrong)
            .build()
            .unwrap();
        let e = wrong
            .authenticate_token(jwt.expose_secret(), &AuthenticateOptions::new())
            .await
            .unwrap_err();
        let AuthError::JwksUnavailable(cause) = &e else {
            panic!("{kind:?}: {e:?}")
        };
        let status = std::error::Error::source(cause)
            .and_then(|s| s.downcast_ref::<stytch_m2m_core::Error>())
            .and_then(stytch_m2m_core::Error::status);
        assert_eq!(status, Some(404), "{kind:?}");
    }
}

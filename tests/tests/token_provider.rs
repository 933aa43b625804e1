//! The token provider: single flight, refresh ahead without waiting, exchanges detached from their callers,
//! failures shared and not cached, backoff while a valid token serves, invalidation, secret rotation, bounds.

use std::sync::Arc;
use std::time::Duration;

use stytch_m2m_core::auth::{ProviderPolicy, TokenProvider};
use stytch_m2m_core::models::Secret;
use stytch_m2m_core::transport::Transport;
use stytch_m2m_core::{Client, Error};
use stytch_m2m_mock::{Fault, MockStytch, Route};
use stytch_m2m_tests::{client_without_retries, frozen_project, settle, token_exchanges};
use tokio::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_callers_cause_one_exchange() {
    let (mock, id, secret) = frozen_project();
    let provider = TokenProvider::new(mock.client(), id, secret);
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let provider = provider.clone();
            tokio::spawn(async move {
                provider
                    .token(&["read:users"])
                    .await
                    .map(|t| t.expose_secret().to_owned())
            })
        })
        .collect();
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.unwrap().unwrap());
    }
    tokens.dedup();
    assert_eq!(tokens.len(), 1, "every caller got the same token");
    assert_eq!(token_exchanges(&mock), 1);
    assert_eq!(token_exchanges(&mock), 1);
    // Another scope set is another cache entry.
    provider.token(stytch_m2m_core::NO_SCOPES).await.unwrap();
    assert_eq!(token_exchanges(&mock), 2);
}

fn provider_without_retries(
    mock: &MockStytch,
    id: String,
    secret: stytch_m2m_core::models::Secret,
) -> Arc<TokenProvider> {
    Arc::new(TokenProvider::new(client_without_retries(mock), id, secret))
}

async fn fifty_callers(
    provider: &Arc<TokenProvider>,
    scope: &'static str,
) -> Vec<Result<stytch_m2m_core::models::Secret, Error>> {
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let provider = provider.clone();
            tokio::spawn(async move { provider.token(&[scope]).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    outcomes
}

#[tokio::test(start_paused = true)]
async fn a_failed_exchange_reaches_every_waiter_and_is_not_cached() {
    let (mock, id, secret) = frozen_project();
    let provider = provider_without_retries(&mock, id, secret);
    // A slow exchange that fails (the client lacks the scope): all 50 callers join it and all get its error.
    mock.fail_next(Route::Token, 1, Fault::Delay(Duration::from_millis(200)));
    let outcomes = fifty_callers(&provider, "write:users").await;
    assert_eq!(token_exchanges(&mock), 1, "one failing exchange, shared");
    for outcome in outcomes {
        let e = outcome.unwrap_err();
        // Every waiter gets the API error as the variant it is (no wrapper to see through).
        assert!(matches!(e, Error::Api(_)), "{e:?}");
        assert_eq!(
            e.error_type(),
            Some(&stytch_m2m_core::models::ErrorType::InvalidScope)
        );
        assert_eq!(e.status(), Some(400));
    }
    // Nothing was cached: the next call tries again (and a server error is reported, then recovered from).
    mock.fail_next(Route::Token, 1, Fault::status(500));
    assert_eq!(
        provider.token(&["read:users"]).await.unwrap_err().status(),
        Some(500)
    );
    assert!(provider.token(&["read:users"]).await.is_ok());
    assert_eq!(token_exchanges(&mock), 3);
    // A slow successful exchange is shared the same way.
    mock.fail_next(Route::Token, 1, Fault::Delay(Duration::from_millis(200)));
    let outcomes = fifty_callers(&provider, "read:users:x").await;
    assert!(outcomes.iter().all(|o| {
        o.as_ref().is_err_and(|e| {
            e.error_type() == Some(&stytch_m2m_core::models::ErrorType::InvalidScope)
        })
    }));
    let fresh = fifty_callers(&provider, "read:users").await;
    assert!(fresh.iter().all(Result::is_ok));
    assert_eq!(
        token_exchanges(&mock),
        4,
        "read:users was cached; read:users:x failed once for all"
    );
}

/// 1000 concurrent callers of `token(["read:users"])`; their tokens.
async fn thousand_callers(provider: &TokenProvider) -> Vec<Secret> {
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let provider = provider.clone();
            tokio::spawn(async move { provider.token(&["read:users"]).await.unwrap() })
        })
        .collect();
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.unwrap());
    }
    tokens
}

/// No jitter, so that the refresh point is exact: 5 minutes before the hour ends.
fn exact() -> ProviderPolicy {
    ProviderPolicy::default().with_refresh_margin(Duration::from_secs(300), 0.0)
}

#[tokio::test(start_paused = true)]
async fn a_thousand_callers_across_the_refresh_point_never_wait_and_cause_one_exchange() {
    let (mock, id, secret) = frozen_project();
    let provider = TokenProvider::with_policy(mock.client(), id, secret, exact());
    let first = provider.token(&["read:users"]).await.unwrap();
    assert_eq!(token_exchanges(&mock), 1);
    // Just before the refresh point: the cached token, no exchange.
    tokio::time::advance(Duration::from_secs(3299)).await;
    assert_eq!(provider.token(&["read:users"]).await.unwrap(), first);
    assert_eq!(token_exchanges(&mock), 1);
    // Past it: 1000 concurrent callers all get the still-valid token at once; one refresh runs behind them.
    tokio::time::advance(Duration::from_secs(2)).await;
    mock.clock().advance(Duration::from_secs(3301)); // new tokens get a new iat
    mock.fail_next(Route::Token, 1, Fault::Delay(Duration::from_secs(2)));
    let started = Instant::now();
    for token in thousand_callers(&provider).await {
        assert_eq!(token, first);
    }
    assert_eq!(started.elapsed(), Duration::ZERO, "nobody waited");
    assert_eq!(token_exchanges(&mock), 2, "one background refresh");
    assert_eq!(token_exchanges(&mock), 2);
    tokio::time::advance(Duration::from_secs(2)).await;
    settle().await;
    let second = provider.token(&["read:users"]).await.unwrap();
    assert_ne!(second, first);
    assert_eq!(token_exchanges(&mock), 2);
    // Once a token has expired with no refresh (a provider left idle), callers wait for one exchange together.
    tokio::time::advance(Duration::from_secs(3600)).await;
    mock.clock().advance(Duration::from_secs(3600));
    for token in thousand_callers(&provider).await {
        assert_ne!(token, second);
    }
    assert_eq!(token_exchanges(&mock), 3);
}

#[tokio::test(start_paused = true)]
async fn callers_dropped_mid_exchange_leave_nothing_behind() {
    let (mock, id, secret) = frozen_project();
    let transport: Arc<dyn Transport> = Arc::new(mock.clone());
    let client = Client::builder(
        mock.project_id(),
        mock.project_secret().clone(),
        transport.clone(),
    )
    .build()
    .unwrap();
    let provider = TokenProvider::new(client, id, secret);
    mock.fail_next(Route::Token, 1, Fault::Delay(Duration::from_secs(2)));
    for _ in 0..10 {
        let gave_up =
            tokio::time::timeout(Duration::from_millis(100), provider.token(&["read:users"])).await;
        assert!(gave_up.is_err());
    }
    assert_eq!(token_exchanges(&mock), 1, "the callers shared one exchange");
    // The exchange finished on its own; the next caller gets its token without another exchange.
    tokio::time::advance(Duration::from_secs(2)).await;
    settle().await;
    let started = Instant::now();
    provider.token(&["read:users"]).await.unwrap();
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(token_exchanges(&mock), 1);
    // A provider dropped while an exchange runs is freed, and so is its client once the exchange ends.
    provider.invalidate_all();
    mock.fail_next(Route::Token, 1, Fault::Delay(Duration::from_secs(2)));
    let pending =
        tokio::time::timeout(Duration::from_millis(100), provider.token(&["read:users"])).await;
    assert!(pending.is_err());
    drop(provider);
    tokio::time::advance(Duration::from_secs(2)).await;
    settle().await;
    assert_eq!(
        Arc::strong_count(&transport),
        1,
        "the client and its transport were freed"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failing_refresh_serves_the_valid_token_and_backs_off() {
    let (mock, id, secret) = frozen_project();
    let provider = TokenProvider::with_policy(client_without_retries(&mock), id, secret, exact());
    let first = provider.token(&["read:users"]).await.unwrap();
    tokio::time::advance(Duration::from_secs(3301)).await;
    mock.fail_next(Route::Token, 1000, Fault::status(503));
    // The refresh fails in the background; callers keep getting the valid token.
    for _ in 0..5 {
        assert_eq!(provider.token(&["read:users"]).await.unwrap(), first);
        settle().await;
    }
    assert_eq!(
        token_exchanges(&mock),
        2,
        "one failed refresh, then a backoff"
    );
    // After the backoff (at most 1 s the first time), one more try.
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(provider.token(&["read:users"]).await.unwrap(), first);
    settle().await;
    assert_eq!(token_exchanges(&mock), 3);
    // The backoff grows: within 1 s of that failure, no try.
    tokio::time::advance(Duration::from_millis(900)).await;
    assert_eq!(provider.token(&["read:users"]).await.unwrap(), first);
    settle().await;
    assert_eq!(token_exchanges(&mock), 3);
    // When the token expires and the exchange still fails, callers get the error.
    mock.clock().advance(Duration::from_secs(300));
    tokio::time::advance(Duration::from_secs(300)).await;
    let e = provider.token(&["read:users"]).await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    // It recovers as soon as Stytch answers.
    mock.clear_faults();
    assert_ne!(provider.token(&["read:users"]).await.unwrap(), first);
}

#[tokio::test(start_paused = true)]
async fn invalidation_rotation_and_bounds() {
    let (mock, id, secret) = frozen_project();
    let provider = TokenProvider::with_policy(
        mock.client(),
        id.clone(),
        secret.clone(),
        ProviderPolicy::default().with_max_entries(2),
    );
    let first = provider.token(&["read:users"]).await.unwrap();
    // Many requests refused with the same token: one new exchange.
    for _ in 0..10 {
        provider.invalidate(&["read:users"], &first);
    }
    mock.clock().advance(Duration::from_secs(1)); // a new iat, so a new token
    let second = provider.token(&["read:users"]).await.unwrap();
    assert_ne!(second, first);
    provider.invalidate(&["read:users"], &first); // already replaced: no effect
    assert_eq!(provider.token(&["read:users"]).await.unwrap(), second);
    assert_eq!(token_exchanges(&mock), 2);
    // Scopes are a set: order and duplicates do not make new entries.
    provider.token(&["read:users", "read:users"]).await.unwrap();
    assert_eq!(token_exchanges(&mock), 2);
    // At most two entries: a third scope set evicts the least recently used.
    provider.token(stytch_m2m_core::NO_SCOPES).await.unwrap();
    provider.token(&["read:users"]).await.unwrap();
    provider.token(&["read:*"]).await.unwrap_err(); // not assigned: an error, still an entry
    assert_eq!(token_exchanges(&mock), 4);
    provider.token(&["read:users"]).await.unwrap();
    assert_eq!(
        token_exchanges(&mock),
        4,
        "the most recently used entry stayed"
    );
    provider.token(stytch_m2m_core::NO_SCOPES).await.unwrap();
    assert_eq!(
        token_exchanges(&mock),
        5,
        "the least recently used entry was evicted"
    );
    // After a secret rotation, a token obtained with the old secret is never served.
    let rotated = mock
        .client()
        .clients()
        .secrets()
        .rotate_start(&id)
        .await
        .unwrap()
        .m2m_client
        .next_client_secret;
    mock.client().clients().secrets().rotate(&id).await.unwrap();
    provider.set_secret(rotated);
    mock.clock().advance(Duration::from_secs(1));
    let after_rotation = provider.token(&["read:users"]).await.unwrap();
    assert_ne!(after_rotation, second);
    assert_eq!(token_exchanges(&mock), 6);
    assert!(!format!("{provider:?}").contains(secret.expose_secret()));
}

#[tokio::test(start_paused = true)]
async fn forced_refreshes_are_bounded_per_interval() {
    let (mock, id, secret) = frozen_project();
    let provider = TokenProvider::with_policy(
        mock.client(),
        id,
        secret,
        ProviderPolicy::default().with_forced_refresh_interval(Duration::from_secs(60)),
    );
    let first = provider.token(&["read:users"]).await.unwrap();
    assert!(
        provider.invalidate(&["read:users"], &first),
        "the first is honoured"
    );
    mock.clock().advance(Duration::from_secs(1));
    let second = provider.token(&["read:users"]).await.unwrap();
    assert_ne!(second, first);
    // Refused again within the interval: kept, and the caller is told a retry would not help.
    assert!(!provider.invalidate(&["read:users"], &second));
    assert_eq!(provider.token(&["read:users"]).await.unwrap(), second);
    assert_eq!(token_exchanges(&mock), 2);
    // Another scope set has its own bound.
    let other = provider.token(stytch_m2m_core::NO_SCOPES).await.unwrap();
    assert!(provider.invalidate(stytch_m2m_core::NO_SCOPES, &other));
    // After the interval, one more forced refresh.
    tokio::time::advance(Duration::from_secs(61)).await;
    assert!(provider.invalidate(&["read:users"], &second));
    mock.clock().advance(Duration::from_secs(1));
    assert_ne!(provider.token(&["read:users"]).await.unwrap(), second);
}

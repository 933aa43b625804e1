//! The JWKS cache through a client (max-age, one refetch per unknown kid, cooldown, failures) and the
//! verified-token cache (checks still run on a hit). The token provider is in `token_provider.rs`.

use std::time::Duration;

use serde_json::json;
use stytch_m2m_core::auth::{AuthError, AuthenticateOptions, InvalidToken, JwksPolicy};
use stytch_m2m_core::{Client, Error, RetryPolicy};
use stytch_m2m_mock::{Fault, Route};
use stytch_m2m_tests::{NOW, frozen_project, jwks_fetches, settle};

#[tokio::test(start_paused = true)]
async fn the_jwks_is_fetched_once_then_after_its_ttl() {
    let (mock, id, secret) = frozen_project();
    let client = mock.client();
    let token = client
        .token(&id, &secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token;
    let options = AuthenticateOptions::new();
    for _ in 0..5 {
        client
            .authenticate_token(token.expose_secret(), &options)
            .await
            .unwrap();
    }
    let other = client
        .token(&id, &secret, &["read:users"])
        .await
        .unwrap()
        .access_token;
    client
        .authenticate_token(other.expose_secret(), &options)
        .await
        .unwrap();
    assert_eq!(jwks_fetches(&mock), 1);
    // The mock, like Stytch, sends `Cache-Control: max-age=900`: still fresh after 5 minutes.
    tokio::time::advance(Duration::from_secs(301)).await;
    client
        .authenticate_token(other.expose_secret(), &options)
        .await
        .unwrap();
    settle().await;
    assert_eq!(jwks_fetches(&mock), 1, "max-age=900 is honoured");
    // 30 s before the 15 minutes end, one background refresh; the call itself answers from the cache.
    tokio::time::advance(Duration::from_secs(900 - 301 - 29)).await;
    client
        .authenticate_token(other.expose_secret(), &options)
        .await
        .unwrap();
    settle().await;
    assert_eq!(jwks_fetches(&mock), 2, "refreshed ahead of the max-age");
}

#[tokio::test(start_paused = true)]
async fn unknown_kids_cause_at_most_one_refetch_and_respect_the_cooldown() {
    let (mock, id, secret) = frozen_project();
    let client = mock.client();
    let token = client
        .token(&id, &secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token;
    client
        .authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap();
    assert_eq!(jwks_fetches(&mock), 1);
    let claims = json!({"sub": id, "iss": format!("stytch.com/{}", mock.project_id()), "aud": [mock.project_id()],
                        "scope": "", "iat": NOW, "exp": NOW + 60});
    let flood = |round: &'static str| {
        let (client, mock, claims) = (client.clone(), mock.clone(), claims.clone());
        async move {
            for i in 0..100 {
                let header =
                    json!({"alg": "RS256", "kid": format!("random-{round}-{i}"), "typ": "JWT"});
                let forged = mock.sign_jwt(&header, &claims);
                let e = client
                    .authenticate_token(&forged, &AuthenticateOptions::new())
                    .await
                    .unwrap_err();
                assert!(matches!(e, AuthError::Invalid(InvalidToken::UnknownKey(_))));
            }
        }
    };
    // A flood of tokens with random kids within 30 s of the last fetch: no refetch at all (jose's cooldown).
    flood("a").await;
    assert_eq!(jwks_fetches(&mock), 1);
    // After the cooldown: the first unknown kid causes one refetch, the rest of the flood none.
    tokio::time::advance(Duration::from_secs(31)).await;
    flood("b").await;
    assert_eq!(
        jwks_fetches(&mock),
        2,
        "one refetch, then the cooldown holds"
    );

    // A new signing key is found by one refetch (past the cooldown).
    tokio::time::advance(Duration::from_secs(31)).await;
    mock.rotate_signing_key();
    let fresh = client
        .token(&id, &secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token;
    client
        .authenticate_token(fresh.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap();
    assert_eq!(jwks_fetches(&mock), 3);
}

#[tokio::test(start_paused = true)]
async fn jwks_failures_are_typed_rate_limited_and_a_stale_key_is_kept() {
    let (mock, id, secret) = frozen_project();
    let client = Client::builder(
        mock.project_id(),
        mock.project_secret().clone(),
        mock.clone(),
    )
    .clock(mock.clock().clone())
    .retry(RetryPolicy::disabled())
    .jwks_policy(
        JwksPolicy::default().with_ttl_bounds(Duration::from_secs(10), Duration::from_secs(10)),
    )
    .build()
    .unwrap();
    let token = client
        .token(&id, &secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token;
    mock.fail_next(Route::Jwks, 1, Fault::status(503));
    let e = client
        .authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap_err();
    let AuthError::JwksUnavailable(unavailable) = &e else {
        panic!("{e:?}")
    };
    let cause = std::error::Error::source(unavailable)
        .and_then(|s| s.downcast_ref::<Error>())
        .expect("the fetch error is the source");
    assert_eq!(cause.status(), Some(503));
    assert_eq!(e.http_status(), 503);
    let backoff = unavailable.retry_after().expect("a failed fetch backs off");
    assert!(backoff >= Duration::from_millis(500) && backoff <= Duration::from_secs(1));
    // Within the backoff, no new fetch: the same error at once.
    let again = client
        .authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(again, AuthError::JwksUnavailable(_)));
    assert_eq!(jwks_fetches(&mock), 1);
    tokio::time::advance(backoff).await;
    client
        .authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap();
    assert_eq!(jwks_fetches(&mock), 2);
    // Once fetched, a failed refresh keeps using the known key.
    tokio::time::advance(Duration::from_secs(11)).await;
    mock.fail_next(Route::Jwks, 1, Fault::status(503));
    let other = client
        .token(&id, &secret, &["read:users"])
        .await
        .unwrap()
        .access_token;
    client
        .authenticate_token(other.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_cached_token_is_still_checked_for_time_age_and_scopes() {
    let (mock, id, secret) = frozen_project();
    let client = mock.client();
    let jwt = client
        .token(&id, &secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token;
    let jwt = jwt.expose_secret();
    client
        .authenticate_token(jwt, &AuthenticateOptions::new())
        .await
        .unwrap();
    let e = client
        .authenticate_token(
            jwt,
            &AuthenticateOptions::new().required_scopes(["write:users"]),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, AuthError::MissingScopes { .. }));
    mock.clock().advance(Duration::from_secs(120));
    let e = client
        .authenticate_token(
            jwt,
            &AuthenticateOptions::new().max_token_age(Duration::from_secs(60)),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        AuthError::TooOld {
            issued_at: NOW,
            max_age_secs: 60
        }
    ));
    mock.clock().advance(Duration::from_secs(3600));
    let e = client
        .authenticate_token(jwt, &AuthenticateOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(e, AuthError::Invalid(InvalidToken::Expired)));
}

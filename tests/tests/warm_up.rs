//! `TokenVerifier::warm_up`: the keys fetched before the first request, once; an outage, a misconfiguration and a
//! hung JWKS reported at once (on a paused clock); a fixed key set always ready.

use std::time::Duration;

use stytch_m2m_core::auth::{AuthError, AuthenticateOptions, TokenVerifier};
use stytch_m2m_mock::{Fault, Route};
use stytch_m2m_tests::{frozen_mock, jwks_fetches, signed_token};

#[tokio::test(start_paused = true)]
async fn warming_up_fetches_the_keys_once_and_the_first_check_waits_for_nothing() {
    let mock = frozen_mock();
    let verifier = mock.verifier();
    assert_eq!(jwks_fetches(&mock), 0, "building fetches nothing");
    verifier.warm_up().await.unwrap();
    assert_eq!(jwks_fetches(&mock), 1);
    verifier.warm_up().await.unwrap();
    let token = signed_token(&mock, "first");
    verifier
        .authenticate_token(&token, &AuthenticateOptions::new())
        .await
        .unwrap();
    assert_eq!(
        jwks_fetches(&mock),
        1,
        "the keys were ready: no fetch since"
    );
}

#[tokio::test(start_paused = true)]
async fn an_outage_a_misconfiguration_and_a_hung_jwks_are_reported() {
    for (fault, misconfigured) in [
        (Fault::status(503), false),
        (Fault::status(404), true),
        (Fault::Delay(Duration::from_secs(24 * 3600)), false),
    ] {
        let mock = frozen_mock();
        mock.fail_next(Route::Jwks, 10, fault);
        let verifier = mock.verifier();
        let started = tokio::time::Instant::now();
        match verifier.warm_up().await {
            Err(AuthError::JwksUnavailable(e)) => {
                assert_eq!(e.is_misconfiguration(), misconfigured, "{e}")
            }
            other => panic!("{other:?}"),
        }
        assert!(
            started.elapsed() <= Duration::from_secs(30),
            "bounded by the fetch timeout"
        );
        // The next call starts no new fetch: held back by the backoff, or joining the fetch that hangs.
        let fetches = jwks_fetches(&mock);
        assert!(matches!(
            verifier.warm_up().await,
            Err(AuthError::JwksUnavailable(_))
        ));
        assert_eq!(jwks_fetches(&mock), fetches);
    }
}

#[tokio::test]
async fn a_fixed_key_set_is_always_ready() {
    let mock = frozen_mock();
    let jwks = serde_json::to_string(&serde_json::json!({ "keys": mock.engine().jwks() })).unwrap();
    let verifier = TokenVerifier::builder(mock.project_id())
        .transport(mock.clone())
        .static_jwks(jwks)
        .build()
        .unwrap();
    verifier.warm_up().await.unwrap();
    assert_eq!(jwks_fetches(&mock), 0);
}

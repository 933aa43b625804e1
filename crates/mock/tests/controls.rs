//! Each control for test authors: clock, deterministic mode, fault injection, request log, seeding, key rotation.

use std::time::Duration;

use serde_json::Value;
use stytch_m2m_core::models::ErrorType;
use stytch_m2m_core::models::{CreateRequest, SearchRequest};
use stytch_m2m_core::transport::TransportErrorKind;
use stytch_m2m_core::{Error, RetryPolicy};
use stytch_m2m_mock::{Fault, MockClock, MockStytch, Route};

fn claims(jwt: &str) -> Value {
    use base64::Engine as _;
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn the_clock_stamps_clients_and_tokens() {
    let mock = MockStytch::builder()
        .clock(MockClock::frozen_at_unix(1_700_000_000))
        .build();
    let client = mock.client();
    let m = client
        .clients()
        .create(CreateRequest::new(["a"]))
        .await
        .unwrap()
        .m2m_client;
    assert_eq!(m.created_at.as_deref(), Some("2023-11-14T22:13:20.000Z"));
    let first = client
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap();
    assert_eq!(
        claims(first.access_token.expose_secret())["iat"],
        1_700_000_000
    );
    mock.clock().advance(Duration::from_secs(3601));
    let later = client
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap();
    let c = claims(later.access_token.expose_secret());
    assert_eq!(
        (c["iat"].as_u64(), c["exp"].as_u64()),
        (Some(1_700_003_601), Some(1_700_007_201))
    );
    let started = client
        .clients()
        .secrets()
        .rotate_start(&m.client_id)
        .await
        .unwrap()
        .m2m_client;
    assert_eq!(
        started.next_rotation_started_at.as_deref(),
        Some("2023-11-14T23:13:21.000Z")
    );
}

async fn scripted_run(seed: u64) -> Vec<String> {
    let mock = MockStytch::builder()
        .deterministic(seed)
        .clock(MockClock::frozen_at_unix(1_700_000_000))
        .build();
    let client = mock.client();
    let created = client
        .clients()
        .create(CreateRequest::new(["read:users"]))
        .await
        .unwrap();
    let m = &created.m2m_client;
    let token = client
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap();
    let jwks = mock.engine().jwks();
    vec![
        mock.project_id().to_owned(),
        m.client_id.clone(),
        m.client_secret.expose_secret().to_owned(),
        created.request_id.clone(),
        token.access_token.expose_secret().to_owned(),
        jwks[0].kid.clone(),
        jwks[0].n.clone(),
    ]
}

#[tokio::test]
async fn deterministic_mode_repeats_itself() {
    let a = scripted_run(42).await;
    assert_eq!(
        a,
        scripted_run(42).await,
        "same seed, same ids, secrets, tokens and keys"
    );
    assert_ne!(a, scripted_run(43).await);
    insta::assert_json_snapshot!("deterministic_seed_42", a[..4]);
}

#[tokio::test(start_paused = true)]
async fn faults_answer_the_next_requests_of_a_route() {
    let mock = MockStytch::new();
    let client = mock.client();
    let id = mock
        .seed_client(CreateRequest::new(["a"]))
        .unwrap()
        .client_id;

    // Two 503s then success: the client's retries absorb them.
    mock.fail_next(Route::Get, 2, Fault::status(503));
    client.clients().get(&id).await.unwrap();
    assert_eq!(mock.requests().len(), 3);

    // Three 503s exhaust the default three attempts.
    mock.clear_requests();
    mock.fail_next(Route::Get, 3, Fault::status(503));
    let err = client.clients().get(&id).await.unwrap_err();
    assert_eq!(err.error_type(), Some(&ErrorType::InternalServerError));
    assert_eq!(mock.requests().len(), 3);

    // Faults target their route only: a get (one attempt, no retry to absorb a wrongly injected 500) passes,
    // and the delete fault is still armed for the delete.
    mock.clear_requests();
    mock.fail_next(Route::Delete, 1, Fault::status(500));
    let once = stytch_m2m_core::Client::builder(
        mock.project_id(),
        mock.project_secret().clone(),
        mock.clone(),
    )
    .retry(RetryPolicy::disabled())
    .build()
    .unwrap();
    once.clients().get(&id).await.unwrap();
    assert_eq!(mock.requests().len(), 1, "one attempt");
    assert_eq!(
        once.clients().delete(&id).await.unwrap_err().status(),
        Some(500)
    );
    assert!(
        mock.engine().get(&id).is_ok(),
        "the faulted delete had no effect"
    );

    // 429 with Retry-After is honoured.
    let started = tokio::time::Instant::now();
    mock.fail_next(Route::Search, 1, Fault::throttled(Duration::from_secs(4)));
    client.clients().search(SearchRequest::new()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(4));

    // A transport error; a create that may have been sent is not retried.
    mock.clear_requests();
    mock.fail_next(Route::Create, 1, Fault::Transport(TransportErrorKind::Io));
    let err = client
        .clients()
        .create(CreateRequest::new(["a"]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(mock.requests().len(), 1);
    assert_eq!(
        mock.engine().client_count(),
        1,
        "the faulted create had no effect"
    );

    // A delay longer than the attempt timeout: the attempt times out, the retry succeeds.
    mock.fail_next(Route::Get, 1, Fault::Delay(Duration::from_secs(60)));
    let patient = stytch_m2m_core::Client::builder(
        mock.project_id(),
        mock.project_secret().clone(),
        mock.clone(),
    )
    .retry(RetryPolicy::default())
    .build()
    .unwrap();
    patient.clients().get(&id).await.unwrap();

    // Any route.
    mock.fail_next_any(1, Fault::status(400));
    let err = client.clients().delete(&id).await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    client.clients().delete(&id).await.unwrap();
}

#[tokio::test]
async fn the_request_log_shows_what_was_sent() {
    let mock = MockStytch::new();
    let client = mock.client();
    client
        .clients()
        .create(CreateRequest::new(["read:users"]).client_name("logged"))
        .await
        .unwrap();
    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.url, "https://test.stytch.com/v1/m2m/clients");
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"scopes": ["read:users"], "client_name": "logged"})
    );
    assert!(!format!("{r:?}").contains(mock.project_secret().expose_secret()));
}

#[tokio::test]
async fn seeded_clients_work_through_the_api() {
    let mock = MockStytch::new();
    let seeded = mock
        .seed_client(
            CreateRequest::new(["read:users"])
                .client_id("seeded")
                .client_secret("x7Kp2QmZ-seeded"),
        )
        .unwrap();
    assert_eq!(seeded.client_secret.expose_secret(), "x7Kp2QmZ-seeded");
    let client = mock.client();
    assert_eq!(
        client
            .clients()
            .get("seeded")
            .await
            .unwrap()
            .m2m_client
            .scopes,
        ["read:users"]
    );
    assert!(
        client
            .token("seeded", &seeded.client_secret, stytch_m2m_core::NO_SCOPES)
            .await
            .is_ok()
    );
    // Seeding follows the API's rules.
    let refused = mock
        .seed_client(CreateRequest::new(["a"]).client_id("seeded"))
        .unwrap_err();
    assert_eq!(refused.error_type, ErrorType::DuplicateM2mClientId);
}

#[tokio::test]
async fn signing_keys_rotate_with_a_grace_period() {
    let mock = MockStytch::builder()
        .clock(MockClock::frozen_at_unix(1_700_000_000))
        .key_grace(Duration::from_secs(600))
        .build();
    let old = mock.engine().current_kid();
    let new = mock.rotate_signing_key();
    assert_ne!(old, new);
    let kids = |m: &MockStytch| {
        m.engine()
            .jwks()
            .into_iter()
            .map(|k| k.kid)
            .collect::<Vec<_>>()
    };
    assert_eq!(kids(&mock), [new.clone(), old.clone()]);
    let m = mock.seed_client(CreateRequest::new(["a"])).unwrap();
    let token = mock
        .client()
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap();
    let header = token
        .access_token
        .expose_secret()
        .split('.')
        .next()
        .unwrap()
        .to_owned();
    use base64::Engine as _;
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        header,
        serde_json::json!({"alg": "RS256", "kid": new, "typ": "JWT"})
    );
    mock.clock().advance(Duration::from_secs(601));
    assert_eq!(kids(&mock), [new]);
    // The JWKS route serves the same keys.
    let jwks_url = format!("/v1/sessions/jwks/{}", mock.project_id());
    let (status, body) = raw_get(&mock, &jwks_url).await;
    assert_eq!(status, 200);
    assert_eq!(body["keys"].as_array().unwrap().len(), 1);
    assert_eq!(body["keys"][0]["alg"], "RS256");
}

async fn raw_get(mock: &MockStytch, path: &str) -> (u16, Value) {
    let request = stytch_m2m_core::transport::HttpRequest::new(
        stytch_m2m_core::transport::Method::Get,
        format!("https://test.stytch.com{path}"),
    );
    let response = mock.handle(request).await.unwrap();
    (
        response.status,
        serde_json::from_slice(&response.body).unwrap(),
    )
}

#[tokio::test]
async fn live_projects_get_live_ids() {
    let mock = MockStytch::builder()
        .project_id("project-live-00000000-0000-4000-8000-000000000000")
        .build();
    let m = mock.seed_client(CreateRequest::new(["a"])).unwrap();
    assert!(m.client_id.starts_with("m2m-client-live-"));
    assert!(mock.engine().request_id().starts_with("request-id-live-"));
}

#[tokio::test]
async fn state_survives_a_snapshot() {
    let mock = MockStytch::new();
    let m = mock
        .seed_client(CreateRequest::new(["a"]).client_name("kept"))
        .unwrap();
    mock.engine().rotate_start(&m.client_id).unwrap();
    mock.rotate_signing_key();
    let snapshot = mock.engine().snapshot();
    let text = serde_json::to_string(&snapshot).unwrap();
    assert!(
        !text.contains(m.client_secret.expose_secret()),
        "client secrets are saved only as hashes"
    );
    let restored = stytch_m2m_mock::Engine::restore(
        &serde_json::from_str(&text).unwrap(),
        MockClock::system(),
        Duration::from_secs(3600),
    )
    .unwrap();
    assert_eq!(
        restored.get(&m.client_id).unwrap(),
        mock.engine().get(&m.client_id).unwrap()
    );
    assert_eq!(restored.jwks(), mock.engine().jwks());
    assert!(
        restored
            .token(&m.client_id, m.client_secret.expose_secret(), None)
            .is_ok()
    );
    assert_eq!(restored.snapshot(), snapshot);
}

#[test]
fn a_snapshot_never_shows_the_project_secret_in_debug() {
    let mock = MockStytch::new();
    let snapshot = mock.engine().snapshot();
    let shown = format!("{snapshot:?} {:?}", mock);
    assert!(
        !shown.contains(mock.project_secret().expose_secret()),
        "{shown}"
    );
    // ...but saves it, so that a restart keeps the same credentials.
    let text = serde_json::to_string(&snapshot).unwrap();
    assert!(text.contains(mock.project_secret().expose_secret()));
    // Nor the signing keys' private parts.
    for key in &snapshot.keys {
        assert!(!shown.contains(&key.pkcs8), "a private key in Debug");
        assert!(format!("{key:?}").contains(&key.kid));
    }
}

#[test]
fn deterministic_key_rotation_always_publishes_a_new_key() {
    for seed in 0..6 {
        let mock = MockStytch::builder().deterministic(seed).build();
        let mut previous = mock.engine().jwks()[0].n.clone();
        for _ in 0..4 {
            mock.rotate_signing_key();
            let kid = mock.engine().current_kid();
            let jwks = mock.engine().jwks();
            let current = &jwks.iter().find(|k| k.kid == kid).unwrap().n;
            assert_ne!(
                current, &previous,
                "seed {seed}: the same RSA key under a new kid"
            );
            previous = current.clone();
        }
    }
}

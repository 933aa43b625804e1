//! The control plane over HTTP: health, reset, export/import, the request journal, faults, the clock.

use serde_json::{Value, json};
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_core::transport::{HttpRequest, Method, Transport};
use stytch_m2m_emulator::Emulator;
use stytch_m2m_http::HttpTransport;
use stytch_m2m_mock::{MockClock, MockStytch};

mod support;
use support::*;

#[tokio::test]
async fn health_is_open_and_everything_else_needs_credentials() {
    let mock = MockStytch::new();
    let (base, _stop, _task) = start(Emulator::new(mock.clone())).await;
    let (status, body) = raw(&base, Method::Get, "/_emulator/health", Vec::new(), None).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));
    for (method, route) in [
        (Method::Post, "reset"),
        (Method::Get, "export"),
        (Method::Post, "import"),
        (Method::Get, "requests"),
        (Method::Post, "faults"),
        (Method::Delete, "faults"),
        (Method::Post, "clock/set"),
    ] {
        let (status, _) = raw(
            &base,
            method,
            &format!("/_emulator/{route}"),
            Vec::new(),
            None,
        )
        .await;
        assert_eq!(status, 401, "{route}");
    }
}

#[tokio::test]
async fn reset_export_and_import() {
    let mock = MockStytch::new();
    let (base, _stop, _task) = start(Emulator::new(mock.clone())).await;
    let client = client(&mock, &base);
    let kept = client
        .clients()
        .create(CreateRequest::new(["a"]).client_id("kept"))
        .await
        .unwrap();
    let (status, exported) = control(&base, &mock, Method::Get, "export", Value::Null).await;
    assert_eq!(status, 200);
    assert!(
        !exported
            .to_string()
            .contains(kept.m2m_client.client_secret.expose_secret())
    );
    client
        .clients()
        .create(CreateRequest::new(["a"]).client_id("extra"))
        .await
        .unwrap();
    // Import puts the exported state back whole.
    let (status, body) = control(&base, &mock, Method::Post, "import", exported.clone()).await;
    assert_eq!((status, body["clients"].as_u64()), (200, Some(1)));
    assert!(client.clients().get("kept").await.is_ok());
    assert!(client.clients().get("extra").await.is_err());
    let token = client
        .token("kept", &kept.m2m_client.client_secret, &["a"])
        .await;
    assert!(token.is_ok(), "secrets survive export and import");
    // Garbage, or another project's state, is refused and changes nothing.
    let (status, _) = control(&base, &mock, Method::Post, "import", json!({"nope": 1})).await;
    assert_eq!(status, 400);
    let other = MockStytch::new().engine().snapshot();
    let (status, _) = control(&base, &mock, Method::Post, "import", json!(other)).await;
    assert_eq!(status, 400);
    assert!(client.clients().get("kept").await.is_ok());
    // Reset forgets the clients; the signing keys stay.
    let kid = mock.engine().current_kid();
    let (status, _) = control(&base, &mock, Method::Post, "reset", Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(
        client
            .clients()
            .search(Default::default())
            .await
            .unwrap()
            .results_metadata
            .total,
        0
    );
    assert_eq!(mock.engine().current_kid(), kid);
}

#[tokio::test]
async fn the_journal_is_filterable_and_redacted() {
    let mock = MockStytch::new();
    let (base, _stop, _task) = start(Emulator::new(mock.clone())).await;
    let client = client(&mock, &base);
    let created = client
        .clients()
        .create(CreateRequest::new(["a"]).client_secret("x7Kp2QmZ-journal-secret"))
        .await
        .unwrap();
    client
        .clients()
        .get(&created.m2m_client.client_id)
        .await
        .unwrap();
    let (status, _) = raw(&base, Method::Get, "/v1/m2m/clients/x", Vec::new(), None).await;
    assert_eq!(status, 401);
    let (status, journal) = control(
        &base,
        &mock,
        Method::Get,
        "requests?route=create",
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    let entries = journal["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["route"], "create");
    let text = journal.to_string();
    assert!(!text.contains("x7Kp2QmZ-journal-secret"), "{text}");
    assert!(!text.contains(mock.project_secret().expose_secret()));
    assert_eq!(journal["unauthenticated"], 1);
    let (_, all) = control(&base, &mock, Method::Get, "requests", Value::Null).await;
    assert!(all["requests"].as_array().unwrap().len() >= 2);
}

async fn send(
    base: &str,
    mock: &MockStytch,
    method: Method,
    path: &str,
    body: Value,
) -> Result<u16, stytch_m2m_core::transport::TransportError> {
    let mut headers = project_auth(mock);
    headers.insert("content-type", "application/json");
    // `Value::Null` sends no body (as the SDKs do on get and delete).
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    HttpTransport::new()
        .send(
            HttpRequest::new(method, format!("{base}{path}"))
                .with_headers(headers)
                .with_body(body),
        )
        .await
        .map(|r| r.status)
}

#[tokio::test]
async fn faults_over_http() {
    let mock = MockStytch::new();
    let (base, _stop, _task) = start(Emulator::new(mock.clone())).await;
    mock.seed_client(CreateRequest::new(["a"]).client_id("c"))
        .unwrap();
    // A status for the next two requests to a route, with Retry-After.
    let (status, _) = control(
        &base,
        &mock,
        Method::Post,
        "faults",
        json!({"route": "get", "times": 2, "status": 429, "retry_after": 3}),
    )
    .await;
    assert_eq!(status, 200);
    for _ in 0..2 {
        assert_eq!(
            send(&base, &mock, Method::Get, "/v1/m2m/clients/c", Value::Null)
                .await
                .unwrap(),
            429
        );
    }
    assert_eq!(
        send(&base, &mock, Method::Get, "/v1/m2m/clients/c", Value::Null)
            .await
            .unwrap(),
        200
    );
    // Each journaled once, whether answered at once (no fault armed) or the faults' way.
    let gets = mock
        .requests()
        .iter()
        .filter(|r| r.url == "/v1/m2m/clients/c")
        .count();
    assert_eq!(gets, 3);
    // A reset connection: no answer at all.
    control(
        &base,
        &mock,
        Method::Post,
        "faults",
        json!({"route": "get", "reset_connection": true}),
    )
    .await;
    assert!(
        send(&base, &mock, Method::Get, "/v1/m2m/clients/c", Value::Null)
            .await
            .is_err()
    );
    // Apply the change, then lose the response: the client sees an error, yet the change was made.
    control(
        &base,
        &mock,
        Method::Post,
        "faults",
        json!({"route": "create", "apply_then_lose": true}),
    )
    .await;
    let lost = send(
        &base,
        &mock,
        Method::Post,
        "/v1/m2m/clients",
        json!({"scopes": ["a"], "client_id": "applied"}),
    )
    .await;
    assert!(lost.is_err());
    assert!(
        mock.engine().get("applied").is_ok(),
        "applied, though never acknowledged"
    );
    // With a probability, until disarmed.
    control(
        &base,
        &mock,
        Method::Post,
        "faults",
        json!({"probability": 1.0, "status": 503}),
    )
    .await;
    for _ in 0..3 {
        assert_eq!(
            send(&base, &mock, Method::Get, "/v1/m2m/clients/c", Value::Null)
                .await
                .unwrap(),
            503
        );
    }
    let (status, _) = control(&base, &mock, Method::Delete, "faults", Value::Null).await;
    assert_eq!(status, 200);
    assert_eq!(
        send(&base, &mock, Method::Get, "/v1/m2m/clients/c", Value::Null)
            .await
            .unwrap(),
        200
    );
    // Nonsense is refused.
    for nonsense in [
        json!({"route": "nope", "status": 500}),
        json!({"status": 99}),
        json!({"times": 1}),
        json!({"status": 500, "times": 1, "probability": 0.5}),
    ] {
        let (status, _) = control(&base, &mock, Method::Post, "faults", nonsense.clone()).await;
        assert_eq!(status, 400, "{nonsense}");
    }
}

#[tokio::test]
async fn the_clock_can_be_set_within_range() {
    let mock = MockStytch::builder()
        .clock(MockClock::frozen_at_unix(1_800_000_000))
        .build();
    let (base, _stop, _task) = start(Emulator::new(mock.clone())).await;
    let (status, body) = control(
        &base,
        &mock,
        Method::Post,
        "clock/set",
        json!({"unix": 1_900_000_000}),
    )
    .await;
    assert_eq!((status, body["now"].as_u64()), (200, Some(1_900_000_000)));
    let (status, body) = control(
        &base,
        &mock,
        Method::Post,
        "clock/set",
        json!({"unix": 1_700_000_000}),
    )
    .await;
    assert_eq!(
        (status, body["now"].as_u64()),
        (200, Some(1_700_000_000)),
        "back in time too"
    );
    for unix in [u64::MAX, 253_402_300_800] {
        let (status, _) = control(
            &base,
            &mock,
            Method::Post,
            "clock/set",
            json!({"unix": unix}),
        )
        .await;
        assert_eq!(status, 400);
    }
    assert_eq!(mock.clock().now_unix(), 1_700_000_000);
}

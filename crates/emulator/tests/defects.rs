//! Defects found by trying the emulator as an attacker would, each with the test that failed before its fix.

use std::time::Duration;

use serde_json::json;
use stytch_m2m_core::transport::Method;
use stytch_m2m_emulator::Emulator;
use stytch_m2m_mock::{MockClock, MockStytch};

mod support;
use support::*;

#[tokio::test]
async fn a_url_in_the_query_string_does_not_route() {
    let mock = MockStytch::new();
    let (base, _stop, _task) = start(Emulator::new(mock.clone())).await;
    let path = format!("/nothing?n=http://x/v1/sessions/jwks/{}", mock.project_id());
    let (status, body) = raw(&base, Method::Get, &path, Vec::new(), None).await;
    assert_eq!(status, 404);
    assert_eq!(body["error_type"], "route_not_found");
}

#[tokio::test]
async fn the_clock_never_wraps_around() {
    let mock = MockStytch::builder()
        .clock(MockClock::frozen_at_unix(1_800_000_000))
        .build();
    let (base, _stop, _task) = start(Emulator::new(mock.clone())).await;
    let first_kid = mock.engine().current_kid();
    mock.rotate_signing_key(); // the first key retires, with a one-hour grace period
    mock.clock().advance(Duration::from_secs(3601));
    assert_eq!(
        mock.engine().jwks().len(),
        1,
        "the retired key left the JWKS"
    );
    for seconds in [u64::MAX, u64::MAX / 1000, 9_000_000_000_000] {
        let (status, body) = raw(
            &base,
            Method::Post,
            "/_emulator/clock/advance",
            json!({ "seconds": seconds }).to_string().into_bytes(),
            Some(&mock),
        )
        .await;
        assert_eq!(status, 400, "{seconds}: {body}");
        assert!(stytch_error(&body));
    }
    assert_eq!(mock.clock().now_unix(), 1_800_003_601, "nothing changed");
    assert!(
        mock.engine().jwks().iter().all(|k| k.kid != first_kid),
        "a retired key is never published again"
    );
    // In-process, `advance` saturates at the latest instant instead of wrapping.
    mock.clock().advance(Duration::MAX);
    assert_eq!(mock.clock().now_millis(), MockClock::LATEST_MILLIS);
}

#[tokio::test]
async fn a_secret_sent_as_a_number_is_never_echoed() {
    let mock = MockStytch::new();
    let (base, _stop, _task) = start(Emulator::new(mock.clone())).await;
    let body = br#"{"scopes": ["read:users"], "client_secret": 918273645546372819}"#.to_vec();
    let (status, answer) = raw(&base, Method::Post, "/v1/m2m/clients", body, Some(&mock)).await;
    assert_eq!(status, 400);
    assert!(
        !answer.to_string().contains("918273645546372819"),
        "{answer}"
    );
}

#[tokio::test]
async fn unreachable_client_ids_are_refused() {
    let mock = MockStytch::new();
    let (base, _stop, _task) = start(Emulator::new(mock.clone())).await;
    for id in [".", ".."] {
        let body = json!({"scopes": ["read:users"], "client_id": id}).to_string();
        let (status, answer) = raw(
            &base,
            Method::Post,
            "/v1/m2m/clients",
            body.into_bytes(),
            Some(&mock),
        )
        .await;
        assert_eq!(status, 400, "{id}");
        assert_eq!(answer["error_type"], "m2m_client_invalid_client_id");
    }
    assert!(mock.engine().get(".").is_err());
}

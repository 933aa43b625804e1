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

#[cfg(unix)]
#[tokio::test]
async fn the_state_file_is_private_and_never_written_through_a_planted_path() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = std::env::temp_dir().join(format!("stytch-m2m-defects-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    let victim = dir.join("victim");
    std::fs::write(&victim, "untouched").unwrap();
    // The old fixed temporary name, planted as a symlink to a victim file.
    std::os::unix::fs::symlink(&victim, dir.join("state.json.tmp")).unwrap();
    let mock = MockStytch::new();
    let state = stytch_m2m_emulator::StateFile::new(&path);
    state.save(&mock.engine().snapshot()).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode, 0o600,
        "the state file holds the project secret and private keys"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".tmp") && n != "state.json.tmp")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_change_that_cannot_be_saved_is_refused_and_not_applied() {
    let dir = std::env::temp_dir().join(format!("stytch-m2m-durable-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mock = MockStytch::new();
    let emulator = Emulator::with_state(
        mock.clone(),
        Some(stytch_m2m_emulator::StateFile::new(dir.join("state.json"))),
    );
    emulator.persist().await.unwrap();
    let (base, _stop, _task) = start(emulator).await;
    // The disk goes away: nothing can be saved.
    std::fs::remove_dir_all(&dir).unwrap();
    let body = json!({"scopes": ["read:users"], "client_id": "lost"}).to_string();
    let (status, answer) = raw(
        &base,
        Method::Post,
        "/v1/m2m/clients",
        body.clone().into_bytes(),
        Some(&mock),
    )
    .await;
    assert_eq!(status, 500, "{answer}");
    assert!(stytch_error(&answer));
    assert!(mock.engine().get("lost").is_err(), "not applied");
    let (status, _) = raw(
        &base,
        Method::Post,
        "/_emulator/keys/rotate",
        Vec::new(),
        Some(&mock),
    )
    .await;
    assert_eq!(status, 500);
    assert_eq!(mock.engine().jwks().len(), 1, "the rotation was undone");
    // Once the disk is back, the same change succeeds and is saved.
    std::fs::create_dir_all(&dir).unwrap();
    let (status, _) = raw(
        &base,
        Method::Post,
        "/v1/m2m/clients",
        body.into_bytes(),
        Some(&mock),
    )
    .await;
    assert_eq!(status, 200);
    let saved = stytch_m2m_emulator::StateFile::new(dir.join("state.json"))
        .load()
        .unwrap()
        .unwrap();
    assert!(saved.clients.iter().any(|c| c.client_id == "lost"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn duplicate_seq_values_are_refused_at_load() {
    let mock = MockStytch::new();
    for id in ["a", "b"] {
        mock.seed_client(stytch_m2m_core::models::CreateRequest::new(["x"]).client_id(id))
            .unwrap();
    }
    let mut snapshot = mock.engine().snapshot();
    snapshot.clients[1].seq = snapshot.clients[0].seq;
    let refused = stytch_m2m_mock::Engine::restore(
        &snapshot,
        MockClock::system(),
        stytch_m2m_mock::DEFAULT_KEY_GRACE,
    )
    .unwrap_err();
    assert!(refused.contains("seq"), "{refused}");
}

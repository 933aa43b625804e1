//! What the emulator refuses rather than half-honours: an empty project secret, a pinned signing key that a state
//! file keeps only as retired, an import it cannot honour whole, and a journal filter naming no route.

use std::process::{Command, Stdio};

use serde_json::{Value, json};
use stytch_m2m_core::transport::Method;
use stytch_m2m_emulator::TestEmulator;
use stytch_m2m_mock::MockStytch;

mod support;
use support::{KillOnDrop, address_of, control};

const PROJECT: &str = "project-test-77777777-2222-4333-8444-555555555555";
const SECRET: &str = "secret-test-refusals-0123456789-abcdefghij";
const KEY: &str = include_str!("../../mock/keys/deterministic-1.pem");

fn emulator(vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stytch-m2m-emulator"));
    command
        .env("STYTCH_EMULATOR_PORT", "0")
        .env("STYTCH_EMULATOR_PROJECT_ID", PROJECT)
        .env("STYTCH_EMULATOR_SECRET", SECRET)
        .envs(vars.iter().copied());
    command
}

/// Only for the control plane's credentials: the project the binary serves.
fn credentials() -> MockStytch {
    MockStytch::builder()
        .project_id(PROJECT)
        .secret(SECRET)
        .build()
}

#[test]
fn an_empty_project_secret_is_refused_naming_the_variable() {
    let output = emulator(&[("STYTCH_EMULATOR_SECRET", "")])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(
        err.contains("STYTCH_EMULATOR_SECRET") && err.contains("empty"),
        "{err}"
    );
}

#[tokio::test]
async fn a_pinned_key_kept_only_as_retired_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    std::fs::write(&key, KEY).unwrap();
    let state = dir.path().join("state.json");
    let vars = [
        ("STYTCH_EMULATOR_SIGNING_KEY", key.to_str().unwrap()),
        ("STYTCH_EMULATOR_STATE", state.to_str().unwrap()),
    ];
    let mut first = KillOnDrop(emulator(&vars).stdout(Stdio::piped()).spawn().unwrap());
    let base = format!("http://{}", address_of(&mut first));
    let (status, _) = control(
        &base,
        &credentials(),
        Method::Post,
        "keys/rotate",
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
    drop(first);
    // The same key again: it no longer signs, so starting with it pinned is refused.
    let output = emulator(&vars).output().unwrap();
    assert!(!output.status.success());
    let err = String::from_utf8(output.stderr).unwrap();
    assert!(err.contains("retired"), "{err}");
}

#[tokio::test]
async fn an_import_it_cannot_honour_is_refused_and_changes_nothing() {
    let mock = MockStytch::new();
    let emulator = TestEmulator::serve(mock.clone()).await.unwrap();
    let base = emulator.base_url().to_owned();
    let (_, exported) = control(&base, &mock, Method::Get, "export", Value::Null).await;
    for (field, value) in [
        ("version", json!(99)),
        ("project_kind", json!("b2b")),
        ("issuer", json!("https://login.example.com")),
    ] {
        let mut document = exported.clone();
        document[field] = value;
        let (status, body) = control(&base, &mock, Method::Post, "import", document).await;
        assert_eq!(status, 400, "{field}: {body}");
        assert!(body.to_string().contains("cannot be imported"), "{body}");
    }
    let (_, after) = control(&base, &mock, Method::Get, "export", Value::Null).await;
    assert_eq!(after, exported, "nothing changed");
    // The document as exported is accepted.
    let (status, _) = control(&base, &mock, Method::Post, "import", exported).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_journal_refuses_a_route_name_that_is_none() {
    let mock = MockStytch::new();
    let emulator = TestEmulator::serve(mock.clone()).await.unwrap();
    let base = emulator.base_url().to_owned();
    let (status, body) = control(
        &base,
        &mock,
        Method::Get,
        "requests?route=bogus",
        Value::Null,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("rotate_start"), "{body}");
    let (status, _) = control(
        &base,
        &mock,
        Method::Get,
        "requests?route=token",
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);
}

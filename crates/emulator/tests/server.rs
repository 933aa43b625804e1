//! The emulator as a server: bad input, OpenAPI, controls, state across restarts, corrupt state, the binary's
//! start-up and graceful shutdown. Every server binds 127.0.0.1 port 0 and stops with its test.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use stytch_m2m_core::auth::AuthenticateOptions;
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_core::transport::Method;
use stytch_m2m_emulator::{Emulator, StateFile};
use stytch_m2m_mock::DEFAULT_KEY_GRACE;
use stytch_m2m_mock::{Engine, MockClock, MockStytch};

mod support;
use support::*;

#[tokio::test]
async fn bad_input_gets_stytch_shaped_errors() {
    let mock = MockStytch::new();
    let (base, stop, task) = start(Emulator::new(mock.clone())).await;
    let (status, body) = raw(
        &base,
        Method::Post,
        "/v1/m2m/clients",
        b"{\"scopes\": [".to_vec(),
        Some(&mock),
    )
    .await;
    assert_eq!(
        (status, body["error_type"].as_str()),
        (400, Some("bad_request"))
    );
    assert!(stytch_error(&body), "{body}");
    let (status, body) = raw(
        &base,
        Method::Post,
        "/v1/m2m/clients",
        vec![b' '; 2 * 1024 * 1024],
        Some(&mock),
    )
    .await;
    assert_eq!(status, 413);
    assert!(stytch_error(&body), "{body}");
    let (status, body) = raw(&base, Method::Get, "/nowhere/at/all", Vec::new(), None).await;
    assert_eq!(
        (status, body["error_type"].as_str()),
        (404, Some("route_not_found"))
    );
    let (status, body) = raw(
        &base,
        Method::Post,
        "/v1/m2m/clients",
        vec![0xff, 0xfe, 0x00],
        Some(&mock),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    // The server is still there.
    assert_eq!(
        raw(
            &base,
            Method::Post,
            "/v1/m2m/clients/search",
            b"{}".to_vec(),
            Some(&mock)
        )
        .await
        .0,
        200
    );
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn serves_its_openapi_document() {
    let mock = MockStytch::new();
    let (base, _stop, _task) = start(Emulator::new(mock)).await;
    let (status, doc) = raw(&base, Method::Get, "/openapi.json", Vec::new(), None).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        doc["paths"].as_object().unwrap().len(),
        8,
        "eight paths carry the ten operations"
    );
    // Stands alone: every $ref resolves inside it, and each schema compiles.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&doc, &mut found);
    for r in found {
        assert!(doc.pointer(r.strip_prefix('#').unwrap()).is_some(), "{r}");
    }
    let mut schema = doc.clone();
    schema["$ref"] = json!("#/components/schemas/GetResponse");
    let validator = jsonschema::validator_for(&schema).unwrap();
    let m = MockStytch::new();
    let created = m.seed_client(CreateRequest::new(["a"])).unwrap();
    let get = json!({"status_code": 200, "request_id": "r", "m2m_client": m.engine().get(&created.client_id).unwrap()});
    assert!(validator.is_valid(&get));
}

#[tokio::test]
async fn controls_move_the_clock_and_rotate_keys() {
    let mock = MockStytch::builder()
        .clock(MockClock::frozen_at_unix(1_800_000_000))
        .build();
    let (base, _stop, _task) = start(Emulator::new(mock.clone())).await;
    let (status, body) = raw(
        &base,
        Method::Post,
        "/_emulator/clock/advance",
        b"{\"seconds\": 60}".to_vec(),
        Some(&mock),
    )
    .await;
    assert_eq!((status, body["now"].as_u64()), (200, Some(1_800_000_060)));
    let (status, _) = raw(
        &base,
        Method::Post,
        "/_emulator/clock/advance",
        b"{\"seconds\": 60}".to_vec(),
        None,
    )
    .await;
    assert_eq!(status, 401);
    let old = mock.engine().current_kid();
    let (status, body) = raw(
        &base,
        Method::Post,
        "/_emulator/keys/rotate",
        Vec::new(),
        Some(&mock),
    )
    .await;
    assert_eq!(status, 200);
    assert_ne!(body["kid"].as_str(), Some(old.as_str()));
    assert_eq!(mock.engine().jwks().len(), 2);
}

#[tokio::test]
async fn clients_and_keys_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("stytch-m2m-emulator-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    let _ = std::fs::remove_file(&path);

    let mock = MockStytch::new();
    let emulator = Emulator::with_state(mock.clone(), Some(StateFile::new(&path)));
    emulator.persist().await.unwrap();
    let (base, stop, task) = start(emulator).await;
    let c = client(&mock, &base);
    let m = c
        .clients()
        .create(CreateRequest::new(["read:users"]).client_name("survivor"))
        .await
        .unwrap()
        .m2m_client;
    let token = c
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token;
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
    assert!(
        !dir.join("state.json.tmp").exists(),
        "the temporary file was renamed into place"
    );

    // Restart from the file.
    let saved = StateFile::new(&path).load().unwrap().expect("saved");
    let restored = MockStytch::from_engine(
        Engine::restore(&saved, MockClock::system(), DEFAULT_KEY_GRACE).unwrap(),
    );
    assert_eq!(restored.project_id(), mock.project_id());
    let (base, _stop, _task) = start(Emulator::with_state(
        restored.clone(),
        Some(StateFile::new(&path)),
    ))
    .await;
    let c = client(&restored, &base);
    assert_eq!(
        c.clients()
            .get(&m.client_id)
            .await
            .unwrap()
            .m2m_client
            .client_name,
        "survivor"
    );
    assert!(
        c.token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
            .await
            .is_ok(),
        "the secret hash survived"
    );
    let verified = c
        .authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
        .await;
    assert!(
        verified.is_ok(),
        "a token minted before the restart still verifies: {verified:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_corrupt_state_file_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("stytch-m2m-corrupt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.json");
    std::fs::write(&path, b"{\"version\": 1, \"project_id\": ").unwrap();
    let err = StateFile::new(&path).load().unwrap_err();
    assert!(
        err.contains("corrupt") && err.contains("state.json"),
        "{err}"
    );
    // The binary refuses to start on it, and says why.
    let output = Command::new(env!("CARGO_BIN_EXE_stytch-m2m-emulator"))
        .args(["--port", "0", "--state"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("corrupt"), "{stderr}");
    // A state file of another project is refused too.
    let mock = MockStytch::new();
    StateFile::new(&path)
        .save(&mock.engine().snapshot())
        .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_stytch-m2m-emulator"))
        .args([
            "--port",
            "0",
            "--project-id",
            "project-test-someone-else",
            "--state",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("belongs to project"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Kills the child process if the test ends early, so no server outlives its test.

#[test]
fn the_binary_prints_its_project_and_stops_on_sigterm() {
    let child = Command::new(env!("CARGO_BIN_EXE_stytch-m2m-emulator"))
        .args([
            "--port",
            "0",
            "--project-id",
            "project-test-11111111-2222-4333-8444-555555555555",
        ])
        .env(
            "STYTCH_EMULATOR_SECRET",
            "secret-test-from-the-environment-0123456789",
        )
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    while seen.len() < 5 {
        seen.push(lines.next().unwrap().unwrap());
    }
    let text = seen.join("\n");
    assert!(text.contains("base URL:       http://127.0.0.1:"), "{text}");
    assert!(
        text.contains("project id:     project-test-11111111-2222-4333-8444-555555555555"),
        "{text}"
    );
    assert!(
        !text.contains("secret-test-from-the-environment-0123456789"),
        "a secret the user gave is never printed: {text}"
    );
    assert!(
        text.contains("project secret: the one given (not shown)"),
        "{text}"
    );
    let base = seen
        .iter()
        .find_map(|l| l.trim().strip_prefix("base URL:"))
        .unwrap()
        .trim()
        .to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (status, _) = runtime.block_on(raw(&base, Method::Get, "/openapi.json", Vec::new(), None));
    assert_eq!(status, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            assert!(status.success(), "graceful shutdown exits 0: {status:?}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the emulator did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn production_variables_never_reach_the_emulator_and_a_generated_secret_is_printed() {
    let child = Command::new(env!("CARGO_BIN_EXE_stytch-m2m-emulator"))
        .args(["--port", "0"])
        .env(
            "STYTCH_PROJECT_ID",
            "project-live-00000000-0000-4000-8000-000000000000",
        )
        .env("STYTCH_SECRET", "secret-live-production-value-do-not-print")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let seen: Vec<String> = (0..4).map(|_| lines.next().unwrap().unwrap()).collect();
    let text = seen.join("\n");
    assert!(!text.contains("secret-live-production-value"), "{text}");
    assert!(!text.contains("project-live-00000000"), "{text}");
    let secret = seen
        .iter()
        .find_map(|l| l.trim().strip_prefix("project secret:"))
        .unwrap()
        .trim();
    assert!(
        secret.starts_with("secret-test-") && secret.len() > 20,
        "{text}"
    );
    drop(child);
}

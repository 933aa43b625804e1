//! The control plane never loses or half-applies state: bad bodies change nothing, a failed import leaves the
//! state before it (in memory and on disk), and an injected delay holds up no other change.

use std::time::Duration;

use serde_json::{Value, json};
use stytch_m2m_core::models::{CreateRequest, UpdateRequest};
use stytch_m2m_core::transport::Method;
use stytch_m2m_emulator::{Emulator, StateFile};
use stytch_m2m_mock::MockStytch;

mod support;
use support::*;

/// A fresh directory for a state file, removed with the test.
struct Dir(std::path::PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("stytch-m2m-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn state(&self) -> StateFile {
        StateFile::new(self.0.join("state.json"))
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn clients(base: &str, mock: &MockStytch) -> Vec<String> {
    let found = client(mock, base)
        .clients()
        .search(Default::default())
        .await
        .unwrap();
    found.m2m_clients.into_iter().map(|c| c.client_id).collect()
}

#[tokio::test]
async fn a_malformed_reset_body_is_refused_and_deletes_nothing() {
    let mock = MockStytch::new();
    let (base, _stop, _task) = start(Emulator::new(mock.clone())).await;
    mock.seed_client(CreateRequest::new(["a"]).client_id("kept"))
        .unwrap();
    for body in [
        &b"{\"deterministic\": 5"[..],
        b"[1,2]",
        b"nonsense",
        b"\"text\"",
        b"{\"deterministic\": \"5\"}",
    ] {
        let (status, answer) = raw(
            &base,
            Method::Post,
            "/_emulator/reset",
            body.to_vec(),
            Some(&mock),
        )
        .await;
        assert_eq!(status, 400, "{}: {answer}", String::from_utf8_lossy(body));
        assert!(stytch_error(&answer));
        assert_eq!(clients(&base, &mock).await, ["kept"]);
    }
    // An empty body, or an object, still resets.
    let (status, _) = control(&base, &mock, Method::Post, "reset", json!({})).await;
    assert_eq!(status, 200);
    assert!(clients(&base, &mock).await.is_empty());
}

#[tokio::test]
async fn an_import_that_cannot_be_saved_leaves_the_state_before_it() {
    let dir = Dir::new("import-unsaved");
    let mock = MockStytch::new();
    mock.seed_client(CreateRequest::new(["a"]).client_id("before"))
        .unwrap();
    let emulator = Emulator::with_state(mock.clone(), Some(dir.state()));
    emulator.persist().await.unwrap();
    let (base, _stop, _task) = start(emulator).await;
    // A document to import: the same project with another client.
    let other = mock.engine().snapshot();
    mock.seed_client(CreateRequest::new(["a"]).client_id("imported"))
        .unwrap();
    let document = json!(mock.engine().snapshot());
    let (status, _) = control(&base, &mock, Method::Post, "import", json!(other)).await;
    assert_eq!(status, 200);
    assert_eq!(clients(&base, &mock).await, ["before"]);
    // The disk goes away: the import cannot be saved, so it is not applied.
    std::fs::remove_dir_all(&dir.0).unwrap();
    let (status, answer) = control(&base, &mock, Method::Post, "import", document).await;
    assert_eq!(status, 500, "{answer}");
    assert_eq!(clients(&base, &mock).await, ["before"], "in memory");
    std::fs::create_dir_all(&dir.0).unwrap();
    let (status, _) = control(&base, &mock, Method::Post, "keys/rotate", Value::Null).await;
    assert_eq!(status, 200);
    let saved = dir.state().load().unwrap().unwrap();
    let ids: Vec<_> = saved.clients.iter().map(|c| c.client_id.as_str()).collect();
    assert_eq!(ids, ["before"], "on disk");
}

#[tokio::test]
async fn a_delayed_request_holds_up_no_other_change() {
    let dir = Dir::new("delay-lock");
    let mock = MockStytch::new();
    mock.seed_client(CreateRequest::new(["a"]).client_id("other"))
        .unwrap();
    let emulator = Emulator::with_state(mock.clone(), Some(dir.state()));
    emulator.persist().await.unwrap();
    let (base, _stop, _task) = start(emulator).await;
    let (status, _) = control(
        &base,
        &mock,
        Method::Post,
        "faults",
        json!({"route": "create", "times": 1, "delay_ms": 600_000}),
    )
    .await;
    assert_eq!(status, 200);
    let slow = {
        let client = client(&mock, &base);
        tokio::spawn(async move {
            client
                .clients()
                .create(CreateRequest::new(["a"]).client_id("slow"))
                .await
        })
    };
    // Wait until the delayed create has reached the emulator.
    while !mock
        .requests()
        .iter()
        .any(|r| r.url.ends_with("/v1/m2m/clients"))
    {
        tokio::task::yield_now().await;
    }
    // An update and a key rotation go through while the create waits (a liveness guard, not a timing).
    let others = async {
        client(&mock, &base)
            .clients()
            .update("other", UpdateRequest::new().client_name("renamed"))
            .await
            .unwrap();
        control(&base, &mock, Method::Post, "keys/rotate", Value::Null).await
    };
    let (status, _) = tokio::time::timeout(Duration::from_secs(60), others)
        .await
        .expect("the update and the rotation waited for the delayed create");
    assert_eq!(status, 200);
    assert!(!slow.is_finished(), "the create is still delayed");
    slow.abort();
}

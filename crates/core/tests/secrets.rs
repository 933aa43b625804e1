//! Secrets (the project secret, client secrets, access tokens) never appear in `Debug`, `Display`, error messages
//! or logs, even at TRACE level.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use stytch_m2m_core::models::CreateRequest;
use support::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn no_secret_in_logs_debug_or_errors() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let custom_secret = "x7Kp2QmZ-custom-secret";
    let t = Scripted::new([
        Scripted::json(503, "{}"),
        Scripted::json(200, &fixture("CreateResponse.create.json")),
        Scripted::json(503, "{}"),
        Scripted::json(200, &fixture("RotateStartResponse.rotate_start.json")),
        Scripted::json(500, r#"{"error_type":"internal_server_error"}"#),
        Scripted::json(500, r#"{"error_type":"internal_server_error"}"#),
        Scripted::json(500, r#"{"error_type":"internal_server_error"}"#),
    ]);
    let client = t.client();
    let created = client
        .clients()
        .create(CreateRequest::new(["a"]).client_secret(custom_secret))
        .await;
    let err1 = created.unwrap_err();
    let created = client
        .clients()
        .create(CreateRequest::new(["a"]).client_secret(custom_secret))
        .await
        .unwrap();
    let err2 = client
        .clients()
        .secrets()
        .rotate_start("m2m-client-test-1")
        .await
        .unwrap_err();
    let started = client
        .clients()
        .secrets()
        .rotate_start("m2m-client-test-1")
        .await
        .unwrap();
    let err3 = client.clients().get("m2m-client-test-1").await;

    let secrets = [
        PROJECT_SECRET,
        custom_secret,
        created.m2m_client.client_secret.expose_secret(),
        started.m2m_client.next_client_secret.expose_secret(),
    ];
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("m2m.clients.create"),
        "the span is logged: {logs}"
    );
    assert!(
        logs.contains("request-id-test-b05c992f"),
        "the request id is logged: {logs}"
    );
    let requests: Vec<String> = t.requests().iter().map(|r| format!("{r:?}")).collect();
    let shown = [
        logs,
        format!("{client:?}"),
        format!("{created:?}"),
        format!("{started:?}"),
        format!("{err1} {err1:?} {err2} {err2:?} {err3:?}"),
        requests.join("\n"),
    ];
    for text in &shown {
        for secret in secrets {
            assert!(!text.contains(secret), "a secret leaked into: {text}");
        }
        // Nor the Basic credentials that encode the project secret.
        assert!(!text.contains("Basic "), "credentials leaked into: {text}");
    }
}

//! Helpers of the emulator's tests: a server on 127.0.0.1:0 that stops with its test, a client, raw requests.

#![allow(dead_code)]

use serde_json::Value;
use stytch_m2m_core::transport::{Headers, HttpRequest, Method, Transport};
use stytch_m2m_core::{Client, RetryPolicy};
use stytch_m2m_emulator::Emulator;
use stytch_m2m_http::HttpTransport;
use stytch_m2m_mock::MockStytch;

/// Serves `emulator` on 127.0.0.1:0: its base URL, the sender that stops it, and its task.
pub async fn start(
    emulator: Emulator,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(emulator.serve(listener, async move {
        let _ = stopped.await;
    }));
    (base, stop, task)
}

/// A client of the mock project through the emulator.
pub fn client(mock: &MockStytch, base: &str) -> Client {
    Client::builder(
        mock.project_id(),
        mock.project_secret().clone(),
        HttpTransport::new(),
    )
    .base_url(base)
    .retry(RetryPolicy::disabled())
    .clock(mock.clock().clone())
    .build()
    .unwrap()
}

/// Sends one request (with the project's Basic credentials when `auth`): status and JSON body.
pub async fn raw(
    base: &str,
    method: Method,
    path: &str,
    body: Vec<u8>,
    auth: Option<&MockStytch>,
) -> (u16, Value) {
    let headers = auth.map_or_else(Headers::new, project_auth);
    let response = HttpTransport::new()
        .send(
            HttpRequest::new(method, format!("{base}{path}"))
                .with_headers(headers)
                .with_body(body),
        )
        .await
        .unwrap();
    (
        response.status,
        serde_json::from_slice(&response.body).unwrap_or(Value::Null),
    )
}

/// Headers with the project's Basic credentials.
pub fn project_auth(mock: &MockStytch) -> Headers {
    use base64::Engine as _;
    let credentials = format!(
        "{}:{}",
        mock.project_id(),
        mock.project_secret().expose_secret()
    );
    let mut headers = Headers::new();
    headers.insert(
        "authorization",
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(credentials)
        ),
    );
    headers
}

/// Whether a body has Stytch's five error fields.
pub fn stytch_error(body: &Value) -> bool {
    [
        "status_code",
        "request_id",
        "error_type",
        "error_message",
        "error_url",
    ]
    .iter()
    .all(|f| body.get(*f).is_some())
}

/// A control-plane request with the project's credentials (`Value::Null`: no body).
pub async fn control(
    base: &str,
    mock: &MockStytch,
    method: Method,
    route: &str,
    body: Value,
) -> (u16, Value) {
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    raw(
        base,
        method,
        &format!("/_emulator/{route}"),
        bytes,
        Some(mock),
    )
    .await
}

/// The emulator binary, killed (and waited for) when dropped.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads the binary's start-up lines until the base URL; returns it without `http://`.
pub fn address_of(child: &mut KillOnDrop) -> String {
    use std::io::{BufRead as _, BufReader};
    let mut lines = BufReader::new(child.0.stdout.take().expect("stdout is piped")).lines();
    loop {
        let line = lines.next().expect("a start-up line").expect("readable");
        if let Some(base) = line.trim().strip_prefix("base URL:") {
            // Keep reading the rest in the background, so that the binary never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return base.trim().trim_start_matches("http://").to_owned();
        }
    }
}

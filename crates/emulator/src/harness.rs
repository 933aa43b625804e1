//! [`TestEmulator`]: the emulator in-process on 127.0.0.1:0 for a Rust test, stopped when dropped.

use stytch_m2m_core::Client;
use stytch_m2m_core::transport::Transport;
use stytch_m2m_mock::MockStytch;
use stytch_m2m_models::Secret;

use crate::Emulator;

/// The emulator served in-process on `127.0.0.1:0`, for your own tests: its base URL, project id and secret, a
/// client over any transport, and the mock's controls (clock, faults, keys, journal). The server stops when this
/// is dropped.
///
/// ```
/// use stytch_m2m_emulator::TestEmulator;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let emulator = TestEmulator::start().await.unwrap();
/// assert!(emulator.base_url().starts_with("http://127.0.0.1:"));
/// // let client = emulator.client(stytch_m2m_http::HttpTransport::new());
/// emulator.controls().clock().advance(std::time::Duration::from_secs(60));
/// # }
/// ```
#[derive(Debug)]
pub struct TestEmulator {
    base_url: String,
    mock: MockStytch,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestEmulator {
    /// A new project (random id and secret) served on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Self::serve(MockStytch::new()).await
    }

    /// Serves this mock project (built with the options the test needs) on a free loopback port.
    pub async fn serve(mock: MockStytch) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(Emulator::new(mock.clone()).serve(listener, async move {
            let _ = stopped.await;
        }));
        Ok(Self {
            base_url,
            mock,
            stop: Some(stop),
        })
    }

    /// The base URL (`http://127.0.0.1:PORT`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The project id.
    pub fn project_id(&self) -> &str {
        self.mock.project_id()
    }

    /// The project secret.
    pub fn project_secret(&self) -> &Secret {
        self.mock.project_secret()
    }

    /// The mock's controls: clock, faults, signing keys, seeding, the request journal.
    pub fn controls(&self) -> &MockStytch {
        &self.mock
    }

    /// A client of the project through `transport` (the HTTP transport, usually) to this server, reading the
    /// mock's clock for token authentication.
    pub fn client(&self, transport: impl Transport + 'static) -> Client {
        self.mock.client_at(self.base_url.clone(), transport)
    }
}

impl Drop for TestEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

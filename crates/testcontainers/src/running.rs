//! A started emulator container: where it listens and what it was started with, and SDK objects pointed at it.

use std::time::Duration;

use stytch_m2m::auth::{ProjectKind, TokenVerifier};
use stytch_m2m::models::Secret;
use stytch_m2m::transport::{HttpRequest, Method, Transport as _};
use stytch_m2m::{Client, HttpTransport};
use testcontainers::ContainerAsync;

use crate::{PORT, StytchEmulator};

/// How long `start` waits for `/_emulator/health` after the container says it listens.
const HEALTH_DEADLINE: Duration = Duration::from_secs(10);

/// Why the emulator did not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// No free loopback port for a container on the host's network.
    Port(std::io::Error),
    /// Docker could not start the container (is the image built? `cargo xtask image`).
    Container(testcontainers::TestcontainersError),
    /// The container started but its health endpoint did not answer 200 in time.
    Unhealthy {
        /// Where it was asked.
        base_url: String,
        /// The last answer or error.
        last: String,
    },
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Port(e) => write!(f, "no free loopback port: {e}"),
            StartError::Container(e) => write!(f, "cannot start the emulator container: {e}"),
            StartError::Unhealthy { base_url, last } => write!(
                f,
                "the emulator at {base_url} did not answer GET /_emulator/health with 200 within {} s (last: {last})",
                HEALTH_DEADLINE.as_secs()
            ),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Port(e) => Some(e),
            StartError::Container(e) => Some(e),
            StartError::Unhealthy { .. } => None,
        }
    }
}

/// What the container was started with.
#[derive(Clone, Debug)]
pub(crate) struct Details {
    pub project_id: String,
    pub secret: Secret,
    pub kind: ProjectKind,
    pub issuer: Option<String>,
}

/// A running emulator container, removed when dropped. `Debug` never shows the project secret.
#[derive(Debug)]
pub struct RunningEmulator {
    container: ContainerAsync<StytchEmulator>,
    base_url: String,
    details: Details,
}

impl RunningEmulator {
    /// Finds the base URL and waits for health.
    pub(crate) async fn ready(
        container: ContainerAsync<StytchEmulator>,
        host_port: Option<u16>,
        details: Details,
    ) -> Result<Self, StartError> {
        let base_url = match host_port {
            Some(port) => format!("http://127.0.0.1:{port}"),
            None => {
                let host = container.get_host().await.map_err(StartError::Container)?;
                let port = container
                    .get_host_port_ipv4(PORT)
                    .await
                    .map_err(StartError::Container)?;
                format!("http://{host}:{port}")
            }
        };
        let running = Self {
            container,
            base_url,
            details,
        };
        running.wait_for_health().await?;
        Ok(running)
    }

    async fn wait_for_health(&self) -> Result<(), StartError> {
        let transport = HttpTransport::new();
        let url = format!("{}/_emulator/health", self.base_url);
        let deadline = tokio::time::Instant::now() + HEALTH_DEADLINE;
        loop {
            let last = match transport.send(HttpRequest::new(Method::Get, &url)).await {
                Ok(response) if response.status == 200 => return Ok(()),
                Ok(response) => format!("status {}", response.status),
                Err(e) => e.to_string(),
            };
            if tokio::time::Instant::now() >= deadline {
                return Err(StartError::Unhealthy {
                    base_url: self.base_url.clone(),
                    last,
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `http://host:port`, reachable from the test.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The project id.
    pub fn project_id(&self) -> &str {
        &self.details.project_id
    }

    /// The project secret.
    pub fn project_secret(&self) -> &Secret {
        &self.details.secret
    }

    /// A client of the project, over HTTP to the container, with the project's kind and issuer.
    pub fn client(&self) -> Result<Client, stytch_m2m::Error> {
        let builder = Client::builder(
            self.details.project_id.clone(),
            self.details.secret.clone(),
            HttpTransport::new(),
        )
        .base_url(&self.base_url)
        .project_kind(self.details.kind);
        match &self.details.issuer {
            Some(issuer) => builder.issuer(issuer.clone()),
            None => builder,
        }
        .build()
    }

    /// A token verifier of the project (no secret, as a resource server holds), with its kind and issuer.
    pub fn verifier(&self) -> Result<TokenVerifier, stytch_m2m::Error> {
        let builder = TokenVerifier::builder(self.details.project_id.clone())
            .transport(HttpTransport::new())
            .base_url(&self.base_url)
            .project_kind(self.details.kind);
        match &self.details.issuer {
            Some(issuer) => builder.issuer(issuer.clone()),
            None => builder,
        }
        .build()
    }

    /// The container, for logs, `exec` or stopping it.
    pub fn container(&self) -> &ContainerAsync<StytchEmulator> {
        &self.container
    }
}

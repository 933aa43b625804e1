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
        wait_for_health(&self.base_url, HEALTH_DEADLINE).await
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

    /// A client of the project, over HTTP to the container, with the project's kind and issuer. Plain HTTP is
    /// allowed to the container's own address only (a Docker host that is not the loopback, as GitLab's
    /// `DOCKER_HOST=tcp://docker:2375`).
    pub fn client(&self) -> Result<Client, stytch_m2m::Error> {
        client(&self.base_url, &self.details)
    }

    /// A token verifier of the project (no secret, as a resource server holds), with its kind and issuer; plain
    /// HTTP allowed to the container's own address only.
    pub fn verifier(&self) -> Result<TokenVerifier, stytch_m2m::Error> {
        verifier(&self.base_url, &self.details)
    }

    /// The container, for logs, `exec` or stopping it.
    pub fn container(&self) -> &ContainerAsync<StytchEmulator> {
        &self.container
    }
}

/// Asks `{base_url}/_emulator/health` until it answers 200, each attempt bounded by what remains of `deadline`
/// (a connection that opens and never answers cannot hold the wait past it).
pub(crate) async fn wait_for_health(base_url: &str, deadline: Duration) -> Result<(), StartError> {
    let transport = HttpTransport::new();
    let url = format!("{base_url}/_emulator/health");
    let deadline = tokio::time::Instant::now() + deadline;
    loop {
        let attempt = transport.send(HttpRequest::new(Method::Get, &url));
        let last = match tokio::time::timeout_at(deadline, attempt).await {
            Ok(Ok(response)) if response.status == 200 => return Ok(()),
            Ok(Ok(response)) => format!("status {}", response.status),
            Ok(Err(e)) => e.to_string(),
            Err(_) => "no answer before the deadline".to_owned(),
        };
        if tokio::time::Instant::now() >= deadline {
            return Err(StartError::Unhealthy {
                base_url: base_url.to_owned(),
                last,
            });
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Whether plain HTTP to this base URL needs the builders' opt-in: its host is not the loopback.
fn remote(base_url: &str) -> bool {
    let host = base_url
        .strip_prefix("http://")
        .unwrap_or(base_url)
        .split(['/', '?'])
        .next()
        .unwrap_or_default();
    let host = match host.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => host,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    !loopback
}

pub(crate) fn client(base_url: &str, details: &Details) -> Result<Client, stytch_m2m::Error> {
    let mut builder = Client::builder(
        details.project_id.clone(),
        details.secret.clone(),
        HttpTransport::new(),
    )
    .base_url(base_url)
    .project_kind(details.kind);
    if let Some(issuer) = &details.issuer {
        builder = builder.issuer(issuer.clone());
    }
    if remote(base_url) {
        builder = builder.allow_insecure_http();
    }
    builder.build()
}

pub(crate) fn verifier(
    base_url: &str,
    details: &Details,
) -> Result<TokenVerifier, stytch_m2m::Error> {
    let mut builder = TokenVerifier::builder(details.project_id.clone())
        .transport(HttpTransport::new())
        .base_url(base_url)
        .project_kind(details.kind);
    if let Some(issuer) = &details.issuer {
        builder = builder.issuer(issuer.clone());
    }
    if remote(base_url) {
        builder = builder.allow_insecure_http();
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details() -> Details {
        Details {
            project_id: "project-test-00000000-0000-4000-8000-000000000000".into(),
            secret: Secret::new("secret-test-0123456789"),
            kind: ProjectKind::Consumer,
            issuer: None,
        }
    }

    #[test]
    fn a_docker_host_that_is_not_the_loopback_is_reached_over_plain_http() {
        for base in [
            "http://docker:2375",
            "http://10.1.2.3:4010",
            "http://127.0.0.1:4010",
            "http://[::1]:4010",
        ] {
            assert!(client(base, &details()).is_ok(), "{base}");
            assert!(verifier(base, &details()).is_ok(), "{base}");
        }
        assert!(remote("http://docker:2375") && remote("http://127.0.0.1.evil:1"));
        assert!(
            !remote("http://127.0.0.1:4010")
                && !remote("http://localhost:1")
                && !remote("http://[::1]:2")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_health_wait_ends_at_its_deadline_when_a_connection_never_answers() {
        // Connections complete in the kernel's backlog and are never answered.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", silent.local_addr().unwrap());
        let started = tokio::time::Instant::now();
        let e = wait_for_health(&base, Duration::from_secs(10))
            .await
            .unwrap_err();
        assert!(matches!(e, StartError::Unhealthy { .. }), "{e}");
        assert!(
            started.elapsed() <= Duration::from_secs(11),
            "{:?}",
            started.elapsed()
        );
    }
}

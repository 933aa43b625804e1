//! A [testcontainers] module for the stytch-m2m emulator's container image (`cargo xtask image` builds it):
//! start the emulator in Docker, wait until it answers `GET /_emulator/health`, and get its base URL, project id
//! and secret, and a ready [`Client`](stytch_m2m::Client) and [`TokenVerifier`](stytch_m2m::auth::TokenVerifier).
//!
//! ```no_run
//! use stytch_m2m::models::CreateRequest;
//! use stytch_m2m_testcontainers::StytchEmulator;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = StytchEmulator::new().start().await?;
//! let client = emulator.client()?;
//! let created = client.clients().create(CreateRequest::new(["read:invoices"])).await?.m2m_client;
//! let token = client.token(&created.client_id, &created.client_secret, &["read:invoices"]).await?;
//! let verified = emulator
//!     .verifier()?
//!     .authenticate_token(token.access_token.expose_secret(), &Default::default())
//!     .await?;
//! assert_eq!(verified.client_id(), created.client_id);
//! # Ok(()) }
//! ```
//!
//! The container is removed when the [`RunningEmulator`] is dropped. Where Docker has no bridge network (a
//! daemon started with `--bridge=none`, as in this project's CI), [`StytchEmulator::on_host_network`] runs it on
//! the host's network on a free loopback port instead of a mapped one.
//!
//! [testcontainers]: https://docs.rs/testcontainers

mod running;

use std::borrow::Cow;
use std::path::Path;

use stytch_m2m::auth::ProjectKind;
use stytch_m2m::models::Secret;
use testcontainers::core::{AccessMode, ContainerPort, Mount, WaitFor};
use testcontainers::{Image, ImageExt as _};

pub use running::{RunningEmulator, StartError};

/// The image's repository name.
pub const IMAGE: &str = "stytch-m2m-emulator";

/// The port the emulator listens on inside the container.
pub const PORT: u16 = 4010;

/// Where a seed file is mounted inside the container (read-only).
pub const SEED_FILE_PATH: &str = "/config/seed.json";

/// The line the emulator prints once it listens.
const READY_LINE: &str = "stytch-m2m emulator listening";

/// The emulator image, configured through its `STYTCH_EMULATOR_*` variables. `Debug` never shows the secret.
#[derive(Clone, Debug)]
#[must_use]
pub struct StytchEmulator {
    tag: String,
    project_id: String,
    secret: Secret,
    kind: ProjectKind,
    issuer: Option<String>,
    settings: Vec<(&'static str, String)>,
    mounts: Vec<Mount>,
    host_network: bool,
}

impl Default for StytchEmulator {
    fn default() -> Self {
        Self::new()
    }
}

impl StytchEmulator {
    /// The image of this crate's version (`stytch-m2m-emulator:0.1.0`), a new test project with a random strong
    /// secret, on a mapped port.
    pub fn new() -> Self {
        let uuid = fastrand_uuid();
        // The secret from the operating system's generator (fastrand is no source of secrets).
        let mut random = [0u8; 30];
        getrandom::fill(&mut random).expect("the operating system's random generator works");
        let secret: String = random
            .iter()
            .map(|b| {
                char::from(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                        [usize::from(b & 63)],
                )
            })
            .collect();
        Self {
            tag: env!("CARGO_PKG_VERSION").to_owned(),
            project_id: format!("project-test-{uuid}"),
            secret: Secret::new(format!("secret-test-{secret}")),
            kind: ProjectKind::Consumer,
            issuer: None,
            settings: Vec::new(),
            mounts: Vec::new(),
            host_network: false,
        }
    }

    /// Another tag of the image (`latest`, say).
    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = tag.into();
        self
    }

    /// This project id and secret instead of new ones (`STYTCH_EMULATOR_PROJECT_ID`, `STYTCH_EMULATOR_SECRET`).
    pub fn with_project(
        mut self,
        project_id: impl Into<String>,
        secret: impl Into<Secret>,
    ) -> Self {
        self.project_id = project_id.into();
        self.secret = secret.into();
        self
    }

    /// A B2B or consumer project (`STYTCH_EMULATOR_PROJECT_KIND`); the client and verifier follow it.
    pub fn with_project_kind(mut self, kind: ProjectKind) -> Self {
        self.kind = kind;
        self
    }

    /// Tokens carry this `iss` (`STYTCH_EMULATOR_ISSUER`), as behind a custom domain; the verifier accepts it.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// `strict` (default) or `lenient` request rules (`STYTCH_EMULATOR_RULES`).
    pub fn with_rules(self, rules: impl Into<String>) -> Self {
        self.with_setting("STYTCH_EMULATOR_RULES", rules.into())
    }

    /// Deterministic ids, secrets and signing keys (`STYTCH_EMULATOR_DETERMINISTIC`).
    pub fn with_deterministic(self, seed: u64) -> Self {
        self.with_setting("STYTCH_EMULATOR_DETERMINISTIC", seed.to_string())
    }

    /// Mounts this seed file (clients with known secrets, a signing key; `schema/emulator-seed.schema.json`)
    /// read-only at [`SEED_FILE_PATH`] and starts from it.
    pub fn with_seed_file(mut self, path: impl AsRef<Path>) -> Self {
        let host_path = path.as_ref().to_string_lossy().into_owned();
        self.mounts.push(
            Mount::bind_mount(host_path, SEED_FILE_PATH).with_access_mode(AccessMode::ReadOnly),
        );
        self.with_setting("STYTCH_EMULATOR_SEED_FILE", SEED_FILE_PATH.to_owned())
    }

    /// Runs the container on the host's network, listening on a free loopback port, for Docker daemons without a
    /// bridge network.
    pub fn on_host_network(mut self) -> Self {
        self.host_network = true;
        self
    }

    /// The project id the container is started with.
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    fn with_setting(mut self, name: &'static str, value: String) -> Self {
        self.settings.retain(|(n, _)| *n != name);
        self.settings.push((name, value));
        self
    }

    /// Starts the container, waits for its health endpoint, and hands back what a test needs.
    pub async fn start(mut self) -> Result<RunningEmulator, StartError> {
        use testcontainers::runners::AsyncRunner as _;
        let mut host_port = None;
        if self.host_network {
            let port = free_loopback_port().map_err(StartError::Port)?;
            host_port = Some(port);
            self = self
                .with_setting("STYTCH_EMULATOR_HOST", "127.0.0.1".to_owned())
                .with_setting("STYTCH_EMULATOR_PORT", port.to_string());
        }
        let details = running::Details {
            project_id: self.project_id.clone(),
            secret: self.secret.clone(),
            kind: self.kind,
            issuer: self.issuer.clone(),
        };
        let container = if self.host_network {
            self.with_network("host").start().await
        } else {
            self.start_container().await
        }
        .map_err(StartError::Container)?;
        RunningEmulator::ready(container, host_port, details).await
    }

    async fn start_container(
        self,
    ) -> testcontainers::core::error::Result<testcontainers::ContainerAsync<Self>> {
        testcontainers::runners::AsyncRunner::start(self).await
    }
}

impl Image for StytchEmulator {
    fn name(&self) -> &str {
        IMAGE
    }

    fn tag(&self) -> &str {
        &self.tag
    }

    fn ready_conditions(&self) -> Vec<WaitFor> {
        // Printed once the port is bound and the state saved; `start` then waits for `/_emulator/health`.
        vec![WaitFor::message_on_stdout(READY_LINE)]
    }

    fn env_vars(
        &self,
    ) -> impl IntoIterator<Item = (impl Into<Cow<'_, str>>, impl Into<Cow<'_, str>>)> {
        let mut vars: Vec<(Cow<'_, str>, Cow<'_, str>)> = vec![
            (
                "STYTCH_EMULATOR_PROJECT_ID".into(),
                self.project_id.as_str().into(),
            ),
            (
                "STYTCH_EMULATOR_SECRET".into(),
                self.secret.expose_secret().into(),
            ),
            (
                "STYTCH_EMULATOR_PROJECT_KIND".into(),
                self.kind.as_str().into(),
            ),
        ];
        if let Some(issuer) = &self.issuer {
            vars.push(("STYTCH_EMULATOR_ISSUER".into(), issuer.as_str().into()));
        }
        vars.extend(
            self.settings
                .iter()
                .map(|(name, value)| (Cow::Borrowed(*name), Cow::Borrowed(value.as_str()))),
        );
        vars
    }

    fn mounts(&self) -> impl IntoIterator<Item = &Mount> {
        &self.mounts
    }

    fn expose_ports(&self) -> &[ContainerPort] {
        &[ContainerPort::Tcp(PORT)]
    }
}

fn free_loopback_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind(("127.0.0.1", 0))?
        .local_addr()?
        .port())
}

/// A random version-4 UUID.
fn fastrand_uuid() -> String {
    let a = fastrand::u64(..);
    let b = fastrand::u64(..);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

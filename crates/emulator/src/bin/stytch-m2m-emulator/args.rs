//! The command line: every flag has a `STYTCH_EMULATOR_*` variable, so that a container is configured by its
//! environment alone. The emulator's own variables, never `STYTCH_PROJECT_ID`/`STYTCH_SECRET`, so that production
//! settings in a shell never reach it.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use stytch_m2m_core::auth::ProjectKind;
use stytch_m2m_mock::Strictness;

/// A local Stytch M2M server: clients, secret rotation, search, tokens and JWKS, in memory (or in a state file).
#[derive(Parser, Debug)]
#[command(name = "stytch-m2m-emulator", version, about)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The address to listen on (loopback unless you say otherwise; the container image sets 0.0.0.0). For
    /// `health`: the address of the emulator to probe (an unspecified address means this machine).
    #[arg(
        long,
        default_value = "127.0.0.1",
        env = "STYTCH_EMULATOR_HOST",
        global = true
    )]
    pub host: IpAddr,
    /// The port to listen on (0 picks a free one). For `health`: the port of the emulator to probe.
    #[arg(
        long,
        default_value_t = 4010,
        env = "STYTCH_EMULATOR_PORT",
        global = true
    )]
    pub port: u16,
    /// The project id (default: a new `project-test-<uuid>`, or the one in the state file).
    #[arg(long, env = "STYTCH_EMULATOR_PROJECT_ID")]
    pub project_id: Option<String>,
    /// The project secret (default: a new strong one, printed at start, or the one in the state file). A secret
    /// given here is never printed; prefer the variable to the flag (argv is visible to every local user).
    #[arg(long, env = "STYTCH_EMULATOR_SECRET", hide_env_values = true)]
    pub secret: Option<String>,
    /// Consumer or B2B: a B2B project serves its JWKS at `/v1/b2b/sessions/jwks/{project_id}` (default: the seed
    /// file's, the state file's, or consumer).
    #[arg(long, value_enum, env = "STYTCH_EMULATOR_PROJECT_KIND")]
    pub project_kind: Option<Kind>,
    /// The `iss` of minted tokens, as behind a custom domain (`https://login.example.com`), named by the discovery
    /// documents too (default: the seed file's, the state file's, or `stytch.com/{project_id}`).
    #[arg(long, env = "STYTCH_EMULATOR_ISSUER")]
    pub issuer: Option<String>,
    /// Sign tokens with this RSA private key (PKCS#8 PEM file), so that they verify across restarts and machines
    /// against a JWKS known in advance. Its `kid` is `--signing-key-id`, or the key's RFC 7638 thumbprint.
    #[arg(long, env = "STYTCH_EMULATOR_SIGNING_KEY")]
    pub signing_key: Option<PathBuf>,
    /// The `kid` of `--signing-key` (default: the key's RFC 7638 thumbprint, the same on every machine).
    #[arg(long, env = "STYTCH_EMULATOR_SIGNING_KEY_ID", requires = "signing_key")]
    pub signing_key_id: Option<String>,
    /// Keep the clients and signing keys in this file across restarts (saved atomically after every change).
    #[arg(long, env = "STYTCH_EMULATOR_STATE")]
    pub state: Option<PathBuf>,
    /// Create these clients (with their plain secrets), and use this project kind, issuer and signing key, at
    /// start when no state file is loaded (format: schema/emulator-seed.schema.json).
    #[arg(long, env = "STYTCH_EMULATOR_SEED_FILE")]
    pub seed_file: Option<PathBuf>,
    /// Deterministic mode: ids, secrets and signing keys follow from this number (reproducible runs).
    #[arg(long, env = "STYTCH_EMULATOR_DETERMINISTIC")]
    pub deterministic: Option<u64>,
    /// The rules request bodies must obey: `strict` (Stytch's and our documented guesses where Stytch is silent:
    /// lengths, the number of scopes, a secret's entropy) or `lenient` (Stytch's only).
    #[arg(long, default_value = "strict", env = "STYTCH_EMULATOR_RULES")]
    pub rules: Strictness,
}

/// What to do instead of serving.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Probe a running emulator's `GET /_emulator/health` on `--host`/`--port` (an unspecified address means this
    /// machine): exit 0 when it answers 200 within the timeout, 1 otherwise. The container's health check.
    Health {
        /// How long to wait for the answer, in milliseconds.
        #[arg(long, default_value_t = 2000)]
        timeout_ms: u64,
    },
}

/// A project kind on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// A consumer project (`/v1/sessions/jwks/{project_id}`).
    Consumer,
    /// A B2B project (`/v1/b2b/sessions/jwks/{project_id}`).
    B2b,
}

impl From<Kind> for ProjectKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Consumer => ProjectKind::Consumer,
            Kind::B2b => ProjectKind::B2b,
        }
    }
}

//! A project served by the emulator in-process (deterministic ids and secrets), and the `stytch-m2m` binary run
//! against it. (That no secret is ever an argument is proven on the command's definition: `tests/argv.rs`.)

#![allow(dead_code)]

use snapbox::cmd::Command;
use stytch_m2m_emulator::TestEmulator;
use stytch_m2m_mock::{MockClock, MockStytch};

/// The Unix time the frozen projects stand at (2027-01-15T08:00:00Z).
pub const NOW: u64 = 1_800_000_000;

/// A project: the emulator (on its own runtime) and a private working directory.
pub struct Project {
    pub emulator: TestEmulator,
    pub dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl Project {
    /// Deterministic ids and secrets, the clock frozen at [`NOW`]: stable transcripts.
    pub fn frozen() -> Self {
        Self::with_clock(MockClock::frozen_at_unix(NOW))
    }

    /// The real clock: tokens that `verify` (which reads the system clock) accepts.
    pub fn live() -> Self {
        Self::with_clock(MockClock::system())
    }

    fn with_clock(clock: MockClock) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let mock = MockStytch::builder().deterministic(7).clock(clock).build();
        let emulator = runtime.block_on(TestEmulator::serve(mock)).unwrap();
        Self {
            emulator,
            dir: tempfile::tempdir().unwrap(),
            _runtime: runtime,
        }
    }

    /// `stytch-m2m ARGS` with the project's credentials in the environment (never on argv), in the project's
    /// directory, with no terminal.
    pub fn cli(&self, args: &[&str]) -> Command {
        Command::new(snapbox::cmd::cargo_bin!("stytch-m2m"))
            .args(args)
            .env_remove("STYTCH_CLIENT_SECRET")
            .env_remove("NO_COLOR")
            .env("STYTCH_PROJECT_ID", self.emulator.project_id())
            .env(
                "STYTCH_SECRET",
                self.emulator.project_secret().expose_secret(),
            )
            .env("STYTCH_BASE_URL", self.emulator.base_url())
            .current_dir(self.dir.path())
            .stdin("")
    }

    /// Requests the emulator received that change state (anything but search, get, the token and the JWKS).
    pub fn writes(&self) -> usize {
        self.emulator
            .controls()
            .requests()
            .iter()
            .filter(|r| {
                !matches!(r.method.as_str(), "GET")
                    && !r.url.ends_with("/search")
                    && !r.url.contains("/oauth2/token")
            })
            .count()
    }
}

/// Standard output as text.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Standard error as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Standard output as JSON.
pub fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(output)))
}

/// The `stytch-m2m` binary.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_stytch-m2m")
}

/// A process like `Project::cli`, for the cases snapbox cannot express (a closed pipe, a file-size limit).
pub fn raw(project: &Project, program: &str, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(program);
    command
        .args(args)
        .env_remove("STYTCH_CLIENT_SECRET")
        .env("STYTCH_PROJECT_ID", project.emulator.project_id())
        .env(
            "STYTCH_SECRET",
            project.emulator.project_secret().expose_secret(),
        )
        .env("STYTCH_BASE_URL", project.emulator.base_url())
        .current_dir(project.dir.path())
        .stdin(std::process::Stdio::null());
    command
}

/// Standard output is a pipe whose reader is already gone.
pub fn closed_pipe() -> std::process::Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    std::process::Stdio::from(writer)
}

/// The ids of the project's clients, as `clients list` prints them.
pub fn client_ids(project: &Project) -> Vec<String> {
    let out = project.cli(&["clients", "list"]).output().unwrap();
    json(&out)
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client_id"].as_str().unwrap().to_owned())
        .collect()
}

/// Creates a client with this id and scope; its secret.
pub fn create_client(project: &Project, id: &str, scope: &str) -> String {
    let created = project
        .cli(&["clients", "create", "--scope", scope, "--client-id", id])
        .output()
        .unwrap();
    json(&created)["client_secret"].as_str().unwrap().to_owned()
}

/// An access token of this client, through `stytch-m2m token` (the secret on standard input).
pub fn token_of(project: &Project, id: &str, secret: &str) -> String {
    let out = project
        .cli(&["token", "--client-id", id])
        .stdin(secret.to_owned())
        .output()
        .unwrap();
    stdout(&out).trim().to_owned()
}

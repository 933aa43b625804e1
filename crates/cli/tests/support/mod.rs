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

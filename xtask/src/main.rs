//! `cargo xtask`: contributor commands for stytch-m2m. `cargo xtask --help` lists them.

use std::process::{Command, ExitCode};

use clap::{Parser, Subcommand};

/// Contributor commands for stytch-m2m.
#[derive(Parser)]
#[command(name = "cargo xtask", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Regenerate crates/models/src/generated.rs from schema/ (typify).
    Codegen {
        /// Write nothing; fail with a diff when the checked-in file is stale.
        #[arg(long)]
        check: bool,
    },
    /// Run exactly the checks CI runs (`.ci/run`): fmt, clippy, codegen --check, the test suite.
    Ci,
}

fn main() -> ExitCode {
    let root = xtask::paths::repo_root();
    match Cli::parse().command {
        Cmd::Codegen { check } => match xtask::codegen::run(&root, check) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        Cmd::Ci => {
            let status = Command::new("bash")
                .arg(root.join(".ci").join("run"))
                .current_dir(&root)
                .status();
            match status {
                Ok(s) if s.success() => ExitCode::SUCCESS,
                Ok(_) => ExitCode::FAILURE,
                Err(e) => {
                    eprintln!("could not run .ci/run: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

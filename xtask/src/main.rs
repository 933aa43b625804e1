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
    /// Write the listing of each library crate's public API to xtask/public-api/ (review its diff).
    PublicApi {
        /// Write nothing; fail with a diff when a checked-in listing is stale.
        #[arg(long)]
        check: bool,
    },
    /// Build the emulator's container image: a static binary (x86_64-unknown-linux-gnu, crt-static) in an image
    /// FROM scratch, tagged stytch-m2m-emulator:latest and :VERSION (needs a Docker daemon).
    Image {
        /// Build only the static binary (target/x86_64-unknown-linux-gnu/release/stytch-m2m-emulator).
        #[arg(long)]
        binary_only: bool,
    },
    /// Write the man pages of the `stytch-m2m` command line (one per command) to target/man/.
    Man,
    /// Run exactly the checks CI runs (`.ci/run`): fmt, clippy, docs, codegen --check, packaging, the test suite.
    Ci,
    /// Run the official Python and Node SDKs against the emulator (installs `stytch` from PyPI and npm into
    /// target/official-sdks).
    OfficialSdks,
    /// Benchmark the emulator's serving: its authenticated `get` against a minimal hyper server answering the same
    /// body, by wrk at 1 and 32 connections, interleaved (ROUNDS, DURATION tune it; needs wrk).
    ServeBench,
    /// Benchmark how soon the emulator answers once started: the image (from `docker start` and from Docker's
    /// StartedAt to health 200) and its static binary run directly, interleaved (needs `cargo xtask image` first).
    StartupBench {
        /// How many rounds.
        #[arg(long, default_value_t = 20)]
        rounds: usize,
    },
    /// Property-based testing of the emulator from its OpenAPI document (installs schemathesis from PyPI into
    /// target/schemathesis); arguments after `--` go to `st run`.
    Schemathesis {
        /// Extra arguments for `st run` (for example `--max-examples 200`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
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
        Cmd::PublicApi { check } => match xtask::public_api::run(&root, check) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        Cmd::Image { binary_only } => match xtask::image::build(&root, binary_only) {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        Cmd::Man => match xtask::man::write(&root.join("target").join("man")) {
            Ok(pages) => {
                println!("wrote {pages} man pages to target/man/");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        Cmd::Ci => run_script(&root, &root.join(".ci").join("run"), &[]),
        Cmd::OfficialSdks => run_script(
            &root,
            &root.join("xtask").join("official-sdks").join("run.sh"),
            &[],
        ),
        Cmd::ServeBench => run_script(
            &root,
            &root.join("xtask").join("serve-bench").join("run.sh"),
            &[],
        ),
        Cmd::StartupBench { rounds } => match xtask::startup_bench::run(&root, rounds.max(1)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        Cmd::Schemathesis { args } => run_script(
            &root,
            &root.join("xtask").join("schemathesis").join("run.sh"),
            &args,
        ),
    }
}

/// Runs a bash script from the repository root; its exit status becomes ours.
fn run_script(root: &std::path::Path, script: &std::path::Path, args: &[String]) -> ExitCode {
    match Command::new("bash")
        .arg(script)
        .args(args)
        .current_dir(root)
        .status()
    {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("could not run {}: {e}", script.display());
            ExitCode::FAILURE
        }
    }
}

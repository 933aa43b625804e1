//! `stytch-m2m-emulator`: a local Stytch M2M server.
//!
//! `cargo run -p stytch-m2m-emulator -- --port 4010`

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use stytch_m2m_emulator::{Emulator, StateFile};
use stytch_m2m_mock::DEFAULT_KEY_GRACE;
use stytch_m2m_mock::{Engine, MockClock, MockStytch, ServerRules, Strictness};

/// A local Stytch M2M server: clients, secret rotation, search, tokens and JWKS, in memory (or in a state file).
#[derive(Parser, Debug)]
#[command(name = "stytch-m2m-emulator", version, about)]
struct Args {
    /// The address to listen on (loopback unless you say otherwise).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 4010)]
    port: u16,
    /// The project id (default: a new `project-test-<uuid>`, or the one in the state file). Its own variable, not
    /// `STYTCH_PROJECT_ID`, so that production settings in a shell never reach the emulator.
    #[arg(long, env = "STYTCH_EMULATOR_PROJECT_ID")]
    project_id: Option<String>,
    /// The project secret (default: a new strong one, printed at start, or the one in the state file). A secret
    /// given here is never printed. Its own variable, not `STYTCH_SECRET`.
    #[arg(long, env = "STYTCH_EMULATOR_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// Keep the clients and signing keys in this file across restarts (saved atomically after every change).
    #[arg(long)]
    state: Option<PathBuf>,
    /// Create these clients (with their plain secrets) and use this signing key at start, when no state file is
    /// loaded (format: schema/emulator-seed.schema.json).
    #[arg(long)]
    seed_file: Option<PathBuf>,
    /// Deterministic mode: ids, secrets and signing keys follow from this number (reproducible runs).
    #[arg(long)]
    deterministic: Option<u64>,
    /// The rules request bodies must obey: `strict` (Stytch's and our documented guesses where Stytch is silent:
    /// lengths, the number of scopes, a secret's entropy) or `lenient` (Stytch's only).
    #[arg(long, default_value = "strict", env = "STYTCH_EMULATOR_RULES")]
    rules: Strictness,
}

/// Where the project secret came from, which decides whether it may be printed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SecretSource {
    /// Generated now: printed, the user needs it.
    Generated,
    /// Given by the user, or saved in the state file: never printed.
    Given,
}

fn project(args: &Args) -> Result<(MockStytch, Option<StateFile>, SecretSource), String> {
    let state = args.state.clone().map(StateFile::new);
    if let Some(saved) = state.as_ref().map(StateFile::load).transpose()?.flatten() {
        if args
            .project_id
            .as_ref()
            .is_some_and(|p| *p != saved.project_id)
        {
            return Err(format!(
                "the state file belongs to project {}, not {}",
                saved.project_id,
                args.project_id.as_deref().unwrap_or_default()
            ));
        }
        if args
            .secret
            .as_ref()
            .is_some_and(|s| !saved.project_secret.constant_time_eq(s))
        {
            return Err("the state file was saved with another project secret".into());
        }
        let engine = Engine::restore(&saved, MockClock::system(), DEFAULT_KEY_GRACE)
            .map_err(|e| format!("the state file cannot be restored: {e}"))?
            .with_rules(ServerRules::embedded(args.rules));
        return Ok((MockStytch::from_engine(engine), state, SecretSource::Given));
    }
    let mut builder = MockStytch::builder().rules(ServerRules::embedded(args.rules));
    if let Some(seed) = args.deterministic {
        builder = builder.deterministic(seed);
    }
    if let Some(id) = &args.project_id {
        builder = builder.project_id(id.clone());
    }
    let mut source = SecretSource::Generated;
    if let Some(secret) = &args.secret {
        builder = builder.secret(secret.clone());
        source = SecretSource::Given;
    }
    let mock = builder.build();
    if let Some(path) = &args.seed_file {
        stytch_m2m_emulator::SeedFile::read(path)?.apply(&mock)?;
    }
    Ok((mock, state, source))
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let (mock, state, secret_source) = match project(&args) {
        Ok(project) => project,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind((args.host, args.port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on {}:{}: {e}", args.host, args.port);
            return ExitCode::FAILURE;
        }
    };
    let address = listener.local_addr().map_or_else(
        |_| format!("{}:{}", args.host, args.port),
        |a| a.to_string(),
    );
    let emulator = Emulator::with_state(mock.clone(), state);
    // Write the project (and its signing keys) at once, so that a restart keeps the keys of tokens already minted.
    if let Err(e) = emulator.persist().await {
        eprintln!("error: cannot write the state file: {e}");
        return ExitCode::FAILURE;
    }
    println!("stytch-m2m emulator listening");
    println!("  base URL:       http://{address}");
    println!("  project id:     {}", mock.project_id());
    match secret_source {
        SecretSource::Generated => println!(
            "  project secret: {}",
            mock.project_secret().expose_secret()
        ),
        SecretSource::Given if args.secret.is_some() => {
            println!("  project secret: the one given (not shown)")
        }
        SecretSource::Given => println!("  project secret: the one in the state file (not shown)"),
    }
    if let Some(path) = &args.state {
        println!("  state file:     {}", path.display());
    }
    println!("  OpenAPI:        http://{address}/openapi.json");
    match emulator.serve(listener, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

//! `stytch-m2m-emulator`: a local Stytch M2M server.
//!
//! `cargo run -p stytch-m2m-emulator -- --port 4010`

mod args;
mod health;
mod project;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use stytch_m2m_emulator::Emulator;

use args::{Args, Command};

/// Ctrl-C or SIGTERM. The handlers are installed when this is called, not when the future is first polled: a
/// signal sent as soon as the listening line is printed must stop the server gracefully, not kill it.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let term = signal(SignalKind::terminate());
        async move {
            match (interrupt, term) {
                (Ok(mut interrupt), Ok(mut term)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(Command::Health { timeout_ms }) = args.command {
        return match health::probe(args.host, args.port, Duration::from_millis(timeout_ms)).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("unhealthy: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let project::Project {
        mock,
        state,
        secret_generated,
    } = match project::open(&args) {
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
    // Listening on every address (as in a container): the base URL names this machine's loopback.
    let address = match listener.local_addr() {
        Ok(a) if a.ip().is_unspecified() => {
            let loopback: std::net::IpAddr = if a.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            };
            std::net::SocketAddr::new(loopback, a.port()).to_string()
        }
        Ok(a) => a.to_string(),
        Err(_) => format!("{}:{}", args.host, args.port),
    };
    let shutdown = shutdown_signal();
    let emulator = Emulator::with_state(mock.clone(), state);
    // Write the project (and its signing keys) at once, so that a restart keeps the keys of tokens already minted.
    if let Err(e) = emulator.persist().await {
        eprintln!("error: cannot write the state file: {e}");
        return ExitCode::FAILURE;
    }
    match listener.local_addr() {
        Ok(local) => println!("stytch-m2m emulator listening on {local}"),
        Err(_) => println!("stytch-m2m emulator listening"),
    }
    println!("  base URL:       http://{address}");
    println!("  project id:     {}", mock.project_id());
    if secret_generated {
        println!(
            "  project secret: {}",
            mock.project_secret().expose_secret()
        );
    } else if args.secret.is_some() {
        println!("  project secret: the one given (not shown)");
    } else {
        println!("  project secret: the one in the state file (not shown)");
    }
    println!(
        "  project kind:   {}",
        mock.engine().project_kind().as_str()
    );
    println!("  issuer:         {}", mock.engine().issuer());
    println!("  signing key:    {}", mock.engine().current_kid());
    if let Some(path) = &args.state {
        println!("  state file:     {}", path.display());
    }
    println!("  OpenAPI:        http://{address}/openapi.json");
    match emulator.serve(listener, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

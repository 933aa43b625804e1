//! `stytch-m2m`, the command line of the stytch-m2m SDK: manage M2M clients, rotate secrets, mint and verify
//! tokens, and apply a declared set of clients. A thin shell over the SDK (`stytch_m2m`): no request, retry or
//! verification logic of its own.
//!
//! The library half gives [`command`] (for completions and man pages, `cargo xtask man`) and [`run`] (the
//! binary's body, for tests).
//!
//! ```
//! let help = stytch_m2m_cli::command().render_long_help().to_string();
//! assert!(help.contains("Exit codes"));
//! ```

mod apply;
mod args;
mod clients;
mod context;
mod exit;
mod files;
mod output;
mod tokens;

use clap::{CommandFactory as _, Parser as _};

pub use exit::{OK, OUTPUT_LOST, REFUSED, UNREACHABLE, USAGE};

use args::{Cli, Command};
use exit::Failure;

/// The clap command: every subcommand, option and help text.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Runs the command line with these arguments (the first is the program name); returns the exit code. Errors
/// are printed on standard error in one line.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => OK,
                _ => USAGE,
            };
        }
    };
    if cli.global.verbose {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing_subscriber::filter::LevelFilter::DEBUG)
            .with_ansi(false)
            .try_init();
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return UNREACHABLE;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(()) => OK,
        Err(failure) if failure.code == OK => OK,
        Err(failure) => {
            eprintln!("error: {failure}");
            failure.code
        }
    }
}

async fn dispatch(cli: Cli) -> Result<(), Failure> {
    let format = context::output(&cli.global);
    match cli.command {
        Command::Clients { command } => {
            let client = context::client(&cli.global)?;
            clients::run(&client, format, command).await
        }
        Command::Token(args) => tokens::token(&cli.global, args).await,
        Command::Verify(args) => {
            let verifier = context::verifier(&cli.global, &args)?;
            tokens::verify(&verifier, format, args).await
        }
        Command::Decode(args) => tokens::decode(format, args),
        Command::Apply(args) => {
            let client = context::client(&cli.global)?;
            apply::run(&client, format, args).await
        }
        Command::Completions { shell } => {
            // Generated into memory, then written: clap_complete panics when its writer fails (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "stytch-m2m", &mut script);
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            out.write_all(&script)?;
            out.flush()?;
            Ok(())
        }
    }
}

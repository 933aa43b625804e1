//! From the global options and the environment to an SDK client or verifier. The project secret comes from
//! `--secret-file` or `STYTCH_SECRET`, never from an argument.

use std::io::IsTerminal as _;

use stytch_m2m::auth::{ProjectKind, TokenVerifier};
use stytch_m2m::{Client, HttpTransport, HttpTransportBuilder};

use crate::args::{Global, Output};
use crate::exit::Failure;
use crate::files;

/// The project id, required.
fn project_id(global: &Global) -> Result<&str, Failure> {
    global
        .project_id
        .as_deref()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| Failure::usage("no project id: set STYTCH_PROJECT_ID or pass --project-id"))
}

fn transport() -> Result<HttpTransport, Failure> {
    HttpTransportBuilder::default()
        .build()
        .map_err(|e| Failure::from(stytch_m2m::Error::Transport(e)))
}

/// A client of the project (management calls and token exchanges).
pub fn client(global: &Global) -> Result<Client, Failure> {
    let project_id = project_id(global)?;
    let secret = match &global.secret_file {
        Some(path) => files::read_secret(path, "the project secret")?,
        None => std::env::var("STYTCH_SECRET")
            .ok()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Failure::usage("no project secret: set STYTCH_SECRET or pass --secret-file PATH")
            })?,
    };
    let mut builder = Client::builder(project_id, secret, transport()?);
    if let Some(base_url) = &global.base_url {
        builder = builder.base_url(base_url.clone());
    }
    Ok(builder.build()?)
}

/// A verifier of the project's tokens: no secret.
pub fn verifier(global: &Global, b2b: bool) -> Result<TokenVerifier, Failure> {
    let mut builder = TokenVerifier::builder(project_id(global)?).transport(transport()?);
    if let Some(base_url) = &global.base_url {
        builder = builder.base_url(base_url.clone());
    }
    if b2b {
        builder = builder.project_kind(ProjectKind::B2b);
    }
    Ok(builder.build()?)
}

/// The output format: the one asked for, else a table on a terminal and JSON elsewhere.
pub fn output(global: &Global) -> Output {
    global.output.unwrap_or_else(|| {
        if std::io::stdout().is_terminal() {
            Output::Table
        } else {
            Output::Json
        }
    })
}

/// Whether people watch standard error (for progress and prompts).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

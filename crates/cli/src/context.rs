//! From the global options and the environment to an SDK client or verifier. The project secret comes from
//! `--secret-file` or `STYTCH_SECRET`, never from an argument.

use std::io::IsTerminal as _;

use stytch_m2m::auth::{ProjectKind, TokenProvider, TokenVerifier};
use stytch_m2m::models::Secret;
use stytch_m2m::{Client, HttpTransport, HttpTransportBuilder};

use crate::args::{Global, Output, VerifyArgs};
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
    if global.allow_insecure_http {
        builder = builder.allow_insecure_http();
    }
    built(builder.build())
}

/// A token provider of one M2M client: the project id and the client's credentials, no project secret.
pub fn token_provider(
    global: &Global,
    client_id: &str,
    client_secret: Secret,
) -> Result<TokenProvider, Failure> {
    let mut builder = TokenProvider::builder(project_id(global)?, client_id, client_secret)
        .transport(transport()?);
    if let Some(base_url) = &global.base_url {
        builder = builder.base_url(base_url.clone());
    }
    if global.allow_insecure_http {
        builder = builder.allow_insecure_http();
    }
    built(builder.build())
}

/// A verifier of the project's tokens: no secret.
pub fn verifier(global: &Global, args: &VerifyArgs) -> Result<TokenVerifier, Failure> {
    let mut builder = TokenVerifier::builder(project_id(global)?).transport(transport()?);
    if let Some(base_url) = &global.base_url {
        builder = builder.base_url(base_url.clone());
    }
    if global.allow_insecure_http {
        builder = builder.allow_insecure_http();
    }
    if args.b2b {
        builder = builder.project_kind(ProjectKind::B2b);
    }
    if let Some(issuer) = &args.issuer {
        builder = builder.issuer(issuer.clone());
    }
    if let Some(audience) = &args.audience {
        builder = builder.audience(audience.clone());
    }
    built(builder.build())
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

/// A built client, provider or verifier; a refused plain-HTTP URL names the flag that allows it.
fn built<T>(result: Result<T, stytch_m2m::Error>) -> Result<T, Failure> {
    result.map_err(|e| {
        let hint = e.to_string().contains("allow_insecure_http");
        let failure = Failure::from(e);
        if hint {
            failure.with_note(" (pass --allow-insecure-http for a host such as http://stytch:4010)")
        } else {
            failure
        }
    })
}

//! `stytch-m2m clients …`: each a call of the SDK, its answer printed.

use std::io::{BufRead as _, IsTerminal as _, Read as _, Write as _};

use futures_util::StreamExt as _;
use serde_json::{Map, Value};
use stytch_m2m::Client;
use stytch_m2m::models::{
    ClientStatus, CreateRequest, SearchOperand, SearchRequest, UpdateRequest, UpdateStatus,
};

use crate::args::{
    ClientsCommand, CreateArgs, ListArgs, Output, SecretsCommand, Status, UpdateArgs,
};
use crate::exit::Failure;
use crate::output::{self, ClientStream, Progress};

/// Runs one `clients` command.
pub async fn run(client: &Client, format: Output, command: ClientsCommand) -> Result<(), Failure> {
    if format == Output::Toml && !matches!(command, ClientsCommand::List(_)) {
        return Err(Failure::usage("--output toml is for `clients list` only"));
    }
    let clients = client.clients();
    match command {
        ClientsCommand::List(args) => list(client, format, args).await,
        ClientsCommand::Get { id } => output::object(format, &clients.get(&id).await?.m2m_client),
        ClientsCommand::Create(args) => {
            let request = create_request(args)?;
            let created = clients.create(request).await?;
            let id = created.m2m_client.client_id.clone();
            output::one_time_secret(format, &created.m2m_client, &id)?;
            output::note(
                "warning: this is the only time the client secret is shown; store it now, it cannot be shown again",
            );
            Ok(())
        }
        ClientsCommand::Update(args) => {
            let (id, request) = update_request(args)?;
            output::object(format, &clients.update(&id, request).await?.m2m_client)
        }
        ClientsCommand::Delete { id, yes } => {
            confirm_delete(&id, yes)?;
            let deleted = clients.delete(&id).await?;
            match format {
                Output::Table => output::note(&format!("deleted {}", deleted.client_id)),
                _ => output::json(&deleted)?,
            }
            Ok(())
        }
        ClientsCommand::Secrets { command } => {
            let secrets = clients.secrets();
            match command {
                SecretsCommand::RotateStart { id } => {
                    let started = secrets.rotate_start(&id).await?.m2m_client;
                    output::one_time_secret(format, &started, &id)?;
                    output::note(
                        "warning: this is the only time the next client secret is shown; deploy it, then run \
                         `stytch-m2m clients secrets rotate` (or rotate-cancel)",
                    );
                    Ok(())
                }
                SecretsCommand::RotateCancel { id } => {
                    output::object(format, &secrets.rotate_cancel(&id).await?.m2m_client)
                }
                SecretsCommand::Rotate { id } => {
                    output::object(format, &secrets.rotate(&id).await?.m2m_client)
                }
            }
        }
    }
}

/// Every page, each client printed as it arrives (memory stays flat whatever the number of clients).
async fn list(client: &Client, format: Output, args: ListArgs) -> Result<(), Failure> {
    let mut operands = Vec::new();
    if !args.scopes.is_empty() {
        operands.push(SearchOperand::scopes(args.scopes));
    }
    if !args.client_ids.is_empty() {
        operands.push(SearchOperand::client_ids(args.client_ids));
    }
    let request = if operands.is_empty() {
        SearchRequest::new()
    } else {
        SearchRequest::all_of(operands)
    }
    .limit(1000);
    let wanted = args.status.map(|s| match s {
        Status::Active => ClientStatus::Active,
        Status::Inactive => ClientStatus::Inactive,
    });
    let mut stream = ClientStream::begin(format);
    let progress = Progress::new();
    let mut seen = 0usize;
    let mut clients = client.clients().search_all(request);
    while let Some(next) = clients.next().await {
        let found = match next {
            Ok(found) => found,
            Err(e) => {
                // Not ended: a list cut short never reads as complete (a JSON array stays open).
                progress.done();
                return Err(e.into());
            }
        };
        seen += 1;
        if seen.is_multiple_of(1000) {
            progress.show(&format!("{seen} clients read…"));
        }
        if wanted.as_ref().is_none_or(|w| *w == found.status) {
            stream.item(&found)?;
        }
    }
    progress.done();
    stream.end()?;
    Ok(())
}

/// A JSON object given on the command line, or an error naming the option.
fn metadata(text: &str) -> Result<Map<String, Value>, Failure> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Failure::usage(
            "--metadata must be a JSON object, like '{\"team\": \"billing\"}'",
        )),
    }
}

fn create_request(args: CreateArgs) -> Result<CreateRequest, Failure> {
    let mut request = CreateRequest::new(args.scopes);
    if let Some(name) = args.name {
        request = request.client_name(name);
    }
    if let Some(description) = args.description {
        request = request.client_description(description);
    }
    if let Some(text) = &args.metadata {
        request = request.trusted_metadata(metadata(text)?);
    }
    if let Some(id) = args.client_id {
        request = request.client_id(id);
    }
    if args.client_secret_stdin {
        request = request.client_secret(read_stdin_secret("the client secret")?);
    }
    Ok(request)
}

fn update_request(args: UpdateArgs) -> Result<(String, UpdateRequest), Failure> {
    let nothing = args.name.is_none()
        && args.description.is_none()
        && args.scopes.is_empty()
        && args.metadata.is_none()
        && args.status.is_none();
    if nothing {
        return Err(Failure::usage(
            "nothing to update: give --name, --description, --scope, --metadata or --status",
        ));
    }
    let mut request = UpdateRequest::new();
    if let Some(name) = args.name {
        request = request.client_name(name);
    }
    if let Some(description) = args.description {
        request = request.client_description(description);
    }
    if !args.scopes.is_empty() {
        request = request.scopes(args.scopes);
    }
    if let Some(text) = &args.metadata {
        request = request.trusted_metadata(metadata(text)?);
    }
    if let Some(status) = args.status {
        request = request.status(match status {
            Status::Active => UpdateStatus::Active,
            Status::Inactive => UpdateStatus::Inactive,
        });
    }
    Ok((args.id, request))
}

/// A secret read from standard input (piped: `pass show … | stytch-m2m …`); refused from a terminal, where it
/// would be echoed.
pub fn read_stdin_secret(what: &str) -> Result<String, Failure> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(Failure::usage(format!(
            "{what} is read from standard input: pipe it in (it would be shown on a terminal)"
        )));
    }
    let mut text = String::new();
    stdin
        .lock()
        .read_to_string(&mut text)
        .map_err(|e| Failure::usage(format!("cannot read {what} from standard input: {e}")))?;
    let secret = text.trim_end_matches(['\n', '\r']).to_owned();
    if secret.is_empty() {
        return Err(Failure::usage(format!("{what} on standard input is empty")));
    }
    Ok(secret)
}

/// Asks on a terminal; without one, only `--yes` deletes.
fn confirm_delete(id: &str, yes: bool) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Failure::usage(format!(
            "refusing to delete {id} without confirmation: not a terminal; pass --yes"
        )));
    }
    let mut err = std::io::stderr().lock();
    write!(err, "Delete client {id}? It cannot be undone. [y/N] ")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Failure::usage(format!("{id} was not deleted")))
    }
}

//! `stytch-m2m apply FILE`: the plan (create, update field by field, unchanged, unmanaged), then the calls. A
//! second apply of the same file makes no write call. Secrets of created clients go to `--secrets-out` only.

pub mod file;
pub mod plan;

use std::io::Write as _;

use futures_util::TryStreamExt as _;
use serde_json::{Map, Value, json};
use stytch_m2m::Client;
use stytch_m2m::models::{M2mClient, SearchRequest};

use crate::args::{ApplyArgs, Output};
use crate::exit::Failure;
use crate::files;
use crate::output::{self, Progress};
use plan::Plan;

/// Runs `apply`.
pub async fn run(client: &Client, format: Output, args: ApplyArgs) -> Result<(), Failure> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", args.file.display())))?;
    let declared = file::parse(&text)
        .map_err(|e| Failure::usage(format!("{}: {e}", args.file.display())))?
        .clients;
    let progress = Progress::new();
    progress.show("reading the project's clients…");
    let existing: Vec<M2mClient> = client
        .clients()
        .search_all(SearchRequest::new().limit(1000))
        .try_collect()
        .await?;
    progress.done();
    let plan = plan::plan(&declared, &existing);
    print_plan(format, &plan, args.dry_run)?;
    if plan.is_empty() {
        output::note("No changes: every declared client is as declared; no write call was made.");
        return Ok(());
    }
    if args.dry_run {
        output::note("Dry run: nothing was changed.");
        return Ok(());
    }
    // Before any write: where the secrets of new clients go (they are shown once).
    let mut secrets_file = match (&args.secrets_out, plan.create.is_empty()) {
        (Some(path), false) => Some(files::create_private(path)?),
        (None, false) => {
            return Err(Failure::usage(format!(
                "{} client(s) would be created and their secrets can be shown only once: pass --secrets-out PATH \
                 (a new file, private to you); nothing was changed",
                plan.create.len()
            )));
        }
        (_, true) => None,
    };
    let mut secrets = Map::new();
    let total = plan.create.len() + plan.update.len();
    let mut done = 0;
    for declared in &plan.create {
        let created = client
            .clients()
            .create(plan::create_request(declared))
            .await?;
        let m = created.m2m_client;
        secrets.insert(
            m.client_id.clone(),
            Value::String(m.client_secret.expose_secret().to_owned()),
        );
        if let Some(file) = &mut secrets_file {
            // Saved after each creation: a failure later never loses a secret already issued.
            let mut body = serde_json::to_vec_pretty(&secrets).expect("a map of strings");
            body.push(b'\n');
            files::rewrite(file, &body)?;
        }
        if let Some(request) = plan::status_after_create(declared) {
            client.clients().update(&m.client_id, request).await?;
        }
        done += 1;
        progress.show(&format!("{done}/{total} applied…"));
    }
    for update in &plan.update {
        client
            .clients()
            .update(&update.client_id, update.request())
            .await?;
        done += 1;
        progress.show(&format!("{done}/{total} applied…"));
    }
    progress.done();
    let saved = match &args.secrets_out {
        Some(path) if !plan.create.is_empty() => {
            format!("; their secrets are in {}", path.display())
        }
        _ => String::new(),
    };
    output::note(&format!(
        "Applied: {} created, {} updated{saved}.",
        plan.create.len(),
        plan.update.len()
    ));
    Ok(())
}

fn print_plan(format: Output, plan: &Plan, dry_run: bool) -> Result<(), Failure> {
    if format != Output::Table {
        let mut value = serde_json::to_value(plan).map_err(|e| Failure::usage(e.to_string()))?;
        value["dry_run"] = json!(dry_run);
        return output::json(&value);
    }
    let mut out = std::io::stdout().lock();
    let width = plan
        .create
        .iter()
        .map(|d| d.client_id.len())
        .chain(plan.update.iter().map(|u| u.client_id.len()))
        .chain(
            plan.unchanged
                .iter()
                .chain(&plan.unmanaged)
                .map(String::len),
        )
        .max()
        .unwrap_or(0);
    for d in &plan.create {
        writeln!(
            out,
            "+ create     {:<width$}  scopes: {}",
            d.client_id,
            d.scopes.join(" ")
        )?;
    }
    for u in &plan.update {
        let changes: Vec<String> = u
            .changes
            .iter()
            .map(|c| format!("{}: {} -> {}", c.field, c.from, c.to))
            .collect();
        writeln!(
            out,
            "~ update     {:<width$}  {}",
            u.client_id,
            changes.join("; ")
        )?;
    }
    for id in &plan.unchanged {
        writeln!(out, "= unchanged  {id}")?;
    }
    for id in &plan.unmanaged {
        writeln!(out, "? unmanaged  {id}  (not in the file: left alone)")?;
    }
    writeln!(
        out,
        "Plan: {} to create, {} to update, {} unchanged, {} unmanaged.",
        plan.create.len(),
        plan.update.len(),
        plan.unchanged.len(),
        plan.unmanaged.len()
    )?;
    Ok(())
}

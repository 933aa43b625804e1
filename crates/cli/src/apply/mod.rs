//! `stytch-m2m apply FILE`: the plan (create, update field by field, unchanged, unmanaged), then the calls. A
//! second apply of the same file makes no write call. Secrets of created clients go to `--secrets-out` only.

pub mod file;
pub mod plan;

use std::io::Write as _;

use futures_util::TryStreamExt as _;
use serde_json::json;
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
    // Every declared client and every request the plan will send, checked before the first call.
    plan::validate(&declared, &plan).map_err(|e| {
        Failure::usage(format!("{}: {e}; nothing was changed", args.file.display()))
    })?;
    // The plan is the report of what will be done: if it cannot be written, nothing is done.
    print_plan(format, &plan, args.dry_run).map_err(|e| {
        Failure::output_lost(format!(
            "the plan could not be written ({e}); nothing was changed"
        ))
    })?;
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
        (Some(path), false) => {
            let file = files::create_private(path)?;
            files::sync_parent(path).map_err(|e| {
                Failure::usage(format!("cannot sync the folder of {}: {e}", path.display()))
            })?;
            Some(file)
        }
        (None, false) => {
            return Err(Failure::usage(format!(
                "{} client(s) would be created and their secrets can be shown only once: pass --secrets-out PATH \
                 (a new file, private to you); nothing was changed",
                plan.create.len()
            )));
        }
        (_, true) => None,
    };
    let mut report = Report::default();
    let total = plan.create.len() + plan.update.len();
    for declared in &plan.create {
        let id = declared.client_id.as_str();
        let created = match client
            .clients()
            .create(plan::create_request(declared))
            .await
        {
            Ok(created) => created.m2m_client,
            Err(e) => return Err(report.failed(&plan, id, Failure::from(e))),
        };
        if let (Some(file), Some(path)) = (&mut secrets_file, &args.secrets_out) {
            let line = serde_json::to_vec(&json!({
                "client_id": created.client_id,
                "client_secret": created.client_secret.expose_secret(),
            }))
            .expect("two strings");
            if let Err(e) = files::append_line(file, &line) {
                report.created.push(created.client_id.clone());
                return Err(report.failed(
                    &plan,
                    id,
                    Failure::output_lost(format!(
                        "client {:?} was created but its secret could not be saved to {} ({e}): rotate its \
                         secret (`stytch-m2m clients secrets rotate-start {}`); no further client was created",
                        created.client_id,
                        path.display(),
                        created.client_id
                    )),
                ));
            }
        }
        report.created.push(created.client_id.clone());
        if let Some(request) = plan::status_after_create(declared)
            && let Err(e) = client.clients().update(&created.client_id, request).await
        {
            return Err(report.failed(
                &plan,
                id,
                Failure::from(e).with_note(&format!(
                    " (client {:?} was created, but it is still ACTIVE: the update to inactive failed)",
                    created.client_id
                )),
            ));
        }
        progress.show(&format!("{}/{total} applied…", report.done()));
    }
    for update in &plan.update {
        if let Err(e) = client
            .clients()
            .update(&update.client_id, update.request())
            .await
        {
            return Err(report.failed(&plan, &update.client_id, Failure::from(e)));
        }
        report.updated.push(update.client_id.clone());
        progress.show(&format!("{}/{total} applied…", report.done()));
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

/// What an `apply` has done so far, for the report of a failure.
#[derive(Default)]
struct Report {
    created: Vec<String>,
    updated: Vec<String>,
}

impl Report {
    fn done(&self) -> usize {
        self.created.len() + self.updated.len()
    }

    /// The failure of `failing`, with what was applied and what was not: never exit 2 once a change was made.
    fn failed(&self, plan: &Plan, failing: &str, failure: Failure) -> Failure {
        let not_applied: Vec<&str> = plan
            .create
            .iter()
            .map(|d| d.client_id.as_str())
            .chain(plan.update.iter().map(|u| u.client_id.as_str()))
            .filter(|id| {
                *id != failing
                    && !self
                        .created
                        .iter()
                        .chain(&self.updated)
                        .any(|done| done == id)
            })
            .collect();
        let list = |ids: &[String]| {
            if ids.is_empty() {
                "none".to_owned()
            } else {
                ids.join(", ")
            }
        };
        let note = format!(
            "\napplied in part: created {}; updated {}; failed at {failing}; not applied {}",
            list(&self.created),
            list(&self.updated),
            if not_applied.is_empty() {
                "none".to_owned()
            } else {
                not_applied.join(", ")
            }
        );
        let failure = failure.with_note(&note);
        if self.done() == 0 {
            // Nothing changed yet: the failure's own code (an unreachable server is still 3).
            failure
        } else {
            failure.after_a_change()
        }
    }
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

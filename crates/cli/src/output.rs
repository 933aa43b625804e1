//! Printing results: JSON (the API's objects as it returns them), a table for people, TOML for `apply`.

use std::io::Write as _;

use serde::Serialize;
use serde_json::Value;
use stytch_m2m::models::M2mClient;

use crate::apply::file::{Declared, to_toml};
use crate::args::Output;
use crate::exit::Failure;

/// Prints `value` as pretty JSON on standard output.
pub fn json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::usage(format!("cannot print the result: {e}")))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(())
}

/// The text of a value in a table cell: strings bare, lists joined by spaces, the rest as compact JSON.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// Prints one object as `field  value` lines.
pub fn record<T: Serialize>(value: &T) -> Result<(), Failure> {
    let value = serde_json::to_value(value)
        .map_err(|e| Failure::usage(format!("cannot print the result: {e}")))?;
    let Value::Object(fields) = value else {
        return json(&value);
    };
    let width = fields.keys().map(String::len).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for (name, value) in &fields {
        writeln!(out, "{name:<width$}  {}", cell(value))?;
    }
    Ok(())
}

/// Prints a client (or any API object) in the chosen format.
pub fn object<T: Serialize>(format: Output, value: &T) -> Result<(), Failure> {
    match format {
        Output::Table => record(value),
        Output::Json | Output::Toml => json(value),
    }
}

/// Clients printed one by one as pages arrive: a JSON array, table rows, or `[[clients]]` entries.
pub struct ClientStream {
    format: Output,
    count: usize,
}

const COLUMNS: [(&str, usize); 4] = [
    ("CLIENT_ID", 52),
    ("NAME", 24),
    ("STATUS", 8),
    ("SCOPES", 0),
];

impl ClientStream {
    /// Starts the list.
    pub fn begin(format: Output) -> Result<Self, Failure> {
        let mut out = std::io::stdout().lock();
        match format {
            Output::Json => write!(out, "[")?,
            Output::Table => {
                let header: Vec<String> = COLUMNS
                    .iter()
                    .map(|(name, width)| format!("{name:<width$}"))
                    .collect();
                writeln!(out, "{}", header.join("  ").trim_end())?;
            }
            Output::Toml => {}
        }
        Ok(Self { format, count: 0 })
    }

    /// Prints one client, at once.
    pub fn item(&mut self, client: &M2mClient) -> Result<(), Failure> {
        let mut out = std::io::stdout().lock();
        match self.format {
            Output::Json => {
                let text = serde_json::to_string(client)
                    .map_err(|e| Failure::usage(format!("cannot print a client: {e}")))?;
                let sep = if self.count == 0 { "\n" } else { ",\n" };
                write!(out, "{sep}  {text}")?;
            }
            Output::Table => {
                let values = [
                    client.client_id.clone(),
                    client.client_name.clone(),
                    client.status.as_str().to_owned(),
                    client.scopes.join(" "),
                ];
                let row: Vec<String> = COLUMNS
                    .iter()
                    .zip(values)
                    .map(|((_, width), v)| format!("{v:<width$}"))
                    .collect();
                writeln!(out, "{}", row.join("  ").trim_end())?;
            }
            Output::Toml => {
                let text = to_toml(&Declared::from_client(client)).map_err(Failure::usage)?;
                let sep = if self.count == 0 { "" } else { "\n" };
                write!(out, "{sep}{text}")?;
            }
        }
        out.flush()?;
        self.count += 1;
        Ok(())
    }

    /// Ends the list; returns how many clients were printed.
    pub fn end(self) -> Result<usize, Failure> {
        let mut out = std::io::stdout().lock();
        if self.format == Output::Json {
            let close = if self.count == 0 { "]" } else { "\n]" };
            writeln!(out, "{close}")?;
        }
        Ok(self.count)
    }
}

/// A note on standard error (warnings, the "not verified" of `decode`).
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// Progress on standard error, only when it is a terminal (overwrites its own line).
pub struct Progress {
    on: bool,
}

impl Progress {
    /// Progress shown when standard error is a terminal.
    pub fn new() -> Self {
        Self {
            on: crate::context::stderr_is_terminal(),
        }
    }

    /// Shows `text` in place of the previous progress line.
    pub fn show(&self, text: &str) {
        if self.on {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K{text}");
        }
    }

    /// Clears the line.
    pub fn done(&self) {
        if self.on {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}

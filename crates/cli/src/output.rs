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
    out.flush()?;
    Ok(())
}

/// Prints an answer that holds a one-time secret (a created client, a rotation's next secret). If it cannot be
/// written (a closed pipe, a full disk) the secret reached no one: exit 4, naming the client, never 0.
pub fn one_time_secret<T: Serialize>(
    format: Output,
    value: &T,
    client_id: &str,
) -> Result<(), Failure> {
    object(format, value).map_err(|failure| {
        let failure = match failure.to_string() {
            why if why.is_empty() => "the reader went away".to_owned(),
            why => why,
        };
        Failure::output_lost(format!(
            "the secret of client {client_id:?} could not be written ({failure}): it was issued and is lost; \
             start a new rotation of its secret (`stytch-m2m clients secrets rotate-start {client_id}`, after \
             `rotate-cancel` if one is in progress)"
        ))
    })
}

/// The text of a value in a table cell: strings bare, lists joined by spaces, the rest as compact JSON; control
/// characters escaped, so that text the server returns (a client's name) cannot drive the terminal.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => "-".to_owned(),
        Value::String(s) => escape(s),
        Value::Array(items) if items.iter().all(Value::is_string) => escape(
            &items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => escape(&other.to_string()),
    }
}

/// Text for a terminal: every control character (C0, DEL, C1: escape sequences, bells, carriage returns, line
/// breaks) written as a visible escape (`\u{1b}`), the rest as it is.
pub fn escape(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Prints one object as `field  value` lines.
pub fn record<T: Serialize>(value: &T) -> Result<(), Failure> {
    let value = serde_json::to_value(value)
        .map_err(|e| Failure::usage(format!("cannot print the result: {e}")))?;
    let Value::Object(fields) = value else {
        return json(&value);
    };
    let width = fields.keys().map(String::len).max().unwrap_or(0);
    let mut text = String::new();
    for (name, value) in &fields {
        text.push_str(&format!("{:<width$}  {}\n", escape(name), cell(value)));
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Prints a client (or any API object) in the chosen format.
pub fn object<T: Serialize>(format: Output, value: &T) -> Result<(), Failure> {
    match format {
        Output::Table => record(value),
        Output::Json | Output::Toml => json(value),
    }
}

/// Clients printed one by one as pages arrive: a JSON array, table rows, or `[[clients]]` entries. Nothing is
/// printed before the first client, and a JSON array is closed only by [`end`](Self::end): a list that failed
/// never reads as a complete (or empty) answer.
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
    /// Starts the list (prints nothing yet).
    pub fn begin(format: Output) -> Self {
        Self { format, count: 0 }
    }

    fn open(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        match self.format {
            Output::Json => write!(out, "["),
            Output::Table => {
                let header: Vec<String> = COLUMNS
                    .iter()
                    .map(|(name, width)| format!("{name:<width$}"))
                    .collect();
                writeln!(out, "{}", header.join("  ").trim_end())
            }
            Output::Toml => Ok(()),
        }
    }

    /// Prints one client, at once.
    pub fn item(&mut self, client: &M2mClient) -> Result<(), Failure> {
        let mut out = std::io::stdout().lock();
        if self.count == 0 {
            self.open(&mut out)?;
        }
        match self.format {
            Output::Json => {
                let text = serde_json::to_string(client)
                    .map_err(|e| Failure::usage(format!("cannot print a client: {e}")))?;
                let sep = if self.count == 0 { "\n" } else { ",\n" };
                write!(out, "{sep}  {text}")?;
            }
            Output::Table => {
                let values = [
                    escape(&client.client_id),
                    escape(&client.client_name),
                    escape(client.status.as_str()),
                    escape(&client.scopes.join(" ")),
                ];
                let row: Vec<String> = COLUMNS
                    .iter()
                    .zip(values)
                    .map(|((_, width), v)| format!("{v:<width$}"))
                    .collect();
                writeln!(out, "{}", row.join("  ").trim_end())?;
            }
            Output::Toml => {
                let text = to_toml(&Declared::from_client(client)).map_err(|e| {
                    Failure::usage(format!(
                        "client {:?} cannot be written as TOML: {e}",
                        client.client_id
                    ))
                })?;
                let sep = if self.count == 0 { "" } else { "\n" };
                write!(out, "{sep}{text}")?;
            }
        }
        out.flush()?;
        self.count += 1;
        Ok(())
    }

    /// Ends a list that is complete; returns how many clients were printed.
    pub fn end(self) -> Result<usize, Failure> {
        let mut out = std::io::stdout().lock();
        if self.count == 0 {
            self.open(&mut out)?;
        }
        if self.format == Output::Json {
            let close = if self.count == 0 { "]" } else { "\n]" };
            writeln!(out, "{close}")?;
        }
        out.flush()?;
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

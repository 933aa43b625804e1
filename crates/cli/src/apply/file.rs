//! The file `apply` reads and `clients list --output toml` writes: clients declared by `client_id`.
//!
//! ```toml
//! [[clients]]
//! client_id = "billing-sync"
//! name = "Billing sync"
//! description = "Nightly invoice export"
//! scopes = ["read:invoices", "write:exports"]
//! status = "active"
//! trusted_metadata = { team = "billing" }
//! ```
//!
//! `client_id` and `scopes` are required; a field left out is not managed (the client keeps what it has).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use stytch_m2m::models::M2mClient;

/// The whole file.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClientsFile {
    /// The declared clients.
    #[serde(default)]
    pub clients: Vec<Declared>,
}

/// One declared client.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Declared {
    /// Its id: what matches it to a client of the project.
    pub client_id: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its scopes (a set: order does not matter).
    pub scopes: Vec<String>,
    /// `active` or `inactive`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DeclaredStatus>,
    /// Its trusted metadata (the whole of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_metadata: Option<Map<String, Value>>,
}

/// A declared status.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DeclaredStatus {
    /// Can get tokens.
    Active,
    /// Cannot get tokens.
    Inactive,
}

impl DeclaredStatus {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            DeclaredStatus::Active => "active",
            DeclaredStatus::Inactive => "inactive",
        }
    }
}

impl Declared {
    /// A client as the file declares it (every field, so that applying the export changes nothing).
    pub fn from_client(client: &M2mClient) -> Self {
        Self {
            client_id: client.client_id.clone(),
            name: Some(client.client_name.clone()),
            description: Some(client.client_description.clone()),
            scopes: client.scopes.clone(),
            status: match client.status.as_str() {
                "inactive" => Some(DeclaredStatus::Inactive),
                "active" => Some(DeclaredStatus::Active),
                _ => None,
            },
            trusted_metadata: client.trusted_metadata.clone().filter(|m| !m.is_empty()),
        }
    }
}

/// Reads and checks a file: every id once, non-empty, with at least one scope. The error names the problem.
pub fn parse(text: &str) -> Result<ClientsFile, String> {
    let file: ClientsFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut seen = std::collections::BTreeSet::new();
    for (i, c) in file.clients.iter().enumerate() {
        if c.client_id.is_empty() {
            return Err(format!("clients[{i}].client_id must not be empty"));
        }
        if !seen.insert(c.client_id.as_str()) {
            return Err(format!(
                "clients[{i}].client_id {:?} is declared twice",
                c.client_id
            ));
        }
        if c.scopes.is_empty() {
            return Err(format!("clients[{i}].scopes must list at least one scope"));
        }
    }
    Ok(file)
}

/// One `[[clients]]` entry as TOML text.
pub fn to_toml(declared: &Declared) -> Result<String, String> {
    if let Some(path) = declared
        .trusted_metadata
        .as_ref()
        .and_then(|m| null_at(m, "trusted_metadata"))
    {
        return Err(format!(
            "{path} is null, and TOML has no null; export it with --output json instead"
        ));
    }
    let one = ClientsFile {
        clients: vec![declared.clone()],
    };
    toml::to_string(&one).map_err(|e| e.to_string())
}

/// The path of the first `null` inside metadata (`trusted_metadata.a.b[2]`), if any.
fn null_at(map: &Map<String, Value>, at: &str) -> Option<String> {
    map.iter()
        .find_map(|(key, value)| null_in(value, format!("{at}.{key}")))
}

fn null_in(value: &Value, at: String) -> Option<String> {
    match value {
        Value::Null => Some(at),
        Value::Object(map) => null_at(map, &at),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| null_in(item, format!("{at}[{i}]"))),
        _ => None,
    }
}

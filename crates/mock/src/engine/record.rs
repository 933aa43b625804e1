//! One stored client ([`Record`]), as a model and as its JSON: written once when it changes and kept with it, so
//! that a `get` copies bytes (the same JSON the wire layer writes for the client's model).

use serde::Serialize;
use serde_json::{Map, Value};
use stytch_m2m_core::models::{ClientStatus, M2mClient};

use super::secret_hash::SecretHash;

/// One stored client.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub seq: u64,
    pub client_id: String,
    pub client_name: String,
    pub client_description: String,
    pub active: bool,
    pub scopes: Vec<String>,
    pub trusted_metadata: Map<String, Value>,
    pub secret: SecretHash,
    pub secret_last_four: String,
    pub next_secret: Option<(SecretHash, String)>,
    pub created_at: String,
    pub rotation_started_at: Option<String>,
    /// Extra claims of the client's tokens (the mock's stand-in for JWT templates).
    pub custom_claims: Map<String, Value>,
}

impl Record {
    pub fn to_model(&self) -> M2mClient {
        // Through the generated builder: an optional property added to the schema needs no edit here.
        M2mClient::builder()
            .client_id(self.client_id.clone())
            .client_name(self.client_name.clone())
            .client_description(self.client_description.clone())
            .status(if self.active {
                ClientStatus::Active
            } else {
                ClientStatus::Inactive
            })
            .scopes(self.scopes.clone())
            .client_secret_last_four(self.secret_last_four.clone())
            .trusted_metadata(Some(self.trusted_metadata.clone()))
            .next_client_secret_last_four(self.next_secret.as_ref().map(|(_, four)| four.clone()))
            .created_at(Some(self.created_at.clone()))
            .next_rotation_started_at(self.rotation_started_at.clone())
            .try_into()
            .expect("every required client field is set")
    }
}

/// A stored client written as the wire layer's `WireClient` writes its model (`Record::to_model`), borrowing from the record
/// instead of copying it into a model first: what the store keeps for `get`. A test holds the two to the same
/// JSON.
#[derive(Serialize)]
struct RecordWire<'a> {
    client_description: &'a str,
    client_id: &'a str,
    client_name: &'a str,
    client_secret_last_four: &'a str,
    created_at: &'a str,
    next_client_secret_last_four: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_rotation_started_at: Option<&'a str>,
    scopes: &'a [String],
    status: ClientStatus,
    trusted_metadata: &'a Map<String, Value>,
}

impl<'a> RecordWire<'a> {
    fn new(record: &'a Record) -> Self {
        Self {
            client_description: &record.client_description,
            client_id: &record.client_id,
            client_name: &record.client_name,
            client_secret_last_four: &record.secret_last_four,
            created_at: &record.created_at,
            next_client_secret_last_four: record
                .next_secret
                .as_ref()
                .map(|(_, four)| four.as_str()),
            next_rotation_started_at: record.rotation_started_at.as_deref(),
            scopes: &record.scopes,
            status: match record.active {
                true => ClientStatus::Active,
                false => ClientStatus::Inactive,
            },
            trusted_metadata: &record.trusted_metadata,
        }
    }
}

/// A stored client's JSON, as the wire layer's `WireClient` writes its model: what the store keeps with the client.
pub(crate) fn record_json(record: &Record) -> Box<[u8]> {
    let mut json = Vec::with_capacity(384);
    // Writing a record to a Vec cannot fail (its maps have string keys).
    let _ = serde_json::to_writer(&mut json, &RecordWire::new(record));
    json.into_boxed_slice()
}

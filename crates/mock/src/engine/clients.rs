//! The client operations of the engine: create (or import), get, update, delete.

use serde_json::{Map, Value};
use stytch_m2m_core::models::{
    CreateRequest, ErrorType, M2mClient, M2mClientWithClientSecret, Secret, UpdateRequest,
    UpdateStatus,
};

use super::record::Record;
use super::secret_hash::SecretHash;
use super::{Engine, Failure, with_secret};

impl Engine {
    /// Creates (or imports) a client.
    pub fn create(&self, request: CreateRequest) -> Result<M2mClientWithClientSecret, Failure> {
        self.rules().check("CreateRequest", &as_json(&request))?;
        // The emulator's policy: `.` and `..` would be path segments no HTTP client can address.
        if matches!(request.client_id.as_deref(), Some("." | "..")) {
            return Err(Failure::new(
                400,
                ErrorType::M2mClientInvalidClientId,
                "client_id cannot be `.` or `..`.",
            ));
        }
        let client_id = match request.client_id {
            Some(id) => id,
            None => format!("m2m-client-{}-{}", self.env(), self.random.uuid()),
        };
        let secret = request
            .client_secret
            .unwrap_or_else(|| Secret::new(self.random.secret()));
        let salt = self.salt();
        let created_at = self.clock.now_rfc3339();
        let mut store = self.lock();
        if store.contains(&client_id) {
            return Err(Failure::new(
                400,
                ErrorType::DuplicateM2mClientId,
                "An M2M client with this client_id already exists in the project.",
            ));
        }
        let record = Record {
            seq: store.next_seq(),
            client_id,
            client_name: request.client_name.unwrap_or_default(),
            client_description: request.client_description.unwrap_or_default(),
            active: true,
            scopes: request.scopes,
            trusted_metadata: request.trusted_metadata,
            secret: SecretHash::new(secret.expose_secret(), salt),
            secret_last_four: secret.last_four().to_owned(),
            next_secret: None,
            created_at,
            rotation_started_at: None,
            custom_claims: Map::new(),
        };
        let client = record.to_model();
        store.put(record);
        drop(store);
        Ok(with_client_secret(client, secret))
    }

    /// Gets a client.
    pub fn get(&self, client_id: &str) -> Result<M2mClient, Failure> {
        self.lock()
            .get(client_id)
            .map(Record::to_model)
            .ok_or_else(Failure::not_found)
    }

    /// Hands `read` a client's JSON as the API writes it, kept with the client when it was stored: how the wire
    /// layer writes a `get` answer (read under the store's lock, which a copy of a few hundred bytes holds only
    /// briefly; nothing serialized, no reference count shared between threads touched).
    pub(crate) fn read_client_wire<R>(
        &self,
        client_id: &str,
        read: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, Failure> {
        self.lock()
            .wire(client_id)
            .map(read)
            .ok_or_else(Failure::not_found)
    }

    /// Updates a client. Given fields replace the stored ones; `trusted_metadata` merges at the top level (a
    /// `null` value deletes the key); empty `scopes` or metadata mean no change. All or nothing.
    pub fn update(&self, client_id: &str, request: UpdateRequest) -> Result<M2mClient, Failure> {
        self.rules().check("UpdateRequest", &as_json(&request))?;
        let mut store = self.lock();
        let mut record = store
            .get(client_id)
            .cloned()
            .ok_or_else(Failure::not_found)?;
        if let Some(name) = request.client_name {
            record.client_name = name;
        }
        if let Some(description) = request.client_description {
            record.client_description = description;
        }
        if let Some(status) = request.status {
            record.active = status == UpdateStatus::Active;
        }
        if !request.scopes.is_empty() {
            record.scopes = request.scopes;
        }
        for (key, value) in request.trusted_metadata {
            if value.is_null() {
                record.trusted_metadata.remove(&key);
            } else {
                record.trusted_metadata.insert(key, value);
            }
        }
        // The stored metadata after the merge obeys the same bounds as the metadata sent.
        self.rules().check_property(
            "UpdateRequest",
            "trusted_metadata",
            &Value::Object(record.trusted_metadata.clone()),
        )?;
        let client = record.to_model();
        store.put(record);
        Ok(client)
    }

    /// Deletes a client.
    pub fn delete(&self, client_id: &str) -> Result<(), Failure> {
        self.lock()
            .remove(client_id)
            .map(|_| ())
            .ok_or_else(Failure::not_found)
    }
}

/// A request as the JSON the rules read (what the wire carried, nulls already taken as absent).
pub(super) fn as_json(request: &impl serde::Serialize) -> Value {
    serde_json::to_value(request).expect("request models always serialize")
}

fn with_client_secret(client: M2mClient, client_secret: Secret) -> M2mClientWithClientSecret {
    with_secret(client, "client_secret", &client_secret)
}

//! Secret rotation: start, cancel, complete.

use stytch_m2m_core::models::{ErrorType, M2mClient, M2mClientWithNextClientSecret, Secret};

use super::secret_hash::SecretHash;
use super::{Engine, Failure, with_next_client_secret};

impl Engine {
    /// Starts a secret rotation: a new secret, shown once; both work until the rotation ends.
    pub fn rotate_start(&self, client_id: &str) -> Result<M2mClientWithNextClientSecret, Failure> {
        let next = Secret::new(self.random.secret());
        let salt = self.salt();
        let now = self.clock.now_rfc3339();
        let mut store = self.lock();
        let mut record = store
            .get(client_id)
            .cloned()
            .ok_or_else(Failure::not_found)?;
        if record.next_secret.is_some() {
            return Err(Failure::new(
                400,
                ErrorType::M2mClientAlreadyRotatingSecret,
                "The M2M client is already rotating its secret: complete or cancel that rotation first.",
            ));
        }
        record.next_secret = Some((
            SecretHash::new(next.expose_secret(), salt),
            next.last_four().to_owned(),
        ));
        record.rotation_started_at = Some(now);
        let client = record.to_model();
        store.put(record);
        drop(store);
        Ok(with_next_client_secret(client, next))
    }

    /// Cancels a rotation: the next secret is discarded.
    pub fn rotate_cancel(&self, client_id: &str) -> Result<M2mClient, Failure> {
        self.end_rotation(client_id, false)
    }

    /// Completes a rotation: the next secret becomes the secret; the old one stops working.
    pub fn rotate(&self, client_id: &str) -> Result<M2mClient, Failure> {
        self.end_rotation(client_id, true)
    }
}

//! The provider's exchanges: one task per entry, its result stored (or its failure backed off) however it ends.

use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::time::Instant;

use super::provider::{Cached, Flight, Inner, Key, Outcome};
use crate::Error;
use crate::background::{backoff, flight};

impl Inner {
    /// Builds one exchange as its own task (started by the caller once the slots are unlocked). It holds the
    /// client, not the provider: a provider dropped meanwhile is freed at once, and the task ends within the load
    /// timeout whoever waits for it. However it ends (done, failed, panicked, its runtime shut down), its end is
    /// recorded and the flight cleared.
    pub(super) fn prepare(self: &Arc<Self>, key: Key) -> (Flight, flight::Launch) {
        let weak: Weak<Inner> = Arc::downgrade(self);
        let client = self.client.clone();
        let client_id = self.client_id.clone();
        let credentials = self.credentials();
        let load_timeout = self.policy.load_timeout;
        let scopes = key.scopes.clone();
        let started = Instant::now();
        let work = async move {
            let exchanged = tokio::time::timeout(
                load_timeout,
                client.token(&client_id, &credentials.secret, &scopes),
            )
            .await;
            match exchanged {
                Ok(outcome) => outcome,
                Err(_) => Err(Error::Transport(crate::transport::TransportError::new(
                    crate::transport::TransportErrorKind::Timeout,
                    format!(
                        "the token exchange took longer than the load timeout of {load_timeout:?}"
                    ),
                ))),
            }
        };
        flight::prepare(
            work,
            move |outcome| {
                let outcome = outcome.unwrap_or_else(|died| Err(died_error(died)));
                match weak.upgrade() {
                    Some(inner) => inner.complete(&key, started, outcome),
                    None => outcome.map(|response| response.access_token),
                }
            },
            |died| Err(died_error(died)),
        )
    }

    /// Stores an exchange's result in its entry and ends the flight.
    fn complete(
        &self,
        key: &Key,
        started: Instant,
        outcome: Result<stytch_m2m_models::TokenResponse, Error>,
    ) -> Outcome {
        crate::metrics::exchange(outcome.is_ok());
        let mut slots = self.lock();
        if key.secret != self.credentials().fingerprint {
            // The secret was replaced meanwhile: the answer reaches this flight's waiters, and is not kept.
            slots.remove(key);
            return outcome.map(|response| response.access_token);
        }
        let slot = slots.get_mut(key);
        match outcome {
            Ok(response) => {
                let lifetime = Duration::from_secs(u64::from(response.expires_in));
                let expires_at = started + lifetime;
                let margin = self.policy.jittered_margin(fastrand::f64());
                let refresh_at = if lifetime > margin {
                    expires_at - margin
                } else {
                    started + lifetime / 2
                };
                if let Some(slot) = slot {
                    slot.flight = None;
                    slot.failures = 0;
                    slot.retry_at = None;
                    slot.cached = Some(Cached {
                        token: response.access_token.clone(),
                        refresh_at,
                        expires_at,
                    });
                }
                Ok(response.access_token)
            }
            Err(error) => {
                if let Some(slot) = slot {
                    slot.flight = None;
                    slot.failures = slot.failures.saturating_add(1);
                    let backoff = backoff::jittered(
                        self.policy.initial_backoff,
                        self.policy.max_backoff,
                        slot.failures,
                    );
                    let now = Instant::now();
                    slot.retry_at = Some(now.checked_add(backoff).unwrap_or(now));
                    if let Some(valid) = &slot.cached
                        && Instant::now() < valid.expires_at
                    {
                        tracing::warn!(error = %error, ?backoff, "token refresh failed; the cached token is still valid");
                        return Ok(valid.token.clone());
                    }
                }
                Err(error)
            }
        }
    }
}

/// The error of an exchange whose task died before it answered.
fn died_error(died: flight::Died) -> Error {
    Error::Transport(crate::transport::TransportError::new(
        crate::transport::TransportErrorKind::Other,
        format!("the token exchange task {}", died.describe()),
    ))
}

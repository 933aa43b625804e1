//! [`TokenProvider`]: access tokens cached per (client, secret, scopes), refreshed ahead of expiry in the
//! background, one exchange in flight, detached from its callers.

use std::collections::HashMap;
use std::hash::BuildHasher as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use stytch_m2m_models::{Secret, TokenResponse};
use tokio::time::Instant;

use crate::background::flight;
use crate::{Client, Error};

pub use super::provider_policy::ProviderPolicy;

pub(super) type Outcome = Result<Secret, Error>;
pub(super) type Flight = flight::Flight<Outcome>;

#[derive(Clone, Debug)]
pub(super) struct Cached {
    pub(super) token: Secret,
    pub(super) refresh_at: Instant,
    pub(super) expires_at: Instant,
}

/// A cache key: the scopes (sorted, deduplicated) and a fingerprint of the secret, never the secret.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub(super) secret: u64,
    pub(super) scopes: Vec<String>,
}

pub(super) struct Slot {
    pub(super) cached: Option<Cached>,
    pub(super) flight: Option<Flight>,
    /// No background refresh before this (after failures).
    pub(super) retry_at: Option<Instant>,
    pub(super) failures: u32,
    /// When a rejected token was last dropped (the forced-refresh bound), and whether a refusal past the bound
    /// was already logged.
    pub(super) forced_at: Option<Instant>,
    pub(super) warned: bool,
    /// When it was last asked for, as a count of calls (for eviction).
    pub(super) last_used: u64,
}

pub(super) struct Credentials {
    pub(super) secret: Secret,
    pub(super) fingerprint: u64,
}

pub(super) struct Inner {
    pub(super) client: Client,
    pub(super) client_id: String,
    pub(super) credentials: Mutex<Arc<Credentials>>,
    pub(super) hasher: foldhash::quality::RandomState,
    pub(super) policy: ProviderPolicy,
    pub(super) slots: Mutex<HashMap<Key, Slot>>,
    pub(super) uses: AtomicU64,
    pub(super) hits: crate::metrics::ProviderHits,
}

/// Hands out access tokens of one M2M client, exchanging its credentials only when needed.
///
/// - One cached token per set of scopes (and secret); reused until a jittered margin before it expires.
/// - No caller waits while a valid token is cached: past the refresh point, the cached token is returned at once
///   and one refresh runs in the background.
/// - One exchange in flight per entry, running as its own task bounded by the load timeout: callers that give up
///   neither stall nor poison the next one, and nothing is leaked.
/// - A failed exchange reaches every waiter and is not cached. While the cached token is still valid, callers get
///   it instead, and the next refresh waits a backoff.
/// - [`invalidate`](Self::invalidate) drops a token a downstream service refused; a bounded number of entries.
/// - [`set_secret`](Self::set_secret) after a rotation: tokens obtained with the old secret are never served.
///
/// ```no_run
/// # use stytch_m2m_core as stytch_m2m;
/// # async fn run(client: stytch_m2m::Client) -> Result<(), stytch_m2m::Error> {
/// use stytch_m2m::auth::TokenProvider;
///
/// let provider = TokenProvider::new(client, "m2m-client-test-…", std::env::var("M2M_SECRET").unwrap());
/// let token = provider.token(&["read:users"]).await?; // exchanged once, then cached
/// let header = format!("Bearer {}", token.expose_secret());
/// # let _ = header; Ok(()) }
/// ```
#[derive(Clone)]
pub struct TokenProvider {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenProvider")
            .field("client_id", &self.inner.client_id)
            .field("secret", &self.inner.credentials().secret)
            .field("policy", &self.inner.policy)
            .finish_non_exhaustive()
    }
}

impl TokenProvider {
    /// A provider for this M2M client's credentials, with the default [`ProviderPolicy`].
    pub fn new(
        client: Client,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        Self::with_policy(client, client_id, client_secret, ProviderPolicy::default())
    }

    /// A provider with this policy.
    pub fn with_policy(
        client: Client,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        policy: ProviderPolicy,
    ) -> Self {
        let hasher = foldhash::quality::RandomState::default();
        let secret = client_secret.into();
        let fingerprint = hasher.hash_one(secret.expose_secret());
        Self {
            inner: Arc::new(Inner {
                client,
                client_id: client_id.into(),
                credentials: Mutex::new(Arc::new(Credentials {
                    secret,
                    fingerprint,
                })),
                hasher,
                policy,
                slots: Mutex::default(),
                uses: AtomicU64::new(0),
                hits: crate::metrics::ProviderHits::default(),
            }),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &ProviderPolicy {
        &self.inner.policy
    }

    /// The M2M client whose tokens this provider hands out.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// Uses another secret from now on (after a rotation): tokens obtained with the previous one are no longer
    /// served, and the next call exchanges the new one. An exchange still in flight with a previous secret is
    /// joined if that secret is set again before it ends, and its token is dropped otherwise.
    pub fn set_secret(&self, client_secret: impl Into<Secret>) {
        let secret = client_secret.into();
        let fingerprint = self.inner.hasher.hash_one(secret.expose_secret());
        *self
            .inner
            .credentials
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Arc::new(Credentials {
            secret,
            fingerprint,
        });
        // Entries of other secrets go, except those with an exchange in flight: they stay (their tokens unserved)
        // until the exchange ends, so that swapping back to that secret meanwhile joins the exchange instead of
        // starting a second one. An exchange ending for a secret no longer in use drops its entry.
        self.inner.lock().retain(|key, slot| {
            if key.secret == fingerprint {
                return true;
            }
            slot.cached = None;
            slot.flight.is_some()
        });
    }

    /// A downstream service answered 401 to `rejected`: drops it, so that the next call exchanges a new one, and
    /// says whether sending the request again with another token may help.
    ///
    /// - A token already replaced is left alone (many requests refused at once cause one new exchange): `true`.
    /// - Forced refreshes are bounded: at most one per [`ProviderPolicy::forced_refresh_interval`] (default 60 s)
    ///   for each set of scopes. Past the bound the token is kept, one warning is logged, and the answer is
    ///   `false`: the 401 stands as the downstream's answer, and a misconfigured downstream that refuses every
    ///   token never turns each request into a token exchange.
    pub fn invalidate<I>(&self, scopes: I, rejected: &Secret) -> bool
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let key = self.inner.key(scopes);
        let now = Instant::now();
        let interval = self.inner.policy.forced_refresh_interval;
        let mut slots = self.inner.lock();
        let Some(slot) = slots.get_mut(&key) else {
            return true;
        };
        let is_current = slot
            .cached
            .as_ref()
            .is_some_and(|c| c.token.expose_secret() == rejected.expose_secret());
        if !is_current {
            return true;
        }
        if slot
            .forced_at
            .is_some_and(|at| now.saturating_duration_since(at) < interval)
        {
            crate::metrics::forced_refresh_refused();
            if !std::mem::replace(&mut slot.warned, true) {
                tracing::warn!(
                    client_id = %self.inner.client_id,
                    scopes = ?key.scopes,
                    ?interval,
                    "a downstream service refused a fresh M2M token again; the 401 is returned as is \
                     (at most one forced refresh per interval: check the downstream's project and audience)"
                );
            }
            return false;
        }
        slot.forced_at = Some(now);
        slot.warned = false;
        slot.cached = None;
        crate::metrics::provider_refresh("forced");
        true
    }

    /// Exchanges the credentials now, once, outside the cache, and returns Stytch's whole answer (`expires_in`,
    /// `token_type`, the token): for a one-off token, as the command line's `token` prints it. Services call
    /// [`token`](Self::token), which caches and refreshes.
    pub async fn exchange<I>(&self, scopes: I) -> Result<TokenResponse, Error>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let credentials = self.inner.credentials();
        self.inner
            .client
            .token(&self.inner.client_id, &credentials.secret, scopes)
            .await
    }

    /// Drops every cached token.
    pub fn invalidate_all(&self) {
        for slot in self.inner.lock().values_mut() {
            slot.cached = None;
        }
    }

    /// An access token with these scopes (any iterable of string-likes; [`NO_SCOPES`](crate::NO_SCOPES): every
    /// scope of the client).
    pub async fn token<I>(&self, scopes: I) -> Result<Secret, Error>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let key = self.inner.key(scopes);
        let (flight, launch) = {
            let now = Instant::now();
            let use_count = self.inner.uses.fetch_add(1, Ordering::Relaxed);
            let mut slots = self.inner.lock();
            if !slots.contains_key(&key) {
                self.inner.make_room(&mut slots);
            }
            let slot = slots.entry(key.clone()).or_insert_with(|| Slot {
                cached: None,
                flight: None,
                retry_at: None,
                failures: 0,
                forced_at: None,
                warned: false,
                last_used: use_count,
            });
            slot.last_used = use_count;
            match &slot.cached {
                Some(cached) if now < cached.refresh_at => {
                    self.inner.hits.record();
                    return Ok(cached.token.clone());
                }
                Some(cached) if now < cached.expires_at => {
                    // Due: refresh in the background (unless backing off); the valid token answers now.
                    self.inner.hits.record();
                    let token = cached.token.clone();
                    if slot.flight.is_none() && slot.retry_at.is_none_or(|at| now >= at) {
                        crate::metrics::provider_refresh("ahead");
                        let (flight, launch) = self.inner.prepare(key);
                        slot.flight = Some(flight);
                        drop(slots);
                        launch.start();
                    }
                    return Ok(token);
                }
                _ => {}
            }
            match &slot.flight {
                Some(flight) => (flight.clone(), None),
                None => {
                    let (flight, launch) = self.inner.prepare(key);
                    slot.flight = Some(flight.clone());
                    (flight, Some(launch))
                }
            }
        };
        if let Some(launch) = launch {
            launch.start();
        }
        flight.await
    }
}

impl Inner {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Slot>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn credentials(&self) -> Arc<Credentials> {
        self.credentials
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn key<I>(&self, scopes: I) -> Key
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut scopes: Vec<String> = scopes.into_iter().map(|s| s.as_ref().to_owned()).collect();
        scopes.sort();
        scopes.dedup();
        Key {
            secret: self.credentials().fingerprint,
            scopes,
        }
    }

    /// Evicts the least recently used idle entry when the map is full.
    fn make_room(&self, slots: &mut HashMap<Key, Slot>) {
        while slots.len() >= self.policy.max_entries {
            let Some(oldest) = slots
                .iter()
                .filter(|(_, slot)| slot.flight.is_none())
                .min_by_key(|(_, slot)| slot.last_used)
                .map(|(key, _)| key.clone())
            else {
                return;
            };
            slots.remove(&oldest);
        }
    }
}

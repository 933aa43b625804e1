//! The project's JWKS as a key source that never stalls requests (after Nimbus's `JWKSourceBuilder`: refresh
//! ahead, outage tolerance, rate limiting).
//!
//! - Keys are parsed once per `kid` and published in an [`ArcSwap`]: the hot path reads them without any lock.
//! - At most one fetch is in flight per source. It runs as its own task, detached from the callers, bounded by
//!   the fetch timeout; every waiter shares its outcome, and a waiter that is dropped changes nothing.
//! - While a usable key for the token's `kid` is cached, nobody waits: when the set is due, one background
//!   refresh starts and the cached key answers at once.
//! - After failed refreshes, cached keys keep serving for [`JwksPolicy::max_stale`], then callers get
//!   [`JwksUnavailable`].
//! - Fetches are rate limited, failed ones too: at most one per cooldown after a success, and an exponential,
//!   jittered backoff (capped at the cooldown) after failures. An unknown `kid` causes at most one refetch per
//!   cooldown.
//! - `Cache-Control: max-age` is honoured, clamped to the policy's bounds.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use aws_lc_rs::signature::ParsedPublicKey;
use tokio::time::Instant;

use super::error::{AuthError, InvalidToken, JwksUnavailable};
use super::jwks_keys::{KeyMap, fetch};
pub use super::jwks_policy::JwksPolicy;
use crate::background::{backoff, flight};
use crate::transport::Transport;

/// One published key set and its lifetime, in milliseconds since the source's origin.
struct KeySet {
    by_kid: KeyMap,
    /// Until then the set is fresh; a refresh starts `refresh_ahead` before.
    fresh_until: u64,
    /// Until then its keys may be used (fresh, or stale while refreshes fail).
    usable_until: u64,
}

impl KeySet {
    fn empty() -> Self {
        Self {
            by_kid: KeyMap::default(),
            fresh_until: 0,
            usable_until: 0,
        }
    }
}

/// Where keys come from.
enum Origin {
    /// Fetched through the transport from this URL.
    Remote {
        transport: Arc<dyn Transport>,
        url: String,
    },
    /// Given once; never fetched.
    Static,
}

type Outcome = Result<(), JwksUnavailable>;
type Flight = flight::Flight<Outcome>;

#[derive(Default)]
struct Control {
    in_flight: Option<Flight>,
    failures: u32,
    /// The error of the most recent fetch, if it failed; `None` after a success.
    last_error: Option<JwksUnavailable>,
}

struct Inner {
    policy: JwksPolicy,
    origin: Origin,
    epoch: Instant,
    keys: ArcSwap<KeySet>,
    /// No fetch starts before this (ms since the epoch); read without a lock on the hot path.
    next_fetch_at: AtomicU64,
    control: Mutex<Control>,
}

/// What the cache knows of a `kid` right now, without waiting.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Probe {
    /// A usable key has this kid.
    Usable,
    /// The set is usable and has no such kid.
    Absent,
    /// No usable set (never fetched, or stale beyond `max_stale`).
    Unusable,
}

/// The JWKS source of one verifier, shared by its clones.
#[derive(Clone)]
pub(crate) struct JwksSource {
    inner: Arc<Inner>,
}

impl JwksSource {
    /// A source that fetches from `url` through `transport`, optionally starting from a set the user gave.
    pub fn remote(
        policy: JwksPolicy,
        transport: Arc<dyn Transport>,
        url: String,
        initial: Option<KeyMap>,
    ) -> Self {
        let source = Self::with(policy, Origin::Remote { transport, url });
        if let Some(keys) = initial {
            let fresh = duration_ms(source.inner.policy.ttl);
            source.inner.publish(keys, fresh);
        }
        source
    }

    /// A source that only ever has these keys.
    pub fn fixed(policy: JwksPolicy, keys: KeyMap) -> Self {
        let source = Self::with(policy, Origin::Static);
        source.inner.keys.store(Arc::new(KeySet {
            by_kid: keys,
            fresh_until: u64::MAX,
            usable_until: u64::MAX,
        }));
        source
    }

    fn with(policy: JwksPolicy, origin: Origin) -> Self {
        Self {
            inner: Arc::new(Inner {
                policy,
                origin,
                epoch: Instant::now(),
                keys: ArcSwap::from_pointee(KeySet::empty()),
                next_fetch_at: AtomicU64::new(0),
                control: Mutex::default(),
            }),
        }
    }

    /// What is known of `kid` now. Starts a background refresh when the set is due; never waits.
    pub fn probe(&self, kid: &str) -> Probe {
        let now = self.inner.now_ms();
        let set = self.inner.keys.load();
        if now >= set.usable_until {
            return Probe::Unusable;
        }
        let present = set.by_kid.contains_key(kid);
        let due =
            now.saturating_add(duration_ms(self.inner.policy.refresh_ahead)) >= set.fresh_until;
        drop(set);
        if due {
            self.inner.refresh_in_background(now);
        }
        if present {
            Probe::Usable
        } else {
            Probe::Absent
        }
    }

    /// Ready when a usable set is cached; otherwise after joining or starting one fetch (waiting at most the fetch
    /// timeout), or at once with the backoff's error while fetches are held back.
    pub async fn ready(&self) -> Result<(), JwksUnavailable> {
        let now = self.inner.now_ms();
        if now < self.inner.keys.load().usable_until {
            return Ok(());
        }
        match self.inner.join_or_start(now) {
            Some(flight) => self.wait(flight).await,
            None => Err(self.inner.backing_off(now)),
        }
    }

    /// A fetch's outcome, waiting at most the fetch timeout.
    async fn wait(&self, flight: Flight) -> Outcome {
        match tokio::time::timeout(self.inner.policy.fetch_timeout, flight).await {
            Ok(outcome) => outcome,
            Err(_) => Err(JwksUnavailable::new(format!(
                "no answer within the fetch timeout of {:?}",
                self.inner.policy.fetch_timeout
            ))
            .with_retry_after(self.inner.policy.fetch_timeout)),
        }
    }

    /// The key of `kid` while a usable one is cached (a refresh starts in the background when due): no await, so
    /// the common path of a check needs no future of its own.
    pub fn cached_key(&self, kid: &str) -> Option<Arc<ParsedPublicKey>> {
        let now = self.inner.now_ms();
        let set = self.inner.keys.load();
        if now >= set.usable_until {
            return None;
        }
        let key = set.by_kid.get(kid)?.clone();
        let due =
            now.saturating_add(duration_ms(self.inner.policy.refresh_ahead)) >= set.fresh_until;
        drop(set);
        if due {
            self.inner.refresh_in_background(now);
        }
        Some(key)
    }

    /// The key of `kid`: at once while a usable key is cached ([`cached_key`](Self::cached_key)); otherwise after
    /// joining or starting one fetch, waiting at most the fetch timeout.
    pub async fn key(&self, kid: &str) -> Result<Arc<ParsedPublicKey>, AuthError> {
        if let Some(key) = self.cached_key(kid) {
            return Ok(key);
        }
        let now = self.inner.now_ms();
        let usable = now < self.inner.keys.load().usable_until;
        let flight = self.inner.join_or_start(now);
        let Some(flight) = flight else {
            // Backing off: no fetch now. The kid is unknown only if the most recent fetch succeeded without it.
            return Err(match self.inner.last_error() {
                None if usable => InvalidToken::UnknownKey(kid.to_owned()).into(),
                _ => AuthError::JwksUnavailable(self.inner.backing_off(now)),
            });
        };
        let outcome = self.wait(flight).await;
        let set = self.inner.keys.load();
        match outcome {
            // A set fetched for this very call is used even if its TTL is zero.
            Ok(()) => match set.by_kid.get(kid) {
                Some(key) => Ok(key.clone()),
                None => Err(InvalidToken::UnknownKey(kid.to_owned()).into()),
            },
            // The fetch failed: a usable cached key still serves, but a kid the cache lacks cannot be judged.
            Err(e) => match set.by_kid.get(kid) {
                Some(key) if self.inner.now_ms() < set.usable_until => Ok(key.clone()),
                _ => Err(AuthError::JwksUnavailable(e)),
            },
        }
    }
}

impl Inner {
    /// Milliseconds since the epoch, from 1: the empty set (usable until 0) is never usable.
    fn now_ms(&self) -> u64 {
        duration_ms(self.epoch.elapsed()).saturating_add(1)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Control> {
        self.control.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn publish(&self, by_kid: KeyMap, fresh_for_ms: u64) {
        let now = self.now_ms();
        let fresh_until = now.saturating_add(fresh_for_ms);
        self.keys.store(Arc::new(KeySet {
            by_kid,
            fresh_until,
            usable_until: fresh_until.saturating_add(duration_ms(self.policy.max_stale)),
        }));
    }

    fn refresh_in_background(self: &Arc<Self>, now: u64) {
        if now >= self.next_fetch_at.load(Ordering::Relaxed) {
            // The flight runs on its own; nobody waits for it.
            drop(self.join_or_start(now));
        }
    }

    /// The fetch in flight, or a new one when none is and the rate limit allows; `None` while backing off.
    fn join_or_start(self: &Arc<Self>, now: u64) -> Option<Flight> {
        let Origin::Remote { transport, url } = &self.origin else {
            return None;
        };
        let mut control = self.lock();
        if let Some(flight) = &control.in_flight {
            return Some(flight.clone());
        }
        if now < self.next_fetch_at.load(Ordering::Relaxed) {
            return None;
        }
        self.next_fetch_at.store(
            now.saturating_add(duration_ms(self.policy.cooldown)),
            Ordering::Relaxed,
        );
        let (transport, url) = (transport.clone(), url.clone());
        let timeout = self.policy.fetch_timeout;
        let work = async move {
            tokio::time::timeout(timeout, fetch(&*transport, url))
                .await
                .unwrap_or_else(|_| {
                    Err(JwksUnavailable::new(format!(
                        "the fetch timed out after {timeout:?}"
                    )))
                })
        };
        let inner = self.clone();
        // However the task ends (done, failed, panicked, its runtime shut down), `complete` ends the flight.
        let (flight, launch) = flight::prepare(
            work,
            move |fetched| {
                let fetched = fetched
                    .map_err(|died| {
                        JwksUnavailable::new(format!("the fetch task {}", died.describe()))
                    })
                    .and_then(|fetched| fetched)
                    .map(|(keys, cache_control)| {
                        (keys, inner.policy.freshness(cache_control.as_deref()))
                    });
                inner.complete(fetched)
            },
            |died| {
                Err(JwksUnavailable::new(format!(
                    "the fetch task {}",
                    died.describe()
                )))
            },
        );
        control.in_flight = Some(flight.clone());
        drop(control);
        launch.start();
        Some(flight)
    }

    /// Publishes a fetched set, or records a failure and backs off; ends the flight.
    fn complete(&self, fetched: Result<(KeyMap, Duration), JwksUnavailable>) -> Outcome {
        let mut control = self.lock();
        control.in_flight = None;
        match fetched {
            Ok((keys, fresh_for)) => {
                crate::metrics::jwks_fetch(Ok(keys.len()));
                self.publish(keys, duration_ms(fresh_for));
                control.failures = 0;
                control.last_error = None;
                Ok(())
            }
            Err(e) => {
                crate::metrics::jwks_fetch(Err(e.is_misconfiguration()));
                control.failures = control.failures.saturating_add(1);
                let backoff = backoff::jittered(
                    Duration::from_secs(1),
                    self.policy.cooldown,
                    control.failures,
                );
                let now = self.now_ms();
                self.next_fetch_at
                    .store(now.saturating_add(duration_ms(backoff)), Ordering::Relaxed);
                if e.is_misconfiguration() {
                    tracing::error!(error = %e, ?backoff, "JWKS fetch refused: the verifier is misconfigured");
                } else {
                    tracing::warn!(error = %e, ?backoff, "JWKS fetch failed");
                }
                let e = e.with_retry_after(backoff);
                control.last_error = Some(e.clone());
                Err(e)
            }
        }
    }

    /// The error of the most recent fetch, if it failed.
    fn last_error(&self) -> Option<JwksUnavailable> {
        self.lock().last_error.clone()
    }

    /// The error of a caller who finds no usable set while fetches back off.
    fn backing_off(&self, now: u64) -> JwksUnavailable {
        let wait = Duration::from_millis(
            self.next_fetch_at
                .load(Ordering::Relaxed)
                .saturating_sub(now),
        );
        let control = self.lock();
        match &control.last_error {
            Some(e) => e.clone().with_retry_after(wait),
            None => JwksUnavailable::new("no JWKS is loaded").with_retry_after(wait),
        }
    }
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

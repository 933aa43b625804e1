//! A bounded cache of tokens already verified, keyed by the exact token: a service that sees the same token again
//! skips the RSA verification and the parsing. Expiry, `nbf`, max age and scopes are still checked on every call,
//! and an entry whose signing key left the JWKS is dropped.
//!
//! Two generations approximate LRU in O(1): lookups read the young map, then the old one (promoting the entry);
//! when the young map is full (entries or bytes), it becomes the old one and the previous old one is dropped.
//! So at most `2 x` half the budget is held.
//!
//! Admission (TinyLFU's doorkeeper): a token is kept only the second time it is verified. The first time, only a
//! 64-bit fingerprint of it goes into a fixed array of atomics. So one-off tokens (a flood of valid but single-use
//! tokens, or a service whose callers never repeat a token) neither evict the tokens that are repeated nor make
//! every verification allocate and retain a copy of the token; a token used many times costs one extra
//! verification in its life. A fingerprint collision only admits a token early: lookups compare whole tokens.
//!
//! The cache is split into up to 16 shards, each with its own lock and its share of the budget, so that tasks on
//! different cores do not serialize on one lock. A token's shard follows from its last bytes (the signature of
//! a verified token, uniformly spread; only verified tokens are ever inserted).

use std::borrow::Borrow;
use std::collections::HashSet;
use std::hash::{BuildHasher as _, Hash};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use foldhash::fast::RandomState;

use super::token::VerifiedClaims;

/// The bounds of the verified-token cache.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[must_use = "a setting has no effect until it is used"]
pub struct VerifiedCachePolicy {
    /// The most tokens kept (default 10 000); 0 turns the cache off.
    pub max_entries: usize,
    /// The most bytes kept, estimated from the tokens and their claims (default 16 MiB).
    pub max_bytes: usize,
}

impl Default for VerifiedCachePolicy {
    fn default() -> Self {
        Self {
            max_entries: 10_000,
            max_bytes: 16 * 1024 * 1024,
        }
    }
}

impl VerifiedCachePolicy {
    /// No cache: every call verifies the signature.
    pub fn disabled() -> Self {
        Self {
            max_entries: 0,
            max_bytes: 0,
        }
    }

    /// Sets the bounds.
    pub fn with_limits(mut self, max_entries: usize, max_bytes: usize) -> Self {
        self.max_entries = max_entries;
        self.max_bytes = max_bytes;
        self
    }
}

/// An entry, keyed by the token it holds (stored once, in the claims).
struct Entry(Arc<VerifiedClaims>);

impl Borrow<str> for Entry {
    fn borrow(&self) -> &str {
        &self.0.token
    }
}

impl Hash for Entry {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.token.hash(state);
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.0.token == other.0.token
    }
}

impl Eq for Entry {}

type Map = HashSet<Entry, TailState>;

/// How many bytes at the end of a token are hashed: the signature's, unique per verified token.
const HASHED_TAIL: usize = 64;

/// Hashes only the last [`HASHED_TAIL`] bytes of a token (with a randomly seeded foldhash): a token is ~700
/// bytes, and hashing all of it twice per new token was a measurable part of the cache's cost. Lookups still
/// compare whole tokens, and only verified tokens are inserted, so an attacker cannot fill one bucket: forging
/// many verified tokens with one signature tail is not possible.
#[derive(Clone, Default)]
struct TailState(RandomState);

struct TailHasher(foldhash::fast::FoldHasher<'static>);

impl std::hash::BuildHasher for TailState {
    type Hasher = TailHasher;
    fn build_hasher(&self) -> TailHasher {
        TailHasher(self.0.build_hasher())
    }
}

impl std::hash::Hasher for TailHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0
            .write(&bytes[bytes.len().saturating_sub(HASHED_TAIL)..]);
    }
    fn write_u8(&mut self, byte: u8) {
        self.0.write_u8(byte);
    }
    fn write_usize(&mut self, n: usize) {
        self.0.write_usize(n);
    }
    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

#[derive(Default)]
struct Generations {
    young: Map,
    young_bytes: usize,
    old: Map,
}

/// One shard per this many entries of the budget, at most [`MAX_SHARDS`].
const ENTRIES_PER_SHARD: usize = 256;
const MAX_SHARDS: usize = 16;

/// One shard, alone on its cache lines: threads locking neighbouring shards do not slow each other down.
#[repr(align(128))]
#[derive(Default)]
struct Shard(Mutex<Generations>);

pub(crate) struct VerifiedCache {
    /// The budget of one shard.
    policy: VerifiedCachePolicy,
    shards: Box<[Shard]>,
    /// Fingerprints of tokens verified once, by slot.
    doorkeeper: Box<[AtomicU64]>,
    fingerprint: TailState,
}

impl VerifiedCache {
    pub fn new(policy: VerifiedCachePolicy) -> Self {
        let count = (policy.max_entries / ENTRIES_PER_SHARD)
            .clamp(1, MAX_SHARDS)
            .next_power_of_two()
            .min(MAX_SHARDS);
        let slots = match policy.max_entries {
            0 => 0,
            n => n.clamp(1024, 65_536).next_power_of_two(),
        };
        Self {
            policy: VerifiedCachePolicy {
                max_entries: policy.max_entries.div_ceil(count),
                max_bytes: policy.max_bytes / count,
            },
            shards: (0..count).map(|_| Shard::default()).collect(),
            doorkeeper: (0..slots).map(|_| AtomicU64::new(0)).collect(),
            fingerprint: TailState::default(),
        }
    }

    /// Keeps the claims of a token verified for the second time (recently); the first time, only remembers its
    /// fingerprint.
    pub fn offer(&self, claims: Arc<VerifiedClaims>) {
        if self.doorkeeper.is_empty() {
            return;
        }
        let fingerprint = self.fingerprint.hash_one(&*claims.token) | 1;
        let slot = &self.doorkeeper[fingerprint as usize & (self.doorkeeper.len() - 1)];
        if slot.load(Ordering::Relaxed) == fingerprint {
            // Split once for the many checks a cached token will take.
            claims.scopes();
            self.insert(claims);
        } else {
            slot.store(fingerprint, Ordering::Relaxed);
        }
    }

    fn lock(&self, token: &str) -> std::sync::MutexGuard<'_, Generations> {
        let tail = token
            .as_bytes()
            .iter()
            .rev()
            .take(4)
            .fold(0usize, |acc, &b| {
                acc.wrapping_mul(31).wrapping_add(usize::from(b))
            });
        self.shards[tail & (self.shards.len() - 1)]
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, token: &str) -> Option<Arc<VerifiedClaims>> {
        if self.policy.max_entries == 0 {
            return None;
        }
        let mut g = self.lock(token);
        if let Some(hit) = g.young.get(token) {
            return Some(hit.0.clone());
        }
        let promoted = g.old.take(token)?.0;
        self.insert_locked(&mut g, promoted.clone());
        Some(promoted)
    }

    /// Keeps the claims of a verified token (the token is in them), without admission.
    pub fn insert(&self, claims: Arc<VerifiedClaims>) {
        if self.policy.max_entries == 0 {
            return;
        }
        let mut g = self.lock(&claims.token);
        self.insert_locked(&mut g, claims);
    }

    fn insert_locked(&self, g: &mut Generations, claims: Arc<VerifiedClaims>) {
        let size = claims.approximate_size();
        let half_entries = self.policy.max_entries.div_ceil(2);
        let half_bytes = self.policy.max_bytes / 2;
        if size > half_bytes {
            return;
        }
        if g.young.len() >= half_entries || g.young_bytes + size > half_bytes {
            g.old = std::mem::take(&mut g.young);
            g.young_bytes = 0;
        }
        g.young_bytes += size;
        g.young.replace(Entry(claims));
    }

    /// Drops an entry (its key left the JWKS).
    pub fn remove(&self, token: &str) {
        let mut g = self.lock(token);
        g.young.remove(token);
        g.old.remove(token);
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| {
                let g = s.0.lock().unwrap_or_else(|e| e.into_inner());
                g.young.len() + g.old.len()
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(token: &str, n: usize) -> Arc<VerifiedClaims> {
        Arc::new(VerifiedClaims {
            kid: "k".into(),
            client_id: format!("c{n}").into(),
            scope: "read:users".into(),
            scopes: std::sync::OnceLock::new(),
            issued_at: Some(1),
            not_before: None,
            expires_at: 2,
            token: token.into(),
            custom_claims: Default::default(),
            entry: 0,
            project_id: "project-test-1".into(),
            issuer: "stytch.com/project-test-1".into(),
        })
    }

    #[test]
    fn bounded_in_entries_and_keeps_recent_ones() {
        let cache = VerifiedCache::new(VerifiedCachePolicy::default().with_limits(100, usize::MAX));
        for i in 0..1000 {
            cache.insert(claims(&format!("token-{i}"), i));
            assert!(cache.len() <= 100, "{}", cache.len());
        }
        assert!(cache.get("token-999").is_some());
        assert!(cache.get("token-0").is_none());
        // A hit in the old generation is promoted and survives the next turnover.
        let cache = VerifiedCache::new(VerifiedCachePolicy::default().with_limits(4, usize::MAX));
        for i in 0..3 {
            cache.insert(claims(&format!("t{i}"), i));
        }
        assert!(cache.get("t0").is_some());
        for i in 3..5 {
            cache.insert(claims(&format!("t{i}"), i));
        }
        assert!(cache.get("t0").is_some());
    }

    #[test]
    fn bounded_in_bytes() {
        let cache =
            VerifiedCache::new(VerifiedCachePolicy::default().with_limits(1_000_000, 64 * 1024));
        let token = "x".repeat(1000);
        for i in 0..1000 {
            cache.insert(claims(&format!("{token}{i}"), i));
        }
        assert!(cache.len() < 100, "{}", cache.len());
        // One entry larger than half the budget is not kept at all.
        cache.insert(claims(&"y".repeat(40 * 1024), 0));
        assert!(cache.get(&"y".repeat(40 * 1024)).is_none());
    }

    #[test]
    fn sharded_cache_stays_within_the_whole_budget() {
        let cache =
            VerifiedCache::new(VerifiedCachePolicy::default().with_limits(10_000, usize::MAX));
        assert_eq!(cache.shards.len(), 16);
        for i in 0..50_000 {
            cache.insert(claims(&format!("token-{i}"), i));
        }
        assert!(cache.len() <= 10_000, "{}", cache.len());
        assert!(cache.len() >= 5_000, "{}", cache.len());
        assert!(cache.get("token-49999").is_some());
    }

    #[test]
    fn a_token_is_admitted_the_second_time_it_is_verified() {
        let cache = VerifiedCache::new(VerifiedCachePolicy::default());
        cache.offer(claims("t1", 1));
        assert!(cache.get("t1").is_none(), "seen once: only its fingerprint");
        cache.offer(claims("t1", 1));
        assert!(cache.get("t1").is_some(), "seen twice: kept");
        // One-off tokens do not evict it.
        for i in 0..100_000 {
            cache.offer(claims(&format!("one-off-{i}"), i));
        }
        assert!(cache.get("t1").is_some());
        assert!(cache.len() < 100, "{}", cache.len());
        let off = VerifiedCache::new(VerifiedCachePolicy::disabled());
        off.offer(claims("t", 0));
        off.offer(claims("t", 0));
        assert!(off.get("t").is_none());
    }

    #[test]
    fn disabled_keeps_nothing_and_remove_forgets() {
        let off = VerifiedCache::new(VerifiedCachePolicy::disabled());
        off.insert(claims("t", 0));
        assert!(off.get("t").is_none());
        let on = VerifiedCache::new(VerifiedCachePolicy::default());
        on.insert(claims("t", 0));
        on.remove("t");
        assert!(on.get("t").is_none());
    }
}

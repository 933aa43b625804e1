//! A bounded cache of tokens already verified, keyed by the exact token: a service that sees the same token again
//! skips the RSA verification and the parsing. Expiry, `nbf`, max age and scopes are still checked on every call,
//! and an entry whose signing key left the JWKS is dropped.
//!
//! Two generations approximate LRU in O(1): lookups read the young map, then the old one (promoting the entry);
//! when the young map is full (entries or bytes), it becomes the old one and the previous old one is dropped.
//! So at most `2 x` half the budget is held.
//!
//! The cache is split into up to 16 shards, each with its own lock and its share of the budget, so that tasks on
//! different cores do not serialize on one lock. A token's shard follows from its last bytes (the signature of
//! a verified token, uniformly spread; only verified tokens are ever inserted).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use foldhash::fast::RandomState;

use super::token::VerifiedClaims;

/// The bounds of the verified-token cache.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
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

type Map = HashMap<Box<str>, Arc<VerifiedClaims>, RandomState>;

#[derive(Default)]
struct Generations {
    young: Map,
    young_bytes: usize,
    old: Map,
}

/// One shard per this many entries of the budget, at most [`MAX_SHARDS`].
const ENTRIES_PER_SHARD: usize = 256;
const MAX_SHARDS: usize = 16;

pub(crate) struct VerifiedCache {
    /// The budget of one shard.
    policy: VerifiedCachePolicy,
    shards: Box<[Mutex<Generations>]>,
}

impl VerifiedCache {
    pub fn new(policy: VerifiedCachePolicy) -> Self {
        let count = (policy.max_entries / ENTRIES_PER_SHARD)
            .clamp(1, MAX_SHARDS)
            .next_power_of_two()
            .min(MAX_SHARDS);
        Self {
            policy: VerifiedCachePolicy {
                max_entries: policy.max_entries.div_ceil(count),
                max_bytes: policy.max_bytes / count,
            },
            shards: (0..count).map(|_| Mutex::default()).collect(),
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
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, token: &str) -> Option<Arc<VerifiedClaims>> {
        if self.policy.max_entries == 0 {
            return None;
        }
        let mut g = self.lock(token);
        if let Some(hit) = g.young.get(token) {
            return Some(hit.clone());
        }
        let promoted = g.old.remove(token)?;
        self.insert_locked(&mut g, token, promoted.clone());
        Some(promoted)
    }

    pub fn insert(&self, token: &str, claims: Arc<VerifiedClaims>) {
        if self.policy.max_entries == 0 {
            return;
        }
        let mut g = self.lock(token);
        self.insert_locked(&mut g, token, claims);
    }

    fn insert_locked(&self, g: &mut Generations, token: &str, claims: Arc<VerifiedClaims>) {
        let size = token.len() + claims.approximate_size();
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
        g.young.insert(token.into(), claims);
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
                let g = s.lock().unwrap_or_else(|e| e.into_inner());
                g.young.len() + g.old.len()
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(n: usize) -> Arc<VerifiedClaims> {
        Arc::new(VerifiedClaims {
            kid: "k".into(),
            client_id: format!("c{n}"),
            scopes: vec!["read:users".into()],
            issued_at: Some(1),
            not_before: None,
            expires_at: 2,
            payload: format!("{{\"sub\":\"c{n}\"}}")
                .into_bytes()
                .into_boxed_slice(),
            custom_claims: Default::default(),
        })
    }

    #[test]
    fn bounded_in_entries_and_keeps_recent_ones() {
        let cache = VerifiedCache::new(VerifiedCachePolicy::default().with_limits(100, usize::MAX));
        for i in 0..1000 {
            cache.insert(&format!("token-{i}"), claims(i));
            assert!(cache.len() <= 100, "{}", cache.len());
        }
        assert!(cache.get("token-999").is_some());
        assert!(cache.get("token-0").is_none());
        // A hit in the old generation is promoted and survives the next turnover.
        let cache = VerifiedCache::new(VerifiedCachePolicy::default().with_limits(4, usize::MAX));
        for i in 0..3 {
            cache.insert(&format!("t{i}"), claims(i));
        }
        assert!(cache.get("t0").is_some());
        for i in 3..5 {
            cache.insert(&format!("t{i}"), claims(i));
        }
        assert!(cache.get("t0").is_some());
    }

    #[test]
    fn bounded_in_bytes() {
        let cache =
            VerifiedCache::new(VerifiedCachePolicy::default().with_limits(1_000_000, 64 * 1024));
        let token = "x".repeat(1000);
        for i in 0..1000 {
            cache.insert(&format!("{token}{i}"), claims(i));
        }
        assert!(cache.len() < 100, "{}", cache.len());
        // One entry larger than half the budget is not kept at all.
        cache.insert(&"y".repeat(40 * 1024), claims(0));
        assert!(cache.get(&"y".repeat(40 * 1024)).is_none());
    }

    #[test]
    fn sharded_cache_stays_within_the_whole_budget() {
        let cache =
            VerifiedCache::new(VerifiedCachePolicy::default().with_limits(10_000, usize::MAX));
        assert_eq!(cache.shards.len(), 16);
        for i in 0..50_000 {
            cache.insert(&format!("token-{i}"), claims(i));
        }
        assert!(cache.len() <= 10_000, "{}", cache.len());
        assert!(cache.len() >= 5_000, "{}", cache.len());
        assert!(cache.get("token-49999").is_some());
    }

    #[test]
    fn disabled_keeps_nothing_and_remove_forgets() {
        let off = VerifiedCache::new(VerifiedCachePolicy::disabled());
        off.insert("t", claims(0));
        assert!(off.get("t").is_none());
        let on = VerifiedCache::new(VerifiedCachePolicy::default());
        on.insert("t", claims(0));
        on.remove("t");
        assert!(on.get("t").is_none());
    }
}

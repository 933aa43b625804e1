//! The project's JWKS, fetched through the transport and cached: keys parsed once per `kid`, a TTL, at most one
//! refetch for an unknown `kid`, and a cooldown between refetches so that a flood of tokens with random `kid`s
//! cannot hammer the API.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use aws_lc_rs::rsa::PublicKeyComponents;
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use base64::Engine as _;
use stytch_m2m_models::JwksResponse;
use tokio::time::Instant;

use super::error::{AuthError, InvalidToken};
use crate::client::{Auth, Call, Client, encode_path_segment};
use crate::transport::Method;

/// How the JWKS is cached.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct JwksPolicy {
    /// How long a fetched JWKS is trusted before it is fetched again (default 5 minutes).
    pub ttl: Duration,
    /// The least time between two fetches caused by unknown `kid`s (default 30 s, as jose in node).
    pub cooldown: Duration,
}

impl Default for JwksPolicy {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(300),
            cooldown: Duration::from_secs(30),
        }
    }
}

impl JwksPolicy {
    /// Sets the TTL.
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Sets the cooldown.
    pub fn with_cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }
}

#[derive(Default)]
struct Keys {
    by_kid: HashMap<String, Arc<ParsedPublicKey>>,
    fetched_at: Option<Instant>,
    /// Incremented by every successful fetch.
    generation: u64,
}

/// The cache; one per client, shared by its clones.
pub(crate) struct JwksCache {
    policy: JwksPolicy,
    keys: RwLock<Keys>,
    fetch: tokio::sync::Mutex<Option<Instant>>,
}

impl JwksCache {
    pub fn new(policy: JwksPolicy) -> Self {
        Self {
            policy,
            keys: RwLock::default(),
            fetch: tokio::sync::Mutex::new(None),
        }
    }

    fn lookup(&self, kid: &str) -> (Option<Arc<ParsedPublicKey>>, bool, u64) {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let fresh = keys
            .fetched_at
            .is_some_and(|at| at.elapsed() < self.policy.ttl);
        (keys.by_kid.get(kid).cloned(), fresh, keys.generation)
    }

    /// Whether `kid` is in the cached JWKS (no fetch): the verified-token cache asks this on every hit.
    pub fn contains_fresh(&self, kid: &str) -> Option<bool> {
        let (key, fresh, _) = self.lookup(kid);
        fresh.then_some(key.is_some())
    }

    /// The key of `kid`: from the cache while fresh; otherwise after one fetch (single flight, cooldown for
    /// unknown kids). A stale key is still used when a refetch fails.
    pub async fn key(&self, client: &Client, kid: &str) -> Result<Arc<ParsedPublicKey>, AuthError> {
        let (key, fresh, generation) = self.lookup(kid);
        if let (Some(key), true) = (&key, fresh) {
            return Ok(key.clone());
        }
        let mut last_fetch = self.fetch.lock().await;
        // Someone else fetched while we waited.
        let (after, fresh_now, generation_now) = self.lookup(kid);
        if generation_now != generation && fresh_now {
            return after.ok_or_else(|| InvalidToken::UnknownKey(kid.to_owned()).into());
        }
        let cooling = last_fetch.is_some_and(|at| at.elapsed() < self.policy.cooldown);
        if fresh && cooling {
            // The set is fresh and was fetched moments ago: an unknown kid does not cause another fetch.
            return Err(InvalidToken::UnknownKey(kid.to_owned()).into());
        }
        *last_fetch = Some(Instant::now());
        match self.fetch_now(client).await {
            Ok(()) => {
                let (key, _, _) = self.lookup(kid);
                key.ok_or_else(|| InvalidToken::UnknownKey(kid.to_owned()).into())
            }
            Err(e) => match key {
                Some(stale) => {
                    tracing::warn!(error = %e, "JWKS refetch failed; using the cached key");
                    Ok(stale)
                }
                None => Err(AuthError::JwksUnavailable(Box::new(e))),
            },
        }
    }

    async fn fetch_now(&self, client: &Client) -> Result<(), crate::Error> {
        let path = format!(
            "/v1/sessions/jwks/{}",
            encode_path_segment(client.project_id())
        );
        let call = Call::empty("m2m.jwks", Method::Get, path).auth(Auth::None);
        let jwks: JwksResponse = client.execute(call).await?;
        let by_kid = jwks
            .keys
            .iter()
            .filter(|k| k.kty == "RSA" && (k.alg == "RS256" || k.alg.is_empty()))
            .filter_map(|k| Some((k.kid.clone(), Arc::new(parse_key(&k.n, &k.e)?))))
            .collect();
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        *keys = Keys {
            by_kid,
            fetched_at: Some(Instant::now()),
            generation: keys.generation + 1,
        };
        Ok(())
    }
}

/// Parses an RSA public key from its JWK `n` and `e` (base64url), once per kid.
fn parse_key(n: &str, e: &str) -> Option<ParsedPublicKey> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let components = PublicKeyComponents {
        n: b64.decode(n).ok()?,
        e: b64.decode(e).ok()?,
    };
    components
        .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
        .ok()
}

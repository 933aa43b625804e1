//! The signing side of the engine: the token exchange, JWT templates and custom claims, signing keys and the
//! JWKS, deterministic mode.

use serde_json::{Map, Value};
use stytch_m2m_core::auth::scopes;
use stytch_m2m_core::models::{ErrorType, Jwk, Secret};

use super::keys::SigningKey;
use super::template::JwtTemplate;
use super::token::{self, TOKEN_LIFETIME_SECS};
use super::{Engine, Failure, Grant};

impl Engine {
    /// The client-credentials exchange. `scopes` `None` (or empty) asks for every scope of the client; otherwise
    /// each requested scope must be covered by the client's scopes under the default authorization rules (so a
    /// client with `read:*` may ask for `read:users`). Errors are OAuth2's, all 400:
    /// `invalid_client` (unknown client or wrong secret), `unauthorized_client` (inactive), `invalid_scope`.
    pub fn token(
        &self,
        client_id: &str,
        client_secret: &str,
        requested: Option<Vec<String>>,
    ) -> Result<Grant, Failure> {
        self.token_with(client_id, client_secret, requested, &Map::new())
    }

    /// The M2M JWT template in force, if any.
    pub fn jwt_template(&self) -> Option<JwtTemplate> {
        self.template
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Sets (or with `None` removes) the M2M JWT template that fills custom claims of new tokens.
    pub fn set_jwt_template(&self, template: Option<JwtTemplate>) {
        *self.template.write().unwrap_or_else(|e| e.into_inner()) = template;
    }

    /// Like [`Engine::token`], with the request's extra parameters, which the JWT template may use
    /// (`{{ request.x }}`).
    pub fn token_with(
        &self,
        client_id: &str,
        client_secret: &str,
        requested: Option<Vec<String>>,
        params: &Map<String, Value>,
    ) -> Result<Grant, Failure> {
        let invalid_client = || {
            Failure::new(
                400,
                ErrorType::InvalidClient,
                "The client credentials are invalid.",
            )
        };
        let (scopes_granted, custom) = {
            let store = self.lock();
            let record = store.get(client_id).ok_or_else(invalid_client)?;
            let current = record.secret.matches(client_secret);
            let next = record
                .next_secret
                .as_ref()
                .is_some_and(|(h, _)| h.matches(client_secret));
            if !(current | next) {
                return Err(invalid_client());
            }
            if !record.active {
                return Err(Failure::new(
                    400,
                    ErrorType::UnauthorizedClient,
                    "The M2M client is inactive.",
                ));
            }
            let granted = match requested.filter(|r| !r.is_empty()) {
                None => record.scopes.clone(),
                Some(requested) => {
                    let missing = scopes::missing(&record.scopes, &requested);
                    if !missing.is_empty() {
                        return Err(Failure::new(
                            400,
                            ErrorType::InvalidScope,
                            format!(
                                "The client is not assigned these scopes: {}.",
                                missing.join(" ")
                            ),
                        ));
                    }
                    requested
                }
            };
            let mut custom = record.custom_claims.clone();
            let template = self.jwt_template();
            if let Some(template) = &template {
                custom.extend(template.render(params, &record.trusted_metadata)?);
            }
            (
                granted,
                (
                    custom,
                    template.and_then(|t| t.audience().map(str::to_owned)),
                ),
            )
        };
        let (custom, audience) = custom;
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let jwt = token::mint(
            &keys.current,
            &token::Claims {
                project_id: &self.project_id,
                issuer: &self.issuer,
                client_id,
                scopes: &scopes_granted,
                issued_at: self.clock.now_unix(),
                custom: &custom,
                audience: audience.as_deref(),
            },
            &self.reuse,
        );
        Ok(Grant {
            access_token: Secret::new(jwt),
            expires_in: TOKEN_LIFETIME_SECS,
        })
    }

    /// Sets the custom claims of the client's future tokens: a stand-in for Stytch's JWT templates (which build
    /// custom claims from trusted metadata). Registered claims (`sub`, `iss`, `aud`, `scope`, `iat`, `nbf`, `exp`)
    /// cannot be overridden.
    pub fn set_custom_claims(
        &self,
        client_id: &str,
        claims: Map<String, Value>,
    ) -> Result<(), Failure> {
        let mut store = self.lock();
        let mut record = store
            .get(client_id)
            .cloned()
            .ok_or_else(Failure::not_found)?;
        record.custom_claims = claims;
        store.put(record);
        Ok(())
    }

    /// Signs any header and claims with the current key (see `MockStytch::sign_jwt`).
    pub fn sign_jwt(&self, header: &Value, claims: &Value) -> String {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        token::sign(&keys.current, header, claims)
    }

    /// Signs any bytes as header and payload with the current key (see `MockStytch::sign_jwt_bytes`).
    pub fn sign_jwt_bytes(&self, header: &[u8], claims: &[u8]) -> String {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        token::sign_bytes(&keys.current, header, claims)
    }

    /// The published public keys: the current one and retired ones still in their grace period.
    pub fn jwks(&self) -> Vec<Jwk> {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let grace = u64::try_from(self.key_grace.as_millis()).unwrap_or(u64::MAX);
        keys.published(self.clock.now_millis(), grace)
            .map(|k| k.jwk().clone())
            .collect()
    }

    /// The `kid` of the key that signs new tokens.
    pub fn current_kid(&self) -> String {
        self.keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .current
            .kid
            .clone()
    }

    /// Switches deterministic mode on (ids, secrets and request ids from `seed`, signing keys from the fixed test
    /// keys) or off, for what is created from now on; the signing key is replaced at once (no grace period), so
    /// call it before minting tokens. Returns the new `kid`.
    pub fn reseed(&self, seed: Option<u64>) -> String {
        use std::sync::atomic::Ordering::SeqCst;
        self.random.reseed(seed);
        self.deterministic.store(seed.is_some(), SeqCst);
        let index = seed.unwrap_or(0) as usize;
        self.key_seed.store(index, SeqCst);
        let kid = format!("jwk-{}-{}", self.env(), self.random.uuid());
        let key = match seed {
            Some(_) => SigningKey::fixed(kid.clone(), index),
            None => SigningKey::generate(kid.clone()),
        };
        *self.key_count.lock().unwrap_or_else(|e| e.into_inner()) = 1;
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        keys.current = key;
        keys.retired.clear();
        kid
    }

    /// The RFC 7638 thumbprint of an RSA key's public half (PKCS#8 DER of the private key): a `kid` that follows
    /// from the key alone, so that a pinned key publishes the same JWKS on every machine and across restarts.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::mock::Engine;
    ///
    /// assert!(Engine::key_thumbprint(b"not a key").is_err());
    /// ```
    pub fn key_thumbprint(pkcs8_der: &[u8]) -> Result<String, String> {
        SigningKey::from_pkcs8(String::new(), pkcs8_der.to_vec()).map(|key| key.thumbprint())
    }

    /// Makes this key (PKCS#8 DER of an RSA key) the signing key in place of the current one, which is not kept
    /// (for a project seeded with a known key, before any token exists). Refuses a key that is not RSA.
    pub fn use_signing_key(
        &self,
        kid: impl Into<String>,
        pkcs8_der: Vec<u8>,
    ) -> Result<(), String> {
        let key = SigningKey::from_pkcs8(kid.into(), pkcs8_der)?;
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        keys.current = key;
        keys.retired.clear();
        Ok(())
    }

    /// Rotates the signing key: new tokens get a new `kid`; the old key stays in the JWKS for the grace period
    /// (then tokens it signed no longer verify). Returns the new `kid`.
    pub fn rotate_signing_key(&self) -> String {
        let kid = format!("jwk-{}-{}", self.env(), self.random.uuid());
        let next = if self.deterministic.load(std::sync::atomic::Ordering::SeqCst) {
            let mut count = self.key_count.lock().unwrap_or_else(|e| e.into_inner());
            // The next fixed key after the current one (never the same key under a new kid).
            let next = self
                .key_seed
                .load(std::sync::atomic::Ordering::SeqCst)
                .wrapping_add(*count);
            *count += 1;
            SigningKey::fixed(kid.clone(), next)
        } else {
            SigningKey::generate(kid.clone())
        };
        let grace = u64::try_from(self.key_grace.as_millis()).unwrap_or(u64::MAX);
        self.keys.write().unwrap_or_else(|e| e.into_inner()).rotate(
            next,
            self.clock.now_millis(),
            grace,
        );
        kid
    }
}

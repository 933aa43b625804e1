//! [`AuthenticatedToken`] and the claims a verified token carries.

use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use serde_json::{Map, Value};

/// Registered claims and `scope`: not custom claims.
const RESERVED: [&str; 8] = ["aud", "exp", "iat", "iss", "jti", "nbf", "sub", "scope"];

/// The claims of a verified token, kept by the verified-token cache. `Debug` leaves the payload out.
pub(crate) struct VerifiedClaims {
    pub kid: Arc<str>,
    pub client_id: Box<str>,
    /// The `scope` claim as the token carries it; checks read it in place.
    pub scope: Box<str>,
    /// The scopes as strings, split the first time they are asked for.
    pub scopes: OnceLock<Vec<String>>,
    pub issued_at: Option<u64>,
    pub not_before: Option<u64>,
    pub expires_at: u64,
    /// The token itself: the verified-token cache's key, and where the custom claims are read from (the first
    /// time they are asked for).
    pub token: Box<str>,
    pub custom_claims: OnceLock<Map<String, Value>>,
    /// Which of the verifier's projects accepted it (its index), that project's id, and the issuer it names.
    pub entry: u16,
    pub project_id: Arc<str>,
    pub issuer: Arc<str>,
}

impl std::fmt::Debug for VerifiedClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedClaims")
            .field("kid", &self.kid)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes())
            .field("issued_at", &self.issued_at)
            .field("not_before", &self.not_before)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl PartialEq for VerifiedClaims {
    fn eq(&self, other: &Self) -> bool {
        self.token == other.token
    }
}

impl VerifiedClaims {
    pub fn approximate_size(&self) -> usize {
        // The claim, and as much again with 24 bytes a scope once split.
        let scopes = 2 * self.scope.len() + 24 * super::scopes::granted_in(&self.scope).count();
        // The token, and as much again for the custom claims once parsed.
        256 + self.kid.len() + self.client_id.len() + scopes + 2 * self.token.len()
    }

    pub fn scopes(&self) -> &[String] {
        self.scopes.get_or_init(|| {
            super::scopes::granted_in(&self.scope)
                .map(str::to_owned)
                .collect()
        })
    }

    pub fn custom_claims(&self) -> &Map<String, Value> {
        self.custom_claims.get_or_init(|| {
            // Verification already decoded the payload and read it as UTF-8 JSON, checking every member the way
            // `Value` reads it and bounding its depth, so this decoding and parse do not fail.
            let payload = self
                .token
                .split('.')
                .nth(1)
                .and_then(|p| {
                    base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(p)
                        .ok()
                })
                .unwrap_or_default();
            let mut claims: Map<String, Value> =
                serde_json::from_slice(&payload).unwrap_or_default();
            claims.retain(|k, _| !RESERVED.contains(&k.as_str()));
            claims
        })
    }
}

/// An access token that passed local authentication.
///
/// Cheap to clone (one `Arc`): a repeated token returns the same claims from the verified-token cache.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthenticatedToken {
    pub(crate) claims: Arc<VerifiedClaims>,
}

impl AuthenticatedToken {
    /// The M2M client the token was issued to (its `sub`).
    pub fn client_id(&self) -> &str {
        &self.claims.client_id
    }

    /// The granted scopes, in token order (the `scope` claim split on spaces).
    pub fn scopes(&self) -> &[String] {
        self.claims.scopes()
    }

    /// The custom claims: the payload without the registered claims (`aud`, `exp`, `iat`, `iss`, `jti`, `nbf`,
    /// `sub`) and `scope`. Read from the payload the first time they are asked for.
    pub fn custom_claims(&self) -> &Map<String, Value> {
        self.claims.custom_claims()
    }

    /// `iat`, when present.
    pub fn issued_at(&self) -> Option<u64> {
        self.claims.issued_at
    }

    /// `exp`.
    pub fn expires_at(&self) -> u64 {
        self.claims.expires_at
    }

    /// The project that accepted it: the verifier's, or one of [several](super::TokenVerifier::any_of).
    pub fn project_id(&self) -> &str {
        &self.claims.project_id
    }

    /// The issuer the token names (`iss`), one of those its project accepts.
    pub fn issuer(&self) -> &str {
        &self.claims.issuer
    }
}

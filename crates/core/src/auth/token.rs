//! [`AuthenticatedToken`] and the claims a verified token carries.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::scopes::Grants;

/// The claims of a verified token, kept by the verified-token cache.
#[derive(Debug, PartialEq)]
pub(crate) struct VerifiedClaims {
    pub kid: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub grants: Grants,
    pub custom_claims: Map<String, Value>,
    pub issued_at: Option<u64>,
    pub not_before: Option<u64>,
    pub expires_at: u64,
}

impl VerifiedClaims {
    pub fn approximate_size(&self) -> usize {
        let strings: usize = self.scopes.iter().map(|s| s.len() * 2 + 48).sum();
        let custom = serde_json::to_string(&self.custom_claims).map_or(0, |s| s.len() * 2);
        256 + self.kid.len() + self.client_id.len() + strings + custom
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
        &self.claims.scopes
    }

    /// The custom claims: the payload without the registered claims (`aud`, `exp`, `iat`, `iss`, `jti`, `nbf`,
    /// `sub`) and `scope`.
    pub fn custom_claims(&self) -> &Map<String, Value> {
        &self.claims.custom_claims
    }

    /// `iat`, when present.
    pub fn issued_at(&self) -> Option<u64> {
        self.claims.issued_at
    }

    /// `exp`.
    pub fn expires_at(&self) -> u64 {
        self.claims.expires_at
    }
}

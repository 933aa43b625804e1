//! The projects a verifier accepts, and how a token's claims select one: its issuer, then its audience, checked
//! before any key is looked up.

use std::sync::Arc;

use super::claims::{Claim, Registered, number, string};
use super::error::InvalidToken;
use super::jwks::JwksSource;

/// One accepted project: its issuers, audience and JWKS source (with its own cache and backoff).
#[derive(Clone)]
pub(super) struct Entry {
    pub(super) project_id: Arc<str>,
    pub(super) jwks_url: String,
    pub(super) issuers: Box<[Arc<str>]>,
    pub(super) audience: String,
    pub(super) jwks: JwksSource,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Project")
            .field("project_id", &self.project_id)
            .field("jwks_url", &self.jwks_url)
            .field("issuers", &self.issuers)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// The configured project a token's claims name, and what they say: for one project, its issuer and audience
/// checked; for several, the first whose issuer and audience both match. A token naming no configured issuer
/// is refused as [`InvalidToken::Issuer`], one naming a configured issuer but none of its audiences as
/// [`InvalidToken::Audience`]: in both cases before any key is looked up.
pub(super) fn select(entries: &[Entry], payload: &str) -> Result<(usize, Facts), InvalidToken> {
    let claims = super::claims_scan::registered(payload)?;
    if let [one] = entries {
        return Ok((0, facts(one, &claims)?));
    }
    let mut refused = InvalidToken::Issuer;
    for (index, entry) in entries.iter().enumerate() {
        match facts(entry, &claims) {
            Ok(facts) => return Ok((index, facts)),
            Err(InvalidToken::Issuer) => {}
            Err(other) => refused = other,
        }
    }
    Err(refused)
}

/// The registered claims, with `iss` and `aud` checked against one project.
fn facts(entry: &Entry, claims: &Registered<'_>) -> Result<Facts, InvalidToken> {
    let issuer = string(&claims.iss, "iss")?.ok_or(InvalidToken::MissingClaim("iss"))?;
    let Some(issuer) = entry
        .issuers
        .iter()
        .position(|accepted| **accepted == *issuer)
    else {
        return Err(InvalidToken::Issuer);
    };
    let audience = entry.audience.as_str();
    let audience_ok = match &claims.aud {
        Some(Claim::Str(aud)) => aud == audience,
        Some(Claim::Strings(auds)) => auds.iter().any(|a| a == audience),
        None => return Err(InvalidToken::MissingClaim("aud")),
        Some(_) => {
            return Err(InvalidToken::Malformed(
                "aud is not a string or an array of strings".into(),
            ));
        }
    };
    if !audience_ok {
        return Err(InvalidToken::Audience);
    }
    Ok(Facts {
        issuer,
        client_id: string(&claims.sub, "sub")?
            .ok_or(InvalidToken::MissingClaim("sub"))?
            .into(),
        scope: string(&claims.scope, "scope")?
            .ok_or(InvalidToken::MissingClaim("scope"))?
            .into(),
        expires_at: number(&claims.exp, "exp")?.ok_or(InvalidToken::MissingClaim("exp"))?,
        issued_at: number(&claims.iat, "iat")?,
        not_before: number(&claims.nbf, "nbf")?,
    })
}

/// What the claims say, owned, before the signature is checked.
pub(super) struct Facts {
    /// Which of the project's issuers the token names.
    pub(super) issuer: usize,
    pub(super) client_id: Box<str>,
    pub(super) scope: Box<str>,
    pub(super) expires_at: u64,
    pub(super) issued_at: Option<u64>,
    pub(super) not_before: Option<u64>,
}

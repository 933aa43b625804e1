//! The per-call options of token authentication, and the checks made on every call, cached token or not.

use std::sync::Arc;
use std::time::Duration;

use super::error::{AuthError, InvalidToken};
use super::scopes;
use super::token::VerifiedClaims;

/// The default leeway for `exp` and `nbf`: 5 seconds. Stytch sets `nbf = iat`, so a server whose clock lags
/// Stytch's by even one second would refuse fresh tokens at random with no leeway; 5 s covers ordinary NTP
/// drift between hosts without meaningfully extending a token's one-hour life.
pub const DEFAULT_CLOCK_TOLERANCE: Duration = Duration::from_secs(5);

/// What a custom authorization function is given.
#[derive(Debug)]
#[non_exhaustive]
pub struct AuthorizationCheck<'a> {
    /// The M2M client the token was issued to (its `sub`).
    pub client_id: &'a str,
    /// The scopes of the token.
    pub has_scopes: &'a [String],
    /// The scopes the caller requires.
    pub required_scopes: &'a [String],
}

type AuthorizeFn = dyn Fn(&AuthorizationCheck<'_>) -> bool + Send + Sync;

/// The checks of [`TokenVerifier::authenticate_token`](super::TokenVerifier::authenticate_token) beyond signature,
/// issuer, audience and expiry.
///
/// ```
/// # use stytch_m2m_core as stytch_m2m;
/// use std::time::Duration;
/// use stytch_m2m::auth::AuthenticateOptions;
///
/// let options = AuthenticateOptions::new()
///     .required_scopes(["read:users"])
///     .max_token_age(Duration::from_secs(600))
///     .clock_tolerance(Duration::from_secs(5));
/// # let _ = options;
/// ```
#[derive(Clone)]
#[must_use = "a setting has no effect until it is used"]
pub struct AuthenticateOptions {
    required_scopes: Vec<String>,
    max_token_age: Option<Duration>,
    clock_tolerance: Duration,
    authorize: Option<Arc<AuthorizeFn>>,
}

impl std::fmt::Debug for AuthenticateOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthenticateOptions")
            .field("required_scopes", &self.required_scopes)
            .field("max_token_age", &self.max_token_age)
            .field("clock_tolerance", &self.clock_tolerance)
            .field("custom_authorization", &self.authorize.is_some())
            .finish()
    }
}

impl Default for AuthenticateOptions {
    fn default() -> Self {
        Self {
            required_scopes: Vec::new(),
            max_token_age: None,
            clock_tolerance: DEFAULT_CLOCK_TOLERANCE,
            authorize: None,
        }
    }
}

impl AuthenticateOptions {
    /// No required scope, no maximum age, [`DEFAULT_CLOCK_TOLERANCE`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Scopes the token must grant, under the default authorization rules ([`super::scopes`]).
    pub fn required_scopes<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        scopes: I,
    ) -> Self {
        self.required_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Refuses tokens issued this long ago or more (`now - iat >= max`); zero refuses every token, as node and
    /// python do.
    pub fn max_token_age(mut self, max: Duration) -> Self {
        self.max_token_age = Some(max);
        self
    }

    /// Leeway for `exp` and `nbf` (default [`DEFAULT_CLOCK_TOLERANCE`], 5 s); zero is exact.
    pub fn clock_tolerance(mut self, tolerance: Duration) -> Self {
        self.clock_tolerance = tolerance;
        self
    }

    /// Replaces the default scope check by this function (called on every authentication, whether or not scopes
    /// are required); `false` refuses the token with [`AuthError::MissingScopes`] naming every required scope.
    pub fn authorize_with(
        mut self,
        f: impl Fn(&AuthorizationCheck<'_>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.authorize = Some(Arc::new(f));
        self
    }
}

/// The checks made on every call, cached or not: expiry and `nbf` with the tolerance, maximum age, scopes.
pub(crate) fn check(
    claims: &VerifiedClaims,
    now: u64,
    options: &AuthenticateOptions,
) -> Result<(), AuthError> {
    let tolerance = options.clock_tolerance.as_secs();
    if now >= claims.expires_at.saturating_add(tolerance) {
        return Err(InvalidToken::Expired.into());
    }
    if claims
        .not_before
        .is_some_and(|nbf| now.saturating_add(tolerance) < nbf)
    {
        return Err(InvalidToken::NotYetValid.into());
    }
    if let Some(max) = options.max_token_age {
        let issued_at = claims.issued_at.ok_or(InvalidToken::MissingClaim("iat"))?;
        if now.saturating_sub(issued_at) >= max.as_secs() {
            return Err(AuthError::TooOld {
                issued_at,
                max_age_secs: max.as_secs(),
            });
        }
    }
    match &options.authorize {
        Some(authorize) => {
            let check = AuthorizationCheck {
                client_id: &claims.client_id,
                has_scopes: claims.scopes(),
                required_scopes: &options.required_scopes,
            };
            if !authorize(&check) {
                return Err(AuthError::MissingScopes {
                    client_id: claims.client_id.to_string(),
                    missing: options.required_scopes.clone(),
                });
            }
        }
        None => {
            // A cached token's scopes were split when it was admitted; a new token's claim is read in place.
            let missing = match claims.scopes.get() {
                Some(granted) => scopes::missing(granted, &options.required_scopes),
                None => scopes::missing_from_claim(&claims.scope, &options.required_scopes),
            };
            if !missing.is_empty() {
                return Err(AuthError::MissingScopes {
                    client_id: claims.client_id.to_string(),
                    missing: missing.into_iter().map(str::to_owned).collect(),
                });
            }
        }
    }
    Ok(())
}

//! `Client::authenticate_token`: local verification of an M2M access token.

use std::sync::Arc;
use std::time::Duration;

use super::claims::{Claim, Registered, number, string};
use super::error::{AuthError, InvalidToken};
use super::jwt;
use super::scopes;
use super::token::{AuthenticatedToken, VerifiedClaims};
use crate::client::Client;

/// What a custom authorization function is given.
#[derive(Debug)]
#[non_exhaustive]
pub struct AuthorizationCheck<'a> {
    /// The scopes of the token.
    pub has_scopes: &'a [String],
    /// The scopes the caller requires.
    pub required_scopes: &'a [String],
}

type AuthorizeFn = dyn Fn(&AuthorizationCheck<'_>) -> bool + Send + Sync;

/// The checks of [`Client::authenticate_token`] beyond signature, issuer, audience and expiry.
///
/// ```
/// use std::time::Duration;
/// use stytch_m2m_core::auth::AuthenticateOptions;
///
/// let options = AuthenticateOptions::new()
///     .required_scopes(["read:users"])
///     .max_token_age(Duration::from_secs(600))
///     .clock_tolerance(Duration::from_secs(5));
/// # let _ = options;
/// ```
#[derive(Clone, Default)]
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

impl AuthenticateOptions {
    /// No required scope, no maximum age, no clock tolerance.
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

    /// Leeway for `exp` and `nbf` (default 0).
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

impl Client {
    /// Authenticates an M2M access token locally: RS256 signature against the project's JWKS (fetched through
    /// the transport and cached), `iss`, `aud`, `exp`, `nbf`, then the options (maximum age, scopes). No call to
    /// Stytch except to fetch the JWKS.
    ///
    /// A token seen before (and still in the verified-token cache) skips parsing and the RSA verification; time,
    /// age and scopes are still checked.
    ///
    /// ```no_run
    /// # async fn run(client: stytch_m2m_core::Client, bearer: &str) -> Result<(), stytch_m2m_core::Error> {
    /// use stytch_m2m_core::auth::AuthenticateOptions;
    ///
    /// let token = client
    ///     .authenticate_token(bearer, &AuthenticateOptions::new().required_scopes(["read:users"]))
    ///     .await?;
    /// println!("called by {}", token.client_id());
    /// # Ok(()) }
    /// ```
    pub async fn authenticate_token(
        &self,
        token: &str,
        options: &AuthenticateOptions,
    ) -> Result<AuthenticatedToken, crate::Error> {
        self.authenticate(token, options)
            .await
            .map_err(crate::Error::Auth)
    }

    async fn authenticate(
        &self,
        token: &str,
        options: &AuthenticateOptions,
    ) -> Result<AuthenticatedToken, AuthError> {
        let auth = self.auth_state();
        let claims = match auth.verified.get(token) {
            Some(hit) => {
                let present = match auth.jwks.contains_fresh(&hit.kid) {
                    Some(present) => present,
                    None => auth.jwks.key(self, &hit.kid).await.is_ok(),
                };
                if !present {
                    auth.verified.remove(token);
                    return Err(InvalidToken::UnknownKey(hit.kid.clone()).into());
                }
                hit
            }
            None => {
                let claims = Arc::new(self.verify(token).await?);
                auth.verified.insert(token, claims.clone());
                claims
            }
        };
        check(&claims, auth.clock.now_unix(), options)?;
        Ok(AuthenticatedToken { claims })
    }

    /// Decodes once, verifies the signature with the key of its `kid` (parsed once per kid), then reads the
    /// registered claims in one borrowed pass and checks `iss` and `aud`. Custom claims are read lazily.
    async fn verify(&self, token: &str) -> Result<VerifiedClaims, AuthError> {
        let parts = jwt::split(token)?;
        let claims = Registered::parse(&parts.payload)?;
        let key = self.auth_state().jwks.key(self, &parts.kid).await?;
        key.verify_sig(parts.signing_input, &parts.signature)
            .map_err(|_| InvalidToken::Signature)?;
        let issuer = string(&claims.iss, "iss")?.ok_or(InvalidToken::MissingClaim("iss"))?;
        let project_id = self.project_id();
        let stytch_issuer = issuer.strip_prefix("stytch.com/") == Some(project_id);
        if !stytch_issuer && issuer.trim_end_matches('/') != self.base_url() {
            return Err(InvalidToken::Issuer.into());
        }
        let audience_ok = match &claims.aud {
            Some(Claim::Str(aud)) => aud == project_id,
            Some(Claim::Strings(auds)) => auds.iter().any(|a| a == project_id),
            None => return Err(InvalidToken::MissingClaim("aud").into()),
            Some(_) => {
                return Err(InvalidToken::Malformed(
                    "aud is not a string or an array of strings".into(),
                )
                .into());
            }
        };
        if !audience_ok {
            return Err(InvalidToken::Audience.into());
        }
        let client_id = string(&claims.sub, "sub")?
            .ok_or(InvalidToken::MissingClaim("sub"))?
            .to_owned();
        let scopes: Vec<String> = string(&claims.scope, "scope")?
            .ok_or(InvalidToken::MissingClaim("scope"))?
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let expires_at = number(&claims.exp, "exp")?.ok_or(InvalidToken::MissingClaim("exp"))?;
        let issued_at = number(&claims.iat, "iat")?;
        let not_before = number(&claims.nbf, "nbf")?;
        drop(claims);
        Ok(VerifiedClaims {
            kid: parts.kid,
            client_id,
            scopes,
            issued_at,
            not_before,
            expires_at,
            payload: parts.payload.into_boxed_slice(),
            custom_claims: std::sync::OnceLock::new(),
        })
    }
}

/// The checks made on every call, cached or not: expiry and `nbf` with the tolerance, maximum age, scopes.
fn check(
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
                has_scopes: &claims.scopes,
                required_scopes: &options.required_scopes,
            };
            if !authorize(&check) {
                return Err(AuthError::MissingScopes(options.required_scopes.clone()));
            }
        }
        None => {
            let missing = scopes::missing(&claims.scopes, &options.required_scopes);
            if !missing.is_empty() {
                return Err(AuthError::MissingScopes(
                    missing.into_iter().map(str::to_owned).collect(),
                ));
            }
        }
    }
    Ok(())
}

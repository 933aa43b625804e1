//! [`TokenVerifier`]: local authentication of M2M access tokens with no project secret.

use std::sync::Arc;

use super::authenticate::{AuthenticateOptions, check};
use super::error::{AuthError, InvalidToken};
use super::jwks::Probe;
use super::jwt;
use super::project::{Entry, select};
use super::token::{AuthenticatedToken, VerifiedClaims};
use super::verified::VerifiedCache;
use crate::clock::Clock;

/// Verifies M2M access tokens locally, against the project's public JWKS. It holds **no project secret**: a
/// service that only checks incoming tokens builds one of these instead of a [`Client`](crate::Client), so a
/// breach of that service cannot create clients or mint tokens.
///
/// Cheap to clone (one `Arc`), `Send + Sync`; clones share the JWKS source and the verified-token cache. Building
/// one never touches the network: the JWKS is fetched on first use (or given up front with
/// [`TokenVerifierBuilder::jwks_json`](super::TokenVerifierBuilder::jwks_json), or fixed with [`TokenVerifierBuilder::static_jwks`](super::TokenVerifierBuilder::static_jwks)).
///
/// ```
/// # use stytch_m2m_core as stytch_m2m;
/// use stytch_m2m::auth::{AuthenticateOptions, ProjectKind, TokenVerifier};
/// # use stytch_m2m::transport::{BoxFuture, HttpRequest, HttpResponse, Transport, TransportError};
/// # struct AnyTransport;
/// # impl Transport for AnyTransport {
/// #     fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
/// #         Box::pin(async { Ok(HttpResponse::new(200, br#"{"keys":[]}"#.to_vec())) })
/// #     }
/// # }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let verifier = TokenVerifier::builder("project-live-00000000-0000-4000-8000-000000000000")
///     .transport(AnyTransport) // stytch_m2m::HttpTransport in production
///     .project_kind(ProjectKind::B2b)
///     .build()
///     .unwrap();
/// assert_eq!(
///     verifier.jwks_url(),
///     "https://api.stytch.com/v1/b2b/sessions/jwks/project-live-00000000-0000-4000-8000-000000000000"
/// );
/// let refused = verifier
///     .authenticate_token("not.a.jwt", &AuthenticateOptions::new().required_scopes(["read:invoices"]))
///     .await
///     .unwrap_err();
/// assert_eq!(refused.http_status(), 401);
/// # }
/// ```
#[derive(Clone)]
pub struct TokenVerifier {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    /// The projects (and issuers) accepted: one for a verifier from [`TokenVerifier::builder`], several from
    /// [`TokenVerifier::any_of`]. A token's unverified `iss` and `aud` only select among them.
    pub(super) entries: Box<[Entry]>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) verified: VerifiedCache,
    pub(super) verified_policy: super::verified::VerifiedCachePolicy,
    pub(super) checks: crate::metrics::TokenChecks,
    pub(super) header: jwt::KnownHeader,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.inner.entries {
            [one] => f
                .debug_struct("TokenVerifier")
                .field("project_id", &one.project_id)
                .field("jwks_url", &one.jwks_url)
                .field("issuers", &one.issuers)
                .field("audience", &one.audience)
                .finish_non_exhaustive(),
            several => f
                .debug_struct("TokenVerifier")
                .field("projects", &several)
                .finish_non_exhaustive(),
        }
    }
}

impl TokenVerifier {
    /// The project id (of the first project, for a verifier of [several](Self::any_of)).
    pub fn project_id(&self) -> &str {
        &self.inner.entries[0].project_id
    }

    /// Where the JWKS is fetched from (the first project's, for a verifier of [several](Self::any_of)).
    pub fn jwks_url(&self) -> &str {
        &self.inner.entries[0].jwks_url
    }

    /// One verifier that accepts the tokens of every verifier given: several projects (test and live, several
    /// tenants), or one project seen through several issuers during a move to a custom domain. Each keeps its own
    /// JWKS source (cache, refresh and backoff), shared with the verifier it came from; the clock and the
    /// verified-token cache's bounds are the first one's.
    ///
    /// A token's `iss` (and, when several projects accept that issuer, its `aud`) only **selects** among the
    /// configured projects: it is never a URL to fetch, and a token naming no configured issuer is refused
    /// before any fetch. The signature is then checked with the selected project's keys only, so a key of one
    /// project never admits a token claiming another. [`AuthenticatedToken::project_id`] and
    /// [`AuthenticatedToken::issuer`] say which project and issuer accepted it.
    ///
    /// ```
    /// # use stytch_m2m_core as stytch_m2m;
    /// use stytch_m2m::auth::TokenVerifier;
    /// # use stytch_m2m::transport::{BoxFuture, HttpRequest, HttpResponse, Transport, TransportError};
    /// # #[derive(Clone)] struct AnyTransport;
    /// # impl Transport for AnyTransport {
    /// #     fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
    /// #         Box::pin(async { Ok(HttpResponse::new(200, br#"{"keys":[]}"#.to_vec())) })
    /// #     }
    /// # }
    /// let live = TokenVerifier::builder("project-live-00000000-0000-4000-8000-000000000000")
    ///     .transport(AnyTransport) // stytch_m2m::HttpTransport in production
    ///     .issuer("https://login.example.com") // moving to a custom domain: both issuers meanwhile
    ///     .build()
    ///     .unwrap();
    /// let test = TokenVerifier::builder("project-test-00000000-0000-4000-8000-000000000000")
    ///     .transport(AnyTransport)
    ///     .build()
    ///     .unwrap();
    /// let verifier = TokenVerifier::any_of([live, test]).unwrap();
    /// assert_eq!(verifier.project_ids().count(), 2);
    /// ```
    pub fn any_of(
        verifiers: impl IntoIterator<Item = TokenVerifier>,
    ) -> Result<Self, crate::Error> {
        let verifiers: Vec<TokenVerifier> = verifiers.into_iter().collect();
        let Some(first) = verifiers.first() else {
            return Err(
                crate::error::ConfigError::new("verifiers", "must name at least one").into(),
            );
        };
        let entries: Box<[Entry]> = verifiers
            .iter()
            .flat_map(|v| v.inner.entries.iter().cloned())
            .collect();
        if entries.len() > usize::from(u16::MAX) {
            return Err(crate::error::ConfigError::new(
                "verifiers",
                "must name at most 65535 projects",
            )
            .into());
        }
        Ok(Self {
            inner: Arc::new(Inner {
                entries,
                clock: first.inner.clock.clone(),
                verified: VerifiedCache::new(first.inner.verified_policy.clone()),
                verified_policy: first.inner.verified_policy.clone(),
                checks: crate::metrics::TokenChecks::default(),
                header: jwt::KnownHeader::default(),
            }),
        })
    }

    /// Gets the verifier ready before the first request: fetches each accepted project's JWKS now unless a usable
    /// one is cached, and (feature `metrics`) registers its token-check series at zero, so that dashboards and
    /// alerts see them from the start. Call it after installing the metrics recorder; a readiness probe may call it
    /// too (cheap once the keys are cached). A fixed JWKS is always ready.
    ///
    /// # Errors
    ///
    /// [`AuthError::JwksUnavailable`] when a project's keys cannot be had: the URL's answer (a 4xx is a
    /// [misconfiguration](super::JwksUnavailable::is_misconfiguration)), a timeout, or the backoff after failures.
    ///
    /// ```
    /// # use stytch_m2m_core as stytch_m2m;
    /// use stytch_m2m::auth::TokenVerifier;
    /// # use stytch_m2m::transport::{BoxFuture, HttpRequest, HttpResponse, Transport, TransportError};
    /// # struct AnyTransport;
    /// # impl Transport for AnyTransport {
    /// #     fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
    /// #         Box::pin(async { Ok(HttpResponse::new(404, br#"{"status_code":404}"#.to_vec())) })
    /// #     }
    /// # }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let verifier = TokenVerifier::builder("project-live-00000000-0000-4000-8000-000000000000")
    ///     .transport(AnyTransport) // stytch_m2m::HttpTransport in production
    ///     .build()
    ///     .unwrap();
    /// match verifier.warm_up().await {
    ///     Ok(()) => println!("ready"),
    ///     Err(stytch_m2m::auth::AuthError::JwksUnavailable(e)) if e.is_misconfiguration() => {
    ///         eprintln!("check the project id and the base URL: {e}")
    ///     }
    ///     Err(e) => eprintln!("not ready yet: {e}"),
    /// }
    /// # }
    /// ```
    pub async fn warm_up(&self) -> Result<(), AuthError> {
        self.inner.checks.register();
        for entry in &*self.inner.entries {
            entry
                .jwks
                .ready()
                .await
                .map_err(AuthError::JwksUnavailable)?;
        }
        Ok(())
    }

    /// The ids of the projects whose tokens are accepted.
    pub fn project_ids(&self) -> impl Iterator<Item = &str> {
        self.inner.entries.iter().map(|e| &*e.project_id)
    }

    /// Authenticates an M2M access token locally: RS256 signature against the project's JWKS, `typ`, `iss`,
    /// `aud`, `exp`, `nbf`, then the options (maximum age, scopes). No call to Stytch except to fetch the JWKS,
    /// and none at all while a usable key for the token's `kid` is cached.
    ///
    /// A token verified twice recently is kept in the verified-token cache; from then on it skips parsing and
    /// the RSA verification, while time, age and scopes are still checked on every call.
    pub async fn authenticate_token(
        &self,
        token: &str,
        options: &AuthenticateOptions,
    ) -> Result<AuthenticatedToken, AuthError> {
        // A span from the start of the check to its end, with its outcome, for whoever listens (not entered: the
        // check's own work stays outside it; nothing is computed when nobody listens).
        let span = tracing::debug_span!(
            "stytch_m2m.authenticate_token",
            outcome = tracing::field::Empty,
            client_id = tracing::field::Empty,
            "stytch.project_id" = tracing::field::Empty,
        );
        let result = self.authenticate(token, options).await;
        self.inner.checks.record(&result);
        if !span.is_disabled() {
            span.record("outcome", crate::metrics::outcome(&result));
            if let Ok(token) = &result {
                span.record("client_id", token.client_id());
                span.record("stytch.project_id", token.project_id());
            }
        }
        result
    }

    async fn authenticate(
        &self,
        token: &str,
        options: &AuthenticateOptions,
    ) -> Result<AuthenticatedToken, AuthError> {
        let inner = &*self.inner;
        let claims = match inner.verified.get(token) {
            Some(hit) => {
                let jwks = &inner.entries[usize::from(hit.entry)].jwks;
                match jwks.probe(&hit.kid) {
                    Probe::Usable => {}
                    Probe::Absent => {
                        inner.verified.remove(token);
                        return Err(InvalidToken::UnknownKey(hit.kid.to_string()).into());
                    }
                    Probe::Unusable => {
                        // Boxed: the slow paths keep the common path's future small. Timed, as a
                        // verification is: the wait for the keys.
                        let started = crate::metrics::Started::now();
                        let key = Box::pin(jwks.key(&hit.kid)).await;
                        inner.checks.verified(started);
                        if let Err(e) = key {
                            if matches!(e, AuthError::Invalid(_)) {
                                inner.verified.remove(token);
                            }
                            return Err(e);
                        }
                    }
                }
                hit
            }
            None => {
                // Boxed: a cached token's check (the common case) keeps a future of under 200 bytes, not 400.
                let started = crate::metrics::Started::now();
                let verified = Box::pin(self.verify(token)).await;
                inner.checks.verified(started);
                let claims = Arc::new(verified?);
                inner.verified.offer(claims.clone());
                claims
            }
        };
        check(&claims, inner.clock.now_unix(), options)?;
        Ok(AuthenticatedToken { claims })
    }

    /// Checks the header, then reads the registered claims in one borrowed pass over the payload (decoded on the
    /// stack), selects the configured project whose issuer and audience they name, all before any key lookup;
    /// then verifies the signature with that project's key of its `kid` (parsed once per kid). Custom claims are
    /// read lazily.
    async fn verify(&self, token: &str) -> Result<VerifiedClaims, AuthError> {
        let inner = &*self.inner;
        let segments = jwt::segments(token)?;
        let kid = inner.header.kid(segments.header)?;
        let (index, facts) =
            jwt::with_payload(segments.payload, |payload| select(&inner.entries, payload))?;
        let entry = &inner.entries[index];
        let key = match entry.jwks.cached_key(&kid) {
            Some(key) => key,
            // Boxed: the fetch's future stays out of every check's.
            None => Box::pin(entry.jwks.key(&kid)).await?,
        };
        jwt::with_signature(segments.signature, |signature| {
            key.verify_sig(segments.signing_input, signature)
                .map_err(|_| InvalidToken::Signature)
        })?;
        Ok(VerifiedClaims {
            kid,
            client_id: facts.client_id,
            scope: facts.scope,
            scopes: std::sync::OnceLock::new(),
            issued_at: facts.issued_at,
            not_before: facts.not_before,
            expires_at: facts.expires_at,
            token: token.into(),
            custom_claims: std::sync::OnceLock::new(),
            entry: u16::try_from(index).unwrap_or(u16::MAX),
            project_id: entry.project_id.clone(),
            issuer: entry.issuers[facts.issuer].clone(),
        })
    }
}

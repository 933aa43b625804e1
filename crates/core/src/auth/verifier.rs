//! [`TokenVerifier`]: local authentication of M2M access tokens with no project secret.

use std::sync::Arc;

use super::authenticate::{AuthenticateOptions, check};
use super::claims::{Claim, Registered, number, string};
use super::error::{AuthError, InvalidToken};
use super::jwks::{JwksSource, Probe};
use super::jwt;
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
    pub(super) project_id: String,
    pub(super) jwks_url: String,
    pub(super) issuers: Box<[Box<str>]>,
    pub(super) audience: String,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) jwks: JwksSource,
    pub(super) verified: VerifiedCache,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("project_id", &self.inner.project_id)
            .field("jwks_url", &self.inner.jwks_url)
            .field("issuers", &self.inner.issuers)
            .field("audience", &self.inner.audience)
            .finish_non_exhaustive()
    }
}

impl TokenVerifier {
    /// The project id.
    pub fn project_id(&self) -> &str {
        &self.inner.project_id
    }

    /// Where the JWKS is fetched from.
    pub fn jwks_url(&self) -> &str {
        &self.inner.jwks_url
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
        let inner = &*self.inner;
        let claims = match inner.verified.get(token) {
            Some(hit) => {
                match inner.jwks.probe(&hit.kid) {
                    Probe::Usable => {}
                    Probe::Absent => {
                        inner.verified.remove(token);
                        return Err(InvalidToken::UnknownKey(hit.kid.clone()).into());
                    }
                    Probe::Unusable => {
                        // Boxed: the slow paths keep the common path's future small.
                        if let Err(e) = Box::pin(inner.jwks.key(&hit.kid)).await {
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
                let claims = Arc::new(Box::pin(self.verify(token)).await?);
                inner.verified.offer(claims.clone());
                claims
            }
        };
        check(&claims, inner.clock.now_unix(), options)?;
        Ok(AuthenticatedToken { claims })
    }

    /// Checks the header, then reads the registered claims in one borrowed pass over the payload (decoded on the
    /// stack) and checks `iss` and `aud`, all before any key lookup; then verifies the signature with the key of
    /// its `kid` (parsed once per kid). Custom claims are read lazily.
    async fn verify(&self, token: &str) -> Result<VerifiedClaims, AuthError> {
        let inner = &*self.inner;
        let segments = jwt::segments(token)?;
        let kid = jwt::header(segments.header)?;
        let facts = jwt::with_payload(segments.payload, |payload| self.read_claims(payload))?;
        let key = inner.jwks.key(&kid).await?;
        jwt::with_signature(segments.signature, |signature| {
            key.verify_sig(segments.signing_input, signature)
                .map_err(|_| InvalidToken::Signature)
        })?;
        Ok(VerifiedClaims {
            kid,
            client_id: facts.client_id,
            scopes: facts.scopes,
            issued_at: facts.issued_at,
            not_before: facts.not_before,
            expires_at: facts.expires_at,
            token: token.into(),
            custom_claims: std::sync::OnceLock::new(),
        })
    }

    /// The registered claims, with `iss` and `aud` checked.
    fn read_claims(&self, payload: &str) -> Result<Facts, InvalidToken> {
        let claims = Registered::parse(payload)?;
        let issuer = string(&claims.iss, "iss")?.ok_or(InvalidToken::MissingClaim("iss"))?;
        if !self
            .inner
            .issuers
            .iter()
            .any(|accepted| **accepted == *issuer)
        {
            return Err(InvalidToken::Issuer);
        }
        let audience = self.inner.audience.as_str();
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
            client_id: string(&claims.sub, "sub")?
                .ok_or(InvalidToken::MissingClaim("sub"))?
                .to_owned(),
            scopes: string(&claims.scope, "scope")?
                .ok_or(InvalidToken::MissingClaim("scope"))?
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            expires_at: number(&claims.exp, "exp")?.ok_or(InvalidToken::MissingClaim("exp"))?,
            issued_at: number(&claims.iat, "iat")?,
            not_before: number(&claims.nbf, "nbf")?,
        })
    }
}

/// What the claims say, owned, before the signature is checked.
struct Facts {
    client_id: String,
    scopes: Vec<String>,
    expires_at: u64,
    issued_at: Option<u64>,
    not_before: Option<u64>,
}

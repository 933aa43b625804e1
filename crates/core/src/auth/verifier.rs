//! [`TokenVerifier`]: local authentication of M2M access tokens with no project secret.

use std::sync::Arc;

use stytch_m2m_models::ErrorType;

use super::authenticate::{AuthenticateOptions, check};
use super::claims::{Claim, Registered, number, string};
use super::error::{AuthError, InvalidToken};
use super::jwks::{self, JwksPolicy, JwksSource, Probe};
use super::jwt;
use super::token::{AuthenticatedToken, VerifiedClaims};
use super::verified::{VerifiedCache, VerifiedCachePolicy};
use crate::client::encode_path_segment;
use crate::clock::{Clock, SystemClock};
use crate::config::Environment;
use crate::transport::Transport;
use crate::validate::ValidationError;

/// Which kind of Stytch project issues the tokens: it decides the JWKS path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProjectKind {
    /// A consumer project: `GET /v1/sessions/jwks/{project_id}`.
    #[default]
    Consumer,
    /// A B2B project: `GET /v1/b2b/sessions/jwks/{project_id}`.
    B2b,
}

impl ProjectKind {
    /// The path of the project's JWKS.
    pub fn jwks_path(self, project_id: &str) -> String {
        let prefix = match self {
            ProjectKind::Consumer => "/v1/sessions/jwks/",
            ProjectKind::B2b => "/v1/b2b/sessions/jwks/",
        };
        format!("{prefix}{}", encode_path_segment(project_id))
    }
}

/// Verifies M2M access tokens locally, against the project's public JWKS. It holds **no project secret**: a
/// service that only checks incoming tokens builds one of these instead of a [`Client`](crate::Client), so a
/// breach of that service cannot create clients or mint tokens.
///
/// Cheap to clone (one `Arc`), `Send + Sync`; clones share the JWKS source and the verified-token cache. Building
/// one never touches the network: the JWKS is fetched on first use (or given up front with
/// [`TokenVerifierBuilder::jwks_json`], or fixed with [`TokenVerifierBuilder::static_jwks`]).
///
/// ```
/// use stytch_m2m_core::auth::{AuthenticateOptions, ProjectKind, TokenVerifier};
/// # use stytch_m2m_core::transport::{BoxFuture, HttpRequest, HttpResponse, Transport, TransportError};
/// # struct AnyTransport;
/// # impl Transport for AnyTransport {
/// #     fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
/// #         Box::pin(async { Ok(HttpResponse::new(200, br#"{"keys":[]}"#.to_vec())) })
/// #     }
/// # }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let verifier = TokenVerifier::builder("project-live-00000000-0000-4000-8000-000000000000")
///     .transport(AnyTransport) // stytch_m2m_http::HttpTransport in production
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
    inner: Arc<Inner>,
}

struct Inner {
    project_id: String,
    jwks_url: String,
    issuers: Box<[Box<str>]>,
    audience: String,
    clock: Arc<dyn Clock>,
    jwks: JwksSource,
    verified: VerifiedCache,
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

/// Builds a [`TokenVerifier`]; see [`TokenVerifier::builder`].
#[must_use]
pub struct TokenVerifierBuilder {
    project_id: String,
    transport: Option<Arc<dyn Transport>>,
    environment: Option<Environment>,
    kind: ProjectKind,
    policy: JwksPolicy,
    clock: Arc<dyn Clock>,
    verified: VerifiedCachePolicy,
    issuers: Vec<String>,
    audience: Option<String>,
    initial_jwks: Option<String>,
    fixed: bool,
}

impl std::fmt::Debug for TokenVerifierBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifierBuilder")
            .field("project_id", &self.project_id)
            .field("environment", &self.environment)
            .field("kind", &self.kind)
            .field("policy", &self.policy)
            .field("issuers", &self.issuers)
            .field("audience", &self.audience)
            .field("static", &self.fixed)
            .finish_non_exhaustive()
    }
}

impl TokenVerifierBuilder {
    /// Fetches the JWKS through this transport (required unless the JWKS is [static](Self::static_jwks)).
    pub fn transport(self, transport: impl Transport + 'static) -> Self {
        self.shared_transport(Arc::new(transport))
    }

    /// Like [`transport`](Self::transport), with a transport shared with other users (a client's).
    pub fn shared_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// The environment the JWKS is fetched from (default: from the project id's prefix). Its base URL is also an
    /// accepted issuer, as for tokens issued through a custom domain.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// Shorthand for a [custom environment](Environment::Custom).
    pub fn base_url(self, base_url: impl Into<String>) -> Self {
        self.environment(Environment::Custom(base_url.into()))
    }

    /// Consumer (default) or B2B: decides the JWKS path.
    pub fn project_kind(mut self, kind: ProjectKind) -> Self {
        self.kind = kind;
        self
    }

    /// Sets how the JWKS is fetched and cached.
    pub fn jwks_policy(mut self, policy: JwksPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Reads the time from this clock (default the system clock; the mock's clock in tests).
    pub fn clock(self, clock: impl Clock + 'static) -> Self {
        self.shared_clock(Arc::new(clock))
    }

    pub(crate) fn shared_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the bounds of the verified-token cache (default 10 000 tokens, 16 MiB).
    pub fn verified_cache(mut self, policy: VerifiedCachePolicy) -> Self {
        self.verified = policy;
        self
    }

    /// Also accepts this exact `iss` (a custom domain's issuer, such as `https://login.example.com`), besides
    /// `stytch.com/{project_id}` and the base URL.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// The audience tokens must carry (default the project id; set it when the project's M2M JWT template has a
    /// `custom_audience`).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Starts from this JWKS (JSON text, `{"keys": [...]}`) instead of fetching it on first use; it is refreshed
    /// like a fetched one once its TTL passes.
    pub fn jwks_json(mut self, json: impl Into<String>) -> Self {
        self.initial_jwks = Some(json.into());
        self
    }

    /// Only ever uses the keys of this JWKS (JSON text) and never fetches: for air-gapped services and tests. No
    /// transport is needed.
    pub fn static_jwks(mut self, json: impl Into<String>) -> Self {
        self.initial_jwks = Some(json.into());
        self.fixed = true;
        self
    }

    /// Builds the verifier, without any network call. Refuses an empty project id (or one with `:` or control
    /// characters), JWKS text that is not a JWKS, and a dynamic verifier without a transport.
    pub fn build(self) -> Result<TokenVerifier, crate::Error> {
        validate_project_id(&self.project_id)?;
        let environment = self
            .environment
            .unwrap_or_else(|| Environment::from_project_id(&self.project_id));
        let base_url = environment.base_url().to_owned();
        let initial = match &self.initial_jwks {
            Some(json) => Some(jwks::parse_jwks(json).map_err(|_| {
                ValidationError::new(
                    "jwks",
                    "must be a JWKS document: a JSON object with `keys`",
                    ErrorType::BadRequest,
                )
            })?),
            None => None,
        };
        let jwks_url = format!("{base_url}{}", self.kind.jwks_path(&self.project_id));
        let source = match (self.fixed, initial, self.transport) {
            (true, Some(keys), _) => JwksSource::fixed(self.policy, keys),
            (false, initial, Some(transport)) => {
                JwksSource::remote(self.policy, transport, jwks_url.clone(), initial)
            }
            _ => {
                return Err(ValidationError::new(
                    "transport",
                    "is required unless the JWKS is static",
                    ErrorType::BadRequest,
                )
                .into());
            }
        };
        let mut issuers = vec![format!("stytch.com/{}", self.project_id), base_url];
        issuers.extend(self.issuers);
        Ok(TokenVerifier {
            inner: Arc::new(Inner {
                audience: self.audience.unwrap_or_else(|| self.project_id.clone()),
                project_id: self.project_id,
                jwks_url,
                issuers: issuers.into_iter().map(String::into_boxed_str).collect(),
                clock: self.clock,
                jwks: source,
                verified: VerifiedCache::new(self.verified),
            }),
        })
    }
}

pub(crate) fn validate_project_id(project_id: &str) -> Result<(), ValidationError> {
    if project_id.is_empty() || project_id.contains(':') || project_id.chars().any(char::is_control)
    {
        return Err(ValidationError::new(
            "project_id",
            "must be non-empty, without `:` or control characters",
            ErrorType::InvalidProjectId,
        ));
    }
    Ok(())
}

impl TokenVerifier {
    /// A builder for a verifier of this project's tokens.
    pub fn builder(project_id: impl Into<String>) -> TokenVerifierBuilder {
        TokenVerifierBuilder {
            project_id: project_id.into(),
            transport: None,
            environment: None,
            kind: ProjectKind::Consumer,
            policy: JwksPolicy::default(),
            clock: Arc::new(SystemClock),
            verified: VerifiedCachePolicy::default(),
            issuers: Vec::new(),
            audience: None,
            initial_jwks: None,
            fixed: false,
        }
    }

    /// A verifier of a consumer project's tokens, fetching the JWKS through `transport` from the environment of
    /// the project id's prefix, with the default policies.
    pub fn new(
        project_id: impl Into<String>,
        transport: impl Transport + 'static,
    ) -> Result<Self, crate::Error> {
        Self::builder(project_id).transport(transport).build()
    }

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

impl crate::Client {
    /// Authenticates an M2M access token locally with the client's [`TokenVerifier`] (see
    /// [`TokenVerifier::authenticate_token`]). A service that only checks tokens should build a `TokenVerifier`
    /// instead, and hold no project secret.
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
    ) -> Result<AuthenticatedToken, AuthError> {
        self.verifier().authenticate_token(token, options).await
    }
}

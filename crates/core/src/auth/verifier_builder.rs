//! [`TokenVerifierBuilder`] and [`ProjectKind`]: how a [`TokenVerifier`] is configured and built.

use crate::error::ConfigError;
use std::sync::Arc;

use super::jwks::{JwksPolicy, JwksSource};
use super::project::Entry;
use super::verified::{VerifiedCache, VerifiedCachePolicy};
use super::verifier::{Inner, TokenVerifier};
use crate::clock::{Clock, SystemClock};
use crate::config::Environment;
use crate::transport::Transport;
use crate::wire::encode_path_segment;

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
    /// `consumer` or `b2b`, as Stytch's dashboard and the emulator's `--project-kind` name them.
    ///
    /// ```
    /// # use stytch_m2m_core as stytch_m2m;
    /// use stytch_m2m::auth::ProjectKind;
    ///
    /// assert_eq!(ProjectKind::B2b.as_str(), "b2b");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectKind::Consumer => "consumer",
            ProjectKind::B2b => "b2b",
        }
    }

    /// The path of the project's JWKS.
    pub fn jwks_path(self, project_id: &str) -> String {
        let prefix = match self {
            ProjectKind::Consumer => "/v1/sessions/jwks/",
            ProjectKind::B2b => "/v1/b2b/sessions/jwks/",
        };
        format!("{prefix}{}", encode_path_segment(project_id))
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
    allow_insecure_http: bool,
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

impl TokenVerifier {
    /// A builder for a verifier of this project's tokens: the one way to make a verifier.
    pub fn builder(project_id: impl Into<String>) -> TokenVerifierBuilder {
        TokenVerifierBuilder::new(project_id.into())
    }
}

impl TokenVerifierBuilder {
    pub(super) fn new(project_id: String) -> Self {
        Self {
            project_id,
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
            allow_insecure_http: false,
        }
    }

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

    /// Allows fetching the JWKS over plain `http://` from a host that is not the loopback. Without it, such a URL
    /// is refused: whoever can alter the JWKS in transit decides which tokens are trusted.
    pub fn allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
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
        if !self.fixed {
            crate::wire::check_base_url(&base_url, self.allow_insecure_http)?;
        }
        let initial = match &self.initial_jwks {
            Some(json) => Some(super::jwks_keys::parse_jwks(json).map_err(|_| {
                ConfigError::new("jwks", "must be a JWKS document: a JSON object with `keys`")
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
                return Err(
                    ConfigError::new("transport", "is required unless the JWKS is static").into(),
                );
            }
        };
        let mut issuers = vec![format!("stytch.com/{}", self.project_id), base_url];
        issuers.extend(self.issuers);
        Ok(TokenVerifier {
            inner: Arc::new(Inner {
                entries: Box::new([Entry {
                    audience: self.audience.unwrap_or_else(|| self.project_id.clone()),
                    project_id: self.project_id.into(),
                    jwks_url,
                    issuers: issuers.into_iter().map(Arc::from).collect(),
                    jwks: source,
                }]),
                clock: self.clock,
                verified: VerifiedCache::new(self.verified.clone()),
                verified_policy: self.verified,
                checks: crate::metrics::TokenChecks::default(),
                header: super::jwt::KnownHeader::default(),
            }),
        })
    }
}

pub(crate) fn validate_project_id(project_id: &str) -> Result<(), ConfigError> {
    if project_id.is_empty() || project_id.contains(':') || project_id.chars().any(char::is_control)
    {
        return Err(ConfigError::new(
            "project_id",
            "must be non-empty, without `:` or control characters",
        ));
    }
    Ok(())
}

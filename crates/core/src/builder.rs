//! [`ClientBuilder`]: environment, retries, timeouts, the token verifier's options, `User-Agent`, plain-HTTP
//! policy.

use crate::error::ConfigError;
use std::sync::Arc;

use base64::Engine as _;
use stytch_m2m_models::Secret;

use crate::auth::{
    JwksPolicy, ProjectKind, TokenVerifier, TokenVerifierBuilder, VerifiedCachePolicy,
};
use crate::client::{Client, Inner};
use crate::clock::Clock;
use crate::config::{Environment, RetryPolicy, TimeoutPolicy};
use crate::error::Error;
use crate::transport::Transport;
use crate::wire::USER_AGENT;

/// Builds a [`Client`]; see [`Client::builder`].
#[must_use]
pub struct ClientBuilder {
    project_id: String,
    secret: Secret,
    transport: Arc<dyn Transport>,
    environment: Option<Environment>,
    retry: RetryPolicy,
    timeouts: TimeoutPolicy,
    verifier: TokenVerifierBuilder,
    user_agent_suffix: Option<String>,
    allow_insecure_http: bool,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("project_id", &self.project_id)
            .field("secret", &"[REDACTED]")
            .field("environment", &self.environment)
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .field("verifier", &self.verifier)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a client of this project over `transport`.
    pub fn builder(
        project_id: impl Into<String>,
        secret: impl Into<Secret>,
        transport: impl Transport + 'static,
    ) -> ClientBuilder {
        ClientBuilder::new(project_id.into(), secret.into(), Arc::new(transport))
    }
}

impl ClientBuilder {
    pub(crate) fn new(project_id: String, secret: Secret, transport: Arc<dyn Transport>) -> Self {
        Self {
            verifier: TokenVerifier::builder(project_id.clone()),
            project_id,
            secret,
            transport,
            environment: None,
            retry: RetryPolicy::default(),
            timeouts: TimeoutPolicy::default(),
            user_agent_suffix: None,
            allow_insecure_http: false,
        }
    }

    /// Reads the time for token authentication from this clock (default the system clock; the mock's clock in
    /// tests).
    pub fn clock(self, clock: impl Clock + 'static) -> Self {
        self.verifier(|v| v.clock(clock))
    }

    /// Sets how the JWKS is fetched and cached (default [`JwksPolicy::default`]).
    pub fn jwks_policy(self, policy: JwksPolicy) -> Self {
        self.verifier(|v| v.jwks_policy(policy))
    }

    /// Sets the bounds of the verified-token cache (default 10 000 tokens, 16 MiB).
    pub fn verified_cache(self, policy: VerifiedCachePolicy) -> Self {
        self.verifier(|v| v.verified_cache(policy))
    }

    /// Consumer (default) or B2B project: decides the JWKS path of token authentication.
    pub fn project_kind(self, kind: ProjectKind) -> Self {
        self.verifier(|v| v.project_kind(kind))
    }

    /// Also accepts tokens whose `iss` is this issuer (a custom domain), besides `stytch.com/{project_id}` and
    /// the base URL; as [`TokenVerifierBuilder::issuer`].
    ///
    /// ```
    /// # use stytch_m2m_core as stytch_m2m;
    /// # use stytch_m2m::transport::{BoxFuture, HttpRequest, HttpResponse, Transport, TransportError};
    /// # struct AnyTransport;
    /// # impl Transport for AnyTransport {
    /// #     fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
    /// #         Box::pin(async { Ok(HttpResponse::new(200, b"{}".to_vec())) })
    /// #     }
    /// # }
    /// let client = stytch_m2m::Client::builder("project-test-1", "secret", AnyTransport)
    ///     .audience("https://api.example.com")
    ///     .issuer("https://login.example.com")
    ///     .build()
    ///     .unwrap();
    /// # let _ = client;
    /// ```
    pub fn issuer(self, issuer: impl Into<String>) -> Self {
        self.verifier(|v| v.issuer(issuer))
    }

    /// Requires this `aud` (the M2M JWT template's `custom_audience`) instead of the project id; as
    /// [`TokenVerifierBuilder::audience`].
    pub fn audience(self, audience: impl Into<String>) -> Self {
        self.verifier(|v| v.audience(audience))
    }

    /// The client's verifier takes the client's transport and environment; only the settings above reach it.
    fn verifier(
        mut self,
        configure: impl FnOnce(TokenVerifierBuilder) -> TokenVerifierBuilder,
    ) -> Self {
        self.verifier = configure(self.verifier);
        self
    }

    /// Talks to this environment instead of the one of the project id's prefix.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// Talks to this base URL (any scheme; a trailing `/` is ignored).
    pub fn base_url(self, base_url: impl Into<String>) -> Self {
        self.environment(Environment::Custom(base_url.into()))
    }

    /// Sets the retry policy (default [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the time limits (default [`TimeoutPolicy::default`]).
    pub fn timeouts(mut self, timeouts: TimeoutPolicy) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Appends this to the `User-Agent` (`stytch-m2m-rust/0.1.0 my-service/2.3`), so that Stytch support can tell
    /// which application sent a request. Visible ASCII only.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Allows a plain `http://` base URL to a host that is not the loopback (a docker-compose emulator at
    /// `http://emulator:4010`, say). Without it, such a URL is refused: the project's credentials would cross the
    /// network in clear text.
    pub fn allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self.verifier = self.verifier.allow_insecure_http();
        self
    }

    /// Builds the client. Refuses an empty project id or secret, a project id with `:`, a `User-Agent` suffix that
    /// is not visible ASCII, and a plain `http://` base URL to a non-loopback host (unless
    /// [`allow_insecure_http`](Self::allow_insecure_http)).
    pub fn build(self) -> Result<Client, Error> {
        if self.secret.expose_secret().is_empty() {
            crate::auth::validate_project_id(&self.project_id)?;
            return Err(ConfigError::new("secret", "must not be empty").into());
        }
        self.build_any()
    }

    /// A client for token exchanges only (a [`TokenProvider`](crate::auth::TokenProvider) built without the
    /// project secret): it sends no project credentials, and it is never handed to a caller.
    pub(crate) fn build_for_exchange(self) -> Result<Client, Error> {
        self.build_any()
    }

    fn build_any(self) -> Result<Client, Error> {
        crate::auth::validate_project_id(&self.project_id)?;
        let environment = self
            .environment
            .unwrap_or_else(|| Environment::from_project_id(&self.project_id));
        crate::wire::check_base_url(environment.base_url(), self.allow_insecure_http)?;
        let user_agent = match &self.user_agent_suffix {
            None => USER_AGENT.to_owned(),
            Some(suffix)
                if !suffix.is_empty() && suffix.bytes().all(|b| (0x20..0x7f).contains(&b)) =>
            {
                format!("{USER_AGENT} {suffix}")
            }
            Some(_) => {
                return Err(ConfigError::new(
                    "user_agent_suffix",
                    "must be non-empty visible ASCII",
                )
                .into());
            }
        };
        let authorization = if self.secret.expose_secret().is_empty() {
            None
        } else {
            let credentials = format!("{}:{}", self.project_id, self.secret.expose_secret());
            Some(Secret::new(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(credentials)
            )))
        };
        let verifier = self
            .verifier
            .environment(environment.clone())
            .shared_transport(self.transport.clone())
            .build()?;
        Ok(Client {
            inner: Arc::new(Inner {
                verifier,
                base_url: environment.base_url().to_owned(),
                project_id: self.project_id,
                authorization,
                user_agent,
                transport: self.transport,
                retry: self.retry,
                timeouts: self.timeouts,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{BoxFuture, HttpRequest, HttpResponse, TransportError};

    struct Nowhere;

    impl Transport for Nowhere {
        fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
            Box::pin(async { Ok(HttpResponse::new(200, b"{}".to_vec())) })
        }
    }

    const PID: &str = "project-test-00000000-0000-4000-8000-000000000000";

    fn build(base_url: &str) -> Result<Client, Error> {
        Client::builder(PID, "secret-test-x", Nowhere)
            .base_url(base_url)
            .build()
    }

    #[test]
    fn plain_http_only_to_the_loopback_or_when_allowed() {
        for ok in [
            "https://api.example.com",
            "http://127.0.0.1:4010",
            "http://127.9.9.9",
            "http://localhost:4010/",
            "http://LOCALHOST",
            "http://[::1]:4010",
            "HTTP://localhost:4010",
        ] {
            assert!(build(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://example.com",
            "http://10.0.0.1:4010",
            "http://emulator:4010",
            "http://127.0.0.1.evil.com",
            "HTTP://api.example.com",
            "Http://api.example.com",
        ] {
            let e = build(refused).unwrap_err();
            assert!(e.to_string().contains("base_url"), "{refused}: {e}");
            assert!(
                Client::builder(PID, "secret-test-x", Nowhere)
                    .base_url(refused)
                    .allow_insecure_http()
                    .build()
                    .is_ok(),
                "{refused} with the opt-in"
            );
            // A verifier (which decides which tokens to trust from the JWKS it fetches) follows the same rule.
            assert!(
                TokenVerifier::builder(PID)
                    .transport(Nowhere)
                    .base_url(refused)
                    .build()
                    .is_err()
            );
        }
    }

    #[test]
    fn userinfo_is_refused_even_when_plain_http_is_allowed() {
        for spelled in [
            "http://127.0.0.1:1@api.example.com/",
            "http://[::1]@api.example.com/",
        ] {
            for allow in [false, true] {
                let mut client = Client::builder(PID, "secret-test-x", Nowhere).base_url(spelled);
                let mut verifier = TokenVerifier::builder(PID)
                    .transport(Nowhere)
                    .base_url(spelled);
                if allow {
                    client = client.allow_insecure_http();
                    verifier = verifier.allow_insecure_http();
                }
                let e = client.build().unwrap_err();
                assert!(e.to_string().contains("userinfo"), "{spelled}: {e}");
                let e = verifier.build().unwrap_err();
                assert!(e.to_string().contains("userinfo"), "{spelled}: {e}");
            }
        }
    }

    #[test]
    fn the_user_agent_names_the_application() {
        let client = Client::builder(PID, "secret-test-x", Nowhere)
            .user_agent_suffix("billing/2.3")
            .build()
            .unwrap();
        assert_eq!(client.inner.user_agent, format!("{USER_AGENT} billing/2.3"));
        for bad in ["", "tab\there", "naïve"] {
            let e = Client::builder(PID, "secret-test-x", Nowhere)
                .user_agent_suffix(bad)
                .build()
                .unwrap_err();
            assert!(e.to_string().contains("user_agent_suffix"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn the_builder_debug_never_shows_the_secret() {
        let builder = Client::builder(PID, "secret-test-do-not-print", Nowhere);
        let shown = format!("{builder:?}");
        assert!(!shown.contains("do-not-print"), "{shown}");
        assert!(shown.contains(PID));
    }

    #[test]
    fn from_the_environment() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let client = Client::from_lookup(
            env(&[
                ("STYTCH_PROJECT_ID", PID),
                ("STYTCH_SECRET", "secret-test-x"),
            ]),
            Nowhere,
        )
        .unwrap();
        assert_eq!(client.base_url(), "https://test.stytch.com");
        let client = Client::from_lookup(
            env(&[
                ("STYTCH_PROJECT_ID", PID),
                ("STYTCH_SECRET", "secret-test-x"),
                ("STYTCH_BASE_URL", "http://127.0.0.1:4010"),
            ]),
            Nowhere,
        )
        .unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:4010");
        let e = Client::from_lookup(env(&[("STYTCH_PROJECT_ID", PID)]), Nowhere).unwrap_err();
        assert!(e.to_string().contains("STYTCH_SECRET"), "{e}");
        let e = Client::from_lookup(env(&[]), Nowhere).unwrap_err();
        assert!(e.to_string().contains("STYTCH_PROJECT_ID"), "{e}");
    }
}

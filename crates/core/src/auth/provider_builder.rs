//! [`TokenProviderBuilder`]: a [`TokenProvider`] from the project id, one M2M client's credentials and a
//! transport. No project secret: the exchange authenticates the M2M client, never the project.

use std::sync::Arc;

use stytch_m2m_models::Secret;

use super::provider::{ProviderPolicy, TokenProvider};
use crate::builder::ClientBuilder;
use crate::config::{Environment, RetryPolicy, TimeoutPolicy};
use crate::error::{ConfigError, Error};
use crate::transport::Transport;

/// Builds a [`TokenProvider`] that holds no project secret; see [`TokenProvider::builder`].
#[must_use]
pub struct TokenProviderBuilder {
    project_id: String,
    client_id: String,
    client_secret: Secret,
    transport: Option<Arc<dyn Transport>>,
    environment: Option<Environment>,
    retry: RetryPolicy,
    timeouts: TimeoutPolicy,
    policy: ProviderPolicy,
    user_agent_suffix: Option<String>,
    allow_insecure_http: bool,
}

impl std::fmt::Debug for TokenProviderBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenProviderBuilder")
            .field("project_id", &self.project_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("environment", &self.environment)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl TokenProvider {
    /// A builder for a provider of this M2M client's tokens, with **no project secret**: the exchange needs only
    /// the project id (for the URL), the client's credentials and a transport. This is what a calling service
    /// holds; [`TokenProvider::new`] is for a program that already has a [`Client`](crate::Client).
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
    /// use stytch_m2m::auth::{ProviderPolicy, TokenProvider};
    ///
    /// let provider = TokenProvider::builder(
    ///     "project-test-00000000-0000-4000-8000-000000000000",
    ///     "m2m-client-test-…",
    ///     "the client's secret", // std::env::var("M2M_CLIENT_SECRET")?, a vault, a mounted file
    /// )
    /// .transport(AnyTransport) // stytch_m2m::HttpTransport::new() in a service
    /// .policy(ProviderPolicy::default())
    /// .build()
    /// .unwrap();
    /// assert_eq!(provider.client_id(), "m2m-client-test-…");
    /// ```
    pub fn builder(
        project_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> TokenProviderBuilder {
        TokenProviderBuilder {
            project_id: project_id.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            transport: None,
            environment: None,
            retry: RetryPolicy::default(),
            timeouts: TimeoutPolicy::default(),
            policy: ProviderPolicy::default(),
            user_agent_suffix: None,
            allow_insecure_http: false,
        }
    }
}

impl TokenProviderBuilder {
    /// Exchanges credentials through this transport (required).
    pub fn transport(self, transport: impl Transport + 'static) -> Self {
        self.shared_transport(Arc::new(transport))
    }

    /// Like [`transport`](Self::transport), with a transport shared with other users.
    pub fn shared_transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Talks to this environment instead of the one of the project id's prefix.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// Talks to this base URL (a custom domain, the emulator).
    pub fn base_url(self, base_url: impl Into<String>) -> Self {
        self.environment(Environment::Custom(base_url.into()))
    }

    /// Sets the retry policy of each exchange (default [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the time limits of each exchange (default [`TimeoutPolicy::default`]).
    pub fn timeouts(mut self, timeouts: TimeoutPolicy) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Sets how tokens are cached and refreshed (default [`ProviderPolicy::default`]).
    pub fn policy(mut self, policy: ProviderPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Appends this to the `User-Agent`, as [`ClientBuilder::user_agent_suffix`].
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Allows a plain `http://` base URL to a host that is not the loopback (a compose network's emulator), as
    /// [`ClientBuilder::allow_insecure_http`]: without it the client's secret would cross the network in clear
    /// text, and such a URL is refused.
    pub fn allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// Builds the provider, without any network call. Refuses a missing transport, an empty project id, client
    /// id or client secret, and the URLs [`ClientBuilder::build`] refuses.
    pub fn build(self) -> Result<TokenProvider, Error> {
        let Some(transport) = self.transport else {
            return Err(ConfigError::new("transport", "is required").into());
        };
        if self.client_id.is_empty() {
            return Err(ConfigError::new("client_id", "must not be empty").into());
        }
        if self.client_secret.expose_secret().is_empty() {
            return Err(ConfigError::new("client_secret", "must not be empty").into());
        }
        let mut client = ClientBuilder::new(self.project_id, Secret::new(String::new()), transport)
            .retry(self.retry)
            .timeouts(self.timeouts);
        if let Some(environment) = self.environment {
            client = client.environment(environment);
        }
        if let Some(suffix) = self.user_agent_suffix {
            client = client.user_agent_suffix(suffix);
        }
        if self.allow_insecure_http {
            client = client.allow_insecure_http();
        }
        let client = client.build_for_exchange()?;
        Ok(TokenProvider::with_policy(
            client,
            self.client_id,
            self.client_secret,
            self.policy,
        ))
    }
}

//! An in-memory Stytch M2M that behaves like the real one, as a [`Transport`] for tests.
//!
//! Put it in your dev-dependencies and test your own code without network or credentials. It is not a list of
//! canned replies: it keeps clients, enforces Stytch's rules, rotates secrets, searches with cursors, mints real
//! RS256 tokens and publishes their JWKS. It runs behind the real client, so the SDK's encoding, validation,
//! decoding and retries run exactly as in production.
//!
//! ```
//! # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
//! use stytch_m2m::models::CreateRequest;
//! use stytch_m2m::mock::MockStytch;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let mock = MockStytch::new();
//! let client = mock.client();
//! let created = client.clients().create(CreateRequest::new(["read:users"])).await.unwrap();
//! let token = client
//!     .token(&created.m2m_client.client_id, &created.m2m_client.client_secret, &["read:users"])
//!     .await
//!     .unwrap();
//! assert_eq!(token.token_type, "bearer");
//! # }
//! ```
//!
//! Layout: the [`Engine`] holds the state and the rules (no HTTP); `wire` maps plain HTTP data onto it (what the
//! emulator serves); [`MockStytch`] adds the test controls (clock, faults, request log, seeding) and implements
//! [`Transport`].

mod builder;
mod clock;
mod engine;
mod faults;
mod handle;
mod journal;
mod padded;
mod random;
// The wire front, shared with `stytch-m2m-emulator` (its server answers through it); users reach it through
// `MockStytch` and [`Route`].
#[doc(hidden)]
pub mod wire;

use std::sync::Arc;

use stytch_m2m_core::Client;
use stytch_m2m_core::models::{CreateRequest, M2mClientWithClientSecret, Secret};
use stytch_m2m_core::transport::{HttpRequest, Transport};

pub use builder::MockBuilder;
pub use clock::{ClockOverflow, MockClock};
pub use engine::{
    DEFAULT_KEY_GRACE, DEFAULT_SEARCH_LIMIT, Engine, Failure, Grant, JwtTemplate,
    MAX_TEMPLATE_BYTES, SNAPSHOT_VERSION, SavedClient, SavedKey, ServerRules, Snapshot, Strictness,
    TOKEN_LIFETIME_SECS,
};
pub use faults::Fault;
pub use journal::{JournalLimits, RequestHead};
pub use wire::Route;

use faults::FaultTable;

/// A mock Stytch project: the engine plus test controls. Cheap to clone; clones share everything.
#[derive(Clone, Debug)]
pub struct MockStytch {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    engine: Engine,
    faults: FaultTable,
    log: journal::Journal,
}

impl Default for MockStytch {
    fn default() -> Self {
        Self::new()
    }
}

impl MockStytch {
    /// A mock with a random project id and secret, on the system clock.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// A mock around an engine built elsewhere (for example restored from a snapshot).
    pub fn from_engine(engine: Engine) -> Self {
        Self::with_journal(engine, JournalLimits::default())
    }

    /// A mock around an engine, keeping at most this much of its request journal.
    pub fn with_journal(engine: Engine, journal: JournalLimits) -> Self {
        MockStytch {
            shared: Arc::new(Shared {
                engine,
                faults: FaultTable::default(),
                log: journal::Journal::new(journal),
            }),
        }
    }

    /// A builder for project id, secret, deterministic mode, clock and key grace period.
    pub fn builder() -> MockBuilder {
        MockBuilder::default()
    }

    /// The project id.
    pub fn project_id(&self) -> &str {
        self.shared.engine.project_id()
    }

    /// The project secret.
    pub fn project_secret(&self) -> &Secret {
        self.shared.engine.project_secret()
    }

    /// A client of this project over this mock, with the standard retry and timeout policies and the mock's
    /// clock (so that token authentication sees the time the test sets).
    pub fn client(&self) -> Client {
        Client::builder(
            self.project_id(),
            self.project_secret().clone(),
            self.clone(),
        )
        .clock(self.clock().clone())
        .project_kind(self.engine().project_kind())
        .issuer(self.engine().issuer())
        .build()
        .expect("the mock's project id and secret are valid")
    }

    /// A client of this project that sends its requests to `base_url` through `transport` (the emulator serving
    /// this mock, reached over HTTP), with the mock's clock and project kind.
    pub fn client_at(
        &self,
        base_url: impl Into<String>,
        transport: impl Transport + 'static,
    ) -> Client {
        Client::builder(self.project_id(), self.project_secret().clone(), transport)
            .base_url(base_url)
            .clock(self.clock().clone())
            .project_kind(self.engine().project_kind())
            .issuer(self.engine().issuer())
            .build()
            .expect("the mock's project id and secret are valid")
    }

    /// A token provider of this M2M client over this mock, built as a calling service builds one: with the
    /// project id and the client's credentials, **no project secret**.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::models::CreateRequest;
    /// use stytch_m2m::mock::MockStytch;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mock = MockStytch::new();
    /// let billing = mock.seed_client(CreateRequest::new(["read:invoices"])).unwrap();
    /// let provider = mock.token_provider(&billing.client_id, billing.client_secret);
    /// let token = provider.token(["read:invoices"]).await.unwrap();
    /// assert!(!token.expose_secret().is_empty());
    /// # }
    /// ```
    pub fn token_provider(
        &self,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> stytch_m2m_core::auth::TokenProvider {
        stytch_m2m_core::auth::TokenProvider::builder(self.project_id(), client_id, client_secret)
            .transport(self.clone())
            .build()
            .expect("the mock's project id and a seeded client's credentials are valid")
    }

    /// A token verifier of this project over this mock, with no project secret, the mock's clock and its project
    /// kind: what a resource server holds.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::auth::AuthenticateOptions;
    /// use stytch_m2m::models::CreateRequest;
    /// use stytch_m2m::mock::MockStytch;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mock = MockStytch::new();
    /// let svc = mock.seed_client(CreateRequest::new(["read:invoices"])).unwrap();
    /// let token = mock.client().token(&svc.client_id, &svc.client_secret, &["read:invoices"]).await.unwrap();
    /// let verified = mock
    ///     .verifier()
    ///     .authenticate_token(token.access_token.expose_secret(), &AuthenticateOptions::new())
    ///     .await
    ///     .unwrap();
    /// assert_eq!(verified.client_id(), svc.client_id);
    /// # }
    /// ```
    pub fn verifier(&self) -> stytch_m2m_core::auth::TokenVerifier {
        self.verifier_builder()
            .build()
            .expect("the mock's project id is valid")
    }

    /// A builder of [`MockStytch::verifier`], to set more options.
    pub fn verifier_builder(&self) -> stytch_m2m_core::auth::TokenVerifierBuilder {
        stytch_m2m_core::auth::TokenVerifier::builder(self.project_id())
            .transport(self.clone())
            .clock(self.clock().clone())
            .project_kind(self.engine().project_kind())
            .issuer(self.engine().issuer())
    }

    /// The engine (state and rules), for direct calls that skip HTTP.
    pub fn engine(&self) -> &Engine {
        &self.shared.engine
    }

    /// The clock; advance it to expire tokens or end key grace periods.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use std::time::Duration;
    /// use stytch_m2m::mock::{MockClock, MockStytch};
    ///
    /// let mock = MockStytch::builder().clock(MockClock::frozen_at_unix(1_700_000_000)).build();
    /// mock.clock().advance(Duration::from_secs(3601)); // every token minted so far has expired
    /// assert_eq!(mock.clock().now_unix(), 1_700_003_601);
    /// ```
    pub fn clock(&self) -> &MockClock {
        self.shared.engine.clock()
    }

    /// Creates a client directly in the engine (no HTTP, no fault, not logged), with the same rules as the API.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::models::CreateRequest;
    /// use stytch_m2m::mock::MockStytch;
    ///
    /// let mock = MockStytch::new();
    /// let seeded = mock.seed_client(CreateRequest::new(["read:users"]).client_id("billing")).unwrap();
    /// assert_eq!(seeded.client_id, "billing");
    /// assert!(mock.requests().is_empty());
    /// ```
    pub fn seed_client(
        &self,
        request: CreateRequest,
    ) -> Result<M2mClientWithClientSecret, Failure> {
        self.shared.engine.create(request)
    }

    /// Sets the project's M2M JWT template (`{"custom_claims": {...}, "custom_audience": "..."}`), or removes it
    /// with `None`: new tokens carry custom claims filled from the token request's extra parameters
    /// (`{{ request.x }}`) and the client's trusted metadata (`{{ trusted_metadata.x }}`). See
    /// [`engine::JwtTemplate`] for the rules.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::auth::AuthenticateOptions;
    /// use stytch_m2m::models::CreateRequest;
    /// use stytch_m2m::mock::MockStytch;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mock = MockStytch::new();
    /// mock.set_jwt_template(Some(&serde_json::json!({"custom_claims": {"tenant": "{{ request.tenant }}"}})))
    ///     .unwrap();
    /// let m = mock.seed_client(CreateRequest::new(["read:users"])).unwrap();
    /// let token = mock
    ///     .client()
    ///     .token_with_params(&m.client_id, &m.client_secret, &["read:users"], &[("tenant", "acme")])
    ///     .await
    ///     .unwrap();
    /// let verified = mock
    ///     .verifier()
    ///     .authenticate_token(token.access_token.expose_secret(), &AuthenticateOptions::new())
    ///     .await
    ///     .unwrap();
    /// assert_eq!(verified.custom_claims()["tenant"], "acme");
    /// # }
    /// ```
    pub fn set_jwt_template(&self, template: Option<&serde_json::Value>) -> Result<(), Failure> {
        let parsed = template.map(engine::JwtTemplate::parse).transpose()?;
        self.shared.engine.set_jwt_template(parsed);
        Ok(())
    }

    /// Signs any header and claims with the current signing key (for tests of token verification: expired,
    /// wrong audience, odd headers...). The header is used as given; the usual one is
    /// `{"alg": "RS256", "kid": mock.engine().current_kid(), "typ": "JWT"}`.
    pub fn sign_jwt(&self, header: &serde_json::Value, claims: &serde_json::Value) -> String {
        self.shared.engine.sign_jwt(header, claims)
    }

    /// Signs any bytes as header and payload with the current signing key, for tests of what a verifier does with
    /// input no JSON serializer would write (invalid UTF-8, duplicate members).
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::mock::MockStytch;
    ///
    /// let mock = MockStytch::new();
    /// let header = format!(r#"{{"alg":"RS256","kid":"{}"}}"#, mock.engine().current_kid());
    /// let token = mock.sign_jwt_bytes(header.as_bytes(), br#"{"sub":"a","sub":"b"}"#);
    /// assert_eq!(token.split('.').count(), 3);
    /// ```
    pub fn sign_jwt_bytes(&self, header: &[u8], claims: &[u8]) -> String {
        self.shared.engine.sign_jwt_bytes(header, claims)
    }

    /// Rotates the signing key now; returns the new `kid`. The old key stays in the JWKS for the grace period.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use std::time::Duration;
    /// use stytch_m2m::mock::{MockClock, MockStytch};
    ///
    /// let mock = MockStytch::builder().clock(MockClock::frozen_at_unix(1_700_000_000)).build();
    /// let old = mock.engine().current_kid();
    /// let new = mock.rotate_signing_key();
    /// assert_eq!(mock.engine().jwks().len(), 2); // both published during the grace period (1 hour)
    /// mock.clock().advance(Duration::from_secs(3601));
    /// assert_eq!(mock.engine().jwks()[0].kid, new);
    /// assert_eq!(mock.engine().jwks().len(), 1);
    /// # let _ = old;
    /// ```
    pub fn rotate_signing_key(&self) -> String {
        self.shared.engine.rotate_signing_key()
    }

    /// The requests received so far, in order (to assert what was sent): the most recent 10 000 (16 MiB) by
    /// default ([`MockStytch::with_journal`]), each with its `Authorization` credentials and any `client_secret`
    /// replaced by `[REDACTED]`; requests refused for their project credentials are only counted
    /// ([`MockStytch::unauthenticated_requests`]).
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::models::CreateRequest;
    /// use stytch_m2m::mock::MockStytch;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mock = MockStytch::new();
    /// mock.client().clients().create(CreateRequest::new(["read:users"])).await.unwrap();
    /// let sent = &mock.requests()[0];
    /// assert!(sent.url.ends_with("/v1/m2m/clients"));
    /// let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    /// assert_eq!(body, serde_json::json!({"scopes": ["read:users"]}));
    /// # }
    /// ```
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.shared.log.requests()
    }

    /// How many requests were refused for their project credentials (they are counted, never kept).
    pub fn unauthenticated_requests(&self) -> u64 {
        self.shared.log.unauthenticated()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.shared.log.clear();
    }

    fn faults(&self) -> &FaultTable {
        &self.shared.faults
    }
}

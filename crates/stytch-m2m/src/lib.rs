//! A Rust SDK for Stytch's machine-to-machine (M2M) API.
//!
//! - Manage M2M clients: [`Client::clients`] (`create`, `get`, `search`, `search_all`, `update`, `delete`) and
//!   `clients().secrets()` (`rotate_start`, `rotate_cancel`, `rotate`).
//! - Exchange client credentials for an access token: [`Client::token`], or [`auth::TokenProvider`] to cache
//!   and refresh it.
//! - Authenticate access tokens locally with no project secret: [`auth::TokenVerifier`] (or [`verifier`] over HTTP); a
//!   client has one too ([`Client::authenticate_token`]).
//! - Retries, timeouts, typed errors and secrets that never print.
//!
//! - A calling service's tokens without the project secret: [`auth::TokenProvider::builder`].
//!
//! Pick a transport: `http` (default feature: `HttpTransport`, reqwest with rustls) for real calls, or
//! `mock` (`mock::MockStytch`, in memory) for your tests. [`Client::builder`] is the one way to make a client
//! ([`Client::from_env`] reads the project from the environment).
//!
//! Guides beside the code: [configuration](https://github.com/stytch-m2m/stytch-m2m/blob/main/docs/configuration.md),
//! [verification](https://github.com/stytch-m2m/stytch-m2m/blob/main/docs/verification.md),
//! [the command line](https://github.com/stytch-m2m/stytch-m2m/blob/main/docs/cli.md),
//! [the emulator](https://github.com/stytch-m2m/stytch-m2m/blob/main/docs/emulator.md).
//!
//! ```no_run
//! # #[cfg(any(feature = "http", feature = "native-tls"))]
//! # async fn run() -> Result<(), stytch_m2m::Error> {
//! use stytch_m2m::models::CreateRequest;
//! use stytch_m2m::{Client, HttpTransport};
//!
//! let client = Client::builder("project-test-…", "secret-test-…", HttpTransport::new()).build()?;
//! let created = client.clients().create(CreateRequest::new(["read:users"])).await?;
//! # let _ = created; Ok(()) }
//! ```
//!
//! In tests, the mock behaves like Stytch:
//!
//! ```
//! # #[cfg(feature = "mock")]
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use stytch_m2m::auth::AuthenticateOptions;
//! use stytch_m2m::mock::MockStytch;
//! use stytch_m2m::models::CreateRequest;
//!
//! let mock = MockStytch::new();
//! let client = mock.client();
//! let m = client.clients().create(CreateRequest::new(["read:users"])).await.unwrap().m2m_client;
//! let token = client.token(&m.client_id, &m.client_secret, &["read:users"]).await.unwrap();
//! let verified = client
//!     .authenticate_token(token.access_token.expose_secret(), &AuthenticateOptions::new().required_scopes(["read:users"]))
//!     .await
//!     .unwrap();
//! assert_eq!(verified.client_id(), m.client_id);
//! # }
//! # #[cfg(not(feature = "mock"))] fn main() {}
//! ```

//!
//! # Features
#![doc = document_features::document_features!()]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Each public item has one path. At the root: the client, its builder, errors and policies. In modules, each an
// explicit list in core: `auth` (verifier, provider, options), `clients` (the handles of `Client::clients`),
// `transport` (the trait and its plain data), `models` (the wire types, `Secret`, `ErrorType`).
pub use stytch_m2m_core::{
    ApiError, Client, ClientBuilder, Clock, ConfigError, DecodeError, Environment, Error,
    NO_SCOPES, RawResponse, RetryPolicy, SystemClock, TimeoutPolicy, USER_AGENT, Validate,
    ValidationError,
};
#[doc(inline)]
pub use stytch_m2m_core::{auth, clients, models, transport};

#[cfg(any(feature = "http", feature = "native-tls"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "http", feature = "native-tls"))))]
#[doc(inline)]
pub use stytch_m2m_http::HttpTransport;

#[cfg(any(feature = "http", feature = "native-tls"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "http", feature = "native-tls"))))]
#[doc(inline)]
pub use stytch_m2m_http::HttpTransportBuilder;

/// Tower middleware (feature `tower`): [`RequireM2m`](middleware::RequireM2m) protects routes,
/// [`AttachM2mToken`](middleware::AttachM2mToken) attaches tokens to outgoing requests; with feature `axum`, the
/// [`M2mToken`](middleware::M2mToken) extractor.
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
#[doc(inline)]
pub use stytch_m2m_tower as middleware;

/// The in-memory mock (feature `mock`): a Stytch that behaves like the real one, for your tests.
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
#[doc(inline)]
pub use stytch_m2m_mock as mock;

/// A token verifier of this project over HTTP, for services that only check incoming M2M tokens: it needs **no
/// project secret**, fetches the public JWKS from the environment of the id's prefix, and never makes a request
/// wait on the JWKS while a usable key is cached. The shortcut for
/// `TokenVerifier::builder(project_id).transport(HttpTransport::new()).build()`; use
/// [`TokenVerifier::builder`](auth::TokenVerifier::builder) for B2B projects, custom domains and audiences, a
/// static JWKS, or another JWKS policy.
///
/// ```no_run
/// # async fn handle(bearer: &str) -> Result<(), Box<dyn std::error::Error>> {
/// use stytch_m2m::auth::AuthenticateOptions;
///
/// let verifier = stytch_m2m::verifier("project-live-…")?; // once, at start; clone it into handlers
/// match verifier.authenticate_token(bearer, &AuthenticateOptions::new().required_scopes(["read:invoices"])).await {
///     Ok(token) => println!("called by {}", token.client_id()),
///     Err(refused) => println!("answer {}: {refused}", refused.http_status()), // 401, 403 or 503
/// }
/// # Ok(()) }
/// ```
#[cfg(any(feature = "http", feature = "native-tls"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "http", feature = "native-tls"))))]
pub fn verifier(project_id: impl Into<String>) -> Result<auth::TokenVerifier, Error> {
    auth::TokenVerifier::builder(project_id)
        .transport(HttpTransportBuilder::default().build()?)
        .build()
}

/// The README's examples, compiled as doctests so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

/// The examples of `docs/configuration.md`, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/configuration.md")]
pub struct ConfigurationDoctests;

/// The examples of `docs/verification.md`, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/verification.md")]
pub struct VerificationDoctests;

/// The examples of `docs/cli.md`, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/cli.md")]
pub struct CliDoctests;

/// The examples of `docs/emulator.md`, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/emulator.md")]
pub struct EmulatorDoctests;

/// The examples of `docs/behaviour.md` and `docs/comparison.md`, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/behaviour.md")]
#[doc = include_str!("../../../docs/comparison.md")]
pub struct BehaviourDoctests;

/// The examples of `ARCHITECTURE.md` and `CONTRIBUTING.md`, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../ARCHITECTURE.md")]
#[doc = include_str!("../../../CONTRIBUTING.md")]
pub struct ContributorDoctests;

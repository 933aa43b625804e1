//! The contract suite: one set of scenarios, written against [`Transport`] (not against the mock), that every
//! transport must pass with the same results.
//!
//! A [`Target`] is a transport plus the project it reaches. [`contract_suite!`] turns every scenario into a
//! `#[tokio::test]` for one target; each test gets a fresh target from the expression given.

pub mod scenarios;
pub mod signed;

use std::sync::Arc;

use serde_json::Value;
use stytch_m2m_core::auth::JwksPolicy;
use stytch_m2m_core::models::Secret;
use stytch_m2m_core::transport::{Headers, HttpRequest, HttpResponse, Method, Transport};
use stytch_m2m_core::{Client, RetryPolicy};
use stytch_m2m_mock::MockStytch;

/// A transport and the project it reaches.
#[derive(Clone)]
pub struct Target {
    /// The transport under test.
    pub transport: Arc<dyn Transport>,
    /// The project id.
    pub project_id: String,
    /// The project secret.
    pub secret: Secret,
    /// The base URL requests go to.
    pub base_url: String,
    /// The mock project behind the transport, for the controls a scenario needs (its clock, key rotation).
    pub controls: MockStytch,
    /// Whatever must live as long as the target (the in-process server, stopped when dropped).
    pub keep_alive: Option<Arc<dyn std::any::Any + Send + Sync>>,
}

impl Target {
    /// A client of the project over the transport (no retries: the suite checks answers, not resilience).
    pub fn client(&self) -> Client {
        self.client_with_secret(self.secret.clone())
    }

    /// A client that uses another project secret.
    pub fn client_with_secret(&self, secret: Secret) -> Client {
        self.builder(secret).build().expect("valid client")
    }

    /// A client with this JWKS policy.
    pub fn client_with_jwks(&self, policy: JwksPolicy) -> Client {
        self.builder(self.secret.clone())
            .jwks_policy(policy)
            .build()
            .expect("valid client")
    }

    /// A token verifier of the project over the transport: no project secret, as a resource server holds it.
    pub fn verifier(&self) -> stytch_m2m_core::auth::TokenVerifier {
        stytch_m2m_core::auth::TokenVerifier::builder(self.project_id.clone())
            .shared_transport(self.transport.clone())
            .base_url(self.base_url.clone())
            .clock(self.controls.clock().clone())
            .build()
            .expect("valid verifier")
    }

    fn builder(&self, secret: Secret) -> stytch_m2m_core::ClientBuilder {
        Client::builder(self.project_id.clone(), secret, self.transport.clone())
            .base_url(self.base_url.clone())
            .retry(RetryPolicy::disabled())
            .clock(self.controls.clock().clone())
    }

    /// Sends a raw request (as another language's SDK would), with the project's Basic auth when `auth`.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        auth: bool,
    ) -> (u16, Value) {
        let mut headers = Headers::new();
        if auth {
            use base64::Engine as _;
            let credentials = format!("{}:{}", self.project_id, self.secret.expose_secret());
            headers.insert(
                "authorization",
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(credentials)
                ),
            );
        }
        if body.is_some() {
            headers.insert("content-type", "application/json");
        }
        self.send(
            HttpRequest::new(method, format!("{}{path}", self.base_url))
                .with_headers(headers)
                .with_body(body.unwrap_or_default().as_bytes().to_vec()),
        )
        .await
    }

    /// Sends a request as is and reads its JSON body (`Null` when it is not JSON).
    pub async fn send(&self, request: HttpRequest) -> (u16, Value) {
        let HttpResponse { status, body, .. } = self
            .transport
            .send(request)
            .await
            .expect("the transport answers");
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }
}

/// The Unix time the cache, provider and security tests freeze the mock's clock at.
pub const NOW: u64 = 1_800_000_000;

/// A mock project frozen at [`NOW`] with one client `svc` (scope `read:users`): the mock, its id and secret.
pub fn frozen_project() -> (MockStytch, String, Secret) {
    let mock = MockStytch::builder()
        .clock(stytch_m2m_mock::MockClock::frozen_at_unix(NOW))
        .build();
    let m = mock
        .seed_client(stytch_m2m_core::models::CreateRequest::new(["read:users"]).client_id("svc"))
        .expect("a valid client");
    (mock, m.client_id, m.client_secret)
}

/// How many JWKS requests the mock has received.
pub fn jwks_fetches(mock: &MockStytch) -> usize {
    mock.requests()
        .iter()
        .filter(|r| r.url.contains("/sessions/jwks/"))
        .count()
}

/// How many token exchanges the mock has received.
pub fn token_exchanges(mock: &MockStytch) -> usize {
    mock.requests()
        .iter()
        .filter(|r| r.url.contains("/oauth2/token"))
        .count()
}

/// A mock project frozen at [`NOW`], with no client.
pub fn frozen_mock() -> MockStytch {
    MockStytch::builder()
        .clock(stytch_m2m_mock::MockClock::frozen_at_unix(NOW))
        .build()
}

/// The claims of a token of the mock's project for `sub` (scope `read:users`, issued at [`NOW`], one hour).
pub fn claims_for(mock: &MockStytch, sub: &str) -> Value {
    serde_json::json!({"sub": sub, "iss": format!("stytch.com/{}", mock.project_id()), "aud": [mock.project_id()],
           "scope": "read:users", "iat": NOW, "nbf": NOW, "exp": NOW + 3600})
}

/// A token of the mock's project for `sub`, signed with its current key.
pub fn signed_token(mock: &MockStytch, sub: &str) -> String {
    let header =
        serde_json::json!({"alg": "RS256", "kid": mock.engine().current_kid(), "typ": "JWT"});
    mock.sign_jwt(&header, &claims_for(mock, sub))
}

/// Lets spawned tasks (a background JWKS refresh or token exchange) run until they wait on time, on a paused
/// tokio clock.
pub async fn settle() {
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
}

/// A client of the mock without retries (so that one failure is one failure).
pub fn client_without_retries(mock: &MockStytch) -> Client {
    Client::builder(
        mock.project_id(),
        mock.project_secret().clone(),
        mock.clone(),
    )
    .retry(RetryPolicy::disabled())
    .build()
    .expect("valid client")
}

/// The key grace period targets are built with, so that a retired key leaves the JWKS before its tokens expire.
pub const KEY_GRACE: std::time::Duration = std::time::Duration::from_secs(600);

/// Expands to one `#[tokio::test]` per scenario, each on a fresh target from `$make` (an async expression
/// giving a [`Target`]).
///
/// The tests are in two modules, so that a reader of a run knows what green proves:
/// - `anchored::…`: the wire as the reference documents it (Stytch's API documentation and OpenAPI, and what the
///   official SDKs send and expect, `../shared/reference/`);
/// - `choices::…`: our documented choices where the reference is silent (README "Choices": cursor format and
///   order, the emulator's guesses at bounds and entropy, strict bodies and paths).
#[macro_export]
macro_rules! contract_suite {
    ($make:expr) => {
        /// Scenarios anchored in the reference.
        mod anchored {
            use super::*;
            $crate::contract_suite!(@tests $make;
                create_and_get, import_and_duplicates, update_merges_and_replaces, token_exchange,
                rotation_lifecycle, deactivate_refuses_tokens, delete_then_not_found, error_shapes,
                official_sdk_variants_are_accepted, authenticate_tokens, token_expiry_follows_the_clock,
                signing_key_rotation);
        }
        /// Scenarios of our documented choices.
        mod choices {
            use super::*;
            $crate::contract_suite!(@tests $make;
                search_and_paging, server_rules_refuse_bad_input, bodies_and_paths_are_strict);
        }
    };
    (@tests $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let target: $crate::Target = $make.await;
                $crate::scenarios::$name(&target).await;
            }
        )*
    };
}

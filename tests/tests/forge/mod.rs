//! Helpers of the security tests: a frozen project with a victim client, and ways to forge tokens with its key.

#![allow(dead_code)]

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use stytch_m2m_core::Client;
use stytch_m2m_core::auth::{AuthError, AuthenticateOptions};
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_mock::{MockClock, MockStytch};

pub const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
pub const NOW: u64 = 1_800_000_000;

pub struct Setup {
    pub mock: MockStytch,
    pub client: Client,
    pub good: String,
}

pub async fn setup() -> Setup {
    let mock = MockStytch::builder()
        .clock(MockClock::frozen_at_unix(NOW))
        .key_grace(Duration::from_secs(60))
        .build();
    let client = mock.client();
    let m = mock
        .seed_client(CreateRequest::new(["read:users"]).client_id("victim"))
        .unwrap();
    let good = client
        .token("victim", &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token
        .expose_secret()
        .to_owned();
    Setup { mock, client, good }
}

pub fn claims(s: &Setup) -> Value {
    json!({"sub": "victim", "iss": format!("stytch.com/{}", s.mock.project_id()), "aud": [s.mock.project_id()],
           "scope": "read:users", "iat": NOW, "nbf": NOW, "exp": NOW + 3600})
}

pub fn header(s: &Setup) -> Value {
    json!({"alg": "RS256", "kid": s.mock.engine().current_kid(), "typ": "JWT"})
}

pub fn with(mut value: Value, key: &str, new: Value) -> Value {
    if new.is_null() {
        value.as_object_mut().unwrap().remove(key);
    } else {
        value[key] = new;
    }
    value
}

pub fn encode(part: &Value) -> String {
    B64.encode(serde_json::to_vec(part).unwrap())
}

/// Refused with no clock tolerance, so that the time cases are exact.
pub async fn refusal(s: &Setup, token: &str) -> AuthError {
    match s
        .client
        .authenticate_token(
            token,
            &AuthenticateOptions::new().clock_tolerance(Duration::ZERO),
        )
        .await
    {
        Err(e) => e,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

pub fn raw_header(s: &Setup) -> String {
    format!(
        r#"{{"alg":"RS256","kid":"{}","typ":"JWT"}}"#,
        s.mock.engine().current_kid()
    )
}

//! One tracing event per refusal, with the cause and the caller when known, and never the token. Alone in its
//! test binary: tracing caches per call site whether a subscriber listens, and other tests' threads would race it.

use axum::Router;
use axum::routing::{get, post};
use reqwest::StatusCode;
use stytch_m2m_core::auth::AuthenticateOptions;
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_mock::MockStytch;
use stytch_m2m_tower::RequireM2m;

mod support;
use support::Captured;

#[tokio::test]
async fn one_event_per_refusal_with_the_cause_and_never_the_token() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let mock = MockStytch::new();
    let layer = RequireM2m::new(mock.verifier());
    let router = Router::new().route(
        "/invoices",
        get(|| async { "invoices" })
            .route_layer(
                layer
                    .clone()
                    .options(AuthenticateOptions::new().required_scopes(["read:invoices"])),
            )
            .merge(post(|| async { "created" }).route_layer(
                layer.options(AuthenticateOptions::new().required_scopes(["write:invoices"])),
            )),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/invoices", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let m = mock
        .seed_client(CreateRequest::new(["read:invoices"]).client_id("reader"))
        .unwrap();
    let reader = mock
        .client()
        .token("reader", &m.client_secret, &["read:invoices"])
        .await
        .unwrap()
        .access_token
        .expose_secret()
        .to_owned();
    let tampered = format!("{reader}x");
    let http = reqwest::Client::new();
    let forbidden = http.post(&url).bearer_auth(&reader).send().await.unwrap();
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let unauthorized = http.get(&url).bearer_auth(&tampered).send().await.unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    let logs = logs.text();
    let refusals: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("refused a request"))
        .collect();
    assert_eq!(refusals.len(), 2, "{logs}");
    assert!(refusals[0].contains("status=403") && refusals[0].contains("client_id=\"reader\""));
    assert!(refusals[1].contains("status=401"));
    let signature = reader.rsplit('.').next().unwrap();
    assert!(!logs.contains(signature), "the token was logged");
}

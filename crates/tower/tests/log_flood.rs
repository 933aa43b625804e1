//! A flood of forged tokens leaves a bounded log: every refusal at debug, one warn line per reason per minute.
//! Alone in its test binary (tracing caches per call site whether a subscriber listens).

use stytch_m2m_core::auth::AuthenticateOptions;
use stytch_m2m_mock::MockStytch;
use stytch_m2m_tower::RequireM2m;
use tower::ServiceExt as _;

mod support;
use support::Captured;

#[tokio::test]
async fn a_flood_of_forged_tokens_warns_once_per_reason() {
    let lines = Captured::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let mock = MockStytch::new();
    let layer = RequireM2m::new(mock.verifier())
        .options(AuthenticateOptions::new().required_scopes(["read:invoices"]));
    let service = tower::service_fn(|_: http::Request<String>| async {
        Ok::<_, std::convert::Infallible>(http::Response::new(bytes::Bytes::new()))
    });
    let protected = tower::Layer::layer(&layer, service);
    for i in 0..1000 {
        // Forged: three base64url parts that are no JWT of this project.
        let forged = format!("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ{i}In0.c2lnbmF0dXJl{i}");
        let request = http::Request::builder()
            .header("authorization", forged)
            .body(String::new())
            .unwrap();
        let response = protected.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 401);
    }
    let text = lines.text();
    let debug = text
        .lines()
        .filter(|l| l.contains("DEBUG") && l.contains("refused a request"))
        .count();
    let warn: Vec<&str> = text.lines().filter(|l| l.contains("WARN")).collect();
    assert_eq!(debug, 1000, "every refusal at debug");
    assert_eq!(warn.len(), 1, "one warn line for the one reason: {warn:#?}");
    assert!(
        warn[0].contains("reason=\"malformed\"") || warn[0].contains("reason=malformed"),
        "{}",
        warn[0]
    );
}

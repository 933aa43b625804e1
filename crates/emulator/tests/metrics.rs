//! `GET /_emulator/metrics`: what a CI job's tests did, in Prometheus text — requests by route and status class,
//! tokens minted, faults fired; behind the project's credentials like every control but health.

use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_core::transport::{Headers, HttpRequest, Method, Transport as _};
use stytch_m2m_emulator::TestEmulator;
use stytch_m2m_http::HttpTransport;
use stytch_m2m_mock::{Fault, MockStytch, Route};

mod support;

async fn metrics_text(base: &str, auth: Option<&MockStytch>) -> (u16, String) {
    let headers = auth.map_or_else(Headers::new, support::project_auth);
    let response = HttpTransport::new()
        .send(
            HttpRequest::new(Method::Get, format!("{base}/_emulator/metrics"))
                .with_headers(headers),
        )
        .await
        .unwrap();
    (
        response.status,
        String::from_utf8(response.body.to_vec()).unwrap(),
    )
}

fn value(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|l| {
            l.strip_prefix(series)
                .and_then(|rest| rest.trim().parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn the_counters_say_what_the_tests_did() {
    let mock = MockStytch::new();
    let emulator = TestEmulator::serve(mock.clone()).await.unwrap();
    let base = emulator.base_url().to_owned();
    let client = emulator.client(HttpTransport::new());
    let m = client
        .clients()
        .create(CreateRequest::new(["read:users"]))
        .await
        .unwrap()
        .m2m_client;
    for _ in 0..3 {
        client.clients().get(&m.client_id).await.unwrap();
    }
    client.clients().get("nobody").await.unwrap_err();
    mock.fail_next(Route::Token, 1, Fault::status(503));
    client
        .token(&m.client_id, &m.client_secret, ["read:users"])
        .await
        .unwrap();
    let (status, text) = metrics_text(&base, Some(&mock)).await;
    assert_eq!(status, 200, "{text}");
    for (series, n) in [
        (
            "stytch_m2m_emulator_requests_total{route=\"create\",status_class=\"2xx\"}",
            1,
        ),
        (
            "stytch_m2m_emulator_requests_total{route=\"get\",status_class=\"2xx\"}",
            3,
        ),
        (
            "stytch_m2m_emulator_requests_total{route=\"get\",status_class=\"4xx\"}",
            1,
        ),
        (
            "stytch_m2m_emulator_requests_total{route=\"token\",status_class=\"5xx\"}",
            1,
        ),
        (
            "stytch_m2m_emulator_requests_total{route=\"token\",status_class=\"2xx\"}",
            1,
        ),
        ("stytch_m2m_emulator_tokens_minted_total", 1),
        ("stytch_m2m_emulator_faults_fired_total", 1),
    ] {
        assert_eq!(value(&text, series), n, "{series}:\n{text}");
    }
    assert!(text.contains("# TYPE stytch_m2m_emulator_requests_total counter"));
    // Behind the project's credentials.
    assert_eq!(metrics_text(&base, None).await.0, 401);
}

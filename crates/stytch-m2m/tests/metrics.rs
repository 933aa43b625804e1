//! The metrics the SDK records (feature `metrics`), read from a `metrics` debugging recorder installed for this
//! thread only: token checks by outcome and their duration, JWKS fetches, keys and freshness, token exchanges and
//! the provider's cache, the client's calls and retries, the middleware's refusals; and label sets that stay
//! bounded whatever the callers.

use std::collections::BTreeMap;
use std::time::Duration;

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use stytch_m2m::auth::AuthenticateOptions;
use stytch_m2m::middleware::RequireM2m;
use stytch_m2m::mock::{Fault, MockStytch, Route};
use stytch_m2m::models::CreateRequest;
use tower::ServiceExt as _;

/// Every series recorded: `name{label=value,…}` → its value (counters and gauges as numbers, histograms as their
/// number of samples).
fn series(snapshotter: &Snapshotter) -> BTreeMap<String, f64> {
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| {
            let key = key.key();
            let mut labels: Vec<String> = key
                .labels()
                .map(|l| format!("{}={}", l.key(), l.value()))
                .collect();
            labels.sort();
            let value = match value {
                DebugValue::Counter(n) => n as f64,
                DebugValue::Gauge(g) => g.into_inner(),
                DebugValue::Histogram(samples) => samples.len() as f64,
            };
            (format!("{}{{{}}}", key.name(), labels.join(",")), value)
        })
        .collect()
}

/// Runs `work` on a current-thread runtime with a recorder installed for this thread only.
fn recorded<F: std::future::Future<Output = ()>>(
    work: impl FnOnce() -> F,
) -> BTreeMap<String, f64> {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap()
            .block_on(work())
    });
    series(&snapshotter)
}

#[test]
fn token_checks_by_outcome_and_the_jwks() {
    let got = recorded(|| async {
        let mock = MockStytch::new();
        let m = mock
            .seed_client(CreateRequest::new(["read:users"]))
            .unwrap();
        let token = mock
            .client()
            .token(&m.client_id, &m.client_secret, ["read:users"])
            .await
            .unwrap()
            .access_token;
        let verifier = mock.verifier();
        let bearer = token.expose_secret();
        let needs = |scope: &str| AuthenticateOptions::new().required_scopes([scope]);
        verifier
            .authenticate_token(bearer, &needs("read:users"))
            .await
            .unwrap();
        verifier
            .authenticate_token(bearer, &needs("write:users"))
            .await
            .unwrap_err();
        verifier
            .authenticate_token("not.a.jwt", &needs("read:users"))
            .await
            .unwrap_err();
        mock.clock().advance(Duration::from_secs(3700));
        verifier
            .authenticate_token(bearer, &needs("read:users"))
            .await
            .unwrap_err();
        // A verifier with no key yet, while the JWKS answers 503.
        mock.fail_next(Route::Jwks, 100, Fault::status(503));
        mock.verifier()
            .authenticate_token(bearer, &needs("read:users"))
            .await
            .unwrap_err();
    });
    for (series, count) in [
        ("stytch_m2m_token_checks_total{outcome=valid}", 1.0),
        ("stytch_m2m_token_checks_total{outcome=missing_scopes}", 1.0),
        ("stytch_m2m_token_checks_total{outcome=malformed}", 1.0),
        ("stytch_m2m_token_checks_total{outcome=expired}", 1.0),
        (
            "stytch_m2m_token_checks_total{outcome=keys_unavailable}",
            1.0,
        ),
        // Timed: the verifications, not the expired token's check, answered from the verified-token cache.
        ("stytch_m2m_token_check_duration_seconds{}", 4.0),
        ("stytch_m2m_jwks_fetches_total{outcome=ok}", 1.0),
        ("stytch_m2m_jwks_fetches_total{outcome=error}", 1.0),
        ("stytch_m2m_jwks_keys{}", 1.0),
    ] {
        assert_eq!(got.get(series), Some(&count), "{series}: {got:#?}");
    }
    assert!(
        got["stytch_m2m_jwks_last_success_timestamp_seconds{}"] > 1.7e9,
        "{got:#?}"
    );
}

#[test]
fn the_provider_and_the_client() {
    let got = recorded(|| async {
        let mock = MockStytch::new();
        let m = mock
            .seed_client(CreateRequest::new(["read:users"]))
            .unwrap();
        let provider = mock.token_provider(m.client_id.clone(), m.client_secret);
        let first = provider.token(["read:users"]).await.unwrap();
        provider.token(["read:users"]).await.unwrap();
        assert!(provider.invalidate(["read:users"], &first));
        let second = provider.token(["read:users"]).await.unwrap();
        assert!(
            !provider.invalidate(["read:users"], &second),
            "within the bound"
        );
        // The client: a get that is retried once after a 503, and one refused (404).
        let client = mock.client();
        mock.fail_next(Route::Get, 1, Fault::status(503));
        client.clients().get(&m.client_id).await.unwrap();
        client.clients().get("nobody").await.unwrap_err();
    });
    for (series, count) in [
        ("stytch_m2m_token_exchanges_total{outcome=ok}", 2.0),
        ("stytch_m2m_token_provider_cache_hits_total{}", 1.0),
        (
            "stytch_m2m_token_provider_refreshes_total{kind=forced}",
            1.0,
        ),
        (
            "stytch_m2m_token_provider_forced_refreshes_refused_total{}",
            1.0,
        ),
        (
            "stytch_m2m_client_requests_total{operation=m2m.token,status_class=2xx}",
            2.0,
        ),
        (
            "stytch_m2m_client_requests_total{operation=m2m.clients.get,status_class=2xx}",
            1.0,
        ),
        (
            "stytch_m2m_client_requests_total{operation=m2m.clients.get,status_class=4xx}",
            1.0,
        ),
        (
            "stytch_m2m_client_retries_total{operation=m2m.clients.get}",
            1.0,
        ),
        (
            "stytch_m2m_client_request_duration_seconds{operation=m2m.clients.get}",
            2.0,
        ),
    ] {
        assert_eq!(got.get(series), Some(&count), "{series}: {got:#?}");
    }
}

#[test]
fn the_middleware_counts_refusals_by_status_and_protocol() {
    let got = recorded(|| async {
        let mock = MockStytch::new();
        let m = mock
            .seed_client(CreateRequest::new(["read:other"]))
            .unwrap();
        let token = mock
            .token_provider(m.client_id, m.client_secret)
            .token(["read:other"])
            .await
            .unwrap();
        let service = tower::service_fn(|_: http::Request<String>| async {
            Ok::<_, std::convert::Infallible>(http::Response::new(bytes::Bytes::new()))
        });
        let layer = RequireM2m::new(mock.verifier())
            .options(AuthenticateOptions::new().required_scopes(["read:invoices"]));
        let protected = tower::Layer::layer(&layer, service);
        let call = |authorization: Option<String>, grpc: bool| {
            let mut request = http::Request::builder().uri("/invoices");
            if let Some(value) = authorization {
                request = request.header("authorization", value);
            }
            if grpc {
                request = request.header("content-type", "application/grpc");
            }
            protected
                .clone()
                .oneshot(request.body(String::new()).unwrap())
        };
        call(None, false).await.unwrap();
        call(Some(format!("Bearer {}", token.expose_secret())), false)
            .await
            .unwrap();
        call(None, true).await.unwrap();
    });
    for (series, count) in [
        (
            "stytch_m2m_middleware_refusals_total{protocol=http,status=401}",
            1.0,
        ),
        (
            "stytch_m2m_middleware_refusals_total{protocol=http,status=403}",
            1.0,
        ),
        (
            "stytch_m2m_middleware_refusals_total{protocol=grpc,status=401}",
            1.0,
        ),
    ] {
        assert_eq!(got.get(series), Some(&count), "{series}: {got:#?}");
    }
}

#[test]
fn a_thousand_callers_make_no_new_series() {
    let run = |callers: usize| {
        recorded(move || async move {
            let mock = MockStytch::new();
            let verifier = mock.verifier();
            for i in 0..callers {
                let m = mock
                    .seed_client(
                        CreateRequest::new(["read:users"]).client_id(format!("caller-{i}")),
                    )
                    .unwrap();
                let token = mock
                    .token_provider(m.client_id, m.client_secret)
                    .token(["read:users"])
                    .await
                    .unwrap();
                let options = AuthenticateOptions::new().required_scopes([if i % 2 == 0 {
                    "read:users"
                } else {
                    "write:users"
                }]);
                let _ = verifier
                    .authenticate_token(token.expose_secret(), &options)
                    .await;
            }
        })
    };
    let (two, thousand) = (run(2), run(1000));
    let names = |series: &BTreeMap<String, f64>| series.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&two),
        names(&thousand),
        "the label sets do not grow with callers"
    );
    assert!(!names(&thousand).iter().any(|s| s.contains("caller-")));
}

/// A verifier keeps the handles it registers at its first check (no registry lookup per check): one built before
/// the recorder is installed still records into it, every check of every outcome counted, each series appearing
/// with its first value.
#[test]
fn a_verifier_registers_its_handles_at_first_use_and_keeps_them() {
    let mock = MockStytch::new();
    let verifier = mock.verifier();
    let m = mock
        .seed_client(CreateRequest::new(["read:users"]))
        .unwrap();
    let got = recorded(move || async move {
        let token = mock
            .token_provider(m.client_id, m.client_secret)
            .token(["read:users"])
            .await
            .unwrap();
        let read = AuthenticateOptions::new().required_scopes(["read:users"]);
        for _ in 0..5 {
            verifier
                .authenticate_token(token.expose_secret(), &read)
                .await
                .unwrap();
        }
        let write = AuthenticateOptions::new().required_scopes(["write:users"]);
        verifier
            .authenticate_token(token.expose_secret(), &write)
            .await
            .unwrap_err();
    });
    let checks: BTreeMap<&str, f64> = got
        .iter()
        .filter(|(name, _)| name.starts_with("stytch_m2m_token_checks_total"))
        .map(|(name, n)| (name.as_str(), *n))
        .collect();
    assert_eq!(
        checks,
        BTreeMap::from([
            ("stytch_m2m_token_checks_total{outcome=missing_scopes}", 1.0),
            ("stytch_m2m_token_checks_total{outcome=valid}", 5.0),
        ])
    );
    // Verified twice (first seen, then admitted to the verified-token cache); the four others were cache hits.
    assert_eq!(got["stytch_m2m_token_check_duration_seconds{}"], 2.0);
}

/// Warming a verifier up registers every outcome's series at zero (and the duration's), and fetches the keys: a
/// dashboard sees every series before the first request.
#[test]
fn warming_up_registers_every_series_at_zero() {
    let got = recorded(|| async {
        MockStytch::new().verifier().warm_up().await.unwrap();
    });
    for outcome in [
        "valid",
        "malformed",
        "signature",
        "expired",
        "not_yet_valid",
        "issuer",
        "audience",
        "unknown_key",
        "too_old",
        "missing_scopes",
        "keys_unavailable",
    ] {
        assert_eq!(
            got.get(&format!(
                "stytch_m2m_token_checks_total{{outcome={outcome}}}"
            )),
            Some(&0.0),
            "{outcome}: {got:?}"
        );
    }
    assert_eq!(got["stytch_m2m_token_check_duration_seconds{}"], 0.0);
    assert_eq!(got["stytch_m2m_jwks_fetches_total{outcome=ok}"], 1.0);
    assert!(got["stytch_m2m_jwks_keys{}"] >= 1.0);
}

//! Retries and timeouts with a scripted transport and tokio's paused clock (no real sleeps).

mod support;

use std::time::Duration;

use stytch_m2m_core::models::{CreateRequest, SearchRequest, UpdateRequest};
use stytch_m2m_core::transport::TransportErrorKind;
use stytch_m2m_core::{Error, RetryPolicy, TimeoutPolicy};
use support::*;

fn ok_get() -> Reply {
    Scripted::json(200, &fixture("GetResponse.get.json"))
}

const UNAVAILABLE: &str = r#"{"status_code":503,"request_id":"r","error_type":"internal_server_error","error_message":"down","error_url":"u"}"#;

#[tokio::test(start_paused = true)]
async fn two_503s_then_200_succeeds_on_the_third_attempt() {
    let t = Scripted::new([
        Scripted::json(503, UNAVAILABLE),
        Scripted::json(503, UNAVAILABLE),
        ok_get(),
    ]);
    let res = t.client().clients().get("m2m-client-test-1").await;
    assert!(res.is_ok(), "{res:?}");
    assert_eq!(t.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn attempts_are_bounded() {
    let t = Scripted::new((0..3).map(|_| Scripted::json(503, UNAVAILABLE)));
    let err = t
        .client()
        .clients()
        .get("m2m-client-test-1")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(t.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn every_retryable_status_and_transport_failure_is_retried_for_safe_calls() {
    for status in [429, 500, 502, 503, 504] {
        let t = Scripted::new([Scripted::json(status, "{}"), ok_get()]);
        t.client().clients().get("x").await.unwrap();
        assert_eq!(t.calls(), 2, "status {status}");
    }
    for kind in [
        TransportErrorKind::Connect,
        TransportErrorKind::Io,
        TransportErrorKind::Timeout,
    ] {
        let t = Scripted::new([Reply::Fail(kind), ok_get()]);
        t.client()
            .clients()
            .update("x", UpdateRequest::new().client_name("n"))
            .await
            .unwrap();
        assert_eq!(t.calls(), 2, "{kind:?}");
    }
    let t = Scripted::new([
        Scripted::json(503, "{}"),
        Scripted::json(200, &fixture("SearchResponse.search.json")),
    ]);
    t.client()
        .clients()
        .search(SearchRequest::new())
        .await
        .unwrap();
    assert_eq!(t.calls(), 2);
    // 4xx other than 429 is final.
    let t = Scripted::new([Scripted::json(
        404,
        &fixture("ErrorResponse.not_found.json"),
    )]);
    t.client().clients().get("x").await.unwrap_err();
    assert_eq!(t.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn create_and_rotations_are_never_retried_once_sent() {
    let t = Scripted::new([Scripted::json(503, UNAVAILABLE)]);
    let err = t
        .client()
        .clients()
        .create(CreateRequest::new(["read:users"]))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(t.calls(), 1);

    let t = Scripted::new([Reply::Fail(TransportErrorKind::Io)]);
    t.client()
        .clients()
        .create(CreateRequest::new(["read:users"]))
        .await
        .unwrap_err();
    assert_eq!(t.calls(), 1);

    let t = Scripted::new([
        Scripted::json(502, "{}"),
        Scripted::json(502, "{}"),
        Scripted::json(502, "{}"),
    ]);
    let c = t.client();
    c.clients().secrets().rotate_start("x").await.unwrap_err();
    c.clients().secrets().rotate_cancel("x").await.unwrap_err();
    c.clients().secrets().rotate("x").await.unwrap_err();
    assert_eq!(t.calls(), 3);

    // ... but a request that never left (connection refused) is safe to send again.
    let t = Scripted::new([
        Reply::Fail(TransportErrorKind::Connect),
        Scripted::json(200, &fixture("CreateResponse.create.json")),
    ]);
    t.client()
        .clients()
        .create(CreateRequest::new(["read:users"]))
        .await
        .unwrap();
    assert_eq!(t.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let throttled = stytch_m2m_core::transport::HttpResponse::new(
        429,
        br#"{"error_type":"too_many_requests"}"#.to_vec(),
    )
    .with_header("Retry-After", "7");
    let t = Scripted::new([Reply::Respond(throttled), ok_get()]);
    let started = tokio::time::Instant::now();
    t.client().clients().get("x").await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(7) && waited < Duration::from_secs(8),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn backoff_without_retry_after_is_bounded_by_the_policy() {
    let t = Scripted::new([
        Scripted::json(500, "{}"),
        Scripted::json(500, "{}"),
        ok_get(),
    ]);
    let retry =
        RetryPolicy::default().with_backoff(Duration::from_millis(100), Duration::from_millis(150));
    let started = tokio::time::Instant::now();
    t.client_with(retry, TimeoutPolicy::default())
        .clients()
        .get("x")
        .await
        .unwrap();
    let waited = started.elapsed();
    // 100ms*[0.5,1) + min(200,150)ms*[0.5,1)
    assert!(
        waited >= Duration::from_millis(125) && waited < Duration::from_millis(250),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retries_can_be_turned_off() {
    let t = Scripted::new([Scripted::json(503, "{}")]);
    t.client_with(RetryPolicy::disabled(), TimeoutPolicy::default())
        .clients()
        .get("x")
        .await
        .unwrap_err();
    assert_eq!(t.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_attempt_timeout_fires_and_is_retried() {
    let t = Scripted::new([Reply::Hang, ok_get()]);
    let timeouts = TimeoutPolicy::disabled().with_attempt(Some(Duration::from_secs(2)));
    let started = tokio::time::Instant::now();
    t.client_with(RetryPolicy::default(), timeouts)
        .clients()
        .get("x")
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert_eq!(t.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_overall_timeout_fires() {
    let t = Scripted::new([Reply::Hang]);
    let timeouts = TimeoutPolicy::disabled().with_overall(Some(Duration::from_secs(5)));
    let started = tokio::time::Instant::now();
    let err = t
        .client_with(RetryPolicy::default(), timeouts)
        .clients()
        .get("x")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(e) if e.is_timeout()),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(started.elapsed(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn the_overall_timeout_bounds_the_retries_too() {
    let t = Scripted::new((0..10).map(|_| Reply::Hang));
    let retry = RetryPolicy::default().with_max_attempts(10);
    let timeouts = TimeoutPolicy::default()
        .with_attempt(Some(Duration::from_secs(4)))
        .with_overall(Some(Duration::from_secs(9)));
    let started = tokio::time::Instant::now();
    let err = t
        .client_with(retry, timeouts)
        .clients()
        .get("x")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("overall"), "{err}");
    assert_eq!(started.elapsed(), Duration::from_secs(9));
    assert!(t.calls() >= 2 && t.calls() <= 3, "{}", t.calls());
}

#[tokio::test(start_paused = true)]
async fn a_long_retry_after_returns_the_answer_at_once() {
    for seconds in ["3600", "45"] {
        // 3600 s is past the cap (60 s); 45 s is under it but past the 30 s overall limit.
        let throttled = stytch_m2m_core::transport::HttpResponse::new(
            429,
            br#"{"status_code":429,"request_id":"request-id-kept","error_type":"too_many_requests","error_message":"slow down","error_url":"u"}"#.to_vec(),
        )
        .with_header("Retry-After", seconds);
        let t = Scripted::new([Reply::Respond(throttled), ok_get()]);
        let started = tokio::time::Instant::now();
        let e = t.client().clients().get("x").await.unwrap_err();
        assert_eq!(started.elapsed(), Duration::ZERO, "{seconds}: no sleep");
        assert_eq!(t.calls(), 1);
        assert_eq!(e.status(), Some(429));
        assert_eq!(
            e.request_id(),
            Some("request-id-kept"),
            "not lost in a timeout"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn configuration_errors_are_never_retried() {
    let t = Scripted::new([Reply::Fail(TransportErrorKind::Config), ok_get()]);
    let e = t.client().clients().get("x").await.unwrap_err();
    assert_eq!(t.calls(), 1);
    assert!(!e.is_retryable());
    let Error::Transport(transport) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(transport.kind(), TransportErrorKind::Config);
    assert!(e.to_string().contains("configuration error"), "{e}");
}

/// The overall limit also cuts a backoff wait: a wait that would end past it ends the call at the deadline, with the
/// overall-timeout error, and no further attempt is sent.
#[tokio::test(start_paused = true)]
async fn the_overall_timeout_cuts_a_backoff_wait() {
    let t = Scripted::new([Scripted::json(500, "{}"), ok_get()]);
    let retry =
        RetryPolicy::default().with_backoff(Duration::from_secs(20), Duration::from_secs(20));
    let timeouts = TimeoutPolicy::default().with_overall(Some(Duration::from_secs(3)));
    let started = tokio::time::Instant::now();
    let err = t
        .client_with(retry, timeouts)
        .clients()
        .get("x")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("overall"), "{err}");
    assert_eq!(started.elapsed(), Duration::from_secs(3));
    assert_eq!(t.calls(), 1);
}

/// Limits set through the public fields to the largest durations never panic: a timer too far away is no timer.
#[tokio::test(start_paused = true)]
async fn limits_at_duration_max_never_panic() {
    let mut retry = RetryPolicy::default();
    retry.initial_backoff = Duration::MAX;
    retry.max_backoff = Duration::MAX;
    retry.max_retry_after = Duration::MAX;
    let mut timeouts = TimeoutPolicy::default();
    timeouts.attempt = Some(Duration::MAX);
    timeouts.overall = Some(Duration::MAX);
    let t = Scripted::new([Scripted::json(503, UNAVAILABLE), ok_get()]);
    let call = t.client_with(retry, timeouts);
    let call = tokio::spawn(async move { call.clients().get("x").await });
    tokio::time::advance(Duration::from_secs(200 * 365 * 86_400)).await;
    call.await.expect("no panic").unwrap();
    assert_eq!(t.calls(), 2);
}

//! Receiving: each request is copied into the buffers of one the same thread answered before, so nothing of one
//! request may reach another. The server binds 127.0.0.1 port 0 and stops with its test.

use serde_json::Value;
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_core::transport::Method;
use stytch_m2m_emulator::Emulator;
use stytch_m2m_mock::MockStytch;

mod support;
use support::*;

/// An emulator serving a mock that holds one client: the mock, the client's id, the base URL, and what stops it.
async fn serving_one_client() -> (
    MockStytch,
    String,
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let mock = MockStytch::new();
    let (base, stop, task) = start(Emulator::new(mock.clone())).await;
    let id = mock
        .seed_client(CreateRequest::new(["read:a"]))
        .unwrap()
        .client_id;
    (mock, id, base, stop, task)
}

/// Each request is received into the buffers of one answered before (on the same thread): nothing of the earlier
/// one (a longer URL, more headers) shows in what the later one is routed and journaled as.
#[tokio::test]
async fn a_request_keeps_nothing_of_the_one_before() {
    let (mock, id, base, stop, task) = serving_one_client().await;
    let transport = stytch_m2m_http::HttpTransport::new();
    let mut first = project_auth(&mock);
    first.insert("x-first-only", "1");
    first.insert("x-also-first", "a-long-value-".repeat(20));
    let send = |url: String, headers: stytch_m2m_core::transport::Headers| {
        let transport = transport.clone();
        async move {
            use stytch_m2m_core::transport::{HttpRequest, Transport as _};
            transport
                .send(HttpRequest::new(Method::Get, url).with_headers(headers))
                .await
                .unwrap()
        }
    };
    let long = send(
        format!("{base}/v1/m2m/clients/{id}?a-query-that-is-long=enough-to-outlast-the-next"),
        first,
    )
    .await;
    assert_eq!(long.status, 200);
    let short = send(format!("{base}/v1/m2m/clients/{id}"), project_auth(&mock)).await;
    assert_eq!(short.status, 200);
    let body: Value = serde_json::from_slice(&short.body).unwrap();
    assert_eq!(body["m2m_client"]["client_id"], id.as_str());
    // An unknown method and an unauthenticated request between them change nothing either.
    let (status, _) = raw(
        &base,
        Method::Get,
        &format!("/v1/m2m/clients/{id}"),
        Vec::new(),
        None,
    )
    .await;
    assert_eq!(status, 401);
    let short = send(format!("{base}/v1/m2m/clients/{id}"), project_auth(&mock)).await;
    assert_eq!(short.status, 200);
    let journal = mock.requests();
    let last = journal.last().unwrap();
    assert_eq!(last.url, format!("/v1/m2m/clients/{id}"));
    assert!(last.headers.get("x-first-only").is_none(), "{last:?}");
    assert!(last.headers.get("x-also-first").is_none(), "{last:?}");
    assert_eq!(last.headers.get("authorization"), Some("Basic [REDACTED]"));
    // The refused request is counted, not journaled: the long one is third from last.
    let first = &journal[journal.len() - 3];
    assert!(first.url.contains("a-query-that-is-long"), "{first:?}");
    assert_eq!(first.headers.get("x-first-only"), Some("1"));
    let _ = stop.send(());
    task.await.unwrap().unwrap();
}

/// An authenticated `get` is answered from hyper's parse of it, nothing copied; any other spelling of the same
/// credentials takes the general path. Both are answered and journaled alike: the same headers in the same
/// order, a value that is not text left out, the credentials redacted.
#[tokio::test]
async fn a_get_read_in_place_is_answered_and_journaled_as_a_copied_one() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let (mock, id, base, stop, task) = serving_one_client().await;
    let encoded = project_auth(&mock)
        .get("authorization")
        .and_then(|value| value.strip_prefix("Basic "))
        .unwrap()
        .to_owned();
    let address = base.trim_start_matches("http://").to_owned();
    let get = |scheme: &'static str| {
        let (address, encoded, id) = (address.clone(), encoded.clone(), id.clone());
        async move {
            let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
            let mut request = format!(
                "GET /v1/m2m/clients/{id} HTTP/1.1\r\nhost: emulator\r\nauthorization: {scheme} {encoded}\r\n"
            )
            .into_bytes();
            request.extend_from_slice(
                b"x-latin1: caf\xe9\r\nx-trace: t1\r\nauthorization: Bearer second-credential\r\nconnection: close\r\n\r\n",
            );
            stream.write_all(&request).await.unwrap();
            let mut response = Vec::new();
            stream.read_to_end(&mut response).await.unwrap();
            String::from_utf8(response).unwrap()
        }
    };
    let in_place = get("Basic").await;
    let copied = get("basic").await;
    for response in [&in_place, &copied] {
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(
            response.contains(&format!(r#""client_id":"{id}""#)),
            "{response}"
        );
        assert!(!response.contains(&encoded), "{response}");
        assert!(!response.contains("second-credential"), "{response}");
    }
    let journal = mock.requests();
    assert_eq!(journal.len(), 2, "{journal:?}");
    let headers = |scheme: &str| {
        vec![
            ("host".to_owned(), "emulator".to_owned()),
            ("authorization".to_owned(), format!("{scheme} [REDACTED]")),
            // A second `authorization` is kept, redacted, after the first (as hyper groups a name's values).
            ("authorization".to_owned(), "Bearer [REDACTED]".to_owned()),
            ("x-trace".to_owned(), "t1".to_owned()),
            ("connection".to_owned(), "close".to_owned()),
        ]
    };
    for (entry, scheme) in journal.iter().zip(["Basic", "basic"]) {
        assert_eq!(entry.method, Method::Get);
        assert_eq!(entry.url, format!("/v1/m2m/clients/{id}"));
        let kept: Vec<(String, String)> = entry
            .headers
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(kept, headers(scheme));
        assert!(entry.body.is_empty());
    }
    let _ = stop.send(());
    task.await.unwrap().unwrap();
}

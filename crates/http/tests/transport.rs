//! The HTTP transport against misbehaving servers on 127.0.0.1 (port 0): one that never answers, one that closes
//! mid-response, none at all; and the plain mapping of a good exchange. Every server stops with its test.

use std::time::{Duration, Instant};

use stytch_m2m_core::transport::TransportErrorKind;
use stytch_m2m_core::transport::{Headers, HttpRequest, Method, Transport};
use stytch_m2m_core::{Client, Error, RetryPolicy, TimeoutPolicy};
use stytch_m2m_http::HttpTransport;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server that answers each connection with `reply` after reading the request head (or never, for `None`).
async fn server(reply: Option<&'static [u8]>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                match reply {
                    Some(bytes) => {
                        let _ = stream.write_all(bytes).await;
                        let _ = stream.shutdown().await;
                    }
                    None => {
                        // Never answer; hold the connection until the test ends.
                        std::future::pending::<()>().await;
                    }
                }
            });
        }
    });
    format!("http://{address}")
}

fn get(url: String) -> HttpRequest {
    let mut headers = Headers::new();
    headers.insert("accept", "application/json");
    HttpRequest::new(Method::Get, url).with_headers(headers)
}

#[tokio::test]
async fn a_good_exchange_maps_status_headers_and_body() {
    let base = server(Some(b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\nx-extra: 1\r\ncontent-length: 15\r\n\r\n{\"status_code\":")).await;
    let response = HttpTransport::new()
        .send(get(format!("{base}/v1/x")))
        .await
        .unwrap();
    assert_eq!(response.status, 404);
    assert_eq!(response.headers.get("x-extra"), Some("1"));
    assert_eq!(&response.body[..], b"{\"status_code\":");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let base = server(None).await;
    // The transport's own read timeout.
    let transport = HttpTransport::builder()
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = transport
        .send(get(format!("{base}/v1/x")))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Timeout, "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The client's per-attempt timeout, retried for a get, then the error.
    let client = Client::builder("project-test-1", "secret", HttpTransport::new())
        .base_url(base)
        .retry(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_backoff(Duration::from_millis(10), Duration::from_millis(10)),
        )
        .timeouts(TimeoutPolicy::default().with_attempt(Some(Duration::from_millis(300))))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = client.clients().get("m2m-client-test-1").await.unwrap_err();
    assert!(matches!(&e, Error::Transport(t) if t.is_timeout()), "{e:?}");
    assert!(e.is_retryable());
    assert!(
        started.elapsed() >= Duration::from_millis(600)
            && started.elapsed() < Duration::from_secs(5)
    );
}

#[tokio::test]
async fn a_connection_closed_mid_response_is_an_io_error() {
    let base = server(Some(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"status_code\":200,")).await;
    let e = HttpTransport::new()
        .send(get(format!("{base}/v1/x")))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Io, "{e:?}");
    // Through the client: a get is retried, then reported; nothing panics.
    let client = Client::builder("project-test-1", "secret", HttpTransport::new())
        .base_url(base)
        .retry(
            RetryPolicy::default().with_backoff(Duration::from_millis(1), Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let e = client.clients().get("x").await.unwrap_err();
    assert!(
        matches!(&e, Error::Transport(t) if t.kind() == TransportErrorKind::Io),
        "{e:?}"
    );
}

#[tokio::test]
async fn garbage_instead_of_http_is_an_error_not_a_panic() {
    let base = server(Some(b"this is not http\r\n\r\n")).await;
    let e = HttpTransport::new()
        .send(get(format!("{base}/v1/x")))
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind(), TransportErrorKind::Io | TransportErrorKind::Other),
        "{e:?}"
    );
}

#[tokio::test]
async fn no_server_is_a_connect_error_known_never_sent() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener); // nothing listens there now
    let e = HttpTransport::new()
        .send(get(format!("http://{address}/v1/x")))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Connect, "{e:?}");
    assert!(e.is_unsent());
}

#[tokio::test]
async fn a_malformed_url_is_a_configuration_error_never_retried() {
    let e = HttpTransport::new()
        .send(get("https://exa mple.com/v1/m2m/clients/x".to_owned()))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Config);
    assert!(e.is_unsent() && !e.is_retryable());
}

#[tokio::test]
async fn a_body_in_several_chunks_is_assembled_in_order() {
    let base = server(Some(
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n3\r\n\"b\"\r\n1\r\n}\r\n0\r\n\r\n",
    ))
    .await;
    let response = HttpTransport::new()
        .send(get(format!("{base}/v1/x")))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(&response.body[..], b"{\"a\":\"b\"}");
}

#[tokio::test]
async fn a_declared_body_over_the_cap_is_refused_before_reading() {
    let base = server(Some(
        b"HTTP/1.1 200 OK\r\ncontent-length: 16777217\r\n\r\n{\"only\":\"a few bytes\"}",
    ))
    .await;
    let e = HttpTransport::new()
        .send(get(format!("{base}/v1/x")))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("larger than"), "{e}");
}

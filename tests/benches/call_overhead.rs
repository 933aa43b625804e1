//! The client's own cost per management call, without a network: `get` through a transport that answers at once
//! with a canned body, against decoding that body alone (what any caller pays). With the default retry policy and
//! timeouts, and with each turned off, interleaved in rounds. Prints ns per call.
//!
//! `cargo bench -p stytch-m2m-tests --bench call_overhead`

use std::time::Instant;
use stytch_m2m_core::models::GetResponse;
use stytch_m2m_core::transport::TransportError;
use stytch_m2m_core::transport::{BoxFuture, HttpRequest, HttpResponse, Transport};
use stytch_m2m_core::{Client, RetryPolicy, TimeoutPolicy};

#[derive(Clone)]
/// A transport answering every request with the same body.
struct Canned(bytes::Bytes);
impl Transport for Canned {
    fn send(&self, _r: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let body = self.0.clone();
        Box::pin(async move {
            Ok(HttpResponse::new(200, body)
                .with_header("content-type", "application/json")
                .with_header("content-length", "300")
                .with_header("date", "Wed, 02 Dec 2026 11:00:00 GMT"))
        })
    }
}

/// Runs the rounds.
fn main() {
    let body = bytes::Bytes::from_static(br#"{"status_code":200,"request_id":"request-id-test-1","m2m_client":{"client_id":"m2m-client-test-1","client_name":"","client_description":"","status":"active","scopes":["read:users"],"client_secret_last_four":"DzJj","next_client_secret_last_four":null,"trusted_metadata":{}}}"#);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mk = |r: RetryPolicy, t: TimeoutPolicy| {
        Client::builder("project-test-1", "secret-test-1", Canned(body.clone()))
            .base_url("http://127.0.0.1:1")
            .retry(r)
            .timeouts(t)
            .build()
            .unwrap()
    };
    let configs = [
        (
            "defaults",
            mk(RetryPolicy::default(), TimeoutPolicy::default()),
        ),
        (
            "no retry",
            mk(RetryPolicy::disabled(), TimeoutPolicy::default()),
        ),
        (
            "no timers",
            mk(RetryPolicy::default(), TimeoutPolicy::disabled()),
        ),
        (
            "neither",
            mk(RetryPolicy::disabled(), TimeoutPolicy::disabled()),
        ),
    ];
    const N: u32 = 200_000;
    for round in 0..3 {
        println!("round {round}");
        let t = Instant::now();
        for _ in 0..N {
            let v: GetResponse = serde_json::from_slice(&body).unwrap();
            std::hint::black_box(v);
        }
        println!(
            "raw decode {:.0} ns",
            t.elapsed().as_nanos() as f64 / N as f64
        );
        for (name, c) in &configs {
            let t = Instant::now();
            rt.block_on(async {
                for _ in 0..N {
                    std::hint::black_box(c.clients().get("m2m-client-test-1").await.unwrap());
                }
            });
            println!("{name}: {:.0} ns", t.elapsed().as_nanos() as f64 / N as f64);
        }
    }
}

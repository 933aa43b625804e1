//! Over HTTP against the emulator (same process, 127.0.0.1): a `get` through the SDK against the same request made
//! with raw reqwest + serde_json (goal: at most 1.03x median latency), interleaved in rounds; then the emulator's
//! throughput for `get` and for the token endpoint at 1 and 32 concurrent connections.
//!
//! `cargo bench -p stytch-m2m-tests --bench http` (add `-- latency` for the SDK-against-raw rounds only).
//!
//! The SDK runs with its default timeouts (10 s per attempt, 30 s overall) and its default retry policy (3
//! attempts), as users run it: every SDK call pays its timer and its retry bookkeeping.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use stytch_m2m_core::Client;
use stytch_m2m_core::models::{CreateRequest, GetResponse};
use stytch_m2m_emulator::Emulator;
use stytch_m2m_http::HttpTransport;
use stytch_m2m_mock::MockStytch;

const ROUNDS: usize = 7;
const PER_ROUND: usize = 2000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mock = MockStytch::new();
    let listener = server_rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    server_rt.spawn(Emulator::new(mock.clone()).serve(listener, std::future::pending()));

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let created = mock
        .seed_client(CreateRequest::new(["read:users"]))
        .unwrap();
    let id = created.client_id.clone();
    // A client per runtime: pooled connections belong to the runtime that opened them.
    let new_client = || {
        Client::builder(
            mock.project_id(),
            mock.project_secret().clone(),
            HttpTransport::new(),
        )
        .base_url(base.clone())
        .build()
        .unwrap()
    };
    let sdk = new_client();
    let raw = reqwest::Client::builder()
        .http1_only()
        .tcp_nodelay(true)
        .build()
        .unwrap();
    let url = format!("{base}/v1/m2m/clients/{id}");
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            mock.project_id(),
            mock.project_secret().expose_secret()
        ))
    );

    let mut ratios = Vec::new();
    for round in 0..ROUNDS {
        // The two are interleaved request by request (alternating which goes first), so that both see the same
        // machine load.
        let (raw_median, sdk_median) = rt.block_on(async {
            let (mut raw_samples, mut sdk_samples) =
                (Vec::with_capacity(PER_ROUND), Vec::with_capacity(PER_ROUND));
            for i in 0..PER_ROUND {
                for which in [i % 2, 1 - i % 2] {
                    let t = Instant::now();
                    if which == 0 {
                        let response = raw
                            .get(&url)
                            .header("authorization", &auth)
                            .header("accept", "application/json")
                            .send()
                            .await
                            .unwrap();
                        let bytes = response.bytes().await.unwrap();
                        let decoded: GetResponse = serde_json::from_slice(&bytes).unwrap();
                        raw_samples.push(t.elapsed());
                        assert_eq!(decoded.m2m_client.client_id, id);
                    } else {
                        let got = sdk.clients().get(&id).await.unwrap();
                        sdk_samples.push(t.elapsed());
                        assert_eq!(got.m2m_client.client_id, id);
                    }
                }
            }
            (median(raw_samples), median(sdk_samples))
        });
        let ratio = sdk_median.as_secs_f64() / raw_median.as_secs_f64();
        println!(
            "round {round}: raw reqwest+serde_json {raw_median:.2?}, SDK get {sdk_median:.2?}, ratio {ratio:.3}"
        );
        ratios.push(ratio);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "SDK get / raw reqwest get, median latency: median ratio {:.3} (min {:.3}, max {:.3}); goal <= 1.03",
        ratios[ROUNDS / 2],
        ratios[0],
        ratios[ROUNDS - 1]
    );
    if std::env::args().any(|a| a == "latency") {
        return;
    }

    // Throughput, with a runtime of 2 workers for the callers (the machine has 2 cores, shared with the server).
    let load_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sdk = Arc::new(new_client());
    let secret = created.client_secret.clone();
    // Distinct clients for the token rate that signing bounds: one per call, so every token is new and signed.
    let distinct: Arc<Vec<(String, stytch_m2m_core::models::Secret)>> = Arc::new(
        (0..800)
            .map(|_| {
                let m = mock
                    .seed_client(stytch_m2m_core::models::CreateRequest::new(["read:users"]))
                    .unwrap();
                (m.client_id, m.client_secret)
            })
            .collect(),
    );
    for concurrency in [1usize, 32] {
        for what in ["get", "token", "token (distinct clients)"] {
            let total = if what == "get" { 8000 } else { 800 };
            let per_task = total / concurrency;
            let started = Instant::now();
            load_rt.block_on(async {
                let tasks: Vec<_> = (0..concurrency)
                    .map(|task| {
                        let (sdk, id, secret, distinct) =
                            (sdk.clone(), id.clone(), secret.clone(), distinct.clone());
                        tokio::spawn(async move {
                            for i in 0..per_task {
                                match what {
                                    "get" => {
                                        sdk.clients().get(&id).await.unwrap();
                                    }
                                    "token" => {
                                        sdk.token(&id, &secret, stytch_m2m_core::NO_SCOPES)
                                            .await
                                            .unwrap();
                                    }
                                    _ => {
                                        // Each call a new client: nothing to reuse.
                                        let (id, secret) =
                                            &distinct[(task * per_task + i) % distinct.len()];
                                        sdk.token(id, secret, &["read:users"]).await.unwrap();
                                    }
                                }
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.unwrap();
                }
            });
            let elapsed = started.elapsed();
            println!(
                "emulator throughput, {what:>23} at {concurrency:>2} connection(s): {:>8.0} requests/s",
                (per_task * concurrency) as f64 / elapsed.as_secs_f64()
            );
        }
    }
}

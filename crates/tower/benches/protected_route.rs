//! A route protected by `RequireM2m` against the same route unprotected, over keep-alive HTTP in one process
//! (axum server on 127.0.0.1:0, reqwest client), with a repeated token, on a multi-thread runtime (tokio's default
//! for servers) and on a current-thread one (server and client on one thread: the worst case for the ratio).
//! Requests alternate between the two routes one by one, each timed; each round compares the two medians.
//! Prints figures and the median ratio over rounds.
//!
//! `cargo bench -p stytch-m2m-tower --bench protected_route`

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use stytch_m2m_core::auth::AuthenticateOptions;
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_mock::MockStytch;
use stytch_m2m_tower::RequireM2m;

const REQUESTS: usize = 5000;
const ROUNDS: usize = 7;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // Tokio's default for servers: a multi-thread runtime (here two workers; the client runs on the main thread).
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    measure(&multi, "multi-thread runtime (2 workers)");
    // The worst case for the ratio: server and client on one thread, so no wake-up latency hides the layer's cost.
    let single = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    measure(&single, "current-thread runtime");
}

fn measure(rt: &tokio::runtime::Runtime, label: &str) {
    rt.block_on(async {
        let mock = MockStytch::new();
        let router = Router::new()
            .route(
                "/protected",
                get(|| async { "invoices" })
                    .route_layer(RequireM2m::new(mock.verifier()).options(AuthenticateOptions::new().required_scopes(["read:invoices"]))),
            )
            .route("/open", get(|| async { "invoices" }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        let m = mock
            .seed_client(CreateRequest::new(["read:invoices"]))
            .unwrap();
        let token = mock
            .client()
            .token(&m.client_id, &m.client_secret, &["read:invoices"])
            .await
            .unwrap()
            .access_token;
        let http = reqwest::Client::new();
        let bearer = format!("Bearer {}", token.expose_secret());
        let (open_url, protected_url) = (format!("{base}/open"), format!("{base}/protected"));
        let one = |url: &str| {
            let request = http.get(url).header("authorization", &bearer);
            async move {
                let started = Instant::now();
                let response = request.send().await.unwrap();
                assert!(response.status().is_success());
                response.bytes().await.unwrap();
                started.elapsed()
            }
        };
        // Warm up: the connection, the JWKS, the verified-token cache (a token verified twice is kept).
        for _ in 0..1000 {
            one(&protected_url).await;
            one(&open_url).await;
        }
        let mut ratios = Vec::new();
        let (mut open_all, mut protected_all) = (Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            // Request by request, alternating which goes first: drift and noise hit both alike.
            let (mut open, mut protected) = (Vec::new(), Vec::new());
            for i in 0..REQUESTS {
                if i % 2 == 0 {
                    open.push(one(&open_url).await);
                    protected.push(one(&protected_url).await);
                } else {
                    protected.push(one(&protected_url).await);
                    open.push(one(&open_url).await);
                }
            }
            let (open, protected) = (median(open), median(protected));
            let ratio = protected.as_secs_f64() / open.as_secs_f64();
            println!("round {round}: open {open:.1?}, protected {protected:.1?}, ratio {ratio:.3}");
            ratios.push(ratio);
            open_all.push(open);
            protected_all.push(protected);
        }
        ratios.sort_by(f64::total_cmp);
        println!(
            "{label}: GET over keep-alive, {ROUNDS} rounds of {REQUESTS} alternating requests: open {:.1?}, protected {:.1?} (medians)",
            median(open_all),
            median(protected_all)
        );
        println!(
            "{label}: protected / open: median ratio {:.3} (min {:.3}, max {:.3}); goal <= 1.05",
            ratios[ROUNDS / 2],
            ratios[0],
            ratios[ROUNDS - 1]
        );
    });
}

//! A protected gRPC unary call against the same call unprotected, over real HTTP/2 on 127.0.0.1, interleaved in
//! rounds (goal: at most 1.05x the median latency, with a repeated token: the verified-token cache answers).
//!
//! `cargo bench -p stytch-m2m --bench grpc`

#[path = "../examples/common/greeter.rs"]
mod greeter;

use std::time::{Duration, Instant};

use stytch_m2m::mock::MockStytch;
use stytch_m2m::models::CreateRequest;

const ROUNDS: usize = 9;
const PER_ROUND: usize = 2000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn channel(router: axum::Router) -> tonic::transport::Channel {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, router).into_future());
    tonic::transport::Endpoint::from_shared(url)
        .unwrap()
        .connect()
        .await
        .unwrap()
}

/// The median latency of `PER_ROUND` calls.
async fn round(channel: &tonic::transport::Channel, authorization: &str) -> Duration {
    let mut client = tonic::client::Grpc::new(channel.clone());
    let path = http::uri::PathAndQuery::from_static(greeter::SAY_HELLO);
    let mut times = Vec::with_capacity(PER_ROUND);
    for _ in 0..PER_ROUND {
        let mut request = tonic::Request::new(greeter::HelloRequest {
            name: "bench".into(),
        });
        request
            .metadata_mut()
            .insert("authorization", authorization.parse().unwrap());
        let started = Instant::now();
        client.ready().await.unwrap();
        let reply = client
            .unary(
                request,
                path.clone(),
                tonic_prost::ProstCodec::<greeter::HelloRequest, greeter::HelloReply>::default(),
            )
            .await;
        times.push(started.elapsed());
        assert!(reply.is_ok() || authorization.is_empty());
    }
    median(times)
}

fn main() {
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mock = MockStytch::new();
    let caller = mock
        .seed_client(CreateRequest::new([greeter::SCOPE]))
        .unwrap();
    let (protected, open, bearer) = server.block_on(async {
        let token = mock
            .token_provider(caller.client_id.clone(), caller.client_secret.clone())
            .token([greeter::SCOPE])
            .await
            .unwrap();
        // The unprotected greeter is the same router without the layer: its handler answers without a token.
        (
            channel(greeter::router(mock.verifier())).await,
            channel(greeter::open_router()).await,
            format!("Bearer {}", token.expose_secret()),
        )
    });
    let _guard = server.enter();
    let mut ratios = Vec::new();
    for r in 0..ROUNDS {
        let (p, o) = client.block_on(async {
            if r % 2 == 0 {
                let o = round(&open, &bearer).await;
                (round(&protected, &bearer).await, o)
            } else {
                let p = round(&protected, &bearer).await;
                (p, round(&open, &bearer).await)
            }
        });
        let ratio = p.as_secs_f64() / o.as_secs_f64();
        println!("round {r}: unprotected {o:.2?}, protected {p:.2?}, ratio {ratio:.3}");
        ratios.push(ratio);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "protected / unprotected gRPC unary call (repeated token), median latency: median ratio {:.3} (min {:.3}, max {:.3}); goal <= 1.05",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1]
    );
}

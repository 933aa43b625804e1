//! `authenticate_token` against a bare RS256 verification with the same crypto backend (aws-lc-rs, key parsed
//! once, signature pre-decoded), in the same process and rounds; the verified-token cache on a repeated token;
//! and the token provider under 1000 concurrent callers. Prints figures and ratios.
//!
//! `cargo bench -p stytch-m2m-tests --bench authenticate` (with `NOCACHE=1`, the fresh-token rounds run with the
//! verified-token cache off, to see what inserting into it costs).

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::rsa::PublicKeyComponents;
use aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256;
use base64::Engine as _;
use serde_json::json;
use stytch_m2m_core::auth::{AuthenticateOptions, TokenProvider};
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_mock::{MockClock, MockStytch};

const TOKENS: usize = 3000;
const ROUNDS: usize = 5;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let now = MockClock::system().now_unix();
    let mock = MockStytch::builder()
        .clock(MockClock::frozen_at_unix(now))
        .build();
    let pid = mock.project_id().to_owned();
    let header = json!({"alg": "RS256", "kid": mock.engine().current_kid(), "typ": "JWT"});
    eprintln!("signing {TOKENS} distinct tokens...");
    let tokens: Vec<String> = (0..TOKENS)
        .map(|i| {
            let claims = json!({"sub": format!("m2m-client-test-{i:08}"), "iss": format!("stytch.com/{pid}"), "aud": [pid],
                                "scope": "read:users write:users", "iat": now, "nbf": now, "exp": now + 3600});
            mock.sign_jwt(&header, &claims)
        })
        .collect();
    let jwk = mock.engine().jwks().remove(0);
    let key = PublicKeyComponents {
        n: B64.decode(&jwk.n).unwrap(),
        e: B64.decode(&jwk.e).unwrap(),
    }
    .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
    .unwrap();
    let split: Vec<(Vec<u8>, Vec<u8>)> = tokens
        .iter()
        .map(|t| {
            let dot = t.rfind('.').unwrap();
            (
                t.as_bytes()[..dot].to_vec(),
                B64.decode(&t[dot + 1..]).unwrap(),
            )
        })
        .collect();
    let options = AuthenticateOptions::new().required_scopes(["read:users"]);

    let mut ratios = Vec::new();
    let (mut floors, mut fresh_all) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        // Floor: the bare signature check.
        let floor = median(
            split
                .iter()
                .map(|(input, sig)| {
                    let t = Instant::now();
                    key.verify_sig(input, sig).unwrap();
                    t.elapsed()
                })
                .collect(),
        );
        // The SDK on tokens it has never seen: a new client (empty verified cache), JWKS fetched beforehand.
        let client = if std::env::var("NOCACHE").is_ok() {
            stytch_m2m_core::Client::builder(
                mock.project_id(),
                mock.project_secret().clone(),
                mock.clone(),
            )
            .clock(mock.clock().clone())
            .verified_cache(stytch_m2m_core::auth::VerifiedCachePolicy::disabled())
            .build()
            .unwrap()
        } else {
            mock.client()
        };
        let warm = mock.sign_jwt(&header, &json!({"sub": "warm", "iss": format!("stytch.com/{pid}"), "aud": [pid],
                                                  "scope": "read:users", "iat": now, "exp": now + 3600}));
        rt.block_on(client.authenticate_token(&warm, &options))
            .unwrap();
        let fresh = rt.block_on(async {
            let mut samples = Vec::with_capacity(TOKENS);
            for token in &tokens {
                let t = Instant::now();
                let ok = client.authenticate_token(token, &options).await;
                samples.push(t.elapsed());
                assert!(ok.is_ok());
            }
            median(samples)
        });
        let ratio = fresh.as_secs_f64() / floor.as_secs_f64();
        println!(
            "round {round}: bare verify {floor:.2?}, authenticate_token (never seen) {fresh:.2?}, ratio {ratio:.3}"
        );
        ratios.push(ratio);
        floors.push(floor);
        fresh_all.push(fresh);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "authenticate_token on new tokens / bare RS256 verify: median ratio {:.3} (min {:.3}, max {:.3}); goal <= 1.15",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1]
    );

    // A repeated token: the verified-token cache.
    let client = mock.client();
    let token = &tokens[0];
    rt.block_on(client.authenticate_token(token, &options))
        .unwrap();
    let repeated = rt.block_on(async {
        let mut samples = Vec::with_capacity(100_000);
        for _ in 0..100_000 {
            let t = Instant::now();
            let ok = client.authenticate_token(token, &options).await;
            samples.push(t.elapsed());
            assert!(ok.is_ok());
        }
        median(samples)
    });
    let floor = median(floors);
    println!(
        "authenticate_token on a repeated token: median {repeated:.2?} ({:.1}x faster than a bare verify of {floor:.2?}); goal < 1 µs",
        floor.as_secs_f64() / repeated.as_secs_f64()
    );

    // The token provider: 1000 concurrent callers, one exchange.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let m = mock
        .seed_client(CreateRequest::new(["read:users"]))
        .unwrap();
    let provider = TokenProvider::new(mock.client(), m.client_id, m.client_secret);
    let started = Instant::now();
    rt.block_on(async {
        let provider = Arc::new(provider.clone());
        let tasks: Vec<_> = (0..1000)
            .map(|_| {
                let p = provider.clone();
                tokio::spawn(async move { p.token(&["read:users"]).await.unwrap() })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    println!(
        "token provider: 1000 concurrent callers served in {:.2?} with {} exchange(s)",
        started.elapsed(),
        provider.exchanges()
    );
}

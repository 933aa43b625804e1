//! `authenticate_token` against a bare RS256 verification with the same crypto backend (aws-lc-rs, key parsed
//! once, signature pre-decoded), in the same process and rounds; the verified-token cache on a repeated token;
//! two tasks on the two cores against one (throughput ratio, new and repeated tokens); and the token provider
//! under 1000 concurrent callers. Prints figures and ratios.
//!
//! `cargo bench -p stytch-m2m-tests --bench authenticate` (with `--features metrics`, a second verifier records
//! into a Prometheus recorder, interleaved with the rest; with `NOCACHE=1`, the fresh-token rounds run with the
//! verified-token cache off, to see what inserting into it costs).

use std::sync::Arc;
use std::time::{Duration, Instant};

use stytch_m2m_core::auth::{AuthenticateOptions, ProviderPolicy, TokenProvider};
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_mock::MockStytch;
use stytch_m2m_tests::signed::SignedTokens;

const TOKENS: usize = 3000;
const ROUNDS: usize = 7;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    eprintln!("signing {TOKENS} distinct tokens...");
    let signed = SignedTokens::new(TOKENS);
    let warm = signed.sign("warm");
    let SignedTokens {
        mock,
        tokens,
        key,
        split,
        ..
    } = signed;
    let options = AuthenticateOptions::new().required_scopes(["read:users"]);

    let mut ratios = Vec::new();
    let mut recorded_ratios = Vec::new();
    let mut floors = Vec::new();
    for round in 0..ROUNDS {
        // A new secret-less verifier each round (empty verified-token cache), JWKS fetched beforehand; with the
        // `metrics` feature, a second one whose metric handles were registered with a Prometheus recorder.
        let policy = if std::env::var("NOCACHE").is_ok() {
            stytch_m2m_core::auth::VerifiedCachePolicy::disabled()
        } else {
            stytch_m2m_core::auth::VerifiedCachePolicy::default()
        };
        let verifier = mock
            .verifier_builder()
            .verified_cache(policy.clone())
            .build()
            .unwrap();
        rt.block_on(verifier.authenticate_token(&warm, &options))
            .unwrap();
        let recorded = recording(|| {
            let recorded = mock
                .verifier_builder()
                .verified_cache(policy)
                .build()
                .unwrap();
            rt.block_on(recorded.authenticate_token(&warm, &options))
                .unwrap();
            recorded
        });
        // Interleaved token by token: the bare signature check of token i, then the SDK on token i (never seen by
        // it), and (with `metrics`) the recording verifier on it, the two taking turns at going first.
        let (floor, fresh, fresh_recorded) = rt.block_on(async {
            let mut floors = Vec::with_capacity(TOKENS);
            let mut samples = Vec::with_capacity(TOKENS);
            let mut recorded_samples = Vec::with_capacity(TOKENS);
            for (i, (token, (input, sig))) in tokens.iter().zip(&split).enumerate() {
                let t = Instant::now();
                key.verify_sig(input, sig).unwrap();
                floors.push(t.elapsed());
                // The second finds the token in the CPU's caches: they take turns.
                match &recorded {
                    None => samples.push(timed(&verifier, token, &options).await),
                    Some(recorded) if i % 2 == 0 => {
                        samples.push(timed(&verifier, token, &options).await);
                        recorded_samples.push(timed(recorded, token, &options).await);
                    }
                    Some(recorded) => {
                        recorded_samples.push(timed(recorded, token, &options).await);
                        samples.push(timed(&verifier, token, &options).await);
                    }
                }
            }
            let recorded = (!recorded_samples.is_empty()).then(|| median(recorded_samples));
            (median(floors), median(samples), recorded)
        });
        let ratio = fresh.as_secs_f64() / floor.as_secs_f64();
        print!(
            "round {round}: bare verify {floor:.2?}, authenticate_token (never seen) {fresh:.2?}, ratio {ratio:.3}"
        );
        if let Some(recorded) = fresh_recorded {
            let ratio = recorded.as_secs_f64() / floor.as_secs_f64();
            print!("; recording {recorded:.2?}, ratio {ratio:.3}");
            recorded_ratios.push(ratio);
        }
        println!();
        ratios.push(ratio);
        floors.push(floor);
    }
    summary(
        "authenticate_token on new tokens / bare RS256 verify",
        ratios,
        "1.15",
    );
    if !recorded_ratios.is_empty() {
        summary(
            "  the same, recording into a Prometheus recorder",
            recorded_ratios,
            "1.05",
        );
    }

    // A repeated token: the verified-token cache (a token verified twice is admitted).
    let floor = median(floors);
    let client = mock.verifier();
    let repeated = repeated_median(&rt, &client, &tokens[0], &options);
    println!(
        "authenticate_token on a repeated token: median {repeated:.2?} ({:.1}x faster than a bare verify of {floor:.2?}); goal < 1 µs",
        floor.as_secs_f64() / repeated.as_secs_f64()
    );
    if let Some(client) = recording(|| {
        let client = mock.verifier();
        rt.block_on(client.authenticate_token(&tokens[0], &options))
            .unwrap();
        client
    }) {
        let repeated = repeated_median(&rt, &client, &tokens[0], &options);
        println!(
            "  the same, recording into a Prometheus recorder: median {repeated:.2?}; goal <= 0.3 µs"
        );
    }

    // Two tasks on the two cores against one: the caches must not serialize threads.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    two_tasks(&rt, &mock, &tokens, &options);

    // The token provider: 1000 concurrent callers, one exchange.
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
        token_exchanges(&mock)
    );
    provider_across_refreshes(&rt, &mock);
}

/// Runs `build` with a Prometheus recorder installed for this thread (feature `metrics`): what it builds and first
/// uses registers its metric handles there and keeps them. Without the feature, `None`.
fn recording<T>(build: impl FnOnce() -> T) -> Option<T> {
    #[cfg(feature = "metrics")]
    {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        Some(metrics::with_local_recorder(&recorder, build))
    }
    #[cfg(not(feature = "metrics"))]
    {
        let _ = build;
        None
    }
}

/// One successful check, timed.
async fn timed(
    verifier: &stytch_m2m_core::auth::TokenVerifier,
    token: &str,
    options: &AuthenticateOptions,
) -> Duration {
    let t = Instant::now();
    let ok = verifier.authenticate_token(token, options).await;
    let elapsed = t.elapsed();
    assert!(ok.is_ok());
    elapsed
}

/// Median, min and max of a round's ratios, against a goal.
fn summary(what: &str, mut ratios: Vec<f64>, goal: &str) {
    ratios.sort_by(f64::total_cmp);
    println!(
        "{what}: median ratio {:.3} (min {:.3}, max {:.3}); goal <= {goal}",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1]
    );
}

/// The median time of one check of a token the verifier has cached (verified twice first).
fn repeated_median(
    rt: &tokio::runtime::Runtime,
    verifier: &stytch_m2m_core::auth::TokenVerifier,
    token: &str,
    options: &AuthenticateOptions,
) -> Duration {
    rt.block_on(async {
        for _ in 0..2 {
            verifier.authenticate_token(token, options).await.unwrap();
        }
        let mut samples = Vec::with_capacity(100_000);
        for _ in 0..100_000 {
            let t = Instant::now();
            let ok = verifier.authenticate_token(token, options).await;
            samples.push(t.elapsed());
            assert!(ok.is_ok());
        }
        median(samples)
    })
}

/// `TokenProvider::token()` latency: plain cache hits against calls that keep crossing the refresh point (a margin
/// that makes the token due 10 ms after each exchange, so that a background refresh starts about every 10 ms while
/// the calls go on), interleaved over rounds. Median and p99 of single calls.
fn provider_across_refreshes(rt: &tokio::runtime::Runtime, mock: &MockStytch) {
    const CALLS: usize = 200_000;
    let m = mock
        .seed_client(CreateRequest::new(["read:users"]))
        .unwrap();
    let plain = TokenProvider::new(mock.client(), m.client_id.clone(), m.client_secret.clone());
    let due_soon = ProviderPolicy::default()
        .with_refresh_margin(Duration::from_secs(3600) - Duration::from_millis(10), 0.0);
    let refreshing =
        TokenProvider::with_policy(mock.client(), m.client_id, m.client_secret, due_soon);
    let measure = |provider: &TokenProvider| {
        rt.block_on(async {
            let mut samples = Vec::with_capacity(CALLS);
            for _ in 0..CALLS {
                let t = Instant::now();
                let token = provider.token(&["read:users"]).await;
                samples.push(t.elapsed());
                assert!(token.is_ok());
            }
            samples.sort();
            (samples[CALLS / 2], samples[CALLS * 99 / 100])
        })
    };
    rt.block_on(async {
        plain.token(&["read:users"]).await.unwrap();
        refreshing.token(&["read:users"]).await.unwrap();
    });
    let (mut hit_medians, mut hit_p99s, mut refresh_medians, mut refresh_p99s) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let exchanges_before = token_exchanges(mock);
    let started = Instant::now();
    for _ in 0..ROUNDS {
        let (median, p99) = measure(&plain);
        hit_medians.push(median);
        hit_p99s.push(p99);
        let (median, p99) = measure(&refreshing);
        refresh_medians.push(median);
        refresh_p99s.push(p99);
    }
    let refreshes = token_exchanges(mock) - exchanges_before;
    println!(
        "token(): cache hits median {:.0?} p99 {:.0?}; across {refreshes} refresh points in {:.1?}: median {:.0?} p99 {:.0?} (no caller waits for a refresh)",
        median(hit_medians),
        median(hit_p99s),
        started.elapsed(),
        median(refresh_medians),
        median(refresh_p99s),
    );
}

/// Throughput of one task against two tasks at once on two threads, each authenticating its own tokens
/// through one shared verifier, interleaved over rounds: new tokens (a new verifier per pass, JWKS fetched
/// beforehand; several passes per measurement so that one measurement lasts ~0.2 s) and repeated ones.
fn two_tasks(
    rt: &tokio::runtime::Runtime,
    mock: &MockStytch,
    tokens: &[String],
    options: &AuthenticateOptions,
) {
    const REPEATS: usize = 1_000_000;
    const PASSES: usize = 4;
    let half = tokens.len() / 2;
    let pass = |tasks: usize, fresh: bool| -> (usize, Duration) {
        let verifier = mock.verifier();
        let options = options.clone();
        rt.block_on(async {
            verifier
                .authenticate_token(&tokens[tokens.len() - 1], &options)
                .await
                .unwrap();
            // Each task gets its own tokens: the first half or the second; or one token each, repeated.
            let shares: Vec<Vec<String>> = (0..tasks)
                .map(|t| {
                    if fresh {
                        tokens[t * half..(t + 1) * half].to_vec()
                    } else {
                        vec![tokens[t].clone()]
                    }
                })
                .collect();
            if !fresh {
                // Verified twice: admitted to the verified-token cache.
                for share in &shares {
                    for _ in 0..2 {
                        verifier
                            .authenticate_token(&share[0], &options)
                            .await
                            .unwrap();
                    }
                }
            }
            let calls = if fresh { half } else { REPEATS };
            // One OS thread per task, each with its own current-thread runtime, released together: the figure
            // is about the verifier's shared state, not about a scheduler's placement of two tasks.
            let barrier = std::sync::Barrier::new(tasks + 1);
            let started = std::thread::scope(|scope| {
                for share in &shares {
                    let (verifier, options, barrier) = (&verifier, &options, &barrier);
                    scope.spawn(move || {
                        let rt = tokio::runtime::Builder::new_current_thread()
                            .enable_all()
                            .build()
                            .unwrap();
                        barrier.wait();
                        rt.block_on(async {
                            for i in 0..calls {
                                let token = &share[i % share.len()];
                                assert!(verifier.authenticate_token(token, options).await.is_ok());
                            }
                        });
                    });
                }
                barrier.wait();
                Instant::now()
            });
            (tasks * calls, started.elapsed())
        })
    };
    let run = |tasks: usize, fresh: bool| -> f64 {
        let passes = if fresh { PASSES } else { 1 };
        let (calls, time) = (0..passes)
            .map(|_| pass(tasks, fresh))
            .fold((0, Duration::ZERO), |(c, t), (c2, t2)| (c + c2, t + t2));
        calls as f64 / time.as_secs_f64()
    };
    for (name, fresh) in [("new tokens", true), ("repeated tokens", false)] {
        let mut ratios = Vec::new();
        let (mut ones, mut twos) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let one = run(1, fresh);
            let two = run(2, fresh);
            ratios.push(two / one);
            ones.push(one);
            twos.push(two);
        }
        ratios.sort_by(f64::total_cmp);
        ones.sort_by(f64::total_cmp);
        twos.sort_by(f64::total_cmp);
        println!(
            "{name}: one task {:.0}/s, two tasks {:.0}/s; two/one median ratio {:.2} (min {:.2}, max {:.2}); goal >= 1.8",
            ones[ROUNDS / 2],
            twos[ROUNDS / 2],
            ratios[ROUNDS / 2],
            ratios[0],
            ratios[ROUNDS - 1]
        );
    }
}

/// Token exchanges the mock has answered.
fn token_exchanges(mock: &MockStytch) -> usize {
    mock.requests()
        .iter()
        .filter(|r| r.url.contains("/oauth2/token"))
        .count()
}

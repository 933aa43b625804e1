//! Where a new token's check spends its instructions, beside a bare RS256 verify of the same tokens: run under
//! callgrind, which counts instructions (repeatable whatever else the machine does), collecting one side at a time.
//!
//! ```sh
//! cargo build --release -p stytch-m2m-tests --example authenticate_profile
//! for side in bare sdk; do
//!   valgrind --tool=callgrind --toggle-collect="authenticate_profile::$side" \
//!     --callgrind-out-file=/tmp/cg.$side target/release/examples/authenticate_profile
//! done
//! callgrind_annotate --inclusive=yes /tmp/cg.sdk | head -40   # minus /tmp/cg.bare: the SDK's own work
//! ```
//!
//! `repeated` (10,000 checks of one cached token) can be collected the same way. `N` tokens (default 300); with `--features metrics`, `RECORDER=prometheus` records into a Prometheus recorder.

use aws_lc_rs::rsa::PublicKeyComponents;
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use base64::Engine as _;
use serde_json::json;
use stytch_m2m_core::auth::{AuthenticateOptions, TokenVerifier};
use stytch_m2m_mock::{MockClock, MockStytch};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A token already in the verified-token cache, checked again and again.
#[inline(never)]
fn repeated(
    rt: &tokio::runtime::Runtime,
    verifier: &TokenVerifier,
    token: &str,
    options: &AuthenticateOptions,
) {
    rt.block_on(async {
        for _ in 0..10_000 {
            assert!(verifier.authenticate_token(token, options).await.is_ok());
        }
    });
}

/// The floor: aws-lc's verification of each token's signature, key parsed once, signature decoded beforehand.
#[inline(never)]
fn bare(key: &ParsedPublicKey, split: &[(Vec<u8>, Vec<u8>)]) {
    for (input, sig) in split {
        key.verify_sig(input, sig).unwrap();
    }
}

/// The SDK's check of each token, never seen before by this verifier.
#[inline(never)]
fn sdk(
    rt: &tokio::runtime::Runtime,
    verifier: &TokenVerifier,
    tokens: &[String],
    options: &AuthenticateOptions,
) {
    rt.block_on(async {
        for token in tokens {
            assert!(verifier.authenticate_token(token, options).await.is_ok());
        }
    });
}

fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    #[cfg(feature = "metrics")]
    if std::env::var("RECORDER").as_deref() == Ok("prometheus") {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        metrics::set_global_recorder(recorder).expect("the first recorder");
    }
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
    let claims = |sub: String| {
        json!({"sub": sub, "iss": format!("stytch.com/{pid}"), "aud": [pid], "scope": "read:users write:users",
               "iat": now, "nbf": now, "exp": now + 3600})
    };
    let tokens: Vec<String> = (0..n)
        .map(|i| mock.sign_jwt(&header, &claims(format!("m2m-client-test-{i:08}"))))
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
    let verifier = mock.verifier();
    let warm = mock.sign_jwt(&header, &claims("warm".into()));
    rt.block_on(verifier.authenticate_token(&warm, &options))
        .unwrap();
    bare(&key, &split);
    sdk(&rt, &verifier, &tokens, &options);
    // Seen twice by now (warm-up aside): admitted to the verified-token cache.
    rt.block_on(verifier.authenticate_token(&tokens[0], &options))
        .unwrap();
    repeated(&rt, &verifier, &tokens[0], &options);
}

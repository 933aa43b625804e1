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

use aws_lc_rs::signature::ParsedPublicKey;
use stytch_m2m_core::auth::{AuthenticateOptions, TokenVerifier};
use stytch_m2m_tests::signed::SignedTokens;

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
    let signed = SignedTokens::new(n);
    let (tokens, key, split) = (&signed.tokens, &signed.key, &signed.split);
    let options = AuthenticateOptions::new().required_scopes(["read:users"]);
    let verifier = signed.mock.verifier();
    rt.block_on(verifier.authenticate_token(&signed.sign("warm"), &options))
        .unwrap();
    bare(key, split);
    sdk(&rt, &verifier, tokens, &options);
    // Seen twice by now (warm-up aside): admitted to the verified-token cache.
    rt.block_on(verifier.authenticate_token(&tokens[0], &options))
        .unwrap();
    repeated(&rt, &verifier, &tokens[0], &options);
}

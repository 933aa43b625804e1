//! `--seed-file` through the binary: known clients and a known signing key at start; the format's JSON Schema
//! accepts the documented example and refuses what the emulator refuses.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use stytch_m2m_core::auth::{AuthenticateOptions, TokenVerifier};
use stytch_m2m_core::models::Secret;
use stytch_m2m_core::{Client, RetryPolicy};
use stytch_m2m_http::HttpTransport;

mod support;
use support::{KillOnDrop, address_of};

const KEY: &str = include_str!("../../mock/keys/deterministic-1.pem");

const PROJECT: &str = "project-test-11111111-2222-4333-8444-555555555555";

/// The binary on a free port with this seed file, this project secret and these extra arguments, and a client of it
/// (no retries).
fn start_seeded(
    seed: &std::path::Path,
    secret: &str,
    extra: &[&str],
) -> (KillOnDrop, String, Client) {
    let child = Command::new(env!("CARGO_BIN_EXE_stytch-m2m-emulator"))
        .args(["--port", "0", "--project-id", PROJECT])
        .args(extra)
        .arg("--seed-file")
        .arg(seed)
        .env("STYTCH_EMULATOR_SECRET", secret)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let base = format!("http://{}", address_of(&mut child));
    let client = Client::builder(PROJECT, secret, HttpTransport::new())
        .base_url(&base)
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    (child, base, client)
}

fn seed() -> Value {
    json!({
        "clients": [
            {"client_id": "billing", "client_secret": "x7Kp2QmZ-billing-ci", "scopes": ["read:invoices"],
             "client_name": "Billing", "trusted_metadata": {"team": "a"}},
            {"client_id": "retired", "client_secret": "Qw9zLm3R-retired-ci", "scopes": ["read:invoices"],
             "status": "inactive"}
        ],
        "signing_key": {"kid": "jwk-test-ci", "pkcs8_pem": KEY}
    })
}

#[test]
fn the_schema_describes_the_format() {
    let schema: Value =
        serde_json::from_str(include_str!("../../../schema/emulator-seed.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&seed()));
    for bad in [
        json!({"clients": [{"client_id": "a", "scopes": ["x"]}]}),
        json!({"clients": [], "extra": 1}),
        json!({"signing_key": {"kid": "k"}}),
        json!({"clients": [{"client_id": "a", "client_secret": "s", "scopes": ["x"], "status": "gone"}]}),
        json!({"project_kind": "enterprise"}),
        json!({"issuer": ""}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad}");
    }
    // The emulator reads the same format: the example parses, unknown members are refused.
    assert!(serde_json::from_value::<stytch_m2m_emulator::SeedFile>(seed()).is_ok());
    assert!(
        serde_json::from_value::<stytch_m2m_emulator::SeedFile>(json!({"clients": [], "extra": 1}))
            .is_err()
    );
    assert!(
        serde_json::from_value::<stytch_m2m_emulator::SeedFile>(
            json!({"project_kind": "enterprise"})
        )
        .is_err()
    );
}

#[tokio::test]
async fn a_seeded_emulator_knows_its_credentials_and_key_in_advance() {
    let dir = std::env::temp_dir().join(format!("stytch-m2m-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("seed.json");
    std::fs::write(&path, seed().to_string()).unwrap();
    let (_child, base, client) = start_seeded(&path, "secret-test-seeded-project-0123456789", &[]);
    let token = client
        .token(
            "billing",
            &Secret::new("x7Kp2QmZ-billing-ci"),
            &["read:invoices"],
        )
        .await
        .unwrap()
        .access_token;
    assert!(
        client
            .token(
                "retired",
                &Secret::new("Qw9zLm3R-retired-ci"),
                stytch_m2m_core::NO_SCOPES
            )
            .await
            .is_err()
    );
    assert_eq!(
        client
            .clients()
            .get("billing")
            .await
            .unwrap()
            .m2m_client
            .client_name,
        "Billing"
    );
    // The JWKS publishes the seeded key under its kid, and it verifies the token.
    let verifier = TokenVerifier::builder(PROJECT)
        .transport(HttpTransport::new())
        .base_url(&base)
        .build()
        .unwrap();
    let verified = verifier
        .authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap();
    assert_eq!(verified.client_id(), "billing");
    assert!(token.expose_secret().starts_with(&{
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"alg":"RS256","kid":"jwk-test-ci""#)[..20]
            .to_owned()
    }));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_weak_seeded_secret_is_refused_at_start_naming_the_client() {
    let dir = std::env::temp_dir().join(format!("stytch-m2m-weak-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("seed.json");
    let weak = json!({"clients": [{"client_id": "weak", "client_secret": "Welcome2024!", "scopes": ["a"]}]});
    std::fs::write(&path, weak.to_string()).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_stytch-m2m-emulator"))
        .args(["--port", "0", "--seed-file"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("seed client weak"), "{stderr}");
    assert!(
        !stderr.contains("Welcome2024"),
        "the secret is never echoed: {stderr}"
    );
    // With `--rules lenient` (Stytch's rules only, no entropy guess) the same seed starts, and the client exists.
    let (child, _base, client) = start_seeded(
        &path,
        "secret-test-lenient-project-0123456789",
        &["--rules", "lenient"],
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let got = runtime.block_on(client.clients().get("weak")).unwrap();
    assert_eq!(got.m2m_client.client_id, "weak");
    drop(child);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn a_relative_state_path_is_saved_private_beside_the_working_directory() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = std::env::temp_dir().join(format!("stytch-m2m-relative-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_stytch-m2m-emulator"))
        .args(["--port", "0", "--state", "state.json"])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    while !lines.next().unwrap().unwrap().contains("OpenAPI") {}
    // Saved at start (signing keys included), through the directory `.`, with no temporary file left.
    let mode = std::fs::metadata(dir.join("state.json"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    assert_eq!(names, ["state.json"]);
    drop(child);
    std::fs::remove_dir_all(&dir).unwrap();
}

//! Projects of every kind through the binary, configured by the `STYTCH_EMULATOR_*` variables as a container is:
//! B2B projects, custom issuers, a pinned signing key, and a state file that remembers them.

use std::process::{Command, Stdio};

use serde_json::{Value, json};
use stytch_m2m_core::auth::{
    AuthError, AuthenticateOptions, InvalidToken, ProjectKind, TokenVerifier,
};
use stytch_m2m_core::models::{CreateRequest, Secret};
use stytch_m2m_core::transport::Method;
use stytch_m2m_core::{Client, RetryPolicy};
use stytch_m2m_http::HttpTransport;

mod support;
use support::{KillOnDrop, address_of};

const PROJECT: &str = "project-test-66666666-2222-4333-8444-555555555555";
const SECRET: &str = "secret-test-projects-of-every-kind-0123456789";
const KEY: &str = include_str!("../../mock/keys/deterministic-1.pem");

/// The binary on a free port, configured by these variables (and the project's id and secret).
fn start(vars: &[(&str, &str)]) -> (KillOnDrop, String, Client) {
    let child = Command::new(env!("CARGO_BIN_EXE_stytch-m2m-emulator"))
        .env("STYTCH_EMULATOR_PORT", "0")
        .env("STYTCH_EMULATOR_PROJECT_ID", PROJECT)
        .env("STYTCH_EMULATOR_SECRET", SECRET)
        .envs(vars.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let base = format!("http://{}", address_of(&mut child));
    let client = Client::builder(PROJECT, SECRET, HttpTransport::new())
        .base_url(&base)
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    (child, base, client)
}

/// The binary's start with these variables fails; its stderr.
fn refused(vars: &[(&str, &str)]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_stytch-m2m-emulator"))
        .env("STYTCH_EMULATOR_PORT", "0")
        .env("STYTCH_EMULATOR_PROJECT_ID", PROJECT)
        .env("STYTCH_EMULATOR_SECRET", SECRET)
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    assert!(!output.status.success());
    String::from_utf8(output.stderr).unwrap()
}

fn verifier(base: &str) -> stytch_m2m_core::auth::TokenVerifierBuilder {
    TokenVerifier::builder(PROJECT)
        .transport(HttpTransport::new())
        .base_url(base)
}

/// A new client and a token of it.
async fn token(client: &Client) -> Secret {
    let created = client
        .clients()
        .create(CreateRequest::new(["read:invoices"]))
        .await
        .unwrap()
        .m2m_client;
    client
        .token(
            &created.client_id,
            &created.client_secret,
            &["read:invoices"],
        )
        .await
        .unwrap()
        .access_token
}

async fn get(base: &str, path: &str) -> (u16, Value) {
    support::raw(base, Method::Get, path, Vec::new(), None).await
}

fn claims(token: &Secret) -> Value {
    use base64::Engine as _;
    let payload = token.expose_secret().split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn a_b2b_project_serves_its_jwks_on_the_b2b_path_only() {
    let (_child, base, client) = start(&[("STYTCH_EMULATOR_PROJECT_KIND", "b2b")]);
    let token = token(&client).await;
    let (b2b, jwks) = get(&base, &format!("/v1/b2b/sessions/jwks/{PROJECT}")).await;
    assert_eq!(b2b, 200);
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert_eq!(
        get(&base, &format!("/v1/sessions/jwks/{PROJECT}")).await.0,
        404
    );
    let b2b = verifier(&base)
        .project_kind(ProjectKind::B2b)
        .build()
        .unwrap();
    let verified = b2b
        .authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap();
    assert_eq!(verified.scopes(), ["read:invoices"]);
    // A verifier set to the wrong kind cannot find the keys.
    let consumer = verifier(&base).build().unwrap();
    assert!(
        consumer
            .authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_custom_issuer_is_carried_by_tokens_and_discovery_and_accepted_only_when_named() {
    let issuer = "https://login.example.com";
    let (_child, base, client) = start(&[("STYTCH_EMULATOR_ISSUER", issuer)]);
    let token = token(&client).await;
    assert_eq!(claims(&token)["iss"], issuer);
    for path in [
        "/.well-known/openid-configuration".to_owned(),
        "/.well-known/oauth-authorization-server".to_owned(),
        format!("/v1/public/{PROJECT}/.well-known/openid-configuration"),
    ] {
        assert_eq!(get(&base, &path).await.1["issuer"], issuer, "{path}");
    }
    let told = verifier(&base).issuer(issuer).build().unwrap();
    told.authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap();
    let untold = verifier(&base).build().unwrap();
    let refused = untold
        .authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(refused, AuthError::Invalid(InvalidToken::Issuer)),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_pinned_signing_key_publishes_the_same_jwks_on_every_start() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("signing-key.pem");
    std::fs::write(&key, KEY).unwrap();
    let key = key.to_str().unwrap();
    let (first, base, client) = start(&[("STYTCH_EMULATOR_SIGNING_KEY", key)]);
    let token = token(&client).await;
    let jwks = get(&base, &format!("/v1/sessions/jwks/{PROJECT}")).await.1;
    drop(first);
    // The kid is the key's RFC 7638 thumbprint: the same key gives the same JWKS in a new process, which verifies
    // the token of the first.
    let kid = jwks["keys"][0]["kid"].as_str().unwrap().to_owned();
    assert_eq!(kid.len(), 43, "base64url of a SHA-256: {kid}");
    let (_second, base, _client) = start(&[("STYTCH_EMULATOR_SIGNING_KEY", key)]);
    assert_eq!(
        get(&base, &format!("/v1/sessions/jwks/{PROJECT}")).await.1["keys"],
        jwks["keys"]
    );
    verifier(&base)
        .build()
        .unwrap()
        .authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap();
    // Or a kid of one's choosing.
    let (_third, base, _client) = start(&[
        ("STYTCH_EMULATOR_SIGNING_KEY", key),
        ("STYTCH_EMULATOR_SIGNING_KEY_ID", "jwk-test-pinned"),
    ]);
    let jwks = get(&base, &format!("/v1/sessions/jwks/{PROJECT}")).await.1;
    assert_eq!(jwks["keys"][0]["kid"], "jwk-test-pinned");
}

#[test]
fn a_bad_signing_key_is_refused_at_start_naming_the_file_not_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not-a-key.pem");
    std::fs::write(
        &path,
        "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ5dGVz\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let stderr = refused(&[("STYTCH_EMULATOR_SIGNING_KEY", path.to_str().unwrap())]);
    assert!(stderr.contains("not-a-key.pem"), "{stderr}");
    assert!(stderr.contains("not an RSA private key"), "{stderr}");
    assert!(!stderr.contains("c2VjcmV0"), "{stderr}");
    // Given twice (the flag and the seed file): refused rather than one silently winning.
    let seed = dir.path().join("seed.json");
    std::fs::write(
        &seed,
        json!({"signing_key": {"kid": "k", "pkcs8_pem": KEY}}).to_string(),
    )
    .unwrap();
    let key = dir.path().join("key.pem");
    std::fs::write(&key, KEY).unwrap();
    let stderr = refused(&[
        ("STYTCH_EMULATOR_SIGNING_KEY", key.to_str().unwrap()),
        ("STYTCH_EMULATOR_SEED_FILE", seed.to_str().unwrap()),
    ]);
    assert!(stderr.contains("given twice"), "{stderr}");
}

#[tokio::test]
async fn the_seed_file_sets_kind_and_issuer_and_the_state_file_remembers_them() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.json");
    std::fs::write(
        &seed,
        json!({"project_kind": "b2b", "issuer": "https://auth.example.org"}).to_string(),
    )
    .unwrap();
    let state = dir.path().join("state.json");
    let (seed, state) = (seed.to_str().unwrap(), state.to_str().unwrap());
    let (first, base, client) = start(&[
        ("STYTCH_EMULATOR_SEED_FILE", seed),
        ("STYTCH_EMULATOR_STATE", state),
    ]);
    let token = token(&client).await;
    assert_eq!(claims(&token)["iss"], "https://auth.example.org");
    assert_eq!(
        get(&base, &format!("/v1/b2b/sessions/jwks/{PROJECT}"))
            .await
            .0,
        200
    );
    drop(first);
    // Restarted on the state file alone: still B2B, same issuer, and the old token verifies.
    let (_second, base, _client) = start(&[("STYTCH_EMULATOR_STATE", state)]);
    verifier(&base)
        .project_kind(ProjectKind::B2b)
        .issuer("https://auth.example.org")
        .build()
        .unwrap()
        .authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap();
    drop(_second);
    // A flag that contradicts the saved project is an error, never silently ignored.
    let stderr = refused(&[
        ("STYTCH_EMULATOR_STATE", state),
        ("STYTCH_EMULATOR_PROJECT_KIND", "consumer"),
    ]);
    assert!(stderr.contains("b2b project, not consumer"), "{stderr}");
    let stderr = refused(&[
        ("STYTCH_EMULATOR_STATE", state),
        ("STYTCH_EMULATOR_ISSUER", "https://other.example.org"),
    ]);
    assert!(stderr.contains("not https://other.example.org"), "{stderr}");
    let key = dir.path().join("key.pem");
    std::fs::write(&key, KEY).unwrap();
    let stderr = refused(&[
        ("STYTCH_EMULATOR_STATE", state),
        ("STYTCH_EMULATOR_SIGNING_KEY", key.to_str().unwrap()),
    ]);
    assert!(stderr.contains("has no signing key"), "{stderr}");
}

#[test]
fn every_flag_has_a_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_stytch-m2m-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    // `--help` shows each option as a block: its flag line, then its description and `[env: …]`.
    let options = help.split("Options:").nth(1).unwrap();
    let mut blocks: Vec<String> = Vec::new();
    for line in options.lines() {
        let line_start = line.trim_start();
        if line_start.starts_with("--")
            || (line_start.starts_with('-') && line_start.contains(", --"))
        {
            blocks.push(String::new());
        }
        if let Some(block) = blocks.last_mut() {
            block.push_str(line);
            block.push(' ');
        }
    }
    let flags: Vec<&String> = blocks
        .iter()
        .filter(|b| !b.contains("--help") && !b.contains("--version"))
        .collect();
    assert!(flags.len() >= 12, "{help}");
    for flag in flags {
        assert!(flag.contains("[env: STYTCH_EMULATOR_"), "{flag}");
    }
}

#[tokio::test]
async fn the_health_subcommand_probes_a_running_emulator() {
    let (child, base, _client) = start(&[]);
    let port = base.rsplit(':').next().unwrap().to_owned();
    let probe = |port: &str| {
        Command::new(env!("CARGO_BIN_EXE_stytch-m2m-emulator"))
            .args(["health", "--timeout-ms", "5000"])
            .env("STYTCH_EMULATOR_HOST", "0.0.0.0")
            .env("STYTCH_EMULATOR_PORT", port)
            .output()
            .unwrap()
    };
    assert!(probe(&port).status.success());
    drop(child);
    let down = probe(&port);
    assert_eq!(down.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&down.stderr).contains("unhealthy"));
}

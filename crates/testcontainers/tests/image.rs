//! The emulator image through a Docker daemon: `cargo xtask image` first, then
//! `cargo test -p stytch-m2m-testcontainers --features docker-tests`. `.ci/run` does both when it can start a
//! daemon. The daemon here has no bridge network, so the containers run on the host's network.
#![cfg(feature = "docker-tests")]

use std::process::Command;

use serde_json::{Value, json};
use stytch_m2m::auth::{AuthError, AuthenticateOptions, InvalidToken, ProjectKind};
use stytch_m2m::models::{CreateRequest, SearchRequest, Secret, UpdateRequest};
use stytch_m2m_testcontainers::{IMAGE, StytchEmulator};

const KEY: &str = include_str!("../../mock/keys/deterministic-1.pem");

#[tokio::test]
async fn the_lifecycle_and_a_token_check_run_against_the_container() {
    let emulator = StytchEmulator::new()
        .on_host_network()
        .start()
        .await
        .unwrap();
    let client = emulator.client().unwrap();
    let clients = client.clients();

    let created = clients
        .create(CreateRequest::new(["read:invoices"]).client_name("billing"))
        .await
        .unwrap()
        .m2m_client;
    let id = created.client_id.clone();
    assert_eq!(
        clients.get(&id).await.unwrap().m2m_client.client_name,
        "billing"
    );
    let updated = clients
        .update(
            &id,
            UpdateRequest::new().scopes(["read:invoices", "write:invoices"]),
        )
        .await
        .unwrap()
        .m2m_client;
    assert_eq!(updated.scopes, ["read:invoices", "write:invoices"]);
    let found = clients.search(SearchRequest::new()).await.unwrap();
    assert!(found.m2m_clients.iter().any(|c| c.client_id == id));

    // A rotation: the next secret works once completed, the first no longer does.
    let next = clients
        .secrets()
        .rotate_start(&id)
        .await
        .unwrap()
        .m2m_client
        .next_client_secret;
    clients.secrets().rotate(&id).await.unwrap();
    assert!(
        client
            .token(&id, &created.client_secret, &["read:invoices"])
            .await
            .is_err()
    );
    let token = client
        .token(&id, &next, &["write:invoices"])
        .await
        .unwrap()
        .access_token;

    let verified = emulator
        .verifier()
        .unwrap()
        .authenticate_token(
            token.expose_secret(),
            &AuthenticateOptions::new().required_scopes(["write:invoices"]),
        )
        .await
        .unwrap();
    assert_eq!(verified.client_id(), id);

    clients.delete(&id).await.unwrap();
    assert!(clients.get(&id).await.is_err());
}

#[tokio::test]
async fn a_b2b_project_behind_a_custom_domain_runs_in_the_container() {
    let issuer = "https://login.example.com";
    let emulator = StytchEmulator::new()
        .with_project_kind(ProjectKind::B2b)
        .with_issuer(issuer)
        .on_host_network()
        .start()
        .await
        .unwrap();
    let client = emulator.client().unwrap();
    let created = client
        .clients()
        .create(CreateRequest::new(["read:invoices"]))
        .await
        .unwrap()
        .m2m_client;
    let token = client
        .token(
            &created.client_id,
            &created.client_secret,
            &["read:invoices"],
        )
        .await
        .unwrap()
        .access_token;
    // The module's verifier knows the kind and the issuer.
    emulator
        .verifier()
        .unwrap()
        .authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap();
    // One that does not name the issuer refuses the token.
    let untold = stytch_m2m::auth::TokenVerifier::builder(emulator.project_id())
        .transport(stytch_m2m::HttpTransport::new())
        .base_url(emulator.base_url())
        .project_kind(ProjectKind::B2b)
        .build()
        .unwrap();
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
async fn a_mounted_seed_file_gives_known_clients_and_a_known_signing_key() {
    let dir = tempfile_dir();
    let seed = dir.join("seed.json");
    let file = json!({
        "clients": [{
            "client_id": "m2m-client-test-ci-billing",
            "client_secret": "known-secret-for-the-ci-job-0123456789abcdef",
            "scopes": ["read:invoices"],
        }],
        "signing_key": {"kid": "jwk-test-ci", "pkcs8_pem": KEY},
    });
    std::fs::write(&seed, serde_json::to_vec(&file).unwrap()).unwrap();
    // The container runs as an unprivileged user: the file must be readable by it.
    set_mode(&seed, 0o644);

    let emulator = StytchEmulator::new()
        .with_seed_file(&seed)
        .on_host_network()
        .start()
        .await
        .unwrap();
    let client = emulator.client().unwrap();
    let token = client
        .token(
            "m2m-client-test-ci-billing",
            &Secret::new("known-secret-for-the-ci-job-0123456789abcdef".to_owned()),
            &["read:invoices"],
        )
        .await
        .unwrap()
        .access_token;
    let header = decode_part(token.expose_secret(), 0);
    assert_eq!(header["kid"], "jwk-test-ci");
    emulator
        .verifier()
        .unwrap()
        .authenticate_token(token.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn the_image_is_small_runs_unprivileged_and_reports_healthy_to_docker() {
    let inspect = Command::new("docker")
        .args(["image", "inspect", &format!("{IMAGE}:latest")])
        .output()
        .unwrap();
    assert!(inspect.status.success(), "{inspect:?}");
    let image: Value = serde_json::from_slice(&inspect.stdout).unwrap();
    let image = &image[0];
    let size = image["Size"].as_u64().unwrap();
    assert!(size < 20 * 1024 * 1024, "image of {size} bytes");
    assert_eq!(image["Config"]["User"], "65532:65532");
    let env: Vec<&str> = image["Config"]["Env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(env.contains(&"STYTCH_EMULATOR_HOST=0.0.0.0"), "{env:?}");
    assert!(env.contains(&"STYTCH_EMULATOR_PORT=4010"), "{env:?}");
    assert!(image["Config"]["Volumes"]["/data"].is_object(), "{image}");
    assert!(
        image["Config"]["ExposedPorts"]["4010/tcp"].is_object(),
        "{image}"
    );
    // The health check is the binary probing itself: there is no shell.
    let test = image["Config"]["Healthcheck"]["Test"].to_string();
    assert!(test.contains("health"), "{test}");

    // Docker runs that health check and calls the container healthy.
    let emulator = StytchEmulator::new()
        .on_host_network()
        .start()
        .await
        .unwrap();
    let id = emulator.container().id().to_owned();
    let mut status = String::new();
    for _ in 0..100 {
        let out = Command::new("docker")
            .args(["inspect", "--format", "{{.State.Health.Status}}", &id])
            .output()
            .unwrap();
        status = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if status == "healthy" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(status, "healthy");
    // The process is not root.
    let top = Command::new("docker")
        .args(["inspect", "--format", "{{.Config.User}}", &id])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&top.stdout).trim(), "65532:65532");
}

#[tokio::test]
async fn the_project_secret_never_shows_in_debug() {
    let emulator = StytchEmulator::new()
        .with_project("project-test-x", "secret-test-never-printed-0123456789");
    assert!(!format!("{emulator:?}").contains("never-printed"));
    let running = emulator.on_host_network().start().await.unwrap();
    assert!(!format!("{running:?}").contains("never-printed"));
}

fn decode_part(token: &str, index: usize) -> Value {
    use base64::Engine as _;
    let part = token.split('.').nth(index).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

fn tempfile_dir() -> std::path::PathBuf {
    tempfile::tempdir().unwrap().keep()
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

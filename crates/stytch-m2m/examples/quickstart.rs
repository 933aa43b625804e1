//! The whole M2M lifecycle, step by step.
//!
//! `cargo run --example quickstart` runs it against the embedded mock. With `STYTCH_PROJECT_ID` and
//! `STYTCH_SECRET` set (and optionally `STYTCH_BASE_URL`, for example the local emulator
//! `http://127.0.0.1:4010`), it runs the same steps against that server over HTTP.

use stytch_m2m::HttpTransport;
use stytch_m2m::auth::{AuthenticateOptions, TokenVerifier};
use stytch_m2m::mock::MockStytch;
use stytch_m2m::models::{CreateRequest, UpdateRequest, UpdateStatus};
use stytch_m2m::{Client, Error};

fn step(n: u32, text: &str) {
    println!("\n{n}. {text}");
}

fn client() -> Result<Client, Error> {
    match (
        std::env::var("STYTCH_PROJECT_ID"),
        std::env::var("STYTCH_SECRET"),
    ) {
        (Ok(project_id), Ok(secret)) => {
            let mut builder = Client::builder(project_id, secret, HttpTransport::new());
            if let Ok(base_url) = std::env::var("STYTCH_BASE_URL") {
                builder = builder.base_url(base_url);
            }
            let client = builder.build()?;
            println!(
                "Talking to {} over HTTP (project {}).",
                client.base_url(),
                client.project_id()
            );
            Ok(client)
        }
        _ => {
            let mock = MockStytch::new();
            println!(
                "No STYTCH_PROJECT_ID / STYTCH_SECRET: using the embedded mock (project {}).",
                mock.project_id()
            );
            Ok(mock.client())
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = client()?;
    let clients = client.clients();

    step(
        1,
        "Create an M2M client with scopes read:users and write:users",
    );
    let created = clients
        .create(CreateRequest::new(["read:users", "write:users"]).client_name("quickstart"))
        .await?
        .m2m_client;
    let (id, secret) = (created.client_id.clone(), created.client_secret.clone());
    println!(
        "   client_id {id}, secret ending in {} (shown once: {:?})",
        created.client_secret_last_four, created.client_secret
    );

    step(2, "Exchange its credentials for an access token");
    let token = client.token(&id, &secret, &["read:users"]).await?;
    println!(
        "   {} token, expires in {} s",
        token.token_type, token.expires_in
    );

    step(
        3,
        "Authenticate the token locally, requiring read:users, as a service would: with a TokenVerifier (no project secret)",
    );
    let verifier = TokenVerifier::builder(client.project_id())
        .shared_transport(client.transport().clone())
        .base_url(client.base_url())
        .build()?;
    let options = AuthenticateOptions::new().required_scopes(["read:users"]);
    let verified = verifier
        .authenticate_token(token.access_token.expose_secret(), &options)
        .await?;
    println!(
        "   accepted: issued to {} with scopes {:?}",
        verified.client_id(),
        verified.scopes()
    );

    step(4, "Require a scope the token lacks (delete:users)");
    let refused = verifier
        .authenticate_token(
            token.access_token.expose_secret(),
            &AuthenticateOptions::new().required_scopes(["delete:users"]),
        )
        .await;
    match refused {
        Err(e) => println!("   refused with {}, as it should be: {e}", e.http_status()),
        Ok(_) => println!("   UNEXPECTED: accepted"),
    }

    step(
        5,
        "Rotate the secret: start, get a token with the new secret, complete",
    );
    let next = clients
        .secrets()
        .rotate_start(&id)
        .await?
        .m2m_client
        .next_client_secret;
    println!(
        "   rotation started; next secret ends in {}",
        next.last_four()
    );
    client.token(&id, &next, stytch_m2m::NO_SCOPES).await?;
    println!("   the new secret works (and the old one still does until completion)");
    let rotated = clients.secrets().rotate(&id).await?.m2m_client;
    println!(
        "   rotation completed; the secret now ends in {}",
        rotated.client_secret_last_four
    );
    match client.token(&id, &secret, stytch_m2m::NO_SCOPES).await {
        Err(e) => println!("   the old secret is refused: {e}"),
        Ok(_) => println!("   UNEXPECTED: the old secret still works"),
    }

    step(6, "Deactivate the client: it can no longer get tokens");
    clients
        .update(&id, UpdateRequest::new().status(UpdateStatus::Inactive))
        .await?;
    match client.token(&id, &next, stytch_m2m::NO_SCOPES).await {
        Err(e) => println!("   token refused: {e}"),
        Ok(_) => println!("   UNEXPECTED: an inactive client got a token"),
    }

    step(7, "Delete the client");
    clients.delete(&id).await?;
    match clients.get(&id).await {
        Err(e) => println!("   get now fails: {e}"),
        Ok(_) => println!("   UNEXPECTED: the client is still there"),
    }

    println!("\nDone.");
    Ok(())
}

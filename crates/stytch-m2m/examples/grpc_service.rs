//! A gRPC service that accepts Stytch M2M access tokens, holding no project secret.
//!
//! `cargo run --example grpc_service` serves plaintext HTTP/2 on `127.0.0.1:$PORT` (default
//! 50051; 0 picks a free port) and prints `Listening on http://127.0.0.1:PORT`:
//! - `/helloworld.Greeter/SayHello` needs the scope `read:greetings`; the reply names the caller's client id;
//! - `/grpc.health.v1.Health/Check` answers `SERVING` without a token.
//!
//! Refusals are gRPC statuses: 16 `UNAUTHENTICATED` (no, malformed, invalid, expired or foreign token), 7
//! `PERMISSION_DENIED` (a missing scope, named in `grpc-message`), 14 `UNAVAILABLE` (the keys cannot be checked).
//!
//! With `STYTCH_PROJECT_ID` (and optionally `STYTCH_BASE_URL`, such as the emulator's, and `STYTCH_ISSUER`, a
//! custom domain's issuer) tokens are checked against that project's JWKS. Without it, the embedded mock plays
//! Stytch and a demo token is printed.

#[path = "common/env.rs"]
mod env;
#[path = "common/greeter.rs"]
mod greeter;

use stytch_m2m::mock::MockStytch;
use stytch_m2m::models::CreateRequest;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", env::port(50051))).await?;
    let base = format!("http://{}", listener.local_addr()?);

    let verifier = match env::verifier()? {
        Some((verifier, _)) => verifier,
        None => {
            let mock = MockStytch::new();
            let demo = mock
                .seed_client(CreateRequest::new([greeter::SCOPE]).client_name("demo"))
                .expect("the demo client is valid");
            let token = mock
                .token_provider(&demo.client_id, demo.client_secret)
                .token([greeter::SCOPE])
                .await?;
            println!(
                "No STYTCH_PROJECT_ID: the embedded mock plays Stytch (project {}).",
                mock.project_id()
            );
            println!("A demo token for {} (valid one hour):\n", demo.client_id);
            println!("  TOKEN={}\n", token.expose_secret());
            let address = base.trim_start_matches("http://");
            println!(
                "  grpcurl -plaintext -H \"authorization: Bearer $TOKEN\" -d '{{\"name\": \"you\"}}' {address} helloworld.Greeter/SayHello\n"
            );
            mock.verifier()
        }
    };

    println!("Listening on {base}");
    axum::serve(listener, greeter::router(verifier)).await?;
    Ok(())
}

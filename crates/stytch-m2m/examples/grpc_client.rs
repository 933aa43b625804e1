//! A gRPC client that calls `grpc_service` with M2M tokens: a `TokenProvider` (no project secret) behind
//! `AttachM2mToken`, wrapping a tonic `Channel`.
//!
//! `GRPC_URL=http://127.0.0.1:50051 STYTCH_PROJECT_ID=… STYTCH_BASE_URL=… M2M_CLIENT_ID=… M2M_CLIENT_SECRET=…
//! cargo run --example grpc_client` calls the health check, then `SayHello` (scope
//! `read:greetings`). Without `STYTCH_PROJECT_ID`, it starts `grpc_service`'s router itself on the embedded mock
//! and calls that.

#[path = "common/greeter.rs"]
mod greeter;

use stytch_m2m::HttpTransport;
use stytch_m2m::auth::TokenProvider;
use stytch_m2m::middleware::AttachM2mToken;
use stytch_m2m::mock::MockStytch;
use stytch_m2m::models::CreateRequest;
use tower::ServiceBuilder;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (url, provider) = match std::env::var("STYTCH_PROJECT_ID") {
        Ok(project_id) => {
            let mut builder = TokenProvider::builder(
                project_id,
                std::env::var("M2M_CLIENT_ID")?,
                std::env::var("M2M_CLIENT_SECRET")?,
            )
            .transport(HttpTransport::new());
            if let Ok(base_url) = std::env::var("STYTCH_BASE_URL") {
                builder = builder.base_url(base_url);
            }
            let url = std::env::var("GRPC_URL").unwrap_or_else(|_| "http://127.0.0.1:50051".into());
            (url, builder.build()?)
        }
        Err(_) => {
            let mock = MockStytch::new();
            let caller = mock
                .seed_client(CreateRequest::new([greeter::SCOPE]).client_name("caller"))
                .expect("the caller is valid");
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let url = format!("http://{}", listener.local_addr()?);
            tokio::spawn(axum::serve(listener, greeter::router(mock.verifier())).into_future());
            println!("No STYTCH_PROJECT_ID: the greeter runs on the embedded mock at {url}.");
            (
                url,
                mock.token_provider(caller.client_id, caller.client_secret),
            )
        }
    };
    let channel = tonic::transport::Endpoint::from_shared(url)?
        .connect()
        .await?;
    let health = greeter::check(channel.clone()).await?;
    println!("health: {} (1 is SERVING; no token needed)", health.status);
    let with_tokens = ServiceBuilder::new()
        .layer(AttachM2mToken::new(provider, [greeter::SCOPE]))
        .service(channel);
    let reply = greeter::say_hello(with_tokens, "grpc_client").await?;
    println!("SayHello: {}", reply.message);
    Ok(())
}

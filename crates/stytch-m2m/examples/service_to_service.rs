//! One service calling another with M2M tokens, both ends in one process.
//!
//! `cargo run --example service_to_service` uses the embedded mock as Stytch: it starts the invoices resource
//! server (the router of `resource_server`) on 127.0.0.1, then calls it through the outbound layer, which gets a
//! token from a `TokenProvider` and attaches it to every request. Each step is printed.

#[path = "common/invoices.rs"]
mod invoices;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use stytch_m2m::auth::TokenProvider;
use stytch_m2m::middleware::AttachM2mToken;
use stytch_m2m::mock::MockStytch;
use stytch_m2m::models::CreateRequest;
use tower::{Service as _, ServiceBuilder, ServiceExt as _};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mock = MockStytch::new();
    println!(
        "1. The embedded mock plays Stytch (project {}).",
        mock.project_id()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(axum::serve(listener, invoices::router(mock.verifier())).into_future());
    println!("2. The invoices service listens on {base}; it holds a TokenVerifier, no secret.");

    let billing = mock
        .seed_client(CreateRequest::new(["read:invoices"]).client_name("billing"))
        .expect("the billing client is valid");
    // A calling service holds its own client's credentials and the project id, never the project secret. In
    // production the transport is `HttpTransport::new()`; here it is the mock.
    let provider = TokenProvider::builder(
        mock.project_id(),
        billing.client_id.clone(),
        billing.client_secret,
    )
    .transport(mock.clone())
    .build()?;
    println!(
        "3. The billing service is M2M client {} with scope read:invoices; it holds its own secret, not the \
         project's.",
        billing.client_id
    );

    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let mut client = ServiceBuilder::new()
        .layer(AttachM2mToken::new(provider.clone(), ["read:invoices"]))
        .service(http);
    println!("4. Its HTTP client goes through AttachM2mToken.");

    for (step, method) in [(5, "GET"), (6, "GET"), (7, "POST")] {
        let request = http::Request::builder()
            .method(method)
            .uri(format!("{base}/invoices"))
            .body(Full::new(Bytes::new()))?;
        let response = client.ready().await?.call(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        println!(
            "{step}. {method} /invoices -> {status} {} (token exchanges so far: {})",
            String::from_utf8_lossy(&body),
            token_exchanges(&mock)
        );
    }
    println!("   The POST is refused: billing lacks write:invoices (403, insufficient_scope).");
    Ok(())
}

/// Token exchanges the mock has answered.
fn token_exchanges(mock: &MockStytch) -> usize {
    mock.requests()
        .iter()
        .filter(|r| r.url.contains("/oauth2/token"))
        .count()
}

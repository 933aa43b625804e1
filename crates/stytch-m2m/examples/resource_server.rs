//! A resource server that accepts Stytch M2M access tokens, holding no project secret.
//!
//! `cargo run --example resource_server` binds `127.0.0.1:$PORT` (default 3000):
//! - `GET /health` is open;
//! - `GET /invoices` needs the scope `read:invoices`;
//! - `POST /invoices` needs `write:invoices` and answers `{"client_id": …}` with the caller's client id;
//! - `GET /metrics` is open: the SDK's metrics (`stytch_m2m_…`) in Prometheus text, through
//!   `metrics-exporter-prometheus` (feature `metrics`; durations as histograms).
//!
//! With `STYTCH_PROJECT_ID` set (and optionally `STYTCH_BASE_URL`, such as the emulator's), tokens are checked
//! against that project's JWKS over HTTPS. Without it, the embedded mock plays Stytch: a demo client is created,
//! and its token is printed with the curl commands that use it.

#[path = "common/env.rs"]
mod env;
#[path = "common/invoices.rs"]
mod invoices;

use stytch_m2m::mock::MockStytch;
use stytch_m2m::models::CreateRequest;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", env::port(3000))).await?;
    let base = format!("http://{}", listener.local_addr()?);

    let verifier = match env::verifier()? {
        Some((verifier, _)) => verifier,
        None => {
            let mock = MockStytch::new();
            let demo = mock
                .seed_client(
                    CreateRequest::new(["read:invoices", "write:invoices"]).client_name("demo"),
                )
                .expect("the demo client is valid");
            let token = mock
                .client()
                .token(
                    &demo.client_id,
                    &demo.client_secret,
                    &["read:invoices", "write:invoices"],
                )
                .await?
                .access_token;
            println!(
                "No STYTCH_PROJECT_ID: the embedded mock plays Stytch (project {}).",
                mock.project_id()
            );
            println!("A demo token for {} (valid one hour):\n", demo.client_id);
            println!("  TOKEN={}\n", token.expose_secret());
            println!("  curl {base}/health");
            println!("  curl -H \"Authorization: Bearer $TOKEN\" {base}/invoices");
            println!("  curl -X POST -H \"Authorization: Bearer $TOKEN\" {base}/invoices");
            println!("  curl -i {base}/invoices   # 401 with WWW-Authenticate\n");
            mock.verifier()
        }
    };

    // The SDK records through the `metrics` facade; the application picks the exporter. Durations (`…_seconds`)
    // become Prometheus histograms.
    let prometheus = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets_for_metric(
            metrics_exporter_prometheus::Matcher::Suffix("_seconds".into()),
            &[0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0],
        )?
        .install_recorder()?;
    // The keys fetched and every token-check series registered (at zero) before the first request.
    if let Err(e) = verifier.warm_up().await {
        eprintln!("The JWKS is not available yet (checks will fetch it): {e}");
    }
    let router = invoices::router(verifier).route(
        "/metrics",
        axum::routing::get(move || std::future::ready(prometheus.render())),
    );

    println!("Listening on {base}");
    axum::serve(listener, router).await?;
    Ok(())
}

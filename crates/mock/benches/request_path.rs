//! The mock's request path on one thread: what an authenticated `get` costs on top of building the request,
//! split into routing with the credential check and the whole `handle` (journal, engine, response body); then a
//! `get` answered in place (`get_now`, as the emulator answers one) with the journal and, on a mock that keeps
//! no journal, without it: the journal's cost. Prints nanoseconds per request for three rounds; compare the rows
//! of one run (the machine is shared and noisy).
//!
//! `cargo bench -p stytch-m2m-mock --bench request_path`

use std::time::{Duration, Instant};

use base64::Engine as _;
use stytch_m2m_core::transport::{HttpRequest, Method};
use stytch_m2m_mock::{JournalLimits, MockStytch, wire};

const PROJECT: &str = "project-test-5e5e5e5e-1111-4222-8333-444444444444";
const SECRET: &str = "secret-test-request-path-0123456789abcdef";
const N: u32 = 200_000;

fn per_request(elapsed: Duration) -> f64 {
    elapsed.as_nanos() as f64 / f64::from(N)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mock = MockStytch::builder()
            .project_id(PROJECT)
            .secret(SECRET)
            .build();
        let authorization = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{PROJECT}:{SECRET}"))
        );
        let create = HttpRequest::new(Method::Post, "/v1/m2m/clients")
            .with_header("authorization", &authorization)
            .with_header("content-type", "application/json")
            .with_body(r#"{"scopes":["read:invoices"],"client_name":"bench","trusted_metadata":{"team":"billing"}}"#);
        let created = mock.handle(create.clone()).await.expect("created");
        let created: serde_json::Value = serde_json::from_slice(&created.body).expect("JSON");
        let id = created["m2m_client"]["client_id"].as_str().expect("an id");
        let url = format!("/v1/m2m/clients/{id}");
        // The same project keeping no journal, holding the same one client.
        let unjournaled = MockStytch::builder()
            .project_id(PROJECT)
            .secret(SECRET)
            .journal(JournalLimits::new(0, 0))
            .build();
        let other: serde_json::Value = serde_json::from_slice(
            &unjournaled.handle(create.clone()).await.expect("created").body,
        )
        .expect("JSON");
        let other_id = other["m2m_client"]["client_id"].as_str().expect("an id");
        let get = || {
            HttpRequest::new(Method::Get, url.as_str())
                .with_header("host", "127.0.0.1:4010")
                .with_header("authorization", &authorization)
        };
        for round in 1..=3 {
            let start = Instant::now();
            for _ in 0..N {
                std::hint::black_box(get());
            }
            let build = per_request(start.elapsed());
            let start = Instant::now();
            for _ in 0..N {
                let request = get();
                let routed = wire::route(request.method, &request.url);
                let authorized = wire::project_authorized(mock.engine(), &request);
                assert!(authorized);
                std::hint::black_box(routed);
            }
            let checked = per_request(start.elapsed()) - build;
            let start = Instant::now();
            for _ in 0..N {
                let answered = mock.handle(get()).await.expect("answered");
                assert_eq!(answered.status, 200);
                std::hint::black_box(answered);
            }
            let handled = per_request(start.elapsed()) - build;
            let request = get();
            let mut in_place = [0.0; 2];
            // Interleaved in slices, so that both see the same machine.
            for _ in 0..10 {
                for ((mock, id), total) in [(&mock, id), (&unjournaled, other_id)]
                    .into_iter()
                    .zip(&mut in_place)
                {
                    let start = Instant::now();
                    for _ in 0..N / 10 {
                        let answered = mock.get_now(&request, id).expect("no fault armed");
                        std::hint::black_box(answered);
                    }
                    *total += per_request(start.elapsed());
                }
            }
            let [journaled, bare] = in_place;
            println!(
                "round {round}: building a get {build:.0} ns; route and credentials {checked:.0} ns; handle {handled:.0} ns; \
                 get_now {journaled:.0} ns, of which the journal {:.0} ns",
                journaled - bare
            );
        }
    });
}

//! The contract suite over the HTTP transport, against the emulator served in-process on 127.0.0.1, port 0.

use std::sync::Arc;

use stytch_m2m_emulator::Emulator;
use stytch_m2m_http::HttpTransport;
use stytch_m2m_mock::MockStytch;
use stytch_m2m_tests::{Target, contract_suite};

async fn emulator_target() -> Target {
    let mock = MockStytch::builder()
        .key_grace(stytch_m2m_tests::KEY_GRACE)
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let address = listener.local_addr().unwrap();
    // The server task ends with the test's runtime.
    tokio::spawn(Emulator::new(mock.clone()).serve(listener, std::future::pending()));
    Target {
        transport: Arc::new(HttpTransport::new()),
        project_id: mock.project_id().to_owned(),
        secret: mock.project_secret().clone(),
        base_url: format!("http://{address}"),
        controls: mock,
    }
}

contract_suite!(emulator_target());

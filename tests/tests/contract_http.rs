//! The contract suite over the HTTP transport, against the emulator served in-process on 127.0.0.1, port 0,
//! through the harness users get ([`TestEmulator`]).

use std::sync::Arc;

use stytch_m2m_emulator::TestEmulator;
use stytch_m2m_http::HttpTransport;
use stytch_m2m_mock::MockStytch;
use stytch_m2m_tests::{Target, contract_suite};

async fn emulator_target() -> Target {
    let mock = MockStytch::builder()
        .key_grace(stytch_m2m_tests::KEY_GRACE)
        .build();
    let emulator = TestEmulator::serve(mock.clone())
        .await
        .expect("serve on 127.0.0.1:0");
    Target {
        transport: Arc::new(HttpTransport::new()),
        project_id: emulator.project_id().to_owned(),
        secret: emulator.project_secret().clone(),
        base_url: emulator.base_url().to_owned(),
        controls: mock,
        // The server stops when the target, and so the harness, is dropped.
        keep_alive: Some(Arc::new(emulator)),
    }
}

contract_suite!(emulator_target());

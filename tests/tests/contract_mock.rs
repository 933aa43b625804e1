//! The contract suite against the in-memory mock transport.

use std::sync::Arc;

use stytch_m2m_mock::MockStytch;
use stytch_m2m_tests::{Target, contract_suite};

async fn mock_target() -> Target {
    let mock = MockStytch::builder()
        .key_grace(stytch_m2m_tests::KEY_GRACE)
        .build();
    Target {
        transport: Arc::new(mock.clone()),
        project_id: mock.project_id().to_owned(),
        secret: mock.project_secret().clone(),
        base_url: "https://test.stytch.com".to_owned(),
        controls: mock,
        keep_alive: None,
    }
}

contract_suite!(mock_target());

//! Deterministic mode: the ids and secrets a test creates follow from the seed and from what the test does, never
//! from how many other requests (health probes, reads) reached the mock first.

use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_core::transport::{HttpRequest, Method, Transport as _};
use stytch_m2m_mock::MockStytch;

async fn create(mock: &MockStytch) -> (String, String) {
    let m = mock
        .client()
        .clients()
        .create(CreateRequest::new(["a"]))
        .await
        .unwrap()
        .m2m_client;
    (m.client_id, m.client_secret.expose_secret().to_owned())
}

#[tokio::test]
async fn other_requests_do_not_move_ids_and_secrets() {
    let quiet = MockStytch::builder().deterministic(7).build();
    let busy = MockStytch::builder().deterministic(7).build();
    for _ in 0..5 {
        // Unauthenticated reads and probes: each is answered with a request id.
        let probe = HttpRequest::new(Method::Get, "/v1/m2m/clients/nobody");
        assert_eq!(busy.send(probe).await.unwrap().status, 401);
        let jwks = HttpRequest::new(
            Method::Get,
            format!("/v1/sessions/jwks/{}", busy.project_id()),
        );
        assert_eq!(busy.send(jwks).await.unwrap().status, 200);
    }
    assert_eq!(create(&quiet).await, create(&busy).await);
    assert_eq!(create(&quiet).await, create(&busy).await);
    // Request ids are still reproducible from the seed, request by request.
    let again = MockStytch::builder().deterministic(7).build();
    let fresh = MockStytch::builder().deterministic(7).build();
    assert_eq!(again.engine().request_id(), fresh.engine().request_id());
}

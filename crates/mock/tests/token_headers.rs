//! RFC 6749 §5.1: token responses carry `Cache-Control: no-store` (and `Pragma: no-cache`), the JWKS its own
//! `max-age`, and a refused exchange is not cached either.

use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_core::transport::{HttpRequest, Method, Transport as _};
use stytch_m2m_mock::MockStytch;

async fn exchange(mock: &MockStytch, form: String) -> stytch_m2m_core::transport::HttpResponse {
    let request = HttpRequest::new(
        Method::Post,
        format!("/v1/public/{}/oauth2/token", mock.project_id()),
    )
    .with_header("content-type", "application/x-www-form-urlencoded")
    .with_body(form.into_bytes());
    mock.send(request).await.unwrap()
}

#[tokio::test]
async fn token_answers_are_never_stored() {
    let mock = MockStytch::new();
    let m = mock.seed_client(CreateRequest::new(["a"])).unwrap();
    let ok = exchange(
        &mock,
        format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            m.client_id,
            m.client_secret.expose_secret()
        ),
    )
    .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.headers.get("cache-control"), Some("no-store"));
    assert_eq!(ok.headers.get("pragma"), Some("no-cache"));
    let refused = exchange(
        &mock,
        format!(
            "grant_type=client_credentials&client_id={}&client_secret=wrong-secret",
            m.client_id
        ),
    )
    .await;
    assert!(refused.status >= 400, "{}", refused.status);
    assert_eq!(refused.headers.get("cache-control"), Some("no-store"));
}

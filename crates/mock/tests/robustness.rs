//! Untrusted request bytes never panic the mock, and a refused request changes nothing.

use proptest::prelude::*;
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_core::transport::{Headers, HttpRequest, Method};
use stytch_m2m_mock::MockStytch;
use stytch_m2m_mock::wire;

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Get),
        Just(Method::Post),
        Just(Method::Put),
        Just(Method::Delete)
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/v1/m2m/clients".to_owned()),
        Just("/v1/m2m/clients/search".to_owned()),
        Just("/v1/m2m/clients/known".to_owned()),
        Just("/v1/m2m/clients/known/secrets/rotate/start".to_owned()),
        Just("/v1/m2m/clients/known/secrets/rotate".to_owned()),
        "/v1/[a-z%0-9/]{0,30}",
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        "\\{(\"(scopes|client_id|client_secret|trusted_metadata|query|limit|cursor|operands|filter_name|filter_value|status)\":(null|1|\"x y\"|\\[\\]|\\[\"a\"\\]|\\{\\}|\\[1\\]),?){0,4}\\}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_request_gets_an_answer(method in method(), path in path(), body in body(), auth in any::<bool>()) {
        let mock = MockStytch::builder().deterministic(1).build();
        mock.seed_client(CreateRequest::new(["a"]).client_id("known")).unwrap();
        let mut headers = Headers::new();
        if auth {
            use base64::Engine as _;
            let credentials = format!("{}:{}", mock.project_id(), mock.project_secret().expose_secret());
            headers.insert("authorization", format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials)));
        }
        let before = mock.engine().get("known").unwrap();
        let request = HttpRequest::new(method, format!("http://127.0.0.1{path}")).with_headers(headers).with_body(body);
        let response = wire::handle(mock.engine(), &request);
        let json: serde_json::Value = serde_json::from_slice(&response.body).expect("always JSON");
        prop_assert_eq!(json["status_code"].as_u64(), Some(u64::from(response.status)));
        prop_assert!(json["request_id"].is_string());
        if response.status >= 400 {
            prop_assert!(json["error_type"].is_string() || json["error"].is_string());
            if let Ok(after) = mock.engine().get("known") {
                prop_assert_eq!(after, before, "a refused request changed the client");
            }
        }
    }
}

/// The project's credentials are accepted however an SDK writes the header (the text every SDK sends is compared
/// first, anything else decoded), and nothing else is.
#[test]
fn project_credentials_are_accepted_in_every_spelling_and_nothing_else_is() {
    use base64::Engine as _;
    let mock = MockStytch::builder()
        .project_id("project-test-00000000-0000-4000-8000-000000000000")
        .secret("secret-test-credentials-0123456789")
        .build();
    let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let exact = encode(
        "project-test-00000000-0000-4000-8000-000000000000:secret-test-credentials-0123456789",
    );
    let authorized = |value: Option<String>| {
        let mut request = HttpRequest::new(Method::Get, "/v1/m2m/clients/x");
        if let Some(value) = value {
            request.headers.insert("Authorization", value);
        }
        wire::project_authorized(mock.engine(), &request)
    };
    assert!(authorized(Some(format!("Basic {exact}"))));
    assert!(authorized(Some(format!("basic {exact}"))));
    assert!(authorized(Some(format!("  BASIC   {exact}  "))));
    // The same length, one byte of the secret different.
    let wrong = encode(
        "project-test-00000000-0000-4000-8000-000000000000:secret-test-credentials-0123456788",
    );
    assert_eq!(wrong.len(), exact.len());
    assert!(!authorized(Some(format!("Basic {wrong}"))));
    assert!(!authorized(Some(format!("Bearer {exact}"))));
    assert!(!authorized(Some(format!("Basic {exact}x"))));
    assert!(!authorized(Some("Basic".to_owned())));
    assert!(!authorized(None));
    let other_project = encode(
        "project-test-00000000-0000-4000-8000-000000000001:secret-test-credentials-0123456789",
    );
    assert!(!authorized(Some(format!("Basic {other_project}"))));
}

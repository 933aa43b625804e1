//! Error shapes and the server's rules.

use super::*;

/// Every error carries the five Stytch fields (or the OAuth2 ones on the token endpoint).
pub async fn error_shapes(t: &Target) {
    let (status, body) = t
        .raw(
            Method::Get,
            "/v1/m2m/clients/m2m-client-test-missing",
            None,
            true,
        )
        .await;
    assert_eq!(status, 404);
    for field in [
        "status_code",
        "request_id",
        "error_type",
        "error_message",
        "error_url",
    ] {
        assert!(
            body.get(field).is_some_and(|v| !v.is_null()),
            "missing {field}: {body}"
        );
    }
    assert_eq!(body["error_type"], "m2m_client_not_found");
    assert_eq!(
        body["error_message"],
        "The m2m client requested could not be found."
    );

    let (status, body) = t.raw(Method::Get, "/v1/m2m/clients/x", None, false).await;
    assert_eq!(
        (status, body["error_type"].as_str()),
        (401, Some("unauthorized_credentials"))
    );
    let wrong = t.client_with_secret(Secret::new("secret-test-wrong"));
    assert_eq!(
        api_error(wrong.clients().get("x").await),
        (401, ErrorType::UnauthorizedCredentials)
    );

    let (status, body) = t.raw(Method::Get, "/v1/nowhere", None, true).await;
    assert_eq!(
        (status, body["error_type"].as_str()),
        (404, Some("route_not_found"))
    );
    let (status, body) = t.raw(Method::Get, "/v1/m2m/clients", None, true).await;
    assert_eq!(
        (status, body["error_type"].as_str()),
        (405, Some("method_not_allowed"))
    );

    let token_path = format!("/v1/public/{}/oauth2/token", t.project_id);
    let (status, body) = t
        .raw(
            Method::Post,
            &token_path,
            Some(r#"{"grant_type":"password"}"#),
            false,
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "unsupported_grant_type");
    for field in [
        "status_code",
        "request_id",
        "error",
        "error_description",
        "error_uri",
    ] {
        assert!(
            body.get(field).is_some_and(|v| !v.is_null()),
            "missing {field}: {body}"
        );
    }
}

/// The server enforces its rules on raw requests (any language may call it), with Stytch's error types.
pub async fn server_rules_refuse_bad_input(t: &Target) {
    let cases: &[(&str, &str, u16, &str)] = &[
        (
            "/v1/m2m/clients",
            r#"{"scopes":["read users"]}"#,
            400,
            "invalid_m2m_client_scope",
        ),
        ("/v1/m2m/clients", r#"{}"#, 400, "bad_request"),
        (
            "/v1/m2m/clients",
            r#"{"scopes":[]}"#,
            400,
            "invalid_m2m_client_scope",
        ),
        (
            "/v1/m2m/clients",
            r#"{"scopes":["a"],"client_secret":"password1"}"#,
            400,
            "insecure_m2m_client_secret",
        ),
        (
            "/v1/m2m/clients",
            r#"{"scopes":["a"],"client_secret":"short"}"#,
            400,
            "m2m_client_invalid_client_secret",
        ),
        (
            "/v1/m2m/clients",
            r#"{"scopes":["a"],"client_id":"has space"}"#,
            400,
            "m2m_client_invalid_client_id",
        ),
        ("/v1/m2m/clients", r#"{"scopes":"a"}"#, 400, "bad_request"),
        ("/v1/m2m/clients", r#"{"scopes":["a"]"#, 400, "bad_request"),
        ("/v1/m2m/clients", r#"[1]"#, 400, "bad_request"),
        (
            "/v1/m2m/clients/search",
            r#"{"limit":1001}"#,
            400,
            "bad_request",
        ),
        (
            "/v1/m2m/clients/search",
            r#"{"cursor":"not-a-cursor"}"#,
            400,
            "bad_request",
        ),
        (
            "/v1/m2m/clients/search",
            r#"{"query":{"operator":"AND","operands":[{"filter_value":["a"]}]}}"#,
            400,
            "m2m_search_missing_filter_name",
        ),
        (
            "/v1/m2m/clients/search",
            r#"{"query":{"operator":"AND","operands":[{"filter_name":1,"filter_value":["a"]}]}}"#,
            400,
            "m2m_search_filter_name_must_be_string",
        ),
        (
            "/v1/m2m/clients/search",
            r#"{"query":{"operator":"AND","operands":[{"filter_name":"color","filter_value":["a"]}]}}"#,
            400,
            "m2m_search_filter_name_not_recognized",
        ),
        (
            "/v1/m2m/clients/search",
            r#"{"query":{"operator":"AND","operands":[{"filter_name":"scopes"}]}}"#,
            400,
            "m2m_search_missing_filter_value",
        ),
        (
            "/v1/m2m/clients/search",
            r#"{"query":{"operator":"AND","operands":[{"filter_name":"scopes","filter_value":"a"}]}}"#,
            400,
            "m2m_search_expected_array_of_strings",
        ),
        (
            "/v1/m2m/clients/search",
            r#"{"query":{"operator":"AND","operands":[{"filter_name":"scopes","filter_value":[1]}]}}"#,
            400,
            "m2m_search_expected_array_of_strings",
        ),
    ];
    for (path, body, status, error_type) in cases {
        let (got, answer) = t.raw(Method::Post, path, Some(body), true).await;
        assert_eq!(
            (got, answer["error_type"].as_str()),
            (*status, Some(*error_type)),
            "{path} {body}: {answer}"
        );
    }
    let many_keys: Map<String, Value> = (0..21).map(|i| (format!("k{i}"), json!(i))).collect();
    let body = json!({"scopes": ["a"], "trusted_metadata": many_keys}).to_string();
    let (status, answer) = t
        .raw(Method::Post, "/v1/m2m/clients", Some(&body), true)
        .await;
    assert_eq!(
        (status, answer["error_type"].as_str()),
        (400, Some("metadata_too_many_keys"))
    );

    // An update that would break a rule changes nothing (all or nothing).
    let c = t.client();
    let id = c
        .clients()
        .create(CreateRequest::new(["a"]).client_name("intact"))
        .await
        .unwrap()
        .m2m_client
        .client_id;
    let big = "x".repeat(3000);
    c.clients()
        .update(
            &id,
            UpdateRequest::new().trusted_metadata(metadata(json!({"a": big}))),
        )
        .await
        .unwrap();
    let body =
        json!({"client_name": "changed", "trusted_metadata": {"b": "y".repeat(3000)}}).to_string();
    let (status, answer) = t
        .raw(
            Method::Put,
            &format!("/v1/m2m/clients/{id}"),
            Some(&body),
            true,
        )
        .await;
    assert_eq!(
        (status, answer["error_type"].as_str()),
        (400, Some("metadata_too_large"))
    );
    assert_eq!(
        c.clients().get(&id).await.unwrap().m2m_client.client_name,
        "intact"
    );
}

/// Bodies are read strictly (our choice where Stytch's handling is unknown): a JSON object where every SDK sends
/// one, no body or an object on get and delete, anything else a 400 in Stytch's error shape; and a path with an
/// empty segment names no route.
pub async fn bodies_and_paths_are_strict(t: &Target) {
    let c = t.client();
    let id = create_with_scopes(&c, &["a"]).await.client_id;
    let start = format!("/v1/m2m/clients/{id}/secrets/rotate/start");
    for body in [
        None,
        Some(""),
        Some("[]"),
        Some("\"\""),
        Some("\u{0}"),
        Some("null"),
        Some("1"),
    ] {
        let (status, answer) = t.raw(Method::Post, &start, body, true).await;
        assert_eq!(
            (status, answer["error_type"].as_str()),
            (400, Some("bad_request")),
            "rotate/start with {body:?}: {answer}"
        );
        assert_eq!(answer["status_code"], 400);
        assert!(answer["request_id"].is_string() && answer["error_url"].is_string());
    }
    for body in [None, Some("null"), Some("[]")] {
        let (status, _) = t
            .raw(Method::Post, "/v1/m2m/clients/search", body, true)
            .await;
        assert_eq!(status, 400, "search with {body:?}");
    }
    for body in [Some("[]"), Some("\u{0}")] {
        let (status, _) = t
            .raw(Method::Get, &format!("/v1/m2m/clients/{id}"), body, true)
            .await;
        assert_eq!(status, 400, "get with {body:?}");
    }
    // Nothing was half-applied: the client is not rotating.
    let got = c.clients().get(&id).await.unwrap().m2m_client;
    assert_eq!(got.next_client_secret_last_four, None);
    for path in [
        "//v1//m2m///clients",
        "/v1/m2m//clients",
        "/v1/m2m/clients/",
    ] {
        let (status, answer) = t
            .raw(Method::Post, path, Some(r#"{"scopes":["a"]}"#), true)
            .await;
        assert_eq!(
            (status, answer["error_type"].as_str()),
            (404, Some("route_not_found")),
            "{path}"
        );
    }
}

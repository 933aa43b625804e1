//! The scenarios. Each takes a fresh [`Target`] and asserts what real Stytch does.

use futures_util::TryStreamExt as _;
use serde_json::{Map, Value, json};
use stytch_m2m_core::models::*;
use stytch_m2m_core::transport::Method;
use stytch_m2m_core::{Error, ErrorType};

use crate::Target;

fn metadata(value: Value) -> Map<String, Value> {
    value.as_object().cloned().expect("an object")
}

/// Creates a client with these scopes (and nothing else) and returns it with its secret.
async fn create_with_scopes(
    c: &stytch_m2m_core::Client,
    scopes: &[&str],
) -> M2mClientWithClientSecret {
    c.clients()
        .create(CreateRequest::new(scopes.iter().copied()))
        .await
        .unwrap()
        .m2m_client
}

fn api_error(result: Result<impl std::fmt::Debug, Error>) -> (u16, ErrorType) {
    match result {
        Err(Error::Api(e)) => (e.status, e.error_type.clone().expect("error_type present")),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Create, then get: the fields come back; the secret is shown once and its last four match.
pub async fn create_and_get(t: &Target) {
    let c = t.client();
    let created = c
        .clients()
        .create(
            CreateRequest::new(["read:users", "write:users"])
                .client_name("billing")
                .client_description("Bills people.")
                .trusted_metadata(metadata(json!({"tier": "gold", "limits": {"rps": 5}}))),
        )
        .await
        .unwrap();
    let m = &created.m2m_client;
    assert!(
        m.client_id.starts_with("m2m-client-test-"),
        "{}",
        m.client_id
    );
    assert_eq!(m.client_secret.expose_secret().len(), 44);
    assert_eq!(m.client_secret_last_four, m.client_secret.last_four());
    assert_eq!(m.status, ClientStatus::Active);
    assert_eq!(m.next_client_secret_last_four, None);
    assert_eq!(created.status_code, 200);
    assert!(created.request_id.starts_with("request-id-test-"));

    let got = c.clients().get(&m.client_id).await.unwrap().m2m_client;
    assert_eq!(got.client_name, "billing");
    assert_eq!(got.client_description, "Bills people.");
    assert_eq!(got.scopes, ["read:users", "write:users"]);
    assert_eq!(
        got.trusted_metadata,
        Some(metadata(json!({"tier": "gold", "limits": {"rps": 5}})))
    );
    assert_eq!(got.client_secret_last_four, m.client_secret_last_four);

    // Unset name and description come back as empty strings.
    let bare = create_with_scopes(&c, &["a"]).await;
    let bare = c.clients().get(&bare.client_id).await.unwrap().m2m_client;
    assert_eq!(
        (bare.client_name.as_str(), bare.client_description.as_str()),
        ("", "")
    );
}

/// Import a client with its own id and secret; the id must be unique.
pub async fn import_and_duplicates(t: &Target) {
    let c = t.client();
    let imported = c
        .clients()
        .create(
            CreateRequest::new(["read:users"])
                .client_id("legacy-billing")
                .client_secret("x7Kp2QmZ-imported"),
        )
        .await
        .unwrap()
        .m2m_client;
    assert_eq!(imported.client_id, "legacy-billing");
    assert_eq!(imported.client_secret.expose_secret(), "x7Kp2QmZ-imported");
    assert_eq!(imported.client_secret_last_four, "rted");
    let token = c
        .token(
            "legacy-billing",
            &Secret::new("x7Kp2QmZ-imported"),
            stytch_m2m_core::NO_SCOPES,
        )
        .await;
    assert!(token.is_ok(), "{token:?}");
    let again = c
        .clients()
        .create(CreateRequest::new(["a"]).client_id("legacy-billing"))
        .await;
    assert_eq!(api_error(again), (400, ErrorType::DuplicateM2mClientId));
}

/// Search by scope, id and name with AND/OR; pages follow the cursor; totals count every match.
pub async fn search_and_paging(t: &Target) {
    let c = t.client();
    let mut ids = Vec::new();
    for i in 0..7 {
        let scopes = if i % 2 == 0 {
            vec!["paging:x", "even:y"]
        } else {
            vec!["paging:x"]
        };
        let req = CreateRequest::new(scopes).client_name(format!("pager-{i}"));
        ids.push(c.clients().create(req).await.unwrap().m2m_client.client_id);
    }
    c.clients()
        .create(CreateRequest::new(["other:z"]))
        .await
        .unwrap();

    let by_scope = || SearchRequest::all_of([SearchOperand::scopes(["paging:x"])]);
    let first = c.clients().search(by_scope().limit(3)).await.unwrap();
    assert_eq!(first.results_metadata.total, 7);
    assert_eq!(first.m2m_clients.len(), 3);
    let cursor = first
        .results_metadata
        .next_cursor
        .clone()
        .expect("more pages");
    let second = c
        .clients()
        .search(by_scope().limit(3).cursor(cursor))
        .await
        .unwrap();
    assert_eq!(second.m2m_clients.len(), 3);
    let third = c
        .clients()
        .search(
            by_scope()
                .limit(3)
                .cursor(second.results_metadata.next_cursor.clone().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(third.m2m_clients.len(), 1);
    assert_eq!(third.results_metadata.next_cursor, None);
    let paged: Vec<String> = [first, second, third]
        .into_iter()
        .flat_map(|p| p.m2m_clients.into_iter().map(|m| m.client_id))
        .collect();
    assert_eq!(
        paged, ids,
        "pages are in a stable (creation) order with no gap or repeat"
    );

    let all: Vec<M2mClient> = c
        .clients()
        .search_all(by_scope().limit(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 7);

    let even_and_name = SearchRequest::all_of([
        SearchOperand::scopes(["even:y"]),
        SearchOperand::client_names(["pager-0", "pager-1", "pager-2"]),
    ]);
    let found = c.clients().search(even_and_name).await.unwrap();
    let names: Vec<&str> = found
        .m2m_clients
        .iter()
        .map(|m| m.client_name.as_str())
        .collect();
    assert_eq!(names, ["pager-0", "pager-2"]);

    let by_ids_or_scope = SearchRequest::any_of([
        SearchOperand::client_ids([ids[1].as_str(), "m2m-client-test-unknown"]),
        SearchOperand::scopes(["other:z"]),
    ]);
    assert_eq!(
        c.clients()
            .search(by_ids_or_scope)
            .await
            .unwrap()
            .results_metadata
            .total,
        2
    );

    // No query, or no operands: everything.
    assert_eq!(
        c.clients()
            .search(SearchRequest::new())
            .await
            .unwrap()
            .results_metadata
            .total,
        8
    );
    let empty = SearchRequest::all_of([]);
    assert_eq!(
        c.clients()
            .search(empty)
            .await
            .unwrap()
            .results_metadata
            .total,
        8
    );
    // A scope no one has: nothing, no cursor.
    let none = c
        .clients()
        .search(SearchRequest::all_of([SearchOperand::scopes([
            "nobody:has",
        ])]))
        .await
        .unwrap();
    assert_eq!(
        (
            none.results_metadata.total,
            none.results_metadata.next_cursor
        ),
        (0, None)
    );
}

/// Update replaces the given fields, merges metadata at the top level (null deletes), keeps the rest.
pub async fn update_merges_and_replaces(t: &Target) {
    let c = t.client();
    let id = c
        .clients()
        .create(
            CreateRequest::new(["read:users"])
                .client_name("before")
                .client_description("kept")
                .trusted_metadata(metadata(
                    json!({"keep": 1, "drop": 2, "nested": {"a": 1, "b": 2}}),
                )),
        )
        .await
        .unwrap()
        .m2m_client
        .client_id;
    let updated = c
        .clients()
        .update(
            &id,
            UpdateRequest::new()
                .client_name("after")
                .scopes(["read:users", "write:users"])
                .trusted_metadata(metadata(
                    json!({"drop": null, "nested": {"c": 3}, "new": true}),
                )),
        )
        .await
        .unwrap()
        .m2m_client;
    assert_eq!(updated.client_name, "after");
    assert_eq!(updated.client_description, "kept");
    assert_eq!(updated.scopes, ["read:users", "write:users"]);
    assert_eq!(
        updated.trusted_metadata,
        Some(metadata(
            json!({"keep": 1, "nested": {"c": 3}, "new": true})
        ))
    );
    assert_eq!(c.clients().get(&id).await.unwrap().m2m_client, updated);
    // An empty update changes nothing.
    let same = c
        .clients()
        .update(&id, UpdateRequest::new())
        .await
        .unwrap()
        .m2m_client;
    assert_eq!(same, updated);
    // An update of a missing client is a 404 and creates nothing.
    let missing = c
        .clients()
        .update(
            "m2m-client-test-missing",
            UpdateRequest::new().client_name("x"),
        )
        .await;
    assert_eq!(api_error(missing), (404, ErrorType::M2mClientNotFound));
}

/// Token exchange: all scopes by default, a covered subset on request, refusals for the rest.
pub async fn token_exchange(t: &Target) {
    let c = t.client();
    let m = create_with_scopes(&c, &["read:users", "write:*"]).await;
    let token = c
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap();
    assert_eq!(
        (token.token_type.as_str(), token.expires_in),
        ("bearer", 3600)
    );
    assert_eq!(token.access_token.expose_secret().split('.').count(), 3);
    let claims = payload(token.access_token.expose_secret());
    assert_eq!(claims["scope"], "read:users write:*");
    assert_eq!(claims["sub"], m.client_id.as_str());
    assert_eq!(claims["aud"], json!([t.project_id]));
    assert_eq!(claims["iss"], format!("stytch.com/{}", t.project_id));
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        3600
    );

    let narrowed = c
        .token(&m.client_id, &m.client_secret, &["write:books"])
        .await
        .unwrap();
    assert_eq!(
        payload(narrowed.access_token.expose_secret())["scope"],
        "write:books"
    );
    let refused = c
        .token(
            &m.client_id,
            &m.client_secret,
            &["read:users", "delete:users"],
        )
        .await;
    assert_eq!(api_error(refused), (400, ErrorType::InvalidScope));
    let wrong = c
        .token(
            &m.client_id,
            &Secret::new("wrong-secret-1"),
            stytch_m2m_core::NO_SCOPES,
        )
        .await;
    assert_eq!(api_error(wrong), (400, ErrorType::InvalidClient));
    let unknown = c
        .token(
            "m2m-client-test-nobody",
            &m.client_secret,
            stytch_m2m_core::NO_SCOPES,
        )
        .await;
    assert_eq!(api_error(unknown), (400, ErrorType::InvalidClient));
}

/// The JWT payload of a token, decoded without verification.
pub fn payload(jwt: &str) -> Value {
    use base64::Engine as _;
    let part = jwt.split('.').nth(1).expect("three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON")
}

/// Rotation: start (both secrets work), cancel (next discarded), start again and complete (old stops working).
pub async fn rotation_lifecycle(t: &Target) {
    let c = t.client();
    let m = create_with_scopes(&c, &["read:users"]).await;
    let (id, old) = (m.client_id.clone(), m.client_secret.clone());
    let secrets = c.clients().secrets();

    let started = secrets.rotate_start(&id).await.unwrap().m2m_client;
    let next = started.next_client_secret.clone();
    assert_eq!(
        started.next_client_secret_last_four.as_deref(),
        Some(next.last_four())
    );
    assert_eq!(started.client_secret_last_four, old.last_four());
    assert!(c.token(&id, &old, stytch_m2m_core::NO_SCOPES).await.is_ok());
    assert!(
        c.token(&id, &next, stytch_m2m_core::NO_SCOPES)
            .await
            .is_ok()
    );
    assert_eq!(
        api_error(secrets.rotate_start(&id).await),
        (400, ErrorType::M2mClientAlreadyRotatingSecret)
    );

    let cancelled = secrets.rotate_cancel(&id).await.unwrap().m2m_client;
    assert_eq!(cancelled.next_client_secret_last_four, None);
    assert_eq!(
        api_error(c.token(&id, &next, stytch_m2m_core::NO_SCOPES).await),
        (400, ErrorType::InvalidClient)
    );
    assert!(c.token(&id, &old, stytch_m2m_core::NO_SCOPES).await.is_ok());
    assert_eq!(
        api_error(secrets.rotate_cancel(&id).await),
        (400, ErrorType::M2mClientNotRotatingSecret)
    );
    assert_eq!(
        api_error(secrets.rotate(&id).await),
        (400, ErrorType::M2mClientNotRotatingSecret)
    );

    let next = secrets
        .rotate_start(&id)
        .await
        .unwrap()
        .m2m_client
        .next_client_secret;
    let completed = secrets.rotate(&id).await.unwrap().m2m_client;
    assert_eq!(completed.client_secret_last_four, next.last_four());
    assert_eq!(completed.next_client_secret_last_four, None);
    assert_eq!(
        api_error(c.token(&id, &old, stytch_m2m_core::NO_SCOPES).await),
        (400, ErrorType::InvalidClient)
    );
    assert!(
        c.token(&id, &next, stytch_m2m_core::NO_SCOPES)
            .await
            .is_ok()
    );
    assert_eq!(
        api_error(secrets.rotate_start("m2m-client-test-missing").await),
        (404, ErrorType::M2mClientNotFound)
    );
}

/// An inactive client gets no token; reactivated, it does again.
pub async fn deactivate_refuses_tokens(t: &Target) {
    let c = t.client();
    let m = create_with_scopes(&c, &["read:users"]).await;
    let off = c
        .clients()
        .update(
            &m.client_id,
            UpdateRequest::new().status(UpdateStatus::Inactive),
        )
        .await
        .unwrap();
    assert_eq!(off.m2m_client.status, ClientStatus::Inactive);
    let refused = c
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await;
    assert_eq!(api_error(refused), (400, ErrorType::UnauthorizedClient));
    c.clients()
        .update(
            &m.client_id,
            UpdateRequest::new().status(UpdateStatus::Active),
        )
        .await
        .unwrap();
    assert!(
        c.token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
            .await
            .is_ok()
    );
}

/// Delete: the client is gone for get, delete, rotation and tokens.
pub async fn delete_then_not_found(t: &Target) {
    let c = t.client();
    let m = create_with_scopes(&c, &["read:users"]).await;
    let deleted = c.clients().delete(&m.client_id).await.unwrap();
    assert_eq!(deleted.client_id, m.client_id);
    assert_eq!(
        api_error(c.clients().get(&m.client_id).await),
        (404, ErrorType::M2mClientNotFound)
    );
    assert_eq!(
        api_error(c.clients().delete(&m.client_id).await),
        (404, ErrorType::M2mClientNotFound)
    );
    let token = c
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await;
    assert_eq!(api_error(token), (400, ErrorType::InvalidClient));
    let search = c
        .clients()
        .search(SearchRequest::all_of([SearchOperand::client_ids([m
            .client_id
            .as_str()])]))
        .await;
    assert_eq!(search.unwrap().results_metadata.total, 0);
}

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

/// What the official SDKs of other languages put on the wire is accepted (reference section 3.3).
pub async fn official_sdk_variants_are_accepted(t: &Target) {
    // rust: every unset field as null.
    let (status, created) = t
        .raw(
            Method::Post,
            "/v1/m2m/clients",
            Some(r#"{"client_id":null,"client_secret":null,"client_name":null,"client_description":null,"scopes":["read:users"],"trusted_metadata":null}"#),
            true,
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let id = created["m2m_client"]["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = created["m2m_client"]["client_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(created["m2m_client"]["next_client_secret_last_four"].is_null());
    // rust: every non-alphanumeric percent-encoded; GET with a query string and a JSON body.
    let encoded: String = id
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() {
                ch.to_string()
            } else {
                format!("%{:02X}", ch as u32)
            }
        })
        .collect();
    let (status, got) = t
        .raw(
            Method::Get,
            &format!("/v1/m2m/clients/{encoded}?client_id={id}"),
            Some("{}"),
            true,
        )
        .await;
    assert_eq!(
        (status, got["m2m_client"]["client_id"].as_str()),
        (200, Some(id.as_str()))
    );
    // python/go/java/rust: client_id repeated in the update body; rust: nulls.
    let body = json!({"client_id": id, "client_name": "renamed", "status": null, "scopes": null, "trusted_metadata": null}).to_string();
    let (status, updated) = t
        .raw(
            Method::Put,
            &format!("/v1/m2m/clients/{id}"),
            Some(&body),
            true,
        )
        .await;
    assert_eq!(
        (status, updated["m2m_client"]["client_name"].as_str()),
        (200, Some("renamed"))
    );
    // java: `[]` and `{}` mean no change.
    let (status, updated) = t
        .raw(
            Method::Put,
            &format!("/v1/m2m/clients/{id}"),
            Some(r#"{"scopes":[],"trusted_metadata":{}}"#),
            true,
        )
        .await;
    assert_eq!(
        (status, updated["m2m_client"]["scopes"].clone()),
        (200, json!(["read:users"]))
    );
    // rust: search with nulls; docs: an empty-string cursor.
    let (status, _) = t
        .raw(
            Method::Post,
            "/v1/m2m/clients/search",
            Some(r#"{"cursor":null,"limit":null,"query":null}"#),
            true,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = t
        .raw(
            Method::Post,
            "/v1/m2m/clients/search",
            Some(r#"{"limit":200,"cursor":"","query":{"operator":"AND","operands":[]}}"#),
            true,
        )
        .await;
    assert_eq!(status, 200);
    // Rotation bodies: {} (node, ruby), {"client_id"} (python, go, java, rust), none.
    let rotate = |suffix: &str| format!("/v1/m2m/clients/{id}/secrets/rotate{suffix}");
    assert_eq!(
        t.raw(
            Method::Post,
            &rotate("/start"),
            Some(&json!({"client_id": id}).to_string()),
            true
        )
        .await
        .0,
        200
    );
    assert_eq!(
        t.raw(Method::Post, &rotate("/cancel"), Some("{}"), true)
            .await
            .0,
        200
    );
    assert_eq!(
        t.raw(Method::Post, &rotate("/start"), None, true).await.0,
        200
    );
    assert_eq!(
        t.raw(Method::Post, &rotate(""), Some("null"), true).await.0,
        200
    );

    // Token: python/ruby JSON with project Basic auth; rust JSON with a `scopes` array; java JSON labelled as form;
    // node/go form; credentials in Basic auth.
    let (_, got) = t
        .raw(Method::Get, &format!("/v1/m2m/clients/{id}"), None, true)
        .await;
    assert_eq!(
        got["m2m_client"]["next_client_secret_last_four"],
        Value::Null
    );
    let (_, rotated) = t.raw(Method::Post, &rotate("/start"), None, true).await;
    let next = rotated["m2m_client"]["next_client_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    t.raw(Method::Post, &rotate(""), None, true).await;
    let token_path = format!("/v1/public/{}/oauth2/token", t.project_id);
    let python = json!({"client_id": id, "client_secret": next, "grant_type": "client_credentials", "scope": "read:users"}).to_string();
    let (status, answer) = t.raw(Method::Post, &token_path, Some(&python), true).await;
    assert_eq!(
        (status, answer["token_type"].as_str()),
        (200, Some("bearer")),
        "{answer}"
    );
    let rust = json!({"client_id": id, "client_secret": next, "grant_type": "client_credentials", "scopes": ["read:users"]}).to_string();
    assert_eq!(
        t.raw(Method::Post, &token_path, Some(&rust), false).await.0,
        200
    );
    let old = json!({"client_id": id, "client_secret": secret, "grant_type": "client_credentials"})
        .to_string();
    assert_eq!(
        t.raw(Method::Post, &token_path, Some(&old), false).await.0,
        400,
        "the old secret stopped working"
    );

    use stytch_m2m_core::transport::{Headers, HttpRequest};
    let form = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", form_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    };
    let mut headers = Headers::new();
    headers.insert("content-type", "application/x-www-form-urlencoded");
    let java = HttpRequest::new(Method::Post, format!("{}{token_path}", t.base_url))
        .with_headers(headers.clone())
        .with_body(rust.clone().into_bytes());
    assert_eq!(t.send(java).await.0, 200);
    let node = HttpRequest::new(Method::Post, format!("{}{token_path}", t.base_url))
        .with_headers(headers.clone())
        .with_body(
            form(&[
                ("client_id", &id),
                ("client_secret", &next),
                ("grant_type", "client_credentials"),
                ("scope", "read:users"),
            ])
            .into_bytes(),
        );
    let (status, answer) = t.send(node).await;
    assert_eq!(status, 200, "{answer}");
    use base64::Engine as _;
    let mut basic = headers;
    basic.insert(
        "authorization",
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{id}:{next}"))
        ),
    );
    let rfc = HttpRequest::new(Method::Post, format!("{}{token_path}", t.base_url))
        .with_headers(basic)
        .with_body(b"grant_type=client_credentials".to_vec());
    assert_eq!(t.send(rfc).await.0, 200);

    // DELETE with a body (node `{}`, rust `{"client_id"}`) or none.
    assert_eq!(
        t.raw(
            Method::Delete,
            &format!("/v1/m2m/clients/{id}"),
            Some(&json!({"client_id": id}).to_string()),
            true
        )
        .await
        .0,
        200
    );
    assert_eq!(
        t.raw(Method::Delete, &format!("/v1/m2m/clients/{id}"), None, true)
            .await
            .0,
        404
    );
}

fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn auth_error(
    result: Result<stytch_m2m_core::AuthenticatedToken, stytch_m2m_core::AuthError>,
) -> stytch_m2m_core::AuthError {
    match result {
        Err(e) => e,
        other => panic!("expected an authentication error, got {other:?}"),
    }
}

/// Local authentication: scopes, custom claims, custom authorization, maximum age.
pub async fn authenticate_tokens(t: &Target) {
    use std::time::Duration;
    use stytch_m2m_core::auth::{AuthError, AuthenticateOptions};
    let c = t.client();
    let m = create_with_scopes(&c, &["read:users", "write:*", "admin"]).await;
    t.controls
        .engine()
        .set_custom_claims(
            &m.client_id,
            metadata(json!({"tenant": "acme", "tier": {"level": 2}})),
        )
        .unwrap();
    let token = c
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token;
    let jwt = token.expose_secret();

    let ok = c
        .authenticate_token(
            jwt,
            &AuthenticateOptions::new().required_scopes(["read:users", "write:books", "admin"]),
        )
        .await
        .unwrap();
    assert_eq!(ok.client_id(), m.client_id);
    assert_eq!(ok.scopes(), ["read:users", "write:*", "admin"]);
    assert_eq!(
        ok.custom_claims(),
        &metadata(json!({"tenant": "acme", "tier": {"level": 2}}))
    );
    // The same token again (from the verified-token cache) gives the same answer.
    assert_eq!(
        c.authenticate_token(jwt, &AuthenticateOptions::new())
            .await
            .unwrap(),
        ok
    );
    // A verifier without the project secret agrees.
    let verifier = t.verifier();
    let by_verifier = verifier
        .authenticate_token(
            jwt,
            &AuthenticateOptions::new().required_scopes(["read:users"]),
        )
        .await
        .unwrap();
    assert_eq!(by_verifier.client_id(), m.client_id);
    assert_eq!(by_verifier.custom_claims(), ok.custom_claims());

    let refused = c
        .authenticate_token(
            jwt,
            &AuthenticateOptions::new().required_scopes(["read:users", "delete:users", "read:*"]),
        )
        .await;
    match auth_error(refused) {
        AuthError::MissingScopes(missing) => assert_eq!(missing, ["delete:users", "read:*"]),
        other => panic!("{other:?}"),
    }
    let custom = AuthenticateOptions::new()
        .required_scopes(["anything"])
        .authorize_with(|check| {
            check.has_scopes.iter().any(|s| s == "admin") && check.required_scopes == ["anything"]
        });
    assert!(c.authenticate_token(jwt, &custom).await.is_ok());
    let deny = AuthenticateOptions::new()
        .required_scopes(["read:users"])
        .authorize_with(|_| false);
    assert!(
        matches!(auth_error(c.authenticate_token(jwt, &deny).await), AuthError::MissingScopes(s) if s == ["read:users"])
    );

    // Maximum age: now - iat >= max fails; 0 always fails.
    let young = AuthenticateOptions::new().max_token_age(Duration::from_secs(100));
    assert!(c.authenticate_token(jwt, &young).await.is_ok());
    let zero = AuthenticateOptions::new().max_token_age(Duration::ZERO);
    assert!(matches!(
        auth_error(c.authenticate_token(jwt, &zero).await),
        AuthError::TooOld {
            max_age_secs: 0,
            ..
        }
    ));
    t.controls.clock().advance(Duration::from_secs(100));
    assert!(matches!(
        auth_error(c.authenticate_token(jwt, &young).await),
        AuthError::TooOld {
            max_age_secs: 100,
            ..
        }
    ));

    // A narrowed token carries only what was asked.
    let narrow = c
        .token(&m.client_id, &m.client_secret, &["write:books"])
        .await
        .unwrap()
        .access_token;
    let narrow = c
        .authenticate_token(narrow.expose_secret(), &AuthenticateOptions::new())
        .await
        .unwrap();
    assert_eq!(narrow.scopes(), ["write:books"]);
    // A deactivated client gets no new token, but its tokens stay valid until they expire (Stytch's rule).
    c.clients()
        .update(
            &m.client_id,
            UpdateRequest::new().status(UpdateStatus::Inactive),
        )
        .await
        .unwrap();
    assert!(
        c.authenticate_token(jwt, &AuthenticateOptions::new())
            .await
            .is_ok()
    );
}

/// Tokens expire with the server's clock: valid to the last second, refused after, tolerance honoured.
pub async fn token_expiry_follows_the_clock(t: &Target) {
    use std::time::Duration;
    use stytch_m2m_core::auth::{AuthError, AuthenticateOptions, InvalidToken};
    let c = t.client();
    let m = create_with_scopes(&c, &["read:users"]).await;
    let token = c
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token;
    let jwt = token.expose_secret();
    let exact = AuthenticateOptions::new().clock_tolerance(Duration::ZERO);
    let default = AuthenticateOptions::new();
    assert!(c.authenticate_token(jwt, &exact).await.is_ok());
    t.controls.clock().advance(Duration::from_secs(3599));
    assert!(c.authenticate_token(jwt, &exact).await.is_ok());
    t.controls.clock().advance(Duration::from_secs(1));
    assert!(matches!(
        auth_error(c.authenticate_token(jwt, &exact).await),
        AuthError::Invalid(InvalidToken::Expired)
    ));
    // The default tolerance (5 s) still accepts it, up to 5 s past `exp`.
    assert!(c.authenticate_token(jwt, &default).await.is_ok());
    t.controls.clock().advance(Duration::from_secs(4));
    assert!(c.authenticate_token(jwt, &default).await.is_ok());
    t.controls.clock().advance(Duration::from_secs(1));
    assert!(matches!(
        auth_error(c.authenticate_token(jwt, &default).await),
        AuthError::Invalid(InvalidToken::Expired)
    ));
    let lenient = AuthenticateOptions::new().clock_tolerance(Duration::from_secs(30));
    assert!(c.authenticate_token(jwt, &lenient).await.is_ok());
    // A fresh client (no cache) agrees.
    let fresh = t.client();
    assert!(matches!(
        auth_error(fresh.authenticate_token(jwt, &exact).await),
        AuthError::Invalid(InvalidToken::Expired)
    ));
}

/// Signing keys rotate: new tokens use the new kid (one JWKS refetch), old tokens verify during the grace period
/// and are refused once their key left the JWKS.
pub async fn signing_key_rotation(t: &Target) {
    use std::time::Duration;
    use stytch_m2m_core::auth::{AuthError, AuthenticateOptions, InvalidToken, JwksPolicy};
    // Nothing cached past one call: every authentication asks the JWKS again.
    let c = t.client_with_jwks(
        JwksPolicy::default()
            .with_ttl(Duration::ZERO)
            .with_ttl_bounds(Duration::ZERO, Duration::ZERO)
            .with_max_stale(Duration::ZERO)
            .with_cooldown(Duration::ZERO),
    );
    let m = create_with_scopes(&c, &["read:users"]).await;
    let old = c
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token;
    let options = AuthenticateOptions::new();
    assert!(
        c.authenticate_token(old.expose_secret(), &options)
            .await
            .is_ok()
    );

    let new_kid = t.controls.rotate_signing_key();
    let new = c
        .token(&m.client_id, &m.client_secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap()
        .access_token;
    assert!(new.expose_secret().starts_with(&old.expose_secret()[..2]));
    assert!(
        c.authenticate_token(new.expose_secret(), &options)
            .await
            .is_ok(),
        "the new kid is fetched"
    );
    assert!(
        c.authenticate_token(old.expose_secret(), &options)
            .await
            .is_ok(),
        "the old key is still published"
    );

    t.controls
        .clock()
        .advance(crate::KEY_GRACE + Duration::from_secs(1));
    match auth_error(c.authenticate_token(old.expose_secret(), &options).await) {
        AuthError::Invalid(InvalidToken::UnknownKey(kid)) => assert_ne!(kid, new_kid),
        other => panic!("{other:?}"),
    }
    assert!(
        c.authenticate_token(new.expose_secret(), &options)
            .await
            .is_ok()
    );
}

//! The HTTP request of every operation (snapshots, authorization redacted) and the decoding of every documented
//! response and error body.

mod support;

use serde_json::{Value, json};
use stytch_m2m_core::Error;
use stytch_m2m_core::models::ErrorType;
use stytch_m2m_core::models::*;
use support::*;

fn snapshot_of(request: &stytch_m2m_core::transport::HttpRequest) -> Value {
    let body = if request.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&request.body).unwrap()
    };
    json!({
        "method": request.method.as_str(),
        "url": request.url,
        "headers": request.headers.redacted(),
        "body": body,
    })
}

#[tokio::test]
async fn every_operation_sends_the_documented_request() {
    let get = fixture("GetResponse.get.json");
    let t = Scripted::new([
        Scripted::json(200, &fixture("CreateResponse.create.json")),
        Scripted::json(200, &get),
        Scripted::json(200, &fixture("SearchResponse.search.json")),
        Scripted::json(200, &get),
        Scripted::json(200, &fixture("DeleteResponse.delete.json")),
        Scripted::json(200, &fixture("RotateStartResponse.rotate_start.json")),
        Scripted::json(200, &get),
        Scripted::json(200, &fixture("RotateResponse.rotate.json")),
    ]);
    let client = t.client();
    let c = client.clients();
    let id = "m2m-client-test-d731954d/with space";
    let mut metadata = serde_json::Map::new();
    metadata.insert("tier".into(), json!("gold"));
    c.create(
        CreateRequest::new(["read:users", "write:users"])
            .client_name("billing")
            .trusted_metadata(metadata),
    )
    .await
    .unwrap();
    c.get(id).await.unwrap();
    c.search(SearchRequest::any_of([SearchOperand::client_ids(["a", "b"])]).limit(10))
        .await
        .unwrap();
    c.update(
        id,
        UpdateRequest::new()
            .status(UpdateStatus::Inactive)
            .scopes(["read:users"]),
    )
    .await
    .unwrap();
    c.delete(id).await.unwrap();
    c.secrets().rotate_start(id).await.unwrap();
    c.secrets().rotate_cancel(id).await.unwrap();
    c.secrets().rotate(id).await.unwrap();

    let requests = t.requests();
    assert_eq!(requests.len(), 8);
    let expected_auth = format!(
        "Basic {}",
        base64_encode(&format!("{PROJECT_ID}:{PROJECT_SECRET}"))
    );
    for r in &requests {
        assert_eq!(r.headers.get("authorization"), Some(expected_auth.as_str()));
        assert!(
            r.headers
                .get("user-agent")
                .unwrap()
                .starts_with("stytch-m2m-rust/")
        );
    }
    let snapshots: Vec<Value> = requests.iter().map(snapshot_of).collect();
    insta::assert_json_snapshot!("requests_of_every_operation", snapshots, {
        "[].headers[1][1]" => "[user-agent]"
    });
}

fn base64_encode(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[tokio::test]
async fn documented_responses_decode() {
    let t = Scripted::new([
        Scripted::json(200, &fixture("GetResponse.get.json")),
        Scripted::json(200, &fixture("SearchResponse.search.json")),
        Scripted::json(200, &fixture("GetResponse.unknown_status_and_field.json")),
    ]);
    let client = t.client();
    let got = client
        .clients()
        .get("m2m-client-test-d731954d-dab3-4a2b-bdee-07f3ad1be885")
        .await
        .unwrap();
    assert_eq!(got.m2m_client.client_secret_last_four, "DzJj");
    let page = client.clients().search(SearchRequest::new()).await.unwrap();
    assert_eq!(page.results_metadata.total, 1);
    assert_eq!(page.results_metadata.next_cursor, None);
    let odd = client.clients().get("x").await.unwrap();
    assert_eq!(odd.m2m_client.status.as_str(), "suspended");
}

async fn error_for(status: u16, body: &str) -> Error {
    let t = Scripted::new([Scripted::json(status, body)]);
    let client = t.client_with(stytch_m2m_core::RetryPolicy::disabled(), Default::default());
    client.clients().get("m2m-client-test-1").await.unwrap_err()
}

#[tokio::test]
async fn documented_errors_decode() {
    let e = error_for(404, &fixture("ErrorResponse.not_found.json")).await;
    assert_eq!(e.status(), Some(404));
    assert_eq!(e.error_type(), Some(&ErrorType::M2mClientNotFound));
    assert_eq!(
        e.request_id(),
        Some("request-id-test-b05c992f-ebdc-489d-a754-c7e70ba13141")
    );
    assert!(!e.is_retryable());
    let api = e.as_api().unwrap();
    assert_eq!(
        api.error_message.as_deref(),
        Some("The m2m client requested could not be found.")
    );
    // The raw response is there for what the SDK does not model.
    assert_eq!(api.raw().status(), 404);
    let raw: serde_json::Value = serde_json::from_slice(api.raw().body()).unwrap();
    assert_eq!(raw["status_code"], 404);
    assert!(
        !format!("{:?}", api.raw()).contains("could not be found"),
        "Debug omits the body"
    );
    assert_eq!(
        api.error_url.as_deref(),
        Some("https://stytch.com/docs/api/errors/404")
    );

    let e = error_for(401, &fixture("ErrorResponse.unauthorized.json")).await;
    assert_eq!(e.error_type(), Some(&ErrorType::UnauthorizedCredentials));

    let e = error_for(418, &fixture("ErrorResponse.teapot.json")).await;
    assert_eq!(e.error_type().map(ErrorType::as_str), Some("is_a_teapot"));
    assert_eq!(
        e.to_string(),
        "Stytch answered 418 is_a_teapot: I'm a teapot! (request_id request-id-test-b05c992f-ebdc-489d-a754-c7e70ba13141)"
    );

    // OAuth2 style, mapped onto the same fields.
    let e = error_for(400, r#"{"status_code":400,"request_id":"r-1","error":"invalid_client","error_description":"Bad secret.","error_uri":"https://x"}"#).await;
    let api = e.as_api().unwrap();
    assert_eq!(api.error_type, Some(ErrorType::InvalidClient));
    assert_eq!(api.error_message.as_deref(), Some("Bad secret."));
    assert_eq!(api.error_url.as_deref(), Some("https://x"));
    assert_eq!(e.request_id(), Some("r-1"));
    let e = error_for(400, &fixture("OAuth2ErrorResponse.invalid_client.json")).await;
    assert_eq!(e.error_type(), Some(&ErrorType::InvalidClient));

    // Missing fields are tolerated.
    let e = error_for(500, "{}").await;
    assert_eq!(e.status(), Some(500));
    assert_eq!(e.error_type(), None);
}

#[tokio::test]
async fn undecodable_bodies_are_errors_not_panics() {
    let e = error_for(502, "<html><body>Bad Gateway</body></html>").await;
    assert!(matches!(e, Error::Decode(_)), "{e:?}");
    assert_eq!(e.status(), Some(502));
    assert!(e.is_retryable());
    assert!(e.to_string().contains("Bad Gateway"));

    let t = Scripted::new([Scripted::json(
        200,
        r#"{"status_code":200,"m2m_client":{"client_id":"#,
    )]);
    let e = t.client().clients().get("x").await.unwrap_err();
    assert!(
        matches!(e, Error::Decode(ref d) if d.status == 200),
        "{e:?}"
    );

    let t = Scripted::new([Scripted::json(
        200,
        r#"{"status_code":200,"request_id":"r","m2m_client":[]}"#,
    )]);
    let e = t.client().clients().get("x").await.unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e:?}");

    // A truncated create response holds a secret: the snippet withholds it.
    let created = fixture("CreateResponse.create.json");
    let t = Scripted::new([Scripted::json(200, &created[..created.len() - 40])]);
    let e = t
        .client()
        .clients()
        .create(CreateRequest::new(["a"]))
        .await
        .unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(!text.contains("NHQhc7ZqsXJVtgmN2MXr1etqsQrGAwJ"), "{text}");
    assert!(text.contains("withheld"), "{text}");

    let long = "x".repeat(10_000);
    let e = error_for(503, &long).await;
    let Error::Decode(d) = e else { panic!() };
    assert!(d.snippet.len() <= stytch_m2m_core::DecodeError::SNIPPET_LIMIT + '…'.len_utf8());
}

#[tokio::test]
async fn client_ids_are_percent_encoded_and_base_urls_respected() {
    let t = Scripted::new([Scripted::json(200, &fixture("GetResponse.get.json"))]);
    let client = stytch_m2m_core::Client::builder(PROJECT_ID, PROJECT_SECRET, t.clone())
        .base_url("http://127.0.0.1:4010/")
        .build()
        .unwrap();
    client.clients().get("a/b?c#d é").await.unwrap();
    assert_eq!(
        t.requests()[0].url,
        "http://127.0.0.1:4010/v1/m2m/clients/a%2Fb%3Fc%23d%20%C3%A9"
    );
    let live = stytch_m2m_core::Client::builder("project-live-1", "s", t.clone())
        .build()
        .unwrap();
    assert_eq!(live.base_url(), "https://api.stytch.com");
}

#[tokio::test]
async fn search_all_follows_cursors_until_null() {
    use futures_util::TryStreamExt as _;
    let page = |ids: &[&str], next: Option<&str>| {
        let clients: Vec<Value> = ids
            .iter()
            .map(|id| json!({"client_id": id, "client_name": "", "client_description": "", "status": "active",
                               "scopes": ["a"], "client_secret_last_four": "abcd"}))
            .collect();
        Scripted::json(
            200,
            &json!({"status_code": 200, "request_id": "r", "m2m_clients": clients,
            "results_metadata": {"total": 5, "next_cursor": next}})
            .to_string(),
        )
    };
    let t = Scripted::new([
        page(&["a", "b"], Some("c1")),
        page(&["c", "d"], Some("c2")),
        page(&["e"], None),
    ]);
    let client = t.client();
    // The stream is 'static: it outlives the client value it came from and can be spawned.
    let stream = client.clients().search_all(SearchRequest::new().limit(2));
    drop(client);
    let all: Vec<M2mClient> = tokio::spawn(stream.try_collect::<Vec<_>>())
        .await
        .unwrap()
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|c| c.client_id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    let cursors: Vec<Value> = t
        .requests()
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["cursor"].clone())
        .collect();
    assert_eq!(cursors, [Value::Null, json!("c1"), json!("c2")]);

    // An error on a later page ends the stream with that error.
    let t = Scripted::new([page(&["a"], Some("c1")), Scripted::json(404, "{}")]);
    let client = t.client();
    let result: Result<Vec<M2mClient>, Error> = client
        .clients()
        .search_all(SearchRequest::new())
        .try_collect()
        .await;
    assert_eq!(result.unwrap_err().status(), Some(404));
}

#[tokio::test]
async fn token_exchange_is_form_encoded_without_project_credentials() {
    let t = Scripted::new([
        Scripted::json(200, &fixture("TokenResponse.token.json")),
        Scripted::json(200, &fixture("TokenResponse.token.json")),
        Scripted::json(400, &fixture("OAuth2ErrorResponse.invalid_client.json")),
    ]);
    let client = t.client();
    let secret = stytch_m2m_core::models::Secret::new("x7Kp2QmZ+/=&");
    let token = client
        .token("m2m-client-test-1", &secret, &["read:users", "write:users"])
        .await
        .unwrap();
    assert_eq!(token.token_type, "bearer");
    assert_eq!(token.expires_in, 3600);
    client
        .token("m2m-client-test-1", &secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap();
    let err = client
        .token("m2m-client-test-1", &secret, stytch_m2m_core::NO_SCOPES)
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), Some(&ErrorType::InvalidClient));

    let requests = t.requests();
    let r = &requests[0];
    assert_eq!(
        r.url,
        format!("https://test.stytch.com/v1/public/{PROJECT_ID}/oauth2/token")
    );
    assert_eq!(
        r.headers.get("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(r.headers.get("authorization"), None);
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&r.body).unwrap();
    let mut form = form;
    form.sort();
    assert_eq!(
        form,
        [
            ("client_id".to_owned(), "m2m-client-test-1".to_owned()),
            ("client_secret".to_owned(), "x7Kp2QmZ+/=&".to_owned()),
            ("grant_type".to_owned(), "client_credentials".to_owned()),
            ("scope".to_owned(), "read:users write:users".to_owned()),
        ]
    );
    let without_scope: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&requests[1].body).unwrap();
    assert!(without_scope.iter().all(|(k, _)| k != "scope"));
}

//! Property-based testing from our OpenAPI document, in Rust, in CI: the checks schemathesis runs
//! (`cargo xtask schemathesis`), against the emulator over HTTP on 127.0.0.1.
//!
//! For every operation, request bodies are drawn from a valid one and mutated (a field dropped, retyped, nulled,
//! stretched, given whitespace; the body replaced by a non-object). Each answer must be:
//! - not a server error (`not_a_server_error`);
//! - a status the document lists for the operation (`status_code_conformance`);
//! - JSON (`content_type_conformance`);
//! - valid against the response schema documented for its status (`response_schema_conformance`);
//! - a 4xx when the body breaks the request schema (`negative_data_rejection`).
//!
//! And no operation mostly refuses bodies that the request schema accepts.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine as _;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use stytch_m2m_core::models::CreateRequest;
use stytch_m2m_emulator::TestEmulator;

/// One operation: method, path (with a client id or project id filled in), the request schema and the body kind.
struct Operation {
    name: &'static str,
    method: reqwest::Method,
    path: String,
    /// The OpenAPI path template, to find the documented responses.
    template: &'static str,
    /// A valid body to mutate, or `None` for operations without a body.
    body: Option<Value>,
    /// Puts the seeded client in the state the operation needs before each request (rotating or not).
    prepare: fn(&stytch_m2m_mock::MockStytch),
}

fn nothing(_: &stytch_m2m_mock::MockStytch) {}

fn not_rotating(mock: &stytch_m2m_mock::MockStytch) {
    let _ = mock.engine().rotate_cancel("seeded");
}

fn rotating(mock: &stytch_m2m_mock::MockStytch) {
    let _ = mock.engine().rotate_start("seeded");
}

/// Completing a rotation changes the secret: it runs on a client of its own, so that the seeded client keeps the
/// secret the token cases use.
fn other_rotating(mock: &stytch_m2m_mock::MockStytch) {
    let _ = mock.engine().rotate_start("rotated");
}

/// A validator for `#/components/schemas/{name}` of the served document.
fn validator(doc: &Value, schema: &Value) -> jsonschema::Validator {
    let root = json!({"components": doc["components"], "allOf": [schema]});
    jsonschema::validator_for(&root).expect("the served schemas compile")
}

/// Mutations of a valid body: the shapes schemathesis tries, and the edges of the rules.
fn mutated(valid: Value) -> BoxedStrategy<Value> {
    let keys: Vec<String> = valid
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let odd_value = prop_oneof![
        Just(Value::Null),
        Just(json!(1)),
        Just(json!(-1)),
        Just(json!(1001)),
        Just(json!(true)),
        Just(json!("")),
        Just(json!("has space")),
        Just(json!("x".repeat(300))),
        Just(json!([])),
        Just(json!([""])),
        Just(json!(["a b"])),
        Just(json!([1])),
        Just(json!({})),
        Just(json!({"k": null})),
        "[ -~]{0,12}".prop_map(Value::from),
    ];
    let field = if keys.is_empty() {
        Just(String::from("unknown")).boxed()
    } else {
        prop_oneof![
            proptest::sample::select(keys).boxed(),
            Just(String::from("unknown")).boxed()
        ]
        .boxed()
    };
    let base = valid.clone();
    prop_oneof![
        3 => Just(valid.clone()),
        4 => (field.clone(), odd_value).prop_map(move |(k, v)| {
            let mut body = base.clone();
            body[k.as_str()] = v;
            body
        }),
        2 => field.prop_map({
            let valid = valid.clone();
            move |k| {
                let mut body = valid.clone();
                if let Some(m) = body.as_object_mut() {
                    m.remove(&k);
                }
                body
            }
        }),
        1 => prop_oneof![Just(json!([])), Just(json!("")), Just(Value::Null), Just(json!(0))],
    ]
    .boxed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_requests_meet_the_documents_checks() {
    let emulator = TestEmulator::start().await.expect("emulator starts");
    let base = emulator.base_url().to_owned();
    let http = reqwest::Client::new();
    let doc: Value = serde_json::from_slice(
        &http
            .get(format!("{base}/openapi.json"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    let seeded = emulator
        .controls()
        .seed_client(CreateRequest::new(["read:users", "write:users"]).client_id("seeded"))
        .unwrap();
    emulator
        .controls()
        .seed_client(CreateRequest::new(["read:users"]).client_id("rotated"))
        .unwrap();
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            emulator.project_id(),
            emulator.project_secret().expose_secret()
        ))
    );
    let pid = emulator.project_id().to_owned();
    let clients = "/v1/m2m/clients/{client_id}";
    let operations = vec![
        Operation {
            name: "create",
            method: reqwest::Method::POST,
            path: "/v1/m2m/clients".into(),
            template: "/v1/m2m/clients",
            body: Some(
                json!({"scopes": ["read:users"], "client_name": "n", "client_description": "d",
                "trusted_metadata": {"team": "billing"}}),
            ),
            prepare: nothing,
        },
        Operation {
            name: "search",
            method: reqwest::Method::POST,
            path: "/v1/m2m/clients/search".into(),
            template: "/v1/m2m/clients/search",
            body: Some(
                json!({"limit": 10, "cursor": null, "query": {"operator": "AND",
                "operands": [{"filter_name": "scopes", "filter_value": ["read:users"]}]}}),
            ),
            prepare: nothing,
        },
        Operation {
            name: "get",
            method: reqwest::Method::GET,
            path: "/v1/m2m/clients/seeded".into(),
            template: clients,
            body: None,
            prepare: nothing,
        },
        Operation {
            name: "update",
            method: reqwest::Method::PUT,
            path: "/v1/m2m/clients/seeded".into(),
            template: clients,
            body: Some(
                json!({"client_name": "renamed", "scopes": ["read:users"], "status": "active",
                "trusted_metadata": {"k": "v"}}),
            ),
            prepare: nothing,
        },
        Operation {
            name: "rotate_start",
            method: reqwest::Method::POST,
            path: "/v1/m2m/clients/seeded/secrets/rotate/start".into(),
            template: "/v1/m2m/clients/{client_id}/secrets/rotate/start",
            body: Some(json!({"client_id": "seeded"})),
            prepare: not_rotating,
        },
        Operation {
            name: "rotate_cancel",
            method: reqwest::Method::POST,
            path: "/v1/m2m/clients/seeded/secrets/rotate/cancel".into(),
            template: "/v1/m2m/clients/{client_id}/secrets/rotate/cancel",
            body: Some(json!({})),
            prepare: rotating,
        },
        Operation {
            name: "rotate",
            method: reqwest::Method::POST,
            path: "/v1/m2m/clients/rotated/secrets/rotate".into(),
            template: "/v1/m2m/clients/{client_id}/secrets/rotate",
            body: Some(json!({"client_id": "rotated"})),
            prepare: other_rotating,
        },
        Operation {
            name: "token",
            method: reqwest::Method::POST,
            path: format!("/v1/public/{pid}/oauth2/token"),
            template: "/v1/public/{project_id}/oauth2/token",
            body: Some(
                json!({"grant_type": "client_credentials", "client_id": "seeded",
                "client_secret": seeded.client_secret.expose_secret(), "scope": "read:users"}),
            ),
            prepare: nothing,
        },
        Operation {
            name: "jwks",
            method: reqwest::Method::GET,
            path: format!("/v1/sessions/jwks/{pid}"),
            template: "/v1/sessions/jwks/{project_id}",
            body: None,
            prepare: nothing,
        },
        Operation {
            name: "delete (unknown id)",
            method: reqwest::Method::DELETE,
            path: "/v1/m2m/clients/nobody".into(),
            template: clients,
            body: None,
            prepare: nothing,
        },
    ];

    // (operation) -> (bodies valid per the schema, of which refused)
    let tally: Mutex<HashMap<&'static str, (u32, u32)>> = Mutex::default();
    let handle = tokio::runtime::Handle::current();
    for op in &operations {
        let method_key = op.method.as_str().to_ascii_lowercase();
        let documented = &doc["paths"][op.template][&method_key];
        assert!(documented.is_object(), "{} is documented", op.name);
        let request_schema =
            documented["requestBody"]["content"]["application/json"]["schema"].clone();
        let request_validator = op.body.as_ref().map(|_| validator(&doc, &request_schema));
        let strategy = match &op.body {
            Some(valid) => mutated(valid.clone()).prop_map(Some).boxed(),
            None => Just(None).boxed(),
        };
        let mut runner = TestRunner::new(Config {
            cases: if op.body.is_some() { 96 } else { 8 },
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&strategy, |body| {
            (op.prepare)(emulator.controls());
            let mut request = http
                .request(op.method.clone(), format!("{base}{}", op.path))
                .header("authorization", &auth);
            if let Some(body) = &body {
                request = request
                    .header("content-type", "application/json")
                    .body(body.to_string());
            }
            let response = tokio::task::block_in_place(|| handle.block_on(request.send())).unwrap();
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let bytes = tokio::task::block_in_place(|| handle.block_on(response.bytes())).unwrap();
            let what = format!(
                "{} {:?} -> {status} {}",
                op.name,
                body,
                String::from_utf8_lossy(&bytes)
            );
            prop_assert!(status < 500, "not_a_server_error: {}", what);
            let answer = &documented["responses"][status.to_string()];
            prop_assert!(answer.is_object(), "status_code_conformance: {}", what);
            prop_assert!(
                content_type.starts_with("application/json"),
                "content_type_conformance: {} ({})",
                what,
                content_type
            );
            let parsed: Value = serde_json::from_slice(&bytes)
                .map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
            let response_schema = &answer["content"]["application/json"]["schema"];
            if response_schema.is_object() {
                let v = validator(&doc, response_schema);
                let errors: Vec<String> = v.iter_errors(&parsed).map(|e| e.to_string()).collect();
                prop_assert!(
                    errors.is_empty(),
                    "response_schema_conformance: {} {:?}",
                    what,
                    errors
                );
            }
            if let (Some(body), Some(validator)) = (&body, &request_validator) {
                if validator.is_valid(body) {
                    let mut t = tally.lock().unwrap();
                    let entry = t.entry(op.name).or_default();
                    entry.0 += 1;
                    if (400..500).contains(&status) && status != 404 {
                        entry.1 += 1;
                    }
                } else {
                    prop_assert!(
                        (400..500).contains(&status),
                        "negative_data_rejection: {}",
                        what
                    );
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{}: {e}", op.name);
        }
    }
    for (name, (valid, refused)) in tally.into_inner().unwrap() {
        assert!(valid > 0, "{name}: no valid body was drawn");
        assert!(
            refused * 2 < valid,
            "{name} mostly refuses valid bodies: {refused} of {valid}"
        );
    }
}

//! The mock's server rules stand on their own: they catch what a client with a validation bug would send, they agree
//! with the client's checks on Stytch's rules (a differential property test), and a constraint changed in the
//! schema reaches the client's checks, the mock's rules and the served OpenAPI document with no hand edit.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use stytch_m2m_core::Validate as _;
use stytch_m2m_core::models::{CreateRequest, SearchOperand, SearchRequest, UpdateRequest};
use stytch_m2m_core::transport::{HttpRequest, Method, Transport};
use stytch_m2m_mock::{MockStytch, ServerRules, Strictness};

/// Bodies that break one of Stytch's rules each: (body, the field, the error_type).
fn stytch_violations() -> Vec<(Value, &'static str, &'static str)> {
    let keys: Map<String, Value> = (0..21).map(|i| (format!("k{i}"), json!(i))).collect();
    vec![
        (
            json!({"scopes": ["read users"]}),
            "scopes[0]",
            "invalid_m2m_client_scope",
        ),
        (
            json!({"scopes": [""]}),
            "scopes[0]",
            "invalid_m2m_client_scope",
        ),
        (
            json!({"scopes": ["a"], "client_secret": "x7Kp2Qm"}),
            "client_secret",
            "m2m_client_invalid_client_secret",
        ),
        (
            json!({"scopes": ["a"], "client_id": ""}),
            "client_id",
            "m2m_client_invalid_client_id",
        ),
        (
            json!({"scopes": ["a"], "trusted_metadata": keys}),
            "trusted_metadata",
            "metadata_too_many_keys",
        ),
        (
            json!({"scopes": ["a"], "trusted_metadata": {"a": "x".repeat(4100)}}),
            "trusted_metadata",
            "metadata_too_large",
        ),
    ]
}

/// A client with a bug in its checks sends these bodies anyway: the mock refuses each on its own, with the field,
/// the rule and Stytch's error type, in both settings; and the real client refuses the same body with the same
/// field and error type before sending it.
#[tokio::test]
async fn the_mock_catches_what_a_buggy_client_sends() {
    for rules in [ServerRules::strict(), ServerRules::lenient()] {
        let mock = MockStytch::builder().rules(rules.clone()).build();
        for (body, field, error_type) in stytch_violations() {
            let request = HttpRequest::new(Method::Post, "https://test.stytch.com/v1/m2m/clients")
                .with_header("authorization", basic(&mock))
                .with_header("content-type", "application/json")
                .with_body(body.to_string());
            let response = mock.send(request).await.unwrap();
            let answer: Value = serde_json::from_slice(&response.body).unwrap();
            assert_eq!(
                response.status,
                400,
                "{:?} {body}: {answer}",
                rules.strictness()
            );
            assert_eq!(answer["error_type"], error_type, "{body}");
            let message = answer["error_message"].as_str().unwrap();
            assert!(message.contains(&format!("`{field}`")), "{message}");

            let typed: CreateRequest = serde_json::from_value(body.clone()).unwrap();
            let refused = typed.validate().unwrap_err();
            assert_eq!(refused.field, field, "{body}");
            assert_eq!(refused.error_type.as_str(), error_type, "{body}");
        }
        assert_eq!(mock.engine().client_count(), 0, "nothing was half-created");
    }
}

/// The emulator's guesses where Stytch is silent: the client sends them (Stytch may accept them), the strict mock
/// refuses them, the lenient mock accepts them.
#[test]
fn the_emulators_guesses_are_the_mocks_alone() {
    let guesses = [
        CreateRequest::new((0..101).map(|i| format!("s{i}"))),
        CreateRequest::new(["x".repeat(129)]),
        CreateRequest::new(["a"]).client_id("has space"),
        CreateRequest::new(["a"]).client_id("i".repeat(129)),
        CreateRequest::new(["a"]).client_secret("Welcome2024!"),
        CreateRequest::new(["a"]).client_secret("aZ3$".repeat(65)),
        CreateRequest::new(["a"]).client_name("n".repeat(257)),
        CreateRequest::new(["a"]).client_description("d".repeat(1025)),
        CreateRequest::new(Vec::<String>::new()),
    ];
    for request in guesses {
        assert!(request.validate().is_ok(), "{request:?}");
        let body = serde_json::to_value(&request).unwrap();
        assert!(
            ServerRules::strict().check("CreateRequest", &body).is_err(),
            "{body}"
        );
        assert!(
            ServerRules::lenient().check("CreateRequest", &body).is_ok(),
            "{body}"
        );
    }
}

fn basic(mock: &MockStytch) -> String {
    use base64::Engine as _;
    let pair = format!(
        "{}:{}",
        mock.project_id(),
        mock.project_secret().expose_secret()
    );
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// Text near the rules' edges: empty, spaces, tabs, a control character, long runs.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z:]{1,10}",
        "[a-z ]{1,10}",
        "[a-z\t]{1,4}",
        "[a-z\u{7}]{1,4}",
        "[a-zA-Z0-9_-]{6,10}",
    ]
}

fn metadata() -> impl Strategy<Value = Map<String, Value>> {
    (0usize..24, prop_oneof![Just(1usize), Just(300)]).prop_map(|(keys, len)| {
        (0..keys)
            .map(|i| (format!("k{i}"), json!("v".repeat(len))))
            .collect()
    })
}

fn create_request() -> impl Strategy<Value = CreateRequest> {
    (
        proptest::collection::vec(text(), 0..4),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        metadata(),
    )
        .prop_map(|(scopes, id, secret, name, meta)| {
            let mut r = CreateRequest::new(scopes).trusted_metadata(meta);
            if let Some(id) = id {
                r = r.client_id(id);
            }
            if let Some(secret) = secret {
                r = r.client_secret(secret);
            }
            if let Some(name) = name {
                r = r.client_name(name);
            }
            r
        })
}

fn update_request() -> impl Strategy<Value = UpdateRequest> {
    (
        proptest::collection::vec(text(), 0..3),
        proptest::option::of(text()),
        metadata(),
    )
        .prop_map(|(scopes, name, meta)| {
            let mut r = UpdateRequest::new().scopes(scopes).trusted_metadata(meta);
            if let Some(name) = name {
                r = r.client_name(name);
            }
            r
        })
}

fn search_request() -> impl Strategy<Value = SearchRequest> {
    (0u32..1200, proptest::collection::vec(text(), 0..3)).prop_map(|(limit, values)| {
        SearchRequest::all_of([SearchOperand::scopes(values)]).limit(limit)
    })
}

/// Both sides' verdicts: accepted, or refused naming a field with an error type.
fn client_verdict(
    result: Result<(), stytch_m2m_core::ValidationError>,
) -> Option<(String, String)> {
    result
        .err()
        .map(|e| (e.field, e.error_type.as_str().to_owned()))
}

fn server_verdict(definition: &str, body: &Value) -> Option<(String, String)> {
    ServerRules::lenient()
        .check(definition, body)
        .err()
        .map(|f| {
            let field = f
                .message
                .split('`')
                .nth(1)
                .expect("the message names the field")
                .to_owned();
            (field, f.error_type.as_str().to_owned())
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Differential: the client's generated checks and the mock's interpreter (lenient: Stytch's rules only) agree
    /// on every request, down to the field and the error type. A bug in either shows here.
    #[test]
    fn client_checks_and_lenient_server_rules_agree(
        create in create_request(),
        update in update_request(),
        search in search_request(),
    ) {
        let body = serde_json::to_value(&create).unwrap();
        prop_assert_eq!(client_verdict(create.validate()), server_verdict("CreateRequest", &body), "{}", body);
        let body = serde_json::to_value(&update).unwrap();
        prop_assert_eq!(client_verdict(update.validate()), server_verdict("UpdateRequest", &body), "{}", body);
        let body = serde_json::to_value(&search).unwrap();
        prop_assert_eq!(client_verdict(search.validate()), server_verdict("SearchRequest", &body), "{}", body);
    }
}

/// Tightening a constraint in the schema changes the client's checks (codegen), the mock's rules and the served
/// OpenAPI document, with no other edit. Stytch's rule (a secret's `minLength`) reaches all three; an emulator
/// guess (a name's `maxLength`) reaches the mock and the document but never the client.
#[test]
fn a_tightened_constraint_flows_everywhere_from_the_schema() {
    let root = xtask::paths::repo_root();
    let text = std::fs::read_to_string(xtask::paths::schema_file(&root)).unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    let properties = &mut schema["$defs"]["CreateRequest"]["properties"];
    assert_eq!(properties["client_secret"]["minLength"], 8);
    properties["client_secret"]["minLength"] = json!(12);
    properties["client_name"]["maxLength"] = json!(10);

    // The client's checks, regenerated.
    let code = xtask::codegen::generate_checks_from_value(schema.clone()).unwrap();
    let file: syn::File = syn::parse_str(&code).unwrap();
    let checks = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Impl(imp)
                if imp.trait_.is_some()
                    && quote::quote!(#imp)
                        .to_string()
                        .contains("Validate for stytch_m2m_models :: CreateRequest") =>
            {
                Some(quote::quote!(#imp).to_string())
            }
            _ => None,
        })
        .expect("CreateRequest has checks");
    assert!(checks.contains("Some (12usize)"), "{checks}");
    assert!(!checks.contains("8usize"), "the old bound is gone");
    assert!(
        !checks.contains("10usize"),
        "an emulator guess never reaches the client"
    );

    // The mock's rules, read from the changed schema.
    let eleven = json!({"scopes": ["a"], "client_secret": "x7Kp2QmZ9vL"});
    let named = json!({"scopes": ["a"], "client_name": "eleven char"});
    let strict = ServerRules::from_schema(&schema, Strictness::Strict).unwrap();
    let lenient = ServerRules::from_schema(&schema, Strictness::Lenient).unwrap();
    assert!(
        ServerRules::strict()
            .check("CreateRequest", &eleven)
            .is_ok()
    );
    assert_eq!(
        strict
            .check("CreateRequest", &eleven)
            .unwrap_err()
            .error_type
            .as_str(),
        "m2m_client_invalid_client_secret"
    );
    assert!(lenient.check("CreateRequest", &eleven).is_err());
    assert!(strict.check("CreateRequest", &named).is_err());
    assert!(lenient.check("CreateRequest", &named).is_ok());

    // The served OpenAPI document.
    let openapi_text = std::fs::read_to_string(root.join("schema/openapi.json")).unwrap();
    let doc =
        stytch_m2m_emulator::openapi_bundle(serde_json::from_str(&openapi_text).unwrap(), &schema);
    let served = &doc["components"]["schemas"]["CreateRequest"]["properties"];
    assert_eq!(served["client_secret"]["anyOf"][0]["minLength"], 12);
    assert_eq!(served["client_name"]["anyOf"][0]["maxLength"], 10);
    assert_eq!(served["client_name"]["anyOf"][1], json!({"type": "null"}));
    // And the document served today carries today's schema.
    let today = stytch_m2m_emulator::openapi_document();
    assert_eq!(
        today["components"]["schemas"]["CreateRequest"]["properties"]["client_secret"]["anyOf"][0]
            ["minLength"],
        8
    );
}

/// The server rules refuse a schema with a keyword they cannot check, naming its node, rather than drop it.
#[test]
fn server_rules_refuse_keywords_they_cannot_check() {
    let schema: serde_json::Value =
        serde_json::from_str(stytch_m2m_core::models::SCHEMA_JSON).unwrap();
    assert!(ServerRules::from_schema(&schema, Strictness::Strict).is_ok());
    for keyword in [
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minProperties",
        "uniqueItems",
        "multipleOf",
        "x-something-new",
    ] {
        let mut changed = schema.clone();
        changed["$defs"]["SearchRequest"]["properties"]["limit"][keyword] = json!(2);
        let e = ServerRules::from_schema(&changed, Strictness::Lenient).unwrap_err();
        assert!(
            e.contains("$defs.SearchRequest.properties.limit") && e.contains(keyword),
            "{keyword}: {e}"
        );
    }
}

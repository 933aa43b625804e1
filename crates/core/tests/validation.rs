//! The client's checks before sending: Stytch's rules are refused (and never sent); the emulator's guesses where
//! Stytch is silent (`x-emulator-policy` in the schema: lengths, the number of scopes, the secret's entropy, an
//! id's characters) are sent, because Stytch may accept them.

mod support;

use serde_json::{Map, Value, json};
use stytch_m2m_core::models::*;
use stytch_m2m_core::{Error, Validate as _};
use support::*;

fn metadata(keys: usize, value_len: usize) -> Map<String, Value> {
    (0..keys)
        .map(|i| (format!("k{i}"), json!("v".repeat(value_len))))
        .collect()
}

/// (case, request, the refused field or None when accepted)
fn create_cases() -> Vec<(&'static str, CreateRequest, Option<&'static str>)> {
    let base = || CreateRequest::new(["read:users"]);
    vec![
        ("plain", base(), None),
        ("no scopes", CreateRequest::new(Vec::<String>::new()), None),
        (
            "empty scope",
            CreateRequest::new(["read:users", ""]),
            Some("scopes[1]"),
        ),
        (
            "scope with a space",
            CreateRequest::new(["read users"]),
            Some("scopes[0]"),
        ),
        (
            "scope with a tab",
            CreateRequest::new(["a", "b\tc"]),
            Some("scopes[1]"),
        ),
        (
            "101 scopes",
            CreateRequest::new((0..101).map(|i| format!("s{i}"))),
            None,
        ),
        (
            "100 scopes",
            CreateRequest::new((0..100).map(|i| format!("s{i}"))),
            None,
        ),
        ("long scope", CreateRequest::new(["x".repeat(129)]), None),
        ("wildcard scope", CreateRequest::new(["read:*", "*"]), None),
        ("custom id", base().client_id("billing-service"), None),
        ("empty id", base().client_id(""), Some("client_id")),
        ("id with space", base().client_id("billing service"), None),
        ("id with newline", base().client_id("billing\n"), None),
        ("id too long", base().client_id("i".repeat(129)), None),
        ("good secret", base().client_secret("x7Kp2QmZ"), None),
        (
            "generated-like secret",
            base().client_secret("NHQhc7ZqsXJVtgmN2MXr1etqsQrGAwJ-iBWNLKY7DzJj"),
            None,
        ),
        (
            "short secret",
            base().client_secret("x7Kp2Qm"),
            Some("client_secret"),
        ),
        ("aaaaaaaa", base().client_secret("aaaaaaaa"), None),
        ("12345678", base().client_secret("12345678"), None),
        ("87654321", base().client_secret("87654321"), None),
        ("abcdefgh", base().client_secret("abcdefgh"), None),
        ("password1", base().client_secret("password1"), None),
        ("Welcome2024!", base().client_secret("Welcome2024!"), None),
        ("abcabcabc", base().client_secret("abcdeabcde"), None),
        (
            "secret too long",
            base().client_secret("aZ3$".repeat(65)),
            None,
        ),
        ("name", base().client_name("Billing"), None),
        ("name too long", base().client_name("n".repeat(257)), None),
        (
            "description too long",
            base().client_description("d".repeat(1025)),
            None,
        ),
        (
            "20 metadata keys",
            base().trusted_metadata(metadata(20, 10)),
            None,
        ),
        (
            "21 metadata keys",
            base().trusted_metadata(metadata(21, 1)),
            Some("trusted_metadata"),
        ),
        (
            "metadata over 4 KB",
            base().trusted_metadata(metadata(2, 2100)),
            Some("trusted_metadata"),
        ),
    ]
}

#[tokio::test]
async fn create_rules() {
    for (case, request, refused) in create_cases() {
        let t = Scripted::new([Scripted::json(200, &fixture("CreateResponse.create.json"))]);
        let result = t.client().clients().create(request).await;
        match refused {
            None => assert!(result.is_ok(), "{case}: {result:?}"),
            Some(field) => {
                let Err(Error::Validation(e)) = result else {
                    panic!("{case}: expected a refusal, got {result:?}")
                };
                assert_eq!(e.field, field, "{case}");
                assert!(!e.rule.is_empty());
                assert_eq!(t.calls(), 0, "{case}: a refused request was sent");
            }
        }
    }
}

#[tokio::test]
async fn search_update_and_argument_rules() {
    let t = Scripted::new([]);
    let c = t.client();
    let refused = |r: Result<SearchResponse, Error>| match r {
        Err(Error::Validation(e)) => e.field,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        refused(c.clients().search(SearchRequest::new().limit(1001)).await),
        "limit"
    );
    // An operand with no values, or an empty value: the emulator's guesses, not Stytch's rules, so they are sent.
    for request in [
        SearchRequest::all_of([SearchOperand::scopes(Vec::<String>::new())]),
        SearchRequest::any_of([SearchOperand::client_names([""])]),
    ] {
        assert!(request.validate().is_ok());
    }
    for (what, err) in [
        ("get", c.clients().get("").await.unwrap_err()),
        ("delete", c.clients().delete("").await.unwrap_err()),
        (
            "update",
            c.clients()
                .update("", UpdateRequest::new())
                .await
                .unwrap_err(),
        ),
        (
            "rotate_start",
            c.clients().secrets().rotate_start("").await.unwrap_err(),
        ),
        (
            "rotate_cancel",
            c.clients().secrets().rotate_cancel("").await.unwrap_err(),
        ),
        (
            "rotate",
            c.clients().secrets().rotate("").await.unwrap_err(),
        ),
    ] {
        assert!(
            matches!(&err, Error::Validation(e) if e.field == "client_id"),
            "{what}: {err:?}"
        );
    }
    let err = c
        .clients()
        .update("x", UpdateRequest::new().scopes(["a b"]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(e) if e.field == "scopes[0]"),
        "{err:?}"
    );
    assert_eq!(t.calls(), 0);
    // Accepted at the edges.
    assert!(SearchRequest::new().limit(1000).validate().is_ok());
    assert!(SearchRequest::new().limit(0).validate().is_ok());
    assert!(UpdateRequest::new().validate().is_ok());
}

#[test]
fn errors_name_the_field_and_rule_but_never_the_value() {
    let err = CreateRequest::new(["read:users"])
        .client_secret("pass_1!")
        .validate()
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("client_secret") && text.contains("at least 8 characters"),
        "{text}"
    );
    assert!(!text.contains("pass_1!") && !format!("{err:?}").contains("pass_1!"));
}

//! Every example body of the reference (`tests/fixtures/<Type>.<name>.json`) decodes into its model, re-encodes to
//! equivalent JSON (equal once `null` members are dropped: the models read `null` as absent and write absent) and
//! conforms to the schema. The canonical JSON of each is an insta snapshot.

mod common;

use serde_json::Value;
use stytch_m2m_models::*;

fn fixtures() -> Vec<(String, String, Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("fixtures folder") {
        let path = entry.expect("entry").path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let (ty, rest) = file.split_once('.').expect("<Type>.<name>.json");
        let name = rest.trim_end_matches(".json").to_owned();
        let body: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .expect("fixture is JSON");
        out.push((ty.to_owned(), name, body));
    }
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(body: &Value) -> Value {
    let value: T = serde_json::from_value(body.clone()).expect("fixture decodes");
    serde_json::to_value(&value).expect("encodes")
}

#[test]
fn every_reference_example_round_trips() {
    let schema = common::schema();
    let mut seen = 0;
    for (ty, name, body) in fixtures() {
        let written = match ty.as_str() {
            "GetResponse" => round_trip::<GetResponse>(&body),
            "CreateResponse" => round_trip::<CreateResponse>(&body),
            "RotateStartResponse" => round_trip::<RotateStartResponse>(&body),
            "RotateResponse" => round_trip::<RotateResponse>(&body),
            "SearchResponse" => round_trip::<SearchResponse>(&body),
            "DeleteResponse" => round_trip::<DeleteResponse>(&body),
            "ErrorResponse" => round_trip::<ErrorResponse>(&body),
            "OAuth2ErrorResponse" => round_trip::<OAuth2ErrorResponse>(&body),
            "TokenResponse" => round_trip::<TokenResponse>(&body),
            "JwksResponse" => round_trip::<JwksResponse>(&body),
            other => panic!("no model listed for fixture type {other}"),
        };
        // Unknown members (Stytch adds fields) are dropped on decode; everything else survives.
        let mut expected = common::without_nulls(&body);
        if name == "unknown_status_and_field" {
            expected["m2m_client"]
                .as_object_mut()
                .unwrap()
                .remove("added_later");
        }
        assert_eq!(written, expected, "{ty}.{name} changed across a round trip");
        let known_values_only = name != "unknown_status_and_field" && name != "teapot";
        if known_values_only {
            let problems = common::violations(&common::validator(&schema, &ty), &written);
            assert!(
                problems.is_empty(),
                "{ty}.{name} breaks the schema: {problems:?}"
            );
        }
        insta::assert_json_snapshot!(format!("{ty}.{name}"), written);
        seen += 1;
    }
    assert_eq!(
        seen, 13,
        "a fixture was added or removed: update this count and review its snapshot"
    );
}

#[test]
fn unknown_values_are_kept() {
    let body: Value = serde_json::from_str(include_str!(
        "fixtures/GetResponse.unknown_status_and_field.json"
    ))
    .unwrap();
    let res: GetResponse = serde_json::from_value(body).unwrap();
    assert_eq!(res.m2m_client.status.as_str(), "suspended");
    assert!(!res.m2m_client.status.is_known());
    let teapot: ErrorResponse =
        serde_json::from_str(include_str!("fixtures/ErrorResponse.teapot.json")).unwrap();
    assert_eq!(
        teapot.error_type.as_ref().map(ErrorType::as_str),
        Some("is_a_teapot")
    );
    let not_found: ErrorResponse =
        serde_json::from_str(include_str!("fixtures/ErrorResponse.not_found.json")).unwrap();
    assert_eq!(not_found.error_type, Some(ErrorType::M2mClientNotFound));
}

#[test]
fn debug_of_a_client_with_secrets_shows_no_secret() {
    let created: CreateResponse =
        serde_json::from_str(include_str!("fixtures/CreateResponse.create.json")).unwrap();
    let rotating: RotateStartResponse = serde_json::from_str(include_str!(
        "fixtures/RotateStartResponse.rotate_start.json"
    ))
    .unwrap();
    let token: TokenResponse =
        serde_json::from_str(include_str!("fixtures/TokenResponse.token.json")).unwrap();
    let secret = created.m2m_client.client_secret.expose_secret().to_owned();
    let next = rotating
        .m2m_client
        .next_client_secret
        .expose_secret()
        .to_owned();
    let jwt = token.access_token.expose_secret().to_owned();
    for shown in [
        format!("{created:?}"),
        format!("{created:#?}"),
        format!("{rotating:?}"),
        format!("{token:?}"),
        format!("{}", created.m2m_client.client_secret),
    ] {
        for hidden in [&secret, &next, &jwt] {
            assert!(!shown.contains(hidden.as_str()), "a secret leaked: {shown}");
        }
    }
    insta::assert_debug_snapshot!("debug_create_response", created);
    insta::assert_debug_snapshot!("debug_token_response", token);
}

#[test]
fn unset_request_fields_are_omitted_not_null() {
    let create = CreateRequest::new(["read:users"]);
    assert_eq!(
        serde_json::to_string(&create).unwrap(),
        r#"{"scopes":["read:users"]}"#
    );
    assert_eq!(serde_json::to_string(&UpdateRequest::new()).unwrap(), "{}");
    assert_eq!(serde_json::to_string(&SearchRequest::new()).unwrap(), "{}");
    // `null` reads as absent, as the official Rust crate sends it.
    let read: CreateRequest = serde_json::from_str(
        r#"{"scopes":["a"],"client_id":null,"client_secret":null,"client_name":null}"#,
    )
    .unwrap();
    assert_eq!(read, CreateRequest::new(["a"]));
}

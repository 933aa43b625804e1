//! Property tests: for every model type, a value drawn from the schema -> T -> JSON -> T is unchanged, and the JSON
//! the model writes conforms to the schema (`jsonschema`).
//!
//! Values are drawn from the schema itself (its types, enums, required and optional properties, nullability and
//! bounds), so a new definition or property is covered as soon as it is in the schema and listed in `every_model!`.

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value};

/// A strategy for JSON values that conform to `node` (a schema node of `root`).
fn value_of(root: &Value, node: &Value) -> BoxedStrategy<Value> {
    if let Some(r) = node.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/$defs/").expect("local ref");
        // The keywords beside a `$ref` (a `minLength` on a `ClientSecret` property) apply too.
        let mut merged = root["$defs"][name].clone();
        for (key, value) in node.as_object().expect("a $ref node is an object") {
            if key != "$ref" {
                merged[key] = value.clone();
            }
        }
        return value_of(root, &merged);
    }
    if let Some(one_of) = node.get("oneOf").and_then(Value::as_array) {
        let consts: Vec<Value> = one_of.iter().map(|v| v["const"].clone()).collect();
        return proptest::sample::select(consts).boxed();
    }
    if let Some(values) = node.get("enum").and_then(Value::as_array) {
        // Only known values conform to the schema; unknown values of open enums have their own test below.
        return proptest::sample::select(values.clone()).boxed();
    }
    let types: Vec<&str> = match node.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let non_null: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
    let inner = match non_null.first().copied() {
        Some("string") => string_of(node),
        Some("boolean") => any::<bool>().prop_map(Value::from).boxed(),
        Some("integer") => {
            let min = node.get("minimum").and_then(Value::as_i64);
            let max = node.get("maximum").and_then(Value::as_i64);
            match (node.get("format").and_then(Value::as_str), min, max) {
                (_, Some(lo), Some(hi)) => (lo..=hi).prop_map(Value::from).boxed(),
                (Some("uint32"), _, _) => any::<u32>().prop_map(Value::from).boxed(),
                _ => any::<i32>().prop_map(Value::from).boxed(),
            }
        }
        Some("array") => {
            let min = node.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
            let max = node.get("maxItems").and_then(Value::as_u64).unwrap_or(3) as usize;
            proptest::collection::vec(value_of(root, &node["items"]), min..=max.min(min + 3))
                .prop_map(Value::from)
                .boxed()
        }
        Some("object") => object_of(root, node),
        other => panic!("the test's value generator does not know type {other:?}: {node}"),
    };
    if types.contains(&"null") {
        prop_oneof![1 => Just(Value::Null), 3 => inner].boxed()
    } else {
        inner
    }
}

/// Strings within the node's `minLength`, `maxLength` and `pattern` (the patterns the schema uses).
fn string_of(node: &Value) -> BoxedStrategy<Value> {
    let min = node.get("minLength").and_then(Value::as_u64).unwrap_or(0);
    let max = node
        .get("maxLength")
        .and_then(Value::as_u64)
        .unwrap_or(16)
        .min(min + 16);
    let regex = match node.get("pattern").and_then(Value::as_str) {
        None | Some("^[^\\x00-\\x1F\\x7F-\\x9F]*$") => format!("[ -~é]{{{min},{max}}}"),
        Some("^\\S+$") => format!("[!-~é]{{{},{max}}}", min.max(1)),
        Some("^(\\S+( \\S+)*)?$") => "([!-~]{1,5}( [!-~]{1,5}){0,2})?".to_owned(),
        Some(other) => panic!("the test's value generator does not know the pattern {other}"),
    };
    proptest::string::string_regex(&regex)
        .expect("a valid regex")
        .prop_map(Value::from)
        .boxed()
}

fn object_of(root: &Value, node: &Value) -> BoxedStrategy<Value> {
    let props = node.get("properties").and_then(Value::as_object);
    match props {
        Some(props) if !props.is_empty() => {
            let required: Vec<&str> = node
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = props
                .iter()
                .map(|(key, schema)| {
                    let key = key.clone();
                    let value = value_of(root, schema);
                    if required.contains(&key.as_str()) {
                        value.prop_map(move |v| Some((key.clone(), v))).boxed()
                    } else {
                        proptest::option::of(value.prop_map(move |v| (key.clone(), v))).boxed()
                    }
                })
                .collect();
            fields
                .prop_map(|pairs| Value::Object(pairs.into_iter().flatten().collect::<Map<_, _>>()))
                .boxed()
        }
        _ => free_object().boxed(),
    }
}

/// Arbitrary JSON objects, for free-form fields such as `trusted_metadata`.
fn free_object() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1.0e9f64..1.0e9).prop_map(Value::from),
        "[ -~]{0,8}".prop_map(Value::from),
    ];
    let nested = leaf.prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            proptest::collection::btree_map("[a-z]{1,4}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    proptest::collection::btree_map("[a-z_]{1,6}", nested, 0..4)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn check<T>(def: &str)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let schema = common::schema();
    let validator = common::validator(&schema, def);
    let strategy = value_of(&schema, &schema["$defs"][def]);
    let mut runner = TestRunner::new(Config {
        cases: 128,
        ..Config::default()
    });
    let result = runner.run(&strategy, |input| {
        prop_assert!(
            validator.is_valid(&input),
            "the generator made an invalid {def}: {input}"
        );
        let value: T = serde_json::from_value(input.clone())
            .map_err(|e| TestCaseError::fail(format!("{def} refused a valid body {input}: {e}")))?;
        let written = serde_json::to_value(&value).expect("serializes");
        let problems = common::violations(&validator, &written);
        prop_assert!(
            problems.is_empty(),
            "{def} wrote {written}, which breaks the schema: {problems:?}"
        );
        let again: T = serde_json::from_value(written.clone()).expect("reads what it wrote");
        prop_assert_eq!(&again, &value, "{} changed across JSON: {}", def, written);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{def}: {e}");
    }
}

macro_rules! roundtrip_test {
    ($ty:ident, $def:literal) => {
        #[allow(non_snake_case)]
        mod $ty {
            #[test]
            fn round_trips_and_conforms() {
                super::check::<stytch_m2m_models::$ty>($def);
            }
        }
    };
}

every_model!(roundtrip_test);

#[test]
fn every_definition_is_listed() {
    let schema = common::schema();
    let mut listed: Vec<&str> = common::REPLACED_BY_SECRET.to_vec();
    macro_rules! name {
        ($ty:ident, $def:literal) => {
            listed.push($def);
        };
    }
    every_model!(name);
    let mut missing: Vec<&String> = schema["$defs"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !listed.contains(&k.as_str()))
        .collect();
    missing.sort();
    assert!(
        missing.is_empty(),
        "add these definitions to every_model! in tests/common/mod.rs: {missing:?}"
    );
}

proptest! {
    /// An open enum keeps any string, known or not, and writes it back unchanged.
    #[test]
    fn open_enums_keep_unknown_values(value in "[ -~]{0,24}") {
        let json = Value::from(value.clone());
        let status: stytch_m2m_models::ClientStatus = serde_json::from_value(json.clone()).unwrap();
        prop_assert_eq!(status.as_str(), value.as_str());
        prop_assert_eq!(serde_json::to_value(&status).unwrap(), json.clone());
        prop_assert_eq!(status.is_known(), stytch_m2m_models::ClientStatus::try_parse(&value).is_some());
        let kind: stytch_m2m_models::ErrorType = serde_json::from_value(json.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&kind).unwrap(), json);
    }

    /// Closed (request-side) enums refuse a value they do not know.
    #[test]
    fn closed_enums_refuse_unknown_values(value in "[a-z]{1,12}") {
        prop_assume!(value != "active" && value != "inactive");
        let json = Value::from(value);
        prop_assert!(serde_json::from_value::<stytch_m2m_models::UpdateStatus>(json).is_err());
    }
}

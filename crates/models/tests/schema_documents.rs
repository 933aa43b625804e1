//! The schema documents themselves: valid JSON Schema 2020-12, a well-formed OpenAPI 3.1 document, and every
//! `$ref` resolving.

mod common;

use serde_json::Value;

fn openapi() -> Value {
    let text = std::fs::read_to_string(common::schema_dir().join("openapi.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r.clone());
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn the_schema_is_valid_2020_12() {
    let schema = common::schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("m2m.schema.json is not valid 2020-12: {e}");
    }
    for (name, def) in schema["$defs"].as_object().unwrap() {
        assert!(
            def.get("description").and_then(Value::as_str).is_some(),
            "$defs.{name} needs a description"
        );
    }
}

#[test]
fn every_ref_of_the_schema_resolves() {
    let schema = common::schema();
    let mut found = Vec::new();
    refs(&schema, &mut found);
    assert!(!found.is_empty());
    for r in found {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{r} is not local"));
        assert!(schema.pointer(pointer).is_some(), "{r} resolves to nothing");
    }
}

#[test]
fn the_openapi_document_is_well_formed_and_its_refs_resolve() {
    let doc = openapi();
    let schema = common::schema();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."));
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = Vec::new();
    for (path, item) in paths {
        assert!(path.starts_with('/'), "{path}");
        for (method, op) in item.as_object().unwrap() {
            if method == "parameters" {
                continue;
            }
            assert!(
                ["get", "put", "post", "delete"].contains(&method.as_str()),
                "{path}: {method}"
            );
            assert!(
                op["operationId"].is_string(),
                "{method} {path} has no operationId"
            );
            assert!(
                op["responses"]["200"].is_object(),
                "{method} {path} has no 200 response"
            );
            // Every path parameter in the template is declared.
            for segment in path.split('/').filter(|s| s.starts_with('{')) {
                let name = segment.trim_matches(['{', '}']);
                let declared = item["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .chain(op["parameters"].as_array().into_iter().flatten())
                    .any(|p| p["name"] == name && p["in"] == "path");
                assert!(
                    declared,
                    "{method} {path}: path parameter {name} is not declared"
                );
            }
            operations.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    assert_eq!(
        operations.len(),
        10,
        "eight client operations, the token endpoint and the JWKS: {operations:?}"
    );
    let mut found = Vec::new();
    refs(&doc, &mut found);
    for r in found {
        if let Some(pointer) = r.strip_prefix('#') {
            assert!(
                doc.pointer(pointer).is_some(),
                "{r} resolves to nothing in openapi.json"
            );
        } else if let Some(pointer) = r.strip_prefix("m2m.schema.json#") {
            assert!(
                schema.pointer(pointer).is_some(),
                "{r} resolves to nothing in m2m.schema.json"
            );
        } else {
            panic!("{r}: only local refs and refs into m2m.schema.json are allowed");
        }
    }
}

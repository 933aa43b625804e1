//! The OpenAPI document served at `/openapi.json`: `schema/openapi.json` with the definitions of
//! `schema/m2m.schema.json` put in `components.schemas`, so that it stands alone.
//!
//! Every constraint of the schema (JSON Schema keywords, and the vendor keywords `x-…` that JSON Schema cannot say)
//! is carried over unchanged: a schema change reaches the served document with no edit here. One vendor keyword is
//! also spelled out in plain JSON Schema, for tools that generate requests from the document (schemathesis):
//! `x-null-means-absent` on a request makes each of its optional properties accept `null` (`anyOf` with
//! `{"type": "null"}`), as the server does, because the official Rust SDK sends every unset field as `null`.

use serde_json::{Value, json};

const OPENAPI: &str = include_str!("../schema/openapi.json");
/// The wire schema, embedded once by the models crate.
const SCHEMA: &str = stytch_m2m_models::SCHEMA_JSON;

/// The bundled OpenAPI document.
pub fn document() -> Value {
    let openapi: Value = serde_json::from_str(OPENAPI).expect("schema/openapi.json is JSON");
    let schema: Value = serde_json::from_str(SCHEMA).expect("schema/m2m.schema.json is JSON");
    bundle(openapi, &schema)
}

/// The document for these two files (a schema being changed; [`document`] uses the embedded ones).
pub fn bundle(mut openapi: Value, schema: &Value) -> Value {
    let mut defs = schema["$defs"].clone();
    if let Some(defs) = defs.as_object_mut() {
        defs.values_mut().for_each(spell_out_nullable);
    }
    rewrite_refs(&mut defs);
    openapi["components"]["schemas"] = defs;
    openapi
}

fn spell_out_nullable(def: &mut Value) {
    if def.get("x-null-means-absent") != Some(&Value::Bool(true)) {
        return;
    }
    let required: Vec<String> = def
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if let Some(properties) = def.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, property) in properties.iter_mut() {
            if required.contains(name) {
                continue;
            }
            let description = property
                .as_object_mut()
                .and_then(|p| p.remove("description"));
            let mut wrapped = json!({"anyOf": [property.take(), {"type": "null"}]});
            if let Some(description) = description {
                wrapped["description"] = description;
            }
            *property = wrapped;
        }
    }
}

fn rewrite_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && let Some(name) = r.strip_prefix("#/$defs/")
            {
                *r = format!("#/components/schemas/{name}");
            }
            map.remove("x-open-enum");
            map.values_mut().for_each(rewrite_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

//! The OpenAPI document served at `/openapi.json`: `schema/openapi.json` with the definitions of
//! `schema/m2m.schema.json` put in `components.schemas`, so that it stands alone.

use serde_json::Value;

const OPENAPI: &str = include_str!("../schema/openapi.json");
const SCHEMA: &str = include_str!("../schema/m2m.schema.json");

/// The bundled OpenAPI document.
pub fn document() -> Value {
    let mut doc: Value = serde_json::from_str(OPENAPI).expect("schema/openapi.json is JSON");
    let schema: Value = serde_json::from_str(SCHEMA).expect("schema/m2m.schema.json is JSON");
    let mut defs = schema["$defs"].clone();
    rewrite_refs(&mut defs);
    doc["components"]["schemas"] = defs;
    doc
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

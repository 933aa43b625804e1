//! The keywords the server rules implement: a schema using a validation keyword they cannot check is refused at
//! load, naming the node, rather than applied with that constraint silently dropped.

use serde_json::Value;

/// JSON Schema validation keywords these rules do not implement: a schema using one is refused, naming the node,
/// rather than applied with that constraint silently dropped.
const UNCHECKED: &[&str] = &[
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minProperties",
    "uniqueItems",
    "multipleOf",
    "contains",
    "minContains",
    "maxContains",
    "dependentRequired",
    "dependentSchemas",
    "patternProperties",
    "propertyNames",
    "prefixItems",
    "unevaluatedItems",
    "unevaluatedProperties",
    "not",
    "if",
    "then",
    "else",
    "allOf",
];

/// The vendor keywords these rules know (constraints, and annotations of the schema's vocabulary).
const VENDOR: &[&str] = &[
    "x-emulator-policy",
    "x-error-type",
    "x-max-json-bytes",
    "x-null-means-absent",
    "x-open-enum",
    "x-secret-entropy",
];

pub(super) fn refuse_unchecked(node: &Value, at: &str) -> Result<(), String> {
    match node {
        Value::Object(map) => {
            if let Some(keyword) = map.keys().find(|k| {
                UNCHECKED.contains(&k.as_str())
                    || (k.starts_with("x-") && !VENDOR.contains(&k.as_str()))
            }) {
                return Err(format!(
                    "{at}: `{keyword}` is a keyword the server rules cannot check"
                ));
            }
            for (key, value) in map {
                match (key.as_str(), value) {
                    // Names of properties, not keywords.
                    ("properties", Value::Object(properties)) => {
                        for (name, property) in properties {
                            refuse_unchecked(property, &format!("{at}.properties.{name}"))?;
                        }
                    }
                    // Values, not schemas.
                    ("enum" | "const" | "examples" | "default" | "x-error-type", _) => {}
                    _ => refuse_unchecked(value, &format!("{at}.{key}"))?,
                }
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| refuse_unchecked(item, &format!("{at}[{i}]"))),
        _ => Ok(()),
    }
}

//! The pre-pass: a pure `serde_json::Value -> Value` step run before typify, for what typify has no setting for.
//!
//! - A definition marked `"x-open-enum": true` (a string enum the server may extend) is taken out of typify's hands:
//!   it is recorded as an [`OpenEnum`], rendered by the `open_enum` module, and typify is told to use that type.
//!   Unmarked string enums stay typify's closed enums (request-side: bad input is refused).
//! - `"format": "date-time"` is dropped, so timestamps stay `String` (RFC 3339 text, kept exactly as sent) and the
//!   models need no date crate.
//! - Constraint keywords (`minLength`, `maxLength`, `pattern`, `minItems`, `maxItems`, `maxProperties`) and the
//!   vendor keywords of constraints (`x-emulator-policy`, `x-error-type`, `x-secret-entropy`, `x-max-json-bytes`,
//!   `x-null-means-absent`) are dropped: they become core's request checks (the `constraints` module), not types
//!   (typify would otherwise wrap each constrained string in a newtype).
//! - The root keeps only `$schema` and `$defs`: it is a container, not a type.

use serde_json::{Map, Value};

/// A string enum that keeps unknown values.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenEnum {
    /// The definition name (the Rust type name).
    pub name: String,
    /// The description of the definition, as the type's doc comment.
    pub description: String,
    /// The known values, in schema order.
    pub values: Vec<String>,
}

/// What the pre-pass returns.
#[derive(Debug)]
pub struct Output {
    /// The schema to hand to typify.
    pub schema: Value,
    /// The open enums found.
    pub open_enums: Vec<OpenEnum>,
}

/// Runs the pre-pass.
pub fn run(mut schema: Value) -> Result<Output, String> {
    let defs = schema
        .get_mut("$defs")
        .and_then(Value::as_object_mut)
        .ok_or("the schema has no $defs object")?;
    let mut open_enums = Vec::new();
    for (name, def) in defs.iter_mut() {
        let Some(obj) = def.as_object_mut() else {
            return Err(format!("$defs.{name} is not an object"));
        };
        if obj.remove("x-open-enum") == Some(Value::Bool(true)) {
            open_enums.push(open_enum_of(name, obj)?);
        }
    }
    strip_date_time(&mut schema);
    strip_constraints(&mut schema);
    // The root only gathers `$defs`; with a title typify would also emit a type for the root itself.
    if let Some(root) = schema.as_object_mut() {
        root.retain(|key, _| key == "$schema" || key == "$defs");
    }
    Ok(Output { schema, open_enums })
}

fn open_enum_of(name: &str, def: &Map<String, Value>) -> Result<OpenEnum, String> {
    if def.get("type").and_then(Value::as_str) != Some("string") {
        return Err(format!(
            "$defs.{name}: x-open-enum needs \"type\": \"string\""
        ));
    }
    let values = def
        .get("enum")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("$defs.{name}: x-open-enum needs an \"enum\" list"))?
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("$defs.{name}: enum values must be strings"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let description = def
        .get("description")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            format!("$defs.{name}: an open enum needs a description (it becomes the doc comment)")
        })?
        .to_owned();
    Ok(OpenEnum {
        name: name.to_owned(),
        description,
        values,
    })
}

/// The annotations of constraints the pre-pass drops besides the constraint keywords themselves.
pub const CONSTRAINT_ANNOTATIONS: &[&str] =
    &["x-emulator-policy", "x-error-type", "x-null-means-absent"];

/// Whether the pre-pass drops `keyword`: every constraint keyword ([`super::keywords::KEYWORDS`]) but the
/// numeric bounds (typify reads `minimum`/`maximum` into the integer type, which is what we want), and the
/// annotations.
fn stripped(keyword: &str) -> bool {
    (super::keywords::KEYWORDS.contains(&keyword) && !matches!(keyword, "minimum" | "maximum"))
        || CONSTRAINT_ANNOTATIONS.contains(&keyword)
}

fn strip_constraints(value: &mut Value) {
    match value {
        Value::Object(map) => {
            // `properties` maps names to schemas: a property may be called `pattern`, so only schema nodes lose
            // keywords, never the names in a `properties` map.
            map.retain(|keyword, v| {
                !stripped(keyword) || (v.is_object() && !keyword.starts_with("x-"))
            });
            map.values_mut().for_each(strip_constraints);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_constraints),
        _ => {}
    }
}

fn strip_date_time(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some("date-time") {
                map.remove("format");
            }
            map.values_mut().for_each(strip_date_time);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_date_time),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn open_enums_are_taken_out_and_dates_become_strings() {
        let out = run(json!({"$defs": {
            "Status": {"type": "string", "enum": ["a", "b"], "x-open-enum": true, "description": "d"},
            "Closed": {"type": "string", "enum": ["x"]},
            "Obj": {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}}
        }}))
        .unwrap();
        assert_eq!(
            out.open_enums,
            vec![OpenEnum {
                name: "Status".into(),
                description: "d".into(),
                values: vec!["a".into(), "b".into()]
            }]
        );
        assert_eq!(out.schema["$defs"]["Status"].get("x-open-enum"), None);
        assert_eq!(
            out.schema["$defs"]["Closed"],
            json!({"type": "string", "enum": ["x"]})
        );
        assert_eq!(
            out.schema["$defs"]["Obj"]["properties"]["at"],
            json!({"type": "string"})
        );
    }

    #[test]
    fn constraints_are_dropped_but_properties_of_the_same_name_stay() {
        let out = run(json!({"$defs": {"Req": {
            "type": "object", "x-null-means-absent": true,
            "properties": {
                "pattern": {"type": "string", "maxLength": 3, "pattern": "^\\S+$",
                    "x-emulator-policy": ["maxLength"], "x-error-type": "bad_request"},
                "limit": {"type": "integer", "minimum": 0, "maximum": 10},
                "tags": {"type": "array", "items": {"type": "string", "minLength": 1}, "maxItems": 2}
            }
        }}}))
        .unwrap();
        assert_eq!(
            out.schema["$defs"]["Req"],
            json!({"type": "object", "properties": {
                "pattern": {"type": "string"},
                "limit": {"type": "integer", "minimum": 0, "maximum": 10},
                "tags": {"type": "array", "items": {"type": "string"}}
            }})
        );
    }

    #[test]
    fn a_malformed_open_enum_is_refused_with_its_name() {
        let err =
            run(json!({"$defs": {"S": {"type": "integer", "x-open-enum": true}}})).unwrap_err();
        assert!(err.contains("$defs.S"), "{err}");
        let err =
            run(json!({"$defs": {"S": {"type": "string", "enum": ["a"], "x-open-enum": true}}}))
                .unwrap_err();
        assert!(err.contains("description"), "{err}");
    }
}

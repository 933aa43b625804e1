//! The server's rules for request bodies: what the mock and the emulator refuse, on their own.
//!
//! They are read at run time from the schema (`schema/m2m.schema.json`, embedded in the models crate), never from
//! the client's checks: the client's `validate()` is generated code, this is an interpreter of the same keywords
//! written separately (patterns are real regular expressions here), so a bug in one is caught by the other.
//!
//! - [`Strictness::Strict`] (the default) applies every constraint: Stytch's and the emulator's documented guesses
//!   where Stytch is silent (the keywords a node lists in `x-emulator-policy`: lengths, the number of scopes, the
//!   secret's entropy).
//! - [`Strictness::Lenient`] applies Stytch's rules only: what the client itself checks.
//!
//! A violation is a 400 in Stytch's error shape, with the `error_type` the schema gives (`x-error-type`) and a
//! message naming the field and the rule, never the value.

mod entropy;
mod keywords;

use std::collections::HashMap;
use std::sync::Arc;

use regex::Regex;
use serde_json::{Map, Value};
use stytch_m2m_core::models::ErrorType;

use super::Failure;

/// Which constraints the server applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Strictness {
    /// Stytch's rules and the emulator's documented guesses (the default).
    #[default]
    Strict,
    /// Stytch's rules only.
    Lenient,
}

impl Strictness {
    /// `"strict"` or `"lenient"`: how the emulator's `--rules` and `/_emulator/rules` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Strictness::Strict => "strict",
            Strictness::Lenient => "lenient",
        }
    }
}

impl std::fmt::Display for Strictness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Strictness {
    type Err = String;

    /// `strict` or `lenient`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "strict" => Ok(Strictness::Strict),
            "lenient" => Ok(Strictness::Lenient),
            _ => Err(format!("`{s}` is not a strictness: use strict or lenient")),
        }
    }
}

/// The server's rules, compiled from a schema. Cheap to clone.
///
/// ```
/// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
/// use stytch_m2m::mock::{ServerRules, Strictness};
///
/// let body = serde_json::json!({"scopes": ["read:users"], "client_secret": "Welcome2024!"});
/// // Stytch's documented rules pass; the emulator's entropy guess does not.
/// assert!(ServerRules::lenient().check("CreateRequest", &body).is_ok());
/// let refused = ServerRules::strict().check("CreateRequest", &body).unwrap_err();
/// assert_eq!(refused.status, 400);
/// assert_eq!(refused.error_type.as_str(), "insecure_m2m_client_secret");
/// assert!(!refused.message.contains("Welcome2024!"));
/// assert_eq!(ServerRules::default().strictness(), Strictness::Strict);
/// ```
#[derive(Clone)]
pub struct ServerRules {
    inner: Arc<Inner>,
}

struct Inner {
    defs: Map<String, Value>,
    strictness: Strictness,
    patterns: HashMap<String, Regex>,
}

impl std::fmt::Debug for ServerRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerRules")
            .field("strictness", &self.inner.strictness)
            .finish_non_exhaustive()
    }
}

impl Default for ServerRules {
    fn default() -> Self {
        Self::strict()
    }
}

impl ServerRules {
    /// Stytch's rules and the emulator's documented guesses, from the embedded schema.
    pub fn strict() -> Self {
        Self::embedded(Strictness::Strict)
    }

    /// Stytch's rules only, from the embedded schema.
    pub fn lenient() -> Self {
        Self::embedded(Strictness::Lenient)
    }

    /// The rules of this strictness, from the embedded schema.
    pub fn embedded(strictness: Strictness) -> Self {
        let schema: Value = serde_json::from_str(stytch_m2m_core::models::SCHEMA_JSON)
            .expect("the embedded schema is JSON");
        Self::from_schema(&schema, strictness).expect("the embedded schema's rules compile")
    }

    /// The rules of another version of the schema (a schema being changed; the embedded one is the default).
    pub fn from_schema(schema: &Value, strictness: Strictness) -> Result<Self, String> {
        let defs = schema
            .get("$defs")
            .and_then(Value::as_object)
            .ok_or("the schema has no $defs")?
            .clone();
        for (name, def) in &defs {
            keywords::refuse_unchecked(def, &format!("$defs.{name}"))?;
        }
        let mut patterns = HashMap::new();
        collect_patterns(&Value::Object(defs.clone()), &mut patterns)?;
        Ok(Self {
            inner: Arc::new(Inner {
                defs,
                strictness,
                patterns,
            }),
        })
    }

    /// Strict or lenient.
    pub fn strictness(&self) -> Strictness {
        self.inner.strictness
    }

    /// Checks a request body (as JSON) against the rules of the schema definition `definition`
    /// (`CreateRequest`, `UpdateRequest`, `SearchRequest`, …). An unknown definition has no rules.
    pub fn check(&self, definition: &str, body: &Value) -> Result<(), Failure> {
        match self.inner.defs.get(definition) {
            Some(def) => self.node(def, body, ""),
            None => Ok(()),
        }
    }

    /// Checks a value against one property's rules (`UpdateRequest`, `trusted_metadata`): how the server checks
    /// stored metadata after an update merged into it.
    pub fn check_property(
        &self,
        definition: &str,
        property: &str,
        value: &Value,
    ) -> Result<(), Failure> {
        match self
            .inner
            .defs
            .get(definition)
            .and_then(|d| d.get("properties"))
            .and_then(|p| p.get(property))
        {
            Some(node) => self.node(node, value, property),
            None => Ok(()),
        }
    }

    fn node(&self, node: &Value, value: &Value, path: &str) -> Result<(), Failure> {
        let Some(obj) = node.as_object() else {
            return Ok(());
        };
        if let Some(target) = obj
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
            .and_then(|name| self.inner.defs.get(name))
        {
            self.node(target, value, path)?;
        }
        let policy: Vec<&str> = obj
            .get("x-emulator-policy")
            .and_then(Value::as_array)
            .map(|v| v.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let applies = |kw: &str| {
            obj.contains_key(kw)
                && (self.inner.strictness == Strictness::Strict || !policy.contains(&kw))
        };
        // Whether a count breaks the bound `kw` (a lower bound when `lower`), where the bound applies.
        let breaks = |kw: &str, n: f64, lower: bool| {
            applies(kw)
                && obj
                    .get(kw)
                    .and_then(Value::as_f64)
                    .is_some_and(|b| if lower { n < b } else { n > b })
        };
        let refuse = |kw: &str, rule: String| Err(violation(obj, kw, path, &rule));
        match value {
            Value::String(s) => {
                let n = s.chars().count() as f64;
                if breaks("minLength", n, true) {
                    return refuse(
                        "minLength",
                        format!("must be at least {} characters", obj["minLength"]),
                    );
                }
                if breaks("maxLength", n, false) {
                    return refuse(
                        "maxLength",
                        format!("must be at most {} characters", obj["maxLength"]),
                    );
                }
                if applies("pattern")
                    && let Some(pattern) = obj["pattern"].as_str()
                    && !self.inner.patterns[pattern].is_match(s)
                {
                    return refuse("pattern", format!("must match {pattern}"));
                }
                if applies("x-secret-entropy")
                    && obj["x-secret-entropy"] == Value::Bool(true)
                    && let Err(rule) = entropy::check(s)
                {
                    return refuse("x-secret-entropy", rule.to_owned());
                }
            }
            Value::Array(items) => {
                let n = items.len() as f64;
                if breaks("minItems", n, true) {
                    return refuse(
                        "minItems",
                        format!("must list at least {} item(s)", obj["minItems"]),
                    );
                }
                if breaks("maxItems", n, false) {
                    return refuse(
                        "maxItems",
                        format!("must list at most {} items", obj["maxItems"]),
                    );
                }
                if let Some(item_node) = obj.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.node(item_node, item, &format!("{path}[{i}]"))?;
                    }
                }
            }
            Value::Object(map) => {
                if breaks("maxProperties", map.len() as f64, false) {
                    return refuse(
                        "maxProperties",
                        format!("must have at most {} top-level keys", obj["maxProperties"]),
                    );
                }
                // `applies` first, so that the object is serialized only when the bound is in force.
                if applies("x-max-json-bytes")
                    && breaks("x-max-json-bytes", json_size(value) as f64, false)
                {
                    return refuse(
                        "x-max-json-bytes",
                        format!("must be at most {} bytes as JSON", obj["x-max-json-bytes"]),
                    );
                }
                let null_is_absent = obj.get("x-null-means-absent") == Some(&Value::Bool(true));
                if let Some(properties) = obj.get("properties").and_then(Value::as_object) {
                    for (name, sub) in properties {
                        match map.get(name) {
                            None => {}
                            Some(Value::Null) if null_is_absent => {}
                            Some(v) => self.node(sub, v, &join(path, name))?,
                        }
                    }
                }
            }
            Value::Number(number) => {
                let n = number.as_f64().unwrap_or(f64::NAN);
                let kw = if breaks("maximum", n, false) {
                    Some("maximum")
                } else if breaks("minimum", n, true) {
                    Some("minimum")
                } else {
                    None
                };
                if let Some(kw) = kw {
                    let bound = |kw: &str| obj.get(kw).and_then(Value::as_f64);
                    let (min, max) = (bound("minimum"), bound("maximum"));
                    let rule = match (min, max) {
                        (Some(lo), Some(hi)) => format!("must be from {lo} to {hi}"),
                        (Some(lo), None) => format!("must be at least {lo}"),
                        (None, Some(hi)) => format!("must be at most {hi}"),
                        (None, None) => unreachable!("a bound applies"),
                    };
                    return refuse(kw, rule);
                }
            }
            Value::Null | Value::Bool(_) => {}
        }
        Ok(())
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn json_size(value: &Value) -> usize {
    serde_json::to_vec(value).map_or(usize::MAX, |v| v.len())
}

/// The 400 of a broken rule: the schema's `x-error-type` for the keyword (or its `*`), else `bad_request`.
fn violation(node: &Map<String, Value>, keyword: &str, path: &str, rule: &str) -> Failure {
    let error_type = match node.get("x-error-type") {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Object(by)) => by
            .get(keyword)
            .or_else(|| by.get("*"))
            .and_then(Value::as_str),
        _ => None,
    }
    .map_or(ErrorType::BadRequest, ErrorType::from);
    let field = if path.is_empty() { "body" } else { path };
    Failure::new(400, error_type, format!("invalid `{field}`: {rule}"))
}

fn collect_patterns(value: &Value, out: &mut HashMap<String, Regex>) -> Result<(), String> {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(p)) = map.get("pattern")
                && !out.contains_key(p)
            {
                let regex = Regex::new(p).map_err(|e| format!("pattern {p:?}: {e}"))?;
                out.insert(p.clone(), regex);
            }
            map.values().try_for_each(|v| collect_patterns(v, out))
        }
        Value::Array(items) => items.iter().try_for_each(|v| collect_patterns(v, out)),
        _ => Ok(()),
    }
}

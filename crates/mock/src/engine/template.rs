//! The M2M JWT template, a stand-in for Stytch's (M2M custom-claims guide): custom claims filled from the token
//! request's extra parameters (`{{ request.x }}`) and the client's trusted metadata (`{{ trusted_metadata.x.y }}`),
//! and optionally a custom audience.
//!
//! A placeholder is a whole string value (values only, no text around it) and is replaced by the JSON value it
//! names; a missing value omits the claim. Registered claims (`sub`, `iss`, `aud`, `scope`, `iat`, `nbf`, `exp`,
//! `jti`) cannot be set. Templates and the claims they render are at most 4 KB of JSON.

use serde_json::{Map, Value};
use stytch_m2m_core::models::ErrorType;

use super::Failure;

/// The most bytes of JSON a template, or the claims it renders, may take.
pub const MAX_TEMPLATE_BYTES: usize = 4096;

const REGISTERED: [&str; 8] = ["sub", "iss", "aud", "scope", "iat", "nbf", "exp", "jti"];

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct JwtTemplate {
    claims: Map<String, Value>,
    audience: Option<String>,
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure::new(400, ErrorType::BadRequest, message)
}

impl JwtTemplate {
    /// Reads `{"custom_claims": {...}, "custom_audience": "..."}` (both optional).
    pub fn parse(document: &Value) -> Result<Self, Failure> {
        let Value::Object(document) = document else {
            return Err(invalid("A JWT template is a JSON object."));
        };
        if serde_json::to_vec(document).map_or(usize::MAX, |b| b.len()) > MAX_TEMPLATE_BYTES {
            return Err(invalid("A JWT template is at most 4 KB."));
        }
        for key in document.keys() {
            if key != "custom_claims" && key != "custom_audience" {
                return Err(invalid(format!("Unknown template member `{key}`.")));
            }
        }
        let claims = match document.get("custom_claims") {
            None => Map::new(),
            Some(Value::Object(claims)) => claims.clone(),
            Some(_) => return Err(invalid("`custom_claims` must be an object.")),
        };
        if let Some(key) = claims.keys().find(|k| REGISTERED.contains(&k.as_str())) {
            return Err(invalid(format!(
                "`{key}` is a registered claim; a template cannot set it."
            )));
        }
        let audience = match document.get("custom_audience") {
            None | Some(Value::Null) => None,
            Some(Value::String(aud)) if !aud.is_empty() => Some(aud.clone()),
            Some(_) => return Err(invalid("`custom_audience` must be a non-empty string.")),
        };
        Ok(Self { claims, audience })
    }

    /// The template as a document (what `parse` reads).
    pub fn document(&self) -> Value {
        let mut document = Map::new();
        document.insert("custom_claims".into(), Value::Object(self.claims.clone()));
        if let Some(aud) = &self.audience {
            document.insert("custom_audience".into(), Value::String(aud.clone()));
        }
        Value::Object(document)
    }

    /// The custom audience, if any.
    pub fn audience(&self) -> Option<&str> {
        self.audience.as_deref()
    }

    /// The claims for one token request.
    pub fn render(
        &self,
        request: &Map<String, Value>,
        trusted_metadata: &Map<String, Value>,
    ) -> Result<Map<String, Value>, Failure> {
        let rendered = render_object(&self.claims, request, trusted_metadata);
        if serde_json::to_vec(&rendered).map_or(usize::MAX, |b| b.len()) > MAX_TEMPLATE_BYTES {
            return Err(Failure::new(
                400,
                ErrorType::InvalidRequest,
                "The custom claims are larger than 4 KB.",
            ));
        }
        Ok(rendered)
    }
}

fn render_object(
    object: &Map<String, Value>,
    request: &Map<String, Value>,
    metadata: &Map<String, Value>,
) -> Map<String, Value> {
    object
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), render(v, request, metadata)?)))
        .collect()
}

/// A value with its placeholders filled; `None` when a placeholder names nothing (the claim is omitted).
fn render(
    value: &Value,
    request: &Map<String, Value>,
    metadata: &Map<String, Value>,
) -> Option<Value> {
    match value {
        Value::String(text) => match placeholder(text) {
            Some(("request", path)) => lookup(request, path),
            Some(("trusted_metadata", path)) => lookup(metadata, path),
            _ => Some(value.clone()),
        },
        Value::Object(object) => Some(Value::Object(render_object(object, request, metadata))),
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .filter_map(|v| render(v, request, metadata))
                .collect(),
        )),
        other => Some(other.clone()),
    }
}

/// `{{ source.path }}` -> (`source`, `path`).
fn placeholder(text: &str) -> Option<(&str, &str)> {
    let inner = text.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
    inner.split_once('.')
}

fn lookup(root: &Map<String, Value>, path: &str) -> Option<Value> {
    let mut parts = path.split('.');
    let mut current = root.get(parts.next()?)?;
    for part in parts {
        current = current.as_object()?.get(part)?;
    }
    (!current.is_null()).then(|| current.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_values_only_and_omits_missing_ones() {
        let template = JwtTemplate::parse(&json!({
            "custom_claims": {
                "tenant": "{{ request.tenant }}",
                "team": "{{trusted_metadata.org.team}}",
                "missing": "{{ request.nothing }}",
                "fixed": "v1",
                "nested": {"level": "{{ trusted_metadata.level }}"},
                "text_around": "x {{ request.tenant }}"
            },
            "custom_audience": "https://api.example.com"
        }))
        .unwrap();
        let request = json!({"tenant": "acme"});
        let metadata = json!({"org": {"team": "billing"}, "level": 2});
        let claims = template
            .render(request.as_object().unwrap(), metadata.as_object().unwrap())
            .unwrap();
        assert_eq!(
            Value::Object(claims),
            json!({"tenant": "acme", "team": "billing", "fixed": "v1", "nested": {"level": 2},
                   "text_around": "x {{ request.tenant }}"})
        );
        assert_eq!(template.audience(), Some("https://api.example.com"));
    }

    #[test]
    fn registered_claims_and_oversized_templates_are_refused() {
        for registered in ["sub", "aud", "exp", "scope", "jti"] {
            let doc = json!({"custom_claims": {registered: "x"}});
            assert!(JwtTemplate::parse(&doc).is_err(), "{registered}");
        }
        let big = json!({"custom_claims": {"x": "y".repeat(5000)}});
        assert!(JwtTemplate::parse(&big).is_err());
        let template =
            JwtTemplate::parse(&json!({"custom_claims": {"x": "{{ request.x }}"}})).unwrap();
        let request = json!({"x": "y".repeat(5000)});
        assert!(
            template
                .render(request.as_object().unwrap(), &Map::new())
                .is_err()
        );
        assert!(JwtTemplate::parse(&json!({"other": 1})).is_err());
        assert!(JwtTemplate::parse(&json!({"custom_audience": ""})).is_err());
    }
}

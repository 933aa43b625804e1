//! Shared by the models tests: the schema, a validator per definition, and the list of model types.
#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::{Value, json};

/// The repository's `schema/` folder.
pub fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema")
}

/// `schema/m2m.schema.json`, parsed.
pub fn schema() -> Value {
    let text = std::fs::read_to_string(schema_dir().join("m2m.schema.json")).expect("schema file");
    serde_json::from_str(&text).expect("schema is JSON")
}

/// A validator for one definition of the schema (the whole document, entered through `$ref`).
pub fn validator(schema: &Value, def: &str) -> jsonschema::Validator {
    let mut doc = schema.clone();
    doc["$ref"] = json!(format!("#/$defs/{def}"));
    jsonschema::validator_for(&doc).unwrap_or_else(|e| panic!("validator for {def}: {e}"))
}

/// Every error of `instance` against definition `def`, as text.
pub fn violations(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Definitions that are not Rust types of their own: they are replaced by `Secret`.
pub const REPLACED_BY_SECRET: &[&str] = &["ClientSecret", "AccessToken"];

/// Calls `$m!(Type, "DefinitionName")` for every model type. Keep it complete: `every_definition_is_listed`
/// fails when a definition of the schema is missing here.
#[macro_export]
macro_rules! every_model {
    ($m:ident) => {
        $m!(ClientStatus, "ClientStatus");
        $m!(UpdateStatus, "UpdateStatus");
        $m!(ErrorType, "ErrorType");
        $m!(M2mClient, "M2MClient");
        $m!(M2mClientWithClientSecret, "M2MClientWithClientSecret");
        $m!(
            M2mClientWithNextClientSecret,
            "M2MClientWithNextClientSecret"
        );
        $m!(CreateRequest, "CreateRequest");
        $m!(UpdateRequest, "UpdateRequest");
        $m!(SearchRequest, "SearchRequest");
        $m!(SearchQuery, "SearchQuery");
        $m!(SearchOperator, "SearchOperator");
        $m!(SearchOperand, "SearchOperand");
        $m!(SearchFilterName, "SearchFilterName");
        $m!(ResultsMetadata, "ResultsMetadata");
        $m!(CreateResponse, "CreateResponse");
        $m!(GetResponse, "GetResponse");
        $m!(UpdateResponse, "UpdateResponse");
        $m!(RotateStartResponse, "RotateStartResponse");
        $m!(RotateCancelResponse, "RotateCancelResponse");
        $m!(RotateResponse, "RotateResponse");
        $m!(RotateRequest, "RotateRequest");
        $m!(DeleteResponse, "DeleteResponse");
        $m!(SearchResponse, "SearchResponse");
        $m!(ErrorResponse, "ErrorResponse");
        $m!(OAuth2ErrorResponse, "OAuth2ErrorResponse");
        $m!(TokenRequest, "TokenRequest");
        $m!(GrantType, "GrantType");
        $m!(TokenResponse, "TokenResponse");
        $m!(Jwk, "Jwk");
        $m!(JwksResponse, "JwksResponse");
    };
}

/// Removes every object member whose value is `null`, recursively: the models read `null` and absent alike and
/// write absent, so two bodies are equivalent when they are equal after this.
pub fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

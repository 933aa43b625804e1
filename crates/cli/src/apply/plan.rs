//! The plan of `apply`: what to create, what to update (field by field), what is already as declared, and which
//! clients of the project the file does not mention. Pure: no call is made here.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value, json};
use stytch_m2m::Validate as _;
use stytch_m2m::models::{CreateRequest, M2mClient, UpdateRequest, UpdateStatus};

use super::file::{Declared, DeclaredStatus};

/// One field that differs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// The field, as the file names it.
    pub field: &'static str,
    /// What the client has.
    pub from: Value,
    /// What the file declares.
    pub to: Value,
}

/// A client to update.
#[derive(Clone, Debug, Serialize)]
pub struct Update {
    /// Its id.
    pub client_id: String,
    /// What changes.
    pub changes: Vec<Change>,
    #[serde(skip)]
    declared: Declared,
    #[serde(skip)]
    current_metadata: Map<String, Value>,
}

/// The whole plan.
#[derive(Debug, Default, Serialize)]
pub struct Plan {
    /// Declared, absent from the project.
    pub create: Vec<Declared>,
    /// Declared and present, with differences.
    pub update: Vec<Update>,
    /// Declared and present, already as declared.
    pub unchanged: Vec<String>,
    /// Present in the project, not in the file: left alone.
    pub unmanaged: Vec<String>,
}

impl Plan {
    /// Whether applying it would make any write call.
    pub fn is_empty(&self) -> bool {
        self.create.is_empty() && self.update.is_empty()
    }
}

fn scope_set(scopes: &[String]) -> BTreeSet<&str> {
    scopes.iter().map(String::as_str).collect()
}

/// Compares the declared clients with the project's.
pub fn plan(declared: &[Declared], existing: &[M2mClient]) -> Plan {
    let by_id: BTreeMap<&str, &M2mClient> =
        existing.iter().map(|c| (c.client_id.as_str(), c)).collect();
    let declared_ids: BTreeSet<&str> = declared.iter().map(|d| d.client_id.as_str()).collect();
    let mut plan = Plan::default();
    for d in declared {
        let Some(current) = by_id.get(d.client_id.as_str()) else {
            plan.create.push(d.clone());
            continue;
        };
        let mut changes = Vec::new();
        if let Some(name) = &d.name
            && *name != current.client_name
        {
            changes.push(Change {
                field: "name",
                from: json!(current.client_name),
                to: json!(name),
            });
        }
        if let Some(description) = &d.description
            && *description != current.client_description
        {
            changes.push(Change {
                field: "description",
                from: json!(current.client_description),
                to: json!(description),
            });
        }
        if scope_set(&d.scopes) != scope_set(&current.scopes) {
            changes.push(Change {
                field: "scopes",
                from: json!(current.scopes),
                to: json!(d.scopes),
            });
        }
        if let Some(status) = d.status
            && status.as_str() != current.status.as_str()
        {
            changes.push(Change {
                field: "status",
                from: json!(current.status.as_str()),
                to: json!(status.as_str()),
            });
        }
        let current_metadata = current.trusted_metadata.clone().unwrap_or_default();
        if let Some(metadata) = &d.trusted_metadata
            && *metadata != current_metadata
        {
            changes.push(Change {
                field: "trusted_metadata",
                from: Value::Object(current_metadata.clone()),
                to: Value::Object(metadata.clone()),
            });
        }
        if changes.is_empty() {
            plan.unchanged.push(d.client_id.clone());
        } else {
            plan.update.push(Update {
                client_id: d.client_id.clone(),
                changes,
                declared: d.clone(),
                current_metadata,
            });
        }
    }
    plan.unmanaged = existing
        .iter()
        .map(|c| c.client_id.clone())
        .filter(|id| !declared_ids.contains(id.as_str()))
        .collect();
    plan
}

/// Checks, before any call, every request the plan will send and every declared client (as a whole, as if it
/// were created), against Stytch's rules: the error names the client and the field.
pub fn validate(declared: &[Declared], plan: &Plan) -> Result<(), String> {
    let named = |id: &str, e: stytch_m2m::ValidationError| format!("client {id:?}: {e}");
    for d in declared {
        create_request(d)
            .validate()
            .map_err(|e| named(&d.client_id, e))?;
    }
    for d in &plan.create {
        if let Some(request) = status_after_create(d) {
            request.validate().map_err(|e| named(&d.client_id, e))?;
        }
    }
    for update in &plan.update {
        update
            .request()
            .validate()
            .map_err(|e| named(&update.client_id, e))?;
    }
    Ok(())
}

/// The create call of a declared client (its status is set by an update after, when inactive).
pub fn create_request(d: &Declared) -> CreateRequest {
    let mut request = CreateRequest::new(d.scopes.iter().cloned()).client_id(d.client_id.clone());
    if let Some(name) = &d.name {
        request = request.client_name(name.clone());
    }
    if let Some(description) = &d.description {
        request = request.client_description(description.clone());
    }
    if let Some(metadata) = &d.trusted_metadata {
        request = request.trusted_metadata(metadata.clone());
    }
    request
}

fn update_status(status: DeclaredStatus) -> UpdateStatus {
    match status {
        DeclaredStatus::Active => UpdateStatus::Active,
        DeclaredStatus::Inactive => UpdateStatus::Inactive,
    }
}

/// The status update a created client needs, if any (clients are created active).
pub fn status_after_create(d: &Declared) -> Option<UpdateRequest> {
    (d.status == Some(DeclaredStatus::Inactive))
        .then(|| UpdateRequest::new().status(UpdateStatus::Inactive))
}

impl Update {
    /// The update call: only the changed fields. Metadata merges at the top level on the wire, so only what
    /// changes is sent: a key added or changed with its value, a key the file no longer has as `null` (deleted).
    pub fn request(&self) -> UpdateRequest {
        let mut request = UpdateRequest::new();
        for change in &self.changes {
            match change.field {
                "name" => {
                    request = request.client_name(self.declared.name.clone().unwrap_or_default())
                }
                "description" => {
                    request = request
                        .client_description(self.declared.description.clone().unwrap_or_default());
                }
                "scopes" => request = request.scopes(self.declared.scopes.iter().cloned()),
                "status" => {
                    if let Some(status) = self.declared.status {
                        request = request.status(update_status(status));
                    }
                }
                "trusted_metadata" => {
                    let declared = self.declared.trusted_metadata.clone().unwrap_or_default();
                    let mut changed: Map<String, Value> = declared
                        .into_iter()
                        .filter(|(key, value)| self.current_metadata.get(key) != Some(value))
                        .collect();
                    let declared = self.declared.trusted_metadata.as_ref();
                    for key in self.current_metadata.keys() {
                        if declared.is_none_or(|d| !d.contains_key(key)) {
                            changed.insert(key.clone(), Value::Null);
                        }
                    }
                    request = request.trusted_metadata(changed);
                }
                _ => {}
            }
        }
        request
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(id: &str, value: Value) -> M2mClient {
        let mut base = json!({"client_id": id, "client_name": "", "client_description": "", "status": "active",
            "scopes": ["a"], "client_secret_last_four": "abcd"});
        if let (Value::Object(b), Value::Object(v)) = (&mut base, value) {
            b.extend(v);
        }
        serde_json::from_value(base).unwrap()
    }

    fn declared(text: &str) -> Vec<Declared> {
        super::super::file::parse(text).unwrap().clients
    }

    #[test]
    fn creates_updates_field_by_field_and_leaves_the_rest() {
        let existing = [
            client("same", json!({"client_name": "S", "scopes": ["b", "a"]})),
            client(
                "renamed",
                json!({"client_name": "old", "trusted_metadata": {"team": "x", "gone": 1}}),
            ),
            client("legacy", json!({})),
        ];
        let file = declared(
            r#"
            [[clients]]
            client_id = "same"
            name = "S"
            scopes = ["a", "b"]
            [[clients]]
            client_id = "renamed"
            name = "new"
            scopes = ["a"]
            status = "inactive"
            trusted_metadata = { team = "y" }
            [[clients]]
            client_id = "fresh"
            scopes = ["a"]
            "#,
        );
        let plan = plan(&file, &existing);
        assert_eq!(plan.create.len(), 1);
        assert_eq!(plan.create[0].client_id, "fresh");
        assert_eq!(
            plan.unchanged,
            ["same"],
            "scopes are a set; unmanaged fields are ignored"
        );
        assert_eq!(plan.unmanaged, ["legacy"]);
        let fields: Vec<_> = plan.update[0].changes.iter().map(|c| c.field).collect();
        assert_eq!(fields, ["name", "status", "trusted_metadata"]);
        let request = serde_json::to_value(plan.update[0].request()).unwrap();
        assert_eq!(request["client_name"], "new");
        assert_eq!(request["status"], "inactive");
        assert_eq!(
            request["trusted_metadata"],
            json!({"team": "y", "gone": null}),
            "the changed key and the dropped one"
        );
        assert!(
            request.get("scopes").is_none_or(Value::is_null),
            "{request}"
        );
        assert!(!plan.is_empty());
    }

    #[test]
    fn the_export_of_a_client_plans_nothing() {
        let existing = [client(
            "x",
            json!({"client_name": "n", "trusted_metadata": {"k": [1, 2]}}),
        )];
        let exported = Declared::from_client(&existing[0]);
        let again = declared(&super::super::file::to_toml(&exported).unwrap());
        let plan = plan(&again, &existing);
        assert!(plan.is_empty(), "{plan:?}");
        assert_eq!(plan.unchanged, ["x"]);
    }

    #[test]
    fn a_bad_file_names_the_problem() {
        for (text, expected) in [
            (
                "[[clients]]\nclient_id = \"a\"\nscopes = []",
                "clients[0].scopes",
            ),
            (
                "[[clients]]\nclient_id = \"a\"\nscopes = [\"s\"]\n[[clients]]\nclient_id = \"a\"\nscopes = [\"s\"]",
                "declared twice",
            ),
            (
                "[[clients]]\nclient_id = \"a\"\nscopes = [\"s\"]\ncolour = \"red\"",
                "colour",
            ),
            ("[[clients]]\nscopes = [\"s\"]", "client_id"),
        ] {
            let e = super::super::file::parse(text).unwrap_err();
            assert!(e.contains(expected), "{text}: {e}");
        }
    }

    #[test]
    fn an_update_sends_only_the_metadata_that_changes() {
        let twenty: Map<String, Value> = (0..20).map(|i| (format!("k{i}"), json!(i))).collect();
        let existing = [client("full", json!({"trusted_metadata": twenty}))];
        let mut renamed = twenty_without("k0");
        renamed.insert("renamed".into(), json!(0));
        let file = vec![Declared {
            trusted_metadata: Some(renamed),
            ..Declared::from_client(&existing[0])
        }];
        let plan = plan(&file, &existing);
        validate(&file, &plan).expect("20 keys declared, 2 sent");
        let request = serde_json::to_value(plan.update[0].request()).unwrap();
        assert_eq!(
            request["trusted_metadata"],
            json!({"renamed": 0, "k0": null})
        );
    }

    fn twenty_without(key: &str) -> Map<String, Value> {
        (0..20)
            .map(|i| (format!("k{i}"), json!(i)))
            .filter(|(k, _)| k != key)
            .collect()
    }

    #[test]
    fn every_declared_client_is_checked_before_any_call() {
        let file = declared(
            r#"
            [[clients]]
            client_id = "one"
            scopes = ["a"]
            [[clients]]
            client_id = "two"
            scopes = ["a"]
            [[clients]]
            client_id = "three"
            scopes = ["read users"]
            "#,
        );
        let e = validate(&file, &plan(&file, &[])).unwrap_err();
        assert!(e.contains("\"three\"") && e.contains("scopes[0]"), "{e}");
        let too_many: Map<String, Value> = (0..21).map(|i| (format!("k{i}"), json!(i))).collect();
        let file = vec![Declared {
            trusted_metadata: Some(too_many),
            ..file[0].clone()
        }];

        let e = validate(&file, &plan(&file, &[])).unwrap_err();
        assert!(e.contains("trusted_metadata"), "{e}");
    }
}

//! The generated models are never stale: a plain `cargo test` regenerates them in memory and compares.

use serde_json::json;

#[test]
fn checked_in_models_match_the_schema() {
    let root = xtask::paths::repo_root();
    let fresh = xtask::codegen::generate(&root).expect("codegen succeeds");
    let current =
        std::fs::read_to_string(xtask::paths::generated_file(&root)).expect("generated.rs exists");
    assert!(
        current == fresh,
        "crates/models/src/generated.rs is stale: run `cargo xtask codegen` and commit the result"
    );
    let checks = xtask::codegen::generate_checks(&root).expect("the checks generate");
    let current =
        std::fs::read_to_string(xtask::paths::checks_file(&root)).expect("the checks file exists");
    assert!(
        current == checks,
        "crates/core/src/validate/generated.rs is stale: run `cargo xtask codegen` and commit the result"
    );
}

#[test]
fn generation_is_deterministic() {
    let root = xtask::paths::repo_root();
    assert_eq!(
        xtask::codegen::generate(&root).unwrap(),
        xtask::codegen::generate(&root).unwrap()
    );
}

/// The workflow of people who regenerate: a new optional property and a new object in the schema give new Rust
/// items with no hand edit. (That the result compiles is what `cargo test` itself proves for the checked-in file;
/// here the new source must at least parse and contain the new items.)
#[test]
fn a_schema_change_flows_into_the_models() {
    let root = xtask::paths::repo_root();
    let text = std::fs::read_to_string(xtask::paths::schema_file(&root)).unwrap();
    let mut schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    schema["$defs"]["M2MClient"]["properties"]["rotation_policy"] =
        json!({"type": "string", "description": "A new optional field."});
    schema["$defs"]["AuditEvent"] = json!({
        "type": "object", "description": "A new object.", "required": ["at"],
        "properties": {"at": {"type": "string", "description": "When."}}
    });
    let code = xtask::codegen::generate_from_value(schema).expect("codegen succeeds");
    let file: syn::File = syn::parse_str(&code).expect("generated code parses");
    let has_struct = |name: &str| {
        file.items
            .iter()
            .any(|item| matches!(item, syn::Item::Struct(s) if s.ident == name))
    };
    assert!(has_struct("AuditEvent"));
    assert!(code.contains("pub rotation_policy: ::std::option::Option<::std::string::String>"));
}

#[test]
fn openapi_and_schema_must_agree() {
    let openapi =
        json!({"components": {"schemas": {"Ghost": {"$ref": "m2m.schema.json#/$defs/Ghost"}}}});
    let schema = json!({"$defs": {"Real": {"type": "string"}}});
    let err = xtask::codegen::check_openapi_refs(&openapi, &schema).unwrap_err();
    assert!(err.contains("Ghost") && err.contains("Real"), "{err}");
}

/// Semver: every generated struct and enum is `#[non_exhaustive]`, and a request type has one public way to be
/// built (the hand-written constructors): its typify builder is crate-only, while a response keeps its public one.
#[test]
fn generated_surface_is_semver_safe() {
    let root = xtask::paths::repo_root();
    let file: syn::File = syn::parse_str(&xtask::codegen::generate(&root).unwrap()).unwrap();
    let non_exhaustive =
        |attrs: &[syn::Attribute]| attrs.iter().any(|a| a.path().is_ident("non_exhaustive"));
    let mut checked = 0;
    for item in &file.items {
        match item {
            syn::Item::Struct(s) => {
                assert!(non_exhaustive(&s.attrs), "{} is exhaustive", s.ident);
                checked += 1;
            }
            syn::Item::Enum(e) => {
                assert!(non_exhaustive(&e.attrs), "{} is exhaustive", e.ident);
                checked += 1;
            }
            _ => {}
        }
    }
    assert!(checked > 20, "only {checked} types seen");

    let builder_is_public = |ty: &str| {
        file.items.iter().find_map(|item| match item {
            syn::Item::Impl(imp) => {
                let self_ty = &imp.self_ty;
                (quote::quote!(#self_ty).to_string() == ty).then(|| {
                    imp.items.iter().find_map(|m| match m {
                        syn::ImplItem::Fn(f) if f.sig.ident == "builder" => {
                            Some(matches!(f.vis, syn::Visibility::Public(_)))
                        }
                        _ => None,
                    })
                })?
            }
            _ => None,
        })
    };
    for request in [
        "CreateRequest",
        "UpdateRequest",
        "SearchRequest",
        "SearchQuery",
        "SearchOperand",
        "TokenRequest",
    ] {
        assert_eq!(builder_is_public(request), Some(false), "{request}");
    }
    for response in [
        "CreateResponse",
        "M2mClient",
        "SearchResponse",
        "TokenResponse",
    ] {
        assert_eq!(builder_is_public(response), Some(true), "{response}");
    }
}

/// What the check generator cannot turn into code stops codegen, naming the schema node.
#[test]
fn constraints_codegen_refuses_what_it_cannot_check() {
    let with = |property: serde_json::Value| {
        json!({"$defs": {
            "ErrorType": {"type": "string", "enum": ["bad_request"]},
            "ThingRequest": {"type": "object", "properties": {"name": property}}
        }})
    };
    let cases = [
        (
            json!({"type": "string", "pattern": "^[a-z]+$", "x-error-type": "bad_request"}),
            "has no Rust check",
        ),
        (json!({"type": "string", "maxLength": 3}), "no x-error-type"),
        (
            json!({"type": "string", "maxLength": 3, "x-error-type": "no_such_type"}),
            "is not a value of ErrorType",
        ),
        (
            json!({"type": "string", "x-secret-entropy": true, "x-error-type": "bad_request"}),
            "must be listed in x-emulator-policy",
        ),
        (
            json!({"type": "string", "x-emulator-policy": ["maxLength"], "x-error-type": "bad_request"}),
            "not a constraint keyword of this node",
        ),
    ];
    let unchecked = [
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minProperties",
        "uniqueItems",
        "multipleOf",
        "oneOf",
        "x-something-new",
    ]
    .map(|kw| {
        (
            json!({"type": "integer", kw: 1, "x-error-type": "bad_request"}),
            "cannot check",
        )
    });
    let cases = cases.into_iter().chain(unchecked);
    for (property, expected) in cases {
        let err = xtask::codegen::generate_checks_from_value(with(property.clone())).unwrap_err();
        assert!(
            err.contains("$defs.ThingRequest.properties.name") && err.contains(expected),
            "{property}: {err}"
        );
    }
    // An emulator-policy keyword generates nothing; a Stytch keyword generates its check.
    let code =
        xtask::codegen::generate_checks_from_value(with(json!({"type": "string", "maxLength": 7,
        "minLength": 2, "x-emulator-policy": ["maxLength"], "x-error-type": "bad_request"})))
        .unwrap();
    assert!(
        code.contains("Some(2usize)") && !code.contains("7usize"),
        "{code}"
    );
    // A property named by a Rust keyword is checked through typify's renamed field.
    let code = xtask::codegen::generate_checks_from_value(json!({"$defs": {
        "ErrorType": {"type": "string", "enum": ["bad_request"]},
        "ThingRequest": {"type": "object", "properties": {"use": {"type": "string", "minLength": 1,
            "x-error-type": "bad_request"}}}
    }}))
    .unwrap();
    assert!(code.contains("self.use_"), "{code}");
}

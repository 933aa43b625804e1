//! The request checks: Stytch's rules, read from the schema's JSON Schema keywords, become the `Validate` impl of
//! each request type in `crates/core/src/validate/generated.rs` (calling the checks of
//! `crates/core/src/validate/checks.rs`). Core adds validation; the models stay plain wire types.
//!
//! - Keywords: `minLength`, `maxLength`, `pattern` (one of the patterns the models crate knows), `minItems`,
//!   `maxItems`, `items` (the same rules on each item, or a nested request type), `maxProperties`, `minimum`,
//!   `maximum`, a `$ref` to another request type (checked in turn), and the vendor keyword `x-max-json-bytes`.
//! - A keyword a node lists in `x-emulator-policy` is the emulator's guess where Stytch is silent: it is skipped
//!   here (the client refuses only what Stytch refuses). `x-secret-entropy` must always be emulator policy.
//! - `x-error-type` gives the `error_type` of a violation: a string, or an object by keyword with `*` as default.
//!
//! Anything the generator cannot turn into a check (an unknown pattern, a missing error type, an error type that
//! is not in `ErrorType`) stops codegen with the schema path of the node.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::{Map, Value};

use super::open_enum::variant_name;

/// The patterns core knows (`crates/core/src/validate/pattern.rs`).
pub const PATTERNS: &[(&str, &str)] = &[
    ("^\\S+$", "NoWhitespace"),
    ("^(\\S+( \\S+)*)?$", "SpaceSeparated"),
];

pub use super::keywords::KEYWORDS;

/// Every keyword a request node may carry: the constraint [`KEYWORDS`], and the structure and annotations that
/// constrain nothing or that typify enforces through the types (`type`, `enum`, `required`, a `$ref`, `items`).
/// Any other keyword (`exclusiveMinimum`, `minProperties`, `uniqueItems`, `multipleOf`, `oneOf`, …) stops
/// codegen, naming its node, rather than being silently unchecked.
const KNOWN: &[&str] = &[
    "$comment",
    "$ref",
    "additionalProperties",
    "const",
    "default",
    "description",
    "enum",
    "examples",
    "format",
    "items",
    "properties",
    "required",
    "title",
    "type",
    "x-emulator-policy",
    "x-error-type",
    "x-null-means-absent",
    "x-open-enum",
];

/// Rust's keywords that typify renames with a trailing `_` when they name a field.
const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// The Rust field typify generates for a JSON property: `use` becomes `use_`.
pub fn field_name(property: &str) -> String {
    if RUST_KEYWORDS.contains(&property) {
        format!("{property}_")
    } else {
        property.to_owned()
    }
}

/// The `Validate` impls of every request type with properties (the body of core's `validate/generated.rs`).
pub fn render(schema: &Value, requests: &BTreeSet<String>) -> Result<TokenStream, String> {
    let defs = schema
        .get("$defs")
        .and_then(Value::as_object)
        .ok_or("the schema has no $defs")?;
    let error_types: BTreeSet<String> = defs
        .get("ErrorType")
        .and_then(|e| e.get("enum"))
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let ctx = Ctx {
        defs,
        requests,
        error_types: &error_types,
    };
    let mut out = TokenStream::new();
    for name in requests {
        let Some(properties) = defs
            .get(name)
            .and_then(|d| d.get("properties"))
            .and_then(Value::as_object)
            .filter(|p| !p.is_empty())
        else {
            continue;
        };
        // Request definitions are named as typify names them (no acronym to re-case).
        let ty = Ident::new(name, Span::call_site());
        let mut checks = Vec::new();
        for (prop, node) in properties {
            let at = format!("$defs.{name}.properties.{prop}");
            let field = Ident::new(&field_name(prop), Span::call_site());
            checks.extend(ctx.node_checks(
                &at,
                node,
                &quote!(&self.#field),
                &quote!(c::join(at, #prop)),
            )?);
        }
        let uses = if checks.is_empty() {
            quote!(let _ = at;)
        } else {
            quote!(
                use crate::validate::checks as c;
            )
        };
        let doc = format!(
            "Stytch's rules for `{name}` (@generated from the schema's keywords on `{name}`)."
        );
        out.extend(quote! {
            #[doc = #doc]
            impl crate::validate::sealed::Sealed for stytch_m2m_models::#ty {}
            #[doc = #doc]
            impl crate::validate::Validate for stytch_m2m_models::#ty {
                fn validate_at(&self, at: &str) -> ::std::result::Result<(), crate::validate::ValidationError> {
                    #uses
                    #(#checks)*
                    Ok(())
                }
            }
        });
    }
    Ok(out)
}

struct Ctx<'a> {
    defs: &'a Map<String, Value>,
    requests: &'a BTreeSet<String>,
    error_types: &'a BTreeSet<String>,
}

impl Ctx<'_> {
    /// The checks of one schema node, for the field expression `value` whose path is `path`.
    fn node_checks(
        &self,
        at: &str,
        node: &Value,
        value: &TokenStream,
        path: &TokenStream,
    ) -> Result<Vec<TokenStream>, String> {
        let Some(obj) = node.as_object() else {
            return Ok(Vec::new());
        };
        if let Some(unknown) = obj
            .keys()
            .find(|k| !KEYWORDS.contains(&k.as_str()) && !KNOWN.contains(&k.as_str()))
        {
            return Err(format!(
                "{at}: `{unknown}` is a keyword this generator cannot check (known: the constraint keywords {KEYWORDS:?})"
            ));
        }
        let policy: BTreeSet<&str> = obj
            .get("x-emulator-policy")
            .and_then(Value::as_array)
            .map(|v| v.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for listed in &policy {
            if !KEYWORDS.contains(listed) || !obj.contains_key(*listed) {
                return Err(format!(
                    "{at}: x-emulator-policy lists `{listed}`, which is not a constraint keyword of this node"
                ));
            }
        }
        let stytch = |kw: &str| obj.contains_key(kw) && !policy.contains(kw);
        let usize_of = |kw: &str| -> Result<Option<usize>, String> {
            if !stytch(kw) {
                return Ok(None);
            }
            obj[kw]
                .as_u64()
                .map(|n| Some(n as usize))
                .ok_or_else(|| format!("{at}.{kw} must be a non-negative integer"))
        };
        let f64_of = |kw: &str| -> Result<Option<f64>, String> {
            if !stytch(kw) {
                return Ok(None);
            }
            obj[kw]
                .as_f64()
                .map(Some)
                .ok_or_else(|| format!("{at}.{kw} must be a number"))
        };
        let opt_f64 = |v: Option<f64>| match v {
            Some(n) => quote!(Some(#n)),
            None => quote!(None),
        };
        if stytch("x-secret-entropy") {
            return Err(format!(
                "{at}: x-secret-entropy must be listed in x-emulator-policy (Stytch does not publish its rules)"
            ));
        }

        let mut checks = Vec::new();
        // One call per bound: each has its own error type when the schema says so.
        if let Some(min) = usize_of("minLength")? {
            let e = self.error_type(at, obj, "minLength")?;
            checks.push(quote!(c::length(#value, || #path, Some(#min), None, #e)?;));
        }
        if let Some(max) = usize_of("maxLength")? {
            let e = self.error_type(at, obj, "maxLength")?;
            checks.push(quote!(c::length(#value, || #path, None, Some(#max), #e)?;));
        }
        if stytch("pattern") {
            let pattern = obj["pattern"].as_str().unwrap_or_default();
            let variant = PATTERNS
                .iter()
                .find(|(p, _)| *p == pattern)
                .map(|(_, v)| Ident::new(v, Span::call_site()))
                .ok_or_else(|| {
                    format!(
                        "{at}.pattern {pattern:?} has no Rust check: add it to crates/core/src/validate/pattern.rs \
                         (Pattern) and xtask/src/codegen/constraints.rs (PATTERNS)"
                    )
                })?;
            let e = self.error_type(at, obj, "pattern")?;
            checks.push(quote!(c::pattern(#value, || #path, c::Pattern::#variant, #e)?;));
        }
        // Every bound on a list is the emulator's guess today, so core has no check for one: a Stytch rule of
        // that kind needs one added to crates/core/src/validate/checks.rs first, and generated here.
        for keyword in ["minItems", "maxItems"] {
            if usize_of(keyword)?.is_some() {
                return Err(format!(
                    "{at}.{keyword} as one of Stytch's rules has no check in core: add one to \
                     crates/core/src/validate/checks.rs and generate it in xtask/src/codegen/constraints.rs"
                ));
            }
        }
        if let Some(max) = usize_of("maxProperties")? {
            let e = self.error_type(at, obj, "maxProperties")?;
            checks.push(quote!(c::properties(#value, || #path, #max, #e)?;));
        }
        if let Some(max) = usize_of("x-max-json-bytes")? {
            let e = self.error_type(at, obj, "x-max-json-bytes")?;
            checks.push(quote!(c::json_bytes(#value, || #path, #max, #e)?;));
        }
        let (min, max) = (f64_of("minimum")?, f64_of("maximum")?);
        if min.is_some() || max.is_some() {
            let e = self.error_type(at, obj, if max.is_some() { "maximum" } else { "minimum" })?;
            let (lo, hi) = (opt_f64(min), opt_f64(max));
            checks.push(quote!(c::range(#value, || #path, #lo, #hi, #e)?;));
        }
        if let Some(items) = obj.get("items") {
            let item_at = format!("{at}.items");
            if self.request_ref(items).is_some() {
                checks.push(quote!(crate::validate::Validate::validate_at(#value, &#path)?;));
            } else {
                let item_checks = self.node_checks(
                    &item_at,
                    items,
                    &quote!(item),
                    &quote!(format!("{}[{}]", #path, i)),
                )?;
                if !item_checks.is_empty() {
                    checks.push(quote! {
                        for (i, item) in c::each(#value) {
                            #(#item_checks)*
                        }
                    });
                }
            }
        }
        if self.request_ref(node).is_some() {
            checks.push(quote!(crate::validate::Validate::validate_at(#value, &#path)?;));
        }
        Ok(checks)
    }

    /// The request type a node refers to with `$ref`, if it has properties of its own to check.
    fn request_ref<'a>(&self, node: &'a Value) -> Option<&'a str> {
        let name = node.get("$ref")?.as_str()?.strip_prefix("#/$defs/")?;
        let def = self.defs.get(name)?;
        let has_properties = def
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty());
        (self.requests.contains(name) && has_properties).then_some(name)
    }

    fn error_type(
        &self,
        at: &str,
        obj: &Map<String, Value>,
        keyword: &str,
    ) -> Result<TokenStream, String> {
        let value = match obj.get("x-error-type") {
            Some(Value::String(s)) => Some(s.as_str()),
            Some(Value::Object(by_keyword)) => by_keyword
                .get(keyword)
                .or_else(|| by_keyword.get("*"))
                .and_then(Value::as_str),
            _ => None,
        }
        .ok_or_else(|| format!("{at}: no x-error-type for `{keyword}`"))?;
        if !self.error_types.contains(value) {
            return Err(format!(
                "{at}: x-error-type `{value}` is not a value of ErrorType"
            ));
        }
        let variant = Ident::new(&variant_name(value), Span::call_site());
        Ok(quote!(stytch_m2m_models::ErrorType::#variant))
    }
}

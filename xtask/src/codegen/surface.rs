//! The public surface of the generated items, set after typify runs (typify has no setting for either):
//!
//! - every generated struct and enum is `#[non_exhaustive]`, so adding an optional property or an enum value to the
//!   schema is not a breaking change for users (no struct literals, no exhaustive matches outside the crate);
//! - request types (the definitions named `…Request` and everything they refer to) have exactly one public way to be
//!   built: the hand-written constructors of `crates/models/src/requests.rs`. Their typify builders stay inside the
//!   crate (`pub(crate)`), where the constructors use them. Response types keep their public builders: with
//!   `#[non_exhaustive]` that is how a user's test builds a response value.

use std::collections::BTreeSet;

use serde_json::Value;

/// The request types of a schema: every definition whose name ends in `Request`, and every definition those refer
/// to (transitively through `#/$defs/…` references).
pub fn request_types(schema: &Value) -> BTreeSet<String> {
    let Some(defs) = schema.get("$defs").and_then(Value::as_object) else {
        return BTreeSet::new();
    };
    let mut found = BTreeSet::new();
    let mut pending: Vec<String> = defs
        .keys()
        .filter(|name| name.ends_with("Request"))
        .cloned()
        .collect();
    while let Some(name) = pending.pop() {
        if !found.insert(name.clone()) {
            continue;
        }
        if let Some(def) = defs.get(&name) {
            collect_refs(def, &mut pending);
        }
    }
    found
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(r)) => {
                        if let Some(name) = r.strip_prefix("#/$defs/") {
                            out.push(name.to_owned());
                        }
                    }
                    _ => collect_refs(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Applies both rules to the generated file.
pub fn apply(file: &mut syn::File, requests: &BTreeSet<String>) {
    let crate_only: syn::Visibility = syn::parse_quote!(pub(crate));
    for item in &mut file.items {
        match item {
            syn::Item::Struct(st) => mark_non_exhaustive(&mut st.attrs),
            syn::Item::Enum(en) => mark_non_exhaustive(&mut en.attrs),
            syn::Item::Impl(imp) if is_request(&imp.self_ty, requests) => {
                for member in &mut imp.items {
                    if let syn::ImplItem::Fn(f) = member
                        && f.sig.ident == "builder"
                    {
                        f.vis = crate_only.clone();
                        f.attrs.push(unused_is_fine());
                    }
                }
            }
            syn::Item::Mod(m) if m.ident == "builder" => {
                if let Some((_, content)) = &mut m.content {
                    for inner in content {
                        match inner {
                            syn::Item::Struct(st) if requests.contains(&st.ident.to_string()) => {
                                st.vis = crate_only.clone();
                            }
                            // Constructors use some setters, not all of them.
                            syn::Item::Impl(imp)
                                if imp.trait_.is_none() && is_request(&imp.self_ty, requests) =>
                            {
                                imp.attrs.push(unused_is_fine());
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn is_request(ty: &syn::Type, requests: &BTreeSet<String>) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none()
        && p.path.segments.len() == 1
        && requests.contains(&p.path.segments[0].ident.to_string()))
}

fn unused_is_fine() -> syn::Attribute {
    syn::parse_quote!(#[allow(dead_code)])
}

fn mark_non_exhaustive(attrs: &mut Vec<syn::Attribute>) {
    if !attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
        attrs.push(syn::parse_quote!(#[non_exhaustive]));
    }
}

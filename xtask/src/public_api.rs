//! `cargo xtask public-api [--check]`: a listing of each library crate's public surface, built with `syn` from the
//! sources (no nightly rustdoc JSON), checked in under `xtask/public-api/`, so that every change to the surface is
//! a visible diff in review. CI fails when a listing is stale.
//!
//! What is listed, one sorted line per item:
//! - items declared `pub` in modules reachable through `pub mod` from the crate root, with their path;
//! - `pub use` re-exports of those modules;
//! - `pub` methods, constants and types of every inherent `impl` block, and every trait `impl`, wherever the block
//!   is written (an `impl Client` in a private module is still public API);
//! - struct fields that are `pub`, enum variants, trait items.
//!
//! `#[cfg(test)]` modules and items are skipped; `#[doc(hidden)]` items are listed with a `#[doc(hidden)]` mark.

use std::path::{Path, PathBuf};

use quote::ToTokens;
use syn::{Attribute, ImplItem, Item, TraitItem, Visibility};

/// The library crates whose surface is listed: (package, source root).
pub const CRATES: &[(&str, &str)] = &[
    ("stytch-m2m-models", "crates/models/src/lib.rs"),
    ("stytch-m2m-core", "crates/core/src/lib.rs"),
    ("stytch-m2m-http", "crates/http/src/lib.rs"),
    ("stytch-m2m-mock", "crates/mock/src/lib.rs"),
    ("stytch-m2m-tower", "crates/tower/src/lib.rs"),
    ("stytch-m2m-emulator", "crates/emulator/src/lib.rs"),
    ("stytch-m2m", "crates/stytch-m2m/src/lib.rs"),
    ("stytch-m2m-cli", "crates/cli/src/lib.rs"),
    (
        "stytch-m2m-testcontainers",
        "crates/testcontainers/src/lib.rs",
    ),
];

/// Where the listing of `package` is checked in.
pub fn listing_file(root: &Path, package: &str) -> PathBuf {
    root.join("xtask")
        .join("public-api")
        .join(format!("{package}.txt"))
}

/// Writes every listing, or with `check` compares them and fails naming each stale one, with a diff.
pub fn run(root: &Path, check: bool) -> Result<(), String> {
    let mut stale = Vec::new();
    for (package, lib) in CRATES {
        let listing = listing(&root.join(lib))?;
        let file = listing_file(root, package);
        if check {
            let current = std::fs::read_to_string(&file).unwrap_or_default();
            if current != listing {
                let diff = similar::TextDiff::from_lines(&current, &listing)
                    .unified_diff()
                    .header("checked in", "from the sources")
                    .to_string();
                stale.push(format!("{}:\n{diff}", file.display()));
            }
        } else {
            std::fs::create_dir_all(file.parent().expect("a parent"))
                .map_err(|e| format!("{}: {e}", file.display()))?;
            std::fs::write(&file, listing).map_err(|e| format!("{}: {e}", file.display()))?;
        }
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the public API changed; review it and run `cargo xtask public-api`:\n{}",
            stale.join("\n")
        ))
    }
}

/// The listing of the crate whose root is `lib`: sorted lines, one per item.
pub fn listing(lib: &Path) -> Result<String, String> {
    let mut lines = Vec::new();
    walk(lib, "crate", true, &mut lines)?;
    // `impl` lines only for types users can name: declared in a public module, or re-exported.
    let named: std::collections::BTreeSet<String> = lines
        .iter()
        .filter(|l| !l.contains("impl"))
        .flat_map(|l| {
            l.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    lines.retain(|l| match impl_self_type(l) {
        Some(ty) => named.contains(ty),
        None => true,
    });
    lines.sort();
    lines.dedup();
    let mut out = lines.join("\n");
    out.push('\n');
    Ok(out)
}

/// The name of the type an `impl` line is about (`impl<T> Trait for Type<T>` -> `Type`).
fn impl_self_type(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches("#[doc(hidden)] ");
    if !rest.starts_with("impl") {
        return None;
    }
    let after = match rest.split_once(" for ") {
        Some((_, ty)) => ty,
        None => rest.split_once(' ').map_or("", |(_, ty)| ty),
    };
    after
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .find(|w| !w.is_empty() && w.starts_with(|c: char| c.is_ascii_uppercase()))
}

fn parse(file: &Path) -> Result<syn::File, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))
}

/// Lists the items of one module file.
fn walk(file: &Path, path: &str, public: bool, out: &mut Vec<String>) -> Result<(), String> {
    let parsed = parse(file)?;
    // `foo.rs` and `foo/mod.rs` keep children in `foo/`; `lib.rs` and `mod.rs` beside them.
    let dir = match file.file_name().and_then(|n| n.to_str()) {
        Some("lib.rs" | "mod.rs") => file.parent().expect("a parent").to_path_buf(),
        _ => file.with_extension(""),
    };
    items(&parsed.items, &dir, path, public, out)
}

fn items(
    list: &[Item],
    dir: &Path,
    path: &str,
    public: bool,
    out: &mut Vec<String>,
) -> Result<(), String> {
    // Private modules whose every public item is re-exported (`pub use name::*`) are listed as public.
    let globbed: Vec<String> = list
        .iter()
        .filter_map(|item| match item {
            Item::Use(u) if is_pub(&u.vis) => Some(tokens(&u.tree).replace(' ', "")),
            _ => None,
        })
        .filter_map(|tree| {
            tree.trim_start_matches("self::")
                .strip_suffix("::*")
                .map(str::to_owned)
        })
        .collect();
    for item in list {
        if cfg_test(attrs_of(item)) {
            continue;
        }
        match item {
            Item::Mod(m) => {
                let child = format!("{path}::{}", m.ident);
                let child_public =
                    public && (is_pub(&m.vis) || globbed.contains(&m.ident.to_string()));
                if child_public {
                    out.push(format!("{}pub mod {child}", hidden(&m.attrs)));
                }
                match &m.content {
                    Some((_, inner)) => items(
                        inner,
                        &dir.join(m.ident.to_string()),
                        &child,
                        child_public,
                        out,
                    )?,
                    None => {
                        let name = m.ident.to_string();
                        let flat = dir.join(format!("{name}.rs"));
                        let nested = dir.join(&name).join("mod.rs");
                        let file = if flat.exists() { flat } else { nested };
                        walk(&file, &child, child_public, out)?;
                    }
                }
            }
            Item::Impl(imp) => impl_block(imp, out),
            _ if public => {
                if let Some(line) = public_item(item, path) {
                    out.extend(line);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn attrs_of(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

fn cfg_test(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("cfg") && tokens(&a.meta).replace(' ', "").contains("cfg(test)"))
}

fn hidden(attrs: &[Attribute]) -> &'static str {
    let is_hidden = attrs
        .iter()
        .any(|a| a.path().is_ident("doc") && tokens(&a.meta).replace(' ', "").contains("hidden"));
    if is_hidden { "#[doc(hidden)] " } else { "" }
}

fn non_exhaustive(attrs: &[Attribute]) -> &'static str {
    if attrs.iter().any(|a| a.path().is_ident("non_exhaustive")) {
        "#[non_exhaustive] "
    } else {
        ""
    }
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

fn tokens(t: &impl ToTokens) -> String {
    t.to_token_stream().to_string()
}

/// The lines of one `pub` item of a public module.
fn public_item(item: &Item, path: &str) -> Option<Vec<String>> {
    let line = |attrs: &[Attribute], what: String| {
        format!("{}{}{what}", hidden(attrs), non_exhaustive(attrs))
    };
    Some(match item {
        Item::Const(i) if is_pub(&i.vis) => vec![line(
            &i.attrs,
            format!("pub const {path}::{}: {}", i.ident, tokens(&i.ty)),
        )],
        Item::Static(i) if is_pub(&i.vis) => vec![line(
            &i.attrs,
            format!("pub static {path}::{}: {}", i.ident, tokens(&i.ty)),
        )],
        Item::Fn(i) if is_pub(&i.vis) => vec![line(
            &i.attrs,
            format!("pub {}", signature(&format!("{path}::"), &i.sig)),
        )],
        Item::Type(i) if is_pub(&i.vis) => vec![line(
            &i.attrs,
            format!(
                "pub type {path}::{}{} = {}",
                i.ident,
                tokens(&i.generics),
                tokens(&i.ty)
            ),
        )],
        Item::Use(i) if is_pub(&i.vis) => vec![line(
            &i.attrs,
            format!("pub use {path}: {}", tokens(&i.tree)),
        )],
        Item::Macro(i) if i.attrs.iter().any(|a| a.path().is_ident("macro_export")) => {
            vec![format!(
                "macro {}",
                i.ident
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            )]
        }
        Item::Struct(i) if is_pub(&i.vis) => {
            let name = format!("{path}::{}{}", i.ident, tokens(&i.generics));
            let mut lines = vec![line(&i.attrs, format!("pub struct {name}"))];
            for (n, field) in i.fields.iter().enumerate() {
                if is_pub(&field.vis) {
                    let field_name = field
                        .ident
                        .as_ref()
                        .map_or(n.to_string(), ToString::to_string);
                    lines.push(format!(
                        "pub struct {name} field {field_name}: {}",
                        tokens(&field.ty)
                    ));
                }
            }
            lines
        }
        Item::Enum(i) if is_pub(&i.vis) => {
            let name = format!("{path}::{}{}", i.ident, tokens(&i.generics));
            let mut lines = vec![line(&i.attrs, format!("pub enum {name}"))];
            for variant in &i.variants {
                lines.push(format!(
                    "pub enum {name} variant {}{}",
                    variant.ident,
                    tokens(&variant.fields)
                ));
            }
            lines
        }
        Item::Trait(i) if is_pub(&i.vis) => {
            let name = format!("{path}::{}{}", i.ident, tokens(&i.generics));
            let bounds = if i.supertraits.is_empty() {
                String::new()
            } else {
                format!(": {}", tokens(&i.supertraits))
            };
            let mut lines = vec![line(&i.attrs, format!("pub trait {name}{bounds}"))];
            for item in &i.items {
                match item {
                    TraitItem::Fn(f) => lines.push(format!(
                        "{}pub trait {name} {}",
                        hidden(&f.attrs),
                        signature("", &f.sig)
                    )),
                    TraitItem::Type(t) => lines.push(format!("pub trait {name} type {}", t.ident)),
                    TraitItem::Const(c) => {
                        lines.push(format!("pub trait {name} const {}", c.ident))
                    }
                    _ => {}
                }
            }
            lines
        }
        _ => return None,
    })
}

/// The public lines of an `impl` block: every trait impl, and the `pub` items of an inherent one.
fn impl_block(imp: &syn::ItemImpl, out: &mut Vec<String>) {
    let self_ty = tokens(&imp.self_ty);
    let generics = tokens(&imp.generics);
    if let Some((trait_path, _)) = &imp.trait_ {
        out.push(format!(
            "impl{generics} {} for {self_ty}",
            tokens(trait_path)
        ));
        return;
    }
    for item in &imp.items {
        let line = match item {
            ImplItem::Fn(f) if is_pub(&f.vis) && !cfg_test(&f.attrs) => {
                format!(
                    "{}impl{generics} {self_ty} pub {}",
                    hidden(&f.attrs),
                    signature("", &f.sig)
                )
            }
            ImplItem::Const(c) if is_pub(&c.vis) => {
                format!(
                    "impl{generics} {self_ty} pub const {}: {}",
                    c.ident,
                    tokens(&c.ty)
                )
            }
            _ => continue,
        };
        out.push(line);
    }
}

/// `async fn name<T>(inputs) -> Output where …`, with `owner` before the name (`crate::m::`, `Type::`).
fn signature(owner: &str, sig: &syn::Signature) -> String {
    let mut out = String::new();
    for (present, word) in [
        (sig.constness.is_some(), "const "),
        (sig.asyncness.is_some(), "async "),
        (matches!(sig.safety, syn::Safety::Unsafe(_)), "unsafe "),
    ] {
        if present {
            out.push_str(word);
        }
    }
    let output = match &sig.output {
        syn::ReturnType::Default => String::new(),
        syn::ReturnType::Type(_, ty) => format!(" -> {}", tokens(ty)),
    };
    let where_clause = sig
        .generics
        .where_clause
        .as_ref()
        .map(|w| format!(" {}", tokens(w)))
        .unwrap_or_default();
    out.push_str(&format!(
        "fn {owner}{}{}({}){output}{where_clause}",
        sig.ident,
        tokens(&sig.generics),
        tokens(&sig.inputs)
    ));
    out
}

//! The import graph between the files of one crate (who names whom through `crate::…` or `super::…`), and its
//! circles. `xtask/tests/module_graph.rs` keeps `crates/core/src` free of them: the call path flows one way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use quote::ToTokens;
use syn::{Item, UseTree};

/// Module path (`auth::jwks`; the root is `""`) -> the modules it names.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// Every `.rs` file under `src`, by module path.
fn modules(src: &Path) -> Result<BTreeMap<String, PathBuf>, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(src)
                    .expect("under src")
                    .with_extension("");
                let mut parts: Vec<String> = rel
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect();
                if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
                    parts.pop();
                }
                out.insert(parts.join("::"), path);
            }
        }
    }
    Ok(out)
}

fn use_paths(prefix: &[String], tree: &UseTree, out: &mut Vec<Vec<String>>) {
    match tree {
        UseTree::Path(p) => {
            let mut next = prefix.to_vec();
            next.push(p.ident.to_string());
            use_paths(&next, &p.tree, out);
        }
        UseTree::Name(n) => {
            let mut path = prefix.to_vec();
            path.push(n.ident.to_string());
            out.push(path);
        }
        UseTree::Rename(r) => {
            let mut path = prefix.to_vec();
            path.push(r.ident.to_string());
            out.push(path);
        }
        UseTree::Glob(_) => out.push(prefix.to_vec()),
        UseTree::Group(g) => g.items.iter().for_each(|t| use_paths(prefix, t, out)),
    }
}

/// The `crate::`/`super::` paths an item names, outside `#[cfg(test)]`.
fn named_paths(item: &Item, out: &mut Vec<Vec<String>>) {
    if let Item::Use(u) = item {
        use_paths(&[], &u.tree, out);
        return;
    }
    let text = item.to_token_stream().to_string();
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if *w != "crate" && *w != "super" {
            continue;
        }
        let mut path = vec![(*w).to_owned()];
        let mut j = i + 1;
        while j + 1 < words.len()
            && words[j] == "::"
            && words[j + 1]
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_')
        {
            path.push(words[j + 1].to_owned());
            j += 2;
        }
        if path.len() > 1 {
            out.push(path);
        }
    }
}

fn is_cfg_test(item: &Item) -> bool {
    let attrs = match item {
        Item::Mod(m) => &m.attrs,
        Item::Fn(f) => &f.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Use(u) => &u.attrs,
        _ => return false,
    };
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta
                .to_token_stream()
                .to_string()
                .replace(' ', "")
                .contains("cfg(test)")
    })
}

/// The import graph of the crate whose sources are in `src`.
pub fn graph(src: &Path) -> Result<Graph, String> {
    let modules = modules(src)?;
    let mut parsed = BTreeMap::new();
    for (module, path) in &modules {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file = syn::parse_file(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        parsed.insert(module.clone(), file);
    }
    // Names a module re-exports (`pub use child::Name`), to follow `crate::Name` to where it lives.
    let mut reexports: BTreeMap<(String, String), String> = BTreeMap::new();
    for (module, file) in &parsed {
        for item in &file.items {
            if let Item::Use(u) = item
                && !matches!(u.vis, syn::Visibility::Inherited)
            {
                let mut paths = Vec::new();
                use_paths(&[], &u.tree, &mut paths);
                for path in paths {
                    if let (Some(first), Some(name)) = (path.first(), path.last())
                        && first != "crate"
                        && first != "super"
                        && first != "std"
                        && path.len() > 1
                    {
                        let home = join(module, &path[..path.len() - 1].join("::"));
                        if modules.contains_key(&home) {
                            reexports.insert((module.clone(), name.clone()), home);
                        }
                    }
                }
            }
        }
    }
    let mut graph = Graph::new();
    for (module, file) in &parsed {
        let mut paths = Vec::new();
        for item in &file.items {
            if !is_cfg_test(item) {
                named_paths(item, &mut paths);
            }
        }
        for path in paths {
            let mut parts: Vec<String> = match path.first().map(String::as_str) {
                Some("crate") => path[1..].to_vec(),
                Some("super") => {
                    let mut base: Vec<String> = module
                        .split("::")
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned)
                        .collect();
                    base.pop();
                    base.extend(path[1..].iter().cloned());
                    base
                }
                _ => continue,
            };
            // The longest prefix that is a module, then through its re-exports.
            let mut target = None;
            while !parts.is_empty() {
                let candidate = parts.join("::");
                if modules.contains_key(&candidate) {
                    target = Some(candidate);
                    break;
                }
                let name = parts.pop().expect("non-empty");
                if let Some(mut home) = reexports.get(&(parts.join("::"), name.clone())) {
                    // Through every re-export to where the name is defined.
                    while let Some(next) = reexports.get(&(home.clone(), name.clone())) {
                        home = next;
                    }
                    target = Some(home.clone());
                    break;
                }
            }
            if let Some(target) = target
                && &target != module
                && !target.is_empty()
                && !module.starts_with(&format!("{target}::"))
            {
                graph.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    Ok(graph)
}

fn join(module: &str, rest: &str) -> String {
    if module.is_empty() {
        rest.to_owned()
    } else {
        format!("{module}::{rest}")
    }
}

/// Every pair of modules that reach each other, `a <-> b` with `a < b`.
pub fn circles(graph: &Graph) -> Vec<String> {
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(m) = stack.pop() {
            for next in graph.get(&m).into_iter().flatten() {
                if next == to {
                    return true;
                }
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        false
    };
    let mut found = Vec::new();
    for (a, targets) in graph {
        for b in targets {
            if a < b && reaches(b, a) {
                found.push(format!("{a} <-> {b}"));
            }
        }
    }
    found
}

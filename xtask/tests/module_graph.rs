//! Core's files import each other in one direction only: no circle in the graph of `crate::`/`super::` paths.

#[test]
fn core_modules_import_each_other_in_one_direction() {
    let src = xtask::paths::repo_root().join("crates/core/src");
    let graph = xtask::module_graph::graph(&src).unwrap();
    assert!(
        graph.contains_key("client"),
        "the graph was read: {graph:?}"
    );
    assert!(graph["builder"].contains("client"), "{graph:?}");
    let circles = xtask::module_graph::circles(&graph);
    assert!(
        circles.is_empty(),
        "import circles in crates/core/src: {circles:?}\n{graph:#?}"
    );
}

#[test]
fn a_circle_is_found() {
    let dir = std::env::temp_dir().join(format!("xtask-graph-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("auth")).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod a; mod auth; pub use auth::Thing;").unwrap();
    std::fs::write(
        dir.join("a.rs"),
        "pub fn f() -> crate::Thing { crate::Thing }",
    )
    .unwrap();
    std::fs::write(dir.join("auth/mod.rs"), "mod b; pub use b::Thing;").unwrap();
    std::fs::write(dir.join("auth/b.rs"), "use crate::a::f; pub struct Thing;").unwrap();
    let graph = xtask::module_graph::graph(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        xtask::module_graph::circles(&graph),
        ["a <-> auth::b"],
        "{graph:?}"
    );
}

#[test]
fn every_crate_imports_in_one_direction() {
    let root = xtask::paths::repo_root();
    let mut found = Vec::new();
    let sources = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .map(|entry| entry.unwrap().path().join("src"))
        .chain([root.join("xtask/src"), root.join("tests/src")]);
    for src in sources.filter(|src| src.is_dir()) {
        let graph = xtask::module_graph::graph(&src).unwrap();
        for circle in xtask::module_graph::circles(&graph) {
            found.push(format!("{}: {circle}", src.display()));
        }
    }
    assert!(found.is_empty(), "import circles: {found:#?}");
}

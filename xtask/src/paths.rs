//! Where things are in the repository.

use std::path::{Path, PathBuf};

/// The repository root (the parent of `xtask/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the repository root")
        .to_path_buf()
}

/// `schema/m2m.schema.json`: the JSON Schema of every wire object.
pub fn schema_file(root: &Path) -> PathBuf {
    root.join("schema").join("m2m.schema.json")
}

/// `schema/openapi.json`: the routes, referring to the schema file.
pub fn openapi_file(root: &Path) -> PathBuf {
    root.join("schema").join("openapi.json")
}

/// `crates/models/src/generated.rs`: the output of `cargo xtask codegen`.
pub fn generated_file(root: &Path) -> PathBuf {
    root.join("crates")
        .join("models")
        .join("src")
        .join("generated.rs")
}

/// `crates/core/src/validate/generated.rs`: core's request checks, also written by `cargo xtask codegen`.
pub fn checks_file(root: &Path) -> PathBuf {
    root.join("crates")
        .join("core")
        .join("src")
        .join("validate")
        .join("generated.rs")
}

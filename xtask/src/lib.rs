//! Contributor tooling for stytch-m2m, run as `cargo xtask <command>`.
//!
//! The library half exists so that tests (`xtask/tests`) can regenerate the models in memory and compare them with
//! the checked-in file: a plain `cargo test` then fails on stale generated code, as `cargo xtask codegen --check` does.

pub mod codegen;
pub mod image;
pub mod man;
pub mod module_graph;
pub mod paths;
pub mod public_api;
pub mod startup_bench;

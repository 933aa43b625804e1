//! The checked-in public-API listings match the sources: a change to any crate's surface is a visible diff in
//! review (`cargo xtask public-api` rewrites them).

#[test]
fn checked_in_public_api_listings_are_current() {
    let root = xtask::paths::repo_root();
    if let Err(stale) = xtask::public_api::run(&root, true) {
        panic!("{stale}");
    }
}

#[test]
fn lists_what_is_reachable_and_every_public_method() {
    let dir = std::env::temp_dir().join(format!("xtask-public-api-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("inner")).unwrap();
    std::fs::write(
        dir.join("lib.rs"),
        "pub mod open; mod inner; pub use inner::Thing;\n#[cfg(test)] mod tests { pub fn no() {} }",
    )
    .unwrap();
    std::fs::write(
        dir.join("open.rs"),
        "pub fn visible(a: u8) -> u8 { a }\nfn private() {}",
    )
    .unwrap();
    std::fs::write(
        dir.join("inner.rs"),
        "pub struct Thing { pub a: u8, b: u8 }\nimpl Thing { pub fn new() -> Self { Thing { a: 0, b: 0 } } fn hidden_helper() {} \
         #[doc(hidden)] pub fn counter(&self) -> u64 { 0 } }\nimpl Clone for Thing { fn clone(&self) -> Self { Thing { a: self.a, b: self.b } } }",
    )
    .unwrap();
    let listing = xtask::public_api::listing(&dir.join("lib.rs")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let expected = [
        "#[doc(hidden)] impl Thing pub fn counter(& self) -> u64",
        "impl Clone for Thing",
        "impl Thing pub fn new() -> Self",
        "pub fn crate::open::visible(a : u8) -> u8",
        "pub mod crate::open",
        "pub use crate: inner :: Thing",
    ];
    assert_eq!(listing.lines().collect::<Vec<_>>(), expected, "{listing}");
}

//! The checked-in public-API listings match the sources: a change to any crate's surface is a visible diff in
//! review (`cargo xtask public-api` rewrites them).

#[test]
fn checked_in_public_api_listings_are_current() {
    let root = xtask::paths::repo_root();
    if let Err(stale) = xtask::public_api::run(&root, true) {
        panic!("{stale}");
    }
}

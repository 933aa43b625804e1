//! The default scope authorization of M2M tokens: the algorithm every official SDK (node, python, go, ruby, rust,
//! java) shares.
//!
//! 1. Each granted scope is split at its **first** colon into action and resource (`read:users` -> `read`,
//!    `users`; `a:b:c` -> `a`, `b:c`, as go and rust do); a scope without a colon has the resource `-`.
//! 2. A required scope, split the same way, is satisfied when its action was granted with the resource `*` or with
//!    exactly its resource.
//! 3. Every required scope must be satisfied; an empty requirement always passes.
//!
//! So `read:*` grants `read:users` and a plain `read`; `*` is not global (it is action `*`); a plain `read` does
//! not grant `read:users`.

/// The sentinel resource of a scope without a colon.
pub const NO_RESOURCE: &str = "-";

fn split(scope: &str) -> (&str, &str) {
    // A byte scan: scopes are short, and this runs for every granted scope of every check.
    match scope.bytes().position(|b| b == b':') {
        Some(colon) => (&scope[..colon], &scope[colon + 1..]),
        None => (scope, NO_RESOURCE),
    }
}

/// Whether `granted` satisfies every scope of `required`.
///
/// ```
/// # use stytch_m2m_core as stytch_m2m;
/// use stytch_m2m::auth::scopes::is_authorized;
///
/// assert!(is_authorized(&["read:*"], &["read:users"]));
/// assert!(!is_authorized(&["read"], &["read:users"]));
/// assert!(!is_authorized(&["*"], &["read:users"]));
/// ```
pub fn is_authorized<G: AsRef<str>, R: AsRef<str>>(granted: &[G], required: &[R]) -> bool {
    missing(granted, required).is_empty()
}

/// The required scopes that `granted` does not satisfy, in the order given.
///
/// A linear scan without allocation: token scope lists are short, and this runs on every authentication.
pub fn missing<'r, G: AsRef<str>, R: AsRef<str>>(granted: &[G], required: &'r [R]) -> Vec<&'r str> {
    required
        .iter()
        .map(AsRef::as_ref)
        .filter(|scope| !allows(granted, scope))
        .collect()
}

/// Whether `granted` satisfies one required scope.
pub fn allows<G: AsRef<str>>(granted: &[G], required: &str) -> bool {
    allows_any(granted.iter().map(AsRef::as_ref), required)
}

/// [`missing`] for a `scope` claim as the token carries it (space-separated), without splitting it into strings.
pub(crate) fn missing_from_claim<'r, R: AsRef<str>>(
    scope: &str,
    required: &'r [R],
) -> Vec<&'r str> {
    required
        .iter()
        .map(AsRef::as_ref)
        .filter(|wanted| !allows_any(granted_in(scope), wanted))
        .collect()
}

/// The granted scopes of a `scope` claim: split on spaces, empty pieces skipped.
pub(crate) fn granted_in(scope: &str) -> impl Iterator<Item = &str> {
    scope.split(' ').filter(|s| !s.is_empty())
}

fn allows_any<'g>(mut granted: impl Iterator<Item = &'g str>, required: &str) -> bool {
    let (action, resource) = split(required);
    granted.any(|g| {
        let (granted_action, granted_resource) = split(g);
        granted_action == action && (granted_resource == "*" || granted_resource == resource)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight cases every official SDK tests, then the edge cases of the reference (section 5).
    #[test]
    fn cross_sdk_cases_and_edges() {
        let cases: &[(&str, &[&str], &[&str], bool)] = &[
            (
                "basic",
                &["read:users", "write:users"],
                &["read:users"],
                true,
            ),
            (
                "multiple",
                &["read:users", "write:users", "read:books"],
                &["read:users", "read:books"],
                true,
            ),
            (
                "simple scopes",
                &["read_users", "write_users"],
                &["read_users"],
                true,
            ),
            (
                "wildcard resource",
                &["read:*", "write:*"],
                &["read:users"],
                true,
            ),
            ("missing", &["read:users"], &["write:users"], false),
            (
                "missing with wildcard",
                &["read:*"],
                &["write:users"],
                false,
            ),
            (
                "simple does not grant specific",
                &["read"],
                &["read:users"],
                false,
            ),
            (
                "specific does not grant simple",
                &["read:users"],
                &["read"],
                false,
            ),
            // edges
            (
                "write:* does not grant delete:books",
                &["write:*"],
                &["delete:books"],
                false,
            ),
            ("* is not global", &["*"], &["read:users"], false),
            ("* satisfies only *", &["*"], &["*"], true),
            (
                "required read:* needs granted read:*",
                &["read:users"],
                &["read:*"],
                false,
            ),
            (
                "granted read:* satisfies read:*",
                &["read:*"],
                &["read:*"],
                true,
            ),
            (
                "granted read:* satisfies plain read",
                &["read:*"],
                &["read"],
                true,
            ),
            ("first colon split, granted", &["a:b:c"], &["a:b:c"], true),
            (
                "first colon split, not the first two parts",
                &["a:b:c"],
                &["a:b"],
                false,
            ),
            (
                "trailing colon is the empty resource",
                &["read:"],
                &["read:"],
                true,
            ),
            ("trailing colon is not plain", &["read:"], &["read"], false),
            (
                "plain compared exactly",
                &["read_users"],
                &["read_user"],
                false,
            ),
            ("empty requirement passes", &[], &[], true),
            (
                "empty requirement passes with scopes",
                &["read:users"],
                &[],
                true,
            ),
            ("nothing granted", &[], &["read:users"], false),
            (
                "all required must hold",
                &["read:users"],
                &["read:users", "write:users"],
                false,
            ),
        ];
        for (name, granted, required, expected) in cases {
            assert_eq!(is_authorized(granted, required), *expected, "{name}");
        }
        assert_eq!(
            missing(&["read:users"], &["read:users", "write:users", "x"]),
            ["write:users", "x"]
        );
    }
}

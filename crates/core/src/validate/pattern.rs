//! [`Pattern`]: the `pattern` keywords the schema uses, each with its Rust check.

use stytch_m2m_models::ErrorType;

use super::Checked;
use super::ValidationError;

/// The patterns the schema uses, each with the Rust check of it and its rule in words. `cargo xtask codegen` maps
/// a `pattern` keyword to one of these, and refuses a pattern it does not know (add it here and in the xtask).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pattern {
    /// `^\S+$`: one or more characters, none of them whitespace.
    NoWhitespace,
    /// `^(\S+( \S+)*)?$`: words without whitespace, separated by single spaces, or nothing (the python SDK sends
    /// `scope: ""` for no scopes).
    SpaceSeparated,
}

impl Pattern {
    fn matches(self, s: &str) -> bool {
        match self {
            Self::NoWhitespace => !s.is_empty() && !s.chars().any(char::is_whitespace),
            Self::SpaceSeparated => {
                s.is_empty()
                    || s.split(' ')
                        .all(|w| !w.is_empty() && !w.chars().any(char::is_whitespace))
            }
        }
    }

    /// Checks `value` against the pattern; the error names `path()` and the rule, never the value.
    pub(crate) fn check(
        self,
        value: &str,
        path: impl FnOnce() -> String,
        error_type: ErrorType,
    ) -> Checked {
        if self.matches(value) {
            Ok(())
        } else {
            Err(ValidationError::new(path(), self.rule(), error_type))
        }
    }

    fn rule(self) -> &'static str {
        match self {
            Self::NoWhitespace => {
                "must not be empty or contain whitespace (scopes are joined by spaces into the token's scope claim)"
            }
            Self::SpaceSeparated => "must be words separated by single spaces",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_what_the_schema_says() {
        assert!(Pattern::NoWhitespace.matches("read:users"));
        for bad in ["", "read users", "read\tusers", "read\u{a0}users"] {
            assert!(!Pattern::NoWhitespace.matches(bad), "{bad:?}");
        }
        assert!(Pattern::SpaceSeparated.matches("a b:c"));
        assert!(Pattern::SpaceSeparated.matches(""));
        for bad in [" a", "a ", "a  b", "a\tb"] {
            assert!(!Pattern::SpaceSeparated.matches(bad), "{bad:?}");
        }
    }
}

//! Stytch's rules for requests, as the generated `validate()` methods check them.
//!
//! The rules are stated once, as JSON Schema keywords in `schema/m2m.schema.json`; `cargo xtask codegen` turns
//! the ones that are Stytch's (documented, or forced by the wire) into a `validate()` method on each request type
//! (`CreateRequest::validate`, `UpdateRequest::validate`, `SearchRequest::validate`, …). The keywords a schema node
//! lists in `x-emulator-policy` are the emulator's guesses where Stytch is silent: the client never applies them
//! (the mock and the emulator do, see `stytch-m2m-mock`).
//!
//! This module holds [`ValidationError`] and the checks the generated code calls (crate-private), generic over the
//! shapes typify gives a field (`String` or `Option<String>`, `Vec<T>` or `Option<Vec<T>>`, …). Errors name the
//! field and the rule, never the value. [`Pattern`] is public (hidden) for the client's check of a
//! token call's scopes, which are not a body field.

use std::fmt;

use serde_json::{Map, Value};

use crate::{ErrorType, Secret};

mod pattern;
pub use pattern::Pattern;

/// A request that breaks one of Stytch's rules: which field, which rule, and the `error_type` Stytch answers with.
/// Its `Display` never shows the value.
///
/// ```
/// use stytch_m2m_models::{CreateRequest, ErrorType};
///
/// let err = CreateRequest::new(["read:users"]).client_secret("short").validate().unwrap_err();
/// assert_eq!(err.field, "client_secret");
/// assert_eq!(err.error_type, ErrorType::M2mClientInvalidClientSecret);
/// assert_eq!(err.to_string(), "invalid `client_secret`: must be at least 8 characters");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationError {
    /// The field, as a path into the request (`scopes[2]`, `query.operands[0].filter_value`).
    pub field: String,
    /// The rule it breaks, in words.
    pub rule: String,
    /// The `error_type` Stytch answers a request breaking this rule with.
    pub error_type: ErrorType,
}

impl ValidationError {
    /// A validation error for this field and rule.
    pub fn new(field: impl Into<String>, rule: impl Into<String>, error_type: ErrorType) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
            error_type,
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid `{}`: {}", self.field, self.rule)
    }
}

impl std::error::Error for ValidationError {}

type Checked = Result<(), ValidationError>;

/// A field path: `at` joined with `name` (`""` + `scopes` = `scopes`; `query` + `operands` = `query.operands`).
pub(crate) fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_owned()
    } else {
        format!("{at}.{name}")
    }
}

/// A field that holds text (absent when `None`).
pub(crate) trait Text {
    /// The text, if present.
    fn text(&self) -> Option<&str>;
}

impl Text for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl Text for Secret {
    fn text(&self) -> Option<&str> {
        Some(self.expose_secret())
    }
}

impl<T: Text> Text for Option<T> {
    fn text(&self) -> Option<&str> {
        self.as_ref().and_then(Text::text)
    }
}

/// A field that holds a list (absent when `None`).
pub(crate) trait List {
    /// The element type.
    type Item;
    /// The items, if present.
    fn list(&self) -> Option<&[Self::Item]>;
}

impl<T> List for Vec<T> {
    type Item = T;
    fn list(&self) -> Option<&[T]> {
        Some(self)
    }
}

impl<T> List for Option<Vec<T>> {
    type Item = T;
    fn list(&self) -> Option<&[T]> {
        self.as_deref()
    }
}

/// A field that holds a JSON object (absent when `None`).
pub(crate) trait Object {
    /// The object, if present.
    fn object(&self) -> Option<&Map<String, Value>>;
}

impl Object for Map<String, Value> {
    fn object(&self) -> Option<&Map<String, Value>> {
        Some(self)
    }
}

impl Object for Option<Map<String, Value>> {
    fn object(&self) -> Option<&Map<String, Value>> {
        self.as_ref()
    }
}

/// A field that holds a number (absent when `None`).
pub(crate) trait Number {
    /// The number, if present.
    fn number(&self) -> Option<f64>;
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl Number for $t {
            fn number(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
        impl Number for Option<$t> {
            fn number(&self) -> Option<f64> {
                self.map(|n| n as f64)
            }
        }
    )*};
}
numbers!(u32, u64, i32, i64, f64);

/// A generated request type, or a field holding some (`Option<T>`, `Vec<T>`): validated at a path.
pub(crate) trait Validate {
    /// Checks Stytch's rules, naming fields from `at`.
    fn validate_at(&self, at: &str) -> Checked;
}

impl<T: Validate> Validate for Option<T> {
    fn validate_at(&self, at: &str) -> Checked {
        self.as_ref().map_or(Ok(()), |v| v.validate_at(at))
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_at(&self, at: &str) -> Checked {
        self.iter()
            .enumerate()
            .try_for_each(|(i, v)| v.validate_at(&format!("{at}[{i}]")))
    }
}

/// `minLength` / `maxLength`, in characters (code points, as JSON Schema counts).
pub(crate) fn length(
    field: &impl Text,
    path: impl FnOnce() -> String,
    min: Option<usize>,
    max: Option<usize>,
    error_type: ErrorType,
) -> Checked {
    let Some(s) = field.text() else {
        return Ok(());
    };
    let n = s.chars().count();
    let rule = match (min, max) {
        (Some(1), _) if n < 1 => "must not be empty".to_owned(),
        (Some(min), _) if n < min => format!("must be at least {min} characters"),
        (_, Some(max)) if n > max => format!("must be at most {max} characters"),
        _ => return Ok(()),
    };
    Err(ValidationError::new(path(), rule, error_type))
}

/// `pattern`.
pub(crate) fn pattern(
    field: &impl Text,
    path: impl FnOnce() -> String,
    pattern: Pattern,
    error_type: ErrorType,
) -> Checked {
    match field.text() {
        Some(s) => pattern.check(s, path, error_type),
        None => Ok(()),
    }
}

/// `minItems` / `maxItems` (unused while every bound on a list is the emulator's guess; the schema may add one).
#[allow(dead_code)]
pub(crate) fn items<L: List>(
    field: &L,
    path: impl FnOnce() -> String,
    min: Option<usize>,
    max: Option<usize>,
    error_type: ErrorType,
) -> Checked {
    let Some(list) = field.list() else {
        return Ok(());
    };
    let rule = match (min, max) {
        (Some(1), _) if list.is_empty() => "must list at least one item".to_owned(),
        (Some(min), _) if list.len() < min => format!("must list at least {min} items"),
        (_, Some(max)) if list.len() > max => format!("must list at most {max} items"),
        _ => return Ok(()),
    };
    Err(ValidationError::new(path(), rule, error_type))
}

/// The items of a list field (none when absent), for the rules of `items`.
pub(crate) fn each<L: List>(field: &L) -> impl Iterator<Item = (usize, &L::Item)> {
    field.list().unwrap_or_default().iter().enumerate()
}

/// `maxProperties`.
pub(crate) fn properties(
    field: &impl Object,
    path: impl FnOnce() -> String,
    max: usize,
    error_type: ErrorType,
) -> Checked {
    match field.object() {
        Some(map) if map.len() > max => Err(ValidationError::new(
            path(),
            format!("must have at most {max} top-level keys"),
            error_type,
        )),
        _ => Ok(()),
    }
}

/// `x-max-json-bytes`: the size of the object serialized as JSON.
pub(crate) fn json_bytes(
    field: &impl Object,
    path: impl FnOnce() -> String,
    max: usize,
    error_type: ErrorType,
) -> Checked {
    let Some(map) = field.object() else {
        return Ok(());
    };
    let size = serde_json::to_vec(map).map_or(usize::MAX, |v| v.len());
    if size > max {
        return Err(ValidationError::new(
            path(),
            format!("must be at most {max} bytes as JSON"),
            error_type,
        ));
    }
    Ok(())
}

/// `minimum` / `maximum`.
pub(crate) fn range(
    field: &impl Number,
    path: impl FnOnce() -> String,
    min: Option<f64>,
    max: Option<f64>,
    error_type: ErrorType,
) -> Checked {
    match field.number() {
        Some(n) if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) => {
            let rule = match (min, max) {
                (Some(min), Some(max)) => format!("must be from {min} to {max}"),
                (Some(min), None) => format!("must be at least {min}"),
                (None, Some(max)) => format!("must be at most {max}"),
                (None, None) => unreachable!("a bound was broken"),
            };
            Err(ValidationError::new(path(), rule, error_type))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters_not_bytes() {
        let eight = "éééééééé".to_owned();
        assert!(
            length(
                &eight,
                || "f".into(),
                Some(8),
                Some(8),
                ErrorType::BadRequest
            )
            .is_ok()
        );
        let err = length(
            &Some(eight),
            || "f".into(),
            None,
            Some(7),
            ErrorType::BadRequest,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "invalid `f`: must be at most 7 characters");
        assert!(
            length(
                &None::<String>,
                || "f".into(),
                Some(1),
                None,
                ErrorType::BadRequest
            )
            .is_ok()
        );
    }

    #[test]
    fn ranges_name_both_bounds() {
        let err = range(
            &Some(1001u32),
            || "limit".into(),
            Some(0.0),
            Some(1000.0),
            ErrorType::BadRequest,
        )
        .unwrap_err();
        assert_eq!(err.rule, "must be from 0 to 1000");
    }
}

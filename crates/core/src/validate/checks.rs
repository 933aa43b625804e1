//! The building blocks the generated checks (`generated.rs`) call: one function per JSON Schema keyword, generic
//! over the shapes typify gives a field (`String` or `Option<String>`, `Vec<T>` or `Option<Vec<T>>`, …). Errors
//! name the field and the rule, never the value.

use serde_json::{Map, Value};
use stytch_m2m_models::{ErrorType, Secret};

pub(crate) use super::Checked;
use super::ValidationError;
pub(crate) use super::pattern::Pattern;

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

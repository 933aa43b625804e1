//! What the client checks before sending: Stytch's rules only, so that the client accepts everything Stytch would.
//!
//! The rules of request bodies are stated once, as JSON Schema keywords in `schema/m2m.schema.json`;
//! `cargo xtask codegen` turns the ones that are Stytch's (documented, or forced by the wire) into the [`Validate`]
//! impls of `generated.rs`, built from the checks of `checks.rs`. The keywords a schema node lists in
//! `x-emulator-policy` are the emulator's guesses where Stytch is silent (lengths, the number of scopes, a secret's
//! entropy): they are never applied here (the mock's own server rules apply them). This module adds the checks of
//! what is not a body: the path's client id and the token call's scopes, both forced by the wire.

mod checks;
#[rustfmt::skip]
#[allow(clippy::all)]
mod generated;
mod pattern;

use std::fmt;

use stytch_m2m_models::ErrorType;

use pattern::Pattern;

/// A request that breaks one of Stytch's rules: which field, which rule, and the `error_type` Stytch answers with.
/// Its `Display` never shows the value.
///
/// ```
/// # use stytch_m2m_core as stytch_m2m;
/// use stytch_m2m::Validate as _;
/// use stytch_m2m::models::{CreateRequest, ErrorType};
///
/// let err = CreateRequest::new(["read:users"]).client_secret("short").validate().unwrap_err();
/// assert_eq!(err.field, "client_secret");
/// assert_eq!(err.error_type, ErrorType::M2mClientInvalidClientSecret);
/// assert_eq!(err.to_string(), "invalid `client_secret`: must be at least 8 characters");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
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

type Result = std::result::Result<(), ValidationError>;

/// The outcome of one check.
pub(crate) type Checked = Result;

/// Stytch's rules for a request, as the client checks them before sending (every request type of the models:
/// `CreateRequest`, `UpdateRequest`, `SearchRequest`, `SearchQuery`, `SearchOperand`, `TokenRequest`). Useful to
/// check a request before queueing it; the client runs the same check itself.
///
/// ```
/// # use stytch_m2m_core as stytch_m2m;
/// use stytch_m2m::Validate as _;
/// use stytch_m2m::models::{CreateRequest, SearchRequest};
///
/// // Stytch's rules: a scope has no whitespace (scopes are joined by spaces into the token's `scope` claim).
/// assert_eq!(CreateRequest::new(["read users"]).validate().unwrap_err().field, "scopes[0]");
/// assert_eq!(SearchRequest::new().limit(1001).validate().unwrap_err().field, "limit");
/// // Not Stytch's rules (the emulator's guesses): 150 scopes and a weak-looking secret are sent.
/// let many = CreateRequest::new((0..150).map(|i| format!("s{i}"))).client_secret("Welcome2024!");
/// assert!(many.validate().is_ok());
/// ```
///
/// Sealed: implemented for the request types (and `Option`s and `Vec`s of them) by generated code only.
pub trait Validate: sealed::Sealed {
    /// Checks Stytch's rules; the error names the first field that breaks one, and the rule.
    fn validate(&self) -> Result {
        self.validate_at("")
    }

    /// Checks Stytch's rules, naming fields from the path `at` (`query.operands[1]`).
    #[doc(hidden)]
    fn validate_at(&self, at: &str) -> Result;
}

/// Seals [`Validate`]: a public trait in a crate-private module, so no other crate can implement it.
pub(crate) mod sealed {
    /// Implemented by the types [`Validate`](super::Validate) checks.
    pub trait Sealed {}

    impl<T: Sealed> Sealed for Option<T> {}
    impl<T: Sealed> Sealed for Vec<T> {}
}

impl<T: Validate> Validate for Option<T> {
    fn validate_at(&self, at: &str) -> Result {
        self.as_ref().map_or(Ok(()), |v| v.validate_at(at))
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_at(&self, at: &str) -> Result {
        self.iter()
            .enumerate()
            .try_for_each(|(i, v)| v.validate_at(&format!("{at}[{i}]")))
    }
}

/// A client id given as a path argument must not be empty: `/v1/m2m/clients/` names another route (and with
/// `/secrets/rotate` after it, no client at all).
pub(crate) fn client_id_argument(client_id: &str) -> Result {
    if client_id.is_empty() {
        return Err(ValidationError::new(
            "client_id",
            "must not be empty",
            ErrorType::M2mClientInvalidClientId,
        ));
    }
    Ok(())
}

/// The scopes of a token call are joined by single spaces into the form's `scope`: one that is empty or holds
/// whitespace would change what is asked for, so each is checked before joining (the same rule as a client's
/// scopes in the schema).
pub(crate) fn token_scopes(scopes: &[String]) -> Result {
    for (i, scope) in scopes.iter().enumerate() {
        Pattern::NoWhitespace.check(scope, || format!("scopes[{i}]"), ErrorType::InvalidScope)?;
    }
    Ok(())
}

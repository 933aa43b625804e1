//! [`UnknownValue`]: what an open enum holds for a value this SDK does not know yet.

use std::fmt;

/// A wire value unknown to this version of the SDK, kept exactly as received so that it re-serializes unchanged.
///
/// It can only be made by parsing (for example `ClientStatus::from("suspended")`), so an `Unknown` variant never
/// holds a value that has its own variant.
///
/// ```
/// # mod stytch_m2m { pub mod models { pub use stytch_m2m_models::*; } }
/// use stytch_m2m::models::ClientStatus;
///
/// let status: ClientStatus = serde_json::from_str("\"suspended\"").unwrap();
/// assert!(!status.is_known());
/// assert_eq!(status.as_str(), "suspended");
/// assert_eq!(serde_json::to_string(&status).unwrap(), "\"suspended\"");
/// assert_eq!(ClientStatus::from("active"), ClientStatus::Active);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    pub(crate) fn new(value: &str) -> Self {
        Self(value.to_owned())
    }

    /// The value as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

//! [`Secret`]: the type of every secret on the wire (`client_secret`, `next_client_secret`, `access_token`).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// A secret string that never shows itself: `Debug` prints `Secret([REDACTED])`, `Display` prints `[REDACTED]`, and
/// the memory is zeroed on drop ([`secrecy`]). Read it on purpose with [`Secret::expose_secret`].
///
/// It serializes as the plain string, since the wire needs it; serialize a model only to send it.
///
/// ```
/// # mod stytch_m2m { pub mod models { pub use stytch_m2m_models::*; } }
/// use stytch_m2m::models::Secret;
///
/// let secret = Secret::new("NHQhc7ZqsXJVtgmN2MXr1etqsQrGAwJ-iBWNLKY7DzJj");
/// assert_eq!(format!("{secret:?}"), "Secret([REDACTED])");
/// assert_eq!(secret.to_string(), "[REDACTED]");
/// assert_eq!(secret.expose_secret().len(), 44);
/// assert_eq!(secret.last_four(), "DzJj");
/// ```
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The secret in clear text. Call it only where the secret must be used (sent, hashed, compared).
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// The last four characters (fewer when the secret is shorter): what Stytch shows as `client_secret_last_four`.
    pub fn last_four(&self) -> &str {
        let s = self.expose_secret();
        let start = s.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
        &s[start..]
    }

    /// Compares with `other` in time that depends only on the lengths, not on where the bytes differ (`subtle`,
    /// which keeps the optimizer from turning the comparison into an early exit).
    pub fn constant_time_eq(&self, other: &str) -> bool {
        use subtle::ConstantTimeEq as _;
        self.expose_secret()
            .as_bytes()
            .ct_eq(other.as_bytes())
            .into()
    }
}

impl ExposeSecret<str> for Secret {
    fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.constant_time_eq(other.expose_secret())
    }
}

impl Eq for Secret {}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose_secret())
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn last_four_counts_characters_not_bytes() {
        assert_eq!(Secret::new("abcdéfgh").last_four(), "éfgh");
        assert_eq!(Secret::new("abcdefgh").last_four(), "efgh");
        assert_eq!(Secret::new("aé").last_four(), "aé");
        assert_eq!(Secret::new("").last_four(), "");
    }

    #[test]
    fn equality_compares_the_whole_value() {
        assert!(Secret::new("password") == Secret::new("password"));
        assert!(Secret::new("password") != Secret::new("passwore"));
        assert!(Secret::new("password") != Secret::new("password1"));
    }
}

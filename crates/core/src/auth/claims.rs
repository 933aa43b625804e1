//! Reading the registered claims in one pass, borrowing from the payload, ignoring the rest; every type error
//! becomes a `Malformed` that names the claim.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::error::InvalidToken;

/// A claim value, kept only as far as the checks need it.
#[derive(Debug)]
pub(crate) enum Claim<'a> {
    Str(Cow<'a, str>),
    Num(f64),
    Strings(Vec<Cow<'a, str>>),
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for Claim<'a> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Claim<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a claim")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Claim::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Claim::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Claim::Str(Cow::Owned(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Claim::Num(v as f64))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Claim::Num(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Claim::Num(v))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Claim::Other)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Claim::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut strings = Vec::new();
                let mut all_strings = true;
                while let Some(item) = seq.next_element::<Claim<'a>>()? {
                    match item {
                        Claim::Str(s) if all_strings => strings.push(s),
                        _ => all_strings = false,
                    }
                }
                Ok(if all_strings {
                    Claim::Strings(strings)
                } else {
                    Claim::Other
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Claim::Other)
            }
        }
        deserializer.deserialize_any(V(std::marker::PhantomData))
    }
}

/// The registered claims and `scope`; other members are skipped without being built.
#[derive(Deserialize, Debug)]
pub(crate) struct Registered<'a> {
    #[serde(borrow)]
    pub iss: Option<Claim<'a>>,
    #[serde(borrow)]
    pub sub: Option<Claim<'a>>,
    #[serde(borrow)]
    pub aud: Option<Claim<'a>>,
    #[serde(borrow)]
    pub scope: Option<Claim<'a>>,
    #[serde(borrow)]
    pub exp: Option<Claim<'a>>,
    #[serde(borrow)]
    pub nbf: Option<Claim<'a>>,
    #[serde(borrow)]
    pub iat: Option<Claim<'a>>,
}

impl<'a> Registered<'a> {
    pub fn parse(payload: &'a [u8]) -> Result<Self, InvalidToken> {
        serde_json::from_slice(payload).map_err(|_| {
            InvalidToken::Malformed("the payload is not a JSON object of claims".into())
        })
    }
}

/// A string claim; absent is `None`.
pub(crate) fn string<'c>(
    claim: &'c Option<Claim<'_>>,
    name: &'static str,
) -> Result<Option<&'c str>, InvalidToken> {
    match claim {
        None => Ok(None),
        Some(Claim::Str(s)) => Ok(Some(s)),
        Some(_) => Err(InvalidToken::Malformed(format!("{name} is not a string"))),
    }
}

/// A NumericDate claim (whole seconds; fractions are cut); absent is `None`.
pub(crate) fn number(
    claim: &Option<Claim<'_>>,
    name: &'static str,
) -> Result<Option<u64>, InvalidToken> {
    match claim {
        None => Ok(None),
        Some(Claim::Num(n)) if n.is_finite() && *n >= 0.0 => Ok(Some(*n as u64)),
        Some(Claim::Num(_)) => Err(InvalidToken::Malformed(format!(
            "{name} is not a non-negative number"
        ))),
        Some(_) => Err(InvalidToken::Malformed(format!("{name} is not a number"))),
    }
}

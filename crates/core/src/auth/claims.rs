//! Reading the registered claims in one pass, borrowing from the payload, ignoring the rest; every type error
//! becomes a `Malformed` that names the claim.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::error::{InvalidToken, MAX_CLAIMS_DEPTH};

/// A claim value, kept only as far as the checks need it.
#[derive(Debug, PartialEq)]
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

/// A member name, borrowed when it has no escapes.
pub(crate) struct Name<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Name<'a> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Name<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Name(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Name(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Name(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V(std::marker::PhantomData))
    }
}

const TOO_DEEP: &str = "stytch-m2m: nesting too deep";

/// Skips a value while checking it the way `serde_json::Value` would read it (so the lazy custom-claims parse
/// cannot fail afterwards) and bounding its depth.
struct Checked(usize);

impl<'de> de::DeserializeSeed<'de> for Checked {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Checked {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.0 >= MAX_CLAIMS_DEPTH {
            return Err(de::Error::custom(TOO_DEEP));
        }
        while seq.next_element_seed(Checked(self.0 + 1))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if self.0 >= MAX_CLAIMS_DEPTH {
            return Err(de::Error::custom(TOO_DEEP));
        }
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(Checked(self.0 + 1))?;
        }
        Ok(())
    }
}

/// The registered claims and `scope`; other members are checked and skipped without being built. Read only from a
/// JSON object (an array is refused, never read by position); a registered claim present twice is refused; `null`
/// is a value of the wrong type, not an absent claim.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Registered<'a> {
    pub iss: Option<Claim<'a>>,
    pub sub: Option<Claim<'a>>,
    pub aud: Option<Claim<'a>>,
    pub scope: Option<Claim<'a>>,
    pub exp: Option<Claim<'a>>,
    pub nbf: Option<Claim<'a>>,
    pub iat: Option<Claim<'a>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Registered<'a> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Registered<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object of claims")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut claims = Registered::default();
                while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
                    let slot = match &*name {
                        "iss" => &mut claims.iss,
                        "sub" => &mut claims.sub,
                        "aud" => &mut claims.aud,
                        "scope" => &mut claims.scope,
                        "exp" => &mut claims.exp,
                        "nbf" => &mut claims.nbf,
                        "iat" => &mut claims.iat,
                        _ => {
                            map.next_value_seed(Checked(1))?;
                            continue;
                        }
                    };
                    if slot.is_some() {
                        return Err(de::Error::custom("duplicate claim"));
                    }
                    *slot = Some(map.next_value()?);
                }
                Ok(claims)
            }
        }
        deserializer.deserialize_map(V(std::marker::PhantomData))
    }
}

impl<'a> Registered<'a> {
    /// Reads the claims with serde_json: the authority on what is refused and why (the fast path for flat claim
    /// sets, [`super::claims_scan::registered`], reads only what this reads the same).
    pub fn parse(payload: &'a str) -> Result<Self, InvalidToken> {
        serde_json::from_str(payload).map_err(|e| {
            if e.to_string().starts_with(TOO_DEEP) {
                InvalidToken::NestingTooDeep
            } else {
                InvalidToken::Malformed("the payload is not a JSON object of claims".into())
            }
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

//! Parsing a compact JWS once: header, claims and signature, with bounds, strict as RFC 8725 asks.

use base64::Engine as _;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::claims::{Claim, Name};
use super::error::InvalidToken;

/// The largest token accepted, in bytes (Stytch's are under 2 KB; a 1 MB token is refused before any work).
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The header members the checks need; anything else is skipped. Read only from a JSON object (never an array),
/// each member at most once.
#[derive(Default)]
struct Header<'a> {
    alg: Option<Claim<'a>>,
    kid: Option<Claim<'a>>,
    typ: Option<Claim<'a>>,
    crit: bool,
}

impl<'de> serde::Deserialize<'de> for Header<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Header<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JOSE header object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut header = Header::default();
                while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
                    let slot = match &*name {
                        "alg" => &mut header.alg,
                        "kid" => &mut header.kid,
                        "typ" => &mut header.typ,
                        "crit" => {
                            map.next_value::<IgnoredAny>()?;
                            header.crit = true;
                            continue;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    if slot.is_some() {
                        return Err(de::Error::custom("duplicate header member"));
                    }
                    *slot = Some(map.next_value()?);
                }
                Ok(header)
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// A token split and decoded, not yet verified.
pub(crate) struct Parts<'t> {
    pub kid: String,
    /// `header.payload`, the signed bytes.
    pub signing_input: &'t [u8],
    /// The decoded payload (UTF-8 JSON text, not yet parsed).
    pub payload: String,
    pub signature: Vec<u8>,
}

fn malformed(why: &str) -> InvalidToken {
    InvalidToken::Malformed(why.to_owned())
}

/// Splits and decodes everything before any cryptography: three parts; a header that is a JSON object with `alg`
/// RS256, a string `kid`, `typ` absent or `JWT` (any case), and no `crit` (this verifier understands no critical
/// extension, so RFC 7515 §4.1.11 requires refusing any); a base64url payload that is UTF-8; a base64url
/// signature. The claims are parsed by the caller.
pub(crate) fn split(token: &str) -> Result<Parts<'_>, InvalidToken> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(malformed("the token is too large"));
    }
    let mut parts = token.splitn(4, '.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("a JWT has three dot-separated parts"));
    };
    let signed_len = header.len() + 1 + payload.len();
    let header_bytes = B64
        .decode(header)
        .map_err(|_| malformed("the header is not base64url"))?;
    let header_text =
        std::str::from_utf8(&header_bytes).map_err(|_| malformed("the header is not UTF-8"))?;
    let header: Header<'_> = serde_json::from_str(header_text)
        .map_err(|_| malformed("the header is not a JSON object"))?;
    if header.crit {
        return Err(InvalidToken::CriticalHeader);
    }
    match header.alg {
        Some(Claim::Str(alg)) if alg == "RS256" => {}
        Some(Claim::Str(alg)) => {
            return Err(InvalidToken::UnsupportedAlgorithm(alg.into_owned()));
        }
        None => return Err(InvalidToken::MissingClaim("alg")),
        Some(_) => return Err(malformed("the header's alg is not a string")),
    }
    match &header.typ {
        None => {}
        Some(Claim::Str(typ)) if typ.eq_ignore_ascii_case("JWT") => {}
        Some(_) => return Err(InvalidToken::TokenType),
    }
    let kid = match header.kid {
        Some(Claim::Str(kid)) => kid.into_owned(),
        None => return Err(InvalidToken::MissingClaim("kid")),
        Some(_) => return Err(malformed("the header's kid is not a string")),
    };
    let payload = B64
        .decode(payload)
        .map_err(|_| malformed("the payload is not base64url"))?;
    let payload = String::from_utf8(payload).map_err(|_| malformed("the payload is not UTF-8"))?;
    let signature = B64
        .decode(signature)
        .map_err(|_| malformed("the signature is not base64url"))?;
    Ok(Parts {
        kid,
        signing_input: &token.as_bytes()[..signed_len],
        payload,
        signature,
    })
}

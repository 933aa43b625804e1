//! Parsing a compact JWS once: header, claims and signature, with bounds, strict as RFC 8725 asks.

use std::sync::Arc;

use arc_swap::ArcSwapOption;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::claims::{Claim, Name};
use super::error::InvalidToken;

/// The largest token accepted, in bytes (Stytch's are under 2 KB; a 1 MB token is refused before any work).
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

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

/// The three segments of a compact JWS, not yet decoded.
pub(crate) struct Segments<'t> {
    pub header: &'t str,
    pub payload: &'t str,
    pub signature: &'t str,
    /// `header.payload`, the signed bytes.
    pub signing_input: &'t [u8],
}

fn malformed(why: &str) -> InvalidToken {
    InvalidToken::Malformed(why.to_owned())
}

/// The largest RSA signature accepted: 8192 bits, the largest key aws-lc verifies with.
const MAX_SIGNATURE_LEN: usize = 1024;
/// Decoded headers and payloads up to these sizes are decoded on the stack; larger ones (still within
/// [`MAX_TOKEN_LEN`]) on the heap.
const HEADER_BUF: usize = 256;
const PAYLOAD_BUF: usize = 1024;
/// Signatures of keys up to 4096 bits are decoded on the stack.
const SIGNATURE_BUF: usize = 512;

/// Splits a token into its three segments: at most [`MAX_TOKEN_LEN`] bytes, exactly three dot-separated parts.
pub(crate) fn segments(token: &str) -> Result<Segments<'_>, InvalidToken> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(malformed("the token is too large"));
    }
    let bytes = token.as_bytes();
    let three_parts = || malformed("a JWT has three dot-separated parts");
    let first = memchr::memchr(b'.', bytes).ok_or_else(three_parts)?;
    let last = memchr::memrchr(b'.', bytes).ok_or_else(three_parts)?;
    // A dot inside the payload segment makes it invalid base64url, refused when it is decoded.
    if last == first {
        return Err(three_parts());
    }
    Ok(Segments {
        header: &token[..first],
        payload: &token[first + 1..last],
        signature: &token[last + 1..],
        signing_input: &bytes[..last],
    })
}

/// A stack buffer for a decoded segment, left uninitialized: the decoder writes what is then read.
fn buf<const N: usize>() -> [std::mem::MaybeUninit<u8>; N] {
    [const { std::mem::MaybeUninit::uninit() }; N]
}

/// Decodes base64url (no padding; SIMD) into `buf` when it fits, else into `spill`.
fn decode<'b>(
    segment: &str,
    buf: &'b mut [std::mem::MaybeUninit<u8>],
    spill: &'b mut Vec<u8>,
    why: &str,
) -> Result<&'b [u8], InvalidToken> {
    let b64 = base64_simd::URL_SAFE_NO_PAD;
    let len = b64
        .decoded_length(segment.as_bytes())
        .map_err(|_| malformed(why))?;
    let out = if len <= buf.len() {
        base64_simd::Out::from_uninit_slice(&mut buf[..len])
    } else {
        spill.resize(len, 0);
        base64_simd::Out::from_slice(&mut spill[..])
    };
    let decoded = b64
        .decode(segment.as_bytes(), out)
        .map_err(|_| malformed(why))?;
    Ok(decoded)
}

/// Checks the header and returns its `kid`: a JSON object with `alg` RS256, a string `kid`, `typ` absent or `JWT`
/// (any case), and no `crit` (this verifier understands no critical extension, so RFC 7515 §4.1.11 requires
/// refusing any).
pub(crate) fn header(segment: &str) -> Result<String, InvalidToken> {
    let (mut buf, mut spill) = (buf::<HEADER_BUF>(), Vec::new());
    let bytes = decode(segment, &mut buf, &mut spill, "the header is not base64url")?;
    let text = std::str::from_utf8(bytes).map_err(|_| malformed("the header is not UTF-8"))?;
    let header: Header<'_> =
        serde_json::from_str(text).map_err(|_| malformed("the header is not a JSON object"))?;
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
    match header.kid {
        Some(Claim::Str(kid)) => Ok(kid.into_owned()),
        None => Err(InvalidToken::MissingClaim("kid")),
        Some(_) => Err(malformed("the header's kid is not a string")),
    }
}

/// The last header that passed [`header`], by its exact segment, with its `kid`: the tokens of one project and
/// key carry the same header, so most tokens skip its decoding and parse (the same bytes read the same).
#[derive(Default)]
pub(crate) struct KnownHeader(ArcSwapOption<(Box<str>, Arc<str>)>);

impl KnownHeader {
    /// The `kid` of a header segment that passes [`header`].
    pub(crate) fn kid(&self, segment: &str) -> Result<Arc<str>, InvalidToken> {
        if let Some(known) = &*self.0.load()
            && *known.0 == *segment
        {
            return Ok(known.1.clone());
        }
        let kid: Arc<str> = header(segment)?.into();
        self.0.store(Some(Arc::new((segment.into(), kid.clone()))));
        Ok(kid)
    }
}

/// Decodes the payload (UTF-8 checked) and hands it to `read`, which borrows from it.
pub(crate) fn with_payload<R>(
    segment: &str,
    read: impl FnOnce(&str) -> Result<R, InvalidToken>,
) -> Result<R, InvalidToken> {
    let (mut buf, mut spill) = (buf::<PAYLOAD_BUF>(), Vec::new());
    let bytes = decode(
        segment,
        &mut buf,
        &mut spill,
        "the payload is not base64url",
    )?;
    read(std::str::from_utf8(bytes).map_err(|_| malformed("the payload is not UTF-8"))?)
}

/// Decodes the signature and hands it to `check`.
pub(crate) fn with_signature<R>(
    segment: &str,
    check: impl FnOnce(&[u8]) -> Result<R, InvalidToken>,
) -> Result<R, InvalidToken> {
    if segment.len().div_ceil(4) * 3 > MAX_SIGNATURE_LEN {
        return Err(malformed("the signature is too long"));
    }
    let (mut buf, mut spill) = (buf::<SIGNATURE_BUF>(), Vec::new());
    check(decode(
        segment,
        &mut buf,
        &mut spill,
        "the signature is not base64url",
    )?)
}

//! Parsing a compact JWS once: header, claims and signature, with bounds.

use base64::Engine as _;
use serde::Deserialize;

use super::error::InvalidToken;

/// The largest token accepted, in bytes (Stytch's are under 2 KB; a 1 MB token is refused before any work).
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow)]
    alg: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    kid: Option<std::borrow::Cow<'a, str>>,
}

/// A token split and decoded, not yet verified.
pub(crate) struct Parts<'t> {
    pub kid: String,
    /// `header.payload`, the signed bytes.
    pub signing_input: &'t [u8],
    /// The decoded payload (JSON text, not yet parsed).
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
}

fn malformed(why: &str) -> InvalidToken {
    InvalidToken::Malformed(why.to_owned())
}

/// Splits and decodes everything before any cryptography: three parts, a header with `alg` RS256 and a `kid`,
/// a base64url payload and signature (the claims are parsed by the caller). Anything else is `Malformed` (or the algorithm error).
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
    let header: Header<'_> = serde_json::from_slice(&header_bytes)
        .map_err(|_| malformed("the header is not a JSON object with alg"))?;
    if header.alg != "RS256" {
        return Err(InvalidToken::UnsupportedAlgorithm(header.alg.into_owned()));
    }
    let kid = header
        .kid
        .ok_or(InvalidToken::MissingClaim("kid"))?
        .into_owned();
    let payload = B64
        .decode(payload)
        .map_err(|_| malformed("the payload is not base64url"))?;
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

//! The project's signing keys: RS256 key pairs, the JWKS they publish, and rotation with a grace period.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use stytch_m2m_core::models::Jwk;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Fixed test keys of the deterministic mode (see `keys/README.md`).
const FIXED_KEYS: [&str; 3] = [
    include_str!("../../keys/deterministic-0.pem"),
    include_str!("../../keys/deterministic-1.pem"),
    include_str!("../../keys/deterministic-2.pem"),
];

/// One RS256 signing key.
pub(crate) struct SigningKey {
    pub kid: String,
    pair: KeyPair,
    pkcs8: Vec<u8>,
    jwk: Jwk,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A new random 2048-bit key.
    pub fn generate(kid: String) -> Self {
        let pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation works");
        let pkcs8 = pair
            .as_der()
            .expect("a key pair serializes")
            .as_ref()
            .to_vec();
        Self::from_parts(kid, pair, pkcs8)
    }

    /// The fixed test key number `index` (modulo the number of fixed keys).
    pub fn fixed(kid: String, index: usize) -> Self {
        let pem = FIXED_KEYS[index % FIXED_KEYS.len()];
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .expect("fixed keys are valid PEM");
        Self::from_pkcs8(kid, der).expect("fixed keys are valid PKCS#8")
    }

    /// A key from its PKCS#8 DER bytes (as saved by [`SigningKey::pkcs8`]).
    pub fn from_pkcs8(kid: String, pkcs8: Vec<u8>) -> Result<Self, String> {
        let pair = KeyPair::from_pkcs8(&pkcs8)
            .map_err(|e| format!("signing key {kid} is not a valid RSA key: {e}"))?;
        Ok(Self::from_parts(kid, pair, pkcs8))
    }

    fn from_parts(kid: String, pair: KeyPair, pkcs8: Vec<u8>) -> Self {
        let public = pair.public_key();
        let jwk: Jwk = Jwk::builder()
            .kty("RSA".to_owned())
            .use_(Some("sig".to_owned()))
            .key_ops(vec!["verify".to_owned()])
            .alg("RS256".to_owned())
            .kid(kid.clone())
            .n(B64.encode(public.modulus().big_endian_without_leading_zero()))
            .e(B64.encode(public.exponent().big_endian_without_leading_zero()))
            .try_into()
            .expect("every required JWK field is set");
        Self {
            kid,
            pair,
            pkcs8,
            jwk,
        }
    }

    /// The private key as PKCS#8 DER (for the emulator's state file).
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The RFC 7638 thumbprint of the public key: base64url(SHA-256(`{"e":…,"kty":"RSA","n":…}`)), the same
    /// for the same key on any machine.
    pub fn thumbprint(&self) -> String {
        let canonical = format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            self.jwk.e, self.jwk.n
        );
        B64.encode(
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes()).as_ref(),
        )
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// An RS256 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let mut signature = vec![0u8; self.pair.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.pair
            .sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
            .expect("RSA signing works");
        signature
    }
}

/// The current key and the retired ones still published.
#[derive(Debug)]
pub(crate) struct KeyRing {
    pub current: SigningKey,
    /// Retired keys with the time (ms) they were retired at.
    pub retired: Vec<(SigningKey, u64)>,
}

impl KeyRing {
    /// The keys published at `now_ms` with this grace period: the current one, then retired ones newest first.
    pub fn published(&self, now_ms: u64, grace_ms: u64) -> impl Iterator<Item = &SigningKey> {
        std::iter::once(&self.current).chain(
            self.retired
                .iter()
                .rev()
                .filter(move |(_, at)| now_ms < at.saturating_add(grace_ms))
                .map(|(k, _)| k),
        )
    }

    /// Makes `next` the current key; the old one stays published for the grace period.
    pub fn rotate(&mut self, next: SigningKey, now_ms: u64, grace_ms: u64) {
        let old = std::mem::replace(&mut self.current, next);
        self.retired
            .retain(|(_, at)| now_ms < at.saturating_add(grace_ms));
        self.retired.push((old, now_ms));
    }
}

//! The project's signing keys: RS256 key pairs, the JWKS they publish, and rotation with a grace period.

use std::sync::{Arc, OnceLock};

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

/// One RS256 signing key. A generated key is made on a thread of its own (RSA key generation takes 50–250 ms):
/// whoever needs it first waits for it, or makes it if that thread died, so a server is ready at once and nothing
/// can wait forever.
pub(crate) struct SigningKey {
    pub kid: String,
    material: Arc<OnceLock<Material>>,
}

/// A key pair and what is derived from it.
struct Material {
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
    /// A new random 2048-bit key, generated in the background.
    pub fn generate(kid: String) -> Self {
        let material = Arc::new(OnceLock::new());
        let background = Arc::clone(&material);
        let key_id = kid.clone();
        let spawned = std::thread::Builder::new()
            .name("stytch-m2m-mock-keygen".to_owned())
            .spawn(move || {
                background.get_or_init(|| Material::generate(&key_id));
            });
        // No thread to be had: the first use makes the key.
        drop(spawned);
        Self { kid, material }
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
        let material = Material::from_parts(&kid, pair, pkcs8);
        Ok(Self {
            kid,
            material: Arc::new(OnceLock::from(material)),
        })
    }

    /// The key, waiting for (or making) a generated one.
    fn material(&self) -> &Material {
        self.material.get_or_init(|| Material::generate(&self.kid))
    }

    /// The private key as PKCS#8 DER (for the emulator's state file).
    pub fn pkcs8(&self) -> &[u8] {
        &self.material().pkcs8
    }

    /// The RFC 7638 thumbprint of the public key: base64url(SHA-256(`{"e":…,"kty":"RSA","n":…}`)), the same
    /// for the same key on any machine.
    pub fn thumbprint(&self) -> String {
        let jwk = self.jwk();
        let canonical = format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, jwk.e, jwk.n);
        B64.encode(
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes()).as_ref(),
        )
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> &Jwk {
        &self.material().jwk
    }

    /// An RS256 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let pair = &self.material().pair;
        let mut signature = vec![0u8; pair.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        pair.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
            .expect("RSA signing works");
        signature
    }
}

impl Material {
    fn generate(kid: &str) -> Self {
        let pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation works");
        let pkcs8 = pair
            .as_der()
            .expect("a key pair serializes")
            .as_ref()
            .to_vec();
        Self::from_parts(kid, pair, pkcs8)
    }

    fn from_parts(kid: &str, pair: KeyPair, pkcs8: Vec<u8>) -> Self {
        let public = pair.public_key();
        let jwk: Jwk = Jwk::builder()
            .kty("RSA".to_owned())
            .use_(Some("sig".to_owned()))
            .key_ops(vec!["verify".to_owned()])
            .alg("RS256".to_owned())
            .kid(kid.to_owned())
            .n(B64.encode(public.modulus().big_endian_without_leading_zero()))
            .e(B64.encode(public.exponent().big_endian_without_leading_zero()))
            .try_into()
            .expect("every required JWK field is set");
        Self { pair, pkcs8, jwk }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_one_key_whoever_asks_first() {
        let key = Arc::new(SigningKey::generate("jwk-test-1".to_owned()));
        let readers: Vec<_> = (0..4)
            .map(|_| {
                let key = Arc::clone(&key);
                std::thread::spawn(move || key.jwk().n.clone())
            })
            .collect();
        let moduli: Vec<String> = readers.into_iter().map(|r| r.join().unwrap()).collect();
        assert!(moduli.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(key.jwk().kid, "jwk-test-1");
        assert_eq!(key.sign(b"m").len(), 256);
    }

    #[test]
    fn a_key_whose_background_thread_died_is_made_on_first_use() {
        // As if the thread that was to make it had died: nothing waits forever.
        let key = SigningKey {
            kid: "jwk-test-2".to_owned(),
            material: Arc::new(OnceLock::new()),
        };
        assert_eq!(key.jwk().kid, "jwk-test-2");
        let again = SigningKey::from_pkcs8("jwk-test-2".to_owned(), key.pkcs8().to_vec()).unwrap();
        assert_eq!(again.thumbprint(), key.thumbprint());
    }
}

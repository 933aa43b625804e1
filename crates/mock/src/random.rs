//! Ids and secrets: random by default, from a seed in deterministic mode.

use std::sync::Mutex;

use base64::Engine as _;

/// The source of the mock's randomness: the operating system's generator (aws-lc), or a seeded one (the same
/// seed gives the same ids, secrets and request ids). It can be reseeded while in use.
#[derive(Debug)]
pub(crate) struct Randomness(Mutex<Option<fastrand::Rng>>);

impl Randomness {
    /// The operating system's generator.
    pub fn system() -> Self {
        Randomness(Mutex::new(None))
    }

    pub fn seeded(seed: u64) -> Self {
        Randomness(Mutex::new(Some(fastrand::Rng::with_seed(seed))))
    }

    /// Switches to a seeded generator (`Some`) or the system's (`None`).
    pub fn reseed(&self, seed: Option<u64>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = seed.map(fastrand::Rng::with_seed);
    }

    pub fn fill(&self, out: &mut [u8]) {
        let mut rng = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match rng.as_mut() {
            None => aws_lc_rs::rand::fill(out).expect("the system random generator works"),
            Some(rng) => out.iter_mut().for_each(|b| *b = rng.u8(..)),
        }
    }

    /// A version-4 UUID in its usual text form.
    pub fn uuid(&self) -> String {
        let mut b = [0u8; 16];
        self.fill(&mut b);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    /// A 44-character URL-safe secret (33 random bytes), like Stytch's generated secrets.
    pub fn secret(&self) -> String {
        let mut b = [0u8; 33];
        self.fill(&mut b);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_determinism() {
        let r = Randomness::system();
        let id = r.uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_eq!(r.secret().len(), 44);
        assert_eq!(
            Randomness::seeded(7).secret(),
            Randomness::seeded(7).secret()
        );
        assert_ne!(Randomness::seeded(7).uuid(), Randomness::seeded(8).uuid());
    }
}

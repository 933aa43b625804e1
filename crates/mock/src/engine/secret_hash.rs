//! Secrets are kept only as salted SHA-256 hashes and compared in constant time.

use aws_lc_rs::{constant_time, digest};

/// A salted SHA-256 hash of a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SecretHash {
    pub salt: [u8; 16],
    pub digest: [u8; 32],
}

impl SecretHash {
    pub fn new(secret: &str, salt: [u8; 16]) -> Self {
        Self {
            salt,
            digest: hash(secret, &salt),
        }
    }

    pub fn matches(&self, candidate: &str) -> bool {
        let digest = hash(candidate, &self.salt);
        constant_time::verify_slices_are_equal(&digest, &self.digest).is_ok()
    }
}

fn hash(secret: &str, salt: &[u8; 16]) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(salt);
    ctx.update(secret.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::SecretHash;

    #[test]
    fn matches_only_the_secret() {
        let h = SecretHash::new("x7Kp2QmZ", [1; 16]);
        assert!(h.matches("x7Kp2QmZ"));
        assert!(!h.matches("x7Kp2QmY"));
        assert!(!h.matches(""));
        assert_ne!(h, SecretHash::new("x7Kp2QmZ", [2; 16]));
    }
}

//! Ids and secrets: random by default, from a seed in deterministic mode.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine as _;

/// The source of the mock's randomness: the operating system's generator (`getrandom`), or a seeded one (the same
/// seed gives the same ids, secrets and request ids). It can be reseeded while in use.
/// Whether it is seeded is also a flag, read without the lock by request ids.
///
/// Request ids come from a generator of their own (seeded from the same number): every request draws one, even
/// a health probe, and that must not move the ids and secrets of clients a test creates.
#[derive(Debug)]
pub(crate) struct Randomness(
    Mutex<Option<fastrand::Rng>>,
    AtomicBool,
    Mutex<Option<fastrand::Rng>>,
);

/// Mixed into the seed of the request ids' generator, so that its stream is not the ids' and secrets'.
const REQUEST_IDS: u64 = 0x9e37_79b9_7f4a_7c15;

impl Randomness {
    /// The operating system's generator.
    pub fn system() -> Self {
        Randomness(Mutex::new(None), AtomicBool::new(false), Mutex::new(None))
    }

    pub fn seeded(seed: u64) -> Self {
        Randomness(
            Mutex::new(Some(fastrand::Rng::with_seed(seed))),
            AtomicBool::new(true),
            Mutex::new(Some(fastrand::Rng::with_seed(seed ^ REQUEST_IDS))),
        )
    }

    /// Switches to a seeded generator (`Some`) or the system's (`None`).
    pub fn reseed(&self, seed: Option<u64>) {
        let mut rng = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut requests = self.2.lock().unwrap_or_else(|e| e.into_inner());
        *rng = seed.map(fastrand::Rng::with_seed);
        *requests = seed.map(|seed| fastrand::Rng::with_seed(seed ^ REQUEST_IDS));
        self.1.store(seed.is_some(), Ordering::Release);
    }

    pub fn fill(&self, out: &mut [u8]) {
        let mut rng = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match rng.as_mut() {
            None => getrandom::fill(out).expect("the system random generator works"),
            Some(rng) => out.iter_mut().for_each(|b| *b = rng.u8(..)),
        }
    }

    /// A version-4 UUID in its usual text form.
    pub fn uuid(&self) -> String {
        let mut b = [0u8; 16];
        self.fill(&mut b);
        uuid_text(b)
    }

    /// [`Randomness::write_request_uuid`] as a new string.
    #[cfg(test)]
    pub fn request_uuid(&self) -> String {
        let mut uuid = [0u8; 36];
        self.write_request_uuid(&mut uuid);
        String::from_utf8_lossy(&uuid).into_owned()
    }

    /// Writes a version-4 UUID for a request id: from the seeded generator in deterministic mode, else from a
    /// thread-local one (a request id is no secret; it need only be unique), taking no lock.
    pub fn write_request_uuid(&self, out: &mut [u8; 36]) {
        if !self.1.load(Ordering::Acquire) {
            write_uuid(out, fastrand::u128(..).to_le_bytes());
            return;
        }
        let mut rng = self.2.lock().unwrap_or_else(|e| e.into_inner());
        let bytes = match rng.as_mut() {
            Some(rng) => {
                let mut b = [0u8; 16];
                b.iter_mut().for_each(|x| *x = rng.u8(..));
                b
            }
            None => {
                drop(rng);
                fastrand::u128(..).to_le_bytes()
            }
        };
        write_uuid(out, bytes);
    }

    /// A 44-character URL-safe secret (33 random bytes), like Stytch's generated secrets.
    pub fn secret(&self) -> String {
        let mut b = [0u8; 33];
        self.fill(&mut b);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
    }
}

/// The text of 16 random bytes as a version-4 UUID (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`).
fn uuid_text(b: [u8; 16]) -> String {
    let mut text = [0u8; 36];
    write_uuid(&mut text, b);
    String::from_utf8_lossy(&text).into_owned()
}

/// Writes 16 random bytes as a version-4 UUID, straight into a fixed buffer (each digit at a place known in
/// advance: no growth or bounds checks on the way).
fn write_uuid(out: &mut [u8; 36], mut b: [u8; 16]) {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    // Four bytes at a time become eight hexadecimal digits (`8-4-4-4-12`: the second and third groups of eight
    // straddle a dash).
    let hex = |at: usize| hex8([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    let (first, second, third, fourth) = (hex(0), hex(4), hex(8), hex(12));
    out[..8].copy_from_slice(&first);
    out[8] = b'-';
    out[9..13].copy_from_slice(&second[..4]);
    out[13] = b'-';
    out[14..18].copy_from_slice(&second[4..]);
    out[18] = b'-';
    out[19..23].copy_from_slice(&third[..4]);
    out[23] = b'-';
    out[24..28].copy_from_slice(&third[4..]);
    out[28..].copy_from_slice(&fourth);
}

/// Four bytes as eight lowercase hexadecimal digits, most significant nibble first, computed on all eight at once
/// (a request id is written on every request).
fn hex8(bytes: [u8; 4]) -> [u8; 8] {
    // Each nibble into a byte of its own: byte 7 (the most significant) holds the first byte's high nibble.
    let mut x = u64::from(u32::from_be_bytes(bytes));
    x = (x | (x << 16)) & 0x0000_ffff_0000_ffff;
    x = (x | (x << 8)) & 0x00ff_00ff_00ff_00ff;
    x = (x | (x << 4)) & 0x0f0f_0f0f_0f0f_0f0f;
    // '0' + nibble, and 'a' - '0' - 10 more for each nibble of 10 or more.
    let letters = ((x + 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101;
    (x + 0x3030_3030_3030_3030 + letters * 0x27).to_be_bytes()
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
        assert_eq!(
            Randomness::seeded(7).request_uuid(),
            Randomness::seeded(7).request_uuid()
        );
        let request = r.request_uuid();
        assert_ne!(request, r.request_uuid());
        assert_eq!((request.len(), &request[14..15]), (36, "4"));
    }

    #[test]
    fn eight_digits_at_once_are_the_digits_of_each_byte() {
        for v in 0..=255u8 {
            for bytes in [
                [v, 0, 0, 0],
                [0, v, 0xff, 0],
                [0x0f, 0xf0, v, v],
                [9, 10, 0xa9, v],
            ] {
                let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
                assert_eq!(hex8(bytes), expected.as_bytes(), "{bytes:?}");
            }
        }
    }

    #[test]
    fn uuid_text_is_the_usual_form() {
        assert_eq!(
            uuid_text([0xff; 16]),
            "ffffffff-ffff-4fff-bfff-ffffffffffff"
        );
        assert_eq!(
            uuid_text(*b"0123456789abcdef"),
            "30313233-3435-4637-b839-616263646566"
        );
    }
}

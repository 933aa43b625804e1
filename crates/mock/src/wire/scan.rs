//! Byte searches a word (eight bytes) at a time, for the text every request carries (a client id in the path,
//! a request id in the body): the classic "has a byte less than n" word tests, exact for whether one exists.

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);

/// Whether a byte of word `x` is less than `n` (`n` at most 128).
fn has_byte_below(x: u64, n: u8) -> bool {
    x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH != 0
}

/// Whether a byte of word `x` is `b`.
pub(crate) fn has_byte(x: u64, b: u8) -> bool {
    has_byte_below(x ^ (ONES * u64::from(b)), 1)
}

/// Whether any byte passes: `word` tests eight bytes at once (exactly as `byte` would test each), `byte` the
/// bytes left over.
pub(crate) fn any(bytes: &[u8], word: impl Fn(u64) -> bool, byte: impl Fn(u8) -> bool) -> bool {
    let mut words = bytes.chunks_exact(8);
    for chunk in &mut words {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        if word(u64::from_ne_bytes(eight)) {
            return true;
        }
    }
    words.remainder().iter().any(|&b| byte(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_tests_agree_with_byte_tests_for_every_byte_at_every_place() {
        for place in 0..8 {
            for value in 0..=255u8 {
                let mut eight = [b'a'; 8];
                eight[place] = value;
                let x = u64::from_ne_bytes(eight);
                assert_eq!(has_byte_below(x, 0x20), value < 0x20, "{value}");
                assert_eq!(has_byte(x, b'/'), value == b'/', "{value}");
                assert_eq!(has_byte(x, b'"'), value == b'"', "{value}");
            }
        }
        // Across words and the remainder.
        let text = b"0123456789abcdef012/";
        for len in 0..=text.len() {
            assert_eq!(
                any(&text[..len], |x| has_byte(x, b'/'), |b| b == b'/'),
                len == text.len()
            );
        }
    }
}

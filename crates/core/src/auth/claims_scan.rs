//! A fast path for reading the registered claims: a scanner for the flat claim sets real tokens carry (members
//! whose values are plain strings, whole numbers, literals or arrays of plain strings). It accepts a payload only
//! when serde_json would read it to exactly the same [`Registered`], and gives up (`None`) on anything else — an
//! escape, a nested object, a fraction, a duplicate registered claim, an error — leaving the payload to the
//! serde path, which stays the one authority on what is refused and why. About four times fewer instructions
//! than the serde path on a Stytch token's claims.

use std::borrow::Cow;

use super::claims::{Claim, Registered};

/// Whole numbers of up to this many digits are exact in an `f64`, as serde_json would give them.
const MAX_DIGITS: usize = 15;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit set in each byte of `word` (little-endian) below `n` (at most 0x80), exact up to and including
/// the lowest such byte (a borrow may mark bytes above it).
fn below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH
}

/// The bytes of `word` that end a plain string's scan: a quote, a backslash or a control character, exact up to
/// and including the lowest.
fn special_bytes(word: u64) -> u64 {
    below(word ^ (ONES * u64::from(b'"')), 1)
        | below(word ^ (ONES * u64::from(b'\\')), 1)
        | below(word, 0x20)
}

struct Scanner<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Skips JSON whitespace and returns the next byte, not consumed.
    fn next_token(&mut self) -> Option<u8> {
        let b = self.peek()?;
        if b > b' ' {
            return Some(b);
        }
        while let Some(b) = self.peek() {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(b);
            }
            self.at += 1;
        }
        None
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.next_token()? == byte).then(|| self.at += 1)
    }

    /// A string with no escape and no control character (the text is UTF-8 already), borrowed. Eight bytes at a
    /// time: the first byte that is a quote, a backslash or below 0x20 ends the scan.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let bytes = self.text.as_bytes();
        let mut words = bytes[start..].chunks_exact(8);
        for word in words.by_ref() {
            let special = special_bytes(u64::from_le_bytes(word.try_into().ok()?));
            if special != 0 {
                self.at += special.trailing_zeros() as usize / 8;
                return self.end_of_string(start);
            }
            self.at += 8;
        }
        while !matches!(*bytes.get(self.at)?, b'"' | b'\\' | 0..=0x1f) {
            self.at += 1;
        }
        self.end_of_string(start)
    }

    /// At the first special byte of a string: its end if it is the closing quote.
    fn end_of_string(&mut self, start: usize) -> Option<&'a str> {
        if self.text.as_bytes()[self.at] != b'"' {
            return None;
        }
        let s = &self.text[start..self.at];
        self.at += 1;
        Some(s)
    }

    /// A non-negative whole number without a leading zero, a fraction or an exponent.
    fn number(&mut self) -> Option<f64> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut value: u64 = 0;
        while let Some(&b) = bytes.get(self.at)
            && b.is_ascii_digit()
        {
            value = value * 10 + u64::from(b - b'0');
            self.at += 1;
            if self.at - start > MAX_DIGITS {
                return None;
            }
        }
        let digits = self.at - start;
        let leading_zero = digits > 1 && bytes[start] == b'0';
        if leading_zero || matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        Some(value as f64)
    }

    fn literal(&mut self, word: &str) -> Option<Claim<'a>> {
        let end = self.at + word.len();
        (self.text.as_bytes().get(self.at..end)? == word.as_bytes()).then(|| {
            self.at = end;
            Claim::Other
        })
    }

    /// A value of the kinds this path reads.
    fn value(&mut self) -> Option<Claim<'a>> {
        match self.next_token()? {
            b'"' => Some(Claim::Str(Cow::Borrowed(self.string()?))),
            b'0'..=b'9' => Some(Claim::Num(self.number()?)),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            b'[' => {
                self.at += 1;
                let mut strings = Vec::new();
                if self.next_token()? == b']' {
                    self.at += 1;
                    return Some(Claim::Strings(strings));
                }
                loop {
                    strings.push(Cow::Borrowed(self.string()?));
                    match self.next_token()? {
                        b',' => self.at += 1,
                        b']' => {
                            self.at += 1;
                            return Some(Claim::Strings(strings));
                        }
                        _ => return None,
                    }
                }
            }
            _ => None,
        }
    }
}

/// The registered claims: the fast path for a flat claim set, else serde_json (the same result where both read).
pub(crate) fn registered(payload: &str) -> Result<Registered<'_>, super::error::InvalidToken> {
    flat(payload).map_or_else(|| Registered::parse(payload), Ok)
}

/// The registered claims of a flat claim set, or `None` to leave it to the serde path.
pub(crate) fn flat(payload: &str) -> Option<Registered<'_>> {
    let mut scan = Scanner {
        text: payload,
        at: 0,
    };
    let mut claims = Registered::default();
    scan.eat(b'{')?;
    if scan.next_token()? == b'}' {
        scan.at += 1;
    } else {
        loop {
            let name = scan.string()?;
            scan.eat(b':')?;
            let value = scan.value()?;
            let slot = match name {
                "iss" => Some(&mut claims.iss),
                "sub" => Some(&mut claims.sub),
                "aud" => Some(&mut claims.aud),
                "scope" => Some(&mut claims.scope),
                "exp" => Some(&mut claims.exp),
                "nbf" => Some(&mut claims.nbf),
                "iat" => Some(&mut claims.iat),
                _ => None,
            };
            if let Some(slot) = slot {
                if slot.is_some() {
                    return None;
                }
                *slot = Some(value);
            }
            match scan.next_token()? {
                b',' => scan.at += 1,
                b'}' => {
                    scan.at += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    // Only whitespace may follow, as serde_json's `from_str` requires.
    scan.next_token().is_none().then_some(claims)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A Stytch access token's claims, as the emulator and Stytch write them.
    const STYTCH: &str = r#"{"aud":["project-test-6c20cd16-73d5-44f7-852c-9a7e7b2ccf62"],"client_id":"m2m-client-test-d731954d-dab3-4a2b-bdee-07f3ad545cd8","exp":1765152000,"iat":1765148400,"iss":"stytch.com/project-test-6c20cd16-73d5-44f7-852c-9a7e7b2ccf62","jti":"3c9bd2a5-2b0b-4c5e-9f6a-6d8e1c1a2b3c","nbf":1765148400,"scope":"read:users write:users","sub":"m2m-client-test-d731954d-dab3-4a2b-bdee-07f3ad545cd8"}"#;

    #[test]
    fn a_stytch_claim_set_takes_the_fast_path_and_reads_as_serde_does() {
        let fast = flat(STYTCH).expect("the fast path reads a Stytch claim set");
        assert_eq!(fast, Registered::parse(STYTCH).unwrap());
        assert_eq!(fast.exp, Some(Claim::Num(1_765_152_000.0)));
        assert!(matches!(&fast.aud, Some(Claim::Strings(a)) if a.len() == 1));
    }

    #[test]
    fn what_the_fast_path_leaves_to_serde() {
        for payload in [
            r#"{"sub":"a\"b"}"#,           // an escape
            r#"{"exp":1.5}"#,              // a fraction
            r#"{"exp":1e9}"#,              // an exponent
            r#"{"exp":-1}"#,               // a negative number
            r#"{"exp":0123}"#,             // a leading zero (refused by serde)
            r#"{"exp":1234567890123456}"#, // more digits than an f64 holds exactly
            r#"{"x":{"y":1}}"#,            // a nested object
            r#"{"aud":["a",1]}"#,          // an array that is not all strings
            r#"{"sub":"a","sub":"b"}"#,    // a duplicate registered claim (refused by serde)
            r#"{"sub":"a"} x"#,            // trailing text (refused by serde)
            r#"{"sub":"a",}"#,             // a trailing comma (refused by serde)
            "{\"sub\":\"a\u{1}\"}",        // a control character (refused by serde)
            r#"{"sub":truex}"#,            // a broken literal
            r#"["sub"]"#,                  // not an object
        ] {
            assert_eq!(flat(payload), None, "{payload}");
        }
    }

    /// Every byte at every place of a word: the lowest special byte is found exactly, whatever lies above it.
    #[test]
    fn special_bytes_finds_the_first_quote_backslash_or_control_character() {
        for byte in 0..=255u8 {
            let special = matches!(byte, b'"' | b'\\' | 0..=0x1f);
            for place in 0..8 {
                for above in [b'a', 0xff, 0x00, b'"'] {
                    let mut word = [b'a'; 8];
                    word[place] = byte;
                    word[place + 1..].fill(above);
                    let found = special_bytes(u64::from_le_bytes(word));
                    let lowest = (found != 0).then(|| found.trailing_zeros() as usize / 8);
                    let expected = if special {
                        Some(place)
                    } else if matches!(above, 0x00 | b'"') && place < 7 {
                        Some(place + 1)
                    } else {
                        None
                    };
                    assert_eq!(
                        lowest, expected,
                        "byte {byte:#04x} at {place}, {above:#04x} above"
                    );
                }
            }
        }
    }

    /// JSON-like text around claim sets: members of every kind the fast path reads and of kinds it leaves to
    /// serde, random whitespace, and random damage.
    pub(super) fn payload_strategy() -> impl Strategy<Value = String> {
        // Mostly what the fast path reads, with a share of each kind of text it must leave to serde.
        let clean = "\"[a-z :é\u{7f}]{0,24}\"";
        let string = prop_oneof![4 => clean, 1 => "\"[a-z\\\\\"\u{1}\u{1f}]{0,12}\""];
        let name = prop_oneof![
            Just("\"iss\"".to_owned()),
            Just("\"sub\"".to_owned()),
            Just("\"aud\"".to_owned()),
            Just("\"scope\"".to_owned()),
            Just("\"exp\"".to_owned()),
            Just("\"nbf\"".to_owned()),
            Just("\"iat\"".to_owned()),
            Just("\"jti\"".to_owned()),
            string.clone(),
        ];
        let value = prop_oneof![
            3 => string.clone(),
            3 => "[0-9]{1,16}",
            1 => "-?0[0-9]{0,2}",
            2 => "-?[0-9]{1,17}(\\.[0-9]{1,2})?([eE][+-]?[0-9]{1,2})?",
            1 => Just("true".to_owned()),
            1 => Just("false".to_owned()),
            1 => Just("null".to_owned()),
            2 => proptest::collection::vec(string, 0..3).prop_map(|v| format!("[{}]", v.join(","))),
            1 => Just("[1,\"a\"]".to_owned()),
            1 => Just("{\"a\":[1,{}]}".to_owned()),
        ];
        let ws = "[ \t\r\n]{0,2}";
        let member = (ws, name, ws, ws, value, ws)
            .prop_map(|(a, n, b, c, v, d)| format!("{a}{n}{b}:{c}{v}{d}"));
        (
            proptest::collection::vec(member, 0..6),
            ws,
            ws,
            proptest::option::weighted(0.2, any::<(usize, char)>()),
        )
            .prop_map(|(members, a, b, damage)| {
                let mut text = format!("{a}{{{}}}{b}", members.join(","));
                if let Some((at, c)) = damage {
                    let mut at = at % (text.len() + 1);
                    while !text.is_char_boundary(at) {
                        at -= 1;
                    }
                    text.insert(at, c);
                }
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn the_fast_path_reads_only_what_serde_reads_the_same(text in payload_strategy()) {
            if let Some(fast) = flat(&text) {
                prop_assert_eq!(Some(fast), Registered::parse(&text).ok(), "{}", text);
            }
        }
    }
}

#[cfg(test)]
mod coverage {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;

    /// The property above is not vacuous: many of the generated payloads take the fast path, and many do not.
    #[test]
    fn the_generated_payloads_reach_both_paths() {
        let mut runner = TestRunner::deterministic();
        let strategy = super::tests::payload_strategy();
        let fast = (0..1000)
            .filter(|_| super::flat(&strategy.new_tree(&mut runner).unwrap().current()).is_some())
            .count();
        assert!(
            (100..900).contains(&fast),
            "{fast} of 1000 took the fast path"
        );
    }
}

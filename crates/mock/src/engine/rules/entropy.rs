//! The emulator's entropy check of imported secrets (`x-secret-entropy` in the schema). Stytch requires "entropy"
//! of custom secrets but does not publish its rules: this is our documented guess, applied by the strict rules only.

/// Common passwords and words refused as the core of a secret.
const COMMON: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssword",
    "p@ssw0rd",
    "qwerty",
    "qwertyuiop",
    "asdfgh",
    "asdfghjkl",
    "zxcvbn",
    "letmein",
    "welcome",
    "admin",
    "administrator",
    "secret",
    "changeme",
    "iloveyou",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "master",
    "sunshine",
    "princess",
    "trustno1",
    "starwars",
    "login",
    "abc123",
    "default",
    "guest",
    "root",
    "test",
    "testing",
    "client",
    "clientsecret",
    "stytch",
];

/// Why a secret is too predictable, or `Ok`.
///
/// A secret is refused when:
/// 1. it has fewer than 5 distinct characters (`aaaaaaaa`, `abababab`);
/// 2. it is a run of consecutive characters, up or down (`12345678`, `abcdefgh`, `87654321`);
/// 3. it repeats a shorter pattern (`abcabcabc`, `12121212`);
/// 4. lower-cased, with leading and trailing digits and symbols removed, it is a common password or word
///    (`password1`, `Welcome2024!`, `!!secret!!`).
///
/// Generated secrets (44 random URL-safe characters) always pass.
pub(crate) fn check(secret: &str) -> Result<(), &'static str> {
    let chars: Vec<char> = secret.chars().collect();
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 5 {
        return Err("too predictable: use at least 5 different characters");
    }
    let steps: Vec<i64> = chars
        .windows(2)
        .map(|w| w[1] as i64 - w[0] as i64)
        .collect();
    if steps.iter().all(|&d| d == 1) || steps.iter().all(|&d| d == -1) {
        return Err("too predictable: a run of consecutive characters");
    }
    let n = chars.len();
    for period in 1..=n / 2 {
        if (period..n).all(|i| chars[i] == chars[i - period]) {
            return Err("too predictable: a repeated pattern");
        }
    }
    let core = secret
        .trim_matches(|c: char| !c.is_alphabetic())
        .to_lowercase();
    if COMMON.contains(&core.as_str()) || COMMON.contains(&secret.to_lowercase().as_str()) {
        return Err("too predictable: a common password");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn predictable_secrets_are_refused_and_random_ones_pass() {
        for weak in [
            "aaaaaaaa",
            "abababab",
            "12345678",
            "abcdefgh",
            "87654321",
            "abcabcabc",
            "password1",
            "Welcome2024!",
            "!!secret!!",
        ] {
            assert!(check(weak).is_err(), "{weak}");
        }
        for strong in [
            "x7Kp2QmZ",
            "correct-horse-battery-staple",
            "Zq8_v1Lr-3nW0pYt",
        ] {
            assert!(check(strong).is_ok(), "{strong}");
        }
    }
}

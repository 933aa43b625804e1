//! The constraint keywords of `schema/`: read by the pre-pass (which drops them from what typify sees) and by
//! the constraint generator (which turns them into checks).

/// The keywords this generator turns into checks (the emulator applies the same set, and `x-secret-entropy`).
pub const KEYWORDS: &[&str] = &[
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "maxProperties",
    "minimum",
    "maximum",
    "x-max-json-bytes",
    "x-secret-entropy",
];

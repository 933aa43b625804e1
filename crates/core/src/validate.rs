//! The rules a request must pass before it is sent. Each failure names the field and the rule.
//!
//! The same functions are the server-side rules of `stytch-m2m-mock` (and so of the emulator), which answers a
//! broken request with the [`ValidationError::error_type`] Stytch would use: client and server agree by construction.
//!
//! Where Stytch documents no bound, these are ours (see the constants):
//!
//! | field | rule |
//! |---|---|
//! | `scopes` (create) | at least one, at most [`MAX_SCOPES`] |
//! | each scope | non-empty, at most [`MAX_SCOPE_LEN`] characters, no whitespace or control characters (scopes are joined by spaces into the token's `scope` claim) |
//! | `client_id` (custom) | 1 to [`MAX_CLIENT_ID_LEN`] characters, no whitespace or control characters |
//! | `client_secret` (custom) | [`MIN_SECRET_LEN`] to [`MAX_SECRET_LEN`] characters and [`check_secret_strength`] |
//! | `client_name` | at most [`MAX_NAME_LEN`] characters, no control characters |
//! | `client_description` | at most [`MAX_DESCRIPTION_LEN`] characters |
//! | `trusted_metadata` | at most [`MAX_METADATA_KEYS`] top-level keys and [`MAX_METADATA_BYTES`] bytes as JSON |
//! | search `limit` | 0 to [`MAX_SEARCH_LIMIT`] |
//! | search operand | at least one value, each non-empty |
//! | every `client_id` argument | non-empty, no control characters |

use std::fmt;

use serde_json::{Map, Value};
use stytch_m2m_models::{CreateRequest, ErrorType, SearchRequest, UpdateRequest};

/// The most scopes one client may have.
pub const MAX_SCOPES: usize = 100;
/// The longest scope, in characters.
pub const MAX_SCOPE_LEN: usize = 128;
/// The longest custom `client_id`, in characters.
pub const MAX_CLIENT_ID_LEN: usize = 128;
/// The shortest custom secret (Stytch: "at least 8 characters").
pub const MIN_SECRET_LEN: usize = 8;
/// The longest custom secret, in characters (Stytch has a `client_secret_too_long` error).
pub const MAX_SECRET_LEN: usize = 256;
/// The longest `client_name`, in characters.
pub const MAX_NAME_LEN: usize = 256;
/// The longest `client_description`, in characters.
pub const MAX_DESCRIPTION_LEN: usize = 1024;
/// The most top-level keys of `trusted_metadata` (Stytch's metadata rules).
pub const MAX_METADATA_KEYS: usize = 20;
/// The largest `trusted_metadata`, serialized as compact JSON, in bytes (Stytch's metadata rules: 4 KB).
pub const MAX_METADATA_BYTES: usize = 4096;
/// The largest search page (Stytch: "a maximum of 1000 results").
pub const MAX_SEARCH_LIMIT: u32 = 1000;

/// A request refused before it was sent: which field, which rule, and the `error_type` Stytch would answer.
///
/// It never quotes the value (which may be a secret).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct ValidationError {
    /// The field, as a path into the request (`scopes[2]`, `trusted_metadata`, `query.operands[0].filter_value`).
    pub field: String,
    /// The rule it breaks, in words.
    pub rule: String,
    /// The `error_type` the server answers for this.
    pub error_type: ErrorType,
}

impl ValidationError {
    /// A refusal of `field` for breaking `rule`.
    pub fn new(field: impl Into<String>, rule: impl Into<String>, error_type: ErrorType) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
            error_type,
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid `{}`: {}", self.field, self.rule)
    }
}

type Result = std::result::Result<(), ValidationError>;

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Checks a create request.
pub fn create_request(req: &CreateRequest) -> Result {
    scopes(&req.scopes, true)?;
    if let Some(id) = &req.client_id {
        custom_client_id(id)?;
    }
    if let Some(secret) = &req.client_secret {
        client_secret("client_secret", secret.expose_secret())?;
    }
    name_and_description(
        req.client_name.as_deref(),
        req.client_description.as_deref(),
    )?;
    trusted_metadata(&req.trusted_metadata)
}

/// Checks an update request (and the `client_id` it is for).
pub fn update_request(client_id: &str, req: &UpdateRequest) -> Result {
    client_id_argument(client_id)?;
    if !req.scopes.is_empty() {
        scopes(&req.scopes, false)?;
    }
    name_and_description(
        req.client_name.as_deref(),
        req.client_description.as_deref(),
    )?;
    trusted_metadata(&req.trusted_metadata)
}

/// Checks a search request.
pub fn search_request(req: &SearchRequest) -> Result {
    if let Some(limit) = req.limit
        && limit > MAX_SEARCH_LIMIT
    {
        return Err(ValidationError::new(
            "limit",
            format!("must be from 0 to {MAX_SEARCH_LIMIT}"),
            ErrorType::BadRequest,
        ));
    }
    if let Some(query) = &req.query {
        for (i, operand) in query.operands.iter().enumerate() {
            let field = format!("query.operands[{i}].filter_value");
            if operand.filter_value.is_empty() {
                return Err(ValidationError::new(
                    field,
                    "must list at least one value",
                    ErrorType::M2mSearchMissingFilterValue,
                ));
            }
            if operand.filter_value.iter().any(String::is_empty) {
                return Err(ValidationError::new(
                    field,
                    "values must be non-empty strings",
                    ErrorType::M2mSearchExpectedArrayOfStrings,
                ));
            }
        }
    }
    Ok(())
}

/// Checks a `client_id` passed as an argument (get, update, delete, rotations).
pub fn client_id_argument(client_id: &str) -> Result {
    if client_id.is_empty() {
        return Err(ValidationError::new(
            "client_id",
            "must not be empty",
            ErrorType::M2mClientInvalidClientId,
        ));
    }
    if client_id.chars().any(char::is_control) {
        return Err(ValidationError::new(
            "client_id",
            "must not contain control characters",
            ErrorType::M2mClientInvalidClientId,
        ));
    }
    Ok(())
}

/// Checks a custom `client_id` given at creation.
pub fn custom_client_id(client_id: &str) -> Result {
    client_id_argument(client_id)?;
    if chars(client_id) > MAX_CLIENT_ID_LEN {
        return Err(ValidationError::new(
            "client_id",
            format!("must be at most {MAX_CLIENT_ID_LEN} characters"),
            ErrorType::M2mClientInvalidClientId,
        ));
    }
    if client_id.chars().any(char::is_whitespace) {
        return Err(ValidationError::new(
            "client_id",
            "must not contain whitespace",
            ErrorType::M2mClientInvalidClientId,
        ));
    }
    Ok(())
}

/// Checks a list of scopes; `required` refuses an empty list (create).
pub fn scopes(scopes: &[String], required: bool) -> Result {
    if required && scopes.is_empty() {
        return Err(ValidationError::new(
            "scopes",
            "at least one scope is required",
            ErrorType::InvalidM2mClientScope,
        ));
    }
    if scopes.len() > MAX_SCOPES {
        return Err(ValidationError::new(
            "scopes",
            format!("at most {MAX_SCOPES} scopes"),
            ErrorType::TooManyM2mClientScopes,
        ));
    }
    for (i, scope) in scopes.iter().enumerate() {
        let rule = if scope.is_empty() {
            Some("must not be empty".to_owned())
        } else if scope.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Some("must not contain whitespace (scopes are joined by spaces into the token's scope claim)".to_owned())
        } else if chars(scope) > MAX_SCOPE_LEN {
            Some(format!("must be at most {MAX_SCOPE_LEN} characters"))
        } else {
            None
        };
        if let Some(rule) = rule {
            return Err(ValidationError::new(
                format!("scopes[{i}]"),
                rule,
                ErrorType::InvalidM2mClientScope,
            ));
        }
    }
    Ok(())
}

fn name_and_description(name: Option<&str>, description: Option<&str>) -> Result {
    if let Some(name) = name
        && (chars(name) > MAX_NAME_LEN || name.chars().any(char::is_control))
    {
        return Err(ValidationError::new(
            "client_name",
            format!("must be at most {MAX_NAME_LEN} characters, without control characters"),
            ErrorType::M2mClientInvalidClientName,
        ));
    }
    if let Some(description) = description
        && chars(description) > MAX_DESCRIPTION_LEN
    {
        return Err(ValidationError::new(
            "client_description",
            format!("must be at most {MAX_DESCRIPTION_LEN} characters"),
            ErrorType::M2mClientInvalidClientDescription,
        ));
    }
    Ok(())
}

/// Checks `trusted_metadata`: at most [`MAX_METADATA_KEYS`] top-level keys and [`MAX_METADATA_BYTES`] bytes.
pub fn trusted_metadata(metadata: &Map<String, Value>) -> Result {
    if metadata.len() > MAX_METADATA_KEYS {
        return Err(ValidationError::new(
            "trusted_metadata",
            format!("at most {MAX_METADATA_KEYS} top-level keys"),
            ErrorType::MetadataTooManyKeys,
        ));
    }
    let size = serde_json::to_vec(metadata)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size > MAX_METADATA_BYTES {
        return Err(ValidationError::new(
            "trusted_metadata",
            format!("at most {MAX_METADATA_BYTES} bytes as JSON"),
            ErrorType::MetadataTooLarge,
        ));
    }
    Ok(())
}

/// Checks a custom secret: its length, then [`check_secret_strength`].
pub fn client_secret(field: &str, secret: &str) -> Result {
    let n = chars(secret);
    if n < MIN_SECRET_LEN {
        return Err(ValidationError::new(
            field,
            format!("must be at least {MIN_SECRET_LEN} characters"),
            ErrorType::M2mClientInvalidClientSecret,
        ));
    }
    if n > MAX_SECRET_LEN {
        return Err(ValidationError::new(
            field,
            format!("must be at most {MAX_SECRET_LEN} characters"),
            ErrorType::ClientSecretTooLong,
        ));
    }
    check_secret_strength(secret)
        .map_err(|rule| ValidationError::new(field, rule, ErrorType::InsecureM2mClientSecret))
}

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

/// The entropy check of custom secrets (Stytch requires one but does not publish it; this is ours).
///
/// A secret is refused when:
/// 1. it has fewer than 5 distinct characters (`aaaaaaaa`, `abababab`);
/// 2. it is a run of consecutive characters, up or down (`12345678`, `abcdefgh`, `87654321`);
/// 3. it repeats a shorter pattern (`abcabcabc`, `12121212`);
/// 4. lower-cased, with leading and trailing digits and symbols removed, it is a common password or word
///    (`password1`, `Welcome2024!`, `!!secret!!`).
///
/// Generated secrets (44 random URL-safe characters) always pass.
///
/// ```
/// use stytch_m2m_core::validate::check_secret_strength;
///
/// assert!(check_secret_strength("aaaaaaaa").is_err());
/// assert!(check_secret_strength("12345678").is_err());
/// assert!(check_secret_strength("password1").is_err());
/// assert!(check_secret_strength("x7Kp2QmZ").is_ok());
/// ```
pub fn check_secret_strength(secret: &str) -> std::result::Result<(), &'static str> {
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

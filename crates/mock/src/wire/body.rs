//! Reading request bodies: every variant the official SDKs send is accepted (reference section 3.3) and nothing
//! else: `null` members as absent, `client_id` repeated in the body, no body where SDKs send none (get, delete),
//! form or JSON token requests, credentials in the body or in Basic auth. A body that is not a JSON object where
//! one is expected (an array, a string, `null`, bytes that are not JSON, or nothing where every SDK sends an
//! object) is a 400.

use std::borrow::Cow;

use base64::Engine as _;
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use stytch_m2m_core::models::ErrorType;
use stytch_m2m_core::models::{
    SearchFilterName, SearchOperand, SearchOperator, SearchQuery, SearchRequest,
};
use stytch_m2m_core::transport::HttpRequest;

use crate::engine::Failure;

/// What a route takes as its body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// A JSON object (create, update, search, the three rotation calls: every SDK sends one).
    Object,
    /// No body, or a JSON object that is ignored (get and delete: some SDKs send `{}` or `{"client_id": …}`).
    NothingOrObject,
}

/// The body as a JSON object (no body is `{}` where [`Expect::NothingOrObject`]); top-level `null` members are
/// dropped (absent: the official Rust SDK sends every unset field as `null`).
pub fn json_object(body: &[u8], expect: Expect) -> Result<Map<String, Value>, Failure> {
    let not_an_object = || Failure::bad_request("The request body must be a JSON object.");
    if body.iter().all(u8::is_ascii_whitespace) {
        return match expect {
            Expect::NothingOrObject => Ok(Map::new()),
            Expect::Object => Err(not_an_object()),
        };
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut map)) => {
            map.retain(|_, v| !v.is_null());
            Ok(map)
        }
        Ok(_) => Err(not_an_object()),
        Err(e) => Err(Failure::bad_request(format!(
            "The request body is not valid JSON: {e}."
        ))),
    }
}

/// A JSON body read into a request model.
pub fn model<T: DeserializeOwned>(
    mut object: Map<String, Value>,
    ignore: &[&str],
) -> Result<T, Failure> {
    for key in ignore {
        object.remove(*key);
    }
    serde_json::from_value(Value::Object(object)).map_err(|e| {
        Failure::bad_request(format!(
            "The request body is invalid: {}.",
            without_values(&e.to_string())
        ))
    })
}

/// A serde message without the values it quotes between backticks (`invalid type: integer `1234`, expected a
/// string` -> `invalid type: integer, expected a string`): a value may be a secret sent in the wrong type.
fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '`' => quoted = !quoted,
            _ if quoted => {}
            c => out.push(c),
        }
    }
    out.replace(" ,", ",").replace("  ", " ")
}

fn search_error(error_type: ErrorType, message: &str) -> Failure {
    Failure::new(400, error_type, message)
}

/// A search body, with Stytch's specific errors for malformed operands.
pub fn search(object: Map<String, Value>) -> Result<SearchRequest, Failure> {
    let mut object = object;
    let query = object.remove("query");
    let mut request: SearchRequest = model(object, &[])?;
    let Some(query) = query else {
        return Ok(request);
    };
    let Value::Object(query) = query else {
        return Err(Failure::bad_request("`query` must be an object."));
    };
    // Both members are required and the operator is exact (the schema's `SearchQuery`; every SDK sends both).
    let operator = match query.get("operator") {
        Some(Value::String(s)) if s == "AND" => SearchOperator::And,
        Some(Value::String(s)) if s == "OR" => SearchOperator::Or,
        _ => return Err(Failure::bad_request("`query.operator` must be AND or OR.")),
    };
    let mut operands = Vec::new();
    match query.get("operands") {
        None | Some(Value::Null) => {
            return Err(Failure::bad_request("`query.operands` must be an array."));
        }
        Some(Value::Array(items)) => {
            for item in items {
                let Value::Object(item) = item else {
                    return Err(Failure::bad_request("Each operand must be an object."));
                };
                let name = match item.get("filter_name") {
                    None | Some(Value::Null) => {
                        return Err(search_error(
                            ErrorType::M2mSearchMissingFilterName,
                            "An operand has no filter_name.",
                        ));
                    }
                    Some(Value::String(s)) => s,
                    Some(_) => {
                        return Err(search_error(
                            ErrorType::M2mSearchFilterNameMustBeString,
                            "filter_name must be a string.",
                        ));
                    }
                };
                let filter_name = match name.as_str() {
                    "client_id" => SearchFilterName::ClientId,
                    "client_name" => SearchFilterName::ClientName,
                    "scopes" => SearchFilterName::Scopes,
                    _ => {
                        return Err(search_error(
                            ErrorType::M2mSearchFilterNameNotRecognized,
                            "filter_name must be client_id, client_name or scopes.",
                        ));
                    }
                };
                let filter_value = match item.get("filter_value") {
                    None | Some(Value::Null) => {
                        return Err(search_error(
                            ErrorType::M2mSearchMissingFilterValue,
                            "An operand has no filter_value.",
                        ));
                    }
                    Some(Value::Array(values)) => values
                        .iter()
                        .map(|v| v.as_str().map(str::to_owned))
                        .collect::<Option<Vec<String>>>()
                        .ok_or_else(|| {
                            search_error(
                                ErrorType::M2mSearchExpectedArrayOfStrings,
                                "filter_value must be an array of strings.",
                            )
                        })?,
                    Some(_) => {
                        return Err(search_error(
                            ErrorType::M2mSearchExpectedArrayOfStrings,
                            "filter_value must be an array of strings.",
                        ));
                    }
                };
                operands.push(SearchOperand::new(filter_name, filter_value));
            }
        }
        Some(_) => return Err(Failure::bad_request("`query.operands` must be an array.")),
    }
    request.query = Some(SearchQuery::new(operator, operands));
    Ok(request)
}

/// The (user, password) of an `Authorization: Basic` header, if there is a well-formed one.
pub fn basic_auth(request: &HttpRequest) -> Option<(String, String)> {
    with_basic_auth(request, |user, password| {
        (user.to_owned(), password.to_owned())
    })
}

/// Hands the user and password of a Basic `Authorization` header to `check`, decoded on the stack when short
/// (every project's credentials are): no allocation on the path every management request takes.
pub fn with_basic_auth<R>(request: &HttpRequest, check: impl FnOnce(&str, &str) -> R) -> Option<R> {
    let value = request.headers.get("authorization")?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let encoded = encoded.trim();
    let mut buffer = [0u8; 512];
    let decoded: Cow<'_, [u8]> =
        match base64::engine::general_purpose::STANDARD.decode_slice(encoded, &mut buffer) {
            Ok(length) => Cow::Borrowed(&buffer[..length]),
            Err(base64::DecodeSliceError::OutputSliceTooSmall) => Cow::Owned(
                base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .ok()?,
            ),
            Err(base64::DecodeSliceError::DecodeError(_)) => return None,
        };
    let text = std::str::from_utf8(&decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some(check(user, password))
}

/// A token request, whatever its encoding.
#[derive(Debug, Default)]
pub struct TokenBody {
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub scopes: Option<Vec<String>>,
    /// Every other parameter (what a JWT template reads as `{{ request.x }}`).
    pub params: Map<String, Value>,
}

fn oauth_invalid_request(message: &str) -> Failure {
    Failure::new(400, ErrorType::InvalidRequest, message)
}

/// Reads a token request: form-encoded (node, go, .NET), JSON (python, ruby, rust's `scopes` array), or JSON
/// labelled as form (java); client credentials from the body or from Basic auth (form-decoded, RFC 6749 2.3.1).
pub fn token(request: &HttpRequest) -> Result<TokenBody, Failure> {
    let body = &request.body;
    let looks_json = request
        .headers
        .get("content-type")
        .is_some_and(|c| c.contains("json"))
        || body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let mut out = TokenBody::default();
    if looks_json {
        let object =
            json_object(body, Expect::Object).map_err(|f| oauth_invalid_request(&f.message))?;
        let text = |key: &str| -> Result<Option<String>, Failure> {
            match object.get(key) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(oauth_invalid_request(&format!("`{key}` must be a string."))),
            }
        };
        out.params = object
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "grant_type" | "client_id" | "client_secret" | "scope" | "scopes"
                )
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.grant_type = text("grant_type")?;
        out.client_id = text("client_id")?;
        out.client_secret = text("client_secret")?;
        out.scopes = match (text("scope")?, object.get("scopes")) {
            (Some(scope), _) => Some(split_scope(&scope)),
            (None, Some(Value::Array(items))) => Some(
                items
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| {
                        oauth_invalid_request("`scopes` must be an array of strings.")
                    })?,
            ),
            (None, None) => None,
            (None, Some(_)) => {
                return Err(oauth_invalid_request(
                    "`scopes` must be an array of strings.",
                ));
            }
        };
    } else {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
            .map_err(|_| oauth_invalid_request("The form body is malformed."))?;
        for (key, value) in pairs {
            match key.as_str() {
                "grant_type" => out.grant_type = Some(value),
                "client_id" => out.client_id = Some(value),
                "client_secret" => out.client_secret = Some(value),
                "scope" => out.scopes = Some(split_scope(&value)),
                _ => {
                    out.params.insert(key, Value::String(value));
                }
            }
        }
    }
    if (out.client_id.is_none() || out.client_secret.is_none())
        && let Some((user, password)) = basic_auth(request)
    {
        let decode = |s: &str| {
            percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        out.client_id.get_or_insert_with(|| decode(&user));
        out.client_secret.get_or_insert_with(|| decode(&password));
    }
    Ok(out)
}

fn split_scope(scope: &str) -> Vec<String> {
    scope.split_whitespace().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_echo_the_values_sent() {
        let mut object = Map::new();
        object.insert("scopes".into(), serde_json::json!(["read:users"]));
        object.insert(
            "client_secret".into(),
            serde_json::json!(98_765_432_123_u64),
        );
        let failure = model::<stytch_m2m_core::models::CreateRequest>(object, &[]).unwrap_err();
        assert!(
            !failure.message.contains("98765432123"),
            "{}",
            failure.message
        );
        assert!(failure.message.contains("expected"), "{}", failure.message);
    }
}

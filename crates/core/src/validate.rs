//! What the client checks before sending: Stytch's rules only, so that the client accepts everything Stytch would.
//!
//! The rules of request bodies are stated in `schema/m2m.schema.json` and generated into each request type's
//! `validate()` (see [`stytch_m2m_models::constraints`]); the emulator's own guesses where Stytch is silent (lengths,
//! the number of scopes, a secret's entropy) are marked `x-emulator-policy` there and never applied here. This
//! module adds the checks of what is not a body: the path's client id and the token call's scopes, both forced by
//! the wire.

use stytch_m2m_models::ErrorType;
use stytch_m2m_models::constraints::Pattern;

pub use stytch_m2m_models::ValidationError;

type Result = std::result::Result<(), ValidationError>;

/// A client id given as a path argument must not be empty: `/v1/m2m/clients/` names another route (and with
/// `/secrets/rotate` after it, no client at all).
pub(crate) fn client_id_argument(client_id: &str) -> Result {
    if client_id.is_empty() {
        return Err(ValidationError::new(
            "client_id",
            "must not be empty",
            ErrorType::M2mClientInvalidClientId,
        ));
    }
    Ok(())
}

/// The scopes of a token call are joined by single spaces into the form's `scope`: one that is empty or holds
/// whitespace would change what is asked for, so each is checked before joining (the same rule as a client's
/// scopes in the schema).
pub(crate) fn token_scopes(scopes: &[String]) -> Result {
    for (i, scope) in scopes.iter().enumerate() {
        Pattern::NoWhitespace.check(scope, || format!("scopes[{i}]"), ErrorType::InvalidScope)?;
    }
    Ok(())
}

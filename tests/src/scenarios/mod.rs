//! The scenarios. Each takes a fresh [`Target`] and asserts what real Stytch does.

use futures_util::TryStreamExt as _;
use serde_json::{Map, Value, json};
use stytch_m2m_core::Error;
use stytch_m2m_core::models::ErrorType;
use stytch_m2m_core::models::*;
use stytch_m2m_core::transport::Method;

use crate::Target;

fn metadata(value: Value) -> Map<String, Value> {
    value.as_object().cloned().expect("an object")
}

/// Creates a client with these scopes (and nothing else) and returns it with its secret.
async fn create_with_scopes(
    c: &stytch_m2m_core::Client,
    scopes: &[&str],
) -> M2mClientWithClientSecret {
    c.clients()
        .create(CreateRequest::new(scopes.iter().copied()))
        .await
        .unwrap()
        .m2m_client
}

fn api_error(result: Result<impl std::fmt::Debug, Error>) -> (u16, ErrorType) {
    match result {
        Err(Error::Api(e)) => (e.status, e.error_type.clone().expect("error_type present")),
        other => panic!("expected an API error, got {other:?}"),
    }
}

mod clients;
mod errors;
mod lifecycle;
mod sdk_variants;
mod tokens;

pub use clients::*;
pub use errors::*;
pub use lifecycle::*;
pub use sdk_variants::*;
pub use tokens::*;

//! Decoding a response: the success body into its model, anything else into an [`ApiError`].

use serde::de::DeserializeOwned;

use crate::error::{ApiError, DecodeError, Error};
use crate::transport::HttpResponse;
use crate::wire::retry_after;

/// Decodes a response: 2xx into `T`, anything else into [`ApiError`]; a body that fits neither is a
/// [`DecodeError`]. Never panics, whatever the bytes.
pub(crate) fn decode<T: DeserializeOwned>(response: HttpResponse) -> Result<T, Error> {
    let status = response.status;
    if (200..300).contains(&status) {
        let value = serde_json::from_slice::<T>(&response.body)
            .map_err(|e| DecodeError::new(status, &response.body, e))?;
        // The body is read a second time for the id only when someone listens to the span.
        let span = tracing::Span::current();
        if !span.is_disabled()
            && let Some(id) = request_id_of(&response.body)
        {
            span.record("stytch.request_id", id.as_str());
        }
        return Ok(value);
    }
    match ApiError::from_response(&response, retry_after(&response)) {
        Ok(api) => {
            if let Some(id) = &api.request_id {
                tracing::Span::current().record("stytch.request_id", id.as_str());
            }
            Err(api.into())
        }
        Err(source) => Err(DecodeError::new(status, &response.body, source).into()),
    }
}

pub(crate) fn request_id_of(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct RequestId {
        request_id: Option<String>,
    }
    serde_json::from_slice::<RequestId>(body).ok()?.request_id
}

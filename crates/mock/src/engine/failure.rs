//! [`Failure`]: an error the engine answers, before it is put in Stytch's wire shape.

use stytch_m2m_core::ValidationError;
use stytch_m2m_core::models::ErrorType;

/// An error answer: HTTP status, `error_type` and message.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The HTTP status.
    pub status: u16,
    /// The `error_type` (or OAuth2 `error`).
    pub error_type: ErrorType,
    /// The `error_message` (or OAuth2 `error_description`).
    pub message: String,
}

impl Failure {
    /// A failure with this status, type and message.
    pub fn new(status: u16, error_type: ErrorType, message: impl Into<String>) -> Self {
        Self {
            status,
            error_type,
            message: message.into(),
        }
    }

    /// 404 `m2m_client_not_found`, with Stytch's message.
    pub fn not_found() -> Self {
        Self::new(
            404,
            ErrorType::M2mClientNotFound,
            "The m2m client requested could not be found.",
        )
    }

    /// 404 `route_not_found`.
    pub fn route_not_found() -> Self {
        Self::new(
            404,
            ErrorType::RouteNotFound,
            "The requested route was not found.",
        )
    }

    /// 405 `method_not_allowed`.
    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            ErrorType::MethodNotAllowed,
            "The HTTP method is not allowed on this route.",
        )
    }

    /// 401 `unauthorized_credentials`, with Stytch's message.
    pub fn unauthorized() -> Self {
        Self::new(
            401,
            ErrorType::UnauthorizedCredentials,
            "Unauthorized credentials.",
        )
    }

    /// 400 `bad_request` with a message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, ErrorType::BadRequest, message)
    }
}

impl From<ValidationError> for Failure {
    fn from(e: ValidationError) -> Self {
        Self::new(400, e.error_type.clone(), e.to_string())
    }
}

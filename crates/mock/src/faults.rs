//! Fault injection: the next N requests to a route answer with a given status and body, a transport error, or
//! after a delay.

use std::time::Duration;

use stytch_m2m_core::{ErrorType, HttpResponse, TransportErrorKind};

use crate::engine::Failure;
use crate::wire::{self, Route};

/// What an injected fault does to a request.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Fault {
    /// Answer this response instead of the engine's (the request has no effect).
    Respond(HttpResponse),
    /// Fail with a transport error of this kind (the request has no effect).
    Transport(TransportErrorKind),
    /// Wait this long (on tokio's clock), then answer normally.
    Delay(Duration),
}

impl Fault {
    /// An error of this status in Stytch's wire shape (`too_many_requests` for 429, `internal_server_error` for
    /// 5xx, `bad_request` otherwise).
    pub fn status(status: u16) -> Self {
        let (error_type, message) = match status {
            429 => (
                ErrorType::TooManyRequests,
                "Too many requests have been made.",
            ),
            500..=599 => (
                ErrorType::InternalServerError,
                "Oops, something seems to have gone wrong, please reach out to support@stytch.com to let us know what went wrong.",
            ),
            _ => (ErrorType::BadRequest, "The submitted request is invalid."),
        };
        let id = "request-id-test-00000000-0000-4000-8000-000000000000";
        Fault::Respond(wire::error(
            id,
            false,
            &Failure::new(status, error_type, message),
        ))
    }

    /// A 429 `too_many_requests` with `Retry-After` (whole seconds).
    pub fn throttled(retry_after: Duration) -> Self {
        match Fault::status(429) {
            Fault::Respond(r) => {
                Fault::Respond(r.with_header("retry-after", retry_after.as_secs().to_string()))
            }
            other => other,
        }
    }
}

/// One armed fault.
#[derive(Debug)]
pub(crate) struct FaultRule {
    pub route: Option<Route>,
    pub remaining: u32,
    pub fault: Fault,
}

/// Takes the fault for `route`, if one is armed (first armed first), counting it down.
pub(crate) fn take(rules: &mut Vec<FaultRule>, route: Option<Route>) -> Option<Fault> {
    let index = rules
        .iter()
        .position(|r| r.route.is_none() || r.route == route)?;
    let rule = &mut rules[index];
    rule.remaining -= 1;
    let fault = rule.fault.clone();
    if rule.remaining == 0 {
        rules.remove(index);
    }
    Some(fault)
}

//! Refusals reported: in the log, never flooded (each at `debug` with its reason, at `warn` at most once per reason
//! per minute, a misconfigured verifier at `error` at most once per minute), and, with the `metrics` feature, in
//! `stytch_m2m_middleware_refusals_total{status, protocol}`.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use stytch_m2m_core::auth::{AuthError, InvalidToken};

use super::Refusal;

/// The shortest time between two `warn` lines of one reason (and between two `error` lines of a misconfiguration).
pub(crate) const WARN_INTERVAL: Duration = Duration::from_secs(60);

/// The reasons a request is refused for: a small fixed set (the log's and the metrics' vocabulary).
const REASONS: [&str; 14] = [
    "missing_credentials",
    "invalid_request",
    "malformed",
    "signature",
    "expired",
    "not_yet_valid",
    "issuer",
    "audience",
    "unknown_key",
    "too_old",
    "invalid_token",
    "missing_scopes",
    "keys_unavailable",
    "misconfigured",
];

/// When each reason was last logged at `warn`, in milliseconds since the first refusal of the process (0: never).
static WARNED_AT: [AtomicU64; REASONS.len()] = [const { AtomicU64::new(0) }; REASONS.len()];

/// The reason of a refusal, as an index into [`REASONS`].
fn reason(refusal: &Refusal) -> usize {
    match refusal {
        Refusal::MissingCredentials => 0,
        Refusal::InvalidRequest(_) => 1,
        Refusal::InvalidToken(AuthError::Invalid(cause)) => match cause {
            InvalidToken::Signature => 3,
            InvalidToken::Expired => 4,
            InvalidToken::NotYetValid => 5,
            InvalidToken::Issuer => 6,
            InvalidToken::Audience => 7,
            InvalidToken::UnknownKey(_) => 8,
            _ => 2,
        },
        Refusal::InvalidToken(AuthError::TooOld { .. }) => 9,
        Refusal::InvalidToken(_) => 10,
        Refusal::InsufficientScope { .. } => 11,
        Refusal::KeysUnavailable(AuthError::JwksUnavailable(e)) if e.is_misconfiguration() => 13,
        Refusal::KeysUnavailable(_) => 12,
    }
}

/// When a misconfigured verifier (its JWKS URL answers 4xx) was last logged at `error`.
static MISCONFIGURATION_LOGGED_AT: AtomicU64 = AtomicU64::new(0);

/// Whether a line limited by `slot` is due: at most once per [`WARN_INTERVAL`], whichever thread sees it first.
fn due(slot: &AtomicU64) -> bool {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(Instant::now);
    let now = u64::try_from(start.elapsed().as_millis())
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let last = slot.load(Ordering::Relaxed);
    let interval = u64::try_from(WARN_INTERVAL.as_millis()).unwrap_or(u64::MAX);
    (last == 0 || now.saturating_sub(last) >= interval)
        && slot
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
}

/// Logs a refusal: at `debug` always, at `warn` when its reason was not warned about in the last minute. Never
/// the token.
pub(crate) fn refusal(refusal: &Refusal, grpc: bool) {
    if let Refusal::KeysUnavailable(AuthError::JwksUnavailable(e)) = refusal
        && e.is_misconfiguration()
        && due(&MISCONFIGURATION_LOGGED_AT)
    {
        tracing::error!(
            target: "stytch_m2m_tower",
            error = %e,
            "tokens cannot be checked: the verifier's JWKS URL refused the request (a wrong project id, base URL \
             or project kind); every request is answered 503 until it is fixed"
        );
    }
    #[cfg(feature = "metrics")]
    metrics::counter!(
        "stytch_m2m_middleware_refusals_total",
        "status" => status_label(refusal.status()),
        "protocol" => if grpc { "grpc" } else { "http" },
    )
    .increment(1);
    let reason = reason(refusal);
    tracing::debug!(
        target: "stytch_m2m_tower",
        status = refusal.status().as_u16(),
        grpc,
        reason = REASONS[reason],
        cause = %refusal.description(),
        client_id = refusal.client_id(),
        "refused a request"
    );
    if due(&WARNED_AT[reason]) {
        tracing::warn!(
            target: "stytch_m2m_tower",
            status = refusal.status().as_u16(),
            reason = REASONS[reason],
            cause = %refusal.description(),
            "refusing requests for this reason (further ones are logged at debug for a minute)"
        );
    }
}

/// The label of a refusal's HTTP status: one of a fixed set.
#[cfg(feature = "metrics")]
fn status_label(status: http::StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "400",
        401 => "401",
        403 => "403",
        503 => "503",
        _ => "other",
    }
}

//! Refusals in the log, never flooded: each at `debug` with its reason, and at `warn` at most once per reason
//! per minute, so that a flood of forged tokens leaves a bounded log.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use stytch_m2m_core::auth::{AuthError, InvalidToken};

use super::Refusal;

/// The shortest time between two `warn` lines of one reason.
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

/// Whether this reason's `warn` line is due (once per [`WARN_INTERVAL`], whichever thread sees it first).
fn warn_due(reason: usize) -> bool {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(Instant::now);
    let now = u64::try_from(start.elapsed().as_millis())
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let slot = &WARNED_AT[reason];
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
    if warn_due(reason) {
        tracing::warn!(
            target: "stytch_m2m_tower",
            status = refusal.status().as_u16(),
            reason = REASONS[reason],
            cause = %refusal.description(),
            "refusing requests for this reason (further ones are logged at debug for a minute)"
        );
    }
}

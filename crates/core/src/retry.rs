//! The retry loop of one call: attempts with their timers, `Retry-After`, backoff, and the overall deadline.

use std::time::Duration;

use tracing::Instrument as _;

use crate::client::{Call, Client};
use crate::error::RETRYABLE_STATUSES;
use crate::transport::{HttpResponse, TransportError, TransportErrorKind};
use crate::wire::retry_after;

impl Client {
    /// The retry loop. One timer per attempt: the attempt's own limit or the overall deadline, whichever comes
    /// first (the overall limit also cuts the waits between attempts).
    pub(crate) async fn attempts(
        &self,
        call: &Call,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<HttpResponse, TransportError> {
        let idempotent = call.idempotent;
        let retry = &self.inner.retry;
        let overall_timeout = || {
            let limit = self.inner.timeouts.overall.unwrap_or_default();
            TransportError::new(
                TransportErrorKind::Timeout,
                format!("the call timed out after {limit:?} (overall limit)"),
            )
        };
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if attempt > 1 {
                crate::metrics::client_retry(call.operation);
            }
            let last = attempt >= retry.max_attempts;
            // One span per attempt, beside (not inside) the previous one's.
            let span = tracing::debug_span!("attempt", attempt);
            let started = std::time::Instant::now();
            // Encoded for each attempt (the body is shared, not copied): the first attempt pays no clone.
            let sent = self
                .inner
                .transport
                .send(self.encode(call))
                .instrument(span.clone());
            let own =
                self.inner.timeouts.attempt.and_then(|limit| {
                    Some((tokio::time::Instant::now().checked_add(limit)?, limit))
                });
            // (when the timer fires, whether it is the overall deadline)
            let timer = match (own, deadline) {
                (Some((at, _)), Some(d)) if d <= at => Some((d, None)),
                (Some((at, limit)), _) => Some((at, Some(limit))),
                (None, Some(d)) => Some((d, None)),
                (None, None) => None,
            };
            let outcome = match timer {
                None => sent.await,
                Some((at, limit)) => tokio::time::timeout_at(at, sent).await.unwrap_or_else(|_| {
                    Err(match limit {
                        Some(limit) => TransportError::new(
                            TransportErrorKind::Timeout,
                            format!("attempt {attempt} timed out after {limit:?}"),
                        ),
                        None => overall_timeout(),
                    })
                }),
            };
            span.in_scope(|| log_attempt(call, &outcome, started.elapsed()));
            let (retryable, retry_after) = match &outcome {
                Ok(response) => (
                    idempotent && RETRYABLE_STATUSES.contains(&response.status),
                    retry_after(response),
                ),
                Err(e) => (e.is_retryable() && (idempotent || e.is_unsent()), None),
            };
            if !retryable || last {
                return outcome;
            }
            // A `Retry-After` past the cap, or past what remains of the overall limit, ends the call now with the
            // server's answer (and its request id) rather than a sleep that ends in a timeout.
            if retry_after.is_some_and(|wait| {
                wait > retry.max_retry_after
                    || deadline.is_some_and(|d| {
                        tokio::time::Instant::now()
                            .checked_add(wait)
                            .is_none_or(|at| at >= d)
                    })
            }) {
                return outcome;
            }
            let wait = retry_after.unwrap_or_else(|| retry.backoff(attempt, fastrand::f64()));
            match &outcome {
                Ok(r) => tracing::debug!(status = r.status, ?wait, "retrying"),
                Err(e) => tracing::debug!(error = %e, ?wait, "retrying"),
            }
            // A wait too long to represent (limits set to `Duration::MAX`) is capped, never a panic.
            let now = tokio::time::Instant::now();
            let wake = now
                .checked_add(wait)
                .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 86_400));
            match deadline {
                Some(d) if d <= wake => {
                    tokio::time::sleep_until(d).await;
                    return Err(overall_timeout());
                }
                _ => tokio::time::sleep_until(wake).await,
            }
        }
    }
}

/// One attempt at debug: method, path (never a query, which could carry a secret), status or error, duration,
/// and Stytch's `request_id`. The body is read for the id only when debug events are wanted.
fn log_attempt(call: &Call, outcome: &Result<HttpResponse, TransportError>, took: Duration) {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let path = call.path.split(['?', '#']).next().unwrap_or_default();
    let duration_ms = took.as_secs_f64() * 1000.0;
    match outcome {
        Ok(response) => {
            let request_id = crate::decode::request_id_of(&response.body);
            tracing::debug!(
                method = call.method.as_str(),
                path,
                status = response.status,
                duration_ms,
                request_id = request_id.as_deref(),
                "response"
            );
        }
        Err(error) => tracing::debug!(
            method = call.method.as_str(),
            path,
            error = %error,
            duration_ms,
            "no response"
        ),
    }
}

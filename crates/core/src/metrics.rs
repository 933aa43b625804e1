//! Metrics through the [`metrics`](https://docs.rs/metrics) facade (feature `metrics`): the SDK records, the
//! application installs a recorder (an exporter) of its choosing. Every name starts with `stytch_m2m_` and carries
//! its unit; every label value comes from a small fixed set (never a client id, a token, a URL or error text).
//! Without the feature, every function here is empty and compiles to nothing.
//!
//! | name | type | labels | what |
//! |---|---|---|---|
//! | `stytch_m2m_token_checks_total` | counter | `outcome` | token checks: `valid`, `malformed`, `signature`, `expired`, `not_yet_valid`, `issuer`, `audience`, `unknown_key`, `too_old`, `missing_scopes`, `keys_unavailable` |
//! | `stytch_m2m_token_check_duration_seconds` | histogram | – | how long a token's verification took: parsing, its keys (a JWKS fetch it waited for included) and the signature; a check answered from the verified-token cache (~0.1 µs) is counted but not timed |
//! | `stytch_m2m_jwks_fetches_total` | counter | `outcome` | JWKS fetches: `ok`, `error` (an outage), `refused` (a 4xx: a misconfiguration) |
//! | `stytch_m2m_jwks_keys` | gauge | – | usable keys in the last fetched set |
//! | `stytch_m2m_jwks_last_success_timestamp_seconds` | gauge | – | Unix time of the last successful fetch (the set's age is `time() -` it) |
//! | `stytch_m2m_token_exchanges_total` | counter | `outcome` | a provider's exchanges: `ok`, `error` |
//! | `stytch_m2m_token_provider_cache_hits_total` | counter | – | tokens served from a provider's cache |
//! | `stytch_m2m_token_provider_refreshes_total` | counter | `kind` | refreshes started `ahead` of expiry, or `forced` by a downstream's refusal |
//! | `stytch_m2m_token_provider_forced_refreshes_refused_total` | counter | – | forced refreshes refused by the bound |
//! | `stytch_m2m_client_requests_total` | counter | `operation`, `status_class` | management calls and exchanges: `2xx`, `3xx`, `4xx`, `5xx`, `transport_error` |
//! | `stytch_m2m_client_retries_total` | counter | `operation` | attempts after the first |
//! | `stytch_m2m_client_request_duration_seconds` | histogram | `operation` | a call, its retries included |

use crate::auth::{AuthError, InvalidToken};

/// A moment to measure a duration from (nothing without the feature).
#[derive(Clone, Copy)]
pub(crate) struct Started(#[cfg(feature = "metrics")] std::time::Instant);

impl Started {
    #[inline]
    pub(crate) fn now() -> Self {
        Self(
            #[cfg(feature = "metrics")]
            std::time::Instant::now(),
        )
    }

    #[cfg(feature = "metrics")]
    fn seconds(self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

/// The outcome classes of a token check, by index: the metric's label and the span's `outcome`.
const OUTCOMES: [&str; 11] = [
    "valid",
    "malformed",
    "signature",
    "expired",
    "not_yet_valid",
    "issuer",
    "audience",
    "unknown_key",
    "too_old",
    "missing_scopes",
    "keys_unavailable",
];

/// The index in [`OUTCOMES`] of a token check's outcome.
fn outcome_index<T>(result: &Result<T, AuthError>) -> usize {
    match result {
        Ok(_) => 0,
        Err(AuthError::Invalid(cause)) => match cause {
            InvalidToken::Signature => 2,
            InvalidToken::Expired => 3,
            InvalidToken::NotYetValid => 4,
            InvalidToken::Issuer => 5,
            InvalidToken::Audience => 6,
            InvalidToken::UnknownKey(_) => 7,
            _ => 1,
        },
        Err(AuthError::TooOld { .. }) => 8,
        Err(AuthError::MissingScopes { .. }) => 9,
        Err(AuthError::JwksUnavailable(_)) => 10,
    }
}

/// The outcome class of a token check: the metric's label and the span's `outcome`.
pub(crate) fn outcome<T>(result: &Result<T, AuthError>) -> &'static str {
    OUTCOMES[outcome_index(result)]
}

/// A verifier's token-check handles, each registered with the recorder the first time it is used (so a series
/// appears with its first value) and then kept: a check costs an increment and a sample, with no registry
/// lookup, as the `metrics` crate advises for hot paths. A verifier used before any recorder is installed keeps
/// the no-op handles it got: install the recorder first, as every exporter's guide says.
#[derive(Default)]
pub(crate) struct TokenChecks {
    #[cfg(feature = "metrics")]
    outcomes: [std::sync::OnceLock<metrics::Counter>; OUTCOMES.len()],
    #[cfg(feature = "metrics")]
    duration: std::sync::OnceLock<metrics::Histogram>,
}

impl TokenChecks {
    /// Registers every outcome's series and the duration's, at zero (Prometheus's advice: a series that exists
    /// before its first event makes `rate()` and `absent()` right from the start).
    pub(crate) fn register(&self) {
        #[cfg(feature = "metrics")]
        {
            for index in 0..OUTCOMES.len() {
                self.counter(index).increment(0);
            }
            self.histogram();
        }
    }

    #[cfg(feature = "metrics")]
    fn counter(&self, index: usize) -> &metrics::Counter {
        self.outcomes[index].get_or_init(
            || metrics::counter!("stytch_m2m_token_checks_total", "outcome" => OUTCOMES[index]),
        )
    }

    #[cfg(feature = "metrics")]
    fn histogram(&self) -> &metrics::Histogram {
        self.duration
            .get_or_init(|| metrics::histogram!("stytch_m2m_token_check_duration_seconds"))
    }

    /// One token check, ended.
    #[inline]
    pub(crate) fn record<T>(&self, result: &Result<T, AuthError>) {
        #[cfg(feature = "metrics")]
        self.counter(outcome_index(result)).increment(1);
        #[cfg(not(feature = "metrics"))]
        let _ = result;
    }

    /// One verification (a check the verified-token cache did not answer, or a cached token's wait for keys that
    /// had to be fetched again), ended. Plain cache hits are not timed: two clock reads would cost a third of such
    /// a check, recorder or not.
    #[inline]
    pub(crate) fn verified(&self, started: Started) {
        #[cfg(feature = "metrics")]
        self.histogram().record(started.seconds());
        #[cfg(not(feature = "metrics"))]
        let _ = started;
    }
}

/// One JWKS fetch, ended: `ok` with the number of keys, or an error (`refused` for a 4xx).
pub(crate) fn jwks_fetch(outcome: Result<usize, bool>) {
    #[cfg(feature = "metrics")]
    match outcome {
        Ok(keys) => {
            metrics::counter!("stytch_m2m_jwks_fetches_total", "outcome" => "ok").increment(1);
            metrics::gauge!("stytch_m2m_jwks_keys").set(keys as f64);
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            metrics::gauge!("stytch_m2m_jwks_last_success_timestamp_seconds").set(now);
        }
        Err(refused) => {
            let outcome = if refused { "refused" } else { "error" };
            metrics::counter!("stytch_m2m_jwks_fetches_total", "outcome" => outcome).increment(1);
        }
    }
    #[cfg(not(feature = "metrics"))]
    let _ = outcome;
}

/// One exchange of a token provider, ended.
pub(crate) fn exchange(ok: bool) {
    #[cfg(feature = "metrics")]
    metrics::counter!("stytch_m2m_token_exchanges_total", "outcome" => if ok { "ok" } else { "error" })
        .increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = ok;
}

/// A provider's cache-hit counter, registered with the recorder the first time it is used and then kept (a hit
/// is a hot path; see [`TokenChecks`]).
#[derive(Default)]
pub(crate) struct ProviderHits {
    #[cfg(feature = "metrics")]
    counter: std::sync::OnceLock<metrics::Counter>,
}

impl ProviderHits {
    /// A token served from the provider's cache.
    #[inline]
    pub(crate) fn record(&self) {
        #[cfg(feature = "metrics")]
        self.counter
            .get_or_init(|| metrics::counter!("stytch_m2m_token_provider_cache_hits_total"))
            .increment(1);
    }
}

/// A provider's refresh: `ahead` of expiry, or `forced` by a downstream's refusal.
pub(crate) fn provider_refresh(kind: &'static str) {
    #[cfg(feature = "metrics")]
    metrics::counter!("stytch_m2m_token_provider_refreshes_total", "kind" => kind).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = kind;
}

/// A forced refresh refused by the bound.
pub(crate) fn forced_refresh_refused() {
    #[cfg(feature = "metrics")]
    metrics::counter!("stytch_m2m_token_provider_forced_refreshes_refused_total").increment(1);
}

/// One call of the client, ended: its status (or none: a transport error) and duration.
pub(crate) fn client_call(operation: &'static str, status: Option<u16>, started: Started) {
    #[cfg(feature = "metrics")]
    {
        let class = match status {
            Some(200..=299) => "2xx",
            Some(300..=399) => "3xx",
            Some(400..=499) => "4xx",
            Some(_) => "5xx",
            None => "transport_error",
        };
        metrics::counter!("stytch_m2m_client_requests_total", "operation" => operation, "status_class" => class)
            .increment(1);
        metrics::histogram!("stytch_m2m_client_request_duration_seconds", "operation" => operation)
            .record(started.seconds());
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (operation, status, started);
}

/// One more attempt of a call.
pub(crate) fn client_retry(operation: &'static str) {
    #[cfg(feature = "metrics")]
    metrics::counter!("stytch_m2m_client_retries_total", "operation" => operation).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = operation;
}

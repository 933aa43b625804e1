//! [`ProviderPolicy`]: how a [`TokenProvider`](super::TokenProvider) caches and refreshes.

use std::time::Duration;

/// How a [`TokenProvider`](super::TokenProvider) caches and refreshes.
///
/// ```
/// # use stytch_m2m_core as stytch_m2m;
/// use std::time::Duration;
/// use stytch_m2m::auth::ProviderPolicy;
///
/// let policy = ProviderPolicy::default().with_load_timeout(Duration::from_secs(3));
/// assert_eq!(policy.refresh_margin, Duration::from_secs(300));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
#[must_use = "a setting has no effect until it is used"]
pub struct ProviderPolicy {
    /// How long before expiry a token is refreshed (default 5 minutes of Stytch's hour).
    pub refresh_margin: Duration,
    /// The margin is stretched by a random fraction up to this (default 0.5: refresh between 5 and 7.5 minutes
    /// before expiry), so that a fleet of instances does not refresh at the same moment.
    pub refresh_jitter: f64,
    /// The longest one exchange may take, apart from the client's own timeouts (default 5 s).
    pub load_timeout: Duration,
    /// The most (client, secret, scopes) entries kept; the least recently used goes first (default 64).
    pub max_entries: usize,
    /// After a failed refresh while the cached token is still valid, the next try waits this long, doubling up to
    /// `max_backoff` (default 1 s).
    pub initial_backoff: Duration,
    /// The longest wait between refresh tries (default 30 s).
    pub max_backoff: Duration,
    /// The shortest time between two forced refreshes of one set of scopes, those caused by a downstream's 401
    /// (default 60 s); see [`TokenProvider::invalidate`](super::TokenProvider::invalidate).
    pub forced_refresh_interval: Duration,
}

impl Default for ProviderPolicy {
    fn default() -> Self {
        Self {
            refresh_margin: Duration::from_secs(300),
            refresh_jitter: 0.5,
            load_timeout: Duration::from_secs(5),
            max_entries: 64,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            forced_refresh_interval: Duration::from_secs(60),
        }
    }
}

impl ProviderPolicy {
    /// Sets the refresh margin and its jitter fraction (clamped to `[0, 1]`).
    pub fn with_refresh_margin(mut self, margin: Duration, jitter: f64) -> Self {
        self.refresh_margin = margin;
        self.refresh_jitter = jitter.clamp(0.0, 1.0);
        self
    }

    /// Sets the load timeout.
    pub fn with_load_timeout(mut self, timeout: Duration) -> Self {
        self.load_timeout = timeout;
        self
    }

    /// Sets the most entries kept (at least 1).
    pub fn with_max_entries(mut self, max: usize) -> Self {
        self.max_entries = max.max(1);
        self
    }

    /// Sets the shortest time between two forced refreshes (after a downstream's 401) of one set of scopes.
    pub fn with_forced_refresh_interval(mut self, interval: Duration) -> Self {
        self.forced_refresh_interval = interval;
        self
    }

    /// The refresh margin stretched by `random` (in `[0, 1)`) times the jitter fraction. Whatever the fields
    /// hold (a negative or NaN jitter, a huge margin), the result is a duration, never a panic.
    pub(crate) fn jittered_margin(&self, random: f64) -> Duration {
        let jitter = if self.refresh_jitter.is_finite() {
            self.refresh_jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let factor = 1.0 + jitter * random.clamp(0.0, 1.0);
        Duration::try_from_secs_f64(self.refresh_margin.as_secs_f64() * factor)
            .unwrap_or(Duration::MAX)
    }

    /// Sets the backoff between failed refreshes.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_margin_from_any_fields_is_a_duration() {
        let mut policy = ProviderPolicy::default();
        assert_eq!(policy.jittered_margin(0.0), Duration::from_secs(300));
        assert_eq!(policy.jittered_margin(1.0), Duration::from_secs(450));
        policy.refresh_margin = Duration::MAX;
        assert_eq!(policy.jittered_margin(0.9), Duration::MAX);
        policy.refresh_jitter = -3.0;
        assert_eq!(policy.jittered_margin(0.9), Duration::MAX);
        policy.refresh_margin = Duration::from_secs(10);
        policy.refresh_jitter = f64::NAN;
        assert_eq!(policy.jittered_margin(0.5), Duration::from_secs(10));
    }
}

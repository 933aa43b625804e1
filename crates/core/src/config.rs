//! Where the client sends requests and how patiently: [`Environment`], [`RetryPolicy`], [`TimeoutPolicy`]. Like
//! every policy of the crate, each starts from `Default` and is changed with `with_…` setters.

use std::time::Duration;

/// The Stytch environment a client talks to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// `https://test.stytch.com`
    Test,
    /// `https://api.stytch.com`
    Live,
    /// Any base URL of any scheme (a CNAME, the local emulator `http://127.0.0.1:4010`, a proxy). A trailing `/`
    /// is ignored.
    Custom(String),
}

impl Environment {
    /// The environment of a project id, as the official SDKs choose it: `project-live-…` is live, anything else test.
    pub fn from_project_id(project_id: &str) -> Self {
        if project_id.starts_with("project-live-") {
            Environment::Live
        } else {
            Environment::Test
        }
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        match self {
            Environment::Test => "https://test.stytch.com",
            Environment::Live => "https://api.stytch.com",
            Environment::Custom(url) => url.trim_end_matches('/'),
        }
    }
}

/// How failed calls are retried.
///
/// Only calls that are safe to repeat (get, search, update, delete and the token exchange) are retried
/// on 429, 500, 502, 503, 504, timeouts and connection failures. Create and the three rotation calls are retried
/// only when the request is known never to have been sent (the connection could not be made).
///
/// The wait before attempt `n + 1` is `Retry-After` when the server sent it (in seconds; past
/// `max_retry_after` or past the overall time limit, the answer is returned at once instead), otherwise
/// `min(max_backoff, initial_backoff * 2^(n-1))` scaled by a random factor in `[0.5, 1.0)` (jitter).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[must_use = "a setting has no effect until it is used"]
pub struct RetryPolicy {
    /// The most attempts of one call, the first included; 1 turns retries off.
    pub max_attempts: u32,
    /// The base of the exponential backoff.
    pub initial_backoff: Duration,
    /// The longest backoff between two attempts (a `Retry-After` may ask for longer, up to `max_retry_after`).
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured (default 60 s); a longer one, or one that would outlast the call's
    /// overall time limit, ends the call at once with the server's answer (its `request_id` included).
    pub max_retry_after: Duration,
}

impl RetryPolicy {
    /// The defaults: 3 attempts, 200 ms initial backoff, 5 s maximum, `Retry-After` up to 60 s.
    fn standard() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(60),
        }
    }

    /// One attempt, no retry.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::standard()
        }
    }

    /// Sets the number of attempts (at least 1).
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// Sets the longest `Retry-After` honoured.
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// Sets the backoff bounds.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The wait before the attempt after `attempt` (1-based), with `jitter` in `[0, 1)`.
    pub(crate) fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        crate::background::backoff::exponential(
            self.initial_backoff,
            self.max_backoff,
            attempt,
            jitter,
        )
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::standard()
    }
}

/// How long calls may take. `None` means no limit.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[must_use = "a setting has no effect until it is used"]
pub struct TimeoutPolicy {
    /// The limit of one attempt (sending and reading the response).
    pub attempt: Option<Duration>,
    /// The limit of the whole call: every attempt and every wait between them.
    pub overall: Option<Duration>,
}

impl TimeoutPolicy {
    /// The defaults: 10 s per attempt, 30 s overall.
    fn standard() -> Self {
        Self {
            attempt: Some(Duration::from_secs(10)),
            overall: Some(Duration::from_secs(30)),
        }
    }

    /// No time limit at all.
    pub fn disabled() -> Self {
        Self {
            attempt: None,
            overall: None,
        }
    }

    /// Sets the per-attempt limit.
    pub fn with_attempt(mut self, limit: Option<Duration>) -> Self {
        self.attempt = limit;
        self
    }

    /// Sets the overall limit.
    pub fn with_overall(mut self, limit: Option<Duration>) -> Self {
        self.overall = limit;
        self
    }
}

impl Default for TimeoutPolicy {
    fn default() -> Self {
        Self::standard()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_follows_the_project_id_prefix() {
        assert_eq!(
            Environment::from_project_id("project-live-1"),
            Environment::Live
        );
        assert_eq!(
            Environment::from_project_id("project-test-1"),
            Environment::Test
        );
        assert_eq!(
            Environment::Custom("http://127.0.0.1:4010/".into()).base_url(),
            "http://127.0.0.1:4010"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let c = RetryPolicy::default();
        assert_eq!(
            c.backoff(1, 0.999_999),
            Duration::from_millis(200).mul_f64(0.999_999_5)
        );
        assert_eq!(c.backoff(2, 0.0), Duration::from_millis(200));
        assert_eq!(c.backoff(30, 0.0), Duration::from_millis(2500));
    }
}

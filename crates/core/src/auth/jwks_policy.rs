//! [`JwksPolicy`]: how the JWKS is fetched and cached, and how a response's `Cache-Control` sets its freshness.

use std::time::Duration;

/// How the JWKS is fetched and cached.
///
/// ```
/// # use stytch_m2m_core as stytch_m2m;
/// use std::time::Duration;
/// use stytch_m2m::auth::JwksPolicy;
///
/// let policy = JwksPolicy::default()
///     .with_fetch_timeout(Duration::from_secs(2))
///     .with_max_stale(Duration::from_secs(6 * 3600));
/// assert_eq!(policy.cooldown, Duration::from_secs(30));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[must_use = "a setting has no effect until it is used"]
pub struct JwksPolicy {
    /// How long a fetched JWKS is fresh when the response has no `Cache-Control: max-age` (default 5 minutes).
    pub ttl: Duration,
    /// The least freshness, whatever `max-age` says (default 60 s).
    pub min_ttl: Duration,
    /// The most freshness, whatever `max-age` says (default 1 hour; Stytch sends `max-age=900`).
    pub max_ttl: Duration,
    /// How long before the set stops being fresh a background refresh starts (default 30 s).
    pub refresh_ahead: Duration,
    /// The least time between two fetch starts (default 30 s, as jose in node); after failures the backoff grows
    /// from 1 s to this, with jitter.
    pub cooldown: Duration,
    /// The longest a caller waits for a fetch, and the longest a fetch runs (default 5 s, as jose). Apart from the
    /// management calls' timeouts.
    pub fetch_timeout: Duration,
    /// How long cached keys keep serving after the set stopped being fresh while refreshes fail (default 1 hour:
    /// past it, clients could not get new access tokens from Stytch either).
    pub max_stale: Duration,
}

impl Default for JwksPolicy {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(300),
            min_ttl: Duration::from_secs(60),
            max_ttl: Duration::from_secs(3600),
            refresh_ahead: Duration::from_secs(30),
            cooldown: Duration::from_secs(30),
            fetch_timeout: Duration::from_secs(5),
            max_stale: Duration::from_secs(3600),
        }
    }
}

impl JwksPolicy {
    /// Sets the freshness used when the response has no `max-age`.
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Sets the bounds `max-age` is clamped to.
    pub fn with_ttl_bounds(mut self, min: Duration, max: Duration) -> Self {
        self.min_ttl = min;
        self.max_ttl = max.max(min);
        self
    }

    /// Sets how early a background refresh starts.
    pub fn with_refresh_ahead(mut self, ahead: Duration) -> Self {
        self.refresh_ahead = ahead;
        self
    }

    /// Sets the cooldown between fetches.
    pub fn with_cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// Sets the fetch timeout.
    pub fn with_fetch_timeout(mut self, timeout: Duration) -> Self {
        self.fetch_timeout = timeout;
        self
    }

    /// Sets how long stale keys serve while refreshes fail.
    pub fn with_max_stale(mut self, max_stale: Duration) -> Self {
        self.max_stale = max_stale;
        self
    }

    /// The freshness of a response: its `max-age` clamped to the bounds, else the TTL.
    pub(crate) fn freshness(&self, cache_control: Option<&str>) -> Duration {
        let max_age = cache_control.and_then(|value| {
            value.split(',').find_map(|directive| {
                let directive = directive.trim();
                if directive.eq_ignore_ascii_case("no-cache")
                    || directive.eq_ignore_ascii_case("no-store")
                {
                    return Some(Duration::ZERO);
                }
                let (name, seconds) = directive.split_once('=')?;
                name.trim()
                    .eq_ignore_ascii_case("max-age")
                    .then(|| seconds.trim().trim_matches('"').parse::<u64>().ok())
                    .flatten()
                    .map(Duration::from_secs)
            })
        });
        match max_age {
            Some(age) => age.clamp(self.min_ttl, self.max_ttl.max(self.min_ttl)),
            None => self.ttl,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_honoured_within_bounds() {
        let p = JwksPolicy::default();
        assert_eq!(p.freshness(None), Duration::from_secs(300));
        assert_eq!(
            p.freshness(Some("public, max-age=900")),
            Duration::from_secs(900)
        );
        assert_eq!(p.freshness(Some("MAX-AGE=5")), Duration::from_secs(60));
        assert_eq!(
            p.freshness(Some("max-age=99999999")),
            Duration::from_secs(3600)
        );
        assert_eq!(p.freshness(Some("no-store")), Duration::from_secs(60));
        assert_eq!(p.freshness(Some("max-age=abc")), Duration::from_secs(300));
    }
}

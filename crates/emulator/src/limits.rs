//! What the server gives each client: its limits, and the wait after a failed `accept`.

use std::time::Duration;

/// How long and how much the server gives each client: every connection is bounded in time and memory whatever
/// it sends, authenticated or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerLimits {
    /// The longest a client may take to send a request's headers, and to start a new request on an idle
    /// keep-alive connection (default 10 s).
    pub header_timeout: Duration,
    /// The longest a client may take to send a request's body (default 10 s).
    pub body_timeout: Duration,
    /// The most connections served at once; more wait in the listen backlog (default 512).
    pub max_connections: usize,
    /// On shutdown, the longest requests in flight are waited for (default 5 s).
    pub shutdown_deadline: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connections: 512,
            shutdown_deadline: Duration::from_secs(5),
        }
    }
}

impl ServerLimits {
    /// Sets the header and body timeouts.
    pub fn with_timeouts(mut self, header: Duration, body: Duration) -> Self {
        self.header_timeout = header;
        self.body_timeout = body;
        self
    }

    /// Sets the connection cap (at least 1).
    pub fn with_max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// Sets the shutdown deadline.
    pub fn with_shutdown_deadline(mut self, deadline: Duration) -> Self {
        self.shutdown_deadline = deadline;
        self
    }
}

/// The wait after a failed `accept` (out of file descriptors, say): 10 ms doubling to 1 s, reset by a success.
#[derive(Debug)]
pub(crate) struct AcceptBackoff(Duration);

impl Default for AcceptBackoff {
    fn default() -> Self {
        Self(Duration::from_millis(10))
    }
}

impl AcceptBackoff {
    pub fn next(&mut self) -> Duration {
        let wait = self.0;
        self.0 = (self.0 * 2).min(Duration::from_secs(1));
        wait
    }

    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_errors_back_off_up_to_a_second() {
        let mut backoff = AcceptBackoff::default();
        let waits: Vec<_> = (0..10).map(|_| backoff.next()).collect();
        assert_eq!(waits[0], Duration::from_millis(10));
        assert!(waits.windows(2).all(|w| w[1] >= w[0]));
        assert_eq!(waits[9], Duration::from_secs(1));
        backoff.reset();
        assert_eq!(backoff.next(), Duration::from_millis(10));
    }
}

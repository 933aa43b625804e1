//! [`Clock`]: where local token authentication reads the time (so tests can move it).

use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current Unix time. The system clock by default; the mock's clock in tests
/// (`stytch_m2m_mock::MockClock` implements it), so that tokens expire when the test says so.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Seconds since the Unix epoch.
    fn now_unix(&self) -> u64;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now_unix(&self) -> u64 {
        (**self).now_unix()
    }
}

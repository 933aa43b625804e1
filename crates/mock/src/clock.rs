//! [`MockClock`]: the mock's notion of now, real or controlled by the test.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// [`MockClock::try_advance`] would pass the latest instant the clock can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the clock cannot move past 9999-12-31T23:59:59.999Z")]
pub struct ClockOverflow;

/// The mock's clock: the system clock shifted by an offset the test controls, or frozen at a set instant.
///
/// Everything time-based in the mock reads it: `created_at`, `next_rotation_started_at`, the `iat`, `nbf` and
/// `exp` of tokens, and the grace period of retired signing keys. Clones share the same time.
///
/// ```
/// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
/// use std::time::Duration;
/// use stytch_m2m::mock::MockClock;
///
/// let clock = MockClock::frozen_at_unix(1_700_000_000);
/// clock.advance(Duration::from_secs(3600));
/// assert_eq!(clock.now_unix(), 1_700_003_600);
/// ```
#[derive(Clone, Debug, Default)]
pub struct MockClock {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Milliseconds added to the system clock.
    offset_ms: AtomicI64,
    /// When non-zero, the frozen time in milliseconds since the epoch (plus the offset).
    frozen_ms: AtomicU64,
}

impl MockClock {
    /// The system clock (until the test advances it).
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock stopped at this Unix time (seconds); it moves only when advanced.
    pub fn frozen_at_unix(seconds: u64) -> Self {
        let clock = Self::default();
        clock
            .inner
            .frozen_ms
            .store(seconds.saturating_mul(1000).max(1), Ordering::SeqCst);
        clock
    }

    /// Moves the clock forward (tokens expire, grace periods end). A move past [`MockClock::LATEST_MILLIS`] stops
    /// there: the clock never wraps around (see [`MockClock::try_advance`] to be told).
    pub fn advance(&self, by: Duration) {
        if self.try_advance(by).is_err() {
            let now = self.now_millis();
            let _ = self.try_advance(Duration::from_millis(
                Self::LATEST_MILLIS.saturating_sub(now),
            ));
        }
    }

    /// The latest instant the clock reaches: 9999-12-31T23:59:59.999Z (RFC 3339 has four-digit years).
    pub const LATEST_MILLIS: u64 = 253_402_300_799_999;

    /// Moves the clock forward, or refuses (changing nothing) when that would pass [`MockClock::LATEST_MILLIS`].
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use std::time::Duration;
    /// use stytch_m2m::mock::MockClock;
    ///
    /// let clock = MockClock::frozen_at_unix(1_700_000_000);
    /// assert!(clock.try_advance(Duration::from_secs(u64::MAX)).is_err());
    /// assert_eq!(clock.now_unix(), 1_700_000_000);
    /// ```
    pub fn try_advance(&self, by: Duration) -> Result<(), ClockOverflow> {
        let by = i64::try_from(by.as_millis()).map_err(|_| ClockOverflow)?;
        let now = self.now_millis();
        let room = Self::LATEST_MILLIS.saturating_sub(now);
        if u64::try_from(by).map_err(|_| ClockOverflow)? > room {
            return Err(ClockOverflow);
        }
        self.inner
            .offset_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |offset| {
                offset.checked_add(by)
            })
            .map(|_| ())
            .map_err(|_| ClockOverflow)
    }

    /// Sets the clock to this instant (milliseconds since the epoch), forward or back; refuses (changing nothing)
    /// an instant past [`MockClock::LATEST_MILLIS`]. A frozen clock stays frozen there; a running one runs on
    /// from there.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use stytch_m2m::mock::MockClock;
    ///
    /// let clock = MockClock::system();
    /// clock.try_set_millis(1_900_000_000_000).unwrap();
    /// assert!(clock.now_unix() >= 1_900_000_000);
    /// assert!(clock.try_set_millis(u64::MAX).is_err());
    /// ```
    pub fn try_set_millis(&self, at: u64) -> Result<(), ClockOverflow> {
        if at > Self::LATEST_MILLIS {
            return Err(ClockOverflow);
        }
        let base = self
            .now_millis()
            .saturating_add_signed(-self.inner.offset_ms.load(Ordering::SeqCst));
        let offset = i64::try_from(i128::from(at) - i128::from(base)).map_err(|_| ClockOverflow)?;
        self.inner.offset_ms.store(offset, Ordering::SeqCst);
        Ok(())
    }

    /// Stops a running clock where it stands: from then on it moves only when advanced or set, so a test that
    /// checks a boundary to the second (a token valid at `exp - 1`, refused at `exp`) cannot be pushed across it by
    /// the real time its own steps take. Freezing a frozen clock changes nothing.
    ///
    /// ```
    /// # mod stytch_m2m { pub use stytch_m2m_core::*; pub use stytch_m2m_mock as mock; }
    /// use std::time::Duration;
    /// use stytch_m2m::mock::MockClock;
    ///
    /// let clock = MockClock::system();
    /// clock.freeze();
    /// let at = clock.now_millis();
    /// clock.advance(Duration::from_secs(1));
    /// assert_eq!(clock.now_millis(), at + 1000);
    /// ```
    pub fn freeze(&self) {
        let _ = self.inner.frozen_ms.compare_exchange(
            0,
            system_millis().max(1),
            Ordering::SeqCst,
            Ordering::SeqCst,
        );
    }

    /// Now, in milliseconds since the Unix epoch.
    pub fn now_millis(&self) -> u64 {
        let base = match self.inner.frozen_ms.load(Ordering::SeqCst) {
            0 => system_millis(),
            frozen => frozen,
        };
        base.saturating_add_signed(self.inner.offset_ms.load(Ordering::SeqCst))
    }

    /// Now, in whole seconds since the Unix epoch.
    pub fn now_unix(&self) -> u64 {
        self.now_millis() / 1000
    }

    /// Now, as a [`SystemTime`].
    pub fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.now_millis())
    }

    /// Now as RFC 3339 UTC text with milliseconds (`2026-11-22T18:29:06.123Z`).
    pub fn now_rfc3339(&self) -> String {
        rfc3339(self.now_millis())
    }
}

impl stytch_m2m_core::Clock for MockClock {
    fn now_unix(&self) -> u64 {
        MockClock::now_unix(self)
    }
}

/// The system clock in milliseconds since the epoch (0 before it).
fn system_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Formats milliseconds since the epoch as RFC 3339 UTC.
pub(crate) fn rfc3339(millis: u64) -> String {
    let secs = millis / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        millis % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_372_146_123), "2026-11-22T18:29:06.123Z");
    }

    #[test]
    fn a_frozen_clock_keeps_its_instant_and_its_offset_while_real_time_passes() {
        let clock = MockClock::system();
        clock.advance(Duration::from_secs(7200));
        clock.freeze();
        let at = clock.now_millis();
        assert!(
            at >= system_millis() + 7_199_000,
            "the offset survives freezing"
        );
        // Wait (without sleeping) until the system clock has moved on by a few milliseconds.
        let start = system_millis();
        while system_millis() < start + 3 {
            std::hint::spin_loop();
        }
        assert_eq!(clock.now_millis(), at);
        clock.freeze();
        assert_eq!(clock.now_millis(), at, "freezing again changes nothing");
        clock.advance(Duration::from_millis(1500));
        assert_eq!(clock.now_millis(), at + 1500);
    }

    #[test]
    fn clones_share_time() {
        let a = MockClock::frozen_at_unix(100);
        let b = a.clone();
        a.advance(Duration::from_secs(5));
        assert_eq!(b.now_unix(), 105);
    }
}

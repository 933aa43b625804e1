//! The one exponential backoff of the crate: `min(max, initial * 2^(n-1))`, scaled by a random factor in
//! `[0.5, 1.0)` so that many clients do not retry in step.

use std::time::Duration;

/// The wait after the `n`-th consecutive failure (1-based), with `jitter` in `[0, 1)`.
pub(crate) fn exponential(initial: Duration, max: Duration, n: u32, jitter: f64) -> Duration {
    let exp = 2u32.saturating_pow(n.saturating_sub(1));
    let base = initial.saturating_mul(exp).min(max);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    // Through f64 seconds, which cannot overflow at a factor below 1; never a panic.
    Duration::try_from_secs_f64(base.as_secs_f64() * (0.5 + jitter / 2.0))
        .map_or(base, |d| d.min(base))
}

/// [`exponential`] with a fresh random jitter.
pub(crate) fn jittered(initial: Duration, max: Duration, n: u32) -> Duration {
    exponential(initial, max, n, fastrand::f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_and_jitters_down_to_half() {
        let (initial, max) = (Duration::from_secs(1), Duration::from_secs(30));
        assert_eq!(
            exponential(initial, max, 1, 0.0),
            Duration::from_millis(500)
        );
        assert_eq!(exponential(initial, max, 3, 0.0), Duration::from_secs(2));
        assert_eq!(exponential(initial, max, 40, 0.0), Duration::from_secs(15));
        assert!(exponential(initial, max, 40, 0.999_999) < max);
        assert!(exponential(initial, max, u32::MAX, 0.5) <= max);
        // Out-of-range jitter is clamped, never a panic or a wait past the cap.
        assert!(exponential(initial, max, 9, f64::NAN) <= max);
        assert!(exponential(initial, max, 9, 7.0) <= max);
    }

    #[test]
    fn extreme_bounds_do_not_panic() {
        let half = exponential(Duration::MAX, Duration::MAX, 64, 0.0);
        assert!(half > Duration::MAX / 3 && half < Duration::MAX, "{half:?}");
        assert_eq!(
            exponential(Duration::ZERO, Duration::MAX, 64, 0.9),
            Duration::ZERO
        );
    }
}

//! Exponential backoff with full jitter, so that many PCs coming back after
//! an intranet outage do not all retry at the same moment.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
    failures: u32,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Self {
        Self {
            base,
            max,
            failures: 0,
        }
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// The next wait after one more failure: a uniform draw in
    /// `[0, min(max, base · 2^failures)]`, where `unit` in `[0, 1)` is the
    /// caller's random number (kept outside to make this testable).
    pub fn next_delay(&mut self, unit: f64) -> Duration {
        let cap = self
            .base
            .saturating_mul(1u32 << self.failures.min(20))
            .min(self.max);
        self.failures = self.failures.saturating_add(1);
        cap.mul_f64(unit.clamp(0.0, 1.0))
            .max(Duration::from_millis(100).min(cap))
    }
}

/// A random number in `[0, 1)` without pulling in a random-number crate:
/// the low bits of the clock, mixed.
pub fn jitter_unit() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut x = nanos ^ 0x9E37_79B9_7F4A_7C15;
    x ^= x >> 33;
    x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        assert_eq!(b.next_delay(1.0), Duration::from_secs(1));
        assert_eq!(b.next_delay(1.0), Duration::from_secs(2));
        assert_eq!(b.next_delay(1.0), Duration::from_secs(4));
        for _ in 0..10 {
            b.next_delay(1.0);
        }
        assert_eq!(b.next_delay(1.0), Duration::from_secs(60));
        assert!(b.next_delay(0.5) <= Duration::from_secs(30));
        b.reset();
        assert_eq!(b.next_delay(1.0), Duration::from_secs(1));
        let u = jitter_unit();
        assert!((0.0..1.0).contains(&u));
    }
}

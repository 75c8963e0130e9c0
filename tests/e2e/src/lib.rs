//! Harness for the end-to-end tests (`tests/smoke`, `tests/flow`) and the
//! desktop benchmark: a virtual display,
//! child processes that are always killed, and a minimal W3C WebDriver client
//! for talking to `tauri-driver`.

pub mod display;
pub mod harness;
pub mod process;
pub mod webdriver;

use std::time::{Duration, Instant};

/// Polls `check` until it returns `Some`, or gives up after `limit`.
/// A bound on waiting, not a timing assertion: the caller fails with its own
/// message when nothing came.
pub fn wait_for<T>(
    limit: Duration,
    every: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if start.elapsed() >= limit {
            return None;
        }
        std::thread::sleep(every);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_for_returns_the_first_value() {
        let mut calls = 0;
        let got = wait_for(Duration::from_secs(5), Duration::from_millis(1), || {
            calls += 1;
            (calls == 3).then_some(calls)
        });
        assert_eq!(got, Some(3));
    }

    #[test]
    fn wait_for_gives_up() {
        let got: Option<()> = wait_for(Duration::ZERO, Duration::from_millis(1), || None);
        assert_eq!(got, None);
    }
}

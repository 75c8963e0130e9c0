//! How the app's processes use memory on Linux (glibc).
//!
//! The desktop stays open all day on office PCs that are often short of
//! memory. glibc's allocator, left to its defaults, keeps what a large
//! answer (the workbench's 10,000 rows, a PDF) allocated and freed, spread
//! over one arena per thread, and raises its mmap threshold after each large
//! free so that the next large buffer stays on the heap. The settings below
//! hand freed memory back to the system instead; the app is idle between a
//! person's actions, so the allocation speed they cost is not felt. On the
//! reference machine they saved about 10 MB PSS over the app's processes
//! (BENCHMARKS.md).

/// Allocator settings for the web view's processes, which the app starts and
/// which inherit its environment; each is set only when not already set.
pub const CHILD_TUNABLES: [(&str, &str); 3] = [
    ("MALLOC_ARENA_MAX", "2"),
    ("MALLOC_MMAP_THRESHOLD_", "131072"),
    ("MALLOC_TRIM_THRESHOLD_", "131072"),
];

/// The environment variables to set: those of [`CHILD_TUNABLES`] that
/// `current` does not already have.
pub fn child_env(current: impl Fn(&str) -> bool) -> Vec<(&'static str, &'static str)> {
    CHILD_TUNABLES
        .into_iter()
        .filter(|(k, _)| !current(k))
        .collect()
}

/// Applies the settings to this process and, through the environment, to
/// the processes it starts. Call first thing in `main`, before any thread
/// starts (changing the environment is only sound while single-threaded).
pub fn configure() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes allocator parameters; called before
        // any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
            libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
            libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
        }
        for (k, v) in child_env(|k| std::env::var_os(k).is_some()) {
            std::env::set_var(k, v);
        }
    }
}

/// How often freed memory is handed back while the app runs.
pub const TRIM_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// Starts a thread that, every [`TRIM_INTERVAL`], returns the free pages
/// inside the allocator's arenas to the system (the thresholds above only
/// release the top of each heap). A large answer is built, serialized and
/// freed by different threads after a command returns, so no single place
/// in the code could trim after it; the walk takes well under a millisecond.
pub fn start_trimming() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let spawned = std::thread::Builder::new()
            .name("memory-trim".into())
            .spawn(|| loop {
                std::thread::sleep(TRIM_INTERVAL);
                // SAFETY: malloc_trim is thread-safe and only releases
                // memory the allocator holds free.
                unsafe {
                    libc::malloc_trim(0);
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "no memory-trim thread");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_the_user_made_is_kept() {
        assert_eq!(child_env(|_| false).len(), 3);
        let kept = child_env(|k| k == "MALLOC_ARENA_MAX");
        assert!(kept.iter().all(|(k, _)| *k != "MALLOC_ARENA_MAX"));
        assert_eq!(kept.len(), 2);
    }
}

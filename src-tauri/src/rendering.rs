//! How the web view draws on Linux (WebKitGTK).
//!
//! WebKitGTK composites pages through OpenGL by default. On the PCs this app
//! runs on (UOS/Kylin with software GL or weak domestic GPU drivers, and any
//! machine without a GPU) that path is a poor trade for a window of forms and
//! lists: on the reference machine it cost about 90 MB more memory and a
//! keystroke in the reply editor reached the screen in 14 ms median, 32 ms at
//! p95, against 5 ms and 6 ms drawn without it (BENCHMARKS.md). Blank windows
//! on such drivers are also a known WebKitGTK failure that the same settings
//! cure. So the app draws in software, without GL in its own window either,
//! unless whoever starts it has chosen otherwise by setting a variable
//! themselves (e.g. WEBKIT_DISABLE_COMPOSITING_MODE=0 keeps compositing).

/// The variables set on Linux, each only when not already set. WebKitGTK
/// and GTK read them when the window and the web view are created.
pub const LINUX_DEFAULTS: [(&str, &str); 3] = [
    // Any value but "0" turns accelerated compositing off.
    ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
    // The DMA-BUF renderer only serves compositing.
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    // The app's own GTK window needs no GL context.
    ("GDK_GL", "disable"),
];

/// The variables to set for `os`, given which are already set.
pub fn overrides(os: &str, is_set: impl Fn(&str) -> bool) -> Vec<(&'static str, &'static str)> {
    if os != "linux" {
        return Vec::new();
    }
    LINUX_DEFAULTS
        .into_iter()
        .filter(|(k, _)| !is_set(k))
        .collect()
}

/// Applies [`overrides`]. Call first thing in `main`, before any thread
/// starts: changing the environment is only sound while the process is
/// single-threaded.
pub fn configure() {
    for (k, v) in overrides(std::env::consts::OS, |k| std::env::var_os(k).is_some()) {
        std::env::set_var(k, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_draws_in_software_unless_the_user_chose() {
        let all = overrides("linux", |_| false);
        assert!(all.contains(&("WEBKIT_DISABLE_COMPOSITING_MODE", "1")));
        assert_eq!(all.len(), LINUX_DEFAULTS.len());
        // An explicit choice, even "0", is the user's.
        let chosen = overrides("linux", |k| k == "WEBKIT_DISABLE_COMPOSITING_MODE");
        assert!(chosen
            .iter()
            .all(|(k, _)| *k != "WEBKIT_DISABLE_COMPOSITING_MODE"));
        assert!(overrides("windows", |_| false).is_empty());
        assert!(overrides("macos", |_| false).is_empty());
    }
}

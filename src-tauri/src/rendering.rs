//! How the web view draws on Linux (WebKitGTK).
//!
//! WebKitGTK composites pages through OpenGL by default. On the PCs this app
//! runs on (UOS/Kylin with software GL or weak domestic GPU drivers, and any
//! machine without a GPU) that path is a poor trade for a window of forms and
//! lists: on the reference machine it cost about 90 MB more memory and a
//! keystroke in the reply editor reached the screen in 14 ms median, 32 ms at
//! p95, against 5 ms and 6 ms drawn without it (BENCHMARKS.md). Blank windows
//! on such drivers are also a known WebKitGTK failure that the same setting
//! cures. So the app draws without compositing unless whoever starts it has
//! chosen otherwise by setting the variable themselves.

/// WebKitGTK reads this when the web view is created; any value but "0"
/// turns compositing off.
pub const COMPOSITING_VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// The value to set, or `None` to leave the environment alone: only on Linux
/// and only when the variable is not already set (an explicit "0" keeps
/// compositing on).
pub fn compositing_override(os: &str, current: Option<std::ffi::OsString>) -> Option<&'static str> {
    (os == "linux" && current.is_none()).then_some("1")
}

/// Applies [`compositing_override`]. Call first thing in `main`, before any
/// thread starts: changing the environment is only sound while the process
/// is single-threaded.
pub fn configure() {
    if let Some(value) =
        compositing_override(std::env::consts::OS, std::env::var_os(COMPOSITING_VAR))
    {
        std::env::set_var(COMPOSITING_VAR, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_draws_without_compositing_unless_the_user_chose() {
        assert_eq!(compositing_override("linux", None), Some("1"));
        assert_eq!(compositing_override("linux", Some("0".into())), None);
        assert_eq!(compositing_override("linux", Some("1".into())), None);
        assert_eq!(compositing_override("windows", None), None);
        assert_eq!(compositing_override("macos", None), None);
    }
}

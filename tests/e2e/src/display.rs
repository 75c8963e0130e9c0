//! A private X display (Xvfb) for the app window.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::process::Guarded;

pub struct Xvfb {
    /// e.g. `:99`, for `DISPLAY`.
    pub display: String,
    _process: Guarded,
}

/// A display number is free when neither its lock file nor its socket exists.
pub fn is_free(n: u32, root: &Path) -> bool {
    !root.join(format!(".X{n}-lock")).exists() && !root.join(format!(".X11-unix/X{n}")).exists()
}

impl Xvfb {
    /// Starts Xvfb on the first free display from :99 up.
    pub fn start() -> Result<Self, String> {
        let tmp = Path::new("/tmp");
        for n in 99..200 {
            if !is_free(n, tmp) {
                continue;
            }
            let display = format!(":{n}");
            let mut command = Command::new("Xvfb");
            command
                .args([&display, "-screen", "0", "1440x900x24", "-nolisten", "tcp"])
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let mut process = Guarded::spawn("Xvfb", command).map_err(|e| {
                format!("{e} (is the xvfb package installed? scripts/setup.sh installs it)")
            })?;
            let socket = tmp.join(format!(".X11-unix/X{n}"));
            let up = crate::wait_for(Duration::from_secs(20), Duration::from_millis(100), || {
                if socket.exists() {
                    Some(true)
                } else {
                    process.exited().map(|_| false)
                }
            });
            match up {
                Some(true) => {
                    return Ok(Self {
                        display,
                        _process: process,
                    })
                }
                // Lost a race for this display, or it failed: try the next one.
                Some(false) => continue,
                None => return Err(format!("Xvfb {display} did not come up")),
            }
        }
        Err("no free X display between :99 and :199".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_display_with_a_lock_or_socket_is_taken() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join(".X11-unix")).unwrap();
        assert!(is_free(5, root.path()));
        std::fs::write(root.path().join(".X5-lock"), "").unwrap();
        assert!(!is_free(5, root.path()));
        std::fs::write(root.path().join(".X11-unix/X6"), "").unwrap();
        assert!(!is_free(6, root.path()));
        assert!(is_free(7, root.path()));
    }
}

//! Child processes that die with the test, even when it panics.

use std::process::{Child, Command, ExitStatus};
use std::time::Duration;

/// A child started in its own process group. Dropping it terminates the whole
/// group (e.g. tauri-driver together with WebKitWebDriver and the app).
pub struct Guarded {
    name: String,
    child: Child,
}

impl Guarded {
    pub fn spawn(name: &str, mut command: Command) -> Result<Self, String> {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        Ok(Self {
            name: name.to_owned(),
            child,
        })
    }

    /// The child's standard output, when it was piped.
    pub fn take_stdout(&mut self) -> Option<std::process::ChildStdout> {
        self.child.stdout.take()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status if the process has already ended.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    fn signal_group(&self, signal: &str) {
        // A negative pid addresses the process group.
        let _ = Command::new("kill")
            .args([signal, "--", &format!("-{}", self.pid())])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        self.signal_group("-TERM");
        let ended = crate::wait_for(Duration::from_secs(5), Duration::from_millis(100), || {
            self.child.try_wait().ok().flatten()
        });
        if ended.is_none() {
            eprintln!("{} did not stop on SIGTERM; killing it", self.name);
        }
        // Whatever is left of the group (the leader may have gone first).
        self.signal_group("-KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_kills_the_whole_group() {
        let mut command = Command::new("sh");
        // The shell starts a grandchild and prints its pid, then both sleep.
        command
            .args(["-c", "sleep 300 & echo $! ; wait"])
            .stdout(std::process::Stdio::piped());
        let mut guarded = Guarded::spawn("sh", command).unwrap();
        let mut out = guarded.child.stdout.take().unwrap();
        let mut line = String::new();
        {
            use std::io::Read;
            let mut byte = [0u8; 1];
            while out.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
                line.push(byte[0] as char);
            }
        }
        let grandchild: u32 = line.trim().parse().unwrap();
        assert!(std::path::Path::new(&format!("/proc/{grandchild}")).exists());
        drop(guarded);
        let gone = crate::wait_for(Duration::from_secs(5), Duration::from_millis(20), || {
            let stat = std::fs::read_to_string(format!("/proc/{grandchild}/stat")).ok();
            // Gone, or a zombie waiting for init to reap it.
            match stat {
                None => Some(()),
                Some(s) => s
                    .split_whitespace()
                    .nth(2)
                    .filter(|st| *st == "Z")
                    .map(|_| ()),
            }
        });
        assert!(gone.is_some(), "grandchild {grandchild} survived");
    }
}

//! What the end-to-end flow and the desktop benchmark share: where the built
//! programs are, a demo central server on 127.0.0.1, tauri-driver on a
//! virtual display, and waiting for the window to show something.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::display::Xvfb;
use crate::process::Guarded;
use crate::wait_for;
use crate::webdriver::{Session, WebDriver};

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

fn existing(path: PathBuf, what: &str) -> PathBuf {
    let path = std::path::absolute(&path).unwrap_or(path);
    assert!(
        path.is_file(),
        "{what} {} is missing: run scripts/test-all.sh, or build it and set the variable named in tests/e2e/README.md",
        path.display()
    );
    path
}

/// The release build of the desktop app (`JIANBAN_APP` overrides).
pub fn app_binary() -> PathBuf {
    let path = std::env::var_os("JIANBAN_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("release/jianban"));
    existing(path, "the release build")
}

/// The central server (`JIANBAN_SERVER_BIN` overrides; else the debug build
/// `cargo test --workspace` makes, else the release build).
pub fn server_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("JIANBAN_SERVER_BIN") {
        return existing(PathBuf::from(p), "the server binary");
    }
    let debug = target_dir().join("debug/jianban-server");
    if debug.is_file() {
        return existing(debug, "the server binary");
    }
    existing(
        target_dir().join("release/jianban-server"),
        "the server binary",
    )
}

pub fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|c| c.join("bin/tauri-driver"));
    match cargo_bin {
        Some(p) if p.is_file() => p,
        _ => PathBuf::from("tauri-driver"),
    }
}

/// `jianban-server serve --demo` on a free port of 127.0.0.1, in its own
/// data directory; killed on drop.
pub struct DemoServer {
    pub url: String,
    pub data_dir: tempfile::TempDir,
    _process: Guarded,
}

impl DemoServer {
    pub fn start() -> Result<Self, String> {
        let data_dir = tempfile::Builder::new()
            .prefix("jianban-e2e-server-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let mut command = Command::new(server_binary());
        command
            .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir.path())
            .env_remove("JIANBAN_DATABASE_URL")
            .env("JIANBAN_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut process = Guarded::spawn("jianban-server", command)?;
        let stdout = process.take_stdout().ok_or("no stdout from the server")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines
                .next()
                .ok_or("the server ended before it listened")?
                .map_err(|e| e.to_string())?;
            if let Some(rest) = line.strip_prefix("jianban-server listening on ") {
                break rest.trim().to_string();
            }
        };
        // Keep draining so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Self {
            url,
            data_dir,
            _process: process,
        })
    }

    /// Runs a subcommand of the server's CLI on this server's database.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        Command::new(server_binary())
            .args(args)
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .env_remove("JIANBAN_DATABASE_URL")
            .env("JIANBAN_LOG", "warn")
            .output()
            .expect("the server CLI runs")
    }
}

/// tauri-driver on a private display; the app it starts inherits `env`.
/// The native WebKitWebDriver listens on `port + 1` (tauri-driver's own
/// default, 4445, would collide with a driver started on 4445).
pub struct Driver {
    pub port: u16,
    _process: Guarded,
    _xvfb: Xvfb,
}

impl Driver {
    pub fn start(port: u16, env: &[(&str, &std::ffi::OsStr)]) -> Result<Self, String> {
        let xvfb = Xvfb::start()?;
        let mut command = Command::new(tauri_driver());
        command
            .args(["--port", &port.to_string()])
            .args(["--native-port", &(port + 1).to_string()])
            .env("DISPLAY", &xvfb.display)
            .env("NO_AT_BRIDGE", "1")
            // Secrets stay in the test's data directory, never in the
            // keyring of whoever runs the tests.
            .env("JIANBAN_NO_CREDENTIAL_STORE", "1");
        for (k, v) in env {
            command.env(k, v);
        }
        let mut process = Guarded::spawn("tauri-driver", command)
            .map_err(|e| format!("{e} (scripts/setup.sh installs tauri-driver)"))?;
        let driver = WebDriver::new(port);
        let up = wait_for(Duration::from_secs(30), Duration::from_millis(200), || {
            if let Some(status) = process.exited() {
                panic!("tauri-driver exited early ({status}); is port {port} in use?");
            }
            driver.is_up().then_some(())
        });
        up.ok_or_else(|| format!("tauri-driver did not listen on port {port}"))?;
        Ok(Self {
            port,
            _process: process,
            _xvfb: xvfb,
        })
    }

    pub fn webdriver(&self) -> WebDriver {
        WebDriver::new(self.port)
    }
}

/// Starts the app in a new session.
pub fn open_app(driver: &WebDriver) -> Session<'_> {
    driver
        .new_session(serde_json::json!({
            "tauri:options": { "application": app_binary().to_string_lossy() }
        }))
        .expect("a WebDriver session running the app")
}

/// The element(s) matching `css`, waiting up to `limit` for at least one.
pub fn wait_css(session: &Session<'_>, css: &str, limit: Duration) -> Option<Vec<String>> {
    wait_for(limit, Duration::from_millis(100), || {
        session.find_css(css).ok().filter(|v| !v.is_empty())
    })
}

/// `[data-testid="…"]`.
pub fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

/// Saves a PNG of the window in `dir`.
pub fn save_screenshot(session: &Session<'_>, dir: &Path, name: &str) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let path = dir.join(name);
    let png = session.screenshot().map_err(|e| e.to_string())?;
    if !png.starts_with(b"\x89PNG") {
        return Err("the screenshot is not a PNG".into());
    }
    std::fs::write(&path, png).map_err(|e| e.to_string())?;
    eprintln!("screenshot: {}", path.display());
    Ok(path)
}

/// Pids of the running app binary `exe` (the main process of the window).
pub fn app_pids(exe: &Path) -> Vec<u32> {
    let exe = std::fs::canonicalize(exe).unwrap_or_else(|_| exe.to_path_buf());
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == exe))
        .collect()
}

/// Every descendant of `root` (and `root`), from /proc's parent links.
pub fn process_tree(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // The command name may hold spaces; the parent pid follows ") S ".
            let after = &stat[stat.rfind(')')? + 2..];
            let ppid = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let p = tree[i];
        tree.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    tree
}

/// Proportional set size of one process in KiB (`/proc/PID/smaps_rollup`).
pub fn pss_kib(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    text.lines()
        .find(|l| l.starts_with("Pss:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

//! Smoke test of the release build: start the app on an empty data directory
//! (so it loads the demo data set), and check the assignment list shows it.
//!
//! Needs: the release binary (`JIANBAN_APP`, default
//! `<target dir>/release/jianban`), Xvfb, WebKitWebDriver and tauri-driver.
//! `scripts/test-all.sh` provides all of them and runs this test.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use jianban_e2e::display::Xvfb;
use jianban_e2e::process::Guarded;
use jianban_e2e::wait_for;
use jianban_e2e::webdriver::{Session, WebDriver};

const DRIVER_PORT: u16 = 4444;
const SUGGESTION_39_TITLE: &str = "推动我市民营经济高质量发展";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn app_binary() -> PathBuf {
    let path = std::env::var_os("JIANBAN_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| workspace_root().join("target"));
            target.join("release/jianban")
        });
    let path = std::path::absolute(&path).unwrap();
    assert!(
        path.is_file(),
        "the release build {} is missing: run scripts/test-all.sh, or build it and set JIANBAN_APP",
        path.display()
    );
    path
}

fn tauri_driver() -> PathBuf {
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

/// Saves a PNG of the window in tests/e2e/screenshots/.
fn save_screenshot(session: &Session<'_>, name: &str) -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join(name);
    let png = session.screenshot().map_err(|e| e.to_string())?;
    if !png.starts_with(b"\x89PNG") {
        return Err("the screenshot is not a PNG".into());
    }
    std::fs::write(&path, png).map_err(|e| e.to_string())?;
    eprintln!("screenshot: {}", path.display());
    Ok(path)
}

/// What the window shows once loading is over.
enum Loaded {
    Rows(usize),
    Error(String),
}

#[test]
fn the_assignment_list_shows_the_demo_data() {
    let app = app_binary();
    let data_dir = tempfile::Builder::new()
        .prefix("jianban-e2e-")
        .tempdir()
        .unwrap();
    let xvfb = Xvfb::start().expect("a virtual display");

    let mut command = Command::new(tauri_driver());
    command
        .args(["--port", &DRIVER_PORT.to_string()])
        .env("DISPLAY", &xvfb.display)
        .env("JIANBAN_DATA_DIR", data_dir.path())
        .env("NO_AT_BRIDGE", "1");
    // WEBKIT_DISABLE_COMPOSITING_MODE is not set here: the app chooses it
    // itself (src-tauri/src/rendering.rs), as it does on users' PCs. A value
    // from the environment is passed through and the app respects it.
    let mut driver_process = Guarded::spawn("tauri-driver", command)
        .expect("tauri-driver (scripts/setup.sh installs it with cargo install)");

    let driver = WebDriver::new(DRIVER_PORT);
    let up = wait_for(Duration::from_secs(30), Duration::from_millis(200), || {
        if let Some(status) = driver_process.exited() {
            panic!("tauri-driver exited early ({status}); is port {DRIVER_PORT} already in use?");
        }
        driver.is_up().then_some(())
    });
    assert!(
        up.is_some(),
        "tauri-driver did not listen on port {DRIVER_PORT}"
    );

    let session = driver
        .new_session(serde_json::json!({
            "tauri:options": { "application": app.to_string_lossy() }
        }))
        .expect("a WebDriver session running the app");

    let loaded = wait_for(Duration::from_secs(90), Duration::from_millis(250), || {
        let errors = session.find_css("[data-testid=\"load-error\"]").ok()?;
        if let Some(e) = errors.first() {
            return Some(Loaded::Error(session.text(e).unwrap_or_default()));
        }
        let rows = session
            .find_css("[data-testid=\"suggestion-number\"]")
            .ok()?;
        (!rows.is_empty()).then_some(Loaded::Rows(rows.len()))
    });
    // Taken before the assertions so a failing run leaves a picture behind.
    let screenshot = save_screenshot(&session, "assignments.png");

    // The list is virtualized: only the rows in view are in the page.
    let rendered = match loaded {
        Some(Loaded::Rows(n)) => n,
        Some(Loaded::Error(text)) => panic!("the window shows an error instead of rows: {text}"),
        None => panic!("no assignment rows appeared; screenshot: {screenshot:?}"),
    };
    let count = session
        .find_css("[data-testid=\"assignment-count\"]")
        .unwrap();
    let rows: usize = session.text(&count[0]).unwrap().trim().parse().unwrap();
    assert!(
        rows >= 40,
        "expected the demo's 40+ assignments, the workbench counts {rows}"
    );
    assert!(rendered <= rows);

    assert_eq!(session.title().unwrap(), "建办 — 代表建议办理");

    // Every row has a deadline badge or the no-deadline dash, and the badges
    // carry a known warning level (checked on the rows in view).
    let badges = session
        .find_css("[data-testid=\"deadline-badge\"]")
        .unwrap();
    let dashes = session.find_css("[data-testid=\"deadline-none\"]").unwrap();
    assert_eq!(badges.len() + dashes.len(), rendered);
    assert!(!badges.is_empty(), "no deadline badges");
    for badge in &badges {
        let level = session.attribute(badge, "data-warning").unwrap();
        assert!(
            matches!(
                level.as_deref(),
                Some("normal" | "within15Days" | "within7Days" | "within3Days" | "overdue")
            ),
            "unknown warning level {level:?}"
        );
    }

    // Typing 39 in the search box brings 第39号 into view.
    session
        .execute(
            "const i = document.querySelector('input[data-testid=\"search\"]');
             i.value = '39'; i.dispatchEvent(new Event('input', { bubbles: true }));",
        )
        .unwrap();
    let row_39 = wait_for(Duration::from_secs(10), Duration::from_millis(200), || {
        let found = session
            .find_xpath("//div[contains(@class, 'el-table-v2__row')][.//*[@data-testid='suggestion-number' and normalize-space(.)='第39号']]")
            .ok()?;
        (!found.is_empty()).then_some(found)
    })
    .unwrap_or_default();
    assert!(!row_39.is_empty(), "no row for 第39号");
    let texts: Vec<String> = row_39
        .iter()
        .map(|r| {
            let text = session.property(r, "textContent").unwrap();
            text.as_str().unwrap_or_default().to_owned()
        })
        .collect();
    assert!(
        texts.iter().any(|t| t.contains(SUGGESTION_39_TITLE)),
        "the 第39号 rows do not show its title: {texts:?}"
    );

    assert!(
        !session
            .find_css("[data-testid=\"key-mark\"]")
            .unwrap()
            .is_empty(),
        "the demo's key suggestions carry no 重点 mark"
    );

    // The window's capability grants the app's own commands and nothing from
    // Tauri's core plugins: a core command is refused by the release build.
    let invoke = |command: &str| {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('{command}')
               .then(v => done({{ ok: true, rows: Array.isArray(v) ? v.length : null }}),
                     e => done({{ ok: false, error: String(e && e.message || e) }}));"
        );
        session.execute_async(&script).unwrap()
    };
    let own = invoke("list_assignments");
    assert_eq!(own["ok"], true, "list_assignments was refused: {own}");
    assert_eq!(own["rows"], rows as u64);
    let core = invoke("plugin:app|version");
    assert_eq!(
        core["ok"], false,
        "a core command the window was not granted went through: {core}"
    );
    assert!(
        core["error"]
            .as_str()
            .unwrap_or_default()
            .contains("not allowed"),
        "refused for another reason than the ACL: {core}"
    );

    let screenshot = screenshot.expect("a screenshot of the window");
    assert!(screenshot.is_file());

    session.close().expect("closing the session");
    drop(driver_process);
    drop(xvfb);

    // The app used the data directory it was given, and nothing else.
    // No server configured: the local demo store.
    assert!(data_dir.path().join("local-demo.sqlite3").is_file());
    let logs: Vec<_> = std::fs::read_dir(data_dir.path().join("logs"))
        .expect("a logs folder in the data directory")
        .collect();
    assert!(!logs.is_empty(), "no log file was written");
}

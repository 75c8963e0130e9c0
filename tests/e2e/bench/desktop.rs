//! Desktop benchmark (a program, not a test): the release app under Xvfb
//! through tauri-driver, on a local store of 10,000 assignments.
//!
//!     scripts/bench-desktop.sh
//!
//! (builds the release app, then runs
//! `cargo run --release -p jianban-e2e --features e2e --bin desktop-bench`).
//! Prints:
//! - cold start: from asking tauri-driver for a session (which starts the
//!   app) to a workbench that shows the 10,000 assignments and answers
//!   (median of 5 starts; includes starting WebKitWebDriver);
//! - memory: PSS of the app and every process it started (the WebKit web
//!   and network processes), summed, with the workbench open: 2 s after it
//!   is ready, and after it has sat idle for 10 s (the figure recorded);
//! - keystrokes: for 200 characters typed into the reply editor while
//!   autosave and the live preview run, the time from each key event to
//!   the next animation frame (the frame that paints it).

use std::time::{Duration, Instant};

use jianban_domain::demo::{demo_data, scaled, DemoData};
use jianban_e2e::harness::*;
use jianban_e2e::wait_for;
use jianban_e2e::webdriver::Session;
use jianban_store::Store;

const DRIVER_PORT: u16 = 4446;
const ASSIGNMENTS: usize = 10_000;
const STARTS: usize = 5;
/// Seconds after the workbench is ready when memory is read.
const SETTLE_SECS: u64 = 10;

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The workbench shows every assignment and has painted rows.
fn workbench_ready(session: &Session<'_>) -> bool {
    let Ok(counts) = session.find_css(&testid("assignment-count")) else {
        return false;
    };
    let Some(count) = counts.first() else {
        return false;
    };
    let text = session
        .property(count, "textContent")
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    text.trim() == ASSIGNMENTS.to_string()
        && session
            .find_css(&testid("suggestion-number"))
            .is_ok_and(|rows| !rows.is_empty())
}

/// 10,000 assignments, all of the unit whose liaison the local demo logs in
/// (as a unit's own store holds only its cases), so the editor saves.
fn one_units_store() -> DemoData {
    let demo = demo_data();
    let liaison = demo
        .users
        .iter()
        .find(|u| u.id.as_str() == "fgw-liaison")
        .expect("the demo liaison")
        .clone();
    let unit_id = liaison.unit.clone().expect("the liaison's unit");
    let mut data = scaled(ASSIGNMENTS);
    data.units
        .push(demo.unit(&unit_id).expect("the liaison's unit").clone());
    data.users.push(liaison);
    for a in &mut data.assignments {
        a.unit_id = unit_id.clone();
    }
    data
}

/// Each of the app's processes (the app and every process it started) by
/// name, with its PSS in KiB.
fn app_processes() -> Vec<(String, u64)> {
    let app = app_binary();
    app_pids(&app)
        .into_iter()
        .flat_map(process_tree)
        .filter_map(|pid| {
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
            Some((name.trim().to_owned(), pss_kib(pid)?))
        })
        .collect()
}

fn app_pss_mib() -> f64 {
    let kib: u64 = app_processes().iter().map(|(_, k)| k).sum();
    kib as f64 / 1024.0
}

fn main() {
    let data_dir = tempfile::Builder::new()
        .prefix("jianban-bench-")
        .tempdir()
        .unwrap();
    let t = Instant::now();
    {
        // The local store the app opens when no server is configured.
        let mut store = Store::open(&data_dir.path().join("local-demo.sqlite3")).unwrap();
        let today = chrono::Local::now().date_naive();
        store.import_demo_as_of(&one_units_store(), today).unwrap();
    }
    println!(
        "(a local store of {ASSIGNMENTS} assignments with drafts built in {:.1} s)",
        t.elapsed().as_secs_f64()
    );

    let driver = Driver::start(
        DRIVER_PORT,
        &[("JIANBAN_DATA_DIR", data_dir.path().as_os_str())],
    )
    .expect("tauri-driver on a virtual display");
    let wd = driver.webdriver();

    let mut starts = Vec::new();
    let mut pss = Vec::new();
    let mut pss_early = Vec::new();
    for i in 0..STARTS {
        let t = Instant::now();
        let session = open_app(&wd);
        let ready = wait_for(Duration::from_secs(120), Duration::from_millis(10), || {
            workbench_ready(&session).then_some(())
        });
        let elapsed = t.elapsed();
        assert!(
            ready.is_some(),
            "the workbench never showed {ASSIGNMENTS} assignments"
        );
        starts.push(elapsed);
        // Memory right after the first paint, and once the window has sat
        // idle (as it does on a desk) and the web view's garbage collector
        // has run.
        std::thread::sleep(Duration::from_secs(2));
        pss_early.push(app_pss_mib());
        std::thread::sleep(Duration::from_secs(SETTLE_SECS - 2));
        pss.push(app_pss_mib());
        println!(
            "start {}: {} to an interactive workbench",
            i + 1,
            ms(elapsed)
        );
        if i + 1 < STARTS {
            session.close().unwrap();
            let app = app_binary();
            wait_for(Duration::from_secs(30), Duration::from_millis(50), || {
                app_pids(&app).is_empty().then_some(())
            })
            .expect("the app exits when its session closes");
        } else {
            for (name, kib) in app_processes() {
                println!("  {name}: {:.0} MB", kib as f64 / 1024.0 * 1.048_576);
            }
            keystrokes(&session);
            session.close().unwrap();
        }
    }
    println!(
        "cold start to an interactive workbench with {ASSIGNMENTS} assignments: median {} (target 1500 ms)",
        ms(median(starts))
    );
    pss.sort_by(|a, b| a.total_cmp(b));
    pss_early.sort_by(|a, b| a.total_cmp(b));
    println!(
        "memory of all the app's processes (PSS) with that store open, {SETTLE_SECS} s after start: median {:.0} MB, max {:.0} MB (target 300 MB); 2 s after start: median {:.0} MB",
        pss[pss.len() / 2] * 1.048_576,
        pss[pss.len() - 1] * 1.048_576,
        pss_early[pss_early.len() / 2] * 1.048_576
    );
}

/// Types into the reply editor of one case and reads, for each key event,
/// how long until the next animation frame began.
fn keystrokes(session: &Session<'_>) {
    // Open the first row's case, then its editor.
    let row = wait_css(
        session,
        &testid("assignment-title"),
        Duration::from_secs(30),
    )
    .expect("rows")
    .remove(0);
    session.click(&row).unwrap();
    let edit = wait_css(session, &testid("action-edit"), Duration::from_secs(30))
        .expect("the case can be edited")
        .remove(0);
    session.click(&edit).unwrap();
    let body_css = "textarea[data-testid=\"body\"], [data-testid=\"body\"] textarea";
    let body = wait_css(session, body_css, Duration::from_secs(30))
        .expect("the editor")
        .remove(0);
    session
        .execute(&format!(
            "window.__lat = [];
             const ta = document.querySelector('{}');
             ta.addEventListener('keydown', (e) => {{
               const t0 = e.timeStamp;
               requestAnimationFrame((t1) => window.__lat.push(t1 - t0));
             }});
             return true;",
            body_css.replace('\'', "\\'")
        ))
        .unwrap();
    let text: String = "经认真研究现答复如下我局高度重视代表建议办理工作".repeat(9);
    let text: String = text.chars().take(200).collect();
    // One WebDriver call per key so each is its own event with its own frame.
    for ch in text.chars() {
        session.send_keys(&body, &ch.to_string()).unwrap();
    }
    std::thread::sleep(Duration::from_secs(2));
    let lat = session.execute("return window.__lat;").unwrap();
    let mut lat: Vec<f64> = lat
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    lat.sort_by(|a, b| a.total_cmp(b));
    let n = lat.len();
    assert!(n >= 150, "only {n} key events were measured");
    let within = lat.iter().filter(|&&l| l <= 1000.0 / 60.0).count();
    println!(
        "keystroke to next frame while autosave and preview run ({n} keys): median {:.1} ms, p95 {:.1} ms, max {:.1} ms; {within}/{n} within one 60 Hz frame (16.7 ms)",
        lat[n / 2],
        lat[n * 95 / 100],
        lat[n - 1]
    );
}

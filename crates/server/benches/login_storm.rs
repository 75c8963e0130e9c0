//! Login-storm benchmark (run by hand; results in BENCHMARKS.md):
//!
//!     cargo bench -p jianban-server --bench login_storm
//!
//! Starts the release `jianban-server serve --demo` on 127.0.0.1 (SQLite in
//! a temporary directory) and measures from this process over loopback:
//! - login p50 with the right password (argon2id included), no storm;
//! - the change feed's p50/p99 (a unit's first page of 100 changes) at a
//!   paced 1,000 requests/s, first alone, then during a login storm: 200
//!   threads each sending one wrong password at the start of every second
//!   (half at one account, half spread over forty other accounts and ten
//!   unknown names). Target p99 ≤ 50 ms. Then, beyond the target, a flood:
//!   the same 200 threads sending back to back.
//!
//! Every loop is bounded in time and stops by itself.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const PASSWORD: &str = jianban_domain::demo::DEMO_PASSWORD;
const FEED_PER_SECOND: u64 = 1_000;
const FEED_CLIENTS: u64 = 8;
const SECONDS: u64 = 10;
const STORM_THREADS: usize = 200;
const LOGINS: usize = 30;

struct Server {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_jianban-server"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("JIANBAN_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(rest) = line.strip_prefix("jianban-server listening on ") {
            break rest.to_string();
        }
    };
    std::thread::spawn(move || for _ in lines.by_ref() {});
    Server {
        child,
        base,
        _dir: dir,
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build()
}

/// (status, code) of one login.
fn login(
    agent: &ureq::Agent,
    base: &str,
    user: &str,
    password: &str,
    device: &str,
) -> (u16, Value) {
    let r = agent
        .post(&format!("{base}/v1/auth/login"))
        .set("X-Jianban-Protocol", "1")
        .send_json(json!({"username": user, "password": password, "device_id": device, "device_name": "bench"}));
    match r {
        Ok(r) => (r.status(), r.into_json().unwrap_or(Value::Null)),
        Err(ureq::Error::Status(s, r)) => (s, r.into_json().unwrap_or(Value::Null)),
        Err(e) => panic!("login {user}: {e}"),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The change feed at a paced rate (open loop: each client keeps its own
/// schedule, and a late answer counts from when the request was due).
fn feed_latencies(base: &str, token: &str) -> (Vec<Duration>, usize) {
    let out = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new(0usize));
    let interval = Duration::from_nanos(1_000_000_000 * FEED_CLIENTS / FEED_PER_SECOND);
    let threads: Vec<_> = (0..FEED_CLIENTS)
        .map(|k| {
            let (out, errors) = (out.clone(), errors.clone());
            let (base, token) = (base.to_string(), token.to_string());
            std::thread::spawn(move || {
                let agent = agent();
                let start = Instant::now() + interval * k as u32 / FEED_CLIENTS as u32;
                let mut mine = Vec::new();
                let mut n = 0u32;
                loop {
                    let due = start + interval * n;
                    if due.duration_since(start) >= Duration::from_secs(SECONDS) {
                        break;
                    }
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let ok = match agent
                        .get(&format!("{base}/v1/sync/changes?after=0&limit=100"))
                        .set("X-Jianban-Protocol", "1")
                        .set("Authorization", &format!("Bearer {token}"))
                        .call()
                    {
                        // The whole body is read: the time is the answer's.
                        Ok(r) => r.into_string().is_ok(),
                        Err(_) => false,
                    };
                    mine.push(Instant::now() - due);
                    if !ok {
                        *errors.lock().unwrap() += 1;
                    }
                    n += 1;
                }
                out.lock().unwrap().extend(mine);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut v = std::mem::take(&mut *out.lock().unwrap());
    v.sort();
    let e = *errors.lock().unwrap();
    (v, e)
}

fn report(label: &str, lat: &[Duration], errors: usize) {
    println!(
        "{label}: {} requests in {SECONDS} s ({}/s), p50 {}, p99 {}, max {}, errors {errors}",
        lat.len(),
        lat.len() as u64 / SECONDS,
        ms(percentile(lat, 0.5)),
        ms(percentile(lat, 0.99)),
        ms(percentile(lat, 1.0)),
    );
}

fn main() {
    let server = start();
    let base = server.base.clone();
    println!("server: {base} (release build, SQLite, demo data)");

    // Login p50, right password, one at a time, no storm.
    let a = agent();
    let mut times = Vec::new();
    for i in 0..LOGINS {
        let t = Instant::now();
        let (status, body) = login(&a, &base, "office1", PASSWORD, &format!("bench-login-{i}"));
        times.push(t.elapsed());
        assert_eq!(status, 200, "{body}");
    }
    times.sort();
    println!(
        "login, right password (argon2id), {LOGINS} in a row: p50 {}, p99 {}",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );

    let (_, body) = login(&a, &base, "zjj-liaison", PASSWORD, "bench-feed");
    let token = body["access_token"].as_str().unwrap().to_string();

    let (alone, e) = feed_latencies(&base, &token);
    report("change feed alone, first page of 100", &alone, e);

    let mut others: Vec<String> = jianban_domain::demo::demo_data()
        .users
        .iter()
        .map(|u| u.id.as_str().to_string())
        .filter(|u| u != "fgw-liaison" && u != "zjj-liaison" && u != "office1")
        .take(40)
        .collect();
    others.extend((0..10).map(|i| format!("ghost-{i}")));
    let p99 = feed_under_storm(&base, &token, &others, Storm::Wave);
    println!(
        "target: change-feed p99 under the storm ≤ 50 ms: {}",
        if p99 <= Duration::from_millis(50) {
            "met"
        } else {
            "MISSED"
        }
    );
    feed_under_storm(&base, &token, &others, Storm::Flood);
}

/// How the storm's 200 threads send: `wave`: each thread one wrong login at
/// the start of every second (200 parallel logins each second); `flood`:
/// each thread back to back, as fast as the server answers.
#[derive(Clone, Copy, PartialEq)]
enum Storm {
    Wave,
    Flood,
}

fn feed_under_storm(base: &str, token: &str, others: &[String], storm: Storm) -> Duration {
    let stop = Arc::new(AtomicBool::new(false));
    let counts = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
    let t0 = Instant::now();
    let threads: Vec<_> = (0..STORM_THREADS)
        .map(|i| {
            let user = if i % 2 == 0 {
                "fgw-liaison".to_string()
            } else {
                others[i / 2 % others.len()].clone()
            };
            let (stop, counts, base) = (stop.clone(), counts.clone(), base.to_string());
            std::thread::spawn(move || {
                let a = agent();
                let mut n = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    if storm == Storm::Wave {
                        let due = t0 + Duration::from_secs(n as u64);
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                    }
                    let (status, body) = login(
                        &a,
                        &base,
                        &user,
                        &format!("guess-{i}-{n}"),
                        &format!("storm-{i}"),
                    );
                    let key = format!("{status} {}", body["code"].as_str().unwrap_or(""));
                    *counts.lock().unwrap().entry(key).or_default() += 1;
                    n += 1;
                }
            })
        })
        .collect();
    let (lat, e) = feed_latencies(base, token);
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    let label = match storm {
        Storm::Wave => {
            "change feed during the login storm (200 parallel wrong logins every second)"
        }
        Storm::Flood => {
            "change feed during the login flood (200 threads, wrong logins back to back)"
        }
    };
    report(label, &lat, e);
    let counts = counts.lock().unwrap();
    let total: usize = counts.values().sum();
    let mut list: Vec<_> = counts.iter().collect();
    list.sort();
    println!("  {total} wrong logins, answers {list:?}");
    percentile(&lat, 0.99)
}

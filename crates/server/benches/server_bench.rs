//! Server benchmark (run by hand; results in crates/server/BENCHMARKS.md):
//!
//!     cargo bench -p jianban-server --bench server_bench
//!
//! Starts the built `jianban-server` on 127.0.0.1 with SQLite in a temporary
//! directory, loads 10,000 assignments over 200 units through the office
//! API, then measures, from this process over loopback:
//! - one unit's full pull of its change feed (target ≤ 1 s);
//! - change-feed requests per second from concurrent keep-alive clients,
//!   for a fixed time (target ≥ 1,000/s on 2 cores);
//! - one push of 1,000 commands (target ≤ 2 s).
//!
//! Every loop is bounded in count or time and stops by itself.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const UNITS: usize = 200;
const SUGGESTIONS: usize = 10_000;
const PASSWORD: &str = "bench-password";
const LOAD_SECONDS: u64 = 10;
const LOAD_CLIENTS: usize = 4;

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
    let exe = env!("CARGO_BIN_EXE_jianban-server");
    let mut add = Command::new(exe)
        .args([
            "add-user",
            "--id",
            "admin",
            "--name",
            "管理员",
            "--role",
            "office_staff",
            "--data-dir",
        ])
        .arg(dir.path())
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(PASSWORD.as_bytes())
        .unwrap();
    assert!(add.wait().unwrap().success());
    let mut child = Command::new(exe)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("JIANBAN_LOG", "warn")
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

struct Client {
    agent: ureq::Agent,
    base: String,
    token: String,
    device: String,
}

impl Client {
    fn login(base: &str, user: &str, device: &str) -> Client {
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(600))
            .build();
        let r: Value = agent
            .post(&format!("{base}/v1/auth/login"))
            .set("X-Jianban-Protocol", "1")
            .send_json(json!({"username": user, "password": PASSWORD, "device_id": device, "device_name": "bench"}))
            .unwrap()
            .into_json()
            .unwrap();
        Client {
            agent,
            base: base.to_string(),
            token: r["access_token"].as_str().unwrap().to_string(),
            device: device.to_string(),
        }
    }

    fn req(&self, method: &str, path: &str) -> ureq::Request {
        self.agent
            .request(method, &format!("{}{path}", self.base))
            .set("X-Jianban-Protocol", "1")
            .set("Authorization", &format!("Bearer {}", self.token))
    }

    fn post(&self, path: &str, body: Value) -> Value {
        match self.req("POST", path).send_json(body) {
            Ok(r) => r.into_json().unwrap_or(Value::Null),
            Err(ureq::Error::Status(s, r)) => panic!("{path}: {s} {}", r.into_string().unwrap()),
            Err(e) => panic!("{path}: {e}"),
        }
    }

    fn get(&self, path: &str) -> Value {
        self.req("GET", path).call().unwrap().into_json().unwrap()
    }
}

fn main() {
    let server = start();
    let office = Client::login(&server.base, "admin", "bench-office");

    let t = Instant::now();
    for u in 0..UNITS {
        office.post(
            "/v1/office/units",
            json!({"id": format!("u{u:03}"), "name": format!("单位{u:03}")}),
        );
    }
    for u in 0..2 {
        office.post(
            "/v1/office/users",
            json!({"id": format!("u{u:03}-liaison"), "name": "联络员", "role": "liaison", "unit_id": format!("u{u:03}"), "password": PASSWORD}),
        );
    }
    let mut csv = String::from("建议号,标题,领衔代表,代表团,内容\n");
    for n in 1..=SUGGESTIONS {
        csv.push_str(&format!(
            "{n},关于第{n}项民生工作的建议,代表{},代表团{},建议加强统筹协调，明确责任分工。\n",
            n % 300,
            n % 10
        ));
    }
    let r = office
        .req(
            "POST",
            "/v1/office/import?session_id=bench&session_name=基准测试会议&year=2026",
        )
        .send_bytes(csv.as_bytes())
        .unwrap()
        .into_json::<Value>()
        .unwrap();
    assert_eq!(r["imported"], SUGGESTIONS);
    for chunk in (1..=SUGGESTIONS).collect::<Vec<_>>().chunks(1000) {
        let items: Vec<_> = chunk
            .iter()
            .map(|n| json!({"suggestion_id": format!("bench-{n}"), "units": [{"unit_id": format!("u{:03}", n % UNITS), "role": "lead"}]}))
            .collect();
        office.post("/v1/office/assign", json!({"items": items}));
    }
    println!(
        "setup: {UNITS} units, {SUGGESTIONS} suggestions imported and assigned in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // One unit's full pull from an empty cursor.
    let unit = Client::login(&server.base, "u000-liaison", "bench-unit");
    let mut pulls = Vec::new();
    let mut head = 0;
    let mut count = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let mut after = 0;
        count = 0;
        loop {
            let page = unit.get(&format!("/v1/sync/changes?after={after}&limit=5000"));
            count += page["changes"].as_array().unwrap().len();
            after = page["next_after"].as_i64().unwrap();
            if !page["has_more"].as_bool().unwrap() {
                break;
            }
        }
        head = after;
        pulls.push(t.elapsed());
    }
    pulls.sort();
    println!(
        "full pull of one unit ({count} changes, {} assignments): median {:.1} ms (target ≤ 1000 ms)",
        SUGGESTIONS / UNITS,
        pulls[pulls.len() / 2].as_secs_f64() * 1000.0
    );
    let office_t = Instant::now();
    let mut after = 0;
    let mut office_count = 0;
    loop {
        let page = office.get(&format!("/v1/sync/changes?after={after}&limit=5000"));
        office_count += page["changes"].as_array().unwrap().len();
        after = page["next_after"].as_i64().unwrap();
        if !page["has_more"].as_bool().unwrap() {
            break;
        }
    }
    println!(
        "full pull of the office ({office_count} changes): {:.0} ms",
        office_t.elapsed().as_secs_f64() * 1000.0
    );

    // Change-feed throughput: keep-alive clients poll for a fixed time.
    for (label, path) in [
        (
            "poll at the head (empty page)",
            format!("/v1/sync/changes?after={head}"),
        ),
        (
            "first page of 100 changes",
            "/v1/sync/changes?after=0&limit=100".to_string(),
        ),
    ] {
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicU64::new(0));
        let clients: Vec<_> = (0..LOAD_CLIENTS)
            .map(|i| {
                let c = Client::login(&server.base, "u000-liaison", &format!("bench-load-{i}"));
                let (stop, done, path) = (stop.clone(), done.clone(), path.clone());
                std::thread::spawn(move || {
                    let deadline = Instant::now() + Duration::from_secs(LOAD_SECONDS + 5);
                    while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                        let r = c.req("GET", &path).call().unwrap();
                        let _ = r.into_string().unwrap();
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        let t = Instant::now();
        std::thread::sleep(Duration::from_secs(LOAD_SECONDS));
        stop.store(true, Ordering::Relaxed);
        let n = done.load(Ordering::Relaxed);
        let secs = t.elapsed().as_secs_f64();
        for c in clients {
            c.join().unwrap();
        }
        println!(
            "change feed, {label}: {n} requests in {secs:.1} s from {LOAD_CLIENTS} clients = {:.0} requests/s (target ≥ 1000/s)",
            n as f64 / secs
        );
    }

    // A push of 1,000 commands: receive the unit's cases, then contacts.
    let pusher = Client::login(&server.base, "u001-liaison", "bench-push");
    let cases: Vec<String> = (1..=SUGGESTIONS)
        .filter(|n| n % UNITS == 1)
        .map(|n| format!("bench-{n}-u001"))
        .collect();
    let mut commands = Vec::new();
    for (i, id) in cases.iter().enumerate() {
        commands.push(json!({"seq": i + 1, "command_id": format!("c{i}"), "assignment_id": id, "base_version": 0,
            "kind": "receive", "payload": {"type": "receive"}, "created_at": "2026-01-05T09:00:00"}));
    }
    while commands.len() < 1000 {
        let seq = commands.len() + 1;
        let id = &cases[seq % cases.len()];
        commands.push(json!({"seq": seq, "command_id": format!("c{seq}"), "assignment_id": id, "base_version": 0,
            "kind": "record_contact", "created_at": "2026-01-05T09:00:00",
            "payload": {"contact": {"id": format!("k{seq}"), "assignment_id": id, "mode": "phone", "date": "2026-01-05",
                "people": "代表；联络员", "summary": "电话沟通办理进展。"}}}));
    }
    let t = Instant::now();
    let r = pusher.post(
        "/v1/sync/push",
        json!({"device_id": pusher.device, "commands": commands}),
    );
    let took = t.elapsed();
    let applied = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["status"] == "applied")
        .count();
    assert_eq!(applied, 1000, "{}", r["results"][0]);
    println!(
        "push of 1000 commands: {:.0} ms, {applied} applied (target ≤ 2000 ms)",
        took.as_secs_f64() * 1000.0
    );
}

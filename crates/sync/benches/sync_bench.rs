//! Sync benchmarks against the real server on loopback (a program, not a
//! test). Run:
//!
//!     cargo build --release -p jianban-server
//!     cargo bench -p jianban-sync --bench sync_bench
//!
//! Seeds the server (demo data plus 2,000 suggestions assigned to one unit)
//! and prints the median of: a unit's first sync, a sync with nothing new,
//! and a sync that pushes 1,000 queued commands.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jianban_domain::demo::DEMO_PASSWORD;
use jianban_domain::*;
use jianban_protocol::{AssignItem, AssignRequest, UnitPart, PROTOCOL_HEADER};
use jianban_store::Store;
use jianban_sync::{Credentials, ServerClient, ServerConfig, SyncEngine};

const UNIT_USER: &str = "zjj-liaison";

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn desktop(dir: &std::path::Path, url: &str) -> SyncEngine {
    let mut store = Store::open(&dir.join("jianban.sqlite3")).unwrap();
    let device = store.device_id().unwrap();
    let client = ServerClient::new(
        ServerConfig::new(url),
        device,
        "基准测试",
        Some(Credentials::Password {
            username: UNIT_USER.into(),
            password: DEMO_PASSWORD.into(),
        }),
    )
    .unwrap();
    SyncEngine::new(store, client)
}

fn main() {
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("jianban-server");
    assert!(
        bin.exists(),
        "build the server first: cargo build --release -p jianban-server"
    );
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let _server = Server(
        Command::new(bin)
            .args([
                "serve",
                "--demo",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(data.path())
            .env("JIANBAN_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while ureq::get(&format!("{url}/healthz")).call().is_err() {
        assert!(started.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(50));
    }

    // Seed: 2,000 more suggestions, all assigned to 市住房城乡建设局.
    let office =
        ServerClient::new(ServerConfig::new(&url), "bench-office", "基准测试", None).unwrap();
    let token = office.login("office1", DEMO_PASSWORD).unwrap().access_token;
    let mut csv = String::from("建议号,标题,领衔代表,内容\n");
    for n in 0..2000 {
        csv.push_str(&format!(
            "{},关于加强城市管理第{n}项工作的建议,张建国,建议加强城市精细化管理，完善基础设施，第{n}项。\n",
            1000 + n
        ));
    }
    let report: jianban_protocol::ImportReport =
        ureq::post(&format!("{url}/v1/office/import?session_id=2024-s6-3"))
            .set(PROTOCOL_HEADER, "1")
            .set("Authorization", &format!("Bearer {token}"))
            .set("Content-Type", "text/csv")
            .send_bytes(csv.as_bytes())
            .unwrap()
            .into_json()
            .unwrap();
    let items: Vec<AssignItem> = report
        .suggestion_ids
        .iter()
        .map(|id| AssignItem {
            suggestion_id: id.clone(),
            units: vec![UnitPart {
                unit_id: "zjj".into(),
                role: HandlingRole::Lead,
            }],
        })
        .collect();
    let _: serde_json::Value = office
        .post(
            "/v1/office/assign",
            &AssignRequest {
                items,
                assigned_on: None,
            },
        )
        .unwrap();

    // 1. A unit's first sync (fresh store each time).
    let mut firsts = Vec::new();
    let mut assignments = 0;
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let mut engine = desktop(dir.path(), &url);
        let t = Instant::now();
        engine.sync_once().unwrap();
        firsts.push(t.elapsed());
        assignments = engine
            .store()
            .workbench_items(chrono::Local::now().date_naive())
            .unwrap()
            .len();
    }
    println!(
        "first sync of a unit with {assignments} assignments: median {}",
        ms(median(firsts))
    );

    // 2. Nothing new.
    let dir = tempfile::tempdir().unwrap();
    let mut engine = desktop(dir.path(), &url);
    engine.sync_once().unwrap();
    let mut quiet = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let r = engine.sync_once().unwrap();
        quiet.push(t.elapsed());
        assert_eq!((r.pushed, r.pulled), (0, 0));
    }
    println!("sync with nothing new: median {}", ms(median(quiet)));

    // 3. 1,000 queued commands (signing for receipt of 1,000 cases).
    let actor = Actor {
        user: UserId::new(UNIT_USER),
        name: "联络员".into(),
        role: UserRole::Liaison,
        unit: Some(UnitId::new("zjj")),
    };
    let now = chrono::Local::now().naive_local();
    let waiting: Vec<String> = engine
        .store()
        .workbench_items(now.date())
        .unwrap()
        .into_iter()
        .filter(|r| r.state == CaseState::AwaitingReceipt)
        .map(|r| r.assignment_id)
        .take(1000)
        .collect();
    for id in &waiting {
        engine
            .store()
            .apply(id, &Action::Receive, &actor, now)
            .unwrap();
    }
    let t = Instant::now();
    let r = engine.sync_once().unwrap();
    let took = t.elapsed();
    assert_eq!(r.pushed, waiting.len() as u64);
    println!(
        "sync pushing {} queued commands (and pulling their results): {}",
        waiting.len(),
        ms(took)
    );
}

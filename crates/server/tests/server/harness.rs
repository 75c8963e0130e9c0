//! Runs the real `jianban-server` binary on 127.0.0.1 against SQLite or
//! PostgreSQL, and talks to it over HTTP.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::{json, Value};

pub const DEMO_PASSWORD: &str = jianban_domain::demo::DEMO_PASSWORD;

#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    Postgres { url: String },
}

impl Backend {
    /// PostgreSQL from `JIANBAN_TEST_PG_URL`. Without it the test fails
    /// (so a green run always covered both databases) unless
    /// `JIANBAN_TEST_PG=off` says to leave PostgreSQL out on purpose.
    pub fn postgres() -> Option<Backend> {
        match std::env::var("JIANBAN_TEST_PG_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres { url }),
            _ if std::env::var("JIANBAN_TEST_PG").as_deref() == Ok("off") => {
                eprintln!("JIANBAN_TEST_PG=off: PostgreSQL variant not run");
                None
            }
            _ => panic!(
                "JIANBAN_TEST_PG_URL is not set. Start the test database with \
                 `export JIANBAN_TEST_PG_URL=\"$(scripts/pg-test.sh)\"` (as root), \
                 or set JIANBAN_TEST_PG=off to leave PostgreSQL out explicitly."
            ),
        }
    }
}

/// Runs a scenario once per database.
#[macro_export]
macro_rules! both {
    ($scenario:ident) => {
        mod $scenario {
            #[test]
            fn sqlite() {
                super::$scenario(&$crate::harness::Backend::Sqlite);
            }
            #[test]
            fn postgres() {
                if let Some(b) = $crate::harness::Backend::postgres() {
                    super::$scenario(&b);
                }
            }
        }
    };
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct Server {
    child: Option<Child>,
    pub base: String,
    backend: Backend,
    schema: Option<String>,
    dir: tempfile::TempDir,
    demo: bool,
    tls: Option<(String, String)>,
}

impl Server {
    pub fn start(backend: &Backend) -> Server {
        Self::start_with(backend, true, &[])
    }

    pub fn start_with(backend: &Backend, demo: bool, env: &[(&str, &str)]) -> Server {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let schema = match backend {
            Backend::Sqlite => None,
            // A fresh schema per test run: nothing left from an earlier run.
            Backend::Postgres { .. } => Some(format!("t_{}_{}_{}", std::process::id(), n, nanos)),
        };
        let mut s = Server {
            child: None,
            base: String::new(),
            backend: backend.clone(),
            schema,
            dir: tempfile::tempdir().unwrap(),
            demo,
            tls: None,
        };
        s.spawn(env);
        s
    }

    /// SQLite without demo data, serving HTTPS with the given PEM files.
    pub fn start_tls(backend: &Backend, cert: &str, key: &str) -> Server {
        let mut s = Server {
            child: None,
            base: String::new(),
            backend: backend.clone(),
            schema: None,
            dir: tempfile::tempdir().unwrap(),
            demo: false,
            tls: None,
        };
        s.tls = Some((cert.to_string(), key.to_string()));
        s.spawn(&[]);
        s
    }

    fn spawn(&mut self, env: &[(&str, &str)]) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_jianban-server"));
        cmd.arg("serve")
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(["--listen", "127.0.0.1:0"])
            .env("JIANBAN_LOG", "warn")
            .env_remove("JIANBAN_DATABASE_URL")
            .env_remove("JIANBAN_FAULT_KILL_AFTER_PUSH_COMMIT")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if self.demo {
            cmd.arg("--demo");
        }
        if let Some((cert, key)) = &self.tls {
            cmd.args(["--tls-cert", cert, "--tls-key", key]);
        }
        if let Backend::Postgres { url } = &self.backend {
            cmd.args(["--database-url", url]);
            cmd.args(["--database-schema", self.schema.as_deref().unwrap()]);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("the server binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("the server prints its address before anything fails")
                .unwrap();
            if let Some(rest) = line.strip_prefix("jianban-server listening on ") {
                break rest.trim().to_string();
            }
        };
        // Keep draining so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        self.base = base;
        self.child = Some(child);
    }

    /// SIGKILL: no shutdown, no flush beyond what was committed.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Waits for a process that ended by itself (e.g. fault injection).
    pub fn wait_exit(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.wait();
        }
    }

    pub fn restart(&mut self, env: &[(&str, &str)]) {
        self.kill();
        self.spawn(env);
    }

    /// Runs a CLI subcommand on this server's database, with `stdin` as
    /// its standard input; panics when it fails.
    pub fn cli(&self, backend: &Backend, args: &[&str], stdin: &str) -> String {
        use std::io::Write;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_jianban-server"));
        cmd.args(args)
            .arg("--data-dir")
            .arg(self.dir.path())
            .env("JIANBAN_LOG", "warn")
            .env_remove("JIANBAN_DATABASE_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Backend::Postgres { url } = backend {
            cmd.args(["--database-url", url]);
            cmd.args(["--database-schema", self.schema.as_deref().unwrap()]);
        }
        let mut child = cmd.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The server's data directory (its SQLite database, its key file).
    pub fn data_dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub fn anon(&self) -> Client {
        Client::new(&self.base, None)
    }

    /// Runs SQL on this server's database behind its back: for what a test
    /// cannot wait for, such as a session that started weeks ago.
    pub fn exec_sql(&self, sql: &str) {
        match &self.backend {
            Backend::Sqlite => {
                let c = rusqlite::Connection::open(self.dir.path().join("server.sqlite3")).unwrap();
                c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
                c.execute_batch(sql).unwrap();
            }
            Backend::Postgres { url } => {
                let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
                let schema = self.schema.as_deref().unwrap();
                c.batch_execute(&format!("SET search_path TO {schema}; {sql}"))
                    .unwrap();
            }
        }
    }

    /// Logs in `user` from a new device.
    pub fn login(&self, user: &str) -> Client {
        self.login_device(
            user,
            &format!("dev-{user}-{}", COUNTER.fetch_add(1, Ordering::SeqCst)),
        )
    }

    pub fn login_device(&self, user: &str, device: &str) -> Client {
        let mut c = self.anon();
        let r = c.post(
            "/v1/auth/login",
            &json!({"username": user, "password": DEMO_PASSWORD, "device_id": device, "device_name": "测试电脑"}),
        );
        assert_eq!(r.status, 200, "login {user}: {}", r.body);
        c.token = Some(r.body["access_token"].as_str().unwrap().to_string());
        c.device = device.to_string();
        c.user = r.body["user"].clone();
        c
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        if let (Backend::Postgres { url }, Some(schema)) = (&self.backend, &self.schema) {
            if let Ok(mut c) = postgres::Client::connect(url, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

#[derive(Debug)]
pub struct Resp {
    /// 0 when the connection failed (the server died).
    pub status: u16,
    pub body: Value,
}

impl Resp {
    /// A refusal: the status, and the `{code, message}` body every error has.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.body["code"], code, "{}", self.body);
        let msg = self.body["message"].as_str().unwrap_or_default();
        assert!(!msg.is_empty(), "error without a message: {}", self.body);
    }
}

pub struct Client {
    agent: ureq::Agent,
    base: String,
    pub token: Option<String>,
    pub device: String,
    pub user: Value,
    pub protocol: Option<String>,
}

impl Client {
    fn new(base: &str, token: Option<String>) -> Client {
        Client {
            // A new connection per request: when the server answers before
            // reading a request's body (a refusal of a body-less route)
            // hyper closes that connection, and a POST that ureq sends on
            // the pooled, just-closed connection fails at random (ureq
            // retries only idempotent requests). A dead server still
            // answers status 0.
            agent: ureq::AgentBuilder::new()
                .timeout(std::time::Duration::from_secs(300))
                .max_idle_connections(0)
                .build(),
            base: base.to_string(),
            token,
            device: String::new(),
            user: Value::Null,
            protocol: Some("1".into()),
        }
    }

    pub fn raw(
        &self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self
            .agent
            .request(method, &format!("{}{}", self.base, path));
        if let Some(p) = &self.protocol {
            req = req.set("X-Jianban-Protocol", p);
        }
        if let Some(t) = &self.token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.set(k, v);
        }
        let result = match body {
            Some(b) => req.send_bytes(b),
            None => req.call(),
        };
        let resp = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(ureq::Error::Transport(e)) => {
                return Resp {
                    status: 0,
                    body: Value::String(format!("{method} {path}: {e}")),
                }
            }
        };
        let status = resp.status();
        let text = resp.into_string().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        assert!(status < 500, "{method} {path} answered {status}: {body}");
        if status >= 400 {
            assert!(
                body["code"].is_string() && body["message"].is_string(),
                "{method} {path} {status} without {{code, message}}: {body}"
            );
        }
        Resp { status, body }
    }

    /// Points the client at a restarted server.
    pub fn set_base(&mut self, base: &str) {
        self.base = base.to_string();
    }

    pub fn get(&self, path: &str) -> Resp {
        self.raw("GET", path, None, &[])
    }

    pub fn post(&self, path: &str, body: &Value) -> Resp {
        self.raw(
            "POST",
            path,
            Some(body.to_string().as_bytes()),
            &[("Content-Type", "application/json")],
        )
    }

    pub fn put_json(&self, path: &str, body: &Value) -> Resp {
        self.raw(
            "PUT",
            path,
            Some(body.to_string().as_bytes()),
            &[("Content-Type", "application/json")],
        )
    }

    pub fn push(&self, commands: &[Value]) -> Resp {
        self.post(
            "/v1/sync/push",
            &json!({"device_id": self.device, "commands": commands}),
        )
    }

    /// Every change after 0, all pages.
    pub fn pull_all(&self) -> Vec<Value> {
        let mut after = 0;
        let mut out = Vec::new();
        loop {
            let r = self.get(&format!("/v1/sync/changes?after={after}&limit=1000"));
            assert_eq!(r.status, 200, "{}", r.body);
            out.extend(r.body["changes"].as_array().unwrap().iter().cloned());
            after = r.body["next_after"].as_i64().unwrap();
            if !r.body["has_more"].as_bool().unwrap() {
                return out;
            }
        }
    }

    /// The assignment snapshot as this client's feed has it now.
    pub fn snapshot(&self, id: &str) -> Value {
        self.pull_all()
            .into_iter()
            .rev()
            .find(|c| c["entity"] == "assignment" && c["id"] == id)
            .map(|c| c["data"].clone())
            .unwrap_or_else(|| panic!("assignment {id} not in the feed"))
    }
}

/// One outbox row as the desktop sends it.
pub fn command(seq: i64, assignment: &str, kind: &str, payload: Value) -> Value {
    json!({
        "seq": seq,
        "command_id": format!("cmd-{assignment}-{seq}"),
        "assignment_id": assignment,
        "base_version": 0,
        "kind": kind,
        "payload": payload,
        "created_at": "2024-05-06T09:30:00",
    })
}

pub fn action(seq: i64, assignment: &str, action: &jianban_domain::Action) -> Value {
    command(
        seq,
        assignment,
        action.code(),
        serde_json::to_value(action).unwrap(),
    )
}

pub fn contact(seq: i64, assignment: &str) -> Value {
    command(
        seq,
        assignment,
        "record_contact",
        json!({"contact": {
            "id": format!("contact-{assignment}-{seq}-{}", COUNTER.fetch_add(1, Ordering::SeqCst)),
            "assignment_id": assignment,
            "mode": "phone",
            "date": "2024-05-06",
            "people": "张建国代表；王晓梅",
            "summary": "电话联系代表，了解诉求。"
        }}),
    )
}

pub fn reply_content(body: &str) -> jianban_domain::ReplyContent {
    jianban_domain::ReplyContent {
        category: Some(jianban_domain::ResultCategory::A),
        body: body.into(),
        title: "关于市六届人大三次会议第6号建议的答复".into(),
        contact_person: "王晓梅".into(),
        contact_phone: "0557-3010006".into(),
        ..Default::default()
    }
}

pub fn draft(seq: i64, assignment: &str, content: &jianban_domain::ReplyContent) -> Value {
    command(
        seq,
        assignment,
        "save_draft",
        json!({"revision": seq, "hash": content.content_hash(), "content": content}),
    )
}

pub fn statuses(r: &Resp) -> Vec<String> {
    r.body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results: {}", r.body))
        .iter()
        .map(|x| x["status"].as_str().unwrap().to_string())
        .collect()
}

/// A decision signed with a fresh key of `user`, the key registered with the
/// server through `client` (logged in as `user`), as a `signed_decision`
/// command for step 0 of the default chain.
pub fn signed_decision(
    client: &Client,
    seq: i64,
    assignment: &str,
    revision: &jianban_domain::RevisionHash,
    user: &str,
    role: jianban_domain::UserRole,
    decision: jianban_signoff::Decision,
) -> Value {
    signed_step(
        client,
        seq,
        assignment,
        revision,
        (user, role),
        (0, "主要负责人审核签发"),
        decision,
    )
}

/// As [`signed_decision`], for any step of a unit's chain, decided now.
pub fn signed_step(
    client: &Client,
    seq: i64,
    assignment: &str,
    revision: &jianban_domain::RevisionHash,
    (user, role): (&str, jianban_domain::UserRole),
    (step, step_title): (usize, &str),
    decision: jianban_signoff::Decision,
) -> Value {
    signed_step_at(
        client,
        seq,
        assignment,
        revision,
        (user, role),
        (step, step_title),
        decision,
        chrono::Local::now().naive_local(),
    )
}

/// As [`signed_step`], with the approver's PC clock saying `at`; signed in
/// the approval round the case is in, as the approver's PC does.
#[allow(clippy::too_many_arguments)]
pub fn signed_step_at(
    client: &Client,
    seq: i64,
    assignment: &str,
    revision: &jianban_domain::RevisionHash,
    signer: (&str, jianban_domain::UserRole),
    step: (usize, &str),
    decision: jianban_signoff::Decision,
    at: chrono::NaiveDateTime,
) -> Value {
    let round = client.snapshot(assignment)["case"]["approval_round"]
        .as_u64()
        .map(|r| r as u32);
    signed_in_round(
        client, seq, assignment, revision, signer, step, decision, at, round,
    )
}

/// An approval of step 0 signed now for the approval round `round`,
/// whatever round the case is in (a replayed or held-back decision).
pub fn signed_decision_in_round(
    client: &Client,
    seq: i64,
    assignment: &str,
    revision: &jianban_domain::RevisionHash,
    signer: (&str, jianban_domain::UserRole),
    round: u32,
) -> Value {
    signed_in_round(
        client,
        seq,
        assignment,
        revision,
        signer,
        (0, "主要负责人审核签发"),
        jianban_signoff::Decision::Approve,
        chrono::Local::now().naive_local(),
        Some(round),
    )
}

#[allow(clippy::too_many_arguments)]
fn signed_in_round(
    client: &Client,
    seq: i64,
    assignment: &str,
    revision: &jianban_domain::RevisionHash,
    (user, role): (&str, jianban_domain::UserRole),
    (step, step_title): (usize, &str),
    decision: jianban_signoff::Decision,
    at: chrono::NaiveDateTime,
    round: Option<u32>,
) -> Value {
    let (identity, key) = jianban_signoff::SigningIdentity::create("审核人的密码");
    let r = client.post(
        "/v1/auth/keys",
        &json!({ "public_key": identity.public_key }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let signed = jianban_signoff::sign(
        jianban_signoff::DecisionRecord {
            assignment_id: jianban_domain::AssignmentId::new(assignment),
            revision: revision.clone(),
            step,
            step_title: step_title.into(),
            signer: jianban_domain::UserId::new(user),
            signer_name: user.into(),
            role,
            decision,
            comment: "同意".into(),
            at,
            round,
        },
        &key,
    );
    command(
        seq,
        assignment,
        "signed_decision",
        json!({ "signed_decision": signed }),
    )
}

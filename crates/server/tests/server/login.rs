//! Login limits per client address, device ownership, the token signing
//! key file, and body limits before authentication.

use serde_json::{json, Value};

use crate::both;
use crate::harness::*;

/// POSTs `body` to `path` from the loopback address `source` (Linux routes
/// all of 127.0.0.0/8 to the loopback device, so a test can be a second PC).
fn post_from(server: &Server, source: &str, path: &str, body: &Value) -> (u16, Value) {
    post_to(&server.base, source, path, body)
}

fn post_to(base: &str, source: &str, path: &str, body: &Value) -> (u16, Value) {
    use std::io::{Read, Write};
    let target: std::net::SocketAddr = base
        .strip_prefix("http://")
        .expect("a plain HTTP test server")
        .parse()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let stream = rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
        socket.connect(target).await.unwrap()
    });
    let mut stream = stream.into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    let body = body.to_string();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {target}\r\nX-Jianban-Protocol: 1\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let (_, text) = answer.split_once("\r\n\r\n").unwrap();
    (status, serde_json::from_str(text).unwrap_or(Value::Null))
}

fn login_body(user: &str, password: &str, device: &str) -> Value {
    json!({"username": user, "password": password, "device_id": device, "device_name": "测试电脑"})
}

/// The finding: the lockout was per user name only, so one PC could guess
/// one password for every account without ever being stopped. Now the
/// failures of one client address are limited too (50 in 15 minutes):
/// parallel guesses across many user names take their slots before any
/// check, the rest are refused unchecked, and a right password from
/// another PC is not affected.
fn guesses_from_one_address_stop_at_its_limit(backend: &Backend) {
    let server = Server::start(backend);
    // In waves of 30 at once: fewer than the password checks allowed to
    // wait, so no guess is answered "busy" and every answer counts.
    let answers: Vec<(u16, String)> = (0..70)
        .collect::<Vec<_>>()
        .chunks(30)
        .flat_map(|wave| guess_wave(&server, wave))
        .collect();
    let refused = answers
        .iter()
        .filter(|(_, code)| code == "auth.address_locked")
        .count();
    // Exactly the 50 slots of the address were taken and checked; every
    // other attempt was refused without a password check.
    assert_eq!(refused, 20, "{answers:?}");
    for (status, code) in &answers {
        assert!(
            matches!(
                (status, code.as_str()),
                (401, "auth.invalid_credentials") | (429, "auth.address_locked")
            ),
            "{answers:?}"
        );
    }
    // The right password from the same PC is refused too, saying until when.
    let r = server.anon().post(
        "/v1/auth/login",
        &login_body("fgw-head", DEMO_PASSWORD, "d1"),
    );
    r.assert_error(429, "auth.address_locked");
    let message = r.body["message"].as_str().unwrap();
    assert!(
        message.contains("年") && message.contains("后再试"),
        "{message}"
    );
    // Another PC logs in as usual.
    let (status, body) = post_from(
        &server,
        "127.0.0.2",
        "/v1/auth/login",
        &login_body("fgw-head", DEMO_PASSWORD, "d2"),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["id"], "fgw-head");
}
both!(guesses_from_one_address_stop_at_its_limit);

/// One wrong password for each of the user names `guess-{i}`, all at once.
fn guess_wave(server: &Server, wave: &[usize]) -> Vec<(u16, String)> {
    std::thread::scope(|s| {
        let handles: Vec<_> = wave
            .iter()
            .map(|i| {
                let anon = server.anon();
                s.spawn(move || {
                    let r = anon.post(
                        "/v1/auth/login",
                        &login_body(&format!("guess-{i}"), "wrong-password", "d1"),
                    );
                    (
                        r.status,
                        r.body["code"].as_str().unwrap_or_default().to_string(),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// The finding: a login handed an existing device id to whoever logged in
/// with it (the device's sequence numbers and its owner's place went with
/// it). Now a device id stays with the user who registered it first; another
/// user is refused until the office moves the device (API or CLI, audited).
fn a_device_id_belongs_to_its_first_user(backend: &Backend) {
    let server = Server::start(backend);
    let mut owner = server.anon();
    let first = owner.post(
        "/v1/auth/login",
        &login_body("fgw-liaison", DEMO_PASSWORD, "pc-1"),
    );
    assert_eq!(first.status, 200, "{}", first.body);
    owner.token = first.body["access_token"].as_str().map(str::to_string);
    // Another user with the same device id: refused, saying what to do.
    let r = server.anon().post(
        "/v1/auth/login",
        &login_body("fgw-head", DEMO_PASSWORD, "pc-1"),
    );
    r.assert_error(403, "auth.device_taken");
    let message = r.body["message"].as_str().unwrap();
    assert!(
        message.contains("其他用户") && message.contains("办公室"),
        "{message}"
    );
    // The owner keeps the device and logs in again as before.
    assert_eq!(
        server
            .anon()
            .post(
                "/v1/auth/login",
                &login_body("fgw-liaison", DEMO_PASSWORD, "pc-1")
            )
            .status,
        200
    );
    // Only the office moves a device.
    owner
        .post(
            "/v1/office/devices/pc-1/move",
            &json!({"user_id": "fgw-head"}),
        )
        .assert_error(403, "auth.forbidden");
    let office = server.login("office1");
    office
        .post(
            "/v1/office/devices/no-such-pc/move",
            &json!({"user_id": "fgw-head"}),
        )
        .assert_error(404, "not_found");
    office
        .post(
            "/v1/office/devices/pc-1/move",
            &json!({"user_id": "nobody"}),
        )
        .assert_error(404, "not_found");
    let moved = office.post(
        "/v1/office/devices/pc-1/move",
        &json!({"user_id": "fgw-head"}),
    );
    assert_eq!(moved.status, 204, "{}", moved.body);
    // Now the new user logs in, and the previous one's session there ended.
    assert_eq!(
        server
            .anon()
            .post(
                "/v1/auth/login",
                &login_body("fgw-head", DEMO_PASSWORD, "pc-1")
            )
            .status,
        200
    );
    server
        .anon()
        .post(
            "/v1/auth/refresh",
            &json!({"refresh_token": first.body["refresh_token"]}),
        )
        .assert_error(401, "auth.invalid_refresh");
    server
        .anon()
        .post(
            "/v1/auth/login",
            &login_body("fgw-liaison", DEMO_PASSWORD, "pc-1"),
        )
        .assert_error(403, "auth.device_taken");
    let audit = office.get("/v1/office/audit?limit=1000");
    let line = audit
        .body
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|l| l["action"] == "move_device");
    let line = line.unwrap_or_else(|| panic!("no move_device in the audit log: {}", audit.body));
    assert_eq!(line["actor_id"], "office1");
    assert_eq!(line["detail"]["from_user"], "fgw-liaison");
    assert_eq!(line["detail"]["to_user"], "fgw-head");
    // The command line moves it back.
    let out = server.cli(
        backend,
        &["move-device", "--id", "pc-1", "--to-user", "fgw-liaison"],
        "",
    );
    assert!(out.contains("fgw-liaison"), "{out}");
    assert_eq!(
        server
            .anon()
            .post(
                "/v1/auth/login",
                &login_body("fgw-liaison", DEMO_PASSWORD, "pc-1")
            )
            .status,
        200
    );
}
both!(a_device_id_belongs_to_its_first_user);

fn token_key_file(server: &Server) -> std::path::PathBuf {
    server.data_dir().join("token-keys")
}

fn key_id(token: &str) -> &str {
    token.split('.').next().unwrap()
}

/// `serve` on `dir`, for a start that is expected to fail: its exit status
/// and standard error.
fn serve_fails(dir: &std::path::Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jianban-server"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env("JIANBAN_LOG", "warn")
        .env_remove("JIANBAN_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the server started");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Rotation: a new current key, the previous one still verifies the tokens
/// it signed (nobody is logged out); a key no longer in the file verifies
/// nothing.
fn a_rotated_key_keeps_its_tokens_until_it_leaves_the_file(backend: &Backend) {
    let mut server = Server::start(backend);
    let mut before = server.login("fgw-liaison");
    let old_token = before.token.clone().unwrap();
    let file = token_key_file(&server);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains(&format!("current {} ", key_id(&old_token))),
        "{text}"
    );
    server.kill();
    let out = server.cli(backend, &["rotate-token-key"], "");
    assert!(out.contains("请重启服务器"), "{out}");
    server.restart(&[]);
    before.set_base(&server.base);
    // The token signed before the rotation still works.
    assert_eq!(before.get("/v1/sync/changes?after=0&limit=1").status, 200);
    // New tokens name the new key.
    let after = server.login("fgw-liaison");
    let new_token = after.token.clone().unwrap();
    assert_ne!(key_id(&new_token), key_id(&old_token));
    // The old key has an end now (one access-token lifetime from the start).
    let text = std::fs::read_to_string(&file).unwrap();
    let previous = text
        .lines()
        .find(|l| l.starts_with(&format!("previous {} ", key_id(&old_token))))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(previous.split_whitespace().count(), 4, "{previous}");
    // A token claiming the new key's id but signed with the old key fails.
    let mut forged = server.anon();
    forged.token = Some(old_token.replacen(key_id(&old_token), key_id(&new_token), 1));
    forged
        .get("/v1/sync/changes?after=0&limit=1")
        .assert_error(401, "auth.invalid_token");
    // The previous key taken out of the file: its tokens stop, the new ones
    // go on.
    server.kill();
    let kept: String = text
        .lines()
        .filter(|l| !l.starts_with("previous "))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&file, kept).unwrap();
    server.restart(&[]);
    before.set_base(&server.base);
    before
        .get("/v1/sync/changes?after=0&limit=1")
        .assert_error(401, "auth.invalid_token");
    let mut after = after;
    after.set_base(&server.base);
    assert_eq!(after.get("/v1/sync/changes?after=0&limit=1").status, 200);
}
both!(a_rotated_key_keeps_its_tokens_until_it_leaves_the_file);

/// The finding: the signing key sat in the database's `meta` table, so a
/// copy of the database was enough to mint office tokens. Now the key lives
/// in an owner-only file beside it; an old database's key moves there at
/// the first start and leaves the database; a server started on a copy of
/// the database alone has another key, and its tokens are refused here.
#[test]
fn a_database_copy_alone_cannot_mint_a_token() {
    use std::os::unix::fs::PermissionsExt;
    let mut server = Server::start(&Backend::Sqlite);
    let file = token_key_file(&server);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let db = server.data_dir().join("server.sqlite3");
    let meta_key = |db: &std::path::Path| -> Option<String> {
        let c = rusqlite::Connection::open(db).unwrap();
        c.query_row("SELECT value FROM meta WHERE key = 'token_key'", [], |r| {
            r.get(0)
        })
        .ok()
    };
    assert_eq!(meta_key(&db), None);
    // An old database: the key in `meta`, no key file. It moves to the file.
    server.kill();
    let old_key = "ab".repeat(32);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO meta (key, value) VALUES ('token_key', ?1)",
            [&old_key],
        )
        .unwrap();
    std::fs::remove_file(&file).unwrap();
    server.restart(&[]);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(&format!(" {old_key}")), "{text}");
    assert_eq!(meta_key(&db), None);
    let office = server.login("office1");
    assert_eq!(office.get("/v1/office/audit?limit=1").status, 200);
    // A copy of the database alone, served elsewhere: its tokens are refused.
    server.kill();
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(&db, copy.path().join("server.sqlite3")).unwrap();
    server.restart(&[]);
    let mut other = std::process::Command::new(env!("CARGO_BIN_EXE_jianban-server"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(copy.path())
        .env("JIANBAN_LOG", "warn")
        .env_remove("JIANBAN_DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let base = {
        use std::io::BufRead;
        let stdout = std::io::BufReader::new(other.stdout.take().unwrap());
        stdout
            .lines()
            .map(Result::unwrap)
            .find_map(|l| {
                l.strip_prefix("jianban-server listening on ")
                    .map(str::to_string)
            })
            .unwrap()
    };
    let (status, body) = post_to(
        &base,
        "127.0.0.1",
        "/v1/auth/login",
        &login_body("office1", DEMO_PASSWORD, "copy-pc"),
    );
    let _ = other.kill();
    let _ = other.wait();
    assert_eq!(status, 200, "{body}");
    let mut minted = server.anon();
    minted.token = body["access_token"].as_str().map(str::to_string);
    minted
        .get("/v1/office/audit?limit=1")
        .assert_error(401, "auth.invalid_token");
    // A key file others can read is refused, naming the fix.
    server.kill();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = serve_fails(server.data_dir());
    assert!(
        err.contains(&format!("chmod 600 {}", file.display())),
        "{err}"
    );
}

/// Sends a request declaring a `declared`-byte body but only its first
/// `sent` bytes, then reads the answer (within 20 seconds): a route that
/// refuses before reading the body answers at once.
fn send_partial(base: &str, path: &str, token: &str, declared: usize, sent: usize) -> (u16, Value) {
    use std::io::{Read, Write};
    let target = base.strip_prefix("http://").unwrap();
    let mut stream = std::net::TcpStream::connect(target).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {target}\r\nX-Jianban-Protocol: 1\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/octet-stream\r\n\
         Content-Length: {declared}\r\n\r\n"
    )
    .unwrap();
    stream.write_all(&vec![b'x'; sent]).unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    // Read until the answer's body is complete (the connection may stay
    // open waiting for the rest of the upload).
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) => panic!(
                "no answer while the body was still coming ({e}); got {:?}",
                String::from_utf8_lossy(&answer)
            ),
        }
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= length {
                let status = head[9..12].parse().unwrap();
                return (status, serde_json::from_str(body).unwrap_or(Value::Null));
            }
        }
    }
    panic!("connection closed: {:?}", String::from_utf8_lossy(&answer));
}

/// The finding: login and refresh bodies were buffered up to 8 MiB before
/// anyone was authenticated, and the office import read 32 MiB before the
/// role check. Now login and refresh keep at most 16 KiB (413), and a unit
/// user's upload to an office import is refused (403) before its body is
/// read.
fn bodies_are_limited_before_authentication(backend: &Backend) {
    let server = Server::start(backend);
    let padding = "x".repeat(20 * 1024);
    let anon = server.anon();
    anon.post("/v1/auth/login", &login_body("fgw-liaison", &padding, "d1"))
        .assert_error(413, "request.too_large");
    anon.post("/v1/auth/refresh", &json!({ "refresh_token": padding }))
        .assert_error(413, "request.too_large");
    // A body of ordinary size is read as before.
    anon.post(
        "/v1/auth/refresh",
        &json!({ "refresh_token": "x".repeat(100) }),
    )
    .assert_error(401, "auth.invalid_refresh");
    // A liaison declares a 30 MiB upload and sends 64 KiB of it: refused at
    // once, without waiting for the rest.
    let liaison = server.login("fgw-liaison");
    let token = liaison.token.as_deref().unwrap();
    for path in [
        "/v1/office/import?session_id=2024-s6-3",
        "/v1/import/xlsx?kind=evaluations",
    ] {
        let (status, body) = send_partial(&server.base, path, token, 30 << 20, 64 << 10);
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(body["code"], "auth.forbidden", "{path}: {body}");
    }
    // The office's own upload is still read (and judged on its content).
    let office = server.login("office1");
    let r = office.raw(
        "POST",
        "/v1/office/import?session_id=2024-s6-3",
        Some("not a workbook".as_bytes()),
        &[("Content-Type", "text/csv")],
    );
    assert_eq!(r.status, 422, "{}", r.body);
}
both!(bodies_are_limited_before_authentication);

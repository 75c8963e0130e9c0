//! Login limits per client address, device ownership, the token signing
//! key file, and body limits before authentication.

use serde_json::{json, Value};

use crate::both;
use crate::harness::*;

/// POSTs `body` to `path` from the loopback address `source` (Linux routes
/// all of 127.0.0.0/8 to the loopback device, so a test can be a second PC).
fn post_from(server: &Server, source: &str, path: &str, body: &Value) -> (u16, Value) {
    use std::io::{Read, Write};
    let target: std::net::SocketAddr = server
        .base
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

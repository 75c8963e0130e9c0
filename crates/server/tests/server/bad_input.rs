//! Hostile and broken input: every answer is a 4xx with `{code, message}`
//! (the harness fails on any 5xx), and nothing is partly applied.

use serde_json::json;

use jianban_domain::Action;

use crate::both;
use crate::harness::*;

fn bad_input_is_refused_cleanly(backend: &Backend) {
    let server = Server::start(backend);
    let c = server.login("zjj-liaison");
    let id = "a006-zjj";
    let json_headers = [("Content-Type", "application/json")];

    // Protocol version: missing or too old → upgrade required.
    let mut old = server.anon();
    old.protocol = None;
    old.post("/v1/auth/login", &json!({}))
        .assert_error(426, "protocol.upgrade_required");
    old.protocol = Some("0".into());
    let r = old.post("/v1/auth/login", &json!({}));
    r.assert_error(426, "protocol.upgrade_required");
    assert!(r.body["message"].as_str().unwrap().contains("升级建办"));

    // Malformed JSON, invalid UTF-8, unknown fields, wrong types.
    c.raw(
        "POST",
        "/v1/sync/push",
        Some(b"{\"device_id\": "),
        &json_headers,
    )
    .assert_error(400, "request.malformed_json");
    c.raw(
        "POST",
        "/v1/sync/push",
        Some(b"{\"device_id\": \"\xff\xfe\", \"commands\": []}"),
        &json_headers,
    )
    .assert_error(400, "request.invalid_utf8");
    c.post(
        "/v1/sync/push",
        &json!({"device_id": c.device, "commands": [], "extra": 1}),
    )
    .assert_error(400, "request.unknown_field");
    let mut cmd = contact(1, id);
    cmd["sneaky"] = json!(true);
    c.push(&[cmd]).assert_error(400, "request.unknown_field");
    c.post(
        "/v1/sync/push",
        &json!({"device_id": c.device, "commands": "all"}),
    )
    .assert_error(400, "request.invalid_field");
    server.anon().post("/v1/auth/login", &json!({"username": "x", "password": "y", "device_id": "d", "device_name": "n", "admin": true}))
        .assert_error(400, "request.unknown_field");

    // Bodies over the limit: refused before anything is read into a command.
    let huge = vec![b' '; 9 * 1024 * 1024];
    c.raw("POST", "/v1/sync/push", Some(&huge), &json_headers)
        .assert_error(413, "request.too_large");

    // 100,000 commands: too large, nothing applied; 1,001: too many.
    let many: Vec<_> = (1..=100_000).map(|n| contact(n, id)).collect();
    let r = c.push(&many);
    assert_eq!(r.status, 413, "{}", r.body);
    let small: Vec<_> = (1..=100_000)
        .map(|n| json!({"seq": n, "command_id": "", "assignment_id": "", "base_version": 0, "kind": "", "payload": null, "created_at": "2024-01-01T00:00:00"}))
        .collect();
    let r = c.push(&small[..1001]);
    r.assert_error(413, "sync.batch_too_large");
    let r = c.push(&small);
    assert_eq!(r.status, 413, "{}", r.body);
    // Nothing was applied: the device still expects seq 1, the case is untouched.
    let snap = c.snapshot(id);
    assert_eq!(snap["case"]["state"], "awaiting_receipt");
    assert_eq!(snap["case"]["contact_count"], 0);
    assert_eq!(
        statuses(&c.push(&[action(1, id, &Action::Receive)])),
        ["applied"]
    );

    // SQL-looking strings are data, never SQL.
    let sql = "x'); DROP TABLE changes; --";
    let r = server.anon().post(
        "/v1/auth/login",
        &json!({"username": "' OR '1'='1", "password": "' OR '1'='1", "device_id": sql, "device_name": sql}),
    );
    r.assert_error(401, "auth.invalid_credentials");
    let r = c.push(&[command(2, sql, "receive", json!({"type": "receive"}))]);
    assert_eq!(
        r.body["results"][0]["error"]["code"], "sync.unknown_assignment",
        "{}",
        r.body
    );
    let mut evil = contact(3, id);
    evil["payload"]["contact"]["summary"] = json!(sql);
    evil["payload"]["contact"]["people"] = json!("Robert'); DROP TABLE contacts;--");
    assert_eq!(statuses(&c.push(&[evil])), ["applied"]);
    let feed = c.pull_all();
    let stored = feed
        .iter()
        .find(|ch| ch["entity"] == "contact" && ch["data"]["assignment_id"] == id)
        .unwrap();
    assert_eq!(stored["data"]["summary"], sql);
    c.get("/v1/sync/changes?after=0&limit=1%27%20OR%201=1")
        .assert_error(400, "request.bad_query");
    let office = server.login("office1");
    let r = office.get("/v1/office/assignments?unit_id=x%27%20OR%20%271%27=%271");
    assert_eq!(r.status, 200);
    assert_eq!(r.body["total"], 0);
    office
        .get("/v1/office/assignments?state=drafting%27--")
        .assert_error(400, "request.bad_query");

    // Control characters in typed text are refused with the line named.
    let mut ctrl = contact(4, id);
    ctrl["payload"]["contact"]["summary"] = json!("第一行\n第二\u{7}行");
    let r = c.push(&[ctrl]);
    assert_eq!(
        r.body["results"][0]["error"]["code"],
        "input.control_character"
    );

    // Unknown routes, wrong methods and bad tokens answer in the same shape.
    c.get("/v1/no-such-thing").assert_error(404, "not_found");
    c.raw("DELETE", "/v1/sync/push", None, &[])
        .assert_error(405, "request.method_not_allowed");
    let api = server.anon().get("/openapi.json");
    assert_eq!(api.status, 200);
    for path in [
        "/v1/sync/push",
        "/v1/sync/changes",
        "/v1/auth/login",
        "/v1/office/import",
        "/v1/documents/{sha256}",
    ] {
        assert!(
            api.body["paths"][path].is_object(),
            "{path} missing from /openapi.json"
        );
    }
    assert!(api.body["components"]["schemas"]["PushRequest"].is_object());
    // Every operation lists the answers every route can give; a secured one
    // lists 401, one with a body 422 (they were missing on 39 operations).
    for (path, item) in api.body["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(responses) = op["responses"].as_object() else {
                continue;
            };
            for status in ["400", "500"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path}: no {status}"
                );
            }
            if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                assert!(responses.contains_key("401"), "{method} {path}: no 401");
            }
            if op["requestBody"].is_object() {
                assert!(responses.contains_key("422"), "{method} {path}: no 422");
            }
        }
    }
    let chain = &api.body["paths"]["/v1/units/{id}/approval-chain"]["get"]["parameters"];
    assert_eq!(chain[0]["name"], "id", "{chain}");
    let mut forged = server.anon();
    forged.token = Some("abc.def".into());
    forged
        .get("/v1/sync/changes")
        .assert_error(401, "auth.invalid_token");
    server
        .anon()
        .post("/v1/auth/refresh", &json!({"refresh_token": "nope"}))
        .assert_error(401, "auth.invalid_refresh");
}
both!(bad_input_is_refused_cleanly);

fn login_lockout_and_refresh_rotation(backend: &Backend) {
    let server = Server::start(backend);
    let anon = server.anon();
    let bad = json!({"username": "fgw-head", "password": "wrong-password", "device_id": "d1", "device_name": "pc"});
    for _ in 0..10 {
        anon.post("/v1/auth/login", &bad)
            .assert_error(401, "auth.invalid_credentials");
    }
    let r = anon.post("/v1/auth/login", &bad);
    r.assert_error(429, "auth.locked");
    assert!(r.body["message"].as_str().unwrap().contains("后再试"));
    // Locked even with the right password, until the window passes.
    let good = json!({"username": "fgw-head", "password": DEMO_PASSWORD, "device_id": "d1", "device_name": "pc"});
    anon.post("/v1/auth/login", &good)
        .assert_error(429, "auth.locked");

    // Refresh tokens rotate; a reused one revokes the device's tokens.
    let r = anon.post("/v1/auth/login", &json!({"username": "fgw-liaison", "password": DEMO_PASSWORD, "device_id": "d2", "device_name": "pc"}));
    assert_eq!(r.status, 200);
    assert_eq!(r.body["user"]["unit_id"], "fgw");
    assert_eq!(r.body["user"]["role"], "liaison");
    let first = r.body["refresh_token"].as_str().unwrap().to_string();
    let r = anon.post("/v1/auth/refresh", &json!({"refresh_token": first}));
    assert_eq!(r.status, 200, "{}", r.body);
    let second = r.body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(first, second);
    anon.post("/v1/auth/refresh", &json!({"refresh_token": first}))
        .assert_error(401, "auth.refresh_reused");
    anon.post("/v1/auth/refresh", &json!({"refresh_token": second}))
        .assert_error(401, "auth.refresh_reused");
}
both!(login_lockout_and_refresh_rotation);

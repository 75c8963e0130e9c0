//! The account lifecycle: a disabled user, a revoked device, a reset
//! password and an ended session are shut out at once (the access token
//! they still hold included); an office user unlocks a locked account; the
//! office's routes refuse unit users.

use serde_json::{json, Value};

use crate::both;
use crate::harness::*;

const USER: &str = "fgw-liaison";

fn login_answer(server: &Server, user: &str, password: &str, device: &str) -> Resp {
    server.anon().post(
        "/v1/auth/login",
        &json!({"username": user, "password": password, "device_id": device, "device_name": "测试电脑"}),
    )
}

fn refresh(server: &Server, token: &str) -> Resp {
    server
        .anon()
        .post("/v1/auth/refresh", &json!({ "refresh_token": token }))
}

/// Logs in and returns the client and its refresh token.
fn login_with_refresh(server: &Server, user: &str, device: &str) -> (Client, String) {
    let r = login_answer(server, user, DEMO_PASSWORD, device);
    assert_eq!(r.status, 200, "{}", r.body);
    let mut c = server.anon();
    c.token = Some(r.body["access_token"].as_str().unwrap().to_string());
    c.device = device.to_string();
    c.user = r.body["user"].clone();
    (c, r.body["refresh_token"].as_str().unwrap().to_string())
}

fn message(r: &Resp) -> &str {
    r.body["message"].as_str().unwrap_or_default()
}

fn audit_actions(office: &Client) -> Vec<String> {
    let r = office.get("/v1/office/audit?limit=5000");
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["action"].as_str().unwrap().to_string())
        .collect()
}

fn disabled_user_is_shut_out(b: &Backend) {
    let server = Server::start(b);
    let office = server.login("office1");
    let (user, refresh_token) = login_with_refresh(&server, USER, "dev-disable");
    assert_eq!(user.get("/v1/sync/changes?after=0&limit=1").status, 200);

    // A unit user cannot close anyone's account.
    let other = server.login("wjw-liaison");
    other
        .post(&format!("/v1/office/users/{USER}/disable"), &json!({}))
        .assert_error(403, "auth.forbidden");
    office
        .post("/v1/office/users/office1/disable", &json!({}))
        .assert_error(400, "auth.disable_self");
    office
        .post("/v1/office/users/nobody/disable", &json!({}))
        .assert_error(404, "not_found");

    let r = office.post(&format!("/v1/office/users/{USER}/disable"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["disabled_at"].is_string(), "{}", r.body);

    // The access token issued before stops at once (it used to work until
    // it expired), and so do refresh and login.
    let r = user.get("/v1/sync/changes?after=0&limit=1");
    r.assert_error(401, "auth.account_disabled");
    assert!(message(&r).contains("停用"), "{}", r.body);
    user.push(&[contact(1, "a039-fgw")])
        .assert_error(401, "auth.account_disabled");
    refresh(&server, &refresh_token).assert_error(401, "auth.account_disabled");
    login_answer(&server, USER, DEMO_PASSWORD, "dev-disable")
        .assert_error(401, "auth.account_disabled");
    // A wrong password still says only that: being disabled is no hint.
    login_answer(&server, USER, "wrong-password", "dev-disable")
        .assert_error(401, "auth.invalid_credentials");

    let r = office.post(&format!("/v1/office/users/{USER}/enable"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["disabled_at"].is_null(), "{}", r.body);
    let (again, _) = login_with_refresh(&server, USER, "dev-disable");
    assert_eq!(again.get("/v1/sync/changes?after=0&limit=1").status, 200);

    // The command line does the same.
    let out = server.cli(b, &["user", "disable", USER], "");
    assert!(out.contains("已停用"), "{out}");
    again
        .get("/v1/sync/changes?after=0&limit=1")
        .assert_error(401, "auth.account_disabled");
    server.cli(b, &["user", "enable", USER], "");
    assert_eq!(again.get("/v1/sync/changes?after=0&limit=1").status, 200);

    let actions = audit_actions(&office);
    assert_eq!(
        actions.iter().filter(|a| *a == "disable_user").count(),
        2,
        "{actions:?}"
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "enable_user").count(),
        2,
        "{actions:?}"
    );
}
both!(disabled_user_is_shut_out);

fn devices_of(office: &Client, query: &str) -> Vec<Value> {
    let r = office.get(&format!("/v1/office/devices{query}"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.body.as_array().unwrap().clone()
}

fn revoked_device_stops_syncing(b: &Backend) {
    let server = Server::start(b);
    let office = server.login("office1");
    let (user, refresh_token) = login_with_refresh(&server, USER, "dev-revoke");
    let r = user.push(&[contact(1, "a039-fgw")]);
    assert_eq!(r.status, 200, "{}", r.body);
    let (_, _) = login_with_refresh(&server, "wjw-liaison", "dev-other-unit");

    // The office lists devices: all, one user's, one unit's.
    let all = devices_of(&office, "");
    assert!(all.len() >= 3, "{all:?}");
    let mine = devices_of(&office, &format!("?user_id={USER}"));
    assert_eq!(mine.len(), 1, "{mine:?}");
    let d = &mine[0];
    assert_eq!(d["id"], "dev-revoke");
    assert_eq!(d["user_id"], USER);
    assert_eq!(d["unit_id"], "fgw");
    assert_eq!(d["name"], "测试电脑");
    assert!(d["registered_at"].is_string() && d["last_seen_at"].is_string());
    assert!(d["revoked_at"].is_null());
    let unit = devices_of(&office, "?unit_id=wjw");
    assert!(
        unit.iter().all(|d| d["unit_id"] == "wjw")
            && unit.iter().any(|d| d["id"] == "dev-other-unit"),
        "{unit:?}"
    );
    let page = devices_of(&office, "?limit=1");
    assert_eq!(page.len(), 1);
    let next = devices_of(
        &office,
        &format!("?limit=1&after={}", page[0]["id"].as_str().unwrap()),
    );
    assert!(next[0]["id"].as_str() > page[0]["id"].as_str());

    // Unit users can neither list nor revoke.
    user.get("/v1/office/devices")
        .assert_error(403, "auth.forbidden");
    user.post("/v1/office/devices/dev-revoke/revoke", &json!({}))
        .assert_error(403, "auth.forbidden");
    office
        .post("/v1/office/devices/no-such-device/revoke", &json!({}))
        .assert_error(404, "not_found");

    let r = office.post("/v1/office/devices/dev-revoke/revoke", &json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["revoked_at"].is_string(), "{}", r.body);

    // Its next sync is refused with its own code and words (it used to go
    // on syncing until the access token expired, and refresh forever).
    let r = user.push(&[contact(2, "a039-fgw")]);
    r.assert_error(401, "auth.device_revoked");
    assert!(message(&r).contains("注销"), "{}", r.body);
    user.get("/v1/sync/changes?after=0&limit=1")
        .assert_error(401, "auth.device_revoked");
    refresh(&server, &refresh_token).assert_error(401, "auth.device_revoked");
    // The id stays revoked: logging in again on it is refused too.
    login_answer(&server, USER, DEMO_PASSWORD, "dev-revoke")
        .assert_error(401, "auth.device_revoked");
    // The user is not: another device logs in and syncs.
    let (fresh, _) = login_with_refresh(&server, USER, "dev-new");
    assert_eq!(fresh.get("/v1/sync/changes?after=0&limit=1").status, 200);

    let listed = devices_of(&office, &format!("?user_id={USER}"));
    let revoked = listed.iter().find(|d| d["id"] == "dev-revoke").unwrap();
    assert!(revoked["revoked_at"].is_string(), "{listed:?}");

    // The command line lists and revokes.
    let out: Value =
        serde_json::from_str(&server.cli(b, &["device", "list", "--user", USER], "")).unwrap();
    assert_eq!(out.as_array().unwrap().len(), 2, "{out}");
    server.cli(b, &["device", "revoke", "dev-new"], "");
    fresh
        .get("/v1/sync/changes?after=0&limit=1")
        .assert_error(401, "auth.device_revoked");
    let actions = audit_actions(&office);
    assert_eq!(
        actions.iter().filter(|a| *a == "revoke_device").count(),
        2,
        "{actions:?}"
    );
}
both!(revoked_device_stops_syncing);

fn change_password(c: &Client, old: &str, new: &str) -> Resp {
    c.post(
        "/v1/auth/password",
        &json!({"old_password": old, "new_password": new}),
    )
}

fn reset_password_forces_a_change(b: &Backend) {
    let server = Server::start(b);
    let office = server.login("office1");
    let (user, refresh_token) = login_with_refresh(&server, USER, "dev-reset");
    assert_eq!(user.user["must_change_password"], false);

    user.post(
        &format!("/v1/office/users/{USER}/reset-password"),
        &json!({"password": "临时密码12345"}),
    )
    .assert_error(403, "auth.forbidden");
    office
        .post(
            &format!("/v1/office/users/{USER}/reset-password"),
            &json!({"password": "short"}),
        )
        .assert_error(400, "auth.weak_password");
    let r = office.post(
        &format!("/v1/office/users/{USER}/reset-password"),
        &json!({"password": "临时密码12345"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["must_change_password"], true);

    // The sessions ended, the old password is gone, and the token still
    // held opens nothing but the password change.
    assert_eq!(refresh(&server, &refresh_token).status, 401);
    login_answer(&server, USER, DEMO_PASSWORD, "dev-reset")
        .assert_error(401, "auth.invalid_credentials");
    let r = user.get("/v1/sync/changes?after=0&limit=1");
    r.assert_error(403, "auth.must_change_password");
    assert!(message(&r).contains("修改密码"), "{}", r.body);

    let r = login_answer(&server, USER, "临时密码12345", "dev-reset");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["user"]["must_change_password"], true, "{}", r.body);
    let mut user = server.anon();
    user.token = Some(r.body["access_token"].as_str().unwrap().to_string());
    user.device = "dev-reset".into();
    user.push(&[contact(1, "a039-fgw")])
        .assert_error(403, "auth.must_change_password");
    // A refresh works (the desktop needs a token to change the password)
    // and still says so.
    let r = refresh(&server, r.body["refresh_token"].as_str().unwrap());
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["user"]["must_change_password"], true);

    change_password(&user, "wrong-old-password", "新的密码abcdefg")
        .assert_error(400, "auth.wrong_password");
    change_password(&user, "临时密码12345", "short").assert_error(400, "auth.weak_password");
    change_password(&user, "临时密码12345", "临时密码12345")
        .assert_error(400, "auth.same_password");
    let r = change_password(&user, "临时密码12345", "新的密码abcdefg");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["must_change_password"], false);
    assert_eq!(r.body["id"], USER);
    assert_eq!(user.get("/v1/sync/changes?after=0&limit=1").status, 200);
    login_answer(&server, USER, "临时密码12345", "dev-reset")
        .assert_error(401, "auth.invalid_credentials");
    let r = login_answer(&server, USER, "新的密码abcdefg", "dev-reset");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["user"]["must_change_password"], false);

    // Without a token, no change.
    server
        .anon()
        .post(
            "/v1/auth/password",
            &json!({"old_password": "a", "new_password": "bbbbbbbbbb"}),
        )
        .assert_error(401, "auth.missing_token");

    // The command line resets too (password on standard input).
    let out = server.cli(b, &["user", "reset-password", USER], "命令行临时密码1\n");
    assert!(out.contains("须修改密码"), "{out}");
    let r = login_answer(&server, USER, "命令行临时密码1", "dev-reset");
    assert_eq!(r.body["user"]["must_change_password"], true, "{}", r.body);

    let actions = audit_actions(&office);
    assert!(actions.iter().any(|a| a == "reset_password"), "{actions:?}");
    assert!(
        actions.iter().any(|a| a == "change_password"),
        "{actions:?}"
    );
}
both!(reset_password_forces_a_change);

/// The server's clock format, `days` ago.
fn days_ago(days: i64) -> String {
    (chrono::Local::now().naive_local() - chrono::Duration::days(days))
        .format("%Y-%m-%dT%H:%M:%S%.3f")
        .to_string()
}

fn sessions_end_after_the_lifetime(b: &Backend) {
    let server = Server::start(b);
    let office = server.login("office1");
    let r = office.get("/v1/office/settings/session");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["lifetime_days"], 30);

    let (user, refresh_token) = login_with_refresh(&server, USER, "dev-session");
    user.get("/v1/office/settings/session")
        .assert_error(403, "auth.forbidden");
    user.put_json(
        "/v1/office/settings/session",
        &json!({"lifetime_days": 365}),
    )
    .assert_error(403, "auth.forbidden");
    for bad in [0, 366, 100000] {
        office
            .put_json(
                "/v1/office/settings/session",
                &json!({"lifetime_days": bad}),
            )
            .assert_error(400, "settings.session_lifetime");
    }
    let r = office.put_json(
        "/v1/office/settings/session",
        &json!({"lifetime_days": 365}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        office.get("/v1/office/settings/session").body["lifetime_days"],
        365
    );

    // The login was 40 days ago: within 365 days, a refresh works and the
    // new pair keeps the session's start.
    server.exec_sql(&format!(
        "UPDATE refresh_tokens SET session_started_at = '{}' WHERE device_id = 'dev-session'",
        days_ago(40)
    ));
    let r = refresh(&server, &refresh_token);
    assert_eq!(r.status, 200, "{}", r.body);
    let next = r.body["refresh_token"].as_str().unwrap().to_string();

    // With 30 days, the session is over (each refresh used to give 30 more
    // days, forever).
    server.cli(b, &["session-lifetime", "--days", "30"], "");
    let out = server.cli(b, &["session-lifetime"], "");
    assert!(out.contains("30天"), "{out}");
    let r = refresh(&server, &next);
    r.assert_error(401, "auth.session_ended");
    assert!(message(&r).contains("重新"), "{}", r.body);

    // A new login starts a new session.
    let (_, fresh) = login_with_refresh(&server, USER, "dev-session");
    assert_eq!(refresh(&server, &fresh).status, 200);
    let actions = audit_actions(&office);
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "set_session_lifetime")
            .count(),
        2,
        "{actions:?}"
    );
}
both!(sessions_end_after_the_lifetime);

fn office_unlocks_a_locked_account(b: &Backend) {
    let server = Server::start(b);
    let office = server.login("office1");
    let unit_user = server.login("wjw-liaison");
    for _ in 0..10 {
        login_answer(&server, USER, "wrong-password", "dev-lock")
            .assert_error(401, "auth.invalid_credentials");
    }
    login_answer(&server, USER, DEMO_PASSWORD, "dev-lock").assert_error(429, "auth.locked");

    unit_user
        .post(&format!("/v1/office/users/{USER}/unlock"), &json!({}))
        .assert_error(403, "auth.forbidden");
    let r = office.post(&format!("/v1/office/users/{USER}/unlock"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    let r = login_answer(&server, USER, DEMO_PASSWORD, "dev-lock");
    assert_eq!(r.status, 200, "{}", r.body);

    // And from the command line.
    for _ in 0..10 {
        login_answer(&server, USER, "wrong-password", "dev-lock");
    }
    login_answer(&server, USER, DEMO_PASSWORD, "dev-lock").assert_error(429, "auth.locked");
    server.cli(b, &["user", "unlock", USER], "");
    assert_eq!(
        login_answer(&server, USER, DEMO_PASSWORD, "dev-lock").status,
        200
    );
    assert!(audit_actions(&office).iter().any(|a| a == "unlock_user"));
}
both!(office_unlocks_a_locked_account);

/// The new routes are in the published contract.
fn account_routes_are_documented(b: &Backend) {
    let server = Server::start_with(b, false, &[]);
    let api = server.anon().get("/openapi.json");
    assert_eq!(api.status, 200);
    for (path, method) in [
        ("/v1/auth/password", "post"),
        ("/v1/office/users/{id}/disable", "post"),
        ("/v1/office/users/{id}/enable", "post"),
        ("/v1/office/users/{id}/unlock", "post"),
        ("/v1/office/users/{id}/reset-password", "post"),
        ("/v1/office/devices", "get"),
        ("/v1/office/devices/{id}/revoke", "post"),
        ("/v1/office/settings/session", "get"),
        ("/v1/office/settings/session", "put"),
    ] {
        let op = &api.body["paths"][path][method];
        assert!(op.is_object(), "{method} {path} missing from /openapi.json");
        assert!(
            op["responses"]["200"].is_object(),
            "{method} {path}: no 200"
        );
        assert!(
            op["responses"]["401"].is_object(),
            "{method} {path}: no 401"
        );
    }
    for schema in [
        "UserAccount",
        "DeviceInfo",
        "SessionSettings",
        "ChangePasswordRequest",
    ] {
        assert!(
            api.body["components"]["schemas"][schema].is_object(),
            "{schema} missing"
        );
    }
}
both!(account_routes_are_documented);

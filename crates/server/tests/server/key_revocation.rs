//! Revoking approvers' signing keys: the office revokes any key, an
//! approver their own; a decision signed with a revoked key that reaches
//! the server afterwards is refused (a rejected push result, the outbox
//! moves on), one received before keeps counting; the key list and the
//! audit log show the revocation; the command line revokes too.

use jianban_domain::{RevisionHash, UserRole};
use jianban_signoff::Decision;
use serde_json::{json, Value};

use crate::both;
use crate::harness::*;

const CASE: &str = "a023-wjw";

fn revision(c: &Client) -> RevisionHash {
    let snap = c.snapshot(CASE);
    assert_eq!(snap["case"]["state"], "awaiting_approval");
    serde_json::from_value(snap["case"]["draft"]["hash"].clone()).unwrap()
}

fn key_of(command: &Value) -> String {
    command["payload"]["signed_decision"]["public_key"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The key's entry in `GET /v1/keys` as `c` sees it.
fn listed(c: &Client, key: &str) -> Value {
    let r = c.get("/v1/keys");
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["public_key"] == key)
        .unwrap_or_else(|| panic!("key {key} not listed: {}", r.body))
        .clone()
}

/// The office audit lines of key revocations.
fn revocations(office: &Client) -> Vec<Value> {
    let r = office.get("/v1/office/audit?limit=5000");
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["action"] == "revoke_signing_key")
        .cloned()
        .collect()
}

fn detail(line: &Value) -> Value {
    match &line["detail"] {
        Value::String(s) => serde_json::from_str(s).unwrap(),
        v => v.clone(),
    }
}

fn a_decision_with_a_revoked_key_is_refused_and_the_outbox_moves_on(backend: &Backend) {
    let server = Server::start(backend);
    let office = server.login("office1");
    let head = server.login("wjw-head");
    let liaison = server.login("wjw-liaison");
    let rev = revision(&liaison);

    // The head signs on a PC that is then lost; the decision has not
    // reached the server yet.
    let lost = signed_decision(
        &head,
        1,
        CASE,
        &rev,
        "wjw-head",
        UserRole::Head,
        Decision::Approve,
    );
    let key = key_of(&lost);
    let entry = listed(&head, &key);
    assert_eq!(entry["user_id"], "wjw-head");
    assert_eq!(entry["role"], "head", "{entry}");
    assert_eq!(entry["unit_id"], "wjw", "{entry}");
    assert!(entry.get("revoked_at").is_none(), "{entry}");

    // Only the office revokes someone's key, with a reason; an unknown
    // key is a 404.
    let body = |key: &str, reason: &str| json!({"user_id": "wjw-head", "public_key": key, "reason": reason});
    liaison
        .post("/v1/office/keys/revoke", &body(&key, "电脑遗失"))
        .assert_error(403, "auth.forbidden");
    head.post("/v1/office/keys/revoke", &body(&key, "电脑遗失"))
        .assert_error(403, "auth.forbidden");
    office
        .post("/v1/office/keys/revoke", &body(&key, "   "))
        .assert_error(400, "keys.reason_required");
    office
        .post("/v1/office/keys/revoke", &body(&key, &"长".repeat(501)))
        .assert_error(400, "keys.reason_too_long");
    office
        .post(
            "/v1/office/keys/revoke",
            &body(&"ab".repeat(32), "电脑遗失"),
        )
        .assert_error(404, "not_found");
    assert!(revocations(&office).is_empty());

    let r = office.post("/v1/office/keys/revoke", &body(&key, "电脑遗失"));
    assert_eq!(r.status, 200, "{}", r.body);
    let revoked_at = r.body["revoked_at"].as_str().unwrap().to_string();
    assert_eq!(r.body["revoked_by"], "office1");
    assert_eq!(r.body["revocation_reason"], "电脑遗失");
    // Again: the first revocation stands and is answered.
    let again = office.post("/v1/office/keys/revoke", &body(&key, "另一个原因"));
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["revoked_at"], revoked_at.as_str());
    assert_eq!(again.body["revocation_reason"], "电脑遗失");
    let lines = revocations(&office);
    assert_eq!(lines.len(), 1, "audited once: {lines:?}");
    assert_eq!(lines[0]["actor_id"], "office1", "{}", lines[0]);
    let d = detail(&lines[0]);
    assert_eq!(d["user_id"], "wjw-head");
    assert_eq!(d["public_key"], key.as_str());
    assert_eq!(d["reason"], "电脑遗失");

    // The unit's people see the revocation in the key list.
    let entry = listed(&liaison, &key);
    assert_eq!(entry["revoked_at"], revoked_at.as_str(), "{entry}");
    assert_eq!(entry["revocation_reason"], "电脑遗失", "{entry}");
    // Another unit does not see the key at all.
    let r = server.login("fgw-liaison").get("/v1/keys");
    assert!(
        !r.body
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["public_key"] == key.as_str()),
        "{}",
        r.body
    );

    // The decision arrives after the revocation: refused in words, the
    // push still answers 200 and the next command applies.
    let fresh = signed_decision(
        &head,
        2,
        CASE,
        &rev,
        "wjw-head",
        UserRole::Head,
        Decision::Approve,
    );
    let r = head.push(&[lost, fresh]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(statuses(&r), ["rejected", "applied"], "{}", r.body);
    assert_eq!(r.body["last_seq"], 2, "{}", r.body);
    let error = &r.body["results"][0]["error"];
    assert_eq!(error["code"], "signoff.key_revoked", "{}", r.body);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("该签名密钥已于")
            && message.contains("被撤销，请审核人重新登录并登记新密钥后再签"),
        "{message}"
    );
    assert_eq!(liaison.snapshot(CASE)["case"]["state"], "signed_off");
}
both!(a_decision_with_a_revoked_key_is_refused_and_the_outbox_moves_on);

fn a_decision_received_before_the_revocation_keeps_counting(backend: &Backend) {
    let server = Server::start(backend);
    let office = server.login("office1");
    let head = server.login("wjw-head");
    let liaison = server.login("wjw-liaison");
    let rev = revision(&liaison);

    let approval = signed_decision(
        &head,
        1,
        CASE,
        &rev,
        "wjw-head",
        UserRole::Head,
        Decision::Approve,
    );
    let key = key_of(&approval);
    assert_eq!(
        statuses(&head.push(std::slice::from_ref(&approval))),
        ["applied"]
    );
    assert_eq!(liaison.snapshot(CASE)["case"]["state"], "signed_off");

    let r = office.post(
        "/v1/office/keys/revoke",
        &json!({"user_id": "wjw-head", "public_key": key, "reason": "人员调离"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    // The same decision sent again is still a duplicate, not a refusal.
    let mut resent = approval.clone();
    resent["seq"] = json!(2);
    resent["command_id"] = json!("resent-2");
    assert_eq!(statuses(&head.push(&[resent])), ["duplicate"]);
    // The sign-off made before the revocation stands: the reply goes out.
    let r = liaison.push(&[action(1, CASE, &jianban_domain::Action::Submit)]);
    assert_eq!(statuses(&r), ["applied"], "{}", r.body);
    assert_eq!(liaison.snapshot(CASE)["case"]["state"], "submitted");
}
both!(a_decision_received_before_the_revocation_keeps_counting);

fn an_approver_revokes_their_own_key_only(backend: &Backend) {
    let server = Server::start(backend);
    let office = server.login("office1");
    let head = server.login("wjw-head");
    let other = server.login("fgw-head");
    let register = |c: &Client| {
        let (identity, _) = jianban_signoff::SigningIdentity::create("审核人的密码");
        let r = c.post("/v1/auth/keys", &json!({"public_key": identity.public_key}));
        assert_eq!(r.status, 200, "{}", r.body);
        identity.public_key
    };
    let own = register(&head);
    let theirs = register(&other);

    head.post(
        "/v1/auth/keys/revoke",
        &json!({"public_key": theirs, "reason": "误操作"}),
    )
    .assert_error(403, "auth.forbidden");
    head.post(
        "/v1/auth/keys/revoke",
        &json!({"public_key": "cd".repeat(32), "reason": "电脑遗失"}),
    )
    .assert_error(404, "not_found");
    head.post(
        "/v1/auth/keys/revoke",
        &json!({"public_key": own, "reason": ""}),
    )
    .assert_error(400, "keys.reason_required");
    assert!(listed(&office, &theirs).get("revoked_at").is_none());

    let r = head.post(
        "/v1/auth/keys/revoke",
        &json!({"public_key": own, "reason": "笔记本电脑遗失"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["revoked_by"], "wjw-head");
    assert!(r.body["revoked_at"].is_string(), "{}", r.body);
    let lines = revocations(&office);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["actor_id"], "wjw-head");
    assert_eq!(detail(&lines[0])["own_key"], true);
    assert!(listed(&office, &own)["revoked_at"].is_string());
}
both!(an_approver_revokes_their_own_key_only);

fn the_command_line_revokes_a_key_with_an_audit_line(backend: &Backend) {
    let server = Server::start(backend);
    let office = server.login("office1");
    let head = server.login("wjw-head");
    let liaison = server.login("wjw-liaison");
    let rev = revision(&liaison);
    let later = signed_decision(
        &head,
        1,
        CASE,
        &rev,
        "wjw-head",
        UserRole::Head,
        Decision::Approve,
    );
    let key = key_of(&later);

    let out = server.cli(
        backend,
        &[
            "revoke-key",
            "--user",
            "wjw-head",
            "--key",
            &key,
            "--reason",
            "人员调离",
        ],
        "",
    );
    assert!(out.contains("已撤销") && out.contains("人员调离"), "{out}");
    let entry = listed(&office, &key);
    assert_eq!(entry["revoked_by"], "cli", "{entry}");
    assert_eq!(entry["revocation_reason"], "人员调离", "{entry}");
    let lines = revocations(&office);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(detail(&lines[0])["reason"], "人员调离");

    let r = head.push(&[later]);
    assert_eq!(statuses(&r), ["rejected"], "{}", r.body);
    assert_eq!(r.body["results"][0]["error"]["code"], "signoff.key_revoked");
}
both!(the_command_line_revokes_a_key_with_an_audit_line);

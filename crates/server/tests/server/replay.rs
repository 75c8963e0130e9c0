//! Signed decisions bound to the approval round: an approval given before
//! a return never counts for the next submission of the same text, and a
//! decision sent again is acknowledged without being applied (it never
//! answers 500 or stalls the device's outbox).

use jianban_domain::{Action, RevisionHash, UserRole};
use jianban_signoff::Decision;
use serde_json::{json, Value};

use crate::both;
use crate::harness::*;

/// The same outbox row under another sequence number (the device sends
/// it again as a new command).
fn resent(command: &Value, seq: i64) -> Value {
    let mut c = command.clone();
    c["seq"] = json!(seq);
    c["command_id"] = json!(format!("resent-{seq}"));
    c
}

fn an_approval_from_before_a_return_does_not_count_again(backend: &Backend) {
    let server = Server::start(backend);
    let office = server.login("office1");
    let head = server.login("wjw-head");
    let liaison = server.login("wjw-liaison");
    let id = "a023-wjw";
    let snap = liaison.snapshot(id);
    assert_eq!(snap["case"]["state"], "awaiting_approval");
    let first_round = snap["case"]["approval_round"].as_u64().unwrap();
    let rev: RevisionHash = serde_json::from_value(snap["case"]["draft"]["hash"].clone()).unwrap();

    // Round one: the head signs off, the reply goes out.
    let approval = signed_decision(
        &head,
        1,
        id,
        &rev,
        "wjw-head",
        UserRole::Head,
        Decision::Approve,
    );
    assert_eq!(
        statuses(&head.push(std::slice::from_ref(&approval))),
        ["applied"]
    );
    assert_eq!(
        statuses(&liaison.push(&[action(1, id, &Action::Submit)])),
        ["applied"]
    );

    // An exact resend of the accepted decision, and the same in capital
    // hex: acknowledged as duplicates, nothing applied, the outbox moves on.
    let mut capitals = resent(&approval, 3);
    let sig = capitals["payload"]["signed_decision"]["signature"]
        .as_str()
        .unwrap()
        .to_ascii_uppercase();
    capitals["payload"]["signed_decision"]["signature"] = json!(sig);
    let r = head.push(&[resent(&approval, 2), capitals]);
    assert_eq!(r.status, 200, "a resend never answers an error: {}", r.body);
    assert_eq!(statuses(&r), ["duplicate", "duplicate"], "{}", r.body);
    assert_eq!(r.body["last_seq"], 3);
    assert_eq!(liaison.snapshot(id)["case"]["state"], "submitted");

    // The office returns the reply; the liaison submits the same text again.
    let r = office.post(
        &format!("/v1/office/assignments/{id}/return"),
        &json!({"reasons": "未回应代表提出的具体问题"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        statuses(&liaison.push(&[action(2, id, &Action::SubmitForApproval)])),
        ["applied"]
    );
    let snap = liaison.snapshot(id);
    assert_eq!(snap["case"]["state"], "awaiting_approval");
    assert_eq!(
        snap["case"]["approval_round"].as_u64().unwrap(),
        first_round + 1
    );
    assert_eq!(snap["case"]["draft"]["hash"], json!(rev.0), "the same text");

    // The liaison replays the head's old approval: not applied.
    let r = liaison.push(&[resent(&approval, 3)]);
    assert_eq!(statuses(&r), ["duplicate"], "{}", r.body);
    assert_eq!(liaison.snapshot(id)["case"]["state"], "awaiting_approval");
    // Nor can the reply go out on it.
    let r = liaison.push(&[action(4, id, &Action::Submit)]);
    assert_eq!(statuses(&r), ["rejected"], "{}", r.body);

    // A decision the head signed in round one but never sent: refused,
    // saying why and what to do.
    let old = {
        let mut d = signed_decision(
            &head,
            4,
            id,
            &rev,
            "wjw-head",
            UserRole::Head,
            Decision::Approve,
        );
        let record = &mut d["payload"]["signed_decision"]["record"];
        assert_eq!(record["round"].as_u64().unwrap(), first_round + 1);
        d
    };
    let stale = signed_decision_in_round(
        &head,
        4,
        id,
        &rev,
        ("wjw-head", UserRole::Head),
        first_round as u32,
    );
    let r = head.push(&[stale]);
    assert_eq!(statuses(&r), ["rejected"], "{}", r.body);
    let error = &r.body["results"][0]["error"];
    assert_eq!(error["code"], "signoff.invalid_signature", "{}", r.body);
    assert!(
        error["message"].as_str().unwrap().contains("重新审核"),
        "{}",
        r.body
    );
    assert_eq!(liaison.snapshot(id)["case"]["state"], "awaiting_approval");

    // The head's new approval in this round counts; the reply goes out.
    let r = head.push(&[resent(&old, 5)]);
    assert_eq!(statuses(&r), ["applied"], "{}", r.body);
    assert_eq!(
        statuses(&liaison.push(&[action(5, id, &Action::Submit)])),
        ["applied"]
    );
    assert_eq!(liaison.snapshot(id)["case"]["state"], "submitted");
}
both!(an_approval_from_before_a_return_does_not_count_again);

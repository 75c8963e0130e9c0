//! A signed decision's time is the approver's PC clock: out of tolerance of
//! the server's clock it is accepted (a wrong clock must not block a reply)
//! and flagged in the office's audit log with both times.

use jianban_domain::{RevisionHash, UserRole};
use jianban_signoff::Decision;
use serde_json::Value;

use crate::both;
use crate::harness::*;

/// Approves `id` (awaiting approval) as `head` with the PC clock at `at`.
fn approve_at(server: &Server, head: &str, id: &str, at: chrono::NaiveDateTime) {
    let c = server.login(head);
    let rev: RevisionHash =
        serde_json::from_value(c.snapshot(id)["case"]["draft"]["hash"].clone()).unwrap();
    let signed = signed_step_at(
        &c,
        1,
        id,
        &rev,
        (head, UserRole::Head),
        (0, "主要负责人审核签发"),
        Decision::Approve,
        at,
    );
    let r = c.push(&[signed]);
    assert_eq!(statuses(&r), ["applied"], "{}", r.body);
    assert_eq!(c.snapshot(id)["case"]["state"], "signed_off");
}

fn audit_of(server: &Server, id: &str) -> Vec<Value> {
    let r = server
        .login("office1")
        .get(&format!("/v1/office/audit?assignment_id={id}"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.body.as_array().unwrap().clone()
}

fn skew_lines(lines: &[Value]) -> Vec<&Value> {
    lines
        .iter()
        .filter(|l| l["action"] == "decision_clock_skew")
        .collect()
}

fn decision_times_out_of_tolerance_are_flagged(backend: &Backend) {
    let server = Server::start(backend);
    let now = chrono::Local::now().naive_local();

    // A head's PC two hours ahead: accepted, and flagged with both times.
    let ahead = now + chrono::Duration::hours(2);
    approve_at(&server, "wjw-head", "a023-wjw", ahead);
    let lines = audit_of(&server, "a023-wjw");
    let flagged = skew_lines(&lines);
    assert_eq!(flagged.len(), 1, "{lines:?}");
    let detail = &flagged[0]["detail"];
    assert_eq!(
        detail["decision_at"],
        ahead.format("%Y-%m-%dT%H:%M:%S").to_string(),
        "{detail}"
    );
    let server_at = chrono::NaiveDateTime::parse_from_str(
        detail["server_at"].as_str().unwrap(),
        "%Y-%m-%dT%H:%M:%S",
    )
    .unwrap();
    assert!((server_at - now).num_minutes().abs() < 5, "{detail}");
    assert!(
        detail["note"].as_str().unwrap().contains("时钟"),
        "{detail}"
    );
    assert_eq!(flagged[0]["actor_id"], "wjw-head");

    // A month behind: flagged as well.
    approve_at(
        &server,
        "zjj-head",
        "a171-zjj",
        now - chrono::Duration::days(30),
    );
    assert_eq!(skew_lines(&audit_of(&server, "a171-zjj")).len(), 1);
}
both!(decision_times_out_of_tolerance_are_flagged);

fn a_decision_within_tolerance_is_not_flagged(backend: &Backend) {
    let server = Server::start(backend);
    // A few minutes of drift, or approved offline two days ago: normal.
    let now = chrono::Local::now().naive_local();
    approve_at(
        &server,
        "wjw-head",
        "a023-wjw",
        now + chrono::Duration::minutes(3),
    );
    approve_at(
        &server,
        "zjj-head",
        "a171-zjj",
        now - chrono::Duration::days(2),
    );
    for id in ["a023-wjw", "a171-zjj"] {
        let lines = audit_of(&server, id);
        assert!(skew_lines(&lines).is_empty(), "{lines:?}");
        assert!(
            lines.iter().any(|l| l["action"] == "signed_decision"),
            "{lines:?}"
        );
    }
}
both!(a_decision_within_tolerance_is_not_flagged);

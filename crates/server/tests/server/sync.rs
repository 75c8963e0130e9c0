//! Push: exactly once, in order, gaps refused, stale commands answered with
//! the current case; and the change feed's paging.

use jianban_domain::{Action, RevisionHash, UserRole};
use jianban_signoff::Decision;
use serde_json::json;

use crate::both;
use crate::harness::*;

fn same_batch_three_times_is_applied_once(backend: &Backend) {
    let server = Server::start(backend);
    let c = server.login("zjj-liaison");
    let id = "a006-zjj";
    let before = c.snapshot(id);
    assert_eq!(before["case"]["state"], "awaiting_receipt");
    let content = reply_content("经认真研究，现答复如下：……");
    let batch = vec![
        action(1, id, &Action::Receive),
        contact(2, id),
        draft(3, id, &content),
    ];
    let first = c.push(&batch);
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(statuses(&first), ["applied", "applied", "applied"]);
    assert_eq!(first.body["last_seq"], 3);
    for _ in 0..2 {
        let again = c.push(&batch);
        assert_eq!(statuses(&again), ["duplicate", "duplicate", "duplicate"]);
        assert_eq!(again.body["last_seq"], 3);
    }
    let after = c.snapshot(id);
    assert_eq!(after["case"]["state"], "drafting");
    assert_eq!(after["case"]["contact_count"], 1);
    assert_eq!(
        after["version"].as_u64().unwrap(),
        before["version"].as_u64().unwrap() + 3
    );
    let feed = c.pull_all();
    assert_eq!(
        feed.iter()
            .filter(|ch| ch["entity"] == "contact" && ch["data"]["assignment_id"] == id)
            .count(),
        1
    );
    let drafts: Vec<_> = feed
        .iter()
        .filter(|ch| ch["entity"] == "draft" && ch["id"] == id)
        .collect();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0]["data"]["revision"], 1);
    assert_eq!(drafts[0]["data"]["content"]["body"], content.body);
    // One audit line per applied command (after the assignment's own).
    let office = server.login("office1");
    let audit = office.get(&format!("/v1/office/audit?assignment_id={id}"));
    let actions: Vec<_> = audit
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        actions,
        ["assign", "receive", "record_contact", "save_draft"]
    );
}
both!(same_batch_three_times_is_applied_once);

fn a_sequence_gap_is_refused(backend: &Backend) {
    let server = Server::start(backend);
    let c = server.login("zjj-liaison");
    let id = "a006-zjj";
    assert_eq!(
        statuses(&c.push(&[action(1, id, &Action::Receive)])),
        ["applied"]
    );
    // Seq 3 without 2: refused, nothing applied.
    let r = c.push(&[contact(3, id)]);
    r.assert_error(409, "sync.sequence_gap");
    assert_eq!(r.body["expected"], 2);
    // 2 then 4: 2 is applied, the batch stops at the gap.
    let r = c.push(&[contact(2, id), contact(4, id)]);
    r.assert_error(409, "sync.sequence_gap");
    assert_eq!(r.body["expected"], 3);
    assert_eq!(c.snapshot(id)["case"]["contact_count"], 1);
    let r = c.push(&[contact(2, id), contact(3, id)]);
    assert_eq!(statuses(&r), ["duplicate", "applied"]);
    assert_eq!(c.snapshot(id)["case"]["contact_count"], 2);
}
both!(a_sequence_gap_is_refused);

fn stale_transitions_come_back_with_the_current_case(backend: &Backend) {
    let server = Server::start(backend);
    let office = server.login("office1");
    let head = server.login("gaj-head");
    // The office returns a submitted reply; the head's approval, made
    // offline against the old state, arrives afterwards.
    let id = "a030-gaj";
    let snap = head.snapshot(id);
    assert_eq!(snap["case"]["state"], "submitted");
    let rev: RevisionHash = serde_json::from_value(snap["case"]["draft"]["hash"].clone()).unwrap();
    let r = office.post(
        &format!("/v1/office/assignments/{id}/return"),
        &json!({"reasons": "未回应代表提出的具体问题"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["case"]["state"], "returned");
    let approve = signed_decision(
        &head,
        1,
        id,
        &rev,
        "gaj-head",
        UserRole::Head,
        Decision::Approve,
    );
    let r = head.push(&[approve, action(2, id, &Action::Receive)]);
    assert_eq!(r.status, 200, "{}", r.body);
    let res = &r.body["results"];
    assert_eq!(res[0]["status"], "rejected");
    assert_eq!(res[0]["error"]["code"], "workflow.not_allowed");
    assert!(res[0]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("退回重办"));
    assert_eq!(res[0]["current"]["case"]["state"], "returned");
    assert_eq!(
        res[1]["status"], "rejected",
        "a refused command does not block the next"
    );
    assert_eq!(r.body["last_seq"], 2, "rejected commands consume their seq");

    // A malformed command is rejected alone; the next one is applied.
    let liaison = server.login("wjw-liaison");
    let signed = "a029-wjw";
    let r = liaison.push(&[
        command(1, signed, "receive", json!({"type": "no_such_action"})),
        command(2, signed, "approve", json!({"type": "receive"})),
        command(
            3,
            signed,
            "save_draft",
            json!({"revision": 9, "hash": "0".repeat(64), "content": {}}),
        ),
        action(4, signed, &Action::Submit),
    ]);
    assert_eq!(
        statuses(&r),
        ["rejected", "rejected", "rejected", "applied"],
        "{}",
        r.body
    );
    assert_eq!(
        r.body["results"][0]["error"]["code"],
        "sync.malformed_command"
    );
    assert_eq!(
        r.body["results"][1]["error"]["code"],
        "sync.malformed_command"
    );
    assert_eq!(
        r.body["results"][2]["error"]["code"],
        "sync.malformed_command"
    );
    assert_eq!(liaison.snapshot(signed)["case"]["state"], "submitted");

    // An approval of a revision that was edited since: stale revision.
    let head = server.login("wjw-head");
    let waiting = "a023-wjw";
    let stale = signed_decision(
        &head,
        1,
        waiting,
        &RevisionHash("0".repeat(64)),
        "wjw-head",
        UserRole::Head,
        Decision::Approve,
    );
    let r = head.push(&[stale]);
    assert_eq!(
        r.body["results"][0]["error"]["code"], "workflow.stale_revision",
        "{}",
        r.body
    );
    assert_eq!(
        r.body["results"][0]["current"]["case"]["state"],
        "awaiting_approval"
    );
    // An approval or a return that is not signed is refused, whoever sends
    // it, and the case is left as it was.
    let current: RevisionHash =
        serde_json::from_value(head.snapshot(waiting)["case"]["draft"]["hash"].clone()).unwrap();
    let bare_approve = Action::Approve {
        revision: current,
        comment: "同意".into(),
    };
    let bare_return = Action::ReturnToDrafter {
        comment: "请修改".into(),
    };
    let r = head.push(&[
        action(2, waiting, &bare_approve),
        action(3, waiting, &bare_return),
    ]);
    assert_eq!(statuses(&r), ["rejected", "rejected"], "{}", r.body);
    for res in r.body["results"].as_array().unwrap() {
        assert_eq!(res["error"]["code"], "signoff.unsigned", "{}", r.body);
        assert!(res["error"]["message"].as_str().unwrap().contains("签名"));
        assert_eq!(res["current"]["case"]["state"], "awaiting_approval");
    }
    // No reply without sign-off (不审核不答复): submit from drafting is refused.
    let r = server
        .login("fgw-liaison")
        .push(&[action(1, "a039-fgw", &Action::Submit)]);
    assert_eq!(
        r.body["results"][0]["error"]["code"], "workflow.not_allowed",
        "{}",
        r.body
    );
}
both!(stale_transitions_come_back_with_the_current_case);

fn the_feed_pages_in_one_order(backend: &Backend) {
    let server = Server::start(backend);
    let office = server.login("office1");
    let all = office.pull_all();
    let mut after = 0;
    let mut paged = Vec::new();
    loop {
        let r = office.get(&format!("/v1/sync/changes?after={after}&limit=7"));
        let page = r.body["changes"].as_array().unwrap();
        assert!(page.len() <= 7);
        paged.extend(page.iter().cloned());
        after = r.body["next_after"].as_i64().unwrap();
        assert_eq!(
            r.body["remaining"].as_u64().unwrap() > 0,
            r.body["has_more"].as_bool().unwrap()
        );
        if !r.body["has_more"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(paged, all);
    let seqs: Vec<i64> = all.iter().map(|c| c["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "one increasing order");
    // A change moves the entity to the end; a client at the old end gets it.
    let r = office.post(
        "/v1/office/assignments/a006-zjj/urge",
        &json!({"message": "请尽快签收"}),
    );
    assert_eq!(r.status, 200);
    let r = office.get(&format!("/v1/sync/changes?after={after}"));
    let ids: Vec<_> = r.body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["entity"].as_str().unwrap().to_string(),
                c["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        ids.contains(&("assignment".into(), "a006-zjj".into())),
        "{ids:?}"
    );
    assert!(ids.iter().any(|(e, _)| e == "notice"));
    let unit = server.login("zjj-liaison").pull_all();
    assert!(unit
        .iter()
        .any(|c| c["entity"] == "notice" && c["data"]["message"] == "请尽快签收"));
    // Bad cursors are refused clearly.
    office
        .get("/v1/sync/changes?after=-1")
        .assert_error(400, "sync.bad_cursor");
    office
        .get("/v1/sync/changes?after=abc")
        .assert_error(400, "request.bad_query");
}
both!(the_feed_pages_in_one_order);

/// A desktop restored from a backup numbers its outbox again: a used number
/// with another command is refused as a whole (nothing of the batch is
/// applied), never acknowledged as a duplicate; the same command under its
/// number stays a duplicate; and the commands resent under a new device are
/// taken once, those already delivered by id answered as duplicates.
fn a_reused_sequence_number_is_refused_not_dropped(backend: &Backend) {
    let server = Server::start(backend);
    let c = server.login_device("zjj-liaison", "pc-restored");
    let id = "a006-zjj";
    let first = c.push(&[action(1, id, &Action::Receive), contact(2, id)]);
    assert_eq!(statuses(&first), ["applied", "applied"]);
    // The resent batch after a crash: the same ids under the same numbers.
    let again = c.push(&[action(1, id, &Action::Receive)]);
    assert_eq!(statuses(&again), ["duplicate"]);
    // The restored PC's new command under number 2, then a fresh 3.
    let mut other = contact(2, id);
    other["command_id"] = json!("cmd-after-restore-2");
    let r = c.push(&[other.clone(), contact(3, id)]);
    r.assert_error(409, "sync.seq_reused");
    assert!(
        r.body["message"].as_str().unwrap().contains("重新登记"),
        "{}",
        r.body
    );
    assert_eq!(c.snapshot(id)["case"]["contact_count"], 1);
    // Number 3 was not taken either: it is still free.
    let fresh = c.push(&[contact(3, id)]);
    assert_eq!(statuses(&fresh), ["applied"]);
    assert_eq!(c.snapshot(id)["case"]["contact_count"], 2);

    // Re-registered as a new device, the PC resends its pending commands
    // from 1: the one the server already has (by id) is not applied again.
    let renewed = server.login_device("zjj-liaison", "pc-restored-2");
    let mut known = contact(1, id);
    known["command_id"] = json!(format!("cmd-{id}-3"));
    let mut new = other;
    new["seq"] = json!(2);
    let r = renewed.push(&[known, new]);
    assert_eq!(statuses(&r), ["duplicate", "applied"]);
    assert_eq!(renewed.snapshot(id)["case"]["contact_count"], 3);
}
both!(a_reused_sequence_number_is_refused_not_dropped);

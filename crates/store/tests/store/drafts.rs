//! Draft revisions: immutable, durable, restorable; approvals bind to them.

use super::*;

fn reply(body: &str) -> ReplyContent {
    ReplyContent {
        category: Some(ResultCategory::B),
        title: "关于市六届人大三次会议第196号建议的答复".into(),
        salutation: "张建国代表：".into(),
        body: body.into(),
        contact_person: "王晓梅".into(),
        contact_phone: "0557-3012345".into(),
        ..Default::default()
    }
}

#[test]
fn each_save_is_a_revision_and_restoring_makes_a_new_one() {
    let mut t = demo_store();
    let liaison = demo_actor("zjj", UserRole::Liaison);
    let id = "a196-zjj";
    let r1 = t
        .store
        .save_draft(id, &reply("第一稿"), &liaison, at(TODAY, (9, 0, 0)))
        .unwrap();
    let r2 = t
        .store
        .save_draft(id, &reply("第二稿"), &liaison, at(TODAY, (9, 1, 0)))
        .unwrap();
    assert_eq!((r1.number, r2.number), (1, 2));
    assert_ne!(r1.hash, r2.hash);
    // Saving the same text again keeps the current revision.
    let again = t
        .store
        .save_draft(id, &reply("第二稿"), &liaison, at(TODAY, (9, 2, 0)))
        .unwrap();
    assert_eq!(again, r2);
    assert_eq!(t.store.case(id).unwrap().state, CaseState::Drafting);

    let r3 = t
        .store
        .restore_revision(id, 1, &liaison, at(TODAY, (9, 3, 0)))
        .unwrap();
    assert_eq!(r3.number, 3);
    assert_eq!(r3.hash, r1.hash);
    assert_eq!(r3.restored_from, Some(1));
    assert_eq!(
        t.store.current_draft(id).unwrap().unwrap().content.body,
        "第一稿"
    );
    let history = t.store.revisions(id).unwrap();
    assert_eq!(
        history.iter().map(|r| r.number).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(history[0].author, liaison.user);
    assert_eq!(t.store.revision(id, 2).unwrap().content.body, "第二稿");
    assert_eq!(
        t.store.revision(id, 9).unwrap_err().code(),
        "store.not_found"
    );
}

#[test]
fn an_edit_after_sign_off_voids_the_approval_in_the_store_too() {
    let mut t = demo_store();
    let liaison = demo_actor("zjj", UserRole::Liaison);
    let head = demo_actor("zjj", UserRole::Head);
    let id = "a196-zjj";
    // After the co-handlers' deadline (2024-06-28) the lead may go ahead.
    let now = at("2024-07-01", (10, 0, 0));
    t.store
        .record_contact(
            id,
            &jianban_store::ContactInput {
                mode: ContactMode::Phone,
                date: date(TODAY),
                people: "张建国代表".into(),
                summary: "电话沟通".into(),
            },
            &liaison,
            now,
        )
        .unwrap();
    let r = t
        .store
        .save_draft(id, &reply("答复正文"), &liaison, now)
        .unwrap();
    t.store
        .apply(id, &Action::SubmitForApproval, &liaison, now)
        .unwrap();
    // A liaison cannot approve.
    let approve = Action::Approve {
        revision: r.hash.clone(),
        comment: "同意".into(),
    };
    assert_eq!(
        t.store
            .apply(id, &approve, &liaison, now)
            .unwrap_err()
            .code(),
        "workflow.wrong_approver"
    );
    let c = t.store.apply(id, &approve, &head, now).unwrap();
    assert_eq!(c.state, CaseState::SignedOff);
    assert_eq!(c.approvals[0].revision, r.hash);
    t.store
        .save_draft(id, &reply("答复正文（修改）"), &liaison, now)
        .unwrap();
    let c = t.store.case(id).unwrap();
    assert_eq!(c.state, CaseState::Drafting);
    assert!(c.approvals.is_empty());
    // The history shows both sides of it.
    let log = t.store.audit_log(id).unwrap();
    let last = log.last().unwrap();
    assert_eq!(last.action, "save_draft");
    assert_eq!(last.state_before, Some(CaseState::SignedOff));
    assert_eq!(last.state_after, Some(CaseState::Drafting));
}

#[test]
fn revisions_and_the_audit_log_cannot_be_rewritten() {
    let mut t = demo_store();
    let liaison = demo_actor("zjj", UserRole::Liaison);
    t.store
        .save_draft("a196-zjj", &reply("正文"), &liaison, at(TODAY, (9, 0, 0)))
        .unwrap();
    let conn = rusqlite::Connection::open(t.path()).unwrap();
    for sql in [
        "UPDATE revisions SET content_json = '{}'",
        "DELETE FROM revisions",
        "UPDATE audit_log SET action = 'x'",
        "DELETE FROM audit_log",
    ] {
        let err = conn.execute(sql, []).unwrap_err();
        assert!(
            err.to_string().contains("immutable")
                || err.to_string().contains("never deleted")
                || err.to_string().contains("append-only"),
            "{sql}: {err}"
        );
    }
}

#[test]
fn a_submitted_reply_cannot_be_edited_and_nothing_is_written() {
    let mut t = demo_store();
    let demo = demo_data();
    let submitted = demo
        .assignments
        .iter()
        .find(|a| a.state == CaseState::Submitted && a.role == HandlingRole::Lead)
        .unwrap();
    let liaison = demo_actor(submitted.unit_id.as_str(), UserRole::Liaison);
    let before = t.store.revisions(submitted.id.as_str()).unwrap();
    let err = t
        .store
        .save_draft(
            submitted.id.as_str(),
            &reply("改"),
            &liaison,
            at(TODAY, (9, 0, 0)),
        )
        .unwrap_err();
    assert_eq!(err.code(), "workflow.not_allowed");
    assert!(err.to_string().contains("已答复"), "{err}");
    assert_eq!(t.store.revisions(submitted.id.as_str()).unwrap(), before);
    assert_eq!(t.store.outbox_pending_count().unwrap(), 0);
}

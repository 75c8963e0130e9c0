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

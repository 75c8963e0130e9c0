//! The store's side of sync: pulled pages, acknowledgements, and the rule
//! that server data never overwrites local work not yet pushed.

use super::*;
use jianban_store::{PushResult, PushStatus, RemoteChange};

/// The demo's reference data and every case of one unit, as the server
/// would send them (taken from a store that replayed the demo).
fn feed_for(unit: &str) -> (Vec<RemoteChange>, TestStore) {
    let source = demo_store();
    let demo = demo_data();
    let mut changes = Vec::new();
    changes.extend(demo.sessions.iter().cloned().map(RemoteChange::Session));
    changes.extend(demo.deputies.iter().cloned().map(RemoteChange::Deputy));
    changes.extend(demo.units.iter().cloned().map(RemoteChange::Unit));
    changes.extend(
        demo.suggestions
            .iter()
            .cloned()
            .map(RemoteChange::Suggestion),
    );
    for a in demo
        .assignments
        .iter()
        .filter(|a| a.unit_id.as_str() == unit)
    {
        let case = source.store.case(a.id.as_str()).unwrap();
        let assignment = Assignment {
            id: a.id.clone(),
            suggestion_id: a.suggestion_id.clone(),
            unit_id: a.unit_id.clone(),
            role: a.role,
            assigned_on: DemoData::assigned_on(a, date(TODAY)),
        };
        changes.push(RemoteChange::Assignment { assignment, case });
    }
    (changes, source)
}

use jianban_domain::demo::DemoData;

fn assignment_of(changes: &[RemoteChange], id: &str) -> (Assignment, Case) {
    changes
        .iter()
        .find_map(|c| match c {
            RemoteChange::Assignment { assignment, case } if assignment.id.as_str() == id => {
                Some((assignment.clone(), case.clone()))
            }
            _ => None,
        })
        .unwrap()
}

#[test]
fn a_first_pull_fills_an_empty_store_and_saves_the_cursor() {
    let (changes, _src) = feed_for("zjj");
    let mut t = empty_store();
    t.store
        .apply_pull(&changes, 42, at(TODAY, (8, 0, 0)))
        .unwrap();
    assert_eq!(t.store.sync_cursor().unwrap(), 42);
    let list = t.store.workbench_items(date(TODAY)).unwrap();
    assert!(list
        .iter()
        .any(|r| r.suggestion_number == 196 && r.state == CaseState::Received));
    assert!(list.iter().all(|r| r.unit_name == "市住房城乡建设局"));
    let notices = t.store.notices(true).unwrap();
    assert!(notices.iter().any(|n| n.kind == "assigned"));
    assert!(!t.store.search("韧性", 5).unwrap().is_empty());
    // Applying the same page again changes nothing.
    let before = t.store.audit_log("a196-zjj").unwrap().len();
    t.store
        .apply_pull(&changes, 42, at(TODAY, (8, 1, 0)))
        .unwrap();
    assert_eq!(t.store.audit_log("a196-zjj").unwrap().len(), before);
}

#[test]
fn a_page_is_applied_whole_or_not_at_all() {
    let (mut changes, _src) = feed_for("zjj");
    let mut t = empty_store();
    // A calendar the office got wrong breaks the page.
    changes.push(RemoteChange::Calendar(
        jianban_domain::calendar::CalendarFile {
            format: "wrong".into(),
            source: String::new(),
            years: vec![],
        },
    ));
    let err = t
        .store
        .apply_pull(&changes, 7, at(TODAY, (8, 0, 0)))
        .unwrap_err();
    assert!(err.to_string().contains("节假日"), "{err}");
    assert_eq!(t.store.sync_cursor().unwrap(), 0);
    assert!(t.store.is_empty().unwrap());
}

#[test]
fn a_change_that_comes_before_what_it_refers_to_waits_for_it() {
    let (changes, _src) = feed_for("zjj");
    let mut t = empty_store();
    // Page 1: everything but suggestion 196; page 2: suggestion 196.
    let (late, first): (Vec<_>, Vec<_>) = changes
        .into_iter()
        .partition(|c| matches!(c, RemoteChange::Suggestion(s) if s.number == 196));
    t.store.apply_pull(&first, 1, at(TODAY, (8, 0, 0))).unwrap();
    assert!(t.store.case("a196-zjj").is_err());
    t.store.apply_pull(&late, 2, at(TODAY, (8, 1, 0))).unwrap();
    assert_eq!(t.store.case("a196-zjj").unwrap().state, CaseState::Received);
}

#[test]
fn a_return_arriving_while_a_draft_is_unpushed_waits_then_keeps_the_draft() {
    let (changes, _src) = feed_for("zjj");
    let mut t = empty_store();
    t.store
        .apply_pull(&changes, 1, at(TODAY, (8, 0, 0)))
        .unwrap();
    let liaison = demo_actor("zjj", UserRole::Liaison);
    returned_while_typing(t, &changes, "a196-zjj", &liaison)
}

fn returned_while_typing(mut t: TestStore, changes: &[RemoteChange], id: &str, liaison: &Actor) {
    let (assignment, server_case) = assignment_of(changes, id);
    // The liaison records a contact and types a draft offline.
    t.store
        .record_contact(
            id,
            &jianban_store::ContactInput {
                mode: ContactMode::Phone,
                date: date(TODAY),
                people: "代表".into(),
                summary: "电话沟通".into(),
            },
            liaison,
            at(TODAY, (9, 0, 0)),
        )
        .unwrap();
    let typed = ReplyContent {
        body: "离线时写下的答复正文".into(),
        ..Default::default()
    };
    t.store
        .save_draft(id, &typed, liaison, at(TODAY, (9, 1, 0)))
        .unwrap();
    let pending = t.store.outbox_pending(10).unwrap();
    assert_eq!(pending.len(), 2);
    let local = t.store.case(id).unwrap();

    // Meanwhile the server moved the case on: a snapshot with a higher version.
    let mut moved = server_case.clone();
    moved.version += 5;
    moved.state = CaseState::Returned;
    moved.rehandling_round += 1;
    t.store
        .apply_pull(
            &[RemoteChange::Assignment {
                assignment: assignment.clone(),
                case: moved.clone(),
            }],
            2,
            at(TODAY, (9, 2, 0)),
        )
        .unwrap();
    // Not applied over the unpushed commands.
    assert_eq!(t.store.case(id).unwrap(), local);

    // The push is acknowledged: the server applied both and says where the case is now.
    let mut after = moved.clone();
    after.version += 2;
    after.contact_count += 1;
    let results: Vec<PushResult> = pending
        .iter()
        .map(|p| PushResult {
            seq: p.seq,
            status: PushStatus::Applied,
            current: Some(Box::new((assignment.clone(), after.clone()))),
        })
        .collect();
    t.store
        .record_push_results(&results, at(TODAY, (9, 3, 0)))
        .unwrap();
    assert_eq!(t.store.outbox_pending_count().unwrap(), 0);
    assert_eq!(t.store.case(id).unwrap(), after);
    // The draft is intact and the liaison is told so.
    assert_eq!(t.store.current_draft(id).unwrap().unwrap().content, typed);
    let notices = t.store.notices(true).unwrap();
    assert!(
        notices
            .iter()
            .any(|n| n.kind == "returned" && n.message.contains("草稿已保留")),
        "{notices:?}"
    );
}

#[test]
fn an_acknowledgement_without_state_waits_for_the_feed() {
    let (changes, _src) = feed_for("zjj");
    let mut t = empty_store();
    t.store
        .apply_pull(&changes, 1, at(TODAY, (8, 0, 0)))
        .unwrap();
    let liaison = demo_actor("zjj", UserRole::Liaison);
    let (assignment, server_case) = assignment_of(&changes, "a196-zjj");
    t.store
        .save_draft(
            "a196-zjj",
            &ReplyContent {
                body: "稿".into(),
                ..Default::default()
            },
            &liaison,
            at(TODAY, (9, 0, 0)),
        )
        .unwrap();
    let local = t.store.case("a196-zjj").unwrap();
    let seq = t.store.outbox_pending(1).unwrap()[0].seq;
    t.store
        .record_push_results(
            &[PushResult {
                seq,
                status: PushStatus::Applied,
                current: None,
            }],
            at(TODAY, (9, 1, 0)),
        )
        .unwrap();
    // The snapshot held is from before the draft: it must not replace it.
    assert_eq!(t.store.case("a196-zjj").unwrap(), local);
    // The feed brings the state after the command; now it is applied.
    let mut next = server_case.clone();
    next.version += 1;
    next.state = CaseState::Drafting;
    next.draft = local.draft.clone();
    t.store
        .apply_pull(
            &[RemoteChange::Assignment {
                assignment,
                case: next.clone(),
            }],
            2,
            at(TODAY, (9, 2, 0)),
        )
        .unwrap();
    assert_eq!(t.store.case("a196-zjj").unwrap(), next);
}

#[test]
fn a_rejected_command_becomes_a_notice_and_keeps_the_text() {
    let (changes, _src) = feed_for("zjj");
    let mut t = empty_store();
    t.store
        .apply_pull(&changes, 1, at(TODAY, (8, 0, 0)))
        .unwrap();
    let liaison = demo_actor("zjj", UserRole::Liaison);
    let (assignment, server_case) = assignment_of(&changes, "a196-zjj");
    let typed = ReplyContent {
        body: "不会丢失的正文".into(),
        ..Default::default()
    };
    t.store
        .save_draft("a196-zjj", &typed, &liaison, at(TODAY, (9, 0, 0)))
        .unwrap();
    let seq = t.store.outbox_pending(1).unwrap()[0].seq;
    let mut transferred = server_case.clone();
    transferred.version += 3;
    transferred.state = CaseState::Transferred;
    t.store
        .record_push_results(
            &[PushResult {
                seq,
                status: PushStatus::Rejected {
                    code: "workflow.not_allowed".into(),
                    message: "当前状态为“已调整”，不能修改稿件。".into(),
                },
                current: Some(Box::new((assignment, transferred.clone()))),
            }],
            at(TODAY, (9, 1, 0)),
        )
        .unwrap();
    assert_eq!(
        t.store.case("a196-zjj").unwrap().state,
        CaseState::Transferred
    );
    assert_eq!(
        t.store.current_draft("a196-zjj").unwrap().unwrap().content,
        typed
    );
    let notices = t.store.notices(true).unwrap();
    assert!(notices
        .iter()
        .any(|n| n.kind == "rejected" && n.message.contains("已保留")));
    assert!(notices.iter().any(|n| n.kind == "transferred"));
}

#[test]
fn a_draft_from_another_pc_becomes_a_revision_unless_local_edits_wait() {
    let (changes, _src) = feed_for("zjj");
    let mut t = empty_store();
    t.store
        .apply_pull(&changes, 1, at(TODAY, (8, 0, 0)))
        .unwrap();
    let remote = ReplyContent {
        body: "另一台电脑上写的稿".into(),
        ..Default::default()
    };
    let draft = RemoteChange::Draft {
        assignment_id: AssignmentId::new("a196-zjj"),
        content: remote.clone(),
        author: UserId::new("zjj-head"),
        saved_at: at(TODAY, (9, 0, 0)),
    };
    t.store
        .apply_pull(std::slice::from_ref(&draft), 2, at(TODAY, (9, 0, 0)))
        .unwrap();
    assert_eq!(
        t.store.current_draft("a196-zjj").unwrap().unwrap().content,
        remote
    );
    // The same text again adds nothing.
    t.store
        .apply_pull(std::slice::from_ref(&draft), 3, at(TODAY, (9, 1, 0)))
        .unwrap();
    assert_eq!(t.store.revisions("a196-zjj").unwrap().len(), 1);
    // Local unpushed text stays current.
    let liaison = demo_actor("zjj", UserRole::Liaison);
    let mine = ReplyContent {
        body: "本机尚未上传的修改".into(),
        ..Default::default()
    };
    t.store
        .save_draft("a196-zjj", &mine, &liaison, at(TODAY, (9, 2, 0)))
        .unwrap();
    let other = RemoteChange::Draft {
        assignment_id: AssignmentId::new("a196-zjj"),
        content: ReplyContent {
            body: "第三方的稿".into(),
            ..Default::default()
        },
        author: UserId::new("zjj-head"),
        saved_at: at(TODAY, (9, 3, 0)),
    };
    t.store
        .apply_pull(&[other], 4, at(TODAY, (9, 3, 0)))
        .unwrap();
    assert_eq!(
        t.store.current_draft("a196-zjj").unwrap().unwrap().content,
        mine
    );
}

#[test]
fn the_device_id_is_made_once() {
    let mut t = empty_store();
    let id = t.store.device_id().unwrap();
    assert_eq!(t.store.device_id().unwrap(), id);
    let path = t.path();
    drop(t.store);
    let mut again = Store::open(&path).unwrap();
    assert_eq!(again.device_id().unwrap(), id);
}

/// After the server refused a reused number, the store becomes a new device:
/// its pending commands are numbered from 1 for it, in order; answers in
/// those numbers acknowledge the right rows; the old device's acknowledged
/// commands are never queued again under the new one.
#[test]
fn a_new_device_numbers_the_pending_commands_from_one() {
    let (changes, _src) = feed_for("zjj");
    let mut t = empty_store();
    t.store
        .apply_pull(&changes, 1, at(TODAY, (8, 0, 0)))
        .unwrap();
    let liaison = demo_actor("zjj", UserRole::Liaison);
    let id = "a196-zjj";
    let contact = |t: &mut TestStore, minute: u32| {
        t.store
            .record_contact(
                id,
                &jianban_store::ContactInput {
                    mode: ContactMode::Phone,
                    date: date(TODAY),
                    people: "代表".into(),
                    summary: format!("第{minute}分钟的沟通"),
                },
                &liaison,
                at(TODAY, (9, minute, 0)),
            )
            .unwrap();
    };
    let ack = |t: &mut TestStore, seqs: &[i64]| {
        let results: Vec<PushResult> = seqs
            .iter()
            .map(|&seq| PushResult {
                seq,
                status: PushStatus::Applied,
                current: None,
            })
            .collect();
        t.store
            .record_push_results(&results, at(TODAY, (10, 0, 0)))
            .unwrap();
    };
    for m in 0..3 {
        contact(&mut t, m);
    }
    ack(&mut t, &[1, 2]);
    let old = t.store.device_id().unwrap();
    let before: Vec<_> = t.store.outbox_pending(10).unwrap();
    assert_eq!(before.iter().map(|e| e.seq).collect::<Vec<_>>(), [3]);

    let new = t.store.register_new_device().unwrap();
    assert_ne!(new, old);
    assert_eq!(t.store.device_id().unwrap(), new);
    contact(&mut t, 5);
    let pending = t.store.outbox_pending(10).unwrap();
    assert_eq!(pending.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(pending[0].command_id, before[0].command_id);

    // The server lost everything of the new device: only its commands come back.
    ack(&mut t, &[1, 2]);
    assert_eq!(t.store.outbox_pending_count().unwrap(), 0);
    t.store.requeue_outbox_from(1).unwrap();
    assert_eq!(
        t.store
            .outbox_pending(10)
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    // An answer for a number the new device never used changes nothing.
    ack(&mut t, &[0, -1]);
    assert_eq!(t.store.outbox_pending_count().unwrap(), 2);
}

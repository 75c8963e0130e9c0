//! Each fault, one at a time, with local work in flight.

use super::*;
use crate::proxy::ALL_FAULTS;

/// The highest audit sequence number on the server now: lines after it are
/// what the test caused.
fn audit_mark(office: &Desktop) -> i64 {
    let mut after = 0;
    loop {
        let page: Vec<AuditLine> = office
            .engine
            .client()
            .get(&format!("/v1/office/audit?after={after}&limit=1000"))
            .unwrap();
        match page.last() {
            Some(l) => after = l.seq,
            None => return after,
        }
    }
}

/// Local work on every case that allows it: signs for receipt, records a
/// contact, saves a draft. Returns how many commands it queued.
pub fn local_work(d: &mut Desktop, round: usize) -> u64 {
    let before = d.store().outbox_pending_count().unwrap();
    let actor = d.actor();
    let now = chrono::Local::now().naive_local();
    let cases = d.cases();
    for (id, case) in &cases {
        match case.state {
            CaseState::AwaitingReceipt => {
                d.store().apply(id, &Action::Receive, &actor, now).unwrap();
            }
            s if s.draft_editable() => {
                d.store()
                    .record_contact(
                        id,
                        &jianban_store::ContactInput {
                            mode: ContactMode::Phone,
                            date: now.date(),
                            people: "代表".into(),
                            summary: format!("第{round}轮电话沟通"),
                        },
                        &actor,
                        now,
                    )
                    .unwrap();
                let content = ReplyContent {
                    category: Some(ResultCategory::B),
                    body: format!("第{round}轮修改的答复正文。"),
                    contact_person: "联络员".into(),
                    contact_phone: "0557-3000000".into(),
                    ..Default::default()
                };
                d.store().save_draft(id, &content, &actor, now).unwrap();
            }
            _ => {}
        }
    }
    d.store().outbox_pending_count().unwrap() - before
}

#[test]
fn a_first_sync_fills_the_store_and_the_next_finds_nothing_new() {
    let server = ServerProcess::demo();
    let mut unit = Desktop::new(&server.url(), "zjj-liaison");
    let first = unit.engine.sync_once().unwrap();
    assert!(first.pulled > 0);
    let mut office = Desktop::new(&server.url(), "office1");
    office.sync_until_ok(1).unwrap();
    let list: jianban_protocol::AssignmentList = office
        .engine
        .client()
        .get("/v1/office/assignments?unit_id=zjj&limit=1000")
        .unwrap();
    assert_eq!(unit.cases().len() as u64, list.total);
    assert_converged(&mut unit, &mut office);
    let second = unit.engine.sync_once().unwrap();
    assert_eq!((second.pushed, second.pulled), (0, 0));
    let status = unit.engine.status_handle().lock().unwrap().clone();
    assert!(status.last_success.is_some());
    assert_eq!(status.pending, 0);
}

#[test]
fn every_fault_leaves_each_command_applied_exactly_once() {
    let server = ServerProcess::demo();
    let proxy = FaultProxy::start(server.port);
    let mut unit = Desktop::new(&proxy.url(), "zjj-liaison");
    let mut office = Desktop::new(&server.url(), "office1");
    unit.sync_until_ok(3).unwrap();
    let mark = audit_mark(&office);
    let mut queued = 0;
    for (round, fault) in ALL_FAULTS.into_iter().enumerate() {
        queued += local_work(&mut unit, round);
        let revisions = unit.revisions();
        proxy.set(fault);
        let outcome = unit.engine.sync_once();
        match fault {
            Fault::Slow | Fault::DuplicateRequest => {
                outcome.unwrap_or_else(|e| panic!("{fault:?} should still sync: {e}"));
            }
            _ => {
                let e = outcome.expect_err(&format!("{fault:?} should fail the round"));
                assert!(e.is_retryable(), "{fault:?}: {e}");
                let status = unit.engine.status_handle().lock().unwrap().clone();
                assert!(status.error.is_some(), "{fault:?}: no error shown");
            }
        }
        proxy.set(Fault::None);
        unit.sync_until_ok(3).unwrap();
        // No revision lost, whatever happened.
        let after = unit.revisions();
        for (k, hash) in revisions {
            assert_eq!(after.get(&k), Some(&hash), "{fault:?}: revision {k:?} lost");
        }
    }
    office.sync_until_ok(2).unwrap();
    assert_converged(&mut unit, &mut office);
    let applied = server_actions_after(&office, "zjj-liaison", mark);
    assert_eq!(
        applied.len() as u64,
        queued,
        "each committed command applied exactly once: {:?}",
        applied.iter().map(|l| &l.action).collect::<Vec<_>>()
    );
}

fn server_actions_after(office: &Desktop, user: &str, mark: i64) -> Vec<AuditLine> {
    server_actions_by(office, user)
        .into_iter()
        .filter(|l| l.seq > mark)
        .collect()
}

#[test]
fn the_server_killed_after_applying_and_restarted_dedupes_the_resent_batch() {
    let mut server = ServerProcess::demo();
    let proxy = FaultProxy::start(server.port);
    let mut unit = Desktop::new(&proxy.url(), "zjj-liaison");
    unit.sync_until_ok(3).unwrap();
    let office = Desktop::new(&server.url(), "office1");
    let mark = audit_mark(&office);
    let queued = local_work(&mut unit, 0);
    assert!(queued > 0);
    // The server applies the push; the answer is lost; the server dies.
    proxy.set(Fault::DropResponse);
    assert!(unit.engine.sync_once().is_err());
    server.kill();
    proxy.set(Fault::None);
    assert!(matches!(
        unit.engine.sync_once(),
        Err(SyncError::Offline(_))
    ));
    assert_eq!(
        unit.engine.status_handle().lock().unwrap().phase,
        jianban_sync::SyncPhase::Offline
    );
    server.start();
    unit.sync_until_ok(3).unwrap();
    let mut office = Desktop::new(&server.url(), "office1");
    office.sync_until_ok(2).unwrap();
    assert_converged(&mut unit, &mut office);
    assert_eq!(
        server_actions_after(&office, "zjj-liaison", mark).len() as u64,
        queued
    );
}

#[test]
fn the_server_killed_mid_sync_again_and_again() {
    let mut server = ServerProcess::demo();
    let mut unit = Desktop::new(&server.url(), "zjj-liaison");
    unit.sync_until_ok(3).unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let worker = s.spawn(|| {
            let mut round = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                local_work(&mut unit, round);
                let _ = unit.engine.sync_once();
                round += 1;
            }
        });
        for i in 0..4 {
            std::thread::sleep(Duration::from_millis(150 + 97 * i));
            server.restart();
        }
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        worker.join().unwrap();
    });
    unit.sync_until_ok(5).unwrap();
    let mut office = Desktop::new(&server.url(), "office1");
    office.sync_until_ok(2).unwrap();
    assert_converged(&mut unit, &mut office);
}

#[test]
fn a_return_arriving_while_typing_keeps_the_draft() {
    let server = ServerProcess::demo();
    let mut unit = Desktop::new(&server.url(), "zjj-liaison");
    let mut office = Desktop::new(&server.url(), "office1");
    unit.sync_until_ok(1).unwrap();
    office.sync_until_ok(1).unwrap();
    // A case of this unit the office can return: one already submitted.
    let (id, _) = unit
        .cases()
        .into_iter()
        .find(|(_, c)| c.state == CaseState::Submitted)
        .expect("the demo gives 市住房城乡建设局 a submitted reply");
    let revisions_before = unit.revisions();
    let _: serde_json::Value = office
        .engine
        .client()
        .post(
            &format!("/v1/office/assignments/{id}/return"),
            &jianban_protocol::ReturnRequest {
                reasons: "答复针对性不强，请重新办理。".into(),
            },
        )
        .unwrap();
    unit.sync_until_ok(1).unwrap();
    assert_eq!(unit.store().case(&id).unwrap().state, CaseState::Returned);
    assert_eq!(unit.revisions(), revisions_before);
    let notices = unit.store().notices(true).unwrap();
    assert!(
        notices.iter().any(|n| n.message.contains("草稿已保留")),
        "{notices:?}"
    );
    // And the liaison can go on editing and push it.
    let actor = unit.actor();
    let now = chrono::Local::now().naive_local();
    let current = unit.store().current_draft(&id).unwrap().unwrap().content;
    let edited = ReplyContent {
        body: format!("{}\n补充：已与代表再次沟通。", current.body),
        ..current
    };
    unit.store().save_draft(&id, &edited, &actor, now).unwrap();
    unit.sync_until_ok(1).unwrap();
    office.sync_until_ok(1).unwrap();
    assert_converged(&mut unit, &mut office);
}

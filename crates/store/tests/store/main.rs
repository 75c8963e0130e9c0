//! The store's integration tests, each on a store in a temporary directory.

mod approvals;
mod bad_input;
mod crash;
mod drafts;
mod search;
mod sync;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use jianban_domain::demo::demo_data;
use jianban_domain::*;
use jianban_store::Store;

pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn at(d: &str, hms: (u32, u32, u32)) -> NaiveDateTime {
    NaiveDateTime::new(
        date(d),
        NaiveTime::from_hms_opt(hms.0, hms.1, hms.2).unwrap(),
    )
}

/// The day the demo is loaded in tests, so results do not depend on the clock.
pub const TODAY: &str = "2024-06-03";

pub struct TestStore {
    pub dir: tempfile::TempDir,
    pub store: Store,
}

impl TestStore {
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("jianban.sqlite3")
    }
}

pub fn empty_store() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("jianban.sqlite3")).unwrap();
    TestStore { dir, store }
}

pub fn demo_store() -> TestStore {
    let mut t = empty_store();
    t.store
        .import_demo_as_of(&demo_data(), date(TODAY))
        .unwrap();
    t
}

pub fn demo_actor(unit: &str, role: UserRole) -> Actor {
    demo_data()
        .user(Some(&UnitId::new(unit)), role)
        .unwrap()
        .actor()
}

#[test]
fn demo_import_lists_every_assignment_with_deadlines() {
    let t = demo_store();
    assert!(!t.store.is_empty().unwrap());
    let list = t.store.workbench_items(date(TODAY)).unwrap();
    let demo = demo_data();
    assert_eq!(list.len(), demo.assignments.len());
    let row = list
        .iter()
        .find(|r| r.suggestion_number == 39 && r.role == HandlingRole::Lead)
        .unwrap();
    assert_eq!(row.title, "关于推动我市民营经济高质量发展的建议");
    assert_eq!(row.unit_name, "市发展改革委");
    assert_eq!(row.session_name, "市六届人大三次会议");
    assert_eq!(row.state, CaseState::Drafting);
    assert!(row.is_key);
    assert!(row.deadline.is_some());
    for s in CaseState::ALL {
        assert!(list.iter().any(|r| r.state == s), "no {s:?} in the list");
    }
    // Most urgent first: the first row's deadline is the earliest.
    let first = list.iter().find_map(|r| r.deadline).unwrap();
    assert!(list.iter().filter_map(|r| r.deadline).all(|d| d >= first));
    assert!(
        list.iter().any(|r| r.warning == WarningLevel::Overdue)
            || list.iter().any(|r| r.warning != WarningLevel::Normal)
    );
    // Demo history made no outbox commands: the local server has it already.
    assert_eq!(t.store.outbox_pending_count().unwrap(), 0);
    // … but it is in the audit log.
    let log = t.store.audit_log("a039-fgw").unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == "receive" && e.state_after == Some(CaseState::Received)));
    t.store.check_integrity().unwrap();
}

#[test]
fn reopening_keeps_everything_and_the_calendar_setting() {
    let mut t = demo_store();
    let mut cal = WorkingCalendar::national();
    cal.add_year(jianban_domain::calendar::HolidayYear {
        year: 2027,
        notice: "测试".into(),
        holidays: vec![],
    })
    .unwrap();
    t.store.set_calendar(cal).unwrap();
    let path = t.path();
    drop(t.store);
    let store = Store::open(&path).unwrap();
    assert!(store.calendar().covers(2027));
    assert_eq!(
        store.workbench_items(date(TODAY)).unwrap().len(),
        demo_data().assignments.len()
    );
}

#[test]
fn every_action_is_audited_and_queued_in_the_same_transaction() {
    let mut t = demo_store();
    let liaison = demo_actor("zjj", UserRole::Liaison);
    let now = at(TODAY, (9, 0, 0));
    // 196 is received by 市住房城乡建设局; record a contact.
    let before = t.store.case("a196-zjj").unwrap();
    assert_eq!(before.state, CaseState::Received);
    t.store
        .record_contact(
            "a196-zjj",
            &jianban_store::ContactInput {
                mode: ContactMode::Visit,
                date: date(TODAY),
                people: "张建国代表；王晓梅".into(),
                summary: "走访代表，听取对排水防涝的意见。".into(),
            },
            &liaison,
            now,
        )
        .unwrap();
    let out = t.store.outbox_pending(100).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].kind, "record_contact");
    assert_eq!(out[0].base_version, before.version);
    assert_eq!(t.store.contacts("a196-zjj").unwrap().len(), 1);
    assert_eq!(t.store.case("a196-zjj").unwrap().contact_count, 1);

    // A refused action writes nothing: no audit entry, no outbox command.
    let audit_before = t.store.audit_log("a196-zjj").unwrap().len();
    let err = t
        .store
        .apply("a196-zjj", &Action::SubmitForApproval, &liaison, now)
        .unwrap_err();
    assert_eq!(err.code(), "workflow.not_allowed");
    assert_eq!(t.store.audit_log("a196-zjj").unwrap().len(), audit_before);
    assert_eq!(t.store.outbox_pending_count().unwrap(), 1);
    // Another unit's liaison cannot act on this case.
    let other = demo_actor("wjw", UserRole::Liaison);
    assert_eq!(
        t.store
            .apply("a196-zjj", &Action::Receive, &other, now)
            .unwrap_err()
            .code(),
        "workflow.other_unit"
    );
    // Outbox sequence numbers increase without gaps.
    t.store
        .save_draft(
            "a196-zjj",
            &ReplyContent {
                body: "正文".into(),
                ..Default::default()
            },
            &liaison,
            now,
        )
        .unwrap();
    let out = t.store.outbox_pending(100).unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(out[1].seq, out[0].seq + 1);
}

#[test]
fn a_co_handlers_opinion_unblocks_its_lead() {
    let t = demo_store();
    // 39: the lead drafts while 市市场监管局 and 市财政局 co-handle.
    let lead = t.store.case("a039-fgw").unwrap();
    assert_eq!(lead.co_handlers.len(), 2);
    let demo = demo_data();
    for c in &lead.co_handlers {
        let a = demo
            .assignments
            .iter()
            .find(|a| a.unit_id == c.unit && a.suggestion_id == SuggestionId::new("s039"))
            .unwrap();
        assert_eq!(
            c.opinion_submitted,
            a.state == CaseState::Concluded,
            "{}",
            c.unit_name
        );
    }
}

#[test]
fn the_next_reply_goes_through_the_chain_the_latest_case_carries() {
    assert_eq!(empty_store().store.latest_approval_chain().unwrap(), None);
    let t = demo_store();
    assert_eq!(
        t.store.latest_approval_chain().unwrap(),
        Some(jianban_domain::workflow::default_approval_chain())
    );
}

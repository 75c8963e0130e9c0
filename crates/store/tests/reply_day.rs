//! The first reply day on a desktop that learns of a reply from the server:
//! a pulled snapshot that moves the case into 已答复 dates the reply (as the
//! server's own 报送 line does, both through `jianban_stats::first_reply_day`),
//! while a case first pulled already replied has no known day.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use jianban_domain::demo::{demo_data, DemoData};
use jianban_domain::*;
use jianban_store::{RemoteChange, Store};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(d: NaiveDate) -> NaiveDateTime {
    NaiveDateTime::new(d, NaiveTime::from_hms_opt(9, 0, 0).unwrap())
}

const TODAY: &str = "2024-06-03";

/// The demo's reference data and the given cases, as the server sends them.
fn page(cases: &[(Assignment, Case)]) -> Vec<RemoteChange> {
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
    changes.extend(
        cases
            .iter()
            .cloned()
            .map(|(assignment, case)| RemoteChange::Assignment { assignment, case }),
    );
    changes
}

/// A demo case as the server holds it, from a store that replayed the demo.
fn server_case(source: &Store, id: &str) -> (Assignment, Case) {
    let demo = demo_data();
    let a = demo
        .assignments
        .iter()
        .find(|a| a.id.as_str() == id)
        .unwrap();
    let assignment = Assignment {
        id: a.id.clone(),
        suggestion_id: a.suggestion_id.clone(),
        unit_id: a.unit_id.clone(),
        role: a.role,
        assigned_on: DemoData::assigned_on(a, day(TODAY)),
    };
    (assignment, source.case(id).unwrap())
}

#[test]
fn a_pulled_reply_is_dated_and_a_case_first_seen_replied_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut source = Store::open(&dir.path().join("server.sqlite3")).unwrap();
    source.import_demo_as_of(&demo_data(), day(TODAY)).unwrap();
    // a029-wjw is signed off; a030-gaj was replied before this desktop knew it.
    let (assignment, signed_off) = server_case(&source, "a029-wjw");
    assert_eq!(signed_off.state, CaseState::SignedOff);
    let earlier = server_case(&source, "a030-gaj");
    assert_eq!(earlier.1.state, CaseState::Submitted);

    let mut desktop = Store::open(&dir.path().join("desktop.sqlite3")).unwrap();
    desktop
        .apply_pull(
            &page(&[(assignment.clone(), signed_off.clone()), earlier]),
            1,
            at(day("2024-05-30")),
        )
        .unwrap();
    // Another PC of the unit sends the reply; this desktop pulls it.
    let liaison = demo_data()
        .user(Some(&UnitId::new("wjw")), UserRole::Liaison)
        .unwrap()
        .actor();
    let calendar = WorkingCalendar::national();
    let policy = DeadlinePolicy::default();
    let pulled_on = day("2024-05-31");
    let submitted = signed_off
        .apply(
            &Action::Submit,
            &Context {
                actor: &liaison,
                now: at(pulled_on),
                calendar: &calendar,
                policy: &policy,
            },
        )
        .unwrap();
    desktop
        .apply_pull(&page(&[(assignment, submitted)]), 2, at(pulled_on))
        .unwrap();

    let input = desktop.stats_input(None, None).unwrap().unwrap();
    let row = |id: &str| {
        input
            .rows
            .iter()
            .find(|r| r.assignment.id.as_str() == id)
            .unwrap()
    };
    assert_eq!(row("a029-wjw").replied_on, Some(pulled_on));
    assert_eq!(row("a030-gaj").replied_on, None);
    assert!(row("a030-gaj").has_replied(), "its state says it replied");
}

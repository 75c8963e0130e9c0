//! The domain crate's integration tests: data-driven rule checks and
//! property tests over random action sequences and dates.

mod calendar_props;
mod rules;
mod workflow_props;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use jianban_domain::workflow::CoHandlerStatus;
use jianban_domain::*;

pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn at(d: NaiveDate) -> NaiveDateTime {
    NaiveDateTime::new(d, NaiveTime::from_hms_opt(10, 0, 0).unwrap())
}

pub const OWN_UNIT: &str = "fgw";

pub fn actor(role: UserRole, unit: Option<&str>) -> Actor {
    Actor {
        user: UserId::new(format!("{role:?}-{}", unit.unwrap_or("office"))),
        name: role.label_zh().to_string(),
        role,
        unit: unit.map(UnitId::new),
    }
}

pub fn liaison() -> Actor {
    actor(UserRole::Liaison, Some(OWN_UNIT))
}
pub fn head() -> Actor {
    actor(UserRole::Head, Some(OWN_UNIT))
}
pub fn office() -> Actor {
    actor(UserRole::OfficeStaff, None)
}

/// A complete reply; `seed` makes distinct revisions.
pub fn complete_reply(seed: u32) -> ReplyContent {
    ReplyContent {
        category: Some(ResultCategory::A),
        body: format!("您提出的建议收悉。经认真研究，现答复如下：第{seed}稿。"),
        contact_person: "李四".into(),
        contact_phone: "0557-1234567".into(),
        ..Default::default()
    }
}

pub fn new_case(
    role: HandlingRole,
    chain: Vec<ApprovalStep>,
    co_handlers: Vec<CoHandlerStatus>,
    assigned_on: NaiveDate,
) -> Case {
    let a = Assignment {
        id: AssignmentId::new("a039-fgw"),
        suggestion_id: SuggestionId::new("s039"),
        unit_id: UnitId::new(OWN_UNIT),
        role,
        assigned_on,
    };
    Case::new(
        &a,
        false,
        &DeadlinePolicy::default(),
        &WorkingCalendar::national(),
        chain,
        co_handlers,
    )
    .unwrap()
}

/// Applies an action at `now` with the national calendar and default policy.
pub fn apply(
    case: &Case,
    action: Action,
    who: &Actor,
    now: NaiveDateTime,
) -> Result<Case, WorkflowError> {
    let cal = WorkingCalendar::national();
    let policy = DeadlinePolicy::default();
    case.apply(
        &action,
        &Context {
            actor: who,
            now,
            calendar: &cal,
            policy: &policy,
        },
    )
}

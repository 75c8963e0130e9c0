//! The demo replay: the demo data set's history, run through the same
//! orchestration as real use on both sides, so every demo case, revision,
//! contact, signed decision and audit line is what the app itself writes.
//!
//! Approvals are replayed as what they are: decisions signed with a key
//! made for the replay, whose public half the storage registers (the
//! server in its key registry, the desktop among its known keys), so the
//! demo's sign-offs verify like real ones.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use jianban_domain::demo::{script, DemoAssignment, DemoData, DemoStep};
use jianban_domain::{
    Action, Actor, ContactRecord, DeadlinePolicy, HandlingRole, RevisionHash, UserId, UserRole,
    WorkingCalendar,
};
use jianban_signoff::{sign, Decision, DecisionRecord, SignedDecision, UnlockedKey};

use crate::command::{Command, DraftSave};
use crate::run::{run, Request};
use crate::storage::CaseStorage;
use crate::Refusal;

/// A storage the demo can be replayed into.
pub trait DemoStorage: CaseStorage {
    /// Trusts `public_key` as a key of `user` (idempotent).
    fn register_demo_key(
        &mut self,
        user: &UserId,
        public_key: &str,
        at: NaiveDateTime,
    ) -> Result<(), Self::Error>;
}

/// Why the demo could not be replayed.
#[derive(Debug)]
pub enum DemoError<E> {
    /// A step was refused by the rules or the storage failed.
    Command(E),
    /// The demo data set does not hold together (a missing account, a case
    /// that does not end in its state): a bug in the data file.
    Data(String),
}

impl<E> From<E> for DemoError<E> {
    fn from(e: E) -> Self {
        DemoError::Command(e)
    }
}

/// Replays the history of every demo assignment (already created) as of
/// `today`, and checks each ends in its demo state.
pub fn replay_demo<S: DemoStorage>(
    storage: &mut S,
    demo: &DemoData,
    today: NaiveDate,
    calendar: &WorkingCalendar,
    policy: &DeadlinePolicy,
) -> Result<(), DemoError<S::Error>> {
    let mut keys: HashMap<UserId, UnlockedKey> = HashMap::new();
    // Co-handlers act first: their opinions reach the lead before it submits.
    let mut ordered: Vec<_> = demo.assignments.iter().collect();
    ordered.sort_by_key(|a| a.role != HandlingRole::CoHandler);
    for a in ordered {
        for timed in script(demo, a, today) {
            let role = match &timed.step {
                DemoStep::Act(role, _) => *role,
                _ => UserRole::Liaison,
            };
            let unit = (role != UserRole::OfficeStaff).then_some(&a.unit_id);
            let actor = demo
                .user(unit, role)
                .ok_or_else(|| DemoError::Data(format!("演示数据缺少{}账号", role.label_zh())))?
                .actor();
            let command = match &timed.step {
                DemoStep::Contact(mode, summary) => {
                    let deputy = demo
                        .suggestion(&a.suggestion_id)
                        .and_then(|s| demo.deputy(&s.lead_deputy))
                        .map_or(String::new(), |d| format!("{}代表", d.name));
                    Command::RecordContact(ContactRecord {
                        id: uuid::Uuid::new_v4().to_string(),
                        assignment_id: a.id.clone(),
                        mode: *mode,
                        date: timed.at.date(),
                        people: format!("{deputy}；{}", actor.name),
                        summary: summary.clone(),
                    })
                }
                DemoStep::SaveDraft(content) => Command::SaveDraft(DraftSave::new(content.clone())),
                DemoStep::Act(
                    _,
                    action @ (Action::Approve { .. } | Action::ReturnToDrafter { .. }),
                ) => {
                    let key = keys
                        .entry(actor.user.clone())
                        .or_insert_with(UnlockedKey::ephemeral);
                    storage.register_demo_key(&actor.user, &key.public_key_hex(), timed.at)?;
                    Command::Decide(signed(storage, a, action, &actor, key, timed.at)?)
                }
                DemoStep::Act(_, action) => Command::Act(action.clone()),
            };
            let req = Request {
                id: a.id.as_str(),
                actor: &actor,
                now: timed.at,
                calendar,
                policy,
                note: None,
            };
            run(storage, &req, command)?;
        }
        let case = storage
            .load(a.id.as_str())?
            .ok_or_else(|| Refusal::NotFound(a.id.to_string()))
            .map_err(S::Error::from)?;
        if case.state != a.state {
            return Err(DemoError::Data(format!(
                "演示数据 {} 应为“{}”，实为“{}”",
                a.id,
                a.state.label_zh(),
                case.state.label_zh()
            )));
        }
    }
    Ok(())
}

/// The demo approver's decision on the case as it stands, signed.
fn signed<S: DemoStorage>(
    storage: &mut S,
    a: &DemoAssignment,
    action: &Action,
    actor: &Actor,
    key: &UnlockedKey,
    at: NaiveDateTime,
) -> Result<SignedDecision, DemoError<S::Error>> {
    let case = storage
        .load(a.id.as_str())?
        .ok_or_else(|| Refusal::NotFound(a.id.to_string()))
        .map_err(S::Error::from)?;
    let current = || {
        case.draft
            .as_ref()
            .map_or_else(|| RevisionHash(String::new()), |d| d.hash.clone())
    };
    let (decision, revision, comment) = match action {
        Action::Approve { revision, comment } => {
            (Decision::Approve, revision.clone(), comment.clone())
        }
        Action::ReturnToDrafter { comment } => (Decision::Return, current(), comment.clone()),
        other => {
            return Err(DemoError::Data(format!(
                "演示数据把“{}”当作审核意见",
                other.label_zh()
            )))
        }
    };
    let step = case.approvals.len();
    Ok(sign(
        DecisionRecord {
            assignment_id: a.id.clone(),
            revision,
            step,
            step_title: case
                .approval_chain
                .get(step)
                .map_or_else(String::new, |s| s.title.clone()),
            signer: actor.user.clone(),
            signer_name: actor.name.clone(),
            role: actor.role,
            decision,
            comment,
            round: Some(case.approval_round),
            at,
        },
        key,
    ))
}

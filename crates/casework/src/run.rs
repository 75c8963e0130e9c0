//! The orchestration: one function runs any command against a storage.

use chrono::NaiveDateTime;
use serde_json::Value;

use jianban_domain::{
    Action, Actor, Case, CaseState, Context, DeadlinePolicy, DraftSummary, HandlingRole, UserRole,
    WorkflowError, WorkingCalendar,
};
use jianban_protocol::{RecordContactPayload, SaveDraftPayload, SignedDecisionPayload};

use crate::command::{action_of, Command};
use crate::storage::{AuditLine, CaseStorage, Change, NewRevision};
use crate::Refusal;

/// Who runs a command on which case, when, under which rules.
pub struct Request<'a> {
    pub id: &'a str,
    /// Who issues the command: the user at the desktop, or the user whose
    /// device pushed it (a signed decision is applied as its signer).
    pub actor: &'a Actor,
    pub now: NaiveDateTime,
    pub calendar: &'a WorkingCalendar,
    pub policy: &'a DeadlinePolicy,
    /// What the audit line says instead of the change payload (see
    /// [`AuditLine::note`]).
    pub note: Option<&'a Value>,
}

/// What a command did.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub before: Case,
    pub after: Case,
    /// For a draft save: the current revision's number afterwards (the new
    /// one, or the unchanged one when the text was the same).
    pub revision: Option<u32>,
}

/// Runs `command`: loads the case, checks the actor may act on it, lets the
/// domain decide, and writes the case, the revision or contact record or
/// signed decision, the audit line and the side's own effects. An action
/// that changes nothing writes nothing. On an error the caller rolls back.
pub fn run<S: CaseStorage>(
    storage: &mut S,
    req: &Request<'_>,
    command: Command,
) -> Result<Outcome, S::Error> {
    command.validate::<S::Error>(req.id)?;
    let before = storage
        .load(req.id)?
        .ok_or_else(|| Refusal::NotFound(req.id.to_string()))?;
    if !may_act(req.actor, &before) {
        return Err(Refusal::Forbidden(command.label()).into());
    }
    match command {
        Command::Act(action) => {
            let after = decide(&before, &action, req.actor, req)?;
            if matches!(action, Action::Submit) {
                storage.verify_sign_off(&before)?;
            }
            let change = Change::Acted(action);
            commit(storage, req, req.actor, &before, &after, &change)?;
            Ok(outcome(before, after, None))
        }
        Command::SaveDraft(save) => {
            let latest = storage.latest_revision(req.id)?;
            let number = latest.as_ref().map_or(1, |(n, _)| n + 1);
            let action = Action::EditDraft {
                draft: DraftSummary::of(&save.content),
            };
            let after = decide(&before, &action, req.actor, req)?;
            if let Some((current, hash)) = &latest {
                if *hash == save.hash && save.restored_from.is_none() {
                    // Same text as the current revision: nothing new to keep.
                    return Ok(outcome(before, after, Some(*current)));
                }
            }
            let change = Change::DraftSaved {
                payload: SaveDraftPayload {
                    revision: number,
                    hash: save.hash.clone(),
                    content: save.content.clone(),
                },
                device_revision: save.device_revision,
            };
            commit(storage, req, req.actor, &before, &after, &change)?;
            storage.insert_revision(
                &after,
                &NewRevision {
                    number,
                    hash: &save.hash,
                    content: &save.content,
                    author: req.actor,
                    saved_at: req.now,
                    restored_from: save.restored_from,
                },
            )?;
            Ok(outcome(before, after, Some(number)))
        }
        Command::RecordContact(contact) => {
            if storage.contact_exists(&contact.id)? {
                return Err(Refusal::Malformed(format!("沟通记录{}已存在", contact.id)).into());
            }
            let after = decide(&before, &Action::RecordContact, req.actor, req)?;
            let change = Change::ContactRecorded(RecordContactPayload { contact });
            commit(storage, req, req.actor, &before, &after, &change)?;
            if let Change::ContactRecorded(p) = &change {
                storage.insert_contact(&after, &p.contact, req.actor, req.now)?;
            }
            Ok(outcome(before, after, None))
        }
        Command::Decide(decision) => {
            // Only the unit's own PCs bring its approvals, not the office.
            if req.actor.unit.as_ref() != Some(&before.unit) {
                return Err(Refusal::Forbidden(action_of(&decision).label_zh()).into());
            }
            if storage.decision_exists(&before, &decision.signature)? {
                return Err(Refusal::AlreadyDecided.into());
            }
            // The round is signed: an approval given before a return never
            // counts for the next submission, even of the same text.
            if decision.record.round() != before.approval_round {
                return Err(Refusal::StaleRound {
                    signed: decision.record.round(),
                    current: before.approval_round,
                }
                .into());
            }
            let signer = storage.signer_of(&decision, &before, req.actor)?;
            // The record names the step it signs; it must be the step the
            // case is at, or the chain verified at submission would not match.
            if decision.record.step != before.approvals.len() {
                return Err(Refusal::WrongStep {
                    signed: decision.record.step,
                    current: before.approvals.len(),
                }
                .into());
            }
            let after = decide(&before, &action_of(&decision), &signer, req)?;
            let change = Change::Decided(SignedDecisionPayload {
                signed_decision: decision,
            });
            commit(storage, req, &signer, &before, &after, &change)?;
            if let Change::Decided(p) = &change {
                storage.insert_decision(&after, &p.signed_decision, req.now)?;
            }
            Ok(outcome(before, after, None))
        }
    }
}

/// The office acts on every unit's case; anyone else only on their own
/// unit's.
fn may_act(actor: &Actor, case: &Case) -> bool {
    actor.role == UserRole::OfficeStaff || actor.unit.as_ref() == Some(&case.unit)
}

fn decide(
    case: &Case,
    action: &Action,
    actor: &Actor,
    req: &Request<'_>,
) -> Result<Case, WorkflowError> {
    case.apply(
        action,
        &Context {
            actor,
            now: req.now,
            calendar: req.calendar,
            policy: req.policy,
        },
    )
}

fn outcome(before: Case, after: Case, revision: Option<u32>) -> Outcome {
    Outcome {
        before,
        after,
        revision,
    }
}

/// Writes a change the domain allowed: the case, the audit line, the lead
/// case when a co-handler concluded, and the side's own effects.
fn commit<S: CaseStorage>(
    storage: &mut S,
    req: &Request<'_>,
    actor: &Actor,
    before: &Case,
    after: &Case,
    change: &Change,
) -> Result<(), S::Error> {
    if after == before {
        return Ok(());
    }
    storage.write_case(after)?;
    let line = AuditLine {
        at: req.now,
        actor,
        assignment_id: req.id,
        change,
        note: req.note,
        base_version: before.version,
        before: before.state,
        after: after.state,
    };
    storage.audit(&line)?;
    if after.role == HandlingRole::CoHandler
        && after.state == CaseState::Concluded
        && before.state != CaseState::Concluded
    {
        opinion_concluded(storage, after, req.now)?;
    }
    storage.changed(&line, after)
}

/// A co-handler sent its signed-off opinion: the lead case learns it (a
/// fact, not an action, so its version stays).
fn opinion_concluded<S: CaseStorage>(
    storage: &mut S,
    co: &Case,
    now: NaiveDateTime,
) -> Result<(), S::Error> {
    let mut lead = storage.lead_of(co)?;
    if let Some(lead) = lead.as_mut() {
        if lead.record_co_opinion(&co.unit) {
            storage.write_case(lead)?;
        }
    }
    storage.opinion_sent(co, lead.as_ref(), now)
}

//! What the orchestration needs from a storage: reads and writes inside the
//! caller's transaction, and the effects only one side has.

use chrono::NaiveDateTime;
use serde_json::Value;

use jianban_domain::validate::InputError;
use jianban_domain::{
    Action, Actor, Case, CaseState, ContactRecord, ReplyContent, RevisionHash, WorkflowError,
};
use jianban_protocol::{RecordContactPayload, SaveDraftPayload, SignedDecisionPayload};
use jianban_signoff::SignedDecision;

use crate::command::{RECORD_CONTACT, SAVE_DRAFT, SIGNED_DECISION};
use crate::Refusal;

/// What a command changed, as the audit line records it and the outbox
/// carries it to the server. The payloads are the protocol's types: what
/// the desktop queues is exactly what the server decodes.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Acted(Action),
    DraftSaved {
        /// `revision` is this side's number for the new revision.
        payload: SaveDraftPayload,
        /// The sending device's number, when a device sent it.
        device_revision: Option<u32>,
    },
    ContactRecorded(RecordContactPayload),
    Decided(SignedDecisionPayload),
}

impl Change {
    /// The command kind of the outbox row and the audit line.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Acted(action) => action.code(),
            Change::DraftSaved { .. } => SAVE_DRAFT,
            Change::ContactRecorded(_) => RECORD_CONTACT,
            Change::Decided(_) => SIGNED_DECISION,
        }
    }

    /// The outbox payload.
    pub fn payload(&self) -> Value {
        let value = match self {
            Change::Acted(action) => serde_json::to_value(action),
            Change::DraftSaved { payload, .. } => serde_json::to_value(payload),
            Change::ContactRecorded(payload) => serde_json::to_value(payload),
            Change::Decided(payload) => serde_json::to_value(payload),
        };
        // These types serialize to JSON objects by construction (plain
        // structs and enums with string keys).
        value.expect("protocol payloads serialize")
    }
}

/// One line of the audit log, as the orchestration hands it to a storage.
pub struct AuditLine<'a> {
    pub at: NaiveDateTime,
    pub actor: &'a Actor,
    pub assignment_id: &'a str,
    pub change: &'a Change,
    /// What the line says instead of the change payload, when the caller
    /// knows more than the command (an imported evaluation names its file).
    pub note: Option<&'a Value>,
    /// The case version the change was based on.
    pub base_version: u64,
    pub before: CaseState,
    pub after: CaseState,
}

/// A draft revision to keep.
pub struct NewRevision<'a> {
    pub number: u32,
    pub hash: &'a RevisionHash,
    pub content: &'a ReplyContent,
    pub author: &'a Actor,
    pub saved_at: NaiveDateTime,
    pub restored_from: Option<u32>,
}

/// A storage of cases, inside one transaction of the caller's. Every method
/// writes within it, so a refused command writes nothing once the caller
/// rolls back (the desktop's transaction, the server's savepoint).
pub trait CaseStorage {
    type Error: From<WorkflowError> + From<InputError> + From<Refusal>;

    /// The case as stored, `None` when there is none.
    fn load(&mut self, id: &str) -> Result<Option<Case>, Self::Error>;
    /// Stores the case's new state.
    fn write_case(&mut self, case: &Case) -> Result<(), Self::Error>;
    /// The lead case of the suggestion a co-handler's case belongs to.
    fn lead_of(&mut self, co: &Case) -> Result<Option<Case>, Self::Error>;

    /// The latest revision's number and hash.
    fn latest_revision(&mut self, id: &str) -> Result<Option<(u32, RevisionHash)>, Self::Error>;
    fn insert_revision(&mut self, case: &Case, rev: &NewRevision<'_>) -> Result<(), Self::Error>;

    fn contact_exists(&mut self, contact_id: &str) -> Result<bool, Self::Error>;
    fn insert_contact(
        &mut self,
        case: &Case,
        contact: &ContactRecord,
        by: &Actor,
        at: NaiveDateTime,
    ) -> Result<(), Self::Error>;

    /// 不审核不答复: fails unless the signed approvals form a complete,
    /// valid chain over the case's current revision, checked against the
    /// keys this side trusts.
    fn verify_sign_off(&mut self, case: &Case) -> Result<(), Self::Error>;
    /// Checks a signed decision `issuer` brought and answers who signed it:
    /// the actor the approval or return is applied as.
    fn signer_of(
        &mut self,
        decision: &SignedDecision,
        case: &Case,
        issuer: &Actor,
    ) -> Result<Actor, Self::Error>;
    fn insert_decision(
        &mut self,
        case: &Case,
        decision: &SignedDecision,
        at: NaiveDateTime,
    ) -> Result<(), Self::Error>;
    /// Whether this very decision (its signature, lower-case hex) was
    /// already applied to the case.
    fn decision_exists(&mut self, case: &Case, signature: &str) -> Result<bool, Self::Error>;

    fn audit(&mut self, line: &AuditLine<'_>) -> Result<(), Self::Error>;

    /// After a change was written: the desktop queues it for the server
    /// (its outbox); the server tells the unit what the office did.
    fn changed(&mut self, line: &AuditLine<'_>, case: &Case) -> Result<(), Self::Error>;

    /// A co-handler's opinion went out; `lead` already knows it. The server
    /// passes the opinion's text on to the lead unit; the desktop has
    /// nothing more to do.
    fn opinion_sent(
        &mut self,
        _co: &Case,
        _lead: Option<&Case>,
        _at: NaiveDateTime,
    ) -> Result<(), Self::Error> {
        Ok(())
    }
}

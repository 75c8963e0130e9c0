//! The sync API: push commands, pull the change feed.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use jianban_domain::{
    Assignment, Case, ContactRecord, HandlingRole, ReplyContent, RevisionHash, UnitId,
};

use jianban_signoff::SignedDecision;

use crate::ErrorBody;

/// `POST /v1/sync/push`: a batch of outbox rows from one device, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// Must be the device the access token was issued to.
    pub device_id: String,
    pub commands: Vec<PushCommand>,
}

/// One command: the desktop's outbox row as it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushCommand {
    /// The device's sequence number: gap-free, starting at 1.
    pub seq: i64,
    pub command_id: String,
    pub assignment_id: String,
    /// The case version the command was based on (information only: the
    /// server re-runs the command against its current case).
    pub base_version: u64,
    /// An action code (`receive`, `submit`, …), `save_draft`,
    /// `record_contact` or `signed_decision`.
    pub kind: String,
    /// The action JSON, or [`SaveDraftPayload`], [`RecordContactPayload`]
    /// or [`SignedDecisionPayload`].
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// Device time: metadata, never used for ordering.
    #[schema(value_type = String, example = "2024-05-06T09:30:00")]
    pub created_at: NaiveDateTime,
}

/// Payload of a `save_draft` command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveDraftPayload {
    /// The device's revision number (the server numbers its own copy).
    pub revision: u32,
    /// Must equal `content.content_hash()`.
    #[schema(value_type = String)]
    pub hash: RevisionHash,
    #[schema(value_type = Object)]
    pub content: ReplyContent,
}

/// Payload of a `signed_decision` command: an approver's decision on one
/// exact revision, signed with the approver's registered key
/// (`jianban_signoff::SignedDecision`). The server verifies the signature and
/// applies the approval (or the return) with the signer as the actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignedDecisionPayload {
    #[schema(value_type = Object)]
    pub signed_decision: SignedDecision,
}

/// Payload of a `record_contact` command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordContactPayload {
    #[schema(value_type = Object)]
    pub contact: ContactRecord,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommandStatus {
    /// Applied now, in this push.
    Applied,
    /// Seen before (seq ≤ the device's last seq): acknowledged, not re-applied.
    Duplicate,
    /// Refused (stale, not allowed, malformed). Its seq is consumed: the
    /// client drops it from the outbox and shows `error.message`.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommandResult {
    pub seq: i64,
    pub command_id: String,
    pub status: CommandStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
    /// The case as the server has it now, when the caller may see it
    /// (always with a rejection of a command on the caller's own case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<AssignmentSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PushResponse {
    pub results: Vec<CommandResult>,
    /// The device's last consumed sequence number after this push.
    pub last_seq: i64,
}

/// `GET /v1/sync/changes` query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The `next_after` of the previous page; 0 (default) from the start.
    #[serde(default)]
    pub after: i64,
    /// Page size, default 500, at most 5000.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// What a change carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// `jianban_domain::Session`.
    Session,
    /// `jianban_domain::Unit`.
    Unit,
    /// `jianban_domain::Deputy`.
    Deputy,
    /// `jianban_domain::Suggestion`.
    Suggestion,
    /// [`AssignmentSnapshot`].
    Assignment,
    /// `jianban_domain::ContactRecord`.
    Contact,
    /// [`DraftData`]: the latest revision of an assignment's draft.
    Draft,
    /// [`OpinionData`]: a co-handler's sent opinion, for the lead unit.
    Opinion,
    /// `jianban_domain::calendar::CalendarFile`: the published holidays.
    Calendar,
    /// [`NoticeData`]: urging, returns, evaluations and other office messages.
    Notice,
    /// `jianban_signoff::SignedDecision`: an approver's signed decision the
    /// server accepted (its key is registered), so every PC of the unit can
    /// verify the sign-off, wherever the head approved.
    SignedDecision,
}

impl Entity {
    pub fn code(&self) -> &'static str {
        match self {
            Entity::Session => "session",
            Entity::Unit => "unit",
            Entity::Deputy => "deputy",
            Entity::Suggestion => "suggestion",
            Entity::Assignment => "assignment",
            Entity::Contact => "contact",
            Entity::Draft => "draft",
            Entity::Opinion => "opinion",
            Entity::Calendar => "calendar",
            Entity::Notice => "notice",
            Entity::SignedDecision => "signed_decision",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        use Entity::*;
        [
            Session,
            Unit,
            Deputy,
            Suggestion,
            Assignment,
            Contact,
            Draft,
            Opinion,
            Calendar,
            Notice,
            SignedDecision,
        ]
        .into_iter()
        .find(|e| e.code() == code)
    }
}

/// One entry of the change feed: the latest state of one entity. An entity
/// changed twice appears once, at its latest position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Change {
    /// Position in the server's one total order of changes.
    pub seq: i64,
    pub entity: Entity,
    /// The entity's id (for `calendar`: `current`).
    pub id: String,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChangesResponse {
    pub changes: Vec<Change>,
    /// Cursor for the next request (unchanged when the page is empty). Apply
    /// the page and store this cursor in one local transaction.
    pub next_after: i64,
    pub has_more: bool,
    /// Changes after `next_after` still to fetch.
    pub remaining: u64,
}

/// An assignment and its case, as the server has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AssignmentSnapshot {
    #[schema(value_type = Object)]
    pub assignment: Assignment,
    pub suggestion_id: String,
    pub unit_id: String,
    #[schema(value_type = String)]
    pub role: HandlingRole,
    #[schema(value_type = Object)]
    pub case: Case,
    pub version: u64,
}

/// Entity `draft`: the latest revision of an assignment's reply or opinion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DraftData {
    pub assignment_id: String,
    /// The server's revision number for this assignment.
    pub revision: u32,
    #[schema(value_type = String)]
    pub hash: RevisionHash,
    #[schema(value_type = Object)]
    pub content: ReplyContent,
    pub author: String,
    #[schema(value_type = String)]
    pub saved_at: NaiveDateTime,
}

/// Entity `opinion`: a co-handler's signed-off opinion, sent to the lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OpinionData {
    /// The co-handler's assignment.
    pub assignment_id: String,
    pub suggestion_id: String,
    #[schema(value_type = String)]
    pub from_unit: UnitId,
    pub from_unit_name: String,
    #[schema(value_type = String)]
    pub hash: RevisionHash,
    #[schema(value_type = Object)]
    pub content: ReplyContent,
    #[schema(value_type = String)]
    pub submitted_at: NaiveDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// 预交办: the office proposes the assignment, for consultation.
    PreAssignment,
    /// 催办.
    Urge,
    /// 退回重办.
    Return,
    /// 代表评价 recorded.
    Evaluation,
    /// The office decided an adjustment request.
    Adjustment,
    /// 延期 granted.
    Extension,
    /// The case was reopened.
    Reopen,
    /// 办结.
    Conclude,
}

/// Entity `notice`: a message from the office about one assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NoticeData {
    pub id: String,
    pub assignment_id: String,
    pub kind: NoticeKind,
    pub message: String,
    pub by: String,
    pub by_name: String,
    #[schema(value_type = String)]
    pub at: NaiveDateTime,
    /// For `pre_assignment`: the proposed role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub role: Option<HandlingRole>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub date: Option<NaiveDate>,
}

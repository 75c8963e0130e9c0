//! The office's endpoints (`/v1/office/…`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use jianban_domain::{CaseState, Evaluation, HandlingRole, UserRole};

use crate::RowError;

/// `POST /v1/office/import` query; the body is the file (`.xlsx` or CSV,
/// UTF-8 with or without BOM), told apart by its first bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// e.g. `2024-s6-3`; created when new (then `session_name` and `year`
    /// are required).
    pub session_id: String,
    #[serde(default)]
    pub session_name: Option<String>,
    #[serde(default)]
    pub year: Option<i32>,
    /// Import the good rows and report the bad ones, instead of nothing.
    #[serde(default)]
    pub skip_bad_rows: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    pub session_id: String,
    pub imported: u32,
    /// Rows left out (only with `skip_bad_rows`).
    pub skipped: Vec<RowError>,
    /// Ids of the suggestions created, `{session_id}-{number}`.
    pub suggestion_ids: Vec<String>,
}

/// One unit's part in handling a suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPart {
    pub unit_id: String,
    #[schema(value_type = String)]
    pub role: HandlingRole,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignItem {
    pub suggestion_id: String,
    pub units: Vec<UnitPart>,
}

/// `POST /v1/office/pre-assign` and `POST /v1/office/assign`. All items or
/// none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    pub items: Vec<AssignItem>,
    /// Date of formal assignment (deadlines count from it); default today.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub assigned_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AssignResponse {
    /// Assignment ids created, `{suggestion_id}:{unit_id}`.
    pub assignment_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideAdjustmentRequest {
    pub approved: bool,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    #[schema(value_type = String)]
    pub until: NaiveDate,
    pub reason: String,
}

/// `POST /v1/office/assignments/{id}/extension/decline`: the office says no
/// to a unit's 延期申请.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineExtensionRequest {
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UrgeRequest {
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    pub reasons: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationRequest {
    /// `satisfied`, `basically_satisfied` or `dissatisfied` (reopens the case).
    #[schema(value_type = String)]
    pub evaluation: Evaluation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenRequest {
    pub reason: String,
}

/// `GET /v1/office/assignments` query.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    #[serde(default)]
    pub unit_id: Option<String>,
    #[serde(default)]
    pub suggestion_id: Option<String>,
    /// A state code, e.g. `submitted`.
    #[serde(default)]
    pub state: Option<String>,
    /// Only cases whose current deadline has passed.
    #[serde(default)]
    pub overdue: Option<bool>,
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub offset: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AssignmentSummary {
    pub assignment_id: String,
    pub suggestion_id: String,
    pub suggestion_number: u32,
    pub title: String,
    pub unit_id: String,
    pub unit_name: String,
    #[schema(value_type = String)]
    pub role: HandlingRole,
    #[schema(value_type = String)]
    pub state: CaseState,
    #[schema(value_type = Option<String>)]
    pub deadline: Option<NaiveDate>,
    pub version: u64,
    /// The unit's 延期申请 waiting for a decision, if any.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub pending_extension: Option<jianban_domain::PendingExtension>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AssignmentList {
    pub items: Vec<AssignmentSummary>,
    pub total: u64,
}

/// `POST /v1/office/units`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub doc_prefix: String,
}

/// `POST /v1/office/devices/{id}/move`: the device now belongs to this
/// user (a PC handed to a colleague); the previous user's sessions on it end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveDevice {
    pub user_id: String,
}

/// `POST /v1/office/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub id: String,
    pub name: String,
    #[schema(value_type = String)]
    pub role: UserRole,
    /// Required for every role but `office_staff`, which has none.
    #[serde(default)]
    pub unit_id: Option<String>,
    /// At least 8 characters.
    pub password: String,
}

/// One line of the audit log (`GET /v1/office/audit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditLine {
    pub seq: i64,
    pub at: String,
    pub actor_id: String,
    pub actor_name: String,
    pub actor_role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_id: Option<String>,
    pub action: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    #[serde(default)]
    pub assignment_id: Option<String>,
    #[serde(default)]
    pub after: i64,
    #[serde(default)]
    pub limit: Option<u32>,
}

//! Statistics and Excel endpoints (`/v1/stats/…`, `/v1/import/xlsx`).
//!
//! The figures themselves travel as `jianban_stats::Figures` serialized
//! (an open object in the OpenAPI document), so the desktop, which computes
//! the same figures from its own store, reads both with one type.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Query of every `GET /v1/stats…` endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// One unit's figures. Office staff may name any unit (none: the whole
    /// city); a unit's users get their own unit whatever they name, and are
    /// refused another unit.
    #[serde(default)]
    pub unit: Option<String>,
    /// The session (default: the latest).
    #[serde(default)]
    pub session_id: Option<String>,
    /// The day the figures are taken on (default: today, server time).
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
    /// The report's year (default: the session's year).
    #[serde(default)]
    pub year: Option<i32>,
}

/// `GET /v1/stats/report`: the year's report as an editable draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReportDraft {
    pub session_id: String,
    pub as_of: NaiveDate,
    /// Title line, then paragraphs separated by an empty line.
    pub text: String,
}

/// What an `.xlsx` import holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum XlsxImportKind {
    /// The office's suggestion list (columns as `POST /v1/office/import`).
    Suggestions,
    /// The deputies' evaluations: 建议号, 承办单位, 代表评价, 代表, 备注.
    Evaluations,
}

/// `POST /v1/import/xlsx` query; the body is the `.xlsx` file. All rows or
/// none: any bad row refuses the whole file (422 `import.bad_rows` with
/// every bad row listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct XlsxImportQuery {
    pub kind: XlsxImportKind,
    /// Suggestions: required (created when new, then `session_name` and
    /// `year` too). Evaluations: default the latest session.
    #[serde(default)]
    pub session_id: Option<String>,
    #[serde(default)]
    pub session_name: Option<String>,
    #[serde(default)]
    pub year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct XlsxImportReport {
    pub kind: XlsxImportKind,
    pub session_id: String,
    pub imported: u32,
    /// Suggestions created, or assignments evaluated.
    pub ids: Vec<String>,
}

//! 建议详情: the suggestion, its units, contacts, timeline and actions.

use super::shared::{AssignmentRow, CaseState, DeadlineWarning, Role};
use jianban_domain as domain;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DeputyView {
    pub name: String,
    pub delegation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct UnitView {
    pub assignment_id: String,
    pub unit_name: String,
    pub role: Role,
    pub role_label: String,
    pub state: CaseState,
    pub state_label: String,
    /// Co-handlers, as the lead sees them: opinion received?
    pub opinion_submitted: Option<bool>,
}

/// One deadline of the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DeadlineView {
    pub label: String,
    pub date: String,
    pub warning: DeadlineWarning,
    pub warning_label: String,
    /// The deadline the unit works against now.
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ContactView {
    pub id: String,
    pub mode: ContactModeCode,
    pub mode_label: String,
    pub date: String,
    pub people: String,
    pub summary: String,
}

/// 沟通方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum ContactModeCode {
    Phone,
    Visit,
    Meeting,
    SiteInspection,
    Letter,
    Other,
}

impl From<domain::ContactMode> for ContactModeCode {
    fn from(m: domain::ContactMode) -> Self {
        use domain::ContactMode as M;
        match m {
            M::Phone => Self::Phone,
            M::Visit => Self::Visit,
            M::Meeting => Self::Meeting,
            M::SiteInspection => Self::SiteInspection,
            M::Letter => Self::Letter,
            M::Other => Self::Other,
        }
    }
}

impl From<ContactModeCode> for domain::ContactMode {
    fn from(m: ContactModeCode) -> Self {
        use domain::ContactMode as M;
        match m {
            ContactModeCode::Phone => M::Phone,
            ContactModeCode::Visit => M::Visit,
            ContactModeCode::Meeting => M::Meeting,
            ContactModeCode::SiteInspection => M::SiteInspection,
            ContactModeCode::Letter => M::Letter,
            ContactModeCode::Other => M::Other,
        }
    }
}

impl From<domain::ContactRecord> for ContactView {
    fn from(c: domain::ContactRecord) -> Self {
        ContactView {
            id: c.id,
            mode: c.mode.into(),
            mode_label: c.mode.label_zh().to_owned(),
            date: c.date.format("%Y-%m-%d").to_string(),
            people: c.people,
            summary: c.summary,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ContactInputView {
    pub mode: ContactModeCode,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub people: String,
    pub summary: String,
}

/// One event of the timeline (from the audit log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TimelineEvent {
    pub at: String,
    pub actor_name: String,
    pub actor_role: String,
    pub label: String,
    /// A reason, comment or summary the action carried.
    pub detail: Option<String>,
    pub state_after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct OpinionView {
    pub unit_name: String,
    pub text: String,
    pub submitted_at: Option<String>,
}

/// Which actions the person may try now (the rules still decide).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AvailableActions {
    pub receive: bool,
    pub request_adjustment: bool,
    pub request_extension: bool,
    pub record_contact: bool,
    pub edit_draft: bool,
    pub submit_for_approval: bool,
    pub submit: bool,
    pub export: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CaseDetail {
    pub row: AssignmentRow,
    pub session_name: String,
    pub text: String,
    pub is_urgent: bool,
    pub lead_deputy: DeputyView,
    pub co_signers: Vec<DeputyView>,
    pub units: Vec<UnitView>,
    pub deadlines: Vec<DeadlineView>,
    pub contacts: Vec<ContactView>,
    pub timeline: Vec<TimelineEvent>,
    pub opinions: Vec<OpinionView>,
    /// Why the draft cannot go to approval yet, in Chinese.
    pub blockers: Vec<String>,
    pub actions: AvailableActions,
    pub approval_chain: Vec<String>,
    pub rehandling_round: u32,
    /// The unit's 延期申请 waiting for the office, if any.
    pub pending_extension: Option<PendingExtensionView>,
}

/// A 延期申请 as the detail page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PendingExtensionView {
    /// `YYYY-MM-DD`.
    pub until: String,
    pub reason: String,
    pub requested_on: String,
}

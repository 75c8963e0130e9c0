//! The IPC wire format. Domain and store types stay plain; these structs are
//! what the UI receives, in camelCase, with TypeScript twins generated into
//! `ui/src/bindings/` (see `bindings.rs`). Enums are mapped exhaustively, so a
//! new domain variant is a compile error here rather than a surprise in the UI.

use jianban_domain as domain;
use serde::{Deserialize, Serialize};

/// One row of the assignment list (交办件列表).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AssignmentRow {
    pub assignment_id: String,
    /// 建议号: 39 for 第39号.
    pub suggestion_number: u32,
    /// e.g. 市六届人大三次会议.
    pub session_name: String,
    /// Without book-title marks.
    pub title: String,
    pub unit_name: String,
    pub role: Role,
    /// 主办 / 协办 / 分办.
    pub role_label: String,
    pub state: CaseState,
    pub state_label: String,
    /// ISO date `YYYY-MM-DD`; none once nothing is due.
    pub deadline: Option<String>,
    pub warning: DeadlineWarning,
    pub warning_label: String,
    /// 重点建议.
    pub is_key: bool,
}

/// 承办方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum Role {
    Lead,
    CoHandler,
    Split,
}

/// Where an assignment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum CaseState {
    AwaitingReceipt,
    Received,
    AdjustmentRequested,
    Drafting,
    AwaitingApproval,
    SignedOff,
    Submitted,
    Returned,
    Evaluated,
    Concluded,
    Transferred,
}

/// 预警 level of the deadline, which decides the badge colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum DeadlineWarning {
    Normal,
    Within15Days,
    Within7Days,
    Within3Days,
    Overdue,
}

impl From<domain::HandlingRole> for Role {
    fn from(r: domain::HandlingRole) -> Self {
        match r {
            domain::HandlingRole::Lead => Role::Lead,
            domain::HandlingRole::CoHandler => Role::CoHandler,
            domain::HandlingRole::Split => Role::Split,
        }
    }
}

impl From<domain::CaseState> for CaseState {
    fn from(s: domain::CaseState) -> Self {
        use domain::CaseState as S;
        match s {
            S::AwaitingReceipt => CaseState::AwaitingReceipt,
            S::Received => CaseState::Received,
            S::AdjustmentRequested => CaseState::AdjustmentRequested,
            S::Drafting => CaseState::Drafting,
            S::AwaitingApproval => CaseState::AwaitingApproval,
            S::SignedOff => CaseState::SignedOff,
            S::Submitted => CaseState::Submitted,
            S::Returned => CaseState::Returned,
            S::Evaluated => CaseState::Evaluated,
            S::Concluded => CaseState::Concluded,
            S::Transferred => CaseState::Transferred,
        }
    }
}

impl From<domain::WarningLevel> for DeadlineWarning {
    fn from(w: domain::WarningLevel) -> Self {
        use domain::WarningLevel as W;
        match w {
            W::Normal => DeadlineWarning::Normal,
            W::Days15 => DeadlineWarning::Within15Days,
            W::Days7 => DeadlineWarning::Within7Days,
            W::Days3 => DeadlineWarning::Within3Days,
            W::Overdue => DeadlineWarning::Overdue,
        }
    }
}

impl From<jianban_store::AssignmentListItem> for AssignmentRow {
    fn from(item: jianban_store::AssignmentListItem) -> Self {
        AssignmentRow {
            assignment_id: item.assignment_id,
            suggestion_number: item.suggestion_number,
            session_name: item.session_name,
            title: item.title,
            unit_name: item.unit_name,
            role: item.role.into(),
            role_label: item.role.label_zh().to_owned(),
            state: item.state.into(),
            state_label: item.state.label_zh().to_owned(),
            deadline: item.deadline.map(|d| d.format("%Y-%m-%d").to_string()),
            warning: item.warning.into(),
            warning_label: item.warning.label_zh().to_owned(),
            is_key: item.is_key,
        }
    }
}

pub fn assignment_rows(items: Vec<jianban_store::AssignmentListItem>) -> Vec<AssignmentRow> {
    items.into_iter().map(AssignmentRow::from).collect()
}

// ---------------------------------------------------------------------------
// Session, settings and status.

/// Who is logged in on this PC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct UserView {
    pub user_id: String,
    pub name: String,
    pub role: UserRoleCode,
    pub role_label: String,
    pub unit_id: Option<String>,
}

/// 岗位.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum UserRoleCode {
    OfficeStaff,
    Liaison,
    CaseHandler,
    DeputyHead,
    Head,
}

impl From<domain::UserRole> for UserRoleCode {
    fn from(r: domain::UserRole) -> Self {
        use domain::UserRole as R;
        match r {
            R::OfficeStaff => Self::OfficeStaff,
            R::Liaison => Self::Liaison,
            R::CaseHandler => Self::CaseHandler,
            R::DeputyHead => Self::DeputyHead,
            R::Head => Self::Head,
        }
    }
}

impl From<UserRoleCode> for domain::UserRole {
    fn from(r: UserRoleCode) -> Self {
        use domain::UserRole as R;
        match r {
            UserRoleCode::OfficeStaff => R::OfficeStaff,
            UserRoleCode::Liaison => R::Liaison,
            UserRoleCode::CaseHandler => R::CaseHandler,
            UserRoleCode::DeputyHead => R::DeputyHead,
            UserRoleCode::Head => R::Head,
        }
    }
}

impl From<&domain::Actor> for UserView {
    fn from(a: &domain::Actor) -> Self {
        UserView {
            user_id: a.user.to_string(),
            name: a.name.clone(),
            role: a.role.into(),
            role_label: a.role.label_zh().to_owned(),
            unit_id: a.unit.as_ref().map(|u| u.to_string()),
        }
    }
}

/// What the window needs to decide its first screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AppStatus {
    /// `local` (demo data, no server) or `server`.
    pub mode: String,
    pub server_url: Option<String>,
    pub ca_file: Option<String>,
    /// The liaison or case handler working on this PC.
    pub user: Option<UserView>,
    /// An approver logged in locally.
    pub approver: Option<UserView>,
    pub data_dir: String,
}

/// First run: the server, its CA and a login.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ConnectInput {
    pub server_url: String,
    pub ca_file: Option<String>,
    pub username: String,
    pub password: String,
}

/// The status bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SyncView {
    /// False in the local demo: nothing to sync with.
    pub configured: bool,
    /// `idle`, `pushing`, `pulling`, `offline`, `needsAttention`.
    pub phase: String,
    pub phase_label: String,
    /// `YYYY-MM-DD HH:MM`.
    pub last_success: Option<String>,
    pub pending: u32,
    pub pull_done: u32,
    pub pull_total: u32,
    pub offline: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct NoticeView {
    #[cfg_attr(test, ts(type = "number"))]
    pub id: i64,
    pub at: String,
    pub assignment_id: Option<String>,
    pub kind: String,
    pub message: String,
    pub read: bool,
}

impl From<jianban_store::Notice> for NoticeView {
    fn from(n: jianban_store::Notice) -> Self {
        NoticeView {
            id: n.id,
            at: n.at.format("%Y-%m-%d %H:%M").to_string(),
            assignment_id: n.assignment_id,
            kind: n.kind,
            message: n.message,
            read: n.read,
        }
    }
}

/// One face of the letter: what the standard asks for and what is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FontView {
    pub wanted: String,
    pub family: String,
    pub substituted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AccountView {
    pub user_id: String,
    pub name: String,
    pub role: UserRoleCode,
    pub role_label: String,
    pub unit_id: Option<String>,
}

impl From<&jianban_store::Account> for AccountView {
    fn from(a: &jianban_store::Account) -> Self {
        AccountView {
            user_id: a.user_id.to_string(),
            name: a.name.clone(),
            role: a.role.into(),
            role_label: a.role.label_zh().to_owned(),
            unit_id: a.unit_id.as_ref().map(|u| u.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct NewAccount {
    pub user_id: String,
    pub name: String,
    pub role: UserRoleCode,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SettingsView {
    pub server_url: Option<String>,
    pub ca_file: Option<String>,
    pub doc_prefix: String,
    pub default_cc: Vec<String>,
    pub fonts: Vec<FontView>,
    /// Why fonts could not be listed (no Chinese font installed, …).
    pub font_error: Option<String>,
    pub accounts: Vec<AccountView>,
    /// The unit's approval chain (审核流程), in order.
    pub approval_chain: Vec<ApprovalStepView>,
    /// Whether the person logged in here may change the chain now (the
    /// unit's head, logged in on this PC, with a central server).
    pub can_edit_chain: bool,
    /// Who changes the chain, and how (shown under it).
    pub chain_note: String,
    /// The unit whose certificate signs sealed letters on this PC, if known.
    pub certificate_unit: Option<String>,
}

/// One step of the approval chain: what the unit calls it, and who signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ApprovalStepView {
    pub title: String,
    pub role: UserRoleCode,
}

impl From<&domain::ApprovalStep> for ApprovalStepView {
    fn from(s: &domain::ApprovalStep) -> Self {
        ApprovalStepView {
            title: s.title.clone(),
            role: s.role.into(),
        }
    }
}

/// 修改审核流程: the new chain and the head's password (the central server
/// accepts the change only from the unit's head).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ChainInput {
    pub steps: Vec<ApprovalStepView>,
    pub password: String,
}

/// What changing the chain did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ChainChange {
    pub settings: SettingsView,
    /// Open cases of the unit that now follow the new chain.
    pub cases_updated: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SettingsInput {
    pub doc_prefix: String,
    pub default_cc: Vec<String>,
}

// ---------------------------------------------------------------------------
// Workbench.

/// One workbench row: the list row plus the fields the filters use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct WorkbenchRow {
    #[serde(flatten)]
    pub row: AssignmentRow,
    pub suggestion_id: String,
    pub session_id: String,
    pub is_urgent: bool,
    /// "A" … "D" of the current draft.
    pub category: Option<String>,
    pub handler: Option<String>,
    /// The count groups this row belongs to.
    pub groups: Vec<StateGroup>,
}

/// 工作台分组.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum StateGroup {
    /// 待签收.
    AwaitingReceipt,
    /// 办理中.
    InProgress,
    /// 待审核.
    AwaitingApproval,
    /// 已答复.
    Replied,
    /// 退回重办.
    Returned,
    /// 即将到期 (within 7 working days).
    DueSoon,
    /// 已逾期.
    Overdue,
}

impl StateGroup {
    pub const ALL: [StateGroup; 7] = [
        Self::AwaitingReceipt,
        Self::InProgress,
        Self::AwaitingApproval,
        Self::Replied,
        Self::Returned,
        Self::DueSoon,
        Self::Overdue,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::AwaitingReceipt => "待签收",
            Self::InProgress => "办理中",
            Self::AwaitingApproval => "待审核",
            Self::Replied => "已答复",
            Self::Returned => "退回重办",
            Self::DueSoon => "即将到期",
            Self::Overdue => "已逾期",
        }
    }

    /// The groups of a case in `state` with deadline `warning`.
    pub fn of(state: domain::CaseState, warning: domain::WarningLevel) -> Vec<StateGroup> {
        use domain::CaseState as S;
        let mut out = vec![];
        match state {
            S::AwaitingReceipt => out.push(Self::AwaitingReceipt),
            S::Received | S::AdjustmentRequested | S::Drafting | S::SignedOff => {
                out.push(Self::InProgress)
            }
            S::AwaitingApproval => out.push(Self::AwaitingApproval),
            S::Submitted | S::Evaluated | S::Concluded => out.push(Self::Replied),
            S::Returned => out.push(Self::Returned),
            S::Transferred => {}
        }
        match warning {
            domain::WarningLevel::Overdue => out.push(Self::Overdue),
            domain::WarningLevel::Days3 | domain::WarningLevel::Days7 => out.push(Self::DueSoon),
            _ => {}
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct GroupCount {
    pub group: StateGroup,
    pub label: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SessionView {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Workbench {
    pub rows: Vec<WorkbenchRow>,
    pub counts: Vec<GroupCount>,
    pub sessions: Vec<SessionView>,
}

impl From<jianban_store::WorkbenchItem> for WorkbenchRow {
    fn from(i: jianban_store::WorkbenchItem) -> Self {
        let groups = StateGroup::of(i.state, i.warning);
        WorkbenchRow {
            suggestion_id: i.suggestion_id.clone(),
            session_id: i.session_id.clone(),
            is_urgent: i.is_urgent,
            category: i.category.map(|c| c.letter().to_owned()),
            handler: i.handler.clone(),
            groups,
            row: AssignmentRow::from(jianban_store::AssignmentListItem {
                assignment_id: i.assignment_id,
                suggestion_number: i.suggestion_number,
                session_name: i.session_name,
                title: i.title,
                unit_name: i.unit_name,
                role: i.role,
                state: i.state,
                deadline: i.deadline,
                warning: i.warning,
                is_key: i.is_key,
            }),
        }
    }
}

/// Builds the workbench: rows, the count of each group, the sessions.
pub fn workbench(
    items: Vec<jianban_store::WorkbenchItem>,
    sessions: Vec<domain::Session>,
) -> Workbench {
    let rows: Vec<WorkbenchRow> = items.into_iter().map(WorkbenchRow::from).collect();
    let counts = StateGroup::ALL
        .iter()
        .map(|g| GroupCount {
            group: *g,
            label: g.label_zh().to_owned(),
            count: rows.iter().filter(|r| r.groups.contains(g)).count() as u32,
        })
        .collect();
    Workbench {
        rows,
        counts,
        sessions: sessions
            .into_iter()
            .map(|s| SessionView {
                id: s.id.to_string(),
                name: s.name,
            })
            .collect(),
    }
}

/// One full-text search hit, resolved to the suggestion it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SearchHitView {
    /// `suggestion`, `draft` or `contact`.
    pub kind: String,
    pub kind_label: String,
    pub suggestion_id: String,
    pub suggestion_number: u32,
    pub title: String,
}

impl From<jianban_store::SearchHit> for SearchHitView {
    fn from(h: jianban_store::SearchHit) -> Self {
        let (kind, label) = match h.kind {
            jianban_store::HitKind::Suggestion => ("suggestion", "建议原文"),
            jianban_store::HitKind::Draft => ("draft", "答复稿"),
            jianban_store::HitKind::Contact => ("contact", "沟通记录"),
        };
        SearchHitView {
            kind: kind.into(),
            kind_label: label.into(),
            suggestion_id: h.suggestion_id,
            suggestion_number: h.suggestion_number,
            title: h.title,
        }
    }
}

// ---------------------------------------------------------------------------
// Suggestion detail.

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

// ---------------------------------------------------------------------------
// Reply editor, approval, export.

/// The structured fields of a reply (or a co-handler's opinion).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ReplyFields {
    /// "A", "B", "C", "D" or none.
    pub category: Option<String>,
    /// `active`, `onRequest`, `notPublic`.
    pub disclosure: String,
    pub doc_number: String,
    pub title: String,
    pub salutation: String,
    pub body: String,
    pub contact_person: String,
    pub contact_phone: String,
    pub cc: Vec<String>,
}

impl From<&domain::ReplyContent> for ReplyFields {
    fn from(c: &domain::ReplyContent) -> Self {
        ReplyFields {
            category: c.category.map(|x| x.letter().to_owned()),
            disclosure: match c.disclosure {
                domain::Disclosure::Active => "active",
                domain::Disclosure::OnRequest => "onRequest",
                domain::Disclosure::NotPublic => "notPublic",
            }
            .into(),
            doc_number: c.doc_number.clone(),
            title: c.title.clone(),
            salutation: c.salutation.clone(),
            body: c.body.clone(),
            contact_person: c.contact_person.clone(),
            contact_phone: c.contact_phone.clone(),
            cc: c.cc.clone(),
        }
    }
}

impl ReplyFields {
    pub fn to_content(&self) -> Result<domain::ReplyContent, crate::error::CommandError> {
        let category = match self.category.as_deref() {
            None | Some("") => None,
            Some(l) => Some(
                domain::ResultCategory::ALL
                    .into_iter()
                    .find(|c| c.letter() == l)
                    .ok_or_else(|| {
                        crate::error::CommandError::new(
                            "input.category",
                            format!("办理结果类别“{l}”无效，请选择 A、B、C 或 D。"),
                        )
                    })?,
            ),
        };
        let disclosure = match self.disclosure.as_str() {
            "onRequest" => domain::Disclosure::OnRequest,
            "notPublic" => domain::Disclosure::NotPublic,
            _ => domain::Disclosure::Active,
        };
        Ok(domain::ReplyContent {
            category,
            disclosure,
            doc_number: self.doc_number.clone(),
            title: self.title.clone(),
            salutation: self.salutation.clone(),
            body: self.body.clone(),
            contact_person: self.contact_person.clone(),
            contact_phone: self.contact_phone.clone(),
            cc: self
                .cc
                .iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RevisionView {
    pub number: u32,
    pub hash: String,
    pub author: String,
    pub saved_at: String,
    pub restored_from: Option<u32>,
}

impl From<jianban_store::RevisionInfo> for RevisionView {
    fn from(r: jianban_store::RevisionInfo) -> Self {
        RevisionView {
            number: r.number,
            hash: r.hash.0,
            author: r.author.0,
            saved_at: r.saved_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            restored_from: r.restored_from,
        }
    }
}

/// The editor's start: the current revision (or a template) and what blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DraftView {
    pub fields: ReplyFields,
    /// None when nothing was saved yet (the fields are a template).
    pub revision: Option<RevisionView>,
    pub editable: bool,
    pub blockers: Vec<String>,
    /// A co-handler writes an opinion (会办意见), not a reply letter.
    pub is_opinion: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SavedDraft {
    pub revision: RevisionView,
    pub blockers: Vec<String>,
    pub state: CaseState,
    pub state_label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PreviewView {
    /// One SVG document per page.
    pub pages: Vec<String>,
    /// Faces replaced by stand-ins, e.g. "仿宋 → Noto Serif CJK SC".
    pub substitutions: Vec<String>,
}

/// One approval-queue entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ApprovalItem {
    pub row: AssignmentRow,
    /// The step waiting, e.g. 主要负责人审核签发.
    pub step_title: String,
    pub revision: RevisionView,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DecideInput {
    pub assignment_id: String,
    /// The revision the approver read.
    pub revision_hash: String,
    pub approve: bool,
    pub comment: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DecisionView {
    pub at: String,
    pub step_title: String,
    pub signer_name: String,
    pub role_label: String,
    pub approve: bool,
    pub comment: String,
    /// First characters of the revision hash the decision is bound to.
    pub revision: String,
}

impl From<&jianban_store::SignedDecision> for DecisionView {
    fn from(d: &jianban_store::SignedDecision) -> Self {
        let r = &d.record;
        DecisionView {
            at: r.at.format("%Y-%m-%d %H:%M").to_string(),
            step_title: r.step_title.clone(),
            signer_name: r.signer_name.clone(),
            role_label: r.role.label_zh().to_owned(),
            approve: matches!(r.decision, jianban_store::Decision::Approve),
            comment: r.comment.clone(),
            revision: r.revision.0.chars().take(12).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ExportResult {
    pub path: String,
    pub pages: u32,
    /// Signed off and verified: the final document.
    pub is_final: bool,
    pub verification_code: Option<String>,
    pub substitutions: Vec<String>,
}

/// What checking a sealed letter found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct LetterVerification {
    pub path: String,
    /// `valid`, `tampered` or `unknownSigner`.
    pub verdict: String,
    /// 有效 / 被篡改 / 签名人未登记, in a sentence.
    pub label: String,
    /// The details, one per line (signer, time, verification code, what failed).
    pub report: String,
}

impl LetterVerification {
    pub fn of(path: &std::path::Path, v: &jianban_seal::PdfVerification) -> Self {
        Self {
            path: path.display().to_string(),
            verdict: match v.verdict {
                jianban_seal::PdfVerdict::Valid => "valid",
                jianban_seal::PdfVerdict::Tampered => "tampered",
                jianban_seal::PdfVerdict::UnknownSigner => "unknownSigner",
            }
            .into(),
            label: v.label_zh().into(),
            report: v.report_zh(),
        }
    }
}

// ---------------------------------------------------------------------------
// Statistics (统计): the unit's figures of one session, from `jianban-stats`.

/// Counts cross the wire as plain numbers (ts-rs would make `u64` a bigint).
fn n32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One bar of a chart: a code, its Chinese label, the count and its share.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CountView {
    /// A state's or role's code, `A` … `D`, or an evaluation's code.
    pub code: String,
    pub label: String,
    pub count: u32,
    /// The share as the report states it, two decimals: `33.33%`. The shares
    /// of one list add up to exactly 100.00%.
    pub percent: String,
    /// The same share as a number of percent (33.33), for the charts.
    pub value: f64,
}

impl From<&jianban_stats::Count> for CountView {
    fn from(c: &jianban_stats::Count) -> Self {
        CountView {
            code: c.code.clone(),
            label: c.label.clone(),
            count: n32(c.count),
            percent: c.percent.to_string(),
            value: c.percent.as_f64(),
        }
    }
}

/// `part` of `whole`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RateView {
    pub part: u32,
    pub whole: u32,
    /// `93.06%`; none when there is nothing to count yet (`whole` is 0).
    pub percent: Option<String>,
}

impl From<&jianban_stats::Rate> for RateView {
    fn from(r: &jianban_stats::Rate) -> Self {
        RateView {
            part: n32(r.part),
            whole: n32(r.whole),
            percent: r.percent.map(|p| p.to_string()),
        }
    }
}

/// An assignment past its current deadline (逾期清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct OverdueView {
    pub assignment_id: String,
    pub suggestion_number: u32,
    pub title: String,
    pub role_label: String,
    pub state_label: String,
    /// ISO date `YYYY-MM-DD`.
    pub deadline: String,
    pub working_days_overdue: u32,
}

impl From<&jianban_stats::OverdueItem> for OverdueView {
    fn from(o: &jianban_stats::OverdueItem) -> Self {
        OverdueView {
            assignment_id: o.assignment_id.clone(),
            suggestion_number: o.suggestion_number,
            title: o.title.clone(),
            role_label: o.role.label_zh().to_owned(),
            state_label: o.state.label_zh().to_owned(),
            deadline: o.deadline.format("%Y-%m-%d").to_string(),
            working_days_overdue: u32::try_from(o.working_days_overdue.max(0)).unwrap_or(0),
        }
    }
}

/// Where a key suggestion (重点建议) stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct KeySuggestionView {
    pub suggestion_number: u32,
    pub title: String,
    pub lead_deputy: String,
    /// The answering units, then the co-handlers.
    pub units: Vec<String>,
    pub state_label: String,
    pub replied: bool,
    /// "A" … "D" once every answering unit replied.
    pub category: Option<String>,
    pub evaluation_label: Option<String>,
}

impl From<&jianban_stats::KeyProgress> for KeySuggestionView {
    fn from(k: &jianban_stats::KeyProgress) -> Self {
        KeySuggestionView {
            suggestion_number: k.suggestion_number,
            title: k.title.clone(),
            lead_deputy: k.lead_deputy.clone(),
            units: k.units.clone(),
            state_label: k.state.label_zh().to_owned(),
            replied: k.replied,
            category: k.category.map(|c| c.letter().to_owned()),
            evaluation_label: k.evaluation.map(|e| e.label_zh().to_owned()),
        }
    }
}

/// The figures of this PC's unit for one session (统计).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StatsView {
    /// The session the figures are about.
    pub session: SessionView,
    /// Every session this PC knows, newest first (the selector).
    pub sessions: Vec<SessionView>,
    pub unit_name: String,
    /// ISO date the figures are computed on (today).
    pub as_of: String,
    /// 交办件次, moved ones (已调整) included.
    pub assignments: u32,
    /// 承办建议 (distinct suggestions, moved ones not counted).
    pub suggestions: u32,
    /// Suggestions handled together with other units.
    pub multi_unit_suggestions: u32,
    /// Suggestions with a result category.
    pub classified_suggestions: u32,
    pub answered_suggestions: u32,
    pub concluded_suggestions: u32,
    /// Lead and split assignments (they answer the deputy).
    pub replying: u32,
    pub replied: RateView,
    pub concluded: RateView,
    /// 按时答复率.
    pub on_time: RateView,
    /// 平均答复工作日, one decimal; none before the first reply.
    pub avg_working_days_to_reply: Option<f64>,
    /// 沟通率.
    pub contact: RateView,
    /// 满意率 (满意 + 基本满意).
    pub satisfaction: RateView,
    /// Every state, in the workflow's order.
    pub by_state: Vec<CountView>,
    /// 主办 / 协办 / 分办.
    pub by_role: Vec<CountView>,
    /// A, B, C, D per suggestion.
    pub by_category: Vec<CountView>,
    /// 满意 / 基本满意 / 不满意.
    pub by_evaluation: Vec<CountView>,
    pub overdue: Vec<OverdueView>,
    pub key_suggestions: Vec<KeySuggestionView>,
}

impl StatsView {
    pub fn of(
        f: &jianban_stats::Figures,
        session: &domain::Session,
        sessions: &[domain::Session],
        unit_name: &str,
    ) -> Self {
        let session_view = |s: &domain::Session| SessionView {
            id: s.id.to_string(),
            name: s.name.clone(),
        };
        let counts = |c: &[jianban_stats::Count]| c.iter().map(CountView::from).collect();
        StatsView {
            session: session_view(session),
            sessions: sessions.iter().map(session_view).collect(),
            unit_name: unit_name.to_owned(),
            as_of: f.as_of.format("%Y-%m-%d").to_string(),
            assignments: n32(f.assignments),
            suggestions: n32(f.suggestions),
            multi_unit_suggestions: n32(f.multi_unit_suggestions),
            classified_suggestions: n32(f.classified_suggestions),
            answered_suggestions: n32(f.answered_suggestions),
            concluded_suggestions: n32(f.concluded_suggestions),
            replying: n32(f.replying),
            replied: (&f.replied).into(),
            concluded: (&f.concluded).into(),
            on_time: (&f.on_time).into(),
            avg_working_days_to_reply: f.avg_working_days_to_reply,
            contact: (&f.contact).into(),
            satisfaction: (&f.satisfaction).into(),
            by_state: counts(&f.by_state),
            by_role: counts(&f.by_role),
            by_category: counts(&f.by_category),
            by_evaluation: counts(&f.by_evaluation),
            overdue: f.overdue.iter().map(OverdueView::from).collect(),
            key_suggestions: f
                .key_suggestions
                .iter()
                .map(KeySuggestionView::from)
                .collect(),
        }
    }
}

/// The year's report as an editable draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ReportDraftView {
    pub session_id: String,
    /// ISO date of the figures in the text.
    pub as_of: String,
    /// A title line, then paragraphs separated by an empty line.
    pub text: String,
}

/// A written statistics file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StatsExport {
    pub path: String,
    /// `xlsx`, `pdf`, `docx` or `ledger`.
    pub format: String,
    /// Fonts that stood in for the standard's (PDF and Word only).
    pub substitutions: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn item() -> jianban_store::AssignmentListItem {
        jianban_store::AssignmentListItem {
            assignment_id: "a-39-fgw".into(),
            suggestion_number: 39,
            session_name: "市六届人大三次会议".into(),
            title: "关于推动我市民营经济高质量发展的建议".into(),
            unit_name: "市发展改革委".into(),
            role: domain::HandlingRole::CoHandler,
            state: domain::CaseState::AwaitingApproval,
            deadline: NaiveDate::from_ymd_opt(2024, 6, 8),
            warning: domain::WarningLevel::Days7,
            is_key: true,
        }
    }

    #[test]
    fn a_row_on_the_wire_is_camel_case_with_iso_dates_and_labels() {
        let row = AssignmentRow::from(item());
        let json = serde_json::to_value(&row).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "assignmentId": "a-39-fgw",
                "suggestionNumber": 39,
                "sessionName": "市六届人大三次会议",
                "title": "关于推动我市民营经济高质量发展的建议",
                "unitName": "市发展改革委",
                "role": "coHandler",
                "roleLabel": "协办",
                "state": "awaitingApproval",
                "stateLabel": domain::CaseState::AwaitingApproval.label_zh(),
                "deadline": "2024-06-08",
                "warning": "within7Days",
                "warningLabel": "7日内到期",
                "isKey": true,
            })
        );
    }

    #[test]
    fn no_deadline_is_null() {
        let mut it = item();
        it.deadline = None;
        let json = serde_json::to_value(AssignmentRow::from(it)).unwrap();
        assert!(json["deadline"].is_null());
    }

    #[test]
    fn every_case_state_keeps_its_name_on_the_wire() {
        for state in domain::CaseState::ALL {
            let domain_name = serde_json::to_value(state).unwrap();
            let wire_name = serde_json::to_value(CaseState::from(state)).unwrap();
            // Domain is snake_case, wire is camelCase of the same words.
            let camel: String = domain_name
                .as_str()
                .unwrap()
                .split('_')
                .enumerate()
                .map(|(i, w)| {
                    if i == 0 {
                        w.to_owned()
                    } else {
                        let mut c = w.chars();
                        c.next()
                            .map(|f| f.to_uppercase().chain(c).collect())
                            .unwrap_or_default()
                    }
                })
                .collect();
            assert_eq!(wire_name, serde_json::Value::String(camel));
        }
    }

    #[test]
    fn warning_levels_map_in_order_of_urgency() {
        use domain::WarningLevel as W;
        let wire: Vec<_> = [W::Normal, W::Days15, W::Days7, W::Days3, W::Overdue]
            .into_iter()
            .map(|w| serde_json::to_value(DeadlineWarning::from(w)).unwrap())
            .collect();
        assert_eq!(
            wire,
            [
                "normal",
                "within15Days",
                "within7Days",
                "within3Days",
                "overdue"
            ]
            .map(serde_json::Value::from)
            .to_vec()
        );
    }
}

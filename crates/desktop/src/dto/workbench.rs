//! 工作台: rows, group counts, sessions, search hits.

use crate::workbench::Group;
use jianban_domain as domain;
use serde::Serialize;

use super::shared::AssignmentRow;

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

impl From<Group> for StateGroup {
    fn from(g: Group) -> Self {
        match g {
            Group::AwaitingReceipt => Self::AwaitingReceipt,
            Group::InProgress => Self::InProgress,
            Group::AwaitingApproval => Self::AwaitingApproval,
            Group::Replied => Self::Replied,
            Group::Returned => Self::Returned,
            Group::DueSoon => Self::DueSoon,
            Group::Overdue => Self::Overdue,
        }
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

impl From<(Group, u32)> for GroupCount {
    fn from((group, count): (Group, u32)) -> Self {
        GroupCount {
            group: group.into(),
            label: group.label_zh().to_owned(),
            count,
        }
    }
}

impl From<domain::Session> for SessionView {
    fn from(s: domain::Session) -> Self {
        SessionView {
            id: s.id.to_string(),
            name: s.name,
        }
    }
}

impl WorkbenchRow {
    /// The row of `i`, which is in `groups` ([`Group::of`]).
    pub fn new(i: jianban_store::WorkbenchItem, groups: &[Group]) -> Self {
        WorkbenchRow {
            suggestion_id: i.suggestion_id.clone(),
            session_id: i.session_id.clone(),
            is_urgent: i.is_urgent,
            category: i.category.map(|c| c.letter().to_owned()),
            handler: i.handler.clone(),
            groups: groups.iter().map(|g| StateGroup::from(*g)).collect(),
            row: AssignmentRow::from(i),
        }
    }
}

impl From<jianban_store::WorkbenchItem> for AssignmentRow {
    fn from(i: jianban_store::WorkbenchItem) -> Self {
        AssignmentRow::from(jianban_store::AssignmentListItem {
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
        })
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

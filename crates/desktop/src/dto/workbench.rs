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

/// 工作台分组, decided in [`crate::workbench`].
pub use crate::workbench::Group as StateGroup;

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
            group,
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
            groups: groups.to_vec(),
            row: AssignmentRow::from(i),
        }
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

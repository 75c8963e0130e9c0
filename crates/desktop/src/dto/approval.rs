//! 审核: the queue, a decision and the decision history.

use super::reply::RevisionView;
use super::shared::AssignmentRow;
use serde::{Deserialize, Serialize};

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

//! 审核: what waits for the logged-in approver, approve or return, history.

use jianban_domain::{CaseState, RevisionHash};
use jianban_store::Decision;

use crate::dto::{ApprovalItem, DecideInput, DecisionView, RevisionView};
use crate::error::{code, CommandError};
use crate::state::AppState;

fn no_approver() -> CommandError {
    CommandError::new(
        code::NOT_LOGGED_IN,
        "请先以审核人员（主要负责人、分管领导或承办科室负责人）身份登录本机账号。",
    )
}

/// Cases whose next approval step is the logged-in approver's role, in
/// their unit, most urgent first.
pub fn queue(state: &AppState) -> Result<Vec<ApprovalItem>, CommandError> {
    let approver = state
        .with_inner(|inner| Ok(inner.approver.as_ref().map(|s| s.account.clone())))?
        .ok_or_else(no_approver)?;
    state.with_store(|s| {
        let mut out = Vec::new();
        for item in s.workbench_items(super::today())? {
            if item.state != CaseState::AwaitingApproval {
                continue;
            }
            if let Some(unit) = &approver.unit_id {
                if unit.as_str() != item.unit_id {
                    continue;
                }
            }
            let case = s.case(&item.assignment_id)?;
            let Some(step) = case.approval_chain.get(case.approvals.len()) else {
                continue;
            };
            if step.role != approver.role {
                continue;
            }
            let Some(rev) = s.current_draft(&item.assignment_id)? else {
                continue;
            };
            out.push(ApprovalItem {
                step_title: step.title.clone(),
                revision: RevisionView {
                    number: rev.number,
                    hash: rev.hash.0,
                    author: rev.author.0,
                    saved_at: rev.saved_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                    restored_from: None,
                },
                row: crate::dto::AssignmentRow::from(item),
            });
        }
        Ok(out)
    })
}

/// Approves (签发) or returns the exact revision the approver read. The
/// password is asked again for every decision: it unlocks the signing key
/// and a wrong one counts toward the lockout.
pub fn decide(state: &AppState, input: &DecideInput) -> Result<Vec<DecisionView>, CommandError> {
    let user = state
        .with_inner(|inner| Ok(inner.approver.as_ref().map(|s| s.account.user_id.clone())))?
        .ok_or_else(no_approver)?;
    if !input.approve && input.comment.trim().is_empty() {
        return Err(CommandError::new(
            "workflow.empty_text",
            "退回修改时请填写审核意见，说明需要修改的地方。",
        ));
    }
    let now = super::now();
    state.with_store(|s| {
        let session = s.login(user.as_str(), &input.password, now)?;
        s.decide(
            &input.assignment_id,
            &session,
            if input.approve {
                Decision::Approve
            } else {
                Decision::Return
            },
            &RevisionHash(input.revision_hash.clone()),
            input.comment.trim(),
            now,
        )?;
        Ok(())
    })?;
    history(state, &input.assignment_id)
}

/// Every signed decision on the case, newest first.
pub fn history(state: &AppState, id: &str) -> Result<Vec<DecisionView>, CommandError> {
    state.with_store(|s| {
        Ok(s.decision_history(id)?
            .iter()
            .rev()
            .map(DecisionView::from)
            .collect())
    })
}

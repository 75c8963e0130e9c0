//! 不审核不答复: no reply leaves without a complete sign-off record.
//!
//! The domain's `Submit` already requires the `SignedOff` state; the server
//! checks the record itself once more before it accepts a submission, through
//! this seam. Issue 6 adds verification of the signed PDF's signature as
//! another implementation.

use jianban_domain::{Case, ReplyContent, RevisionHash};

/// The revision the server holds as the case's current draft.
pub struct SubmittedRevision<'a> {
    pub number: u32,
    pub hash: &'a RevisionHash,
    pub content: &'a ReplyContent,
}

pub trait SignOffVerifier: Send + Sync {
    /// `Ok` when `case` may go out with `revision`; otherwise a message that
    /// says what is missing.
    fn verify(&self, case: &Case, revision: Option<&SubmittedRevision<'_>>) -> Result<(), String>;
}

/// Checks that every step of the unit's approval chain approved exactly the
/// revision the server holds, in order, and that the revision's text is the
/// one its hash names.
pub struct ApprovalChainVerifier;

impl SignOffVerifier for ApprovalChainVerifier {
    fn verify(&self, case: &Case, revision: Option<&SubmittedRevision<'_>>) -> Result<(), String> {
        let Some(rev) = revision else {
            return Err("服务器上没有该答复的稿件，请先同步稿件后再报送。".into());
        };
        if rev.content.content_hash() != *rev.hash {
            return Err(format!(
                "第{}版稿件的内容与校验值不符，请重新保存稿件并重新审核。",
                rev.number
            ));
        }
        if case.draft.as_ref().map(|d| &d.hash) != Some(rev.hash) {
            return Err("审核签发的稿件不是服务器上的最新稿件，请同步后重新审核。".into());
        }
        if case.approval_chain.is_empty() || case.approvals.len() != case.approval_chain.len() {
            return Err(
                "审核签发记录不完整，须经全部审核步骤签发后才能报送（不审核不答复）。".into(),
            );
        }
        for (i, (a, step)) in case.approvals.iter().zip(&case.approval_chain).enumerate() {
            if a.step != i || a.role != step.role || a.revision != *rev.hash {
                return Err(format!(
                    "第{}步“{}”的审核记录与稿件不符，请重新审核签发。",
                    i + 1,
                    step.title
                ));
            }
        }
        Ok(())
    }
}

//! 不审核不答复: no reply leaves without a complete sign-off record.
//!
//! The domain's `Submit` already requires the `SignedOff` state; the server
//! checks the record itself once more before it accepts a submission, through
//! this seam: the approvals in the case, and the signed decisions behind
//! them, verified against the keys registered with the server.

use jianban_domain::{Case, ReplyContent, RevisionHash};
use jianban_signoff::{verify_sign_off, KeyRegistry, SignedDecision};

/// The revision the server holds as the case's current draft, and the
/// signed approvals it received for it.
pub struct SubmittedRevision<'a> {
    pub number: u32,
    pub hash: &'a RevisionHash,
    pub content: &'a ReplyContent,
    pub decisions: &'a [SignedDecision],
}

pub trait SignOffVerifier: Send + Sync {
    /// `Ok` when `case` may go out with `revision`; otherwise a message that
    /// says what is missing.
    fn verify(
        &self,
        case: &Case,
        revision: Option<&SubmittedRevision<'_>>,
        keys: &dyn KeyRegistry,
    ) -> Result<(), String>;
}

/// Checks that every step of the unit's approval chain approved exactly the
/// revision the server holds, in order, each with a valid signature under a
/// registered key, and that the revision's text is the one its hash names.
pub struct ApprovalChainVerifier;

impl SignOffVerifier for ApprovalChainVerifier {
    fn verify(
        &self,
        case: &Case,
        revision: Option<&SubmittedRevision<'_>>,
        keys: &dyn KeyRegistry,
    ) -> Result<(), String> {
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
        verify_sign_off(
            &case.approval_chain,
            &case.assignment,
            rev.hash,
            rev.decisions,
            keys,
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use jianban_domain::workflow::default_approval_chain;
    use jianban_domain::*;

    fn actor(role: UserRole) -> Actor {
        Actor {
            user: UserId::new(format!("{role:?}")),
            name: "测试".into(),
            role,
            unit: Some(UnitId::new("fgw")),
        }
    }

    /// A split case taken to 已签发 by the real rules.
    fn signed_off(content: &ReplyContent) -> Case {
        let cal = WorkingCalendar::national();
        let policy = DeadlinePolicy::default();
        let on = NaiveDate::from_ymd_opt(2024, 3, 28).unwrap();
        let a = Assignment {
            id: AssignmentId::new("a"),
            suggestion_id: SuggestionId::new("s"),
            unit_id: UnitId::new("fgw"),
            role: HandlingRole::Split,
            assigned_on: on,
        };
        let mut case =
            Case::new(&a, false, &policy, &cal, default_approval_chain(), vec![]).unwrap();
        let (liaison, head) = (actor(UserRole::Liaison), actor(UserRole::Head));
        let now = on.and_hms_opt(10, 0, 0).unwrap();
        let ctx = |a| Context {
            actor: a,
            now,
            calendar: &cal,
            policy: &policy,
        };
        for (who, action) in [
            (&liaison, Action::Receive),
            (&liaison, Action::RecordContact),
            (
                &liaison,
                Action::EditDraft {
                    draft: DraftSummary::of(content),
                },
            ),
            (&liaison, Action::SubmitForApproval),
            (
                &head,
                Action::Approve {
                    revision: content.content_hash(),
                    comment: String::new(),
                },
            ),
        ] {
            case = case.apply(&action, &ctx(who)).unwrap();
        }
        assert_eq!(case.state, CaseState::SignedOff);
        case
    }

    /// The head's signed approval of `content` and the registry that knows
    /// the head's key.
    fn signed_approval(
        content: &ReplyContent,
    ) -> (
        Vec<SignedDecision>,
        std::collections::HashMap<UserId, Vec<String>>,
    ) {
        let (identity, key) = jianban_signoff::SigningIdentity::create("测试密码12345");
        let head = actor(UserRole::Head);
        let d = jianban_signoff::sign(
            jianban_signoff::DecisionRecord {
                assignment_id: AssignmentId::new("a"),
                revision: content.content_hash(),
                step: 0,
                step_title: "主要负责人审核签发".into(),
                signer: head.user.clone(),
                signer_name: head.name.clone(),
                role: UserRole::Head,
                decision: jianban_signoff::Decision::Approve,
                comment: String::new(),
                at: NaiveDate::from_ymd_opt(2024, 4, 1)
                    .unwrap()
                    .and_hms_opt(9, 0, 0)
                    .unwrap(),
                round: None,
            },
            &key,
        );
        let registry = std::collections::HashMap::from([(head.user, vec![identity.public_key])]);
        (vec![d], registry)
    }

    #[test]
    fn only_a_complete_signed_sign_off_of_the_held_revision_passes() {
        let content = ReplyContent {
            category: Some(ResultCategory::A),
            body: "正文".into(),
            contact_person: "李四".into(),
            contact_phone: "0557-1234567".into(),
            ..Default::default()
        };
        let case = signed_off(&content);
        let hash = content.content_hash();
        let (decisions, keys) = signed_approval(&content);
        let held = SubmittedRevision {
            number: 1,
            hash: &hash,
            content: &content,
            decisions: &decisions,
        };
        let v = ApprovalChainVerifier;
        assert!(v.verify(&case, Some(&held), &keys).is_ok());
        assert!(
            v.verify(&case, None, &keys).is_err(),
            "no revision on the server"
        );
        let unsigned = SubmittedRevision {
            decisions: &[],
            ..held
        };
        let err = v.verify(&case, Some(&unsigned), &keys).unwrap_err();
        assert!(err.contains("审核签发不完整"), "{err}");
        let unknown = std::collections::HashMap::new();
        let err = v.verify(&case, Some(&held), &unknown).unwrap_err();
        assert!(err.contains("未在平台登记"), "{err}");
        let mut forged = decisions.clone();
        forged[0].record.comment = "改过的意见".into();
        let err = v
            .verify(
                &case,
                Some(&SubmittedRevision {
                    decisions: &forged,
                    ..held
                }),
                &keys,
            )
            .unwrap_err();
        assert!(err.contains("签名无效"), "{err}");
        let other = ReplyContent {
            body: "改过的正文".into(),
            ..content.clone()
        };
        let tampered = SubmittedRevision {
            number: 1,
            hash: &hash,
            content: &other,
            decisions: &decisions,
        };
        assert!(
            v.verify(&case, Some(&tampered), &keys).is_err(),
            "text does not match its hash"
        );
        let mut unapproved = case.clone();
        unapproved.approvals.clear();
        assert!(
            v.verify(&unapproved, Some(&held), &keys).is_err(),
            "approvals missing"
        );
        let other_hash = other.content_hash();
        let newer = SubmittedRevision {
            number: 2,
            hash: &other_hash,
            content: &other,
            decisions: &decisions,
        };
        assert!(
            v.verify(&case, Some(&newer), &keys).is_err(),
            "approved an older revision"
        );
    }
}

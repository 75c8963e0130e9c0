//! The workflow rules the issue names, one scenario each.

use super::*;
use jianban_domain::workflow::{default_approval_chain, Missing};

fn drafting_case() -> (Case, NaiveDateTime) {
    let now = at(date("2024-04-01"));
    let c = new_case(
        HandlingRole::Lead,
        default_approval_chain(),
        vec![],
        date("2024-03-28"),
    );
    let c = apply(&c, Action::Receive, &liaison(), now).unwrap();
    (c, now)
}

#[test]
fn submission_for_approval_lists_everything_missing() {
    let (c, now) = drafting_case();
    let empty = ReplyContent::default();
    let c = apply(
        &c,
        Action::EditDraft {
            draft: DraftSummary::of(&empty),
        },
        &liaison(),
        now,
    )
    .unwrap();
    let err = apply(&c, Action::SubmitForApproval, &liaison(), now).unwrap_err();
    let WorkflowError::NotReady { missing, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        missing,
        &vec![
            Missing::Category,
            Missing::Body,
            Missing::ContactPerson,
            Missing::ContactPhone,
            Missing::DeputyContact
        ]
    );
    let msg = err.to_string();
    assert!(
        msg.contains("办理结果类别") && msg.contains("沟通联系"),
        "{msg}"
    );
    assert_eq!(err.code(), "workflow.not_ready");
    // The same list is available before trying.
    assert_eq!(&c.submission_blockers(now.date()), missing);
}

#[test]
fn a_template_prompt_left_in_the_body_stops_the_reply() {
    let (c, now) = drafting_case();
    let c = apply(&c, Action::RecordContact, &liaison(), now).unwrap();
    let mut reply = complete_reply(2);
    reply.body = format!("{}\n（一）【已采取的措施一】", reply.body);
    let c = apply(
        &c,
        Action::EditDraft {
            draft: DraftSummary::of(&reply),
        },
        &liaison(),
        now,
    )
    .unwrap();
    assert_eq!(
        c.submission_blockers(now.date()),
        vec![Missing::Placeholder]
    );
    assert!(apply(&c, Action::SubmitForApproval, &liaison(), now).is_err());
    // A lone bracket is ordinary text, and filling the prompt in clears it.
    reply.body = reply
        .body
        .replace("【已采取的措施一】", "新建养老服务站三处【注");
    let c = apply(
        &c,
        Action::EditDraft {
            draft: DraftSummary::of(&reply),
        },
        &liaison(),
        now,
    )
    .unwrap();
    assert!(c.submission_blockers(now.date()).is_empty());
}

#[test]
fn a_complete_reply_goes_through_to_conclusion() {
    let (c, now) = drafting_case();
    let reply = complete_reply(1);
    let c = apply(&c, Action::RecordContact, &liaison(), now).unwrap();
    let c = apply(
        &c,
        Action::EditDraft {
            draft: DraftSummary::of(&reply),
        },
        &liaison(),
        now,
    )
    .unwrap();
    let c = apply(&c, Action::SubmitForApproval, &liaison(), now).unwrap();
    assert_eq!(c.state, CaseState::AwaitingApproval);
    let c = apply(
        &c,
        Action::Approve {
            revision: reply.content_hash(),
            comment: "同意".into(),
        },
        &head(),
        now,
    )
    .unwrap();
    assert_eq!(c.state, CaseState::SignedOff);
    let c = apply(&c, Action::Submit, &liaison(), now).unwrap();
    assert_eq!(c.state, CaseState::Submitted);
    let c = apply(
        &c,
        Action::RecordEvaluation {
            evaluation: Evaluation::Satisfied,
        },
        &office(),
        now,
    )
    .unwrap();
    let c = apply(&c, Action::Conclude, &office(), now).unwrap();
    assert_eq!(c.state, CaseState::Concluded);
    c.check_invariants().unwrap();
    assert_eq!(c.version, 8);
}

fn signed_off_case() -> (Case, NaiveDateTime, ReplyContent) {
    let (c, now) = drafting_case();
    let reply = complete_reply(1);
    let c = apply(&c, Action::RecordContact, &liaison(), now).unwrap();
    let c = apply(
        &c,
        Action::EditDraft {
            draft: DraftSummary::of(&reply),
        },
        &liaison(),
        now,
    )
    .unwrap();
    let c = apply(&c, Action::SubmitForApproval, &liaison(), now).unwrap();
    let c = apply(
        &c,
        Action::Approve {
            revision: reply.content_hash(),
            comment: String::new(),
        },
        &head(),
        now,
    )
    .unwrap();
    (c, now, reply)
}

#[test]
fn an_edit_after_sign_off_voids_the_approval() {
    let (c, now, _) = signed_off_case();
    let edited = complete_reply(2);
    let c = apply(
        &c,
        Action::EditDraft {
            draft: DraftSummary::of(&edited),
        },
        &liaison(),
        now,
    )
    .unwrap();
    assert_eq!(c.state, CaseState::Drafting);
    assert!(c.approvals.is_empty());
    assert!(matches!(
        apply(&c, Action::Submit, &liaison(), now),
        Err(WorkflowError::NotAllowed { .. })
    ));
    // Saving the identical text again is not an edit.
    let (c, now, reply) = signed_off_case();
    let same = apply(
        &c,
        Action::EditDraft {
            draft: DraftSummary::of(&reply),
        },
        &liaison(),
        now,
    )
    .unwrap();
    assert_eq!(same.state, CaseState::SignedOff);
}

#[test]
fn only_a_head_signs_off_and_only_the_revision_shown() {
    let (c, now) = drafting_case();
    let reply = complete_reply(1);
    let c = apply(&c, Action::RecordContact, &liaison(), now).unwrap();
    let c = apply(
        &c,
        Action::EditDraft {
            draft: DraftSummary::of(&reply),
        },
        &liaison(),
        now,
    )
    .unwrap();
    let c = apply(&c, Action::SubmitForApproval, &liaison(), now).unwrap();
    let approve = Action::Approve {
        revision: reply.content_hash(),
        comment: String::new(),
    };
    let err = apply(&c, approve.clone(), &liaison(), now).unwrap_err();
    assert_eq!(err.code(), "workflow.wrong_approver");
    let err = apply(
        &c,
        approve.clone(),
        &actor(UserRole::DeputyHead, Some(OWN_UNIT)),
        now,
    )
    .unwrap_err();
    assert_eq!(err.code(), "workflow.wrong_approver");
    // A head of another unit cannot act on this unit's case.
    let err = apply(
        &c,
        approve.clone(),
        &actor(UserRole::Head, Some("wjw")),
        now,
    )
    .unwrap_err();
    assert_eq!(err.code(), "workflow.other_unit");
    // Office staff cannot sign a unit's reply.
    assert!(apply(&c, approve, &office(), now).is_err());
    let stale = Action::Approve {
        revision: complete_reply(9).content_hash(),
        comment: String::new(),
    };
    assert_eq!(
        apply(&c, stale, &head(), now).unwrap_err().code(),
        "workflow.stale_revision"
    );
    // A chain whose last step is not the head's is refused.
    let bad = vec![ApprovalStep {
        title: "分管领导".into(),
        role: UserRole::DeputyHead,
    }];
    assert!(jianban_domain::workflow::validate_chain(&bad).is_err());
    assert!(jianban_domain::workflow::validate_chain(&[]).is_err());
}

#[test]
fn a_longer_chain_approves_step_by_step() {
    let chain = vec![
        ApprovalStep {
            title: "分管领导审核".into(),
            role: UserRole::DeputyHead,
        },
        ApprovalStep {
            title: "主要负责人签发".into(),
            role: UserRole::Head,
        },
    ];
    let now = at(date("2024-04-01"));
    let c = new_case(HandlingRole::Split, chain, vec![], date("2024-03-28"));
    let reply = complete_reply(1);
    let c = apply(&c, Action::Receive, &liaison(), now).unwrap();
    let c = apply(&c, Action::RecordContact, &liaison(), now).unwrap();
    let c = apply(
        &c,
        Action::EditDraft {
            draft: DraftSummary::of(&reply),
        },
        &liaison(),
        now,
    )
    .unwrap();
    let c = apply(&c, Action::SubmitForApproval, &liaison(), now).unwrap();
    let approve = Action::Approve {
        revision: reply.content_hash(),
        comment: String::new(),
    };
    // The head cannot skip the deputy head's step.
    assert!(apply(&c, approve.clone(), &head(), now).is_err());
    let c = apply(
        &c,
        approve.clone(),
        &actor(UserRole::DeputyHead, Some(OWN_UNIT)),
        now,
    )
    .unwrap();
    assert_eq!(c.state, CaseState::AwaitingApproval);
    let c = apply(&c, approve, &head(), now).unwrap();
    assert_eq!(c.state, CaseState::SignedOff);
    c.check_invariants().unwrap();
}

#[test]
fn the_lead_waits_for_co_handlers_until_their_deadline() {
    let co = CoHandlerStatus {
        unit: UnitId::new("czj"),
        unit_name: "市财政局".into(),
        opinion_submitted: false,
        due: date("2024-04-28"),
    };
    let now = at(date("2024-04-10"));
    let c = new_case(
        HandlingRole::Lead,
        default_approval_chain(),
        vec![co],
        date("2024-03-28"),
    );
    let reply = complete_reply(1);
    let c = apply(&c, Action::Receive, &liaison(), now).unwrap();
    let c = apply(&c, Action::RecordContact, &liaison(), now).unwrap();
    let c = apply(
        &c,
        Action::EditDraft {
            draft: DraftSummary::of(&reply),
        },
        &liaison(),
        now,
    )
    .unwrap();
    let err = apply(&c, Action::SubmitForApproval, &liaison(), now).unwrap_err();
    assert!(err.to_string().contains("市财政局"), "{err}");
    // After the co-handler's deadline the lead may go ahead without it …
    let later = at(date("2024-04-29"));
    assert!(apply(&c, Action::SubmitForApproval, &liaison(), later).is_ok());
    // … and before it, once the opinion has arrived.
    let mut c2 = c.clone();
    assert!(c2.record_co_opinion(&UnitId::new("czj")));
    assert!(apply(&c2, Action::SubmitForApproval, &liaison(), now).is_ok());
}

#[test]
fn a_co_handlers_path_ends_when_its_opinion_is_sent() {
    let now = at(date("2024-04-01"));
    let c = new_case(
        HandlingRole::CoHandler,
        default_approval_chain(),
        vec![],
        date("2024-03-28"),
    );
    let opinion = ReplyContent {
        body: "会办意见正文".into(),
        contact_person: "王五".into(),
        contact_phone: "0557-7654321".into(),
        ..Default::default()
    };
    let c = apply(&c, Action::Receive, &liaison(), now).unwrap();
    // No category and no deputy contact needed for an opinion.
    let c = apply(
        &c,
        Action::EditDraft {
            draft: DraftSummary::of(&opinion),
        },
        &liaison(),
        now,
    )
    .unwrap();
    let c = apply(&c, Action::SubmitForApproval, &liaison(), now).unwrap();
    let c = apply(
        &c,
        Action::Approve {
            revision: opinion.content_hash(),
            comment: String::new(),
        },
        &head(),
        now,
    )
    .unwrap();
    let c = apply(&c, Action::Submit, &liaison(), now).unwrap();
    assert_eq!(c.state, CaseState::Concluded);
    c.check_invariants().unwrap();
}

#[test]
fn returns_and_dissatisfaction_reopen_without_old_approvals() {
    let (c, now, _) = signed_off_case();
    let c = apply(&c, Action::Submit, &liaison(), now).unwrap();
    let returned = apply(
        &c,
        Action::Return {
            reasons: "答复针对性不强".into(),
        },
        &office(),
        now,
    )
    .unwrap();
    assert_eq!(returned.state, CaseState::Returned);
    assert!(returned.approvals.is_empty());
    assert_eq!(returned.rehandling_due, Some(date("2024-05-06")));
    // Cannot go out again with the old approvals.
    assert!(apply(&returned, Action::Submit, &liaison(), now).is_err());
    // A reason is required.
    assert_eq!(
        apply(
            &c,
            Action::Return {
                reasons: " ".into()
            },
            &office(),
            now
        )
        .unwrap_err()
        .code(),
        "workflow.empty_text"
    );
    let dis = apply(
        &c,
        Action::RecordEvaluation {
            evaluation: Evaluation::Dissatisfied,
        },
        &office(),
        now,
    )
    .unwrap();
    assert_eq!(dis.state, CaseState::Returned);
    assert_eq!(dis.rehandling_round, 1);
    // A liaison cannot return or evaluate.
    assert_eq!(
        apply(
            &c,
            Action::Return {
                reasons: "x".into()
            },
            &liaison(),
            now
        )
        .unwrap_err()
        .code(),
        "workflow.office_only"
    );
}

#[test]
fn adjustment_window_and_extensions() {
    let c = new_case(
        HandlingRole::Lead,
        default_approval_chain(),
        vec![],
        date("2024-03-28"),
    );
    let c = apply(&c, Action::Receive, &liaison(), at(date("2024-03-29"))).unwrap();
    let req = Action::RequestAdjustment {
        request: AdjustmentRequest {
            reason: "不属于本单位职责".into(),
            suggested_unit: None,
        },
    };
    // The window ends 2024-04-07 (10 days, an adjusted working Sunday).
    let err = apply(&c, req.clone(), &liaison(), at(date("2024-04-08"))).unwrap_err();
    assert_eq!(err.code(), "workflow.adjustment_window_closed");
    let asked = apply(&c, req, &liaison(), at(date("2024-04-07"))).unwrap();
    let refused = apply(
        &asked,
        Action::DecideAdjustment {
            approved: false,
            comment: "属于你单位职责".into(),
        },
        &office(),
        at(date("2024-04-08")),
    )
    .unwrap();
    assert_eq!(refused.state, CaseState::Received);

    let ext = |until: &str| Action::GrantExtension {
        until: date(until),
        reason: "需跨年度实施".into(),
    };
    assert_eq!(
        apply(&c, ext("2024-06-01"), &office(), at(date("2024-05-01")))
            .unwrap_err()
            .code(),
        "workflow.invalid_extension"
    );
    assert!(apply(&c, ext("2024-10-01"), &office(), at(date("2024-05-01"))).is_err());
    let extended = apply(&c, ext("2024-08-30"), &office(), at(date("2024-05-01"))).unwrap();
    assert_eq!(extended.current_deadline(), Some(date("2024-08-30")));
}

#[test]
fn a_unit_applies_for_an_extension_and_only_the_office_decides() {
    let c = new_case(
        HandlingRole::Lead,
        default_approval_chain(),
        vec![],
        date("2024-03-28"),
    );
    let ask = |until: &str| Action::RequestExtension {
        until: date(until),
        reason: "需协调跨年度专项资金".into(),
    };
    // Not before receipt.
    assert_eq!(
        apply(&c, ask("2024-08-30"), &liaison(), at(date("2024-04-01")))
            .unwrap_err()
            .code(),
        "workflow.not_allowed"
    );
    let c = apply(&c, Action::Receive, &liaison(), at(date("2024-03-29"))).unwrap();
    let due = c.current_deadline();
    // Beyond the limit, or not later than the current deadline: refused.
    assert!(apply(&c, ask("2024-10-01"), &liaison(), at(date("2024-05-01"))).is_err());
    assert!(apply(&c, ask("2024-06-01"), &liaison(), at(date("2024-05-01"))).is_err());
    let asked = apply(&c, ask("2024-08-30"), &liaison(), at(date("2024-05-06"))).unwrap();
    // Asking does not move the deadline; a second request waits for the first.
    assert_eq!(asked.current_deadline(), due);
    assert_eq!(
        asked.pending_extension.as_ref().unwrap().requested_on,
        date("2024-05-06")
    );
    let again = apply(
        &asked,
        ask("2024-08-29"),
        &liaison(),
        at(date("2024-05-07")),
    )
    .unwrap_err();
    assert!(
        again.to_string().contains("请等待市政府办公室审批"),
        "{again}"
    );
    // A unit cannot grant itself the time.
    let self_grant = Action::GrantExtension {
        until: date("2024-08-30"),
        reason: "自批".into(),
    };
    assert_eq!(
        apply(&asked, self_grant, &liaison(), at(date("2024-05-07")))
            .unwrap_err()
            .code(),
        "workflow.office_only"
    );
    // Declined: the request is gone and the deadline stays.
    let decline = Action::DeclineExtension {
        comment: "请按期答复".into(),
    };
    let declined = apply(&asked, decline.clone(), &office(), at(date("2024-05-08"))).unwrap();
    assert!(declined.pending_extension.is_none());
    assert_eq!(declined.current_deadline(), due);
    assert!(apply(&declined, decline, &office(), at(date("2024-05-08"))).is_err());
    // Granted: the new deadline counts and the request is settled.
    let granted = apply(
        &asked,
        Action::GrantExtension {
            until: date("2024-08-30"),
            reason: "同意延期".into(),
        },
        &office(),
        at(date("2024-05-08")),
    )
    .unwrap();
    assert!(granted.pending_extension.is_none());
    assert_eq!(granted.current_deadline(), Some(date("2024-08-30")));
}

#[test]
fn every_error_has_a_code_and_a_chinese_message() {
    let c = new_case(
        HandlingRole::Lead,
        default_approval_chain(),
        vec![],
        date("2024-03-28"),
    );
    let err = apply(&c, Action::Submit, &liaison(), at(date("2024-04-01"))).unwrap_err();
    assert_eq!(err.code(), "workflow.not_allowed");
    assert_eq!(err.to_string(), "当前状态为“待签收”，不能报送答复。");
}

#[test]
fn a_new_unit_chain_reaches_only_cases_outside_approval() {
    let longer = vec![
        ApprovalStep {
            title: "分管领导审核".into(),
            role: UserRole::DeputyHead,
        },
        ApprovalStep {
            title: "主要负责人审核签发".into(),
            role: UserRole::Head,
        },
    ];
    let (drafting, now) = drafting_case();
    let next = drafting
        .with_approval_chain(&longer)
        .unwrap()
        .expect("a case being drafted takes the new chain");
    assert_eq!(next.approval_chain, longer);
    assert_eq!(next.version, drafting.version + 1);
    next.check_invariants().unwrap();
    assert!(
        next.with_approval_chain(&longer).unwrap().is_none(),
        "same chain: nothing to change"
    );

    // In approval or signed off: the round keeps the chain it started with.
    let (signed, _, _) = signed_off_case();
    assert!(signed.with_approval_chain(&longer).unwrap().is_none());
    let c = apply(&drafting, Action::RecordContact, &liaison(), now).unwrap();
    let c = apply(
        &c,
        Action::EditDraft {
            draft: DraftSummary::of(&complete_reply(2)),
        },
        &liaison(),
        now,
    )
    .unwrap();
    let in_approval = apply(&c, Action::SubmitForApproval, &liaison(), now).unwrap();
    assert!(in_approval.with_approval_chain(&longer).unwrap().is_none());

    // A chain that does not end with the head is refused.
    let err = drafting.with_approval_chain(&longer[..1]).unwrap_err();
    assert_eq!(err.code(), "workflow.invalid_chain");
}

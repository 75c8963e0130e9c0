//! Property tests: random action sequences by random people never reach an
//! invalid state, and from every reachable state the case can still be
//! brought to 已办结 (except once the office has moved it to another unit).

use super::*;
use jianban_domain::workflow::Missing;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Receive,
    RequestAdjustment,
    DecideAdjustment(bool),
    RecordContact,
    EditDraft(u8),
    SubmitForApproval,
    Approve { stale: bool },
    ReturnToDrafter,
    Submit,
    Return,
    Evaluate(u8),
    Conclude,
    Reopen,
    Extend(u16),
    AskExtension(u16),
    DeclineExtension,
    Urge,
    CoOpinionArrives(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Receive),
        Just(Op::RequestAdjustment),
        any::<bool>().prop_map(Op::DecideAdjustment),
        Just(Op::RecordContact),
        any::<u8>().prop_map(Op::EditDraft),
        Just(Op::SubmitForApproval),
        any::<bool>().prop_map(|stale| Op::Approve { stale }),
        Just(Op::ReturnToDrafter),
        Just(Op::Submit),
        Just(Op::Return),
        (0u8..3).prop_map(Op::Evaluate),
        Just(Op::Conclude),
        Just(Op::Reopen),
        (1u16..300).prop_map(Op::Extend),
        (1u16..300).prop_map(Op::AskExtension),
        Just(Op::DeclineExtension),
        Just(Op::Urge),
        (0u8..3).prop_map(Op::CoOpinionArrives),
    ]
}

fn people() -> Vec<Actor> {
    vec![
        liaison(),
        actor(UserRole::CaseHandler, Some(OWN_UNIT)),
        actor(UserRole::DeputyHead, Some(OWN_UNIT)),
        head(),
        actor(UserRole::Head, Some("wjw")),
        actor(UserRole::Liaison, Some("wjw")),
        office(),
    ]
}

/// Drafts of every quality: complete, or missing one field.
fn draft(seed: u8) -> ReplyContent {
    let mut r = complete_reply(seed as u32);
    match seed % 6 {
        0 => r.category = None,
        1 => r.body = "  ".into(),
        2 => r.contact_phone.clear(),
        3 => r.contact_person.clear(),
        _ => {}
    }
    r
}

fn action_for(op: &Op, case: &Case, today: NaiveDate) -> Option<Action> {
    Some(match op {
        Op::Receive => Action::Receive,
        Op::RequestAdjustment => Action::RequestAdjustment {
            request: AdjustmentRequest {
                reason: "不属于本单位职责".into(),
                suggested_unit: None,
            },
        },
        Op::DecideAdjustment(ok) => Action::DecideAdjustment {
            approved: *ok,
            comment: "意见".into(),
        },
        Op::RecordContact => Action::RecordContact,
        Op::EditDraft(seed) => Action::EditDraft {
            draft: DraftSummary::of(&draft(*seed)),
        },
        Op::SubmitForApproval => Action::SubmitForApproval,
        Op::Approve { stale } => Action::Approve {
            revision: if *stale {
                complete_reply(999).content_hash()
            } else {
                case.draft.as_ref().map(|d| d.hash.clone())?
            },
            comment: String::new(),
        },
        Op::ReturnToDrafter => Action::ReturnToDrafter {
            comment: "请补充数据".into(),
        },
        Op::Submit => Action::Submit,
        Op::Return => Action::Return {
            reasons: "答复敷衍".into(),
        },
        Op::Evaluate(e) => Action::RecordEvaluation {
            evaluation: [
                Evaluation::Satisfied,
                Evaluation::BasicallySatisfied,
                Evaluation::Dissatisfied,
            ][*e as usize],
        },
        Op::Conclude => Action::Conclude,
        Op::Reopen => Action::Reopen {
            reason: "代表再次反映".into(),
        },
        Op::Extend(days) => Action::GrantExtension {
            until: today + chrono::Days::new(*days as u64),
            reason: "需跨年度实施".into(),
        },
        Op::AskExtension(days) => Action::RequestExtension {
            until: today + chrono::Days::new(*days as u64),
            reason: "需协调专项资金".into(),
        },
        Op::DeclineExtension => Action::DeclineExtension {
            comment: "请按期答复".into(),
        },
        Op::Urge => Action::Urge {
            message: "请加快办理".into(),
        },
        Op::CoOpinionArrives(_) => return None,
    })
}

fn scenario() -> impl Strategy<Value = (HandlingRole, usize, usize, Vec<(Op, usize, u8)>)> {
    (
        prop_oneof![
            Just(HandlingRole::Lead),
            Just(HandlingRole::CoHandler),
            Just(HandlingRole::Split)
        ],
        1usize..=3,
        0usize..=2,
        prop::collection::vec((op(), 0usize..7, 0u8..6), 1..60),
    )
}

fn chain(len: usize) -> Vec<ApprovalStep> {
    let mut steps = vec![
        ApprovalStep {
            title: "承办科室负责人".into(),
            role: UserRole::CaseHandler,
        },
        ApprovalStep {
            title: "分管领导".into(),
            role: UserRole::DeputyHead,
        },
        ApprovalStep {
            title: "主要负责人".into(),
            role: UserRole::Head,
        },
    ];
    steps.drain(..3 - len);
    steps
}

fn co_handlers(n: usize, assigned: NaiveDate) -> Vec<jianban_domain::workflow::CoHandlerStatus> {
    (0..n)
        .map(|i| jianban_domain::workflow::CoHandlerStatus {
            unit: UnitId::new(format!("co{i}")),
            unit_name: format!("协办单位{i}"),
            opinion_submitted: false,
            due: assigned + chrono::Days::new(30 + 5 * i as u64),
        })
        .collect()
}

/// Takes the happy path from wherever the case is; returns the state reached.
fn drive_to_conclusion(mut case: Case, mut today: NaiveDate) -> Result<Case, String> {
    for _ in 0..40 {
        let step_actor = |role: UserRole| actor(role, Some(OWN_UNIT));
        let (action, who) = match case.state {
            CaseState::Concluded | CaseState::Transferred => return Ok(case),
            CaseState::AwaitingReceipt => (Action::Receive, liaison()),
            CaseState::AdjustmentRequested => (
                Action::DecideAdjustment {
                    approved: false,
                    comment: "属于你单位职责".into(),
                },
                office(),
            ),
            CaseState::Received | CaseState::Drafting | CaseState::Returned => {
                let blockers = case.submission_blockers(today);
                match blockers.first() {
                    None => (Action::SubmitForApproval, liaison()),
                    Some(Missing::DeputyContact) => (Action::RecordContact, liaison()),
                    Some(Missing::CoHandlerOpinion { due, .. }) => {
                        // Waiting is a path too: after the deadline the lead goes ahead.
                        today = *due + chrono::Days::new(1);
                        continue;
                    }
                    Some(_) => (
                        Action::EditDraft {
                            draft: DraftSummary::of(&complete_reply(7000 + case.version as u32)),
                        },
                        liaison(),
                    ),
                }
            }
            CaseState::AwaitingApproval => {
                let role = case.approval_chain[case.approvals.len()].role;
                let revision = case.draft.as_ref().unwrap().hash.clone();
                (
                    Action::Approve {
                        revision,
                        comment: String::new(),
                    },
                    step_actor(role),
                )
            }
            CaseState::SignedOff => {
                if let Some(c) = case
                    .co_handlers
                    .iter()
                    .find(|c| !c.opinion_submitted && today <= c.due)
                {
                    today = c.due + chrono::Days::new(1);
                    continue;
                }
                (Action::Submit, liaison())
            }
            CaseState::Submitted => (
                Action::RecordEvaluation {
                    evaluation: Evaluation::Satisfied,
                },
                office(),
            ),
            CaseState::Evaluated => (Action::Conclude, office()),
        };
        case = apply(&case, action.clone(), &who, at(today))
            .map_err(|e| format!("{:?} in {:?}: {e}", action.code(), case.state))?;
        case.check_invariants()?;
    }
    Err(format!(
        "no conclusion within 40 steps, stuck in {:?}",
        case.state
    ))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn no_sequence_of_actions_reaches_an_invalid_state(
        (role, chain_len, n_co, ops) in scenario()
    ) {
        let assigned = date("2024-12-20");
        let mut case = new_case(role, chain(chain_len), co_handlers(n_co, assigned), assigned);
        let mut today = assigned;
        let people = people();
        for (op, who, days) in ops {
            today = today + chrono::Days::new(days as u64);
            if let Op::CoOpinionArrives(i) = op {
                case.record_co_opinion(&UnitId::new(format!("co{i}")));
                continue;
            }
            let Some(action) = action_for(&op, &case, today) else { continue };
            let before = case.clone();
            match apply(&case, action.clone(), &people[who], at(today)) {
                Ok(next) => {
                    prop_assert!(next.check_invariants().is_ok(),
                        "{:?} by {:?} from {:?} broke: {:?}", action.code(), people[who].role, before.state, next.check_invariants());
                    let no_op = matches!(action, Action::EditDraft { ref draft } if before.draft.as_ref() == Some(draft));
                    prop_assert_eq!(next.version, before.version + u64::from(!no_op));
                    if people[who].role == UserRole::OfficeStaff {
                        prop_assert!(action.is_office_action());
                    } else {
                        prop_assert_eq!(people[who].unit.as_ref().map(|u| u.as_str()), Some(OWN_UNIT));
                    }
                    if next.state == CaseState::SignedOff {
                        // Only the unit's head completes a sign-off.
                        prop_assert_eq!(next.approvals.last().unwrap().role, UserRole::Head);
                    }
                    case = next;
                }
                Err(e) => {
                    prop_assert!(!e.to_string().is_empty());
                    prop_assert!(e.code().starts_with("workflow."));
                }
            }
            // From every reachable state a path to 已办结 exists.
            let end = drive_to_conclusion(case.clone(), today);
            prop_assert!(end.is_ok(), "from {:?}: {:?}", case.state, end.err());
            let end = end.unwrap();
            prop_assert!(end.state == CaseState::Concluded || case.state == CaseState::Transferred,
                "ended in {:?}", end.state);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    /// `allowed_actions` says what `apply` says: in every reachable state,
    /// for every person, a kind is offered exactly when `apply` accepts its
    /// probe, and any request `apply` accepts was of an offered kind.
    #[test]
    fn allowed_actions_agree_with_apply(
        (role, chain_len, n_co, ops) in scenario()
    ) {
        let assigned = date("2024-12-20");
        let mut case = new_case(role, chain(chain_len), co_handlers(n_co, assigned), assigned);
        let mut today = assigned;
        let people = people();
        let cal = WorkingCalendar::national();
        let policy = DeadlinePolicy::default();
        for (op, who, days) in ops {
            today = today + chrono::Days::new(days as u64);
            for person in &people {
                let ctx = Context { actor: person, now: at(today), calendar: &cal, policy: &policy };
                let allowed = allowed_actions(&case, &ctx);
                for kind in ActionKind::ALL {
                    let accepted = kind
                        .probe(&case)
                        .is_some_and(|p| case.apply(&p, &ctx).is_ok());
                    prop_assert_eq!(allowed.is_offered(kind), accepted,
                        "{:?} for {:?} in {:?}", kind, person.role, case.state);
                    if let Availability::Blocked { missing } = allowed.get(kind) {
                        prop_assert!(!missing.is_empty(), "{:?} blocked by nothing", kind);
                    }
                }
            }
            if let Op::CoOpinionArrives(i) = op {
                case.record_co_opinion(&UnitId::new(format!("co{i}")));
                continue;
            }
            let Some(action) = action_for(&op, &case, today) else { continue };
            let ctx = Context { actor: &people[who], now: at(today), calendar: &cal, policy: &policy };
            if let Ok(next) = case.apply(&action, &ctx) {
                let kind = ActionKind::of(&action);
                prop_assert!(allowed_actions(&case, &ctx).is_offered(kind),
                    "{:?} by {:?} in {:?} was accepted but not offered", kind, people[who].role, case.state);
                case = next;
            }
        }
    }
}

#[test]
fn submission_in_received_is_blocked_by_the_missing_draft() {
    let assigned = date("2024-12-20");
    let case = new_case(HandlingRole::Lead, chain(1), Vec::new(), assigned);
    let case = apply(&case, Action::Receive, &liaison(), at(assigned)).unwrap();
    assert_eq!(case.state, CaseState::Received);
    let cal = WorkingCalendar::national();
    let policy = DeadlinePolicy::default();
    let who = liaison();
    let ctx = Context {
        actor: &who,
        now: at(assigned),
        calendar: &cal,
        policy: &policy,
    };
    // `apply` refuses it in this state; the desktop still shows the button
    // with what is missing, the draft first.
    assert!(case.apply(&Action::SubmitForApproval, &ctx).is_err());
    match allowed_actions(&case, &ctx).get(ActionKind::SubmitForApproval) {
        Availability::Blocked { missing } => assert_eq!(missing.first(), Some(&Missing::Draft)),
        other => panic!("{other:?}"),
    }
}

//! What a user may start on a case now: the buttons the desktop and the
//! office console show, decided by [`Case::apply`] itself.
//!
//! Each action is probed: [`ActionKind::probe`] builds a representative
//! valid request of that kind (non-empty texts, the earliest extension date
//! the rules accept, the current draft's hash), and the answer of `apply`
//! classifies it. Nothing here repeats a state guard, so what is shown
//! cannot drift from what the rules (and the server, which runs the same
//! rules) accept.

use chrono::Days;
use serde::{Deserialize, Serialize};

use crate::model::*;
use crate::workflow::{Action, Case, Context, DraftSummary, Missing, WorkflowError};

/// The kinds of [`Action`] a person can start, one per variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// 签收.
    Receive,
    /// 申请调整.
    RequestAdjustment,
    /// 申请延期.
    RequestExtension,
    /// 登记沟通联系.
    RecordContact,
    /// 修改稿件.
    EditDraft,
    /// 报送审核.
    SubmitForApproval,
    /// 审核通过 (the approver of the current step).
    Approve,
    /// 退回修改 (the approver of the current step).
    ReturnToDrafter,
    /// 报送.
    Submit,
    /// 退回重办 (office).
    Return,
    /// 登记代表评价 (office).
    RecordEvaluation,
    /// 办结 (office).
    Conclude,
    /// 重新启动办理 (office).
    Reopen,
    /// 批准延期 (office).
    GrantExtension,
    /// 不同意延期 (office).
    DeclineExtension,
    /// 审批调整申请 (office).
    DecideAdjustment,
    /// 催办 (office).
    Urge,
}

impl ActionKind {
    pub const ALL: [ActionKind; 17] = [
        Self::Receive,
        Self::RequestAdjustment,
        Self::RequestExtension,
        Self::RecordContact,
        Self::EditDraft,
        Self::SubmitForApproval,
        Self::Approve,
        Self::ReturnToDrafter,
        Self::Submit,
        Self::Return,
        Self::RecordEvaluation,
        Self::Conclude,
        Self::Reopen,
        Self::GrantExtension,
        Self::DeclineExtension,
        Self::DecideAdjustment,
        Self::Urge,
    ];

    /// The kind of `action`.
    pub fn of(action: &Action) -> ActionKind {
        match action {
            Action::Receive => Self::Receive,
            Action::RequestAdjustment { .. } => Self::RequestAdjustment,
            Action::DecideAdjustment { .. } => Self::DecideAdjustment,
            Action::RecordContact => Self::RecordContact,
            Action::EditDraft { .. } => Self::EditDraft,
            Action::SubmitForApproval => Self::SubmitForApproval,
            Action::Approve { .. } => Self::Approve,
            Action::ReturnToDrafter { .. } => Self::ReturnToDrafter,
            Action::Submit => Self::Submit,
            Action::Return { .. } => Self::Return,
            Action::RecordEvaluation { .. } => Self::RecordEvaluation,
            Action::Conclude => Self::Conclude,
            Action::Reopen { .. } => Self::Reopen,
            Action::RequestExtension { .. } => Self::RequestExtension,
            Action::GrantExtension { .. } => Self::GrantExtension,
            Action::DeclineExtension { .. } => Self::DeclineExtension,
            Action::Urge { .. } => Self::Urge,
        }
    }

    /// A valid request of this kind on `case`, as a person who
    /// filled the form in would send it; `None` when no request of this
    /// kind can be written (approving a case without a draft).
    ///
    /// The texts only need to be non-empty; the extension date is the
    /// earliest the rules accept (the day after the current reply
    /// deadline), so when the probe is refused no later date would pass.
    pub fn probe(&self, case: &Case) -> Option<Action> {
        let text = |s: &str| s.to_string();
        let next_day = case.reply_due().checked_add_days(Days::new(1))?;
        Some(match self {
            Self::Receive => Action::Receive,
            Self::RequestAdjustment => Action::RequestAdjustment {
                request: AdjustmentRequest {
                    reason: text("不属于本单位职责"),
                    suggested_unit: None,
                },
            },
            Self::RequestExtension => Action::RequestExtension {
                until: next_day,
                reason: text("需要更多时间"),
            },
            Self::RecordContact => Action::RecordContact,
            // Saving the current text again is accepted wherever an edit
            // is; an empty form stands in when nothing is drafted yet.
            Self::EditDraft => Action::EditDraft {
                draft: case
                    .draft
                    .clone()
                    .unwrap_or_else(|| DraftSummary::of(&ReplyContent::default())),
            },
            Self::SubmitForApproval => Action::SubmitForApproval,
            Self::Approve => Action::Approve {
                revision: case.draft.as_ref()?.hash.clone(),
                comment: String::new(),
            },
            Self::ReturnToDrafter => Action::ReturnToDrafter {
                comment: text("请修改"),
            },
            Self::Submit => Action::Submit,
            Self::Return => Action::Return {
                reasons: text("请重新办理"),
            },
            Self::RecordEvaluation => Action::RecordEvaluation {
                evaluation: Evaluation::Satisfied,
            },
            Self::Conclude => Action::Conclude,
            Self::Reopen => Action::Reopen {
                reason: text("代表再次反映"),
            },
            Self::GrantExtension => Action::GrantExtension {
                until: next_day,
                reason: text("需要更多时间"),
            },
            Self::DeclineExtension => Action::DeclineExtension {
                comment: text("请按期答复"),
            },
            Self::DecideAdjustment => Action::DecideAdjustment {
                approved: true,
                comment: text("同意"),
            },
            Self::Urge => Action::Urge {
                message: text("请加快办理"),
            },
        })
    }
}

/// Whether one action can be started now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Availability {
    /// The rules accept it now.
    Offered,
    /// Shown, with what is still missing before the rules accept it.
    Blocked { missing: Vec<Missing> },
    /// Not for this person in this state.
    Hidden,
}

/// Every [`ActionKind`] with its [`Availability`], in [`ActionKind::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedActions(pub Vec<(ActionKind, Availability)>);

impl AllowedActions {
    pub fn get(&self, kind: ActionKind) -> &Availability {
        &self
            .0
            .iter()
            .find(|(k, _)| *k == kind)
            .expect("every kind is classified")
            .1
    }

    pub fn is_offered(&self, kind: ActionKind) -> bool {
        *self.get(kind) == Availability::Offered
    }

    pub fn is_hidden(&self, kind: ActionKind) -> bool {
        *self.get(kind) == Availability::Hidden
    }

    /// The kinds offered now.
    pub fn offered(&self) -> impl Iterator<Item = ActionKind> + '_ {
        self.0
            .iter()
            .filter(|(_, a)| *a == Availability::Offered)
            .map(|(k, _)| *k)
    }
}

/// What `ctx.actor` may start on `case` at `ctx.now`: offered exactly when
/// [`Case::apply`] accepts the kind's [`ActionKind::probe`].
pub fn allowed_actions(case: &Case, ctx: &Context<'_>) -> AllowedActions {
    AllowedActions(
        ActionKind::ALL
            .iter()
            .map(|k| (*k, availability(case, *k, ctx)))
            .collect(),
    )
}

fn availability(case: &Case, kind: ActionKind, ctx: &Context<'_>) -> Availability {
    let Some(action) = kind.probe(case) else {
        return Availability::Hidden;
    };
    match case.apply(&action, ctx) {
        Ok(_) => Availability::Offered,
        Err(WorkflowError::NotReady { missing, .. }) => Availability::Blocked { missing },
        Err(WorkflowError::NotAllowed { .. }) if kind == ActionKind::SubmitForApproval => {
            waiting_for_a_draft(case, ctx)
        }
        Err(_) => Availability::Hidden,
    }
}

/// 报送审核 before anything is drafted: the liaison sees the button with
/// what is missing (the draft first) when writing a draft is the way to it,
/// i.e. when the rules accept an edit and then refuse the submission only
/// for what is missing.
fn waiting_for_a_draft(case: &Case, ctx: &Context<'_>) -> Availability {
    if case.draft.is_some() {
        return Availability::Hidden;
    }
    let Some(edit) = ActionKind::EditDraft.probe(case) else {
        return Availability::Hidden;
    };
    let Ok(drafted) = case.apply(&edit, ctx) else {
        return Availability::Hidden;
    };
    match drafted.apply(&Action::SubmitForApproval, ctx) {
        Err(WorkflowError::NotReady { .. }) => Availability::Blocked {
            missing: case.submission_blockers(ctx.now.date()),
        },
        _ => Availability::Hidden,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::WorkingCalendar;
    use crate::deadline::DeadlinePolicy;
    use crate::workflow::{default_approval_chain, CaseState};
    use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(d: NaiveDate) -> NaiveDateTime {
        NaiveDateTime::new(d, NaiveTime::from_hms_opt(10, 0, 0).unwrap())
    }

    fn person(role: UserRole, unit: Option<&str>) -> Actor {
        Actor {
            user: UserId::new(format!("{role:?}")),
            name: role.label_zh().into(),
            role,
            unit: unit.map(UnitId::new),
        }
    }

    struct World {
        cal: WorkingCalendar,
        policy: DeadlinePolicy,
        liaison: Actor,
        head: Actor,
        office: Actor,
    }

    impl World {
        fn new() -> World {
            World {
                cal: WorkingCalendar::national(),
                policy: DeadlinePolicy::default(),
                liaison: person(UserRole::Liaison, Some("fgw")),
                head: person(UserRole::Head, Some("fgw")),
                office: person(UserRole::OfficeStaff, None),
            }
        }
        fn ctx<'a>(&'a self, who: &'a Actor, on: NaiveDate) -> Context<'a> {
            Context {
                actor: who,
                now: at(on),
                calendar: &self.cal,
                policy: &self.policy,
            }
        }
        fn case(&self) -> Case {
            let a = Assignment {
                id: AssignmentId::new("a039-fgw"),
                suggestion_id: SuggestionId::new("s039"),
                unit_id: UnitId::new("fgw"),
                role: HandlingRole::Lead,
                assigned_on: day("2024-03-28"),
            };
            Case::new(
                &a,
                false,
                &self.policy,
                &self.cal,
                default_approval_chain(),
                Vec::new(),
            )
            .unwrap()
        }
        fn run(&self, case: &Case, action: Action, who: &Actor, on: NaiveDate) -> Case {
            case.apply(&action, &self.ctx(who, on)).unwrap()
        }
    }

    fn offered(a: &AllowedActions) -> Vec<ActionKind> {
        a.offered().collect()
    }

    #[test]
    fn a_new_case_offers_receipt_to_the_unit_and_office_supervision() {
        let w = World::new();
        let case = w.case();
        let on = day("2024-03-29");
        let unit = allowed_actions(&case, &w.ctx(&w.liaison, on));
        assert_eq!(offered(&unit), [ActionKind::Receive]);
        assert!(unit.is_hidden(ActionKind::SubmitForApproval));
        let office = allowed_actions(&case, &w.ctx(&w.office, on));
        assert_eq!(
            offered(&office),
            [ActionKind::GrantExtension, ActionKind::Urge]
        );
        assert!(office.is_hidden(ActionKind::Receive));
    }

    #[test]
    fn received_shows_submission_blocked_by_the_missing_draft() {
        let w = World::new();
        let on = day("2024-03-29");
        let case = w.run(&w.case(), Action::Receive, &w.liaison, on);
        assert_eq!(case.state, CaseState::Received);
        let unit = allowed_actions(&case, &w.ctx(&w.liaison, on));
        match unit.get(ActionKind::SubmitForApproval) {
            Availability::Blocked { missing } => {
                assert_eq!(missing[0], Missing::Draft);
                assert!(missing.contains(&Missing::DeputyContact));
            }
            other => panic!("报送审核 in 已签收: {other:?}"),
        }
        for k in [
            ActionKind::RequestAdjustment,
            ActionKind::RequestExtension,
            ActionKind::RecordContact,
            ActionKind::EditDraft,
        ] {
            assert!(unit.is_offered(k), "{k:?}");
        }
        assert!(unit.is_hidden(ActionKind::Submit));
        // The office sees no submission button at all.
        let office = allowed_actions(&case, &w.ctx(&w.office, on));
        assert!(office.is_hidden(ActionKind::SubmitForApproval));
    }

    #[test]
    fn approval_is_offered_only_to_the_step_s_approver() {
        let w = World::new();
        let on = day("2024-04-10");
        let mut case = w.run(&w.case(), Action::Receive, &w.liaison, on);
        case = w.run(&case, Action::RecordContact, &w.liaison, on);
        let content = ReplyContent {
            category: Some(ResultCategory::A),
            body: "答复正文".into(),
            contact_person: "李四".into(),
            contact_phone: "0557-1234567".into(),
            ..Default::default()
        };
        case = w.run(
            &case,
            Action::EditDraft {
                draft: DraftSummary::of(&content),
            },
            &w.liaison,
            on,
        );
        assert!(allowed_actions(&case, &w.ctx(&w.liaison, on))
            .is_offered(ActionKind::SubmitForApproval));
        case = w.run(&case, Action::SubmitForApproval, &w.liaison, on);
        let liaison = allowed_actions(&case, &w.ctx(&w.liaison, on));
        assert!(liaison.is_hidden(ActionKind::Approve));
        assert!(liaison.is_hidden(ActionKind::ReturnToDrafter));
        let head = allowed_actions(&case, &w.ctx(&w.head, on));
        assert!(head.is_offered(ActionKind::Approve));
        assert!(head.is_offered(ActionKind::ReturnToDrafter));
    }

    #[test]
    fn a_pending_extension_request_hides_another_and_offers_the_office_s_answer() {
        let w = World::new();
        let on = day("2024-04-01");
        let case = w.run(&w.case(), Action::Receive, &w.liaison, on);
        let ask = ActionKind::RequestExtension.probe(&case).unwrap();
        let case = w.run(&case, ask, &w.liaison, on);
        let unit = allowed_actions(&case, &w.ctx(&w.liaison, on));
        assert!(unit.is_hidden(ActionKind::RequestExtension));
        let office = allowed_actions(&case, &w.ctx(&w.office, on));
        assert!(office.is_offered(ActionKind::DeclineExtension));
        assert!(office.is_offered(ActionKind::GrantExtension));
    }

    #[test]
    fn kinds_and_probes_name_the_same_action() {
        let w = World::new();
        let on = day("2024-04-01");
        let mut case = w.run(&w.case(), Action::Receive, &w.liaison, on);
        case.draft = Some(DraftSummary::of(&ReplyContent::default()));
        for k in ActionKind::ALL {
            let probe = k.probe(&case).unwrap();
            assert_eq!(ActionKind::of(&probe), k);
            assert_eq!(serde_json::to_value(k).unwrap(), probe.code());
        }
    }
}

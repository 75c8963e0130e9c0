//! The workflow of one assignment as a state machine.
//!
//! ```text
//! 待签收 ─签收→ 已签收 ─起草→ 起草中 ─报送审核→ 待审核 ─签发→ 已签发 ─报送→ 已答复 ─评价→ 已评价 ─办结→ 已办结
//!            │                ↑   ↑            │                          │        │不满意
//!            └申请调整→ 调整申请中 │   └───退回修改──┘                          └退回→ 退回重办 ←┘
//!                 └同意→ 已调整     └──────────── 修改 ─────────────────────────────────┘
//! ```
//!
//! A co-handler's path ends when its signed-off opinion is sent to the lead
//! unit (已签发 ─报送→ 已办结). [`Case::apply`] is a pure function: it checks
//! the action's preconditions and returns the next case, or a typed error that
//! says what is missing. Client and server run the same function, so they
//! cannot disagree about what a transition means.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingCalendar;
use crate::deadline::{DeadlinePolicy, Deadlines, WarningLevel};
use crate::model::*;

/// Where an assignment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// 待签收.
    AwaitingReceipt,
    /// 已签收, nothing drafted yet.
    Received,
    /// 调整申请中: the unit asked the office to give the case to another unit.
    AdjustmentRequested,
    /// 起草中.
    Drafting,
    /// 待审核: waiting for the approval chain.
    AwaitingApproval,
    /// 已签发: every step approved this exact revision.
    SignedOff,
    /// 已答复: submitted to the office and the deputy.
    Submitted,
    /// 退回重办: returned by the office, or the deputy was dissatisfied.
    Returned,
    /// 已评价: the deputy is (basically) satisfied.
    Evaluated,
    /// 已办结.
    Concluded,
    /// 已调整: the office moved the case to another unit; nothing more to do here.
    Transferred,
}

impl CaseState {
    pub const ALL: [CaseState; 11] = [
        Self::AwaitingReceipt,
        Self::Received,
        Self::AdjustmentRequested,
        Self::Drafting,
        Self::AwaitingApproval,
        Self::SignedOff,
        Self::Submitted,
        Self::Returned,
        Self::Evaluated,
        Self::Concluded,
        Self::Transferred,
    ];

    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::AwaitingReceipt => "待签收",
            Self::Received => "已签收",
            Self::AdjustmentRequested => "调整申请中",
            Self::Drafting => "起草中",
            Self::AwaitingApproval => "待审核",
            Self::SignedOff => "已签发",
            Self::Submitted => "已答复",
            Self::Returned => "退回重办",
            Self::Evaluated => "已评价",
            Self::Concluded => "已办结",
            Self::Transferred => "已调整",
        }
    }

    /// Stable code (the serde name), used in the database and the wire.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AwaitingReceipt => "awaiting_receipt",
            Self::Received => "received",
            Self::AdjustmentRequested => "adjustment_requested",
            Self::Drafting => "drafting",
            Self::AwaitingApproval => "awaiting_approval",
            Self::SignedOff => "signed_off",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Evaluated => "evaluated",
            Self::Concluded => "concluded",
            Self::Transferred => "transferred",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// No further action by anyone is expected.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Concluded | Self::Transferred)
    }

    /// The unit's reply (or opinion) text may still be changed.
    pub fn draft_editable(&self) -> bool {
        matches!(
            self,
            Self::Received
                | Self::Drafting
                | Self::Returned
                | Self::AwaitingApproval
                | Self::SignedOff
        )
    }
}

/// What the rules need to know about the current draft revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftSummary {
    pub hash: RevisionHash,
    pub category: Option<ResultCategory>,
    pub has_body: bool,
    pub has_contact_person: bool,
    pub has_contact_phone: bool,
    /// The body still holds a template's 【…】 prompt. Absent in drafts
    /// saved before the rule, hence the default.
    #[serde(default)]
    pub has_placeholder: bool,
}

/// Whether `text` still holds a template prompt: 【 followed later by 】.
fn has_template_prompt(text: &str) -> bool {
    text.find('【')
        .is_some_and(|open| text[open..].contains('】'))
}

impl DraftSummary {
    pub fn of(content: &ReplyContent) -> Self {
        Self {
            hash: content.content_hash(),
            category: content.category,
            has_body: !content.body.trim().is_empty(),
            has_contact_person: !content.contact_person.trim().is_empty(),
            has_contact_phone: !content.contact_phone.trim().is_empty(),
            has_placeholder: has_template_prompt(&content.body),
        }
    }
}

/// A co-handling unit's progress, as the lead unit sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoHandlerStatus {
    pub unit: UnitId,
    pub unit_name: String,
    pub opinion_submitted: bool,
    pub due: NaiveDate,
}

/// Everything the workflow rules decide on for one assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub assignment: AssignmentId,
    pub unit: UnitId,
    pub role: HandlingRole,
    pub state: CaseState,
    pub deadlines: Deadlines,
    pub contact_count: u32,
    pub draft: Option<DraftSummary>,
    pub approval_chain: Vec<ApprovalStep>,
    /// Approvals of the current draft revision, in chain order.
    pub approvals: Vec<Approval>,
    /// The revision that went out (while submitted or evaluated).
    pub submitted_revision: Option<RevisionHash>,
    /// For a lead unit: its co-handlers.
    pub co_handlers: Vec<CoHandlerStatus>,
    pub extension: Option<Extension>,
    /// A unit's 延期申请 waiting for the office. Absent in cases stored
    /// before units could apply, hence the default.
    #[serde(default)]
    pub pending_extension: Option<PendingExtension>,
    pub evaluation: Option<Evaluation>,
    /// How many times the case was sent back (退回 or 不满意).
    pub rehandling_round: u32,
    pub rehandling_due: Option<NaiveDate>,
    /// How many times the reply went to approval (报送审核). A signed
    /// decision names the round it was given in, so an approval from
    /// before a return never counts for a later submission, even of the
    /// same text. Cases stored before rounds were counted read as 0.
    #[serde(default)]
    pub approval_round: u32,
    /// Increases by one with every applied action; sync compares it.
    pub version: u64,
}

/// An action someone takes on an assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Action {
    /// 签收.
    Receive,
    /// 申请调整.
    RequestAdjustment { request: AdjustmentRequest },
    /// The office decides an adjustment request.
    DecideAdjustment { approved: bool, comment: String },
    /// 沟通联系 recorded (the record itself is stored beside the case).
    RecordContact,
    /// A new draft revision was saved.
    EditDraft { draft: DraftSummary },
    /// 报送审核.
    SubmitForApproval,
    /// One step of the approval chain approves this exact revision.
    Approve {
        revision: RevisionHash,
        #[serde(default)]
        comment: String,
    },
    /// An approver sends the draft back with a comment.
    ReturnToDrafter { comment: String },
    /// 报送 the signed-off reply (or opinion).
    Submit,
    /// The office returns the reply for re-handling.
    Return { reasons: String },
    /// The office records the deputy's evaluation.
    RecordEvaluation { evaluation: Evaluation },
    /// 办结.
    Conclude,
    /// The office reopens a concluded case.
    Reopen { reason: String },
    /// 申请延期: the unit asks for a later reply deadline.
    RequestExtension { until: NaiveDate, reason: String },
    /// 延期 granted by the office (on request or on its own).
    GrantExtension { until: NaiveDate, reason: String },
    /// The office declines a unit's 延期申请.
    DeclineExtension { comment: String },
    /// 催办: recorded, no change of state.
    Urge { message: String },
}

impl Action {
    /// Stable code for the audit log and the wire.
    pub fn code(&self) -> &'static str {
        match self {
            Action::Receive => "receive",
            Action::RequestAdjustment { .. } => "request_adjustment",
            Action::DecideAdjustment { .. } => "decide_adjustment",
            Action::RecordContact => "record_contact",
            Action::EditDraft { .. } => "edit_draft",
            Action::SubmitForApproval => "submit_for_approval",
            Action::Approve { .. } => "approve",
            Action::ReturnToDrafter { .. } => "return_to_drafter",
            Action::Submit => "submit",
            Action::Return { .. } => "return",
            Action::RecordEvaluation { .. } => "record_evaluation",
            Action::Conclude => "conclude",
            Action::Reopen { .. } => "reopen",
            Action::RequestExtension { .. } => "request_extension",
            Action::GrantExtension { .. } => "grant_extension",
            Action::DeclineExtension { .. } => "decline_extension",
            Action::Urge { .. } => "urge",
        }
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            Action::Receive => "签收",
            Action::RequestAdjustment { .. } => "申请调整",
            Action::DecideAdjustment { .. } => "审批调整申请",
            Action::RecordContact => "登记沟通联系",
            Action::EditDraft { .. } => "修改稿件",
            Action::SubmitForApproval => "报送审核",
            Action::Approve { .. } => "审核通过",
            Action::ReturnToDrafter { .. } => "退回修改",
            Action::Submit => "报送答复",
            Action::Return { .. } => "退回重办",
            Action::RecordEvaluation { .. } => "登记代表评价",
            Action::Conclude => "办结",
            Action::Reopen { .. } => "重新启动办理",
            Action::RequestExtension { .. } => "申请延期",
            Action::GrantExtension { .. } => "批准延期",
            Action::DeclineExtension { .. } => "不同意延期",
            Action::Urge { .. } => "催办",
        }
    }

    /// The words a person wrote with the action (a reason, a comment, a
    /// message), or the evaluation recorded; `None` when there are none.
    pub fn remark(&self) -> Option<&str> {
        let words = match self {
            Action::RequestAdjustment { request } => request.reason.as_str(),
            Action::DecideAdjustment { comment, .. }
            | Action::Approve { comment, .. }
            | Action::ReturnToDrafter { comment }
            | Action::DeclineExtension { comment } => comment,
            Action::Return { reasons } => reasons,
            Action::Reopen { reason }
            | Action::RequestExtension { reason, .. }
            | Action::GrantExtension { reason, .. } => reason,
            Action::Urge { message } => message,
            Action::RecordEvaluation { evaluation } => evaluation.label_zh(),
            Action::Receive
            | Action::RecordContact
            | Action::EditDraft { .. }
            | Action::SubmitForApproval
            | Action::Submit
            | Action::Conclude => "",
        };
        (!words.trim().is_empty()).then_some(words)
    }

    /// Actions only the office may take.
    pub fn is_office_action(&self) -> bool {
        matches!(
            self,
            Action::DecideAdjustment { .. }
                | Action::Return { .. }
                | Action::RecordEvaluation { .. }
                | Action::Conclude
                | Action::Reopen { .. }
                | Action::GrantExtension { .. }
                | Action::DeclineExtension { .. }
                | Action::Urge { .. }
        )
    }
}

/// Something that must be done before a reply can go to approval or out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Missing {
    Draft,
    Category,
    Body,
    /// The body still holds a template's 【…】 prompt.
    Placeholder,
    ContactPerson,
    ContactPhone,
    DeputyContact,
    CoHandlerOpinion {
        unit_name: String,
        due: NaiveDate,
    },
}

impl Missing {
    pub fn message_zh(&self) -> String {
        match self {
            Missing::Draft => "尚未起草答复稿".into(),
            Missing::Category => "请选择办理结果类别（A/B/C/D）".into(),
            Missing::Body => "答复正文为空，请填写正文".into(),
            Missing::Placeholder => "正文中仍有【】内的模板提示，请替换为实际内容".into(),
            Missing::ContactPerson => "请填写联系人".into(),
            Missing::ContactPhone => "请填写联系电话".into(),
            Missing::DeputyContact => "尚无与代表的沟通联系记录，请先登记至少一次沟通联系".into(),
            Missing::CoHandlerOpinion { unit_name, due } => format!(
                "协办单位{unit_name}的会办意见尚未送达（期限{}），请催收或待期限届满后再报送",
                due.format("%Y年%-m月%-d日")
            ),
        }
    }
}

fn join_missing(items: &[Missing]) -> String {
    items
        .iter()
        .map(Missing::message_zh)
        .collect::<Vec<_>>()
        .join("；")
}

/// Why an action was refused. Every message says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("当前状态为“{}”，不能{action}。", state.label_zh())]
    NotAllowed {
        action: &'static str,
        state: CaseState,
    },
    #[error("只有市政府办公室工作人员可以{action}。")]
    OfficeOnly { action: &'static str },
    #[error("只有本案件的承办单位人员可以{action}。")]
    OtherUnit { action: &'static str },
    #[error("此步骤需由{}审核，您的身份是{}。", needed.label_zh(), actual.label_zh())]
    WrongApprover { needed: UserRole, actual: UserRole },
    #[error("尚不能{action}：{}。", join_missing(.missing))]
    NotReady {
        action: &'static str,
        missing: Vec<Missing>,
    },
    #[error("您审核的稿件已被修改，审核意见不能用于新稿件。请打开最新稿件重新审核。")]
    StaleRevision {
        approved: RevisionHash,
        current: RevisionHash,
    },
    #[error("申请调整的期限已于{}届满，如确需调整请直接联系市政府办公室。", .deadline.format("%Y年%-m月%-d日"))]
    AdjustmentWindowClosed { deadline: NaiveDate },
    #[error("延期日期有误：{reason}")]
    InvalidExtension { reason: String },
    #[error("请填写{field}。")]
    EmptyText { field: &'static str },
    #[error("审核流程设置有误：{reason}")]
    InvalidChain { reason: String },
}

impl WorkflowError {
    /// Stable code for the boundary error; the UI never matches on messages.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAllowed { .. } => "workflow.not_allowed",
            Self::OfficeOnly { .. } => "workflow.office_only",
            Self::OtherUnit { .. } => "workflow.other_unit",
            Self::WrongApprover { .. } => "workflow.wrong_approver",
            Self::NotReady { .. } => "workflow.not_ready",
            Self::StaleRevision { .. } => "workflow.stale_revision",
            Self::AdjustmentWindowClosed { .. } => "workflow.adjustment_window_closed",
            Self::InvalidExtension { .. } => "workflow.invalid_extension",
            Self::EmptyText { .. } => "workflow.empty_text",
            Self::InvalidChain { .. } => "workflow.invalid_chain",
        }
    }
}

/// What the rules need besides the case: who acts, when, and the settings.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub actor: &'a Actor,
    pub now: NaiveDateTime,
    pub calendar: &'a WorkingCalendar,
    pub policy: &'a DeadlinePolicy,
}

impl Context<'_> {
    fn today(&self) -> NaiveDate {
        self.now.date()
    }
}

/// The default chain: the principal head signs off alone. Units configure
/// longer chains (承办科室负责人 → 分管领导 → 主要负责人).
pub fn default_approval_chain() -> Vec<ApprovalStep> {
    vec![ApprovalStep {
        title: "主要负责人审核签发".into(),
        role: UserRole::Head,
    }]
}

/// A chain is valid when it is not empty and its last step is the head's:
/// only a head may sign off (不审核不答复).
pub fn validate_chain(chain: &[ApprovalStep]) -> Result<(), WorkflowError> {
    match chain.last() {
        None => Err(WorkflowError::InvalidChain {
            reason: "至少需要一个审核步骤，请在设置中添加“主要负责人审核签发”。".into(),
        }),
        Some(last) if last.role != UserRole::Head => Err(WorkflowError::InvalidChain {
            reason: "最后一步必须由主要负责人签发，请调整审核流程。".into(),
        }),
        Some(_) if chain.iter().any(|s| s.role == UserRole::OfficeStaff) => {
            Err(WorkflowError::InvalidChain {
                reason: "审核步骤不能由办公室工作人员担任，请选择本单位的领导岗位。".into(),
            })
        }
        Some(_) => Ok(()),
    }
}

impl Case {
    /// A newly assigned case, waiting for receipt.
    pub fn new(
        assignment: &Assignment,
        urgent: bool,
        policy: &DeadlinePolicy,
        calendar: &WorkingCalendar,
        approval_chain: Vec<ApprovalStep>,
        co_handlers: Vec<CoHandlerStatus>,
    ) -> Result<Self, WorkflowError> {
        validate_chain(&approval_chain)?;
        Ok(Self {
            assignment: assignment.id.clone(),
            unit: assignment.unit_id.clone(),
            role: assignment.role,
            state: CaseState::AwaitingReceipt,
            deadlines: policy.deadlines(assignment.assigned_on, assignment.role, urgent, calendar),
            contact_count: 0,
            draft: None,
            approval_chain,
            approvals: Vec::new(),
            submitted_revision: None,
            co_handlers: if assignment.role == HandlingRole::Lead {
                co_handlers
            } else {
                Vec::new()
            },
            extension: None,
            pending_extension: None,
            evaluation: None,
            rehandling_round: 0,
            approval_round: 0,
            rehandling_due: None,
            version: 0,
        })
    }

    /// The deadline the unit is working against now, if any.
    /// Whether a change of the unit's approval chain reaches this case: only
    /// while no round of approval is under way and the reply has not gone
    /// out. A case in approval keeps the chain its approvers are signing
    /// under; a finished case keeps the chain that signed it.
    pub fn takes_new_chain(&self) -> bool {
        matches!(
            self.state,
            CaseState::AwaitingReceipt
                | CaseState::Received
                | CaseState::AdjustmentRequested
                | CaseState::Drafting
                | CaseState::Returned
        )
    }

    /// The case under the unit's new approval chain (see
    /// [`Case::takes_new_chain`]); `None` when the case keeps its chain.
    pub fn with_approval_chain(
        &self,
        chain: &[ApprovalStep],
    ) -> Result<Option<Case>, WorkflowError> {
        validate_chain(chain)?;
        if !self.takes_new_chain() || self.approval_chain == chain {
            return Ok(None);
        }
        let mut next = self.clone();
        next.approval_chain = chain.to_vec();
        next.approvals.clear();
        next.version += 1;
        Ok(Some(next))
    }

    pub fn current_deadline(&self) -> Option<NaiveDate> {
        match self.state {
            CaseState::AwaitingReceipt => Some(self.deadlines.receipt),
            CaseState::Received
            | CaseState::AdjustmentRequested
            | CaseState::Drafting
            | CaseState::AwaitingApproval
            | CaseState::SignedOff
            | CaseState::Returned => Some(self.rehandling_due.unwrap_or_else(|| self.reply_due())),
            CaseState::Submitted
            | CaseState::Evaluated
            | CaseState::Concluded
            | CaseState::Transferred => None,
        }
    }

    /// The reply deadline, extended if the office granted it.
    pub fn reply_due(&self) -> NaiveDate {
        self.extension
            .as_ref()
            .map_or(self.deadlines.reply, |e| e.until)
    }

    pub fn warning(
        &self,
        today: NaiveDate,
        policy: &DeadlinePolicy,
        cal: &WorkingCalendar,
    ) -> WarningLevel {
        self.current_deadline()
            .map_or(WarningLevel::Normal, |d| policy.warning(today, d, cal))
    }

    /// What still stops the draft from going to approval, listed before the
    /// liaison tries (empty when it may go).
    pub fn submission_blockers(&self, today: NaiveDate) -> Vec<Missing> {
        let mut missing = Vec::new();
        match &self.draft {
            None => missing.push(Missing::Draft),
            Some(d) => {
                // A co-handler's opinion carries no result category.
                if self.role.replies_to_deputy() && d.category.is_none() {
                    missing.push(Missing::Category);
                }
                if !d.has_body {
                    missing.push(Missing::Body);
                }
                if d.has_placeholder {
                    missing.push(Missing::Placeholder);
                }
                if !d.has_contact_person {
                    missing.push(Missing::ContactPerson);
                }
                if !d.has_contact_phone {
                    missing.push(Missing::ContactPhone);
                }
            }
        }
        if self.role.replies_to_deputy() && self.contact_count == 0 {
            missing.push(Missing::DeputyContact);
        }
        missing.extend(self.co_opinions_pending(today));
        missing
    }

    /// Co-handlers whose opinion is missing while their deadline has not
    /// passed: the lead unit must wait for them (or for the deadline).
    fn co_opinions_pending(&self, today: NaiveDate) -> Vec<Missing> {
        self.co_handlers
            .iter()
            .filter(|c| !c.opinion_submitted && today <= c.due)
            .map(|c| Missing::CoHandlerOpinion {
                unit_name: c.unit_name.clone(),
                due: c.due,
            })
            .collect()
    }

    /// Marks a co-handler's opinion as received (it arrives from the
    /// co-handler's own case). Not an action: a fact the lead case learns.
    pub fn record_co_opinion(&mut self, unit: &UnitId) -> bool {
        match self.co_handlers.iter_mut().find(|c| &c.unit == unit) {
            Some(c) if !c.opinion_submitted => {
                c.opinion_submitted = true;
                true
            }
            _ => false,
        }
    }

    /// Applies `action`, returning the next case; `self` is unchanged.
    pub fn apply(&self, action: &Action, ctx: &Context<'_>) -> Result<Case, WorkflowError> {
        let label = action.label_zh();
        self.authorize(action, ctx.actor)?;
        let not_allowed = || WorkflowError::NotAllowed {
            action: label,
            state: self.state,
        };
        let today = ctx.today();
        let mut next = self.clone();
        use CaseState as S;
        match action {
            Action::Receive => {
                if self.state != S::AwaitingReceipt {
                    return Err(not_allowed());
                }
                next.state = S::Received;
            }
            Action::RequestAdjustment { request } => {
                if !matches!(self.state, S::Received | S::Drafting) {
                    return Err(not_allowed());
                }
                require_text(&request.reason, "申请调整的理由")?;
                if today > self.deadlines.adjustment {
                    return Err(WorkflowError::AdjustmentWindowClosed {
                        deadline: self.deadlines.adjustment,
                    });
                }
                next.state = S::AdjustmentRequested;
            }
            Action::DecideAdjustment { approved, comment } => {
                if self.state != S::AdjustmentRequested {
                    return Err(not_allowed());
                }
                if !approved {
                    require_text(comment, "不同意调整的理由")?;
                }
                next.state = match (approved, &self.draft) {
                    (true, _) => S::Transferred,
                    (false, Some(_)) => S::Drafting,
                    (false, None) => S::Received,
                };
            }
            Action::RecordContact => {
                if matches!(
                    self.state,
                    S::AwaitingReceipt | S::Transferred | S::AdjustmentRequested
                ) {
                    return Err(not_allowed());
                }
                next.contact_count += 1;
            }
            Action::EditDraft { draft } => {
                if !self.state.draft_editable() {
                    return Err(WorkflowError::NotAllowed {
                        action: label,
                        state: self.state,
                    });
                }
                if self.draft.as_ref().map(|d| &d.hash) == Some(&draft.hash) {
                    // Saving the same text again changes nothing and voids nothing.
                    return Ok(next);
                }
                next.draft = Some(draft.clone());
                // Any edit voids the approvals given so far: an approval binds
                // to one exact revision.
                next.approvals.clear();
                next.state = S::Drafting;
            }
            Action::SubmitForApproval => {
                if !matches!(self.state, S::Drafting | S::Returned) {
                    return Err(not_allowed());
                }
                let missing = self.submission_blockers(today);
                if !missing.is_empty() {
                    return Err(WorkflowError::NotReady {
                        action: label,
                        missing,
                    });
                }
                next.approvals.clear();
                next.approval_round += 1;
                next.state = S::AwaitingApproval;
            }
            Action::Approve { revision, comment } => {
                if self.state != S::AwaitingApproval {
                    return Err(not_allowed());
                }
                let step = self.approvals.len();
                let needed = self.approval_chain[step].role;
                if ctx.actor.role != needed {
                    return Err(WorkflowError::WrongApprover {
                        needed,
                        actual: ctx.actor.role,
                    });
                }
                let current = &self
                    .draft
                    .as_ref()
                    .expect("awaiting approval has a draft")
                    .hash;
                if revision != current {
                    return Err(WorkflowError::StaleRevision {
                        approved: revision.clone(),
                        current: current.clone(),
                    });
                }
                next.approvals.push(Approval {
                    revision: revision.clone(),
                    approver: ctx.actor.user.clone(),
                    approver_name: ctx.actor.name.clone(),
                    role: ctx.actor.role,
                    step,
                    at: ctx.now,
                    comment: comment.clone(),
                });
                if next.approvals.len() == self.approval_chain.len() {
                    next.state = S::SignedOff;
                }
            }
            Action::ReturnToDrafter { comment } => {
                if self.state != S::AwaitingApproval {
                    return Err(not_allowed());
                }
                let needed = self.approval_chain[self.approvals.len()].role;
                if ctx.actor.role != needed {
                    return Err(WorkflowError::WrongApprover {
                        needed,
                        actual: ctx.actor.role,
                    });
                }
                require_text(comment, "退回修改意见")?;
                next.approvals.clear();
                next.state = S::Drafting;
            }
            Action::Submit => {
                if self.state != S::SignedOff {
                    return Err(not_allowed());
                }
                let pending = self.co_opinions_pending(today);
                if !pending.is_empty() {
                    return Err(WorkflowError::NotReady {
                        action: label,
                        missing: pending,
                    });
                }
                next.submitted_revision = self.draft.as_ref().map(|d| d.hash.clone());
                // Once the reply is out, more time is no longer asked for.
                next.pending_extension = None;
                next.state = if self.role.replies_to_deputy() {
                    S::Submitted
                } else {
                    S::Concluded
                };
            }
            Action::Return { reasons } => {
                if !matches!(self.state, S::Submitted | S::Evaluated) {
                    return Err(not_allowed());
                }
                require_text(reasons, "退回理由")?;
                next.send_back(ctx);
            }
            Action::RecordEvaluation { evaluation } => {
                if self.state != S::Submitted {
                    return Err(not_allowed());
                }
                next.evaluation = Some(*evaluation);
                if evaluation.is_satisfied() {
                    next.state = S::Evaluated;
                } else {
                    next.send_back(ctx);
                }
            }
            Action::Conclude => {
                if self.state != S::Evaluated {
                    return Err(not_allowed());
                }
                next.state = S::Concluded;
            }
            Action::Reopen { reason } => {
                if self.state != S::Concluded {
                    return Err(not_allowed());
                }
                require_text(reason, "重新启动办理的理由")?;
                next.send_back(ctx);
            }
            Action::RequestExtension { until, reason } => {
                if !matches!(
                    self.state,
                    S::Received | S::Drafting | S::AwaitingApproval | S::SignedOff | S::Returned
                ) {
                    return Err(not_allowed());
                }
                if let Some(p) = &self.pending_extension {
                    return Err(WorkflowError::InvalidExtension {
                        reason: format!(
                            "已于{}申请延期至{}，请等待市政府办公室审批。",
                            p.requested_on.format("%Y年%-m月%-d日"),
                            p.until.format("%Y年%-m月%-d日")
                        ),
                    });
                }
                require_text(reason, "延期理由")?;
                self.check_extension_date(*until)?;
                next.pending_extension = Some(PendingExtension {
                    until: *until,
                    reason: reason.trim().to_owned(),
                    requested_on: today,
                });
            }
            Action::GrantExtension { until, reason } => {
                if matches!(
                    self.state,
                    S::Submitted | S::Evaluated | S::Concluded | S::Transferred
                ) {
                    return Err(not_allowed());
                }
                require_text(reason, "延期理由")?;
                self.check_extension_date(*until)?;
                next.extension = Some(Extension {
                    until: *until,
                    reason: reason.clone(),
                });
                next.pending_extension = None;
            }
            Action::DeclineExtension { comment } => {
                if self.pending_extension.is_none() {
                    return Err(WorkflowError::InvalidExtension {
                        reason: "该件没有待审批的延期申请。".into(),
                    });
                }
                require_text(comment, "不同意延期的理由")?;
                next.pending_extension = None;
            }
            Action::Urge { message } => {
                if self.state.is_terminal() {
                    return Err(not_allowed());
                }
                require_text(message, "催办内容")?;
            }
        }
        next.version += 1;
        Ok(next)
    }

    /// A new reply deadline must be later than the current one and within
    /// the limit counted from the assignment.
    fn check_extension_date(&self, until: NaiveDate) -> Result<(), WorkflowError> {
        if until <= self.reply_due() {
            return Err(WorkflowError::InvalidExtension {
                reason: format!(
                    "延期后的日期须晚于现办理期限{}。",
                    self.reply_due().format("%Y年%-m月%-d日")
                ),
            });
        }
        if until > self.deadlines.extension_limit {
            return Err(WorkflowError::InvalidExtension {
                reason: format!(
                    "延期最长至{}（自交办之日起不超过规定期限）。",
                    self.deadlines.extension_limit.format("%Y年%-m月%-d日")
                ),
            });
        }
        Ok(())
    }

    /// 退回重办: approvals are void, the old submission no longer counts, and
    /// the re-handling deadline starts today.
    fn send_back(&mut self, ctx: &Context<'_>) {
        self.state = CaseState::Returned;
        self.approvals.clear();
        self.submitted_revision = None;
        self.rehandling_round += 1;
        self.rehandling_due = Some(ctx.policy.rehandling.end(ctx.today(), ctx.calendar));
    }

    fn authorize(&self, action: &Action, actor: &Actor) -> Result<(), WorkflowError> {
        let label = action.label_zh();
        if action.is_office_action() {
            if actor.role != UserRole::OfficeStaff {
                return Err(WorkflowError::OfficeOnly { action: label });
            }
            return Ok(());
        }
        if actor.role == UserRole::OfficeStaff || actor.unit.as_ref() != Some(&self.unit) {
            return Err(WorkflowError::OtherUnit { action: label });
        }
        Ok(())
    }

    /// The rules that hold in every reachable state. Tests check them after
    /// every action; the store checks them before it trusts imported data.
    pub fn check_invariants(&self) -> Result<(), String> {
        use CaseState as S;
        validate_chain(&self.approval_chain).map_err(|e| e.to_string())?;
        let hash = self.draft.as_ref().map(|d| &d.hash);
        for (i, a) in self.approvals.iter().enumerate() {
            if Some(&a.revision) != hash {
                return Err(format!("approval {i} is for another revision"));
            }
            if a.step != i || a.role != self.approval_chain[i].role {
                return Err(format!("approval {i} is out of chain order"));
            }
        }
        let complete = self.approvals.len() == self.approval_chain.len();
        if self.pending_extension.is_some()
            && matches!(
                self.state,
                S::AwaitingReceipt | S::Submitted | S::Evaluated | S::Concluded
            )
        {
            return Err(format!("{:?} with a pending extension request", self.state));
        }
        match self.state {
            S::AwaitingReceipt | S::Received => {
                if self.draft.is_some() && self.state == S::AwaitingReceipt {
                    return Err("a draft before receipt".into());
                }
                if !self.approvals.is_empty() {
                    return Err("approvals before drafting".into());
                }
            }
            S::Drafting | S::Returned | S::AdjustmentRequested | S::Transferred => {
                if !self.approvals.is_empty() {
                    return Err(format!("{:?} with approvals", self.state));
                }
            }
            S::AwaitingApproval => {
                if self.draft.is_none() || complete {
                    return Err("awaiting approval without a draft, or already complete".into());
                }
            }
            S::SignedOff => {
                if !complete {
                    return Err("signed off without every approval".into());
                }
            }
            S::Submitted | S::Evaluated => {
                if !self.role.replies_to_deputy() {
                    return Err("a co-handler's opinion cannot be submitted to the deputy".into());
                }
                if !complete || self.submitted_revision.as_ref() != hash {
                    return Err("submitted revision is not the fully approved one".into());
                }
            }
            S::Concluded => {
                if self.role.replies_to_deputy() {
                    if !self.evaluation.is_some_and(|e| e.is_satisfied()) {
                        return Err("concluded without a satisfied evaluation".into());
                    }
                } else if self.submitted_revision.is_none() {
                    return Err("co-handler concluded without sending its opinion".into());
                }
                if !complete || self.submitted_revision.as_ref() != hash {
                    return Err("concluded with a reply that was not signed off".into());
                }
            }
        }
        if self.state == S::Evaluated && !self.evaluation.is_some_and(|e| e.is_satisfied()) {
            return Err("evaluated without a satisfied evaluation".into());
        }
        if self.role == HandlingRole::CoHandler && !self.co_handlers.is_empty() {
            return Err("a co-handler has co-handlers".into());
        }
        Ok(())
    }
}

fn require_text(text: &str, field: &'static str) -> Result<(), WorkflowError> {
    if text.trim().is_empty() {
        Err(WorkflowError::EmptyText { field })
    } else {
        Ok(())
    }
}

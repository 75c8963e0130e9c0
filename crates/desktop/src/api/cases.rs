//! 建议详情 and the liaison's actions on a case.

use jianban_casework::{Command, SAVE_DRAFT};
use jianban_domain::{
    allowed_actions, Action, ActionKind, Actor, AdjustmentRequest, AllowedActions, Availability,
    Case, CaseState, Context, HandlingRole, Missing,
};
use jianban_store::{AuditEntry, ContactInput, Store, StoreError, PULLED};

use crate::dto::{
    AssignmentRow, AvailableActions, CaseDetail, ContactInputView, ContactView, DeadlineView,
    DeputyView, OpinionView, PendingExtensionView, TimelineEvent, UnitView,
};
use crate::error::CommandError;
use crate::state::AppState;

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The row of one assignment, as the workbench shows it.
pub(crate) fn row_of(store: &Store, id: &str) -> Result<AssignmentRow, StoreError> {
    store
        .workbench_item(super::today(), id)
        .map(AssignmentRow::from)
}

/// Every deadline of the case. Only the one the unit works against now and
/// co-handlers' opinions still awaited carry a warning colour: a passed stage
/// is history, not an alarm.
pub(crate) fn deadlines(store: &Store, case: &Case) -> Vec<DeadlineView> {
    let today = super::today();
    let current = case.current_deadline();
    let view = |label: &str, d: chrono::NaiveDate, live: bool| {
        let w = if live {
            store.policy().warning(today, d, store.calendar())
        } else {
            jianban_domain::WarningLevel::Normal
        };
        DeadlineView {
            label: label.to_owned(),
            date: date(d),
            warning: w.into(),
            warning_label: if live { w.label_zh() } else { "—" }.to_owned(),
            current: current == Some(d),
        }
    };
    let mut out = vec![
        view(
            "签收期限",
            case.deadlines.receipt,
            current == Some(case.deadlines.receipt),
        ),
        view("申请调整期限", case.deadlines.adjustment, false),
        view(
            if case.role == HandlingRole::CoHandler {
                "会办意见期限"
            } else {
                "答复期限"
            },
            case.deadlines.reply,
            current == Some(case.deadlines.reply),
        ),
    ];
    if let Some(e) = &case.extension {
        out.push(view("延期至", e.until, current == Some(e.until)));
    }
    if case.role != HandlingRole::CoHandler {
        out.push(view("延期上限", case.deadlines.extension_limit, false));
    }
    if let Some(d) = case.rehandling_due {
        out.push(view("重办期限", d, current == Some(d)));
    }
    for co in &case.co_handlers {
        out.push(view(
            &format!("{}会办意见", co.unit_name),
            co.due,
            !co.opinion_submitted,
        ));
    }
    out
}

/// One audit line as the timeline shows it.
pub(crate) fn timeline_event(e: &AuditEntry) -> TimelineEvent {
    let (label, detail) = match e.action.as_str() {
        // A change pulled from the central server: the first one is the
        // assignment reaching this unit.
        PULLED if e.state_before.is_none() => ("收到交办".to_owned(), None),
        PULLED => ("中心端更新".to_owned(), None),
        SAVE_DRAFT => ("保存稿件".to_owned(), None),
        kind => match Command::decode(kind, &e.detail) {
            Ok(command) => (command.label().to_owned(), command.remark()),
            // A line this version cannot read: its code, rather than nothing.
            Err(_) => (kind.to_owned(), None),
        },
    };
    TimelineEvent {
        at: e.at.format("%Y-%m-%d %H:%M").to_string(),
        actor_name: e.actor_name.clone(),
        actor_role: e.actor_role.clone(),
        label,
        detail,
        state_after: e.state_after.map(|s| s.label_zh().to_owned()),
    }
}

/// What `actor` may start on `case` now: the rules' own answer
/// ([`allowed_actions`]), the same the server enforces.
pub(crate) fn allowed(store: &Store, case: &Case, actor: &Actor) -> AllowedActions {
    allowed_actions(
        case,
        &Context {
            actor,
            now: super::now(),
            calendar: store.calendar(),
            policy: store.policy(),
        },
    )
}

/// Why the draft cannot go to approval yet, in Chinese: what the rules
/// say is missing before 报送审核 (nothing when it is offered or not for
/// this person now).
pub(crate) fn blockers(allowed: &AllowedActions) -> Vec<String> {
    match allowed.get(ActionKind::SubmitForApproval) {
        Availability::Blocked { missing } => missing.iter().map(Missing::message_zh).collect(),
        Availability::Offered | Availability::Hidden => Vec::new(),
    }
}

pub fn detail(state: &AppState, id: &str) -> Result<CaseDetail, CommandError> {
    state.with_user(|s, actor| {
        let case = s.case(id)?;
        let allowed = allowed(s, &case, actor);
        let sug = s.suggestion_detail(id)?;
        let row = row_of(s, id)?;
        let units = sug
            .units
            .iter()
            .map(|u| UnitView {
                assignment_id: u.assignment_id.clone(),
                unit_name: u.unit_name.clone(),
                role: u.role.into(),
                role_label: u.role.label_zh().to_owned(),
                state: u.state.into(),
                state_label: u.state.label_zh().to_owned(),
                opinion_submitted: case
                    .co_handlers
                    .iter()
                    .find(|c| c.unit == u.unit_id)
                    .map(|c| c.opinion_submitted),
            })
            .collect();
        let opinions = if case.role == HandlingRole::Lead {
            s.co_handling_opinions(id)?
                .into_iter()
                .map(|o| OpinionView {
                    unit_name: o.unit_name,
                    text: o.text,
                    submitted_at: o.submitted_at.map(|t| t.format("%Y-%m-%d").to_string()),
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(CaseDetail {
            session_name: sug.session_name,
            text: sug.text,
            is_urgent: sug.is_urgent,
            lead_deputy: DeputyView {
                name: sug.lead_deputy.name,
                delegation: sug.lead_deputy.delegation,
            },
            co_signers: sug
                .co_signers
                .into_iter()
                .map(|d| DeputyView {
                    name: d.name,
                    delegation: d.delegation,
                })
                .collect(),
            units,
            deadlines: deadlines(s, &case),
            contacts: s.contacts(id)?.into_iter().map(ContactView::from).collect(),
            timeline: s.audit_log(id)?.iter().rev().map(timeline_event).collect(),
            opinions,
            blockers: blockers(&allowed),
            actions: AvailableActions {
                receive: allowed.is_offered(ActionKind::Receive),
                request_adjustment: allowed.is_offered(ActionKind::RequestAdjustment),
                request_extension: allowed.is_offered(ActionKind::RequestExtension),
                record_contact: allowed.is_offered(ActionKind::RecordContact),
                edit_draft: allowed.is_offered(ActionKind::EditDraft),
                // Shown while something is still missing, disabled with
                // the blockers listed above it.
                submit_for_approval: !allowed.is_hidden(ActionKind::SubmitForApproval),
                submit: allowed.is_offered(ActionKind::Submit),
                // Not a change of the case: the letter can be exported
                // once signed off, and again after it went out.
                export: case.state == CaseState::SignedOff
                    || (case.submitted_revision.is_some()
                        && matches!(case.state, CaseState::Submitted | CaseState::Evaluated)),
            },
            approval_chain: case
                .approval_chain
                .iter()
                .map(|s| s.title.clone())
                .collect(),
            rehandling_round: case.rehandling_round,
            pending_extension: case
                .pending_extension
                .as_ref()
                .map(|p| PendingExtensionView {
                    until: p.until.to_string(),
                    reason: p.reason.clone(),
                    requested_on: p.requested_on.to_string(),
                }),
            row,
        })
    })
}

fn act(state: &AppState, id: &str, action: Action) -> Result<CaseDetail, CommandError> {
    state.with_user(|s, actor| s.apply(id, &action, actor, super::now()))?;
    detail(state, id)
}

/// 签收.
pub fn receive(state: &AppState, id: &str) -> Result<CaseDetail, CommandError> {
    act(state, id, Action::Receive)
}

/// 申请调整, with the reason (and the unit that should handle it, if known).
pub fn request_adjustment(
    state: &AppState,
    id: &str,
    reason: &str,
    suggested_unit: Option<String>,
) -> Result<CaseDetail, CommandError> {
    if reason.trim().is_empty() {
        return Err(CommandError::new(
            "workflow.empty_text",
            "请填写申请调整的理由。",
        ));
    }
    act(
        state,
        id,
        Action::RequestAdjustment {
            request: AdjustmentRequest {
                reason: reason.trim().to_owned(),
                suggested_unit: suggested_unit.filter(|s| !s.trim().is_empty()),
            },
        },
    )
}

/// 申请延期: asks the office for a later reply deadline (`until` as
/// `YYYY-MM-DD`); the deadline moves only when the office grants it.
pub fn request_extension(
    state: &AppState,
    id: &str,
    until: &str,
    reason: &str,
) -> Result<CaseDetail, CommandError> {
    let until = chrono::NaiveDate::parse_from_str(until.trim(), "%Y-%m-%d").map_err(|_| {
        CommandError::new(
            "request.bad_date",
            format!("“{until}”不是有效日期，请选择延期后的答复日期。"),
        )
    })?;
    if reason.trim().is_empty() {
        return Err(CommandError::new(
            "workflow.empty_text",
            "请填写申请延期的理由。",
        ));
    }
    act(
        state,
        id,
        Action::RequestExtension {
            until,
            reason: reason.trim().to_owned(),
        },
    )
}

/// 报送审核 (a reply, or a co-handler's opinion).
pub fn submit_for_approval(state: &AppState, id: &str) -> Result<CaseDetail, CommandError> {
    act(state, id, Action::SubmitForApproval)
}

/// 报送: the signed-off reply (or opinion) goes out.
pub fn submit(state: &AppState, id: &str) -> Result<CaseDetail, CommandError> {
    act(state, id, Action::Submit)
}

/// 登记沟通联系.
pub fn add_contact(
    state: &AppState,
    id: &str,
    input: &ContactInputView,
) -> Result<CaseDetail, CommandError> {
    let date = input.date.parse().map_err(|_| {
        CommandError::new(
            "input.date",
            format!("日期“{}”格式有误，请按 2024-06-28 的格式填写。", input.date),
        )
    })?;
    let contact = ContactInput {
        mode: input.mode.into(),
        date,
        people: input.people.trim().to_owned(),
        summary: input.summary.trim().to_owned(),
    };
    state.with_user(|s, actor| s.record_contact(id, &contact, actor, super::now()))?;
    detail(state, id)
}

//! Changes to one case, decided by the domain's `Case::apply` and written
//! with their audit entry and their change-feed rows in the caller's
//! transaction.

use chrono::NaiveDateTime;
use serde_json::json;

use jianban_domain::validate::{check_reply, check_required_line, check_text, InputError};
use jianban_domain::workflow::CoHandlerStatus;
use jianban_domain::*;
use jianban_protocol::{
    AssignmentSnapshot, DraftData, Entity, NoticeData, NoticeKind, OpinionData, SaveDraftPayload,
};

use crate::db::{next_counter, DbError, Tx};
use crate::params;
use crate::service::changes::{emit, unit_audience, unit_copy, OFFICE};
use crate::service::{fmt_time, Service};
use crate::signoff::SubmittedRevision;

/// Why a command on a case was refused.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("命令格式有误：{0}。请升级建办；如问题依旧，请联系管理员。")]
    Malformed(String),
    #[error("交办记录{0}不存在，可能已被调整，请同步后重试。")]
    NotFound(String),
    #[error("您无权操作其他单位的交办记录。")]
    Forbidden,
    #[error("{0}")]
    SignOff(String),
    #[error("{0}")]
    Signature(String),
    /// An approval or return sent as a bare action, without a signature.
    #[error("{0}")]
    Unsigned(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl CommandError {
    pub fn code(&self) -> &'static str {
        match self {
            CommandError::Workflow(e) => e.code(),
            CommandError::Input(e) => e.code(),
            CommandError::Malformed(_) => "sync.malformed_command",
            CommandError::NotFound(_) => "sync.unknown_assignment",
            CommandError::Forbidden => "auth.forbidden",
            CommandError::SignOff(_) => "signoff.incomplete",
            CommandError::Signature(_) => "signoff.invalid_signature",
            CommandError::Unsigned(_) => "signoff.unsigned",
            CommandError::Db(_) => "internal",
        }
    }
}

/// An assignment and its case as stored.
#[derive(Debug, Clone)]
pub struct Stored {
    pub assignment: Assignment,
    pub case: Case,
}

impl Stored {
    pub fn snapshot(&self) -> AssignmentSnapshot {
        AssignmentSnapshot {
            assignment: self.assignment.clone(),
            suggestion_id: self.assignment.suggestion_id.to_string(),
            unit_id: self.assignment.unit_id.to_string(),
            role: self.assignment.role,
            case: self.case.clone(),
            version: self.case.version,
        }
    }
}

pub fn role_code(role: HandlingRole) -> &'static str {
    match role {
        HandlingRole::Lead => "lead",
        HandlingRole::CoHandler => "co_handler",
        HandlingRole::Split => "split",
    }
}

pub fn load(tx: &mut dyn Tx, id: &str) -> Result<Option<Stored>, DbError> {
    match tx.query_opt(
        "SELECT assignment_json, case_json FROM assignments WHERE id = $1",
        params![id],
    )? {
        Some(r) => Ok(Some(Stored {
            assignment: r.json(0)?,
            case: r.json(1)?,
        })),
        None => Ok(None),
    }
}

pub(crate) fn write_case(tx: &mut dyn Tx, case: &Case) -> Result<(), DbError> {
    tx.exec(
        "UPDATE assignments SET state = $2, deadline = $3, version = $4, case_json = $5 WHERE id = $1",
        params![
            case.assignment.as_str(),
            case.state.code(),
            case.current_deadline().map(|d| d.to_string()),
            case.version,
            serde_json::to_string(case)?
        ],
    )?;
    Ok(())
}

pub(crate) fn emit_snapshot(tx: &mut dyn Tx, st: &Stored) -> Result<(), DbError> {
    emit(
        tx,
        Entity::Assignment,
        st.assignment.id.as_str(),
        &unit_audience(st.assignment.unit_id.as_str()),
        &st.snapshot(),
    )?;
    Ok(())
}

/// One line of the append-only audit log.
pub struct AuditRecord<'a> {
    pub at: NaiveDateTime,
    pub actor: &'a Actor,
    pub assignment_id: Option<&'a str>,
    pub action: &'a str,
    pub detail: serde_json::Value,
    pub before: Option<CaseState>,
    pub after: Option<CaseState>,
}

pub fn audit(tx: &mut dyn Tx, r: &AuditRecord<'_>) -> Result<(), DbError> {
    let seq = next_counter(tx, "audit")?;
    let role = serde_json::to_value(r.actor.role)?;
    tx.exec(
        "INSERT INTO audit_log (seq, at, actor_id, actor_name, actor_role, assignment_id, action, detail, state_before, state_after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        params![
            seq,
            fmt_time(r.at),
            r.actor.user.as_str(),
            &r.actor.name,
            role.as_str().unwrap_or_default(),
            r.assignment_id,
            r.action,
            r.detail.to_string(),
            r.before.map(|s| s.code()),
            r.after.map(|s| s.code()),
        ],
    )?;
    Ok(())
}

/// The latest revision the server holds for an assignment.
pub fn latest_revision(
    tx: &mut dyn Tx,
    id: &str,
) -> Result<Option<(u32, RevisionHash, ReplyContent)>, DbError> {
    match tx.query_opt(
        "SELECT number, hash, content_json FROM revisions WHERE assignment_id = $1 ORDER BY number DESC LIMIT 1",
        params![id],
    )? {
        Some(r) => Ok(Some((r.int(0)? as u32, RevisionHash(r.text(1)?), r.json(2)?))),
        None => Ok(None),
    }
}

impl Service {
    /// Applies `action` by `actor` to the stored case: the domain decides,
    /// then the case, its feed rows, its audit line and its side effects
    /// (the lead learning of a co-handler's opinion, office notices) are
    /// written. An action that changes nothing writes nothing.
    // The arguments are what one audit line records; a struct would only
    // rename them.
    #[allow(clippy::too_many_arguments)]
    pub fn transition(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        now: NaiveDateTime,
        id: &str,
        action: &Action,
        kind: &str,
        detail: serde_json::Value,
    ) -> Result<Stored, CommandError> {
        let mut st = load(tx, id)?.ok_or_else(|| CommandError::NotFound(id.to_string()))?;
        if actor.role != UserRole::OfficeStaff
            && actor.unit.as_ref() != Some(&st.assignment.unit_id)
        {
            return Err(CommandError::Forbidden);
        }
        let calendar = self.calendar();
        let before = st.case.clone();
        let after = before.apply(
            action,
            &Context {
                actor,
                now,
                calendar: &calendar,
                policy: &self.policy,
            },
        )?;
        if matches!(action, Action::Submit) {
            let latest = latest_revision(tx, id)?;
            let decisions = match &latest {
                Some((_, hash, _)) => super::keys::decisions_for(tx, id, hash)?,
                None => Vec::new(),
            };
            let keys = super::keys::registry_for(tx, &decisions)?;
            let rev = latest.as_ref().map(|(n, h, c)| SubmittedRevision {
                number: *n,
                hash: h,
                content: c,
                decisions: &decisions,
            });
            self.verifier()
                .verify(&before, rev.as_ref(), &keys)
                .map_err(CommandError::SignOff)?;
        }
        if after == before {
            return Ok(st);
        }
        write_case(tx, &after)?;
        st.case = after;
        emit_snapshot(tx, &st)?;
        audit(
            tx,
            &AuditRecord {
                at: now,
                actor,
                assignment_id: Some(id),
                action: kind,
                detail,
                before: Some(before.state),
                after: Some(st.case.state),
            },
        )?;
        if st.case.role == HandlingRole::CoHandler
            && st.case.state == CaseState::Concluded
            && before.state != CaseState::Concluded
        {
            self.opinion_sent(tx, &st, now)?;
        }
        if let Some((kind, message)) = notice_of(action) {
            let notice = NoticeData {
                id: uuid::Uuid::new_v4().to_string(),
                assignment_id: id.to_string(),
                kind,
                message,
                by: actor.user.to_string(),
                by_name: actor.name.clone(),
                at: now,
                role: None,
                date: None,
            };
            emit(
                tx,
                Entity::Notice,
                &notice.id,
                &unit_audience(st.assignment.unit_id.as_str()),
                &notice,
            )?;
        }
        Ok(st)
    }

    /// A co-handler sent its signed-off opinion: the lead case learns it
    /// (a fact, not an action, so its version stays), and the lead unit gets
    /// the opinion's text.
    fn opinion_sent(
        &self,
        tx: &mut dyn Tx,
        co: &Stored,
        now: NaiveDateTime,
    ) -> Result<(), DbError> {
        let lead_id = tx
            .query_opt(
                "SELECT id FROM assignments WHERE suggestion_id = $1 AND role = 'lead'",
                params![co.assignment.suggestion_id.as_str()],
            )?
            .map(|r| r.text(0))
            .transpose()?;
        let mut audience = OFFICE.to_string();
        if let Some(lead_id) = lead_id {
            if let Some(mut lead) = load(tx, &lead_id)? {
                if lead.case.record_co_opinion(&co.assignment.unit_id) {
                    write_case(tx, &lead.case)?;
                    emit_snapshot(tx, &lead)?;
                }
                audience = unit_audience(lead.assignment.unit_id.as_str());
            }
        }
        if let Some(op) = self.opinion_data(tx, co, now)? {
            emit(
                tx,
                Entity::Opinion,
                co.assignment.id.as_str(),
                &audience,
                &op,
            )?;
        }
        Ok(())
    }

    fn opinion_data(
        &self,
        tx: &mut dyn Tx,
        co: &Stored,
        at: NaiveDateTime,
    ) -> Result<Option<OpinionData>, DbError> {
        let Some((_, hash, content)) = latest_revision(tx, co.assignment.id.as_str())? else {
            return Ok(None);
        };
        let unit_name = tx
            .query_one(
                "SELECT name FROM units WHERE id = $1",
                params![co.assignment.unit_id.as_str()],
            )?
            .text(0)?;
        Ok(Some(OpinionData {
            assignment_id: co.assignment.id.to_string(),
            suggestion_id: co.assignment.suggestion_id.to_string(),
            from_unit: co.assignment.unit_id.clone(),
            from_unit_name: unit_name,
            hash,
            content,
            submitted_at: at,
        }))
    }

    /// A new revision of the draft (one writer: the unit). The hash must be
    /// the content's; the same text as the latest revision is a no-op.
    pub fn save_draft(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        now: NaiveDateTime,
        id: &str,
        payload: &SaveDraftPayload,
    ) -> Result<Stored, CommandError> {
        check_reply(&payload.content)?;
        let hash = payload.content.content_hash();
        if hash != payload.hash {
            return Err(CommandError::Malformed(
                "稿件校验值与内容不符，稿件可能在传输中损坏".into(),
            ));
        }
        let latest = latest_revision(tx, id)?;
        let number = latest.as_ref().map_or(1, |(n, _, _)| n + 1);
        let action = Action::EditDraft {
            draft: DraftSummary::of(&payload.content),
        };
        let detail =
            json!({ "revision": number, "device_revision": payload.revision, "hash": hash });
        let st = self.transition(tx, actor, now, id, &action, "save_draft", detail)?;
        if latest.as_ref().is_some_and(|(_, h, _)| *h == hash) {
            return Ok(st);
        }
        tx.exec(
            "INSERT INTO revisions (assignment_id, number, hash, author, saved_at, content_json)
             VALUES ($1, $2, $3, $4, $5, $6)",
            params![
                id,
                number,
                &hash.0,
                actor.user.as_str(),
                fmt_time(now),
                serde_json::to_string(&payload.content).map_err(DbError::from)?
            ],
        )?;
        let draft = DraftData {
            assignment_id: id.to_string(),
            revision: number,
            hash,
            content: payload.content.clone(),
            author: actor.user.to_string(),
            saved_at: now,
        };
        emit(
            tx,
            Entity::Draft,
            id,
            &unit_audience(st.assignment.unit_id.as_str()),
            &draft,
        )?;
        Ok(st)
    }

    /// 沟通联系: the record is kept beside the case and counted by it.
    pub fn record_contact(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        now: NaiveDateTime,
        id: &str,
        contact: &ContactRecord,
    ) -> Result<Stored, CommandError> {
        if contact.assignment_id.as_str() != id {
            return Err(CommandError::Malformed(
                "沟通记录所属的交办记录与命令不一致".into(),
            ));
        }
        check_required_line("记录编号", &contact.id)?;
        check_required_line("参加人员", &contact.people)?;
        check_text("沟通内容", &contact.summary)?;
        if contact.summary.trim().is_empty() {
            return Err(InputError::Empty {
                field: "沟通内容"
            }
            .into());
        }
        if tx
            .query_opt(
                "SELECT id FROM contacts WHERE id = $1",
                params![&contact.id],
            )?
            .is_some()
        {
            return Err(CommandError::Malformed(format!(
                "沟通记录{}已存在",
                contact.id
            )));
        }
        let detail =
            json!({ "contact_id": contact.id, "mode": contact.mode, "date": contact.date });
        let st = self.transition(
            tx,
            actor,
            now,
            id,
            &Action::RecordContact,
            "record_contact",
            detail,
        )?;
        tx.exec(
            "INSERT INTO contacts (id, assignment_id, data, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)",
            params![
                &contact.id,
                id,
                serde_json::to_string(contact).map_err(DbError::from)?,
                actor.user.as_str(),
                fmt_time(now)
            ],
        )?;
        emit(
            tx,
            Entity::Contact,
            &contact.id,
            &unit_audience(st.assignment.unit_id.as_str()),
            contact,
        )?;
        Ok(st)
    }

    /// 正式交办: a new case waiting for receipt. A lead case tracks the
    /// co-handlers already assigned; a co-handler assigned later is added to
    /// its lead's case. The unit gets the suggestion and its deputies.
    pub fn create_assignment(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        now: NaiveDateTime,
        a: &Assignment,
    ) -> Result<Stored, CommandError> {
        let sugg: Suggestion = tx
            .query_opt(
                "SELECT data FROM suggestions WHERE id = $1",
                params![a.suggestion_id.as_str()],
            )?
            .ok_or_else(|| CommandError::NotFound(format!("建议{}", a.suggestion_id)))?
            .json(0)?;
        let co_handlers = if a.role == HandlingRole::Lead {
            co_handlers_of(tx, &a.suggestion_id)?
        } else {
            Vec::new()
        };
        let calendar = self.calendar();
        let case = Case::new(
            a,
            sugg.is_urgent,
            &self.policy,
            &calendar,
            super::chains::chain_of(tx, a.unit_id.as_str())?,
            co_handlers,
        )?;
        tx.exec(
            "INSERT INTO assignments (id, suggestion_id, unit_id, role, assigned_on, state, deadline, version, assignment_json, case_json)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            params![
                a.id.as_str(),
                a.suggestion_id.as_str(),
                a.unit_id.as_str(),
                role_code(a.role),
                a.assigned_on.to_string(),
                case.state.code(),
                case.current_deadline().map(|d| d.to_string()),
                case.version,
                serde_json::to_string(a).map_err(DbError::from)?,
                serde_json::to_string(&case).map_err(DbError::from)?
            ],
        )?;
        let st = Stored {
            assignment: a.clone(),
            case,
        };
        let copy = unit_copy(a.unit_id.as_str());
        emit(tx, Entity::Suggestion, sugg.id.as_str(), &copy, &sugg)?;
        for d in std::iter::once(&sugg.lead_deputy).chain(sugg.co_signers.iter()) {
            if let Some(r) = tx.query_opt(
                "SELECT name, delegation FROM deputies WHERE id = $1",
                params![d.as_str()],
            )? {
                let deputy = Deputy {
                    id: d.clone(),
                    name: r.text(0)?,
                    delegation: r.text(1)?,
                };
                emit(tx, Entity::Deputy, d.as_str(), &copy, &deputy)?;
            }
        }
        emit_snapshot(tx, &st)?;
        if a.role == HandlingRole::CoHandler {
            self.link_co_handler(tx, &st)?;
        }
        if a.role == HandlingRole::Lead {
            // Opinions sent before the lead was assigned reach it now.
            let rows = tx.query(
                "SELECT id FROM assignments WHERE suggestion_id = $1 AND role = 'co_handler' AND state = 'concluded'",
                params![a.suggestion_id.as_str()],
            )?;
            for r in rows {
                if let Some(co) = load(tx, &r.text(0)?)? {
                    if let Some(op) = self.opinion_data(tx, &co, now)? {
                        emit(tx, Entity::Opinion, co.assignment.id.as_str(), &copy, &op)?;
                    }
                }
            }
        }
        audit(
            tx,
            &AuditRecord {
                at: now,
                actor,
                assignment_id: Some(a.id.as_str()),
                action: "assign",
                detail: json!({ "unit_id": a.unit_id, "role": a.role, "assigned_on": a.assigned_on }),
                before: None,
                after: Some(st.case.state),
            },
        )?;
        Ok(st)
    }

    fn link_co_handler(&self, tx: &mut dyn Tx, co: &Stored) -> Result<(), DbError> {
        let lead_id = tx
            .query_opt(
                "SELECT id FROM assignments WHERE suggestion_id = $1 AND role = 'lead'",
                params![co.assignment.suggestion_id.as_str()],
            )?
            .map(|r| r.text(0))
            .transpose()?;
        let Some(lead_id) = lead_id else {
            return Ok(());
        };
        let Some(mut lead) = load(tx, &lead_id)? else {
            return Ok(());
        };
        if lead
            .case
            .co_handlers
            .iter()
            .any(|c| c.unit == co.assignment.unit_id)
        {
            return Ok(());
        }
        let name = tx
            .query_one(
                "SELECT name FROM units WHERE id = $1",
                params![co.assignment.unit_id.as_str()],
            )?
            .text(0)?;
        lead.case.co_handlers.push(CoHandlerStatus {
            unit: co.assignment.unit_id.clone(),
            unit_name: name,
            opinion_submitted: false,
            due: co.case.deadlines.reply,
        });
        write_case(tx, &lead.case)?;
        emit_snapshot(tx, &lead)
    }
}

fn co_handlers_of(
    tx: &mut dyn Tx,
    suggestion: &SuggestionId,
) -> Result<Vec<CoHandlerStatus>, DbError> {
    let rows = tx.query(
        "SELECT a.unit_id, u.name, a.state, a.case_json FROM assignments a JOIN units u ON u.id = a.unit_id
          WHERE a.suggestion_id = $1 AND a.role = 'co_handler' ORDER BY a.id",
        params![suggestion.as_str()],
    )?;
    rows.into_iter()
        .map(|r| {
            let case: Case = r.json(3)?;
            Ok(CoHandlerStatus {
                unit: UnitId::new(r.text(0)?),
                unit_name: r.text(1)?,
                opinion_submitted: r.text(2)? == CaseState::Concluded.code(),
                due: case.deadlines.reply,
            })
        })
        .collect()
}

/// The notice a unit receives when the office acts on its case.
fn notice_of(action: &Action) -> Option<(NoticeKind, String)> {
    Some(match action {
        Action::Urge { message } => (NoticeKind::Urge, message.clone()),
        Action::Return { reasons } => (NoticeKind::Return, reasons.clone()),
        Action::RecordEvaluation { evaluation } => (
            NoticeKind::Evaluation,
            format!("代表评价：{}", evaluation.label_zh()),
        ),
        Action::DecideAdjustment { approved, comment } => (
            NoticeKind::Adjustment,
            if *approved {
                format!("同意调整。{comment}")
            } else {
                format!("不同意调整：{comment}")
            },
        ),
        Action::GrantExtension { until, reason } => (
            NoticeKind::Extension,
            format!("同意延期至{}：{reason}", until.format("%Y年%-m月%-d日")),
        ),
        Action::DeclineExtension { comment } => {
            (NoticeKind::Extension, format!("不同意延期：{comment}"))
        }
        Action::Reopen { reason } => (NoticeKind::Reopen, reason.clone()),
        Action::Conclude => (NoticeKind::Conclude, "已办结".into()),
        _ => return None,
    })
}

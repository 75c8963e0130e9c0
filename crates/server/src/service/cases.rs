//! Changes to one case: the server's side of the shared orchestration
//! (`jianban_casework`), which decides with the domain's `Case::apply` and
//! writes through [`ServerCases`] the case, its audit entry and its
//! change-feed rows in the caller's transaction; and 正式交办.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde_json::json;

use jianban_casework::{AuditLine, CaseStorage, Change, Command, NewRevision, Refusal, Request};
use jianban_domain::validate::InputError;
use jianban_domain::workflow::CoHandlerStatus;
use jianban_domain::*;
use jianban_protocol::{
    AssignmentSnapshot, DraftData, Entity, NoticeData, NoticeKind, OpinionData,
};
use jianban_signoff::SignedDecision;

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

/// The server as a storage of the shared case orchestration
/// (`jianban_casework`), inside the caller's transaction (one savepoint per
/// pushed command). Beside the tables, every change goes to the change feed
/// in the order it is written.
pub(crate) struct ServerCases<'s, 't> {
    svc: &'s Service,
    tx: &'t mut dyn Tx,
    /// The assignments of the cases loaded so far: the feed snapshot and the
    /// audiences need them.
    assignments: HashMap<String, Assignment>,
}

impl<'s, 't> ServerCases<'s, 't> {
    pub(crate) fn new(svc: &'s Service, tx: &'t mut dyn Tx) -> Self {
        ServerCases {
            svc,
            tx,
            assignments: HashMap::new(),
        }
    }

    pub(crate) fn tx(&mut self) -> &mut dyn Tx {
        self.tx
    }

    fn stored(&self, case: &Case) -> Result<Stored, DbError> {
        let assignment = self
            .assignments
            .get(case.assignment.as_str())
            .cloned()
            .ok_or_else(|| {
                DbError::Decode(format!("assignment {} was not loaded", case.assignment))
            })?;
        Ok(Stored {
            assignment,
            case: case.clone(),
        })
    }

    /// Runs `command` by `actor` and answers the case as it stands after.
    pub(crate) fn run(
        &mut self,
        actor: &Actor,
        now: NaiveDateTime,
        id: &str,
        command: Command,
        note: Option<&serde_json::Value>,
    ) -> Result<Stored, CommandError> {
        let calendar = self.svc.calendar();
        let req = Request {
            id,
            actor,
            now,
            calendar: &calendar,
            policy: &self.svc.policy,
            note,
        };
        let outcome = jianban_casework::run(self, &req, command)?;
        Ok(self.stored(&outcome.after)?)
    }
}

impl CaseStorage for ServerCases<'_, '_> {
    type Error = CommandError;

    fn load(&mut self, id: &str) -> Result<Option<Case>, CommandError> {
        Ok(load(self.tx, id)?.map(|st| {
            self.assignments
                .insert(id.to_string(), st.assignment.clone());
            st.case
        }))
    }

    fn write_case(&mut self, case: &Case) -> Result<(), CommandError> {
        write_case(self.tx, case)?;
        let st = self.stored(case)?;
        Ok(emit_snapshot(self.tx, &st)?)
    }

    fn lead_of(&mut self, co: &Case) -> Result<Option<Case>, CommandError> {
        let co = self.stored(co)?;
        let lead_id = self
            .tx
            .query_opt(
                "SELECT id FROM assignments WHERE suggestion_id = $1 AND role = 'lead'",
                params![co.assignment.suggestion_id.as_str()],
            )?
            .map(|r| r.text(0))
            .transpose()?;
        match lead_id {
            Some(id) => self.load(&id),
            None => Ok(None),
        }
    }

    fn latest_revision(&mut self, id: &str) -> Result<Option<(u32, RevisionHash)>, CommandError> {
        Ok(latest_revision(self.tx, id)?.map(|(n, h, _)| (n, h)))
    }

    fn insert_revision(&mut self, case: &Case, rev: &NewRevision<'_>) -> Result<(), CommandError> {
        let id = case.assignment.as_str();
        self.tx.exec(
            "INSERT INTO revisions (assignment_id, number, hash, author, saved_at, content_json)
             VALUES ($1, $2, $3, $4, $5, $6)",
            params![
                id,
                rev.number,
                &rev.hash.0,
                rev.author.user.as_str(),
                fmt_time(rev.saved_at),
                serde_json::to_string(rev.content).map_err(DbError::from)?
            ],
        )?;
        let draft = DraftData {
            assignment_id: id.to_string(),
            revision: rev.number,
            hash: rev.hash.clone(),
            content: rev.content.clone(),
            author: rev.author.user.to_string(),
            saved_at: rev.saved_at,
        };
        emit(
            self.tx,
            Entity::Draft,
            id,
            &unit_audience(case.unit.as_str()),
            &draft,
        )?;
        Ok(())
    }

    fn contact_exists(&mut self, contact_id: &str) -> Result<bool, CommandError> {
        Ok(self
            .tx
            .query_opt("SELECT id FROM contacts WHERE id = $1", params![contact_id])?
            .is_some())
    }

    fn insert_contact(
        &mut self,
        case: &Case,
        contact: &ContactRecord,
        by: &Actor,
        at: NaiveDateTime,
    ) -> Result<(), CommandError> {
        self.tx.exec(
            "INSERT INTO contacts (id, assignment_id, data, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)",
            params![
                &contact.id,
                case.assignment.as_str(),
                serde_json::to_string(contact).map_err(DbError::from)?,
                by.user.as_str(),
                fmt_time(at)
            ],
        )?;
        emit(
            self.tx,
            Entity::Contact,
            &contact.id,
            &unit_audience(case.unit.as_str()),
            contact,
        )?;
        Ok(())
    }

    /// Checks the sign-off with the registered keys, through the server's
    /// [`SignOffVerifier`](crate::signoff::SignOffVerifier).
    fn verify_sign_off(&mut self, case: &Case) -> Result<(), CommandError> {
        let id = case.assignment.as_str();
        let latest = latest_revision(self.tx, id)?;
        let decisions = match &latest {
            Some((_, hash, _)) => super::keys::decisions_for(self.tx, id, hash)?,
            None => Vec::new(),
        };
        let keys = super::keys::registry_for(self.tx, &decisions)?;
        let rev = latest.as_ref().map(|(n, h, c)| SubmittedRevision {
            number: *n,
            hash: h,
            content: c,
            decisions: &decisions,
        });
        self.svc
            .verifier()
            .verify(case, rev.as_ref(), &keys)
            .map_err(CommandError::SignOff)
    }

    fn signer_of(
        &mut self,
        decision: &SignedDecision,
        case: &Case,
        _issuer: &Actor,
    ) -> Result<Actor, CommandError> {
        super::keys::signer_of(self.tx, decision, &case.unit)
    }

    fn insert_decision(
        &mut self,
        case: &Case,
        decision: &SignedDecision,
        at: NaiveDateTime,
    ) -> Result<(), CommandError> {
        Ok(super::keys::insert_decision(
            self.tx, decision, &case.unit, at,
        )?)
    }

    fn audit(&mut self, line: &AuditLine<'_>) -> Result<(), CommandError> {
        let detail = match (line.note, line.change) {
            (Some(note), _) => note.clone(),
            // The server keeps the text once, in `revisions` and `contacts`.
            (
                None,
                Change::DraftSaved {
                    payload,
                    device_revision,
                },
            ) => json!({
                "revision": payload.revision,
                "device_revision": device_revision,
                "hash": payload.hash,
            }),
            (None, Change::ContactRecorded(p)) => json!({
                "contact_id": p.contact.id,
                "mode": p.contact.mode,
                "date": p.contact.date,
            }),
            (None, change) => change.payload(),
        };
        Ok(audit(
            self.tx,
            &AuditRecord {
                at: line.at,
                actor: line.actor,
                assignment_id: Some(line.assignment_id),
                action: line.change.kind(),
                detail,
                before: Some(line.before),
                after: Some(line.after),
            },
        )?)
    }

    /// The unit learns what the office did to its case.
    fn changed(&mut self, line: &AuditLine<'_>, case: &Case) -> Result<(), CommandError> {
        let Change::Acted(action) = line.change else {
            return Ok(());
        };
        if let Some((kind, message)) = notice_of(action) {
            let notice = NoticeData {
                id: uuid::Uuid::new_v4().to_string(),
                assignment_id: line.assignment_id.to_string(),
                kind,
                message,
                by: line.actor.user.to_string(),
                by_name: line.actor.name.clone(),
                at: line.at,
                role: None,
                date: None,
            };
            emit(
                self.tx,
                Entity::Notice,
                &notice.id,
                &unit_audience(case.unit.as_str()),
                &notice,
            )?;
        }
        Ok(())
    }

    /// The lead unit gets the opinion's text (the office, while there is no
    /// lead yet).
    fn opinion_sent(
        &mut self,
        co: &Case,
        lead: Option<&Case>,
        at: NaiveDateTime,
    ) -> Result<(), CommandError> {
        let audience = lead.map_or_else(|| OFFICE.to_string(), |l| unit_audience(l.unit.as_str()));
        let co = self.stored(co)?;
        if let Some(op) = self.svc.opinion_data(self.tx, &co, at)? {
            emit(
                self.tx,
                Entity::Opinion,
                co.assignment.id.as_str(),
                &audience,
                &op,
            )?;
        }
        Ok(())
    }
}

/// The shared orchestration's refusals, in the words of a push's answer.
impl From<Refusal> for CommandError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::NotFound(id) => CommandError::NotFound(id),
            Refusal::Forbidden(_) => CommandError::Forbidden,
            Refusal::Unsigned(_) => CommandError::Unsigned(
                "审核意见必须由审核人在建办中输入密码签名后上传，未签名的审核记录平台不予接受。请审核人重新审核。"
                    .into(),
            ),
            Refusal::NotAnAction(kind, _) => CommandError::Malformed(format!(
                "“{kind}”须以save_draft或record_contact命令上传"
            )),
            Refusal::Malformed(message) => CommandError::Malformed(message),
            r @ Refusal::WrongStep { .. } => CommandError::Signature(r.to_string()),
        }
    }
}

impl Service {
    /// Applies `action` by `actor` to the stored case through the shared
    /// orchestration; `detail` is what its audit line says. `kind` is the
    /// action's code (every caller passes it).
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
        if kind != action.code() {
            return Err(CommandError::Malformed(format!(
                "命令类型“{kind}”与内容“{}”不一致",
                action.code()
            )));
        }
        ServerCases::new(self, tx).run(actor, now, id, Command::Act(action.clone()), Some(&detail))
    }

    /// Runs one typed command by `actor` (a pushed one, or the demo's).
    pub(crate) fn run_command(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        now: NaiveDateTime,
        id: &str,
        command: Command,
    ) -> Result<Stored, CommandError> {
        ServerCases::new(self, tx).run(actor, now, id, command, None)
    }

    pub(crate) fn opinion_data(
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
                a.role.code(),
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

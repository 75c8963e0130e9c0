//! Changes to one case: the server's side of the shared orchestration
//! (`jianban_casework`), which decides with the domain's `Case::apply` and
//! writes through [`ServerCases`](super::case_storage::ServerCases) the case, its audit entry and its
//! change-feed rows in the caller's transaction; and 正式交办.

use chrono::NaiveDateTime;
use serde_json::json;

use jianban_casework::Command;
use jianban_domain::validate::InputError;
use jianban_domain::workflow::CoHandlerStatus;
use jianban_domain::*;
use jianban_protocol::{AssignmentSnapshot, Entity, OpinionData};

use crate::db::{next_counter, DbError, Tx};
use crate::params;
use crate::service::case_storage::ServerCases;
use crate::service::changes::{emit, unit_audience, unit_copy};
use crate::service::{fmt_time, Service};

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
    /// A decision signed with a key revoked before the server received it.
    #[error("{0}")]
    KeyRevoked(String),
    /// An approval or return sent as a bare action, without a signature.
    #[error("{0}")]
    Unsigned(String),
    /// The very command was applied before (a signed decision sent again):
    /// acknowledged as a duplicate, nothing applied.
    #[error("这条审核意见平台已经收到并处理过，无需重复上传。")]
    AlreadyApplied,
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
            CommandError::KeyRevoked(_) => "signoff.key_revoked",
            CommandError::Unsigned(_) => "signoff.unsigned",
            CommandError::AlreadyApplied => "sync.already_applied",
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

impl<'a> AuditRecord<'a> {
    /// A line about the office's settings, accounts or imports: no case,
    /// so no state before or after.
    pub fn without_assignment(
        at: NaiveDateTime,
        actor: &'a Actor,
        action: &'a str,
        detail: serde_json::Value,
    ) -> Self {
        AuditRecord {
            at,
            actor,
            assignment_id: None,
            action,
            detail,
            before: None,
            after: None,
        }
    }
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

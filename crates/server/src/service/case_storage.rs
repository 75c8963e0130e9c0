//! The server as a storage of the shared case orchestration
//! (`jianban_casework`): how a case, a revision, a contact, a signed
//! decision and an audit line are written here, and the effects only the
//! server has (change-feed rows, notices, the opinion for the lead unit).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde_json::json;

use jianban_casework::{AuditLine, CaseStorage, Change, Command, NewRevision, Refusal, Request};
use jianban_domain::*;
use jianban_protocol::{DraftData, Entity, NoticeData, NoticeKind};
use jianban_signoff::SignedDecision;

use crate::db::{DbError, Tx};
use crate::params;
use crate::service::cases::{
    audit, emit_snapshot, latest_revision, load, write_case, AuditRecord, CommandError, Stored,
};
use crate::service::changes::{emit, unit_audience, OFFICE};
use crate::service::{fmt_time, Service};
use crate::signoff::SubmittedRevision;

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
            Some((_, hash, _)) => {
                super::keys::decisions_for(self.tx, id, hash, case.approval_round)?
            }
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
        super::keys::signer_of(self.tx, decision, &case.unit, self.svc.now())
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

    fn decision_exists(&mut self, case: &Case, signature: &str) -> Result<bool, CommandError> {
        Ok(super::keys::decision_exists(
            self.tx,
            case.assignment.as_str(),
            signature,
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
            r @ (Refusal::WrongStep { .. } | Refusal::StaleRound { .. }) => {
                CommandError::Signature(r.to_string())
            }
            Refusal::AlreadyDecided => CommandError::AlreadyApplied,
        }
    }
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

//! Case changes: workflow actions, draft revisions and contact records.
//!
//! What a change does is decided and orchestrated by `jianban_casework`;
//! this module is the store's side of it ([`LocalCases`]: how a case, a
//! revision, a contact, the audit line and the outbox row are written) and
//! the reads of the same tables. Each public method is one transaction that
//! writes the change, its audit-log entry and its outbox command together.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use jianban_casework::{AuditLine, CaseStorage, Command, DraftSave, NewRevision, Outcome, Request};
use jianban_domain::*;
use jianban_signoff::SignedDecision;

use crate::error::{Result, StoreError};
use crate::journal::{self, Record};
use crate::search::{self, HitKind};
use crate::Store;

/// A revision without its content, for the history list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionInfo {
    pub number: u32,
    pub hash: RevisionHash,
    pub author: UserId,
    pub saved_at: NaiveDateTime,
    /// Set when this revision restored an older one.
    pub restored_from: Option<u32>,
}

/// A contact record as the liaison enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInput {
    pub mode: ContactMode,
    pub date: NaiveDate,
    pub people: String,
    pub summary: String,
}

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3f";

pub(crate) fn load_case(tx: &rusqlite::Connection, id: &str) -> Result<(Case, String)> {
    tx.query_row(
        "SELECT case_json, suggestion_id FROM assignments WHERE id = ?1",
        [id],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        what: format!("交办记录 {id}"),
    })
    .and_then(|(json, sid)| Ok((serde_json::from_str(&json)?, sid)))
}

fn load_opt(tx: &rusqlite::Connection, id: &str) -> Result<Option<Case>> {
    match load_case(tx, id) {
        Ok((case, _)) => Ok(Some(case)),
        Err(StoreError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn suggestion_of(tx: &rusqlite::Connection, id: &str) -> Result<String> {
    Ok(tx.query_row(
        "SELECT suggestion_id FROM assignments WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

/// Whether changes are also queued for the central server. Demo history is
/// not: the local server loads the same history itself.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outbox {
    Queue,
    Skip,
}

/// The store as a storage of the shared case orchestration
/// (`jianban_casework`), inside one transaction.
pub(crate) struct LocalCases<'t, 'c> {
    pub tx: &'t Transaction<'c>,
    pub outbox: Outbox,
}

impl CaseStorage for LocalCases<'_, '_> {
    type Error = StoreError;

    fn load(&mut self, id: &str) -> Result<Option<Case>> {
        load_opt(self.tx, id)
    }

    fn write_case(&mut self, case: &Case) -> Result<()> {
        self.tx.execute(
            "UPDATE assignments SET state = ?2, deadline = ?3, version = ?4, case_json = ?5 WHERE id = ?1",
            params![
                case.assignment.as_str(),
                case.state.code(),
                case.current_deadline().map(|d| d.to_string()),
                case.version as i64,
                serde_json::to_string(case)?
            ],
        )?;
        Ok(())
    }

    fn lead_of(&mut self, co: &Case) -> Result<Option<Case>> {
        let suggestion_id = suggestion_of(self.tx, co.assignment.as_str())?;
        let lead: Option<String> = self
            .tx
            .query_row(
                "SELECT id FROM assignments WHERE suggestion_id = ?1 AND role = 'lead'",
                [suggestion_id],
                |r| r.get(0),
            )
            .optional()?;
        match lead {
            Some(id) => load_opt(self.tx, &id),
            None => Ok(None),
        }
    }

    fn latest_revision(&mut self, id: &str) -> Result<Option<(u32, RevisionHash)>> {
        latest_revision(self.tx, id)
    }

    fn insert_revision(&mut self, case: &Case, rev: &NewRevision<'_>) -> Result<()> {
        insert_revision(
            self.tx,
            case.assignment.as_str(),
            rev.number,
            rev.content,
            &rev.author.user,
            rev.saved_at,
            rev.restored_from,
        )
    }

    fn contact_exists(&mut self, contact_id: &str) -> Result<bool> {
        Ok(self
            .tx
            .query_row(
                "SELECT 1 FROM contact_records WHERE id = ?1",
                [contact_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    fn insert_contact(
        &mut self,
        case: &Case,
        record: &ContactRecord,
        by: &Actor,
        at: NaiveDateTime,
    ) -> Result<()> {
        let id = case.assignment.as_str();
        self.tx.execute(
            "INSERT INTO contact_records (id, assignment_id, mode, date, people, summary, recorded_by, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                record.id,
                id,
                serde_json::to_value(record.mode)?.as_str().unwrap_or_default(),
                record.date.to_string(),
                record.people,
                record.summary,
                by.user.as_str(),
                at.format(TIME_FORMAT).to_string(),
            ],
        )?;
        search::index(
            self.tx,
            HitKind::Contact,
            &record.id,
            &suggestion_of(self.tx, id)?,
            &format!("{}\n{}", record.people, record.summary),
        )
    }

    fn verify_sign_off(&mut self, case: &Case) -> Result<()> {
        crate::approvals::verify_case_sign_off(self.tx, case).map(|_| ())
    }

    fn signer_of(
        &mut self,
        decision: &SignedDecision,
        _case: &Case,
        issuer: &Actor,
    ) -> Result<Actor> {
        // The decision was signed on this PC, in this call, with the
        // logged-in approver's key: the signer is the one at the screen.
        let record = &decision.record;
        if record.signer != issuer.user || record.role != issuer.role {
            return Err(StoreError::Data(format!(
                "签名人{}不是当前登录的{}，审核未保存。请由{}本人登录后重新审核。",
                record.signer_name, issuer.name, record.signer_name
            )));
        }
        Ok(issuer.clone())
    }

    fn insert_decision(
        &mut self,
        _case: &Case,
        decision: &SignedDecision,
        _at: NaiveDateTime,
    ) -> Result<()> {
        crate::approvals::insert_decision(self.tx, decision)
    }

    fn decision_exists(&mut self, _case: &Case, signature: &str) -> Result<bool> {
        crate::approvals::decision_exists(self.tx, signature)
    }

    fn audit(&mut self, line: &AuditLine<'_>) -> Result<()> {
        journal::audit(
            self.tx,
            &Record {
                at: line.at,
                actor: line.actor,
                assignment_id: line.assignment_id,
                action: line.change.kind(),
                detail: line.note.cloned().unwrap_or_else(|| line.change.payload()),
                before: Some(line.before),
                after: Some(line.after),
            },
        )
    }

    /// Queues the change for the central server, in the same transaction.
    fn changed(&mut self, line: &AuditLine<'_>, _case: &Case) -> Result<()> {
        if self.outbox == Outbox::Queue {
            journal::enqueue(
                self.tx,
                line.assignment_id,
                line.base_version,
                line.change.kind(),
                &line.change.payload(),
                line.at,
            )?;
        }
        Ok(())
    }
}

fn latest_revision(tx: &rusqlite::Connection, id: &str) -> Result<Option<(u32, RevisionHash)>> {
    Ok(tx
        .query_row(
            "SELECT number, hash FROM revisions WHERE assignment_id = ?1 ORDER BY number DESC LIMIT 1",
            [id],
            |r| Ok((r.get::<_, u32>(0)?, RevisionHash(r.get(1)?))),
        )
        .optional()?)
}

/// Inserts a revision and indexes its text for search (the draft's old text
/// leaves the index).
pub(crate) fn insert_revision(
    tx: &Transaction<'_>,
    id: &str,
    number: u32,
    content: &ReplyContent,
    author: &UserId,
    saved_at: NaiveDateTime,
    restored_from: Option<u32>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO revisions (assignment_id, number, hash, author, saved_at, content_json, restored_from)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            number,
            content.content_hash().0,
            author.as_str(),
            saved_at.format(TIME_FORMAT).to_string(),
            serde_json::to_string(content)?,
            restored_from
        ],
    )?;
    let suggestion_id: String = tx.query_row(
        "SELECT suggestion_id FROM assignments WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    search::index(
        tx,
        HitKind::Draft,
        id,
        &suggestion_id,
        &format!("{}\n{}", content.title, content.body),
    )
}

fn revision_info(tx: &rusqlite::Connection, id: &str, number: u32) -> Result<RevisionInfo> {
    tx.query_row(
        "SELECT number, hash, author, saved_at, restored_from FROM revisions WHERE assignment_id = ?1 AND number = ?2",
        params![id, number],
        revision_info_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        what: format!("第{number}版稿件"),
    })
}

/// A row of `number, hash, author, saved_at, restored_from` of `revisions`.
fn revision_info_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RevisionInfo> {
    Ok(RevisionInfo {
        number: r.get(0)?,
        hash: RevisionHash(r.get(1)?),
        author: UserId(r.get(2)?),
        saved_at: parse_time(&r.get::<_, String>(3)?)?,
        restored_from: r.get(4)?,
    })
}

fn parse_time(s: &str) -> rusqlite::Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, TIME_FORMAT).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

impl Store {
    /// Runs `command` on case `id` through the shared orchestration, in one
    /// transaction: all of its writes or none.
    pub(crate) fn run(
        &mut self,
        id: &str,
        command: Command,
        actor: &Actor,
        now: NaiveDateTime,
    ) -> Result<Outcome> {
        let Store {
            conn,
            calendar,
            policy,
            ..
        } = self;
        let tx = conn.transaction()?;
        let req = Request {
            id,
            actor,
            now,
            calendar,
            policy,
            note: None,
        };
        let mut storage = LocalCases {
            tx: &tx,
            outbox: Outbox::Queue,
        };
        let outcome = jianban_casework::run(&mut storage, &req, command)?;
        tx.commit()?;
        Ok(outcome)
    }

    /// The workflow aggregate of one assignment.
    pub fn case(&self, id: &str) -> Result<Case> {
        Ok(load_case(&self.conn, id)?.0)
    }

    /// The approval chain of the most recently assigned case: the central
    /// server gives each new case the unit's chain as configured there, so
    /// this is the chain the next reply will go through. `None` before any
    /// case has arrived.
    pub fn latest_approval_chain(&self) -> Result<Option<Vec<ApprovalStep>>> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT case_json FROM assignments ORDER BY assigned_on DESC, id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        json.map(|j| Ok(serde_json::from_str::<Case>(&j)?.approval_chain))
            .transpose()
    }

    /// The unit's approval chain as the central server last confirmed it to
    /// this PC (after the head changed it here), if it did.
    pub fn confirmed_approval_chain(&self) -> Result<Option<Vec<ApprovalStep>>> {
        crate::sync_state::get_setting(&self.conn, "approval_chain")?
            .map(|j| Ok(serde_json::from_str(&j)?))
            .transpose()
    }

    /// Keeps the chain the central server answered after it was changed.
    pub fn set_confirmed_approval_chain(&mut self, steps: &[ApprovalStep]) -> Result<()> {
        crate::sync_state::set_setting(&self.conn, "approval_chain", &serde_json::to_string(steps)?)
    }

    /// Applies a workflow action (签收, 报送审核, 报送 …). Draft saves,
    /// contact records and approvals carry content or a signature and have
    /// their own methods.
    pub fn apply(
        &mut self,
        id: &str,
        action: &Action,
        actor: &Actor,
        now: NaiveDateTime,
    ) -> Result<Case> {
        Ok(self
            .run(id, Command::Act(action.clone()), actor, now)?
            .after)
    }

    /// Saves a draft as a new immutable revision, durably, and applies its
    /// workflow effect (an edit after approval voids the approval). Saving
    /// text identical to the current revision returns that revision.
    pub fn save_draft(
        &mut self,
        id: &str,
        content: &ReplyContent,
        actor: &Actor,
        now: NaiveDateTime,
    ) -> Result<RevisionInfo> {
        let save = DraftSave::new(content.clone());
        self.saved_revision(id, save, actor, now)
    }

    /// Makes an old revision current again by saving it as a new revision;
    /// the history is kept whole.
    pub fn restore_revision(
        &mut self,
        id: &str,
        number: u32,
        actor: &Actor,
        now: NaiveDateTime,
    ) -> Result<RevisionInfo> {
        let old = self.revision(id, number)?;
        let save = DraftSave {
            restored_from: Some(number),
            ..DraftSave::new(old.content)
        };
        self.saved_revision(id, save, actor, now)
    }

    fn saved_revision(
        &mut self,
        id: &str,
        save: DraftSave,
        actor: &Actor,
        now: NaiveDateTime,
    ) -> Result<RevisionInfo> {
        let outcome = self.run(id, Command::SaveDraft(save), actor, now)?;
        let number = outcome
            .revision
            .ok_or_else(|| StoreError::Data("保存稿件后没有当前版本".into()))?;
        revision_info(&self.conn, id, number)
    }

    /// The revision history, oldest first.
    pub fn revisions(&self, id: &str) -> Result<Vec<RevisionInfo>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT number, hash, author, saved_at, restored_from FROM revisions
              WHERE assignment_id = ?1 ORDER BY number",
        )?;
        let rows = stmt.query_map([id], revision_info_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn revision(&self, id: &str, number: u32) -> Result<Revision> {
        let row: Option<(String, String, String, String)> = self
            .conn
            .query_row(
                "SELECT hash, author, saved_at, content_json FROM revisions WHERE assignment_id = ?1 AND number = ?2",
                params![id, number],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let (hash, author, saved_at, json) = row.ok_or_else(|| StoreError::NotFound {
            what: format!("第{number}版稿件"),
        })?;
        Ok(Revision {
            assignment_id: AssignmentId::new(id),
            number,
            hash: RevisionHash(hash),
            author: UserId(author),
            saved_at: parse_time(&saved_at)?,
            content: serde_json::from_str(&json)?,
        })
    }

    /// The current draft: the latest revision.
    pub fn current_draft(&self, id: &str) -> Result<Option<Revision>> {
        match latest_revision(&self.conn, id)? {
            Some((n, _)) => self.revision(id, n).map(Some),
            None => Ok(None),
        }
    }

    /// Records a contact with the deputy (沟通联系).
    pub fn record_contact(
        &mut self,
        id: &str,
        input: &ContactInput,
        actor: &Actor,
        now: NaiveDateTime,
    ) -> Result<ContactRecord> {
        let record = ContactRecord {
            id: uuid::Uuid::new_v4().to_string(),
            assignment_id: AssignmentId::new(id),
            mode: input.mode,
            date: input.date,
            people: input.people.clone(),
            summary: input.summary.clone(),
        };
        self.run(id, Command::RecordContact(record.clone()), actor, now)?;
        Ok(record)
    }

    pub fn contacts(&self, id: &str) -> Result<Vec<ContactRecord>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, mode, date, people, summary FROM contact_records WHERE assignment_id = ?1 ORDER BY date, recorded_at",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (rid, mode, date, people, summary) = row?;
            out.push(ContactRecord {
                id: rid,
                assignment_id: AssignmentId::new(id),
                mode: serde_json::from_value(serde_json::Value::String(mode))?,
                date: crate::parse_date(&date)?,
                people,
                summary,
            });
        }
        Ok(out)
    }
}

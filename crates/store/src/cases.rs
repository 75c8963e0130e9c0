//! Case changes: workflow actions, draft revisions and contact records.
//!
//! Each public method is one transaction that writes the change, its
//! audit-log entry and its outbox command together.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::json;

use jianban_domain::validate::{check_reply, check_required_line, check_text};
use jianban_domain::*;

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

fn write_case(tx: &Transaction<'_>, case: &Case) -> Result<()> {
    tx.execute(
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

/// Whether changes are also queued for the central server. Demo history is
/// not: the local server loads the same history itself.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outbox {
    Queue,
    Skip,
}

pub(crate) struct Ctx<'a> {
    pub actor: &'a Actor,
    pub now: NaiveDateTime,
    pub calendar: &'a WorkingCalendar,
    pub policy: &'a DeadlinePolicy,
    pub outbox: Outbox,
}

/// Applies `action` to the stored case and records it. `kind` and `payload`
/// describe the command for the outbox and the audit log.
pub(crate) fn transition(
    tx: &Transaction<'_>,
    id: &str,
    action: &Action,
    ctx: &Ctx<'_>,
    kind: &str,
    payload: serde_json::Value,
) -> Result<(Case, Case)> {
    let (before, suggestion_id) = load_case(tx, id)?;
    let after = before.apply(
        action,
        &Context {
            actor: ctx.actor,
            now: ctx.now,
            calendar: ctx.calendar,
            policy: ctx.policy,
        },
    )?;
    if after == before {
        return Ok((before, after));
    }
    write_case(tx, &after)?;
    if after.role == HandlingRole::CoHandler
        && after.state == CaseState::Concluded
        && before.state != CaseState::Concluded
    {
        mark_opinion_received(tx, &suggestion_id, &after.unit)?;
    }
    journal::audit(
        tx,
        &Record {
            at: ctx.now,
            actor: ctx.actor,
            assignment_id: id,
            action: kind,
            detail: payload.clone(),
            before: Some(before.state),
            after: Some(after.state),
        },
    )?;
    if ctx.outbox == Outbox::Queue {
        journal::enqueue(tx, id, before.version, kind, &payload, ctx.now)?;
    }
    Ok((before, after))
}

/// The lead case learns that a co-handler's opinion has been sent.
fn mark_opinion_received(tx: &Transaction<'_>, suggestion_id: &str, unit: &UnitId) -> Result<()> {
    let lead: Option<String> = tx
        .query_row(
            "SELECT id FROM assignments WHERE suggestion_id = ?1 AND role = 'lead'",
            [suggestion_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(lead_id) = lead {
        let (mut lead_case, _) = load_case(tx, &lead_id)?;
        if lead_case.record_co_opinion(unit) {
            write_case(tx, &lead_case)?;
        }
    }
    Ok(())
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

pub(crate) fn save_draft(
    tx: &Transaction<'_>,
    id: &str,
    content: &ReplyContent,
    ctx: &Ctx<'_>,
    restored_from: Option<u32>,
) -> Result<RevisionInfo> {
    check_reply(content)?;
    let hash = content.content_hash();
    let latest = latest_revision(tx, id)?;
    if let Some((number, latest_hash)) = &latest {
        if *latest_hash == hash && restored_from.is_none() {
            // Same text as the current revision: nothing new to keep.
            return revision_info(tx, id, *number);
        }
    }
    let number = latest.map_or(1, |(n, _)| n + 1);
    let action = Action::EditDraft {
        draft: DraftSummary::of(content),
    };
    let payload = json!({ "revision": number, "hash": hash, "content": content });
    transition(tx, id, &action, ctx, "save_draft", payload)?;
    insert_revision(
        tx,
        id,
        number,
        content,
        &ctx.actor.user,
        ctx.now,
        restored_from,
    )?;
    revision_info(tx, id, number)
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
        |r| {
            Ok(RevisionInfo {
                number: r.get(0)?,
                hash: RevisionHash(r.get(1)?),
                author: UserId(r.get(2)?),
                saved_at: parse_time(&r.get::<_, String>(3)?)?,
                restored_from: r.get(4)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        what: format!("第{number}版稿件"),
    })
}

fn parse_time(s: &str) -> rusqlite::Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, TIME_FORMAT).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(crate) fn record_contact(
    tx: &Transaction<'_>,
    id: &str,
    input: &ContactInput,
    ctx: &Ctx<'_>,
) -> Result<ContactRecord> {
    check_required_line("参加人员", &input.people)?;
    check_text("沟通内容", &input.summary)?;
    if input.summary.trim().is_empty() {
        return Err(jianban_domain::validate::InputError::Empty {
            field: "沟通内容"
        }
        .into());
    }
    let record = ContactRecord {
        id: uuid::Uuid::new_v4().to_string(),
        assignment_id: AssignmentId::new(id),
        mode: input.mode,
        date: input.date,
        people: input.people.clone(),
        summary: input.summary.clone(),
    };
    let payload = json!({ "contact": record });
    transition(
        tx,
        id,
        &Action::RecordContact,
        ctx,
        "record_contact",
        payload,
    )?;
    tx.execute(
        "INSERT INTO contact_records (id, assignment_id, mode, date, people, summary, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            record.id,
            id,
            serde_json::to_value(record.mode)?.as_str().unwrap_or_default(),
            record.date.to_string(),
            record.people,
            record.summary,
            ctx.actor.user.as_str(),
            ctx.now.format(TIME_FORMAT).to_string(),
        ],
    )?;
    let suggestion_id: String = tx.query_row(
        "SELECT suggestion_id FROM assignments WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    search::index(
        tx,
        HitKind::Contact,
        &record.id,
        &suggestion_id,
        &format!("{}\n{}", record.people, record.summary),
    )?;
    Ok(record)
}

impl Store {
    /// Runs `f` in one transaction with the store's calendar and policy.
    fn write<T>(
        &mut self,
        actor: &Actor,
        now: NaiveDateTime,
        f: impl FnOnce(&Transaction<'_>, &Ctx<'_>) -> Result<T>,
    ) -> Result<T> {
        let Store {
            conn,
            calendar,
            policy,
            ..
        } = self;
        let tx = conn.transaction()?;
        let ctx = Ctx {
            actor,
            now,
            calendar,
            policy,
            outbox: Outbox::Queue,
        };
        let out = f(&tx, &ctx)?;
        tx.commit()?;
        Ok(out)
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

    /// Applies a workflow action (签收, 报送审核, 审核, 报送 …). Draft saves and
    /// contact records carry content and have their own methods.
    pub fn apply(
        &mut self,
        id: &str,
        action: &Action,
        actor: &Actor,
        now: NaiveDateTime,
    ) -> Result<Case> {
        if matches!(
            action,
            Action::EditDraft { .. }
                | Action::RecordContact
                | Action::Approve { .. }
                | Action::ReturnToDrafter { .. }
        ) {
            return Err(StoreError::Data(format!(
                "“{}”须通过保存稿件、登记沟通联系或签名审核完成",
                action.label_zh()
            )));
        }
        let payload = serde_json::to_value(action)?;
        self.write(actor, now, |tx, ctx| {
            if matches!(action, Action::Submit) {
                // 不审核不答复: only a reply whose signed approvals form a
                // complete chain over this exact revision goes out.
                let (case, _) = load_case(tx, id)?;
                if case.state == CaseState::SignedOff {
                    crate::approvals::verify_case_sign_off(tx, &case)?;
                }
            }
            Ok(transition(tx, id, action, ctx, action.code(), payload)?.1)
        })
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
        self.write(actor, now, |tx, ctx| save_draft(tx, id, content, ctx, None))
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
        self.write(actor, now, |tx, ctx| {
            save_draft(tx, id, &old.content, ctx, Some(number))
        })
    }

    /// The revision history, oldest first.
    pub fn revisions(&self, id: &str) -> Result<Vec<RevisionInfo>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT number, hash, author, saved_at, restored_from FROM revisions
              WHERE assignment_id = ?1 ORDER BY number",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(RevisionInfo {
                number: r.get(0)?,
                hash: RevisionHash(r.get(1)?),
                author: UserId(r.get(2)?),
                saved_at: parse_time(&r.get::<_, String>(3)?)?,
                restored_from: r.get(4)?,
            })
        })?;
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
        self.write(actor, now, |tx, ctx| record_contact(tx, id, input, ctx))
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

//! The store's side of sync: acknowledging pushed commands and applying the
//! server's change feed.
//!
//! Rules (see shared/design/sync.md):
//! - a pulled page and its cursor are applied in one transaction;
//! - server data for an assignment is kept aside (`server_cases`) and
//!   replaces the local case only when no local command for that assignment
//!   waits for acknowledgement;
//! - a pull never replaces or removes a draft revision: drafts have one
//!   writer, and text from another PC arrives as a new revision.

use chrono::NaiveDateTime;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use jianban_domain::calendar::CalendarFile;
use jianban_domain::*;

use crate::cases::load_case;
use crate::error::{Result, StoreError};
use crate::search::{self, HitKind};
use crate::Store;

const TIME: &str = "%Y-%m-%dT%H:%M:%S";

/// One item of the server's change feed, in domain terms (the sync crate
/// maps the wire format to these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "entity", content = "data")]
pub enum RemoteChange {
    Session(Session),
    Deputy(Deputy),
    Unit(Unit),
    Suggestion(Suggestion),
    /// The server's state of one assignment.
    Assignment {
        assignment: Assignment,
        case: Case,
    },
    Contact(ContactRecord),
    /// The latest draft text of an assignment, saved on another PC.
    Draft {
        assignment_id: AssignmentId,
        content: ReplyContent,
        author: UserId,
        saved_at: NaiveDateTime,
    },
    /// A co-handler's opinion, for the lead unit.
    Opinion(CoHandlingOpinion),
    /// The holiday calendar the office published.
    Calendar(CalendarFile),
    /// An approver's signed decision the server accepted, made on this PC
    /// or another one of the unit.
    SignedDecision(jianban_signoff::SignedDecision),
    /// A message for the unit: urging, return reasons, evaluation …
    Notice {
        assignment_id: Option<AssignmentId>,
        kind: String,
        message: String,
        at: NaiveDateTime,
    },
}

/// What the server answered for one pushed command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum PushStatus {
    Applied,
    /// Already applied earlier (a resent batch).
    Duplicate,
    /// Refused by the rules on the server's current state; the local draft
    /// stays.
    Rejected {
        code: String,
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResult {
    pub seq: i64,
    pub status: PushStatus,
    /// The server's state of the assignment after this command, when sent.
    pub current: Option<Box<(Assignment, Case)>>,
}

/// A message for the people using this PC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: i64,
    pub at: NaiveDateTime,
    pub assignment_id: Option<String>,
    pub kind: String,
    pub message: String,
    pub read: bool,
}

pub(crate) fn get_setting(tx: &rusqlite::Connection, key: &str) -> Result<Option<String>> {
    Ok(tx
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

pub(crate) fn set_setting(tx: &rusqlite::Connection, key: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

fn notice(
    tx: &Transaction<'_>,
    at: NaiveDateTime,
    assignment: Option<&str>,
    kind: &str,
    message: &str,
) -> Result<()> {
    tx.execute(
        "INSERT INTO notices (at, assignment_id, kind, message) VALUES (?1, ?2, ?3, ?4)",
        params![at.format(TIME).to_string(), assignment, kind, message],
    )?;
    Ok(())
}

fn has_pending(tx: &rusqlite::Connection, assignment_id: &str) -> Result<bool> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM outbox WHERE assignment_id = ?1 AND acked_at IS NULL LIMIT 1",
            [assignment_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Keeps the server's snapshot; applies it now if nothing local is pending.
fn receive_snapshot(
    tx: &Transaction<'_>,
    assignment: &Assignment,
    case: &Case,
    now: NaiveDateTime,
) -> Result<()> {
    keep_snapshot(tx, assignment, case, now)?;
    promote(tx, assignment.id.as_str(), now)
}

/// Keeps the newest server snapshot of an assignment (server versions only
/// grow, so an older one arriving late is ignored).
fn keep_snapshot(
    tx: &Transaction<'_>,
    assignment: &Assignment,
    case: &Case,
    now: NaiveDateTime,
) -> Result<()> {
    tx.execute(
        "INSERT INTO server_cases (assignment_id, version, snapshot_json, received_at, fresh)
         VALUES (?1, ?2, ?3, ?4, 1)
         ON CONFLICT (assignment_id) DO UPDATE SET version = excluded.version,
           snapshot_json = excluded.snapshot_json, received_at = excluded.received_at, fresh = 1
         WHERE excluded.version >= server_cases.version",
        params![
            assignment.id.as_str(),
            case.version as i64,
            serde_json::to_string(&(assignment, case))?,
            now.format(TIME).to_string()
        ],
    )?;
    Ok(())
}

/// Replaces the local case with the server's snapshot when no local command
/// for it waits for acknowledgement.
fn promote(tx: &Transaction<'_>, id: &str, now: NaiveDateTime) -> Result<()> {
    if has_pending(tx, id)? {
        return Ok(());
    }
    let Some(json): Option<String> = tx
        .query_row(
            "SELECT snapshot_json FROM server_cases WHERE assignment_id = ?1 AND fresh = 1",
            [id],
            |r| r.get(0),
        )
        .optional()?
    else {
        return Ok(());
    };
    let (assignment, case): (Assignment, Case) = serde_json::from_str(&json)?;
    let local = load_case(tx, id).map(|(c, _)| c);
    let before = match local {
        Ok(c) if c == case => return Ok(()),
        Ok(c) => Some(c),
        Err(StoreError::NotFound { .. }) => None,
        Err(e) => return Err(e),
    };
    tx.execute(
        "INSERT INTO assignments (id, suggestion_id, unit_id, role, assigned_on, state, deadline, version, case_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, deadline = excluded.deadline,
           version = excluded.version, case_json = excluded.case_json",
        params![
            id,
            assignment.suggestion_id.as_str(),
            assignment.unit_id.as_str(),
            assignment.role.code(),
            assignment.assigned_on.to_string(),
            case.state.code(),
            case.current_deadline().map(|d| d.to_string()),
            case.version as i64,
            serde_json::to_string(&case)?
        ],
    )?;
    let state_before = before.as_ref().map(|c| c.state);
    tx.execute(
        "INSERT INTO audit_log (at, actor_id, actor_name, actor_role, assignment_id, action, detail_json, state_before, state_after)
         VALUES (?1, 'server', '代表履职服务平台', 'server', ?2, ?3, ?4, ?5, ?6)",
        params![
            now.format(TIME).to_string(),
            id,
            crate::journal::PULLED,
            serde_json::json!({ "version": case.version }).to_string(),
            state_before.map(|s| s.code()),
            case.state.code()
        ],
    )?;
    match state_before {
        None => notice(
            tx,
            now,
            Some(id),
            "assigned",
            "收到新交办的代表建议，请及时签收。",
        )?,
        Some(prev) if prev != case.state && case.state == CaseState::Returned => {
            let kept = tx
                .query_row(
                    "SELECT 1 FROM revisions WHERE assignment_id = ?1 LIMIT 1",
                    [id],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            let msg = if kept {
                "办公室已退回重办，您的草稿已保留，请修改后重新报送审核。"
            } else {
                "办公室已退回重办，请重新办理。"
            };
            notice(tx, now, Some(id), "returned", msg)?;
        }
        Some(prev) if prev != case.state && case.state == CaseState::Transferred => notice(
            tx,
            now,
            Some(id),
            "transferred",
            "办公室已同意调整申请，本件不再由本单位办理。",
        )?,
        _ => {}
    }
    Ok(())
}

fn apply_change(tx: &Transaction<'_>, change: &RemoteChange, now: NaiveDateTime) -> Result<()> {
    match change {
        RemoteChange::SignedDecision(d) => {
            // The server accepted it only under a key registered for the
            // signer, so the key is known from now on.
            crate::approvals::record_remote_decision(tx, d)?;
        }
        RemoteChange::Session(s) => {
            tx.execute(
                "INSERT INTO sessions (id, name, year) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, year = excluded.year",
                params![s.id.as_str(), s.name, s.year],
            )?;
        }
        RemoteChange::Deputy(d) => {
            tx.execute(
                "INSERT INTO deputies (id, name, delegation) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, delegation = excluded.delegation",
                params![d.id.as_str(), d.name, d.delegation],
            )?;
        }
        RemoteChange::Unit(u) => {
            tx.execute(
                "INSERT INTO units (id, name, doc_prefix) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, doc_prefix = excluded.doc_prefix",
                params![u.id.as_str(), u.name, u.doc_prefix],
            )?;
        }
        RemoteChange::Suggestion(s) => {
            crate::reference::write_suggestion(tx, s, crate::reference::IfStored::Replace)?
        }
        RemoteChange::Assignment { assignment, case } => {
            receive_snapshot(tx, assignment, case, now)?
        }
        RemoteChange::Contact(c) => {
            let inserted = tx.execute(
                "INSERT INTO contact_records (id, assignment_id, mode, date, people, summary, recorded_by, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'server', ?7) ON CONFLICT (id) DO NOTHING",
                params![
                    c.id,
                    c.assignment_id.as_str(),
                    serde_json::to_value(c.mode)?.as_str().unwrap_or_default(),
                    c.date.to_string(),
                    c.people,
                    c.summary,
                    now.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()
                ],
            )?;
            if inserted > 0 {
                let sid: String = tx.query_row(
                    "SELECT suggestion_id FROM assignments WHERE id = ?1",
                    [c.assignment_id.as_str()],
                    |r| r.get(0),
                )?;
                search::index(
                    tx,
                    HitKind::Contact,
                    &c.id,
                    &sid,
                    &format!("{}\n{}", c.people, c.summary),
                )?;
            }
        }
        RemoteChange::Draft {
            assignment_id,
            content,
            author,
            saved_at,
        } => receive_draft(tx, assignment_id.as_str(), content, author, *saved_at)?,
        RemoteChange::Opinion(o) => {
            let lead: Option<String> = tx
                .query_row(
                    "SELECT id FROM assignments WHERE suggestion_id = ?1 AND role = ?2",
                    params![o.suggestion_id.as_str(), HandlingRole::Lead.code()],
                    |r| r.get(0),
                )
                .optional()?;
            let unit: String = tx
                .query_row(
                    "SELECT name FROM units WHERE id = ?1",
                    [o.from_unit.as_str()],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or_else(|| o.from_unit.to_string());
            set_setting(
                tx,
                &format!("opinion:{}:{}", o.suggestion_id, o.from_unit),
                &serde_json::to_string(o)?,
            )?;
            notice(
                tx,
                now,
                lead.as_deref(),
                "opinion",
                &format!("收到协办单位{unit}的会办意见。"),
            )?;
        }
        RemoteChange::Calendar(file) => {
            let cal = WorkingCalendar::from_file(file.clone())
                .map_err(|e| StoreError::Data(format!("办公室发布的节假日安排有误：{e}")))?;
            set_setting(tx, "calendar", &serde_json::to_string(&cal.to_file())?)?;
        }
        RemoteChange::Notice {
            assignment_id,
            kind,
            message,
            at,
        } => notice(
            tx,
            *at,
            assignment_id.as_ref().map(|a| a.as_str()),
            kind,
            message,
        )?,
    }
    Ok(())
}

/// Reference data before what refers to it.
fn dependency_rank(c: &RemoteChange) -> u8 {
    match c {
        RemoteChange::Session(_)
        | RemoteChange::Deputy(_)
        | RemoteChange::Unit(_)
        | RemoteChange::Calendar(_) => 0,
        RemoteChange::Suggestion(_) => 1,
        RemoteChange::Assignment { .. } => 2,
        _ => 3,
    }
}

fn exists(tx: &rusqlite::Connection, table: &str, id: &str) -> Result<bool> {
    // `table` is one of our own table names, never input.
    Ok(tx
        .query_row(
            &format!("SELECT 1 FROM {table} WHERE id = ?1"),
            [id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Whether a row this change refers to has not arrived yet.
fn missing_reference(tx: &rusqlite::Connection, c: &RemoteChange) -> Result<bool> {
    Ok(match c {
        RemoteChange::Suggestion(s) => {
            !exists(tx, "sessions", s.session_id.as_str())?
                || !exists(tx, "deputies", s.lead_deputy.as_str())?
        }
        RemoteChange::Assignment { assignment, .. } => {
            !exists(tx, "suggestions", assignment.suggestion_id.as_str())?
                || !exists(tx, "units", assignment.unit_id.as_str())?
        }
        RemoteChange::Contact(c) => !exists(tx, "assignments", c.assignment_id.as_str())?,
        RemoteChange::Draft { assignment_id, .. } => {
            !exists(tx, "assignments", assignment_id.as_str())?
        }
        RemoteChange::SignedDecision(d) => {
            !exists(tx, "assignments", d.record.assignment_id.as_str())?
        }
        RemoteChange::Notice {
            assignment_id: Some(a),
            ..
        } => !exists(tx, "assignments", a.as_str())?,
        _ => false,
    })
}

/// Applies waiting changes whose references have now arrived, in the order
/// they came.
fn apply_waiting(tx: &Transaction<'_>, now: NaiveDateTime) -> Result<()> {
    loop {
        let rows: Vec<(i64, String)> = {
            let mut stmt = tx.prepare("SELECT id, change_json FROM pending_remote ORDER BY id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut progressed = false;
        for (id, json) in rows {
            let change: RemoteChange = serde_json::from_str(&json)?;
            if !missing_reference(tx, &change)? {
                apply_change(tx, &change, now)?;
                tx.execute("DELETE FROM pending_remote WHERE id = ?1", [id])?;
                progressed = true;
            }
        }
        if !progressed {
            return Ok(());
        }
    }
}

/// Text saved on another PC becomes a new local revision, unless it is what
/// this PC already has or this PC has unpushed edits of its own (then the
/// local text stays current; the server keeps both in its history).
fn receive_draft(
    tx: &Transaction<'_>,
    id: &str,
    content: &ReplyContent,
    author: &UserId,
    saved_at: NaiveDateTime,
) -> Result<()> {
    let hash = content.content_hash();
    let latest: Option<(u32, String)> = tx
        .query_row(
            "SELECT number, hash FROM revisions WHERE assignment_id = ?1 ORDER BY number DESC LIMIT 1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if latest.as_ref().is_some_and(|(_, h)| *h == hash.0) {
        return Ok(());
    }
    let unpushed_edit = tx
        .query_row(
            "SELECT 1 FROM outbox WHERE assignment_id = ?1 AND acked_at IS NULL AND kind = 'save_draft' LIMIT 1",
            [id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if unpushed_edit {
        return Ok(());
    }
    let number = latest.map_or(1, |(n, _)| n + 1);
    crate::cases::insert_revision(tx, id, number, content, author, saved_at, None)
}

/// The outbox row number just before the current device's first command.
/// The server numbers each device's commands from 1; after the store
/// registers as a new device (`Store::register_new_device`) its outbox rows
/// keep their numbers and the device's numbers are `outbox.seq - base`.
pub(crate) fn device_seq_base(conn: &rusqlite::Connection) -> Result<i64> {
    Ok(get_setting(conn, DEVICE_SEQ_BASE)?
        .and_then(|s| s.parse().ok())
        .unwrap_or(0))
}

const DEVICE_SEQ_BASE: &str = "device_seq_base";

impl Store {
    /// This installation's device id, made once.
    pub fn device_id(&mut self) -> Result<String> {
        if let Some(id) = get_setting(&self.conn, "device_id")? {
            return Ok(id);
        }
        let id = uuid::Uuid::new_v4().to_string();
        set_setting(&self.conn, "device_id", &id)?;
        Ok(id)
    }

    /// Becomes a new device for the server, keeping every pending command:
    /// the server refused a sequence number this store used again (the
    /// store was restored from a backup, or its file copied to another PC).
    /// The pending commands are numbered from 1 for the new device, in
    /// their order; the acknowledged ones stay with the old device. Returns
    /// the new device id.
    pub fn register_new_device(&mut self) -> Result<String> {
        let tx = self.conn.transaction()?;
        let base: i64 = tx.query_row(
            "SELECT COALESCE((SELECT MIN(seq) - 1 FROM outbox WHERE acked_at IS NULL),
                             (SELECT MAX(seq) FROM outbox), 0)",
            [],
            |r| r.get(0),
        )?;
        let id = uuid::Uuid::new_v4().to_string();
        set_setting(&tx, "device_id", &id)?;
        set_setting(&tx, DEVICE_SEQ_BASE, &base.to_string())?;
        tx.commit()?;
        Ok(id)
    }

    /// Where the last applied page of the change feed ended.
    pub fn sync_cursor(&self) -> Result<i64> {
        Ok(get_setting(&self.conn, "sync.cursor")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0))
    }

    /// When the last sync round finished without error.
    pub fn last_sync(&self) -> Result<Option<NaiveDateTime>> {
        Ok(get_setting(&self.conn, "sync.last_success")?
            .and_then(|s| NaiveDateTime::parse_from_str(&s, TIME).ok()))
    }

    pub fn set_last_sync(&mut self, at: NaiveDateTime) -> Result<()> {
        set_setting(
            &self.conn,
            "sync.last_success",
            &at.format(TIME).to_string(),
        )
    }

    /// Applies one page of the change feed and its cursor, in one transaction.
    /// Reference data goes first; a change whose referenced rows have not
    /// arrived yet waits in `pending_remote` for a later page.
    pub fn apply_pull(
        &mut self,
        changes: &[RemoteChange],
        cursor: i64,
        now: NaiveDateTime,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let mut ordered: Vec<&RemoteChange> = changes.iter().collect();
        ordered.sort_by_key(|c| dependency_rank(c));
        for change in ordered {
            if missing_reference(&tx, change)? {
                tx.execute(
                    "INSERT INTO pending_remote (change_json) VALUES (?1)",
                    [serde_json::to_string(change)?],
                )?;
            } else {
                apply_change(&tx, change, now)?;
            }
        }
        apply_waiting(&tx, now)?;
        set_setting(&tx, "sync.cursor", &cursor.to_string())?;
        tx.commit()?;
        self.load_settings()
    }

    /// Records the server's answers to pushed commands. Acknowledged
    /// commands leave the queue; a rejection becomes a notice, the draft
    /// stays, and the server's current state is kept like a pulled one.
    pub fn record_push_results(
        &mut self,
        results: &[PushResult],
        now: NaiveDateTime,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        // The server answers in the current device's numbers.
        let base = device_seq_base(&tx)?;
        let mut touched = Vec::new();
        for r in results {
            if r.seq < 1 {
                continue;
            }
            let seq = r.seq + base;
            let assignment: Option<String> = tx
                .query_row(
                    "SELECT assignment_id FROM outbox WHERE seq = ?1",
                    [seq],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(assignment) = assignment else {
                continue;
            };
            tx.execute(
                "UPDATE outbox SET acked_at = ?2, result_json = ?3 WHERE seq = ?1 AND acked_at IS NULL",
                params![seq, now.format(TIME).to_string(), serde_json::to_string(&r.status)?],
            )?;
            if let PushStatus::Rejected { message, .. } = &r.status {
                notice(
                    &tx,
                    now,
                    Some(&assignment),
                    "rejected",
                    &format!("平台未接受本地操作：{message}您填写的内容已保留。"),
                )?;
            }
            match &r.current {
                Some(snapshot) => keep_snapshot(&tx, &snapshot.0, &snapshot.1, now)?,
                None => {
                    // The server moved past the snapshot we hold; the feed
                    // will bring the state after this command.
                    tx.execute(
                        "UPDATE server_cases SET fresh = 0 WHERE assignment_id = ?1",
                        [&assignment],
                    )?;
                }
            }
            touched.push(assignment);
        }
        touched.sort();
        touched.dedup();
        for id in touched {
            promote(&tx, &id, now)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Whether the platform holds this signed decision: it came through the
    /// platform's feed (this PC never queued it), or this PC pushed it and
    /// the platform applied it or already had it. Not while it waits in the
    /// outbox, nor after the platform refused it. A final sealed letter of
    /// a connected PC rests only on such decisions.
    pub fn decision_accepted_by_platform(&self, signature: &str) -> Result<bool> {
        let row: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT result_json FROM outbox
                  WHERE kind = ?1
                    AND lower(json_extract(payload_json, '$.signed_decision.signature')) = lower(?2)
                  ORDER BY seq DESC LIMIT 1",
                params![jianban_casework::SIGNED_DECISION, signature],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match row {
            None => true,
            Some(None) => false,
            Some(Some(result)) => matches!(
                serde_json::from_str::<PushStatus>(&result),
                Ok(PushStatus::Applied | PushStatus::Duplicate)
            ),
        })
    }

    /// The server has lost commands from `seq` on (it was restored from a
    /// backup, say): queue them again. They were kept, acknowledged, in the
    /// outbox for exactly this.
    /// `seq` is in the current device's numbers; commands of an earlier
    /// device are never queued again.
    pub fn requeue_outbox_from(&mut self, seq: i64) -> Result<()> {
        let base = device_seq_base(&self.conn)?;
        self.conn.execute(
            "UPDATE outbox SET acked_at = NULL, result_json = NULL WHERE seq >= ?1",
            [seq.max(1) + base],
        )?;
        Ok(())
    }

    pub fn notices(&self, unread_only: bool) -> Result<Vec<Notice>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, assignment_id, kind, message, read FROM notices
              WHERE read = 0 OR ?1 = 0 ORDER BY id DESC LIMIT 500",
        )?;
        let rows = stmt.query_map([unread_only], |r| {
            Ok(Notice {
                id: r.get(0)?,
                at: NaiveDateTime::parse_from_str(&r.get::<_, String>(1)?, TIME).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?,
                assignment_id: r.get(2)?,
                kind: r.get(3)?,
                message: r.get(4)?,
                read: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn mark_notice_read(&mut self, id: i64) -> Result<()> {
        self.conn
            .execute("UPDATE notices SET read = 1 WHERE id = ?1", [id])?;
        Ok(())
    }
}

//! The audit log and the sync outbox: both written inside the transaction of
//! the change they record.

use chrono::NaiveDateTime;
use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};

use jianban_domain::{Actor, CaseState};

use crate::error::Result;
use crate::Store;

/// The action of an audit line that records a change pulled from the
/// central server (not a command run on this PC).
pub const PULLED: &str = "sync";

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor_id: String,
    pub actor_name: String,
    pub actor_role: String,
    pub assignment_id: Option<String>,
    /// The action's code, e.g. `submit_for_approval`.
    pub action: String,
    pub detail: serde_json::Value,
    pub state_before: Option<CaseState>,
    pub state_after: Option<CaseState>,
}

/// A command waiting to be pushed to the central server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The device's sequence number: gap-free and increasing.
    pub seq: i64,
    pub command_id: String,
    pub assignment_id: String,
    /// The case version the command was based on.
    pub base_version: u64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub created_at: NaiveDateTime,
}

pub(crate) struct Record<'a> {
    pub at: NaiveDateTime,
    pub actor: &'a Actor,
    pub assignment_id: &'a str,
    pub action: &'a str,
    pub detail: serde_json::Value,
    pub before: Option<CaseState>,
    pub after: Option<CaseState>,
}

pub(crate) fn audit(tx: &Transaction<'_>, r: &Record<'_>) -> Result<()> {
    tx.execute(
        "INSERT INTO audit_log (at, actor_id, actor_name, actor_role, assignment_id, action, detail_json, state_before, state_after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            r.at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            r.actor.user.as_str(),
            r.actor.name,
            serde_json::to_value(r.actor.role)?.as_str().unwrap_or_default(),
            r.assignment_id,
            r.action,
            r.detail.to_string(),
            r.before.map(|s| s.code()),
            r.after.map(|s| s.code()),
        ],
    )?;
    Ok(())
}

pub(crate) fn enqueue(
    tx: &Transaction<'_>,
    assignment_id: &str,
    base_version: u64,
    kind: &str,
    payload: &serde_json::Value,
    at: NaiveDateTime,
) -> Result<()> {
    tx.execute(
        "INSERT INTO outbox (command_id, assignment_id, base_version, kind, payload_json, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            uuid::Uuid::new_v4().to_string(),
            assignment_id,
            base_version as i64,
            kind,
            payload.to_string(),
            at.format("%Y-%m-%dT%H:%M:%S").to_string(),
        ],
    )?;
    Ok(())
}

fn parse_time(s: &str) -> rusqlite::Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

impl Store {
    /// The audit log of one assignment (its timeline), oldest first.
    pub fn audit_log(&self, assignment_id: &str) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at, actor_id, actor_name, actor_role, assignment_id, action, detail_json, state_before, state_after
               FROM audit_log WHERE assignment_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([assignment_id], |r| {
            let detail: String = r.get(7)?;
            Ok(AuditEntry {
                seq: r.get(0)?,
                at: parse_time(&r.get::<_, String>(1)?)?,
                actor_id: r.get(2)?,
                actor_name: r.get(3)?,
                actor_role: r.get(4)?,
                assignment_id: r.get(5)?,
                action: r.get(6)?,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                state_before: r
                    .get::<_, Option<String>>(8)?
                    .and_then(|s| CaseState::from_code(&s)),
                state_after: r
                    .get::<_, Option<String>>(9)?
                    .and_then(|s| CaseState::from_code(&s)),
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Commands not yet acknowledged by the server, in device order,
    /// numbered for the current device (see `Store::register_new_device`).
    pub fn outbox_pending(&self, limit: usize) -> Result<Vec<OutboxEntry>> {
        let base = crate::sync_state::device_seq_base(&self.conn)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, command_id, assignment_id, base_version, kind, payload_json, created_at
               FROM outbox WHERE acked_at IS NULL ORDER BY seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            let payload: String = r.get(5)?;
            Ok(OutboxEntry {
                seq: r.get::<_, i64>(0)? - base,
                command_id: r.get(1)?,
                assignment_id: r.get(2)?,
                base_version: r.get::<_, i64>(3)? as u64,
                kind: r.get(4)?,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                created_at: parse_time(&r.get::<_, String>(6)?)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn outbox_pending_count(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM outbox WHERE acked_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }
}

//! The desktop's local store over SQLite (rusqlite, bundled).
//!
//! Invariants:
//! - nothing a liaison typed is ever lost: every draft save is an immutable
//!   revision committed durably (WAL, `synchronous=FULL`) before the call
//!   returns; restoring an old revision makes a new one;
//! - every change to a case goes through [`jianban_domain::Case::apply`] and is
//!   written together with its audit-log entry and its outbox command, in one
//!   transaction: all three or none;
//! - the audit log and revisions are append-only (enforced by triggers);
//! - a database from a newer release is refused untouched.

mod approvals;
mod cases;
mod demo_import;
mod error;
mod journal;
mod queries;
mod reference;
mod schema;
pub mod search;
mod stats_rows;
mod sync_state;
mod vault;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::{Connection, OpenFlags};

use jianban_domain::{DeadlinePolicy, WorkingCalendar};

pub use approvals::{Account, Session};
pub use cases::{ContactInput, RevisionInfo};
pub use error::{Result, StoreError};
pub use jianban_signoff::{Decision, SignOff, SignedDecision};
pub use journal::{AuditEntry, OutboxEntry, PULLED};
pub use queries::{DeputyRef, ReceivedOpinion, SuggestionDetail, UnitHandling, WorkbenchItem};
pub use schema::SCHEMA_VERSION;
pub use search::{HitKind, SearchHit};
pub use stats_rows::StatsInput;
pub use sync_state::{Notice, PushResult, PushStatus, RemoteChange};
pub use vault::{KeyVault, NoVault};

/// The local store. One per data directory.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    calendar: WorkingCalendar,
    policy: DeadlinePolicy,
    /// Where approvers' sealed signing keys are kept (see [`KeyVault`]).
    vault: Box<dyn KeyVault>,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up
    /// to date. A damaged file or one from a newer release is refused with a
    /// clear message and left as it is.
    pub fn open(path: &Path) -> Result<Store> {
        let damaged = || StoreError::Damaged {
            path: path.display().to_string(),
        };
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| match StoreError::from(e) {
            StoreError::Damaged { .. } => damaged(),
            other => other,
        })?;
        let setup = (|| -> Result<()> {
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            // The first read of the header tells a damaged file apart, and a
            // newer file must be refused before anything (even the journal
            // mode) is changed in it.
            let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            schema::refuse_newer(found)?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            // FULL: a commit is on disk before the call returns, so a saved
            // draft survives a power cut, not only a crash.
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            schema::migrate(&mut conn)
        })();
        match setup {
            Ok(()) => {}
            Err(StoreError::Damaged { .. }) => return Err(damaged()),
            Err(e) => return Err(e),
        }
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            calendar: WorkingCalendar::national(),
            policy: DeadlinePolicy::default(),
            vault: Box::new(NoVault),
        };
        store.load_settings()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keeps approvers' sealed signing keys in `vault` from now on: keys
    /// still in the database move there at their owner's next login.
    pub fn set_key_vault(&mut self, vault: Box<dyn KeyVault>) {
        self.vault = vault;
    }

    pub fn calendar(&self) -> &WorkingCalendar {
        &self.calendar
    }

    pub fn policy(&self) -> &DeadlinePolicy {
        &self.policy
    }

    /// Replaces the working-day calendar (the office publishes next year's
    /// holidays each November) and keeps it for the next start.
    pub fn set_calendar(&mut self, calendar: WorkingCalendar) -> Result<()> {
        let json = serde_json::to_string(&calendar.to_file())?;
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES ('calendar', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [json],
        )?;
        self.calendar = calendar;
        Ok(())
    }

    pub(crate) fn load_settings(&mut self) -> Result<()> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = 'calendar'",
                [],
                |r| r.get(0),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        if let Some(json) = json {
            self.calendar = WorkingCalendar::from_json(&json)
                .map_err(|e| StoreError::Data(format!("节假日设置：{e}")))?;
        }
        Ok(())
    }

    /// True when no assignment has been stored yet (first start).
    pub fn is_empty(&self) -> Result<bool> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM assignments", [], |r| r.get(0))?;
        Ok(n == 0)
    }

    /// Full-text search over suggestions, drafts and contact records.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        search::search(&self.conn, query, limit)
    }

    /// `PRAGMA integrity_check`; `Ok(())` when SQLite says "ok".
    pub fn check_integrity(&self) -> Result<()> {
        let verdict: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if verdict == "ok" {
            Ok(())
        } else {
            Err(StoreError::Damaged {
                path: format!("{}（{verdict}）", self.path.display()),
            })
        }
    }
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate> {
    s.parse()
        .map_err(|_| StoreError::Data(format!("日期“{s}”格式有误")))
}

#[cfg(test)]
mod test_support {
    use crate::Store;

    /// A store in a temporary directory with the demo data loaded.
    pub(crate) fn demo_store() -> (tempfile::TempDir, Store) {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(&tmp.path().join("s.sqlite3")).unwrap();
        store
            .import_demo(&jianban_domain::demo::demo_data())
            .unwrap();
        (tmp, store)
    }
}

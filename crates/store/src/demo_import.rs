//! Loads the demo data set by replaying its history through the shared
//! orchestration (`jianban_casework::replay_demo`, as the server does), so
//! every demo case, revision, contact, signed decision and audit entry is
//! what the app itself would have written.

use chrono::{Local, NaiveDate};

use jianban_casework::{replay_demo, DemoError, DemoStorage};
use jianban_domain::demo::DemoData;
use jianban_domain::*;

use crate::cases::{LocalCases, Outbox};
use crate::error::{Result, StoreError};
use crate::reference;
use crate::Store;

impl Store {
    /// Loads the demo data as of today.
    pub fn import_demo(&mut self, demo: &DemoData) -> Result<()> {
        self.import_demo_as_of(demo, Local::now().date_naive())
    }

    /// Loads the demo data with deadlines counted from `today`. All or
    /// nothing: one transaction.
    pub fn import_demo_as_of(&mut self, demo: &DemoData, today: NaiveDate) -> Result<()> {
        let Store {
            conn,
            calendar,
            policy,
            ..
        } = self;
        let tx = conn.transaction()?;
        for s in &demo.sessions {
            tx.execute(
                "INSERT INTO sessions (id, name, year) VALUES (?1, ?2, ?3)",
                rusqlite::params![s.id.as_str(), s.name, s.year],
            )?;
        }
        for d in &demo.deputies {
            tx.execute(
                "INSERT INTO deputies (id, name, delegation) VALUES (?1, ?2, ?3)",
                rusqlite::params![d.id.as_str(), d.name, d.delegation],
            )?;
        }
        for u in &demo.units {
            tx.execute(
                "INSERT INTO units (id, name, doc_prefix) VALUES (?1, ?2, ?3)",
                rusqlite::params![u.id.as_str(), u.name, u.doc_prefix],
            )?;
        }
        for s in &demo.suggestions {
            reference::insert_suggestion(&tx, s)?;
        }
        for a in &demo.assignments {
            let assignment = a.assignment(today);
            reference::create_assignment(&tx, &assignment, None, policy, calendar)?;
        }
        let mut storage = LocalCases {
            tx: &tx,
            outbox: Outbox::Skip,
        };
        replay_demo(&mut storage, demo, today, calendar, policy).map_err(|e| match e {
            DemoError::Command(e) => e,
            DemoError::Data(message) => StoreError::Data(message),
        })?;
        tx.commit()?;
        Ok(())
    }
}

/// Demo approvals are signed with keys made for the replay; this PC trusts
/// them like keys the server vouched for, so demo sign-offs verify here.
impl DemoStorage for LocalCases<'_, '_> {
    fn register_demo_key(
        &mut self,
        user: &UserId,
        public_key: &str,
        _at: chrono::NaiveDateTime,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT OR IGNORE INTO known_keys (user_id, public_key) VALUES (?1, ?2)",
            rusqlite::params![user.as_str(), public_key],
        )?;
        Ok(())
    }
}

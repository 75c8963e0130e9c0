//! `serve --demo`: the shared demo data set, replayed by the same function
//! as the desktop's demo import (`jianban_casework::replay_demo`), as of
//! today, so desktop and server show the same cases.

use chrono::{Local, NaiveDate, NaiveDateTime};
use serde_json::json;

use jianban_casework::{replay_demo, DemoError, DemoStorage};
use jianban_domain::demo::DemoData;
use jianban_domain::*;
use jianban_protocol::Entity;

use crate::error::{ApiError, ApiResult};
use crate::params;
use crate::service::accounts::hash_password;
use crate::service::case_storage::ServerCases;
use crate::service::cases::CommandError;
use crate::service::changes::{emit, EVERYONE};
use crate::service::import::insert_suggestion;
use crate::service::keys;
use crate::service::Service;

impl Service {
    /// Loads the demo once; `false` when it was already there.
    pub fn load_demo(&self, demo: &DemoData) -> ApiResult<bool> {
        self.load_demo_as_of(demo, Local::now().date_naive())
    }

    pub fn load_demo_as_of(&self, demo: &DemoData, today: NaiveDate) -> ApiResult<bool> {
        let loaded = self
            .db
            .read(|tx| tx.query_opt("SELECT value FROM meta WHERE key = 'demo_loaded'", &[]))?;
        if loaded.is_some() {
            return Ok(false);
        }
        // Hashing is slow on purpose; do it before taking the write lock.
        let hashes: Vec<String> = demo
            .users
            .iter()
            .map(|_| hash_password(jianban_domain::demo::DEMO_PASSWORD))
            .collect();
        let system = Actor {
            user: UserId::new("demo"),
            name: "演示数据".into(),
            role: UserRole::OfficeStaff,
            unit: None,
        };
        self.db.write(|tx| -> ApiResult<bool> {
            if tx
                .query_opt("SELECT value FROM meta WHERE key = 'demo_loaded'", &[])?
                .is_some()
            {
                return Ok(false);
            }
            for s in &demo.sessions {
                tx.exec(
                    "INSERT INTO sessions (id, name, year) VALUES ($1, $2, $3)",
                    params![s.id.as_str(), &s.name, s.year as i64],
                )?;
                emit(tx, Entity::Session, s.id.as_str(), EVERYONE, s)?;
            }
            for d in &demo.deputies {
                tx.exec(
                    "INSERT INTO deputies (id, name, delegation) VALUES ($1, $2, $3)",
                    params![d.id.as_str(), &d.name, &d.delegation],
                )?;
                emit(tx, Entity::Deputy, d.id.as_str(), crate::service::changes::OFFICE, d)?;
            }
            for u in &demo.units {
                tx.exec(
                    "INSERT INTO units (id, name, doc_prefix) VALUES ($1, $2, $3)",
                    params![u.id.as_str(), &u.name, &u.doc_prefix],
                )?;
                emit(tx, Entity::Unit, u.id.as_str(), EVERYONE, u)?;
            }
            for (u, hash) in demo.users.iter().zip(&hashes) {
                let role = serde_json::to_value(u.role).map_err(crate::db::DbError::from)?;
                tx.exec(
                    "INSERT INTO users (id, name, role, unit_id, password_hash) VALUES ($1, $2, $3, $4, $5)",
                    params![
                        u.id.as_str(),
                        &u.name,
                        role.as_str().unwrap_or_default(),
                        u.unit.as_ref().map(|x| x.to_string()),
                        hash
                    ],
                )?;
            }
            for s in &demo.suggestions {
                insert_suggestion(tx, s)?;
            }
            for a in &demo.assignments {
                let assignment = a.assignment(today);
                let at = assignment.assigned_on.and_hms_opt(9, 0, 0).expect("valid time");
                self.create_assignment(tx, &system, at, &assignment)?;
            }
            let calendar = self.calendar();
            let mut storage = ServerCases::new(self, tx);
            replay_demo(&mut storage, demo, today, &calendar, &self.policy).map_err(|e| match e {
                DemoError::Command(e) => ApiError::from(e),
                DemoError::Data(message) => ApiError::Internal(message),
            })?;
            tx.exec(
                "INSERT INTO meta (key, value) VALUES ('demo_loaded', $1)",
                params![json!({ "as_of": today }).to_string()],
            )?;
            Ok(true)
        })
    }
}

/// Demo approvals are signed with keys made for the replay; registering
/// them makes the demo's sign-offs verify on every PC, like real ones.
impl DemoStorage for ServerCases<'_, '_> {
    fn register_demo_key(
        &mut self,
        user: &UserId,
        public_key: &str,
        at: NaiveDateTime,
    ) -> Result<(), CommandError> {
        keys::register(
            self.tx(),
            user.as_str(),
            public_key,
            &at.format(keys::TIME_FORMAT).to_string(),
        )?;
        Ok(())
    }
}

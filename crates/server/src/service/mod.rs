//! The service layer: every operation of the server as a plain (blocking)
//! method over the database. HTTP handlers and CLI subcommands are thin
//! callers of these.

pub mod account_admin;
pub mod accounts;
pub mod case_storage;
pub mod cases;
pub mod chains;
pub mod changes;
pub mod demo;
pub mod device_owner;
pub mod documents;
pub mod import;
pub mod key_file;
pub mod keys;
pub mod office;
pub mod stats;
pub mod sync;
pub mod token;

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use chrono::{Local, NaiveDateTime};

use jianban_domain::{Actor, DeadlinePolicy, UserRole, WorkingCalendar};

use crate::db::{Db, DbError};
use crate::signoff::{ApprovalChainVerifier, SignOffVerifier};

/// Who calls: the authenticated user and the device the token was given to.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub device_id: String,
}

impl Caller {
    pub fn is_office(&self) -> bool {
        self.actor.role == UserRole::OfficeStaff
    }

    /// May the caller see what belongs to `unit`?
    pub fn sees_unit(&self, unit: &str) -> bool {
        self.is_office() || self.actor.unit.as_ref().map(|u| u.as_str()) == Some(unit)
    }
}

/// Settings that are not in the database.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Test seam: end the process with SIGKILL right after a push commits,
    /// before the answer is sent (the crash-recovery test uses it).
    pub kill_after_push_commit: bool,
}

pub struct Service {
    pub db: Db,
    pub data_dir: PathBuf,
    pub policy: DeadlinePolicy,
    pub options: Options,
    calendar: RwLock<WorkingCalendar>,
    verifier: Box<dyn SignOffVerifier>,
    /// The access tokens' signing keys: none until `load_token_keys` (only
    /// `serve` needs them; the other subcommands never touch the key file).
    token_key: token::TokenKeys,
}

impl Service {
    pub fn open(db: Db, data_dir: &Path, options: Options) -> Result<Service, DbError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| DbError::Open(format!("无法创建数据目录 {}：{e}", data_dir.display())))?;
        let calendar = db.read(|tx| -> Result<WorkingCalendar, DbError> {
            match tx.query_opt("SELECT data FROM calendar WHERE id = 'current'", &[])? {
                Some(row) => WorkingCalendar::from_json(&row.text(0)?)
                    .map_err(|e| DbError::Decode(e.to_string())),
                None => Ok(WorkingCalendar::national()),
            }
        })?;
        Ok(Service {
            db,
            data_dir: data_dir.to_path_buf(),
            policy: DeadlinePolicy::default(),
            options,
            calendar: RwLock::new(calendar),
            verifier: Box::new(ApprovalChainVerifier),
            token_key: token::TokenKeys::default(),
        })
    }

    /// Loads the token signing keys from `path` (created at the first
    /// start; a key the database held moves there), before serving.
    pub fn load_token_keys(&mut self, path: &Path) -> Result<(), crate::error::ApiError> {
        self.token_key = key_file::load_or_create(path, &self.db, chrono::Utc::now().timestamp())?;
        Ok(())
    }

    /// Server time decides; device time is only metadata.
    pub fn now(&self) -> NaiveDateTime {
        Local::now().naive_local()
    }

    pub fn calendar(&self) -> WorkingCalendar {
        self.calendar
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn set_calendar(&self, cal: WorkingCalendar) {
        *self.calendar.write().unwrap_or_else(|p| p.into_inner()) = cal;
    }

    pub fn verifier(&self) -> &dyn SignOffVerifier {
        self.verifier.as_ref()
    }

    /// The actor of CLI subcommands: the office, acting through the
    /// command line of the server machine.
    pub fn cli_actor(&self, user: Option<&str>) -> Result<Actor, crate::error::ApiError> {
        match user {
            None => Ok(Actor {
                user: jianban_domain::UserId::new("cli"),
                name: "办公室（命令行）".into(),
                role: UserRole::OfficeStaff,
                unit: None,
            }),
            Some(id) => {
                let actor = accounts::actor_of(self, id)?;
                if actor.role != UserRole::OfficeStaff {
                    return Err(crate::error::ApiError::Forbidden(format!(
                        "用户{id}不是办公室工作人员，不能执行办公室操作。"
                    )));
                }
                Ok(actor)
            }
        }
    }
}

pub(crate) const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.3f";

pub(crate) fn fmt_time(t: NaiveDateTime) -> String {
    t.format(TIME_FORMAT).to_string()
}

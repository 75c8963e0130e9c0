//! Sync against the real central server process on 127.0.0.1, through a
//! proxy that injects faults. After every scenario: every command the client
//! committed is applied exactly once, client and server agree on every
//! assignment, and no draft revision is lost.

mod device_taken;
mod documents;
mod faults;
mod kill;
mod password;

mod proxy;
mod random;
mod restore;
mod server;
mod signoff;
mod skew;

use std::collections::BTreeMap;
use std::time::Duration;

use jianban_domain::demo::DEMO_PASSWORD;
use jianban_domain::*;
use jianban_protocol::AuditLine;
use jianban_store::Store;
use jianban_sync::{Credentials, ServerClient, ServerConfig, SyncEngine, SyncError};
use sha2::{Digest, Sha256};

pub use proxy::{Fault, FaultProxy};
pub use server::ServerProcess;

/// A desktop: its own store and a sync engine logged in as `user`.
pub struct Desktop {
    pub user: String,
    pub engine: SyncEngine,
    pub dir: tempfile::TempDir,
}

impl Desktop {
    pub fn new(base_url: &str, user: &str) -> Desktop {
        let dir = tempfile::tempdir().unwrap();
        Self::open(dir, base_url, user)
    }

    pub fn open(dir: tempfile::TempDir, base_url: &str, user: &str) -> Desktop {
        let mut store = Store::open(&dir.path().join("jianban.sqlite3")).unwrap();
        let device = store.device_id().unwrap();
        let mut config = ServerConfig::new(base_url);
        // Short, so a hanging response becomes a time-out quickly.
        config.timeout = Duration::from_secs(3);
        let client = ServerClient::new(
            config,
            device,
            format!("测试电脑-{user}"),
            Some(Credentials::Password {
                username: user.into(),
                password: DEMO_PASSWORD.into(),
            }),
        )
        .unwrap();
        Desktop {
            user: user.into(),
            engine: SyncEngine::new(store, client),
            dir,
        }
    }

    pub fn store(&mut self) -> &mut Store {
        self.engine.store()
    }

    pub fn actor(&mut self) -> Actor {
        let unit = self.user.split('-').next().unwrap().to_string();
        Actor {
            user: UserId::new(&self.user),
            name: self.user.clone(),
            role: if self.user.ends_with("-head") {
                UserRole::Head
            } else {
                UserRole::Liaison
            },
            unit: Some(UnitId::new(unit)),
        }
    }

    /// Syncs until a round succeeds (faults may make some fail), at most `tries`.
    pub fn sync_until_ok(&mut self, tries: usize) -> Result<(), SyncError> {
        let mut last = None;
        for _ in 0..tries {
            match self.engine.sync_once() {
                Ok(_) => return Ok(()),
                Err(e) => {
                    assert!(
                        e.is_retryable(),
                        "{} got an error that needs a person: {e}",
                        self.user
                    );
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap())
    }

    /// Every local case, by assignment id.
    pub fn cases(&mut self) -> BTreeMap<String, Case> {
        let today = chrono::Local::now().date_naive();
        let ids: Vec<String> = self
            .store()
            .workbench_items(today)
            .unwrap()
            .into_iter()
            .map(|r| r.assignment_id)
            .collect();
        ids.into_iter()
            .map(|id| {
                let case = self.store().case(&id).unwrap();
                (id, case)
            })
            .collect()
    }

    /// All revisions of all cases: (assignment, number) → hash.
    pub fn revisions(&mut self) -> BTreeMap<(String, u32), String> {
        let ids: Vec<String> = self.cases().into_keys().collect();
        let mut out = BTreeMap::new();
        for id in ids {
            for r in self.store().revisions(&id).unwrap() {
                out.insert((id.clone(), r.number), r.hash.0);
            }
        }
        out
    }
}

/// A canonical hash of a case, to compare client and server.
pub fn case_hash(case: &Case) -> String {
    hex::encode(Sha256::digest(serde_json::to_vec(case).unwrap()))
}

/// Asserts that every case `unit` holds equals the server's (as the office
/// pulls it) and that nothing is left unacknowledged.
pub fn assert_converged(unit: &mut Desktop, office: &mut Desktop) {
    assert_eq!(
        unit.store().outbox_pending_count().unwrap(),
        0,
        "{}: commands left unacknowledged",
        unit.user
    );
    let server = office.cases();
    let local = unit.cases();
    assert!(!local.is_empty(), "{} has no cases", unit.user);
    for (id, case) in &local {
        let truth = server
            .get(id)
            .unwrap_or_else(|| panic!("{id} is on {} but not on the server", unit.user));
        assert_eq!(
            case_hash(case),
            case_hash(truth),
            "{}: {id} differs from the server: local {:?} v{}, server {:?} v{}",
            unit.user,
            case.state,
            case.version,
            truth.state,
            truth.version
        );
    }
}

/// Audit lines the server wrote for actions by `user`.
pub fn server_actions_by(office: &Desktop, user: &str) -> Vec<AuditLine> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page: Vec<AuditLine> = office
            .engine
            .client()
            .get(&format!("/v1/office/audit?after={after}&limit=1000"))
            .unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        out.extend(page.into_iter().filter(|l| l.actor_id == user));
    }
    out
}

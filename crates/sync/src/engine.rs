//! One sync round: push the outbox, then pull the change feed.

use std::sync::{Arc, Mutex};

use chrono::Local;
use jianban_protocol::{PushRequest, MAX_PUSH_COMMANDS};
use jianban_store::Store;

use crate::client::{ServerClient, SyncError};
use crate::mapping;
use crate::status::{SyncPhase, SyncStatus};

/// Page size of the change feed.
pub const PULL_PAGE: u32 = 500;

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: u64,
    pub rejected: u64,
    pub pulled: u64,
}

/// Owns its own connection to the store file (SQLite serializes writers),
/// so sync never holds the UI's connection.
pub struct SyncEngine {
    store: Store,
    client: ServerClient,
    status: Arc<Mutex<SyncStatus>>,
}

impl SyncEngine {
    pub fn new(store: Store, client: ServerClient) -> Self {
        Self {
            store,
            client,
            status: Arc::new(Mutex::new(SyncStatus::default())),
        }
    }

    pub fn status_handle(&self) -> Arc<Mutex<SyncStatus>> {
        Arc::clone(&self.status)
    }

    pub fn client(&self) -> &ServerClient {
        &self.client
    }

    pub fn store(&mut self) -> &mut Store {
        &mut self.store
    }

    fn set(&self, f: impl FnOnce(&mut SyncStatus)) {
        if let Ok(mut s) = self.status.lock() {
            f(&mut s);
        }
    }

    /// Push everything pending, then pull until the feed is exhausted.
    pub fn sync_once(&mut self) -> Result<SyncReport, SyncError> {
        let result = self.round();
        let pending = self.store.outbox_pending_count().unwrap_or(0);
        match &result {
            Ok(report) => {
                let received = report.pulled + report.rejected;
                let now = Local::now().naive_local();
                self.store.set_last_sync(now)?;
                self.set(|s| {
                    s.phase = SyncPhase::Idle;
                    s.last_success = Some(now);
                    s.pending = pending;
                    s.error = None;
                    s.error_code = None;
                    s.changes_received += received;
                });
            }
            Err(e) => {
                let phase = if matches!(e, SyncError::Offline(_)) {
                    SyncPhase::Offline
                } else if e.is_retryable() {
                    SyncPhase::Idle
                } else {
                    SyncPhase::NeedsAttention
                };
                let message = e.to_string();
                let code = e.code().to_string();
                self.set(|s| {
                    s.phase = phase;
                    s.pending = pending;
                    s.error = Some(message);
                    s.error_code = Some(code);
                });
            }
        }
        result
    }

    fn round(&mut self) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        self.push_all(&mut report)?;
        self.pull_all(&mut report)?;
        Ok(report)
    }

    fn push_all(&mut self, report: &mut SyncReport) -> Result<(), SyncError> {
        let mut device_id = self.store.device_id()?;
        let mut gap_retries = 0;
        let mut re_registered = false;
        loop {
            let batch = self.store.outbox_pending(MAX_PUSH_COMMANDS)?;
            if batch.is_empty() {
                return Ok(());
            }
            let pending = self.store.outbox_pending_count()?;
            self.set(|s| {
                s.phase = SyncPhase::Pushing;
                s.pending = pending;
            });
            let request = PushRequest {
                device_id: device_id.clone(),
                commands: batch.iter().map(mapping::push_command).collect(),
            };
            match self.client.push(&request) {
                Ok(response) => {
                    let results: Vec<_> =
                        response.results.iter().map(mapping::push_result).collect();
                    report.pushed += results.len() as u64;
                    report.rejected += results
                        .iter()
                        .filter(|r| matches!(r.status, jianban_store::PushStatus::Rejected { .. }))
                        .count() as u64;
                    self.store
                        .record_push_results(&results, Local::now().naive_local())?;
                    if results.is_empty() {
                        return Err(SyncError::Protocol("平台未对上传的操作给出结果".into()));
                    }
                }
                Err(SyncError::SequenceGap { expected }) if gap_retries < 2 => {
                    // The server has lost commands this PC thought delivered
                    // (e.g. it was restored from a backup): send them again
                    // from where it stands. The server deduplicates by seq.
                    gap_retries += 1;
                    tracing::warn!(
                        expected,
                        "sequence gap: resending from the server's position"
                    );
                    self.store.requeue_outbox_from(expected)?;
                }
                Err(SyncError::SeqReused(message)) if !re_registered => {
                    // This store's numbers were used before with other
                    // commands (restored from a backup, or the file copied
                    // to a second PC), and the server applied nothing of
                    // the batch. Become a new device: the pending commands
                    // are numbered from 1 for it and sent again, so none
                    // is lost; those the server already took are known by
                    // their id and answered as duplicates.
                    re_registered = true;
                    tracing::warn!(%message, "sequence number reused: registering as a new device");
                    device_id = self.store.register_new_device()?;
                    self.client.switch_device(device_id.clone());
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn pull_all(&mut self, report: &mut SyncReport) -> Result<(), SyncError> {
        let mut after = self.store.sync_cursor()?;
        let mut done = 0u64;
        loop {
            let page = self.client.changes(after, PULL_PAGE)?;
            let changes = page
                .changes
                .iter()
                .map(mapping::remote_change)
                .collect::<Result<Vec<_>, _>>()?;
            // The page and its cursor in one local transaction.
            self.store
                .apply_pull(&changes, page.next_after, Local::now().naive_local())?;
            done += changes.len() as u64;
            report.pulled += changes.len() as u64;
            let total = done + page.remaining;
            self.set(|s| {
                s.phase = SyncPhase::Pulling;
                s.pull_done = done;
                s.pull_total = total;
            });
            after = page.next_after;
            if !page.has_more {
                return Ok(());
            }
        }
    }
}

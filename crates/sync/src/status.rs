//! What the status bar shows.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    #[default]
    Idle,
    Pushing,
    Pulling,
    /// The server cannot be reached; local work goes on and is kept.
    Offline,
    /// Something needs the user (log in again, upgrade, fix a setting).
    NeedsAttention,
}

impl SyncPhase {
    pub fn label_zh(&self) -> &'static str {
        match self {
            SyncPhase::Idle => "已同步",
            SyncPhase::Pushing => "正在上传",
            SyncPhase::Pulling => "正在下载",
            SyncPhase::Offline => "离线",
            SyncPhase::NeedsAttention => "需要处理",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SyncStatus {
    pub phase: SyncPhase,
    pub last_success: Option<NaiveDateTime>,
    /// Local commands not yet acknowledged by the server.
    pub pending: u64,
    /// Progress of a long pull: changes applied / changes in this pull.
    pub pull_done: u64,
    pub pull_total: u64,
    /// The last error, in Chinese, saying what to do.
    pub error: Option<String>,
    /// That error's code (`auth.must_change_password`, `sync.offline`…),
    /// for a screen that acts on it rather than only showing the words.
    pub error_code: Option<String>,
    /// Changes received from the server since sync started (pulled, or
    /// the server's state after a refused command): a screen listing cases
    /// reloads when it grows.
    pub changes_received: u64,
}

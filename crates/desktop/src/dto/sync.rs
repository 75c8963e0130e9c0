//! Sync status and notices (同步, 提醒).

use serde::Serialize;

/// The status bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SyncView {
    /// False in the local demo: nothing to sync with.
    pub configured: bool,
    /// `idle`, `pushing`, `pulling`, `offline`, `needsAttention`.
    pub phase: String,
    pub phase_label: String,
    /// `YYYY-MM-DD HH:MM`.
    pub last_success: Option<String>,
    pub pending: u32,
    pub pull_done: u32,
    pub pull_total: u32,
    pub offline: bool,
    pub error: Option<String>,
    /// The error's code: `auth.must_change_password` opens the password
    /// form, for example.
    pub error_code: Option<String>,
    /// Grows when sync brought changes: the workbench reloads.
    pub changes_received: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct NoticeView {
    #[cfg_attr(test, ts(type = "number"))]
    pub id: i64,
    pub at: String,
    pub assignment_id: Option<String>,
    pub kind: String,
    pub message: String,
    pub read: bool,
}

impl From<jianban_store::Notice> for NoticeView {
    fn from(n: jianban_store::Notice) -> Self {
        NoticeView {
            id: n.id,
            at: n.at.format("%Y-%m-%d %H:%M").to_string(),
            assignment_id: n.assignment_id,
            kind: n.kind,
            message: n.message,
            read: n.read,
        }
    }
}

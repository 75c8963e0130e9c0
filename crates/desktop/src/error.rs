//! The one error type that crosses the IPC boundary.
//!
//! Serialized as `{ "code": "...", "message": "..." }`: `code` is stable and
//! meant for the UI to branch on; `message` is Chinese, for the user, and says
//! what to do next. The UI never matches on message text.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

/// Codes the shell itself produces; store errors bring their own codes.
pub mod code {
    /// The data directory could not be found or created at start-up.
    pub const DATA_DIR: &str = "data_dir";
    /// A previous command panicked while holding the store; restart needed.
    pub const INTERNAL: &str = "internal";
    /// The settings file could not be read or written, or a setting is invalid.
    pub const CONFIG: &str = "config";
    /// The command needs someone logged in (to the server, or locally as an approver).
    pub const NOT_LOGGED_IN: &str = "not_logged_in";
    /// Writing or opening an exported file failed.
    pub const EXPORT: &str = "export";
    /// The user closed the save dialog: nothing was written.
    pub const CANCELLED: &str = "cancelled";
    /// A form arrived without something it needs.
    pub const INPUT: &str = "input";
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)
    }
}

impl std::error::Error for CommandError {}

impl From<jianban_store::StoreError> for CommandError {
    fn from(e: jianban_store::StoreError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<jianban_sync::SyncError> for CommandError {
    fn from(e: jianban_sync::SyncError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<jianban_letter::LetterError> for CommandError {
    fn from(e: jianban_letter::LetterError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<jianban_stats::StatsError> for CommandError {
    fn from(e: jianban_stats::StatsError) -> Self {
        let message = match &e {
            jianban_stats::StatsError::Pdf(why) => format!(
                "生成统计PDF失败：{}。请在“设置”中查看字体是否齐全后重试；如问题依旧，请把日志文件发给技术支持。",
                why.trim_end_matches('。')
            ),
            other => other.to_string(),
        };
        Self::new(e.code(), message)
    }
}

impl From<crate::data_dir::DataDirError> for CommandError {
    fn from(e: crate::data_dir::DataDirError) -> Self {
        Self::new(code::DATA_DIR, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e = CommandError::new("store_busy", "数据文件正被占用，请稍后重试。");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "store_busy", "message": "数据文件正被占用，请稍后重试。"})
        );
    }

    #[test]
    fn data_dir_errors_keep_their_chinese_message() {
        let e: CommandError = crate::data_dir::DataDirError::Unknown("no home".into()).into();
        assert_eq!(e.code, code::DATA_DIR);
        assert!(e.message.starts_with("无法确定数据目录"));
    }
}

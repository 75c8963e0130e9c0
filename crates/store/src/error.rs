//! The store's errors. Each has a stable code for the boundary error and a
//! Chinese message that says what to do.

use jianban_casework::Refusal;
use jianban_domain::validate::InputError;
use jianban_domain::WorkflowError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("此数据文件由较新版本的建办创建（数据版本{found}，本程序支持到{supported}）。请升级建办后再打开，数据未做任何改动。")]
    NewerDatabase { found: i64, supported: i64 },
    #[error("本地数据文件已损坏或不是建办的数据文件（{path}）。请勿删除该文件，联系管理员从备份恢复；重新同步可找回已上报的内容。")]
    Damaged { path: String },
    #[error("本地数据文件被其他程序占用，请关闭其他建办窗口后重试。")]
    Busy,
    #[error("{what}不存在，可能已被删除或尚未同步，请刷新后重试。")]
    NotFound { what: String },
    #[error("{what}已存在，请勿重复添加。")]
    Duplicate { what: String },
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    SignOff(jianban_signoff::SignoffError),
    #[error("本地数据库出错：{0}。请重试；如反复出现，请联系管理员并提供日志文件。")]
    Sqlite(rusqlite::Error),
    #[error("本地数据内容有误：{0}。请联系管理员并提供日志文件。")]
    Data(String),
}

impl StoreError {
    /// Stable code for the boundary error; the UI never matches on messages.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NewerDatabase { .. } => "store.newer_database",
            StoreError::Damaged { .. } => "store.damaged",
            StoreError::Busy => "store.busy",
            StoreError::NotFound { .. } => "store.not_found",
            StoreError::Duplicate { .. } => "store.duplicate",
            StoreError::Workflow(e) => e.code(),
            StoreError::Input(e) => e.code(),
            StoreError::SignOff(e) => e.code(),
            StoreError::Sqlite(_) => "store.sqlite",
            StoreError::Data(_) => "store.data",
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy,
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Damaged {
                path: String::new(),
            },
            _ => StoreError::Sqlite(e),
        }
    }
}

/// The shared orchestration's refusals, in the desktop's words.
impl From<Refusal> for StoreError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::NotFound(id) => StoreError::NotFound {
                what: format!("交办记录 {id}"),
            },
            // The domain's own words for it (this PC holds one unit's cases).
            Refusal::Forbidden(action) => WorkflowError::OtherUnit { action }.into(),
            // The screens never offer these as bare actions; a caller that
            // tries is told which way they go.
            Refusal::Unsigned(label) | Refusal::NotAnAction(_, label) => StoreError::Data(format!(
                "“{label}”须通过保存稿件、登记沟通联系或签名审核完成"
            )),
            Refusal::Malformed(message) => StoreError::Data(message),
            r @ (Refusal::WrongStep { .. }
            | Refusal::StaleRound { .. }
            | Refusal::AlreadyDecided) => StoreError::Data(r.to_string()),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Data(e.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

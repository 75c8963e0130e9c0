//! The one boundary error: every failure leaves the server as
//! `{code, message}` with a fitting HTTP status. Codes are stable; messages
//! are Chinese and say what to do.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use jianban_domain::validate::InputError;
use jianban_domain::WorkflowError;
use jianban_protocol::{ErrorBody, RowError};

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("登录已失效，请重新登录。")]
    Unauthenticated { code: &'static str },
    /// Logging in or staying logged in refused for a reason the user must
    /// hear (account disabled, device revoked, session ended): 401 with its
    /// own code and words.
    #[error("{message}")]
    AuthRefused { code: &'static str, message: String },
    #[error("您的密码已由市政府办公室重置，请先在“设置”中修改密码，之后才能继续使用建办。")]
    MustChangePassword,
    #[error("用户名或密码错误，请检查后重试；15分钟内连续失败10次将暂时锁定账号。")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("该接口不支持此请求方法，请检查客户端版本。")]
    MethodNotAllowed,
    #[error("{0}不存在，请刷新后重试。")]
    NotFound(String),
    #[error("{0}已存在，请勿重复添加。")]
    Duplicate(String),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("同步序号不连续：服务器期待第{expected}条命令。请从该序号起重新上传。")]
    SequenceGap { expected: i64 },
    #[error("{message}")]
    TooLarge { code: &'static str, message: String },
    #[error("{message}")]
    Import {
        code: &'static str,
        message: String,
        errors: Vec<RowError>,
    },
    #[error("登录失败次数过多，账号已暂时锁定，请于{until}后再试，或联系管理员。")]
    Locked { until: String },
    #[error("从您这台电脑所在的网络地址登录失败的次数过多，已暂停从该地址登录，请于{until}后再试；如急需登录，请联系办公室。")]
    AddressLocked { until: String },
    #[error("此设备编号已登记在其他用户名下，不能用您的账号在这台电脑上登录。请联系市政府办公室将该设备转到您的名下。")]
    DeviceTaken,
    #[error("客户端版本过旧，请升级建办到最新版本后再同步。")]
    UpgradeRequired,
    #[error("服务器正忙，请稍等几秒后重试。")]
    Busy,
    #[error("服务器内部错误，请稍后重试；如反复出现，请联系管理员并提供时间点。")]
    Internal(String),
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } => code,
            ApiError::Unauthenticated { code } => code,
            ApiError::AuthRefused { code, .. } => code,
            ApiError::MustChangePassword => "auth.must_change_password",
            ApiError::InvalidCredentials => "auth.invalid_credentials",
            ApiError::Forbidden(_) => "auth.forbidden",
            ApiError::MethodNotAllowed => "request.method_not_allowed",
            ApiError::NotFound(_) => "not_found",
            ApiError::Duplicate(_) => "duplicate",
            ApiError::Workflow(e) => e.code(),
            ApiError::Input(e) => e.code(),
            ApiError::Conflict { code, .. } => code,
            ApiError::SequenceGap { .. } => "sync.sequence_gap",
            ApiError::TooLarge { code, .. } => code,
            ApiError::Import { code, .. } => code,
            ApiError::Locked { .. } => "auth.locked",
            ApiError::AddressLocked { .. } => "auth.address_locked",
            ApiError::DeviceTaken => "auth.device_taken",
            ApiError::UpgradeRequired => "protocol.upgrade_required",
            ApiError::Busy => "server.busy",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated { .. }
            | ApiError::AuthRefused { .. }
            | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::MustChangePassword => StatusCode::FORBIDDEN,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Duplicate(_) | ApiError::Workflow(_) | ApiError::Conflict { .. } => {
                StatusCode::CONFLICT
            }
            ApiError::SequenceGap { .. } => StatusCode::CONFLICT,
            ApiError::Input(_) | ApiError::Import { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Locked { .. } | ApiError::AddressLocked { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::DeviceTaken => StatusCode::FORBIDDEN,
            ApiError::UpgradeRequired => StatusCode::UPGRADE_REQUIRED,
            ApiError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let mut body = ErrorBody::new(self.code(), self.to_string());
        match self {
            ApiError::SequenceGap { expected } => body.expected = Some(*expected),
            ApiError::Import { errors, .. } => body.errors = Some(errors.clone()),
            _ => {}
        }
        body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            // The detail stays in the log; the client gets the code only.
            tracing::error!(%detail, "internal error");
        }
        (self.status(), Json(self.body())).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

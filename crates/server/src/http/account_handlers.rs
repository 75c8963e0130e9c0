//! The account lifecycle's endpoints: a user changes their own password;
//! the office disables, enables, unlocks and resets accounts, lists and
//! revokes devices, and sets the session lifetime. Thin handlers over
//! `service::account_admin`.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::Json;

use jianban_protocol::{
    ChangePasswordRequest, DeviceInfo, DeviceQuery, ErrorBody, ResetPasswordRequest,
    SessionSettings, UserAccount, UserInfo,
};

use crate::error::{ApiError, ApiResult};
use crate::http::extract::{bearer_token, JsonBody, P, Q};
use crate::http::AppState;
use crate::service::Caller;

/// The caller of the one route still open while the office's reset asks
/// for a new password (every other route answers 403
/// `auth.must_change_password`).
pub struct PasswordChanger(Caller);

impl FromRequestParts<AppState> for PasswordChanger {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(parts)?;
        // The check reads the database: on the blocking pool.
        let caller = state
            .run(move |svc| svc.authenticate_to_change_password(&token))
            .await?;
        tracing::Span::current().record("user", caller.actor.user.as_str());
        Ok(PasswordChanger(caller))
    }
}

#[utoipa::path(post, path = "/v1/auth/password", tag = "auth", request_body = ChangePasswordRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "the user, must_change_password now false; the user's other devices are logged out", body = UserInfo),
        (status = 400, description = "auth.weak_password, auth.same_password, auth.wrong_password", body = ErrorBody),
        (status = 401, description = "auth.account_disabled, auth.device_revoked, auth.token_expired …", body = ErrorBody),
        (status = 429, description = "auth.locked: too many wrong passwords", body = ErrorBody),
        (status = 503, description = "server.busy", body = ErrorBody)))]
pub async fn change_password(
    State(s): State<AppState>,
    PasswordChanger(caller): PasswordChanger,
    JsonBody(req): JsonBody<ChangePasswordRequest>,
) -> ApiResult<Json<UserInfo>> {
    s.run(move |svc| svc.change_password(&caller, &req))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/v1/office/users/{id}/disable", tag = "office",
    params(("id" = String, Path, description = "用户名")), security(("bearer" = [])),
    responses((status = 200, body = UserAccount),
        (status = 400, description = "auth.disable_self", body = ErrorBody),
        (status = 403, description = "auth.forbidden: not the office", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn disable_user(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
) -> ApiResult<Json<UserAccount>> {
    s.run(move |svc| svc.disable_user(&caller.actor, &id))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/v1/office/users/{id}/enable", tag = "office",
    params(("id" = String, Path, description = "用户名")), security(("bearer" = [])),
    responses((status = 200, body = UserAccount),
        (status = 403, description = "auth.forbidden: not the office", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn enable_user(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
) -> ApiResult<Json<UserAccount>> {
    s.run(move |svc| svc.enable_user(&caller.actor, &id))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/v1/office/users/{id}/unlock", tag = "office",
    params(("id" = String, Path, description = "用户名")), security(("bearer" = [])),
    responses((status = 200, description = "the account's failed logins are forgotten", body = UserAccount),
        (status = 403, description = "auth.forbidden: not the office", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn unlock_user(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
) -> ApiResult<Json<UserAccount>> {
    s.run(move |svc| svc.unlock_user(&caller.actor, &id))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/v1/office/users/{id}/reset-password", tag = "office",
    params(("id" = String, Path, description = "用户名")), request_body = ResetPasswordRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "must_change_password is set; the user's sessions ended", body = UserAccount),
        (status = 400, description = "auth.weak_password", body = ErrorBody),
        (status = 403, description = "auth.forbidden: not the office", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn reset_password(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
    JsonBody(req): JsonBody<ResetPasswordRequest>,
) -> ApiResult<Json<UserAccount>> {
    s.run(move |svc| svc.reset_password(&caller.actor, &id, &req.password))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/v1/office/devices", tag = "office", params(DeviceQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<DeviceInfo>),
        (status = 403, description = "auth.forbidden: not the office", body = ErrorBody)))]
pub async fn list_devices(
    State(s): State<AppState>,
    caller: Caller,
    Q(q): Q<DeviceQuery>,
) -> ApiResult<Json<Vec<DeviceInfo>>> {
    s.run(move |svc| svc.list_devices(&caller.actor, &q))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/v1/office/devices/{id}/revoke", tag = "office",
    params(("id" = String, Path, description = "设备编号")), security(("bearer" = [])),
    responses((status = 200, description = "revoked for good: its tokens stop, its id cannot log in again", body = DeviceInfo),
        (status = 403, description = "auth.forbidden: not the office", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn revoke_device(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
) -> ApiResult<Json<DeviceInfo>> {
    s.run(move |svc| svc.revoke_device(&caller.actor, &id))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/v1/office/settings/session", tag = "office",
    security(("bearer" = [])),
    responses((status = 200, body = SessionSettings),
        (status = 403, description = "auth.forbidden: not the office", body = ErrorBody)))]
pub async fn session_settings(
    State(s): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<SessionSettings>> {
    s.run(move |svc| svc.session_settings(&caller.actor))
        .await
        .map(Json)
}

#[utoipa::path(put, path = "/v1/office/settings/session", tag = "office",
    request_body = SessionSettings, security(("bearer" = [])),
    responses((status = 200, body = SessionSettings),
        (status = 400, description = "settings.session_lifetime: not 1–365 days", body = ErrorBody),
        (status = 403, description = "auth.forbidden: not the office", body = ErrorBody)))]
pub async fn set_session_settings(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<SessionSettings>,
) -> ApiResult<Json<SessionSettings>> {
    s.run(move |svc| svc.set_session_settings(&caller.actor, &req))
        .await
        .map(Json)
}

//! One handler per endpoint: extract, delegate to the service, answer.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use jianban_domain::calendar::CalendarFile;
use jianban_domain::Action;
use jianban_protocol::*;

use crate::error::{ApiError, ApiResult};
use crate::http::extract::{AuthJson, JsonBody, OfficeCaller, RawBody, P, Q};
use crate::http::AppState;
use crate::service::Caller;

#[utoipa::path(get, path = "/healthz", tag = "meta",
    responses((status = 200, body = Health)))]
pub async fn healthz(State(s): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        protocol: PROTOCOL_VERSION,
        database: s.svc.db.dialect().name().into(),
    })
}

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::http::openapi::document())
}

#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse),
        (status = 401, description = "auth.invalid_credentials", body = ErrorBody),
        (status = 429, description = "auth.locked: 10 failures for the account in 15 minutes; auth.address_locked: 50 failures from the client address in 15 minutes", body = ErrorBody),
        (status = 503, description = "server.busy: too many password checks waiting", body = ErrorBody)))]
pub async fn login(
    State(s): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    AuthJson(req): AuthJson<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    // The peer of the TCP connection: the server has no trusted proxy in
    // front of it, so a forwarded-for header would be the client's word.
    let address = peer.ip().to_canonical().to_string();
    s.run(move |svc| svc.login(&req, &address)).await.map(Json)
}

#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody)))]
pub async fn refresh(
    State(s): State<AppState>,
    AuthJson(req): AuthJson<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    s.run(move |svc| svc.refresh(&req.refresh_token))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/v1/auth/keys", tag = "auth", request_body = RegisterKeyRequest,
    security(("bearer" = [])),
    responses((status = 200, body = KeyReceipt),
        (status = 400, description = "signoff.bad_key", body = ErrorBody),
        (status = 403, description = "auth.forbidden: not an approver", body = ErrorBody)))]
pub async fn register_key(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<RegisterKeyRequest>,
) -> ApiResult<Json<KeyReceipt>> {
    s.run(move |svc| svc.register_key(&caller, &req))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/v1/auth/keys/revoke", tag = "auth", request_body = RevokeOwnKeyRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "revoked (or revoked before: the first revocation is answered); decisions the server received before it still count", body = KeyInfo),
        (status = 400, description = "keys.reason_required or keys.reason_too_long", body = ErrorBody),
        (status = 403, description = "auth.forbidden: the key is another person's", body = ErrorBody),
        (status = 404, description = "not_found: no such key registered", body = ErrorBody)))]
pub async fn revoke_own_key(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<RevokeOwnKeyRequest>,
) -> ApiResult<Json<KeyInfo>> {
    s.run(move |svc| svc.revoke_own_key(&caller, &req))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/v1/office/keys/revoke", tag = "office", request_body = RevokeKeyRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "revoked (or revoked before: the first revocation is answered); decisions the server received before it still count", body = KeyInfo),
        (status = 400, description = "keys.reason_required or keys.reason_too_long", body = ErrorBody),
        (status = 403, description = "auth.forbidden: not the office", body = ErrorBody),
        (status = 404, description = "not_found: no such key registered for the user", body = ErrorBody)))]
pub async fn revoke_key(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<RevokeKeyRequest>,
) -> ApiResult<Json<KeyInfo>> {
    s.run(move |svc| svc.revoke_key(&caller.actor, &req))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/v1/keys", tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, description = "the registered signing keys (the office: all; others: their unit's), with revocations", body = Vec<KeyInfo>)))]
pub async fn list_keys(State(s): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<KeyInfo>>> {
    s.run(move |svc| svc.list_keys(&caller)).await.map(Json)
}

#[utoipa::path(post, path = "/v1/sync/push", tag = "sync", request_body = PushRequest,
    security(("bearer" = [])),
    responses((status = 200, body = PushResponse),
        (status = 409, description = "sync.sequence_gap (commands before the gap were applied) or sync.seq_reused (a used sequence number with another command id: nothing applied; re-register as a new device and resend)", body = ErrorBody),
        (status = 413, description = "sync.batch_too_large or request.too_large: nothing applied", body = ErrorBody)))]
pub async fn push(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<PushRequest>,
) -> ApiResult<Json<PushResponse>> {
    let outcome = s.run(move |svc| svc.push(&caller, &req)).await?;
    match outcome.gap {
        Some(expected) => Err(ApiError::SequenceGap { expected }),
        None => Ok(Json(outcome.response)),
    }
}

#[utoipa::path(get, path = "/v1/sync/changes", tag = "sync", params(ChangesQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ChangesResponse)))]
pub async fn changes(
    State(s): State<AppState>,
    caller: Caller,
    Q(q): Q<ChangesQuery>,
) -> ApiResult<Json<ChangesResponse>> {
    s.run(move |svc| svc.changes(&caller, q.after, q.limit))
        .await
        .map(Json)
}

#[utoipa::path(put, path = "/v1/documents/{sha256}", tag = "documents",
    params(("sha256" = String, Path, description = "SHA-256 of the body, lower-case hex"),
        ("X-Jianban-Assignment" = String, Header, description = "the assignment the document answers")),
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    security(("bearer" = [])),
    responses((status = 200, body = DocumentReceipt),
        (status = 400, description = "document.hash_mismatch, document.empty, or document.type: not a PDF, OFD, DOC/DOCX, XLS/XLSX, JPG or PNG by its content", body = ErrorBody),
        (status = 413, description = "document.too_large (over 20 MiB) or document.case_quota (the assignment's documents over 100 MiB)", body = ErrorBody)))]
pub async fn put_document(
    State(s): State<AppState>,
    caller: Caller,
    P(sha): P<String>,
    headers: HeaderMap,
    RawBody(body): RawBody<MAX_FILE_BODY>,
) -> ApiResult<Json<DocumentReceipt>> {
    let assignment = headers
        .get(ASSIGNMENT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::bad_request(
                "document.no_assignment",
                format!("请在请求头{ASSIGNMENT_HEADER}中注明文件所属的交办记录。"),
            )
        })?;
    s.run(move |svc| svc.put_document(&caller, &sha, &assignment, &body))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/v1/documents/{sha256}", tag = "documents",
    params(("sha256" = String, Path)), security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_document(
    State(s): State<AppState>,
    caller: Caller,
    P(sha): P<String>,
) -> ApiResult<Response> {
    let bytes = s.run(move |svc| svc.get_document(&caller, &sha)).await?;
    Ok(([(header::CONTENT_TYPE, "application/pdf")], bytes).into_response())
}

#[utoipa::path(post, path = "/v1/office/import", tag = "office", params(ImportQuery),
    request_body(content = Vec<u8>, description = ".xlsx or UTF-8 CSV; columns in the crate README",
        content_type = "text/csv"),
    security(("bearer" = [])),
    responses((status = 200, body = ImportReport),
        (status = 422, description = "import.columns, import.bad_rows, import.empty: nothing imported", body = ErrorBody)))]
pub async fn import(
    State(s): State<AppState>,
    OfficeCaller(caller): OfficeCaller,
    Q(q): Q<ImportQuery>,
    RawBody(body): RawBody<MAX_FILE_BODY>,
) -> ApiResult<Json<ImportReport>> {
    s.run(move |svc| svc.import_suggestions(&caller.actor, &q, &body))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/v1/office/pre-assign", tag = "office", request_body = AssignRequest,
    security(("bearer" = [])), responses((status = 200, body = AssignResponse),
        (status = 404, description = "not_found: no such suggestion or unit", body = ErrorBody)))]
pub async fn pre_assign(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<AssignRequest>,
) -> ApiResult<Json<AssignResponse>> {
    s.run(move |svc| svc.pre_assign(&caller.actor, &req))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/v1/office/assign", tag = "office", request_body = AssignRequest,
    security(("bearer" = [])), responses((status = 200, body = AssignResponse),
        (status = 404, description = "not_found: no such suggestion or unit", body = ErrorBody)))]
pub async fn assign(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<AssignRequest>,
) -> ApiResult<Json<AssignResponse>> {
    s.run(move |svc| svc.assign(&caller.actor, &req))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/v1/office/assignments", tag = "office", params(AssignmentQuery),
    security(("bearer" = [])), responses((status = 200, body = AssignmentList)))]
pub async fn list_assignments(
    State(s): State<AppState>,
    caller: Caller,
    Q(q): Q<AssignmentQuery>,
) -> ApiResult<Json<AssignmentList>> {
    s.run(move |svc| svc.list_assignments(&caller.actor, &q))
        .await
        .map(Json)
}

async fn act(
    s: AppState,
    caller: Caller,
    id: String,
    action: Action,
) -> ApiResult<Json<AssignmentSnapshot>> {
    s.run(move |svc| svc.office_action(&caller.actor, &id, &action))
        .await
        .map(Json)
}

#[utoipa::path(post, path = "/v1/office/assignments/{id}/decide-adjustment", tag = "office",
    params(("id" = String, Path)), request_body = DecideAdjustmentRequest, security(("bearer" = [])),
    responses((status = 200, body = AssignmentSnapshot), (status = 409, description = "workflow.*", body = ErrorBody),
        (status = 404, description = "not_found: no such assignment", body = ErrorBody)))]
pub async fn decide_adjustment(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
    JsonBody(r): JsonBody<DecideAdjustmentRequest>,
) -> ApiResult<Json<AssignmentSnapshot>> {
    act(
        s,
        caller,
        id,
        Action::DecideAdjustment {
            approved: r.approved,
            comment: r.comment,
        },
    )
    .await
}

#[utoipa::path(post, path = "/v1/office/assignments/{id}/extension", tag = "office",
    params(("id" = String, Path)), request_body = ExtensionRequest, security(("bearer" = [])),
    responses((status = 200, body = AssignmentSnapshot), (status = 409, body = ErrorBody),
        (status = 404, description = "not_found: no such assignment", body = ErrorBody)))]
pub async fn grant_extension(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
    JsonBody(r): JsonBody<ExtensionRequest>,
) -> ApiResult<Json<AssignmentSnapshot>> {
    act(
        s,
        caller,
        id,
        Action::GrantExtension {
            until: r.until,
            reason: r.reason,
        },
    )
    .await
}

#[utoipa::path(post, path = "/v1/office/assignments/{id}/extension/decline", tag = "office",
    params(("id" = String, Path)), request_body = DeclineExtensionRequest, security(("bearer" = [])),
    responses((status = 200, body = AssignmentSnapshot), (status = 409, body = ErrorBody),
        (status = 404, description = "not_found: no such assignment", body = ErrorBody)))]
pub async fn decline_extension(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
    JsonBody(r): JsonBody<DeclineExtensionRequest>,
) -> ApiResult<Json<AssignmentSnapshot>> {
    act(
        s,
        caller,
        id,
        Action::DeclineExtension { comment: r.comment },
    )
    .await
}

#[utoipa::path(post, path = "/v1/office/assignments/{id}/urge", tag = "office",
    params(("id" = String, Path)), request_body = UrgeRequest, security(("bearer" = [])),
    responses((status = 200, body = AssignmentSnapshot), (status = 409, body = ErrorBody),
        (status = 404, description = "not_found: no such assignment", body = ErrorBody)))]
pub async fn urge(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
    JsonBody(r): JsonBody<UrgeRequest>,
) -> ApiResult<Json<AssignmentSnapshot>> {
    act(s, caller, id, Action::Urge { message: r.message }).await
}

#[utoipa::path(post, path = "/v1/office/assignments/{id}/return", tag = "office",
    params(("id" = String, Path)), request_body = ReturnRequest, security(("bearer" = [])),
    responses((status = 200, body = AssignmentSnapshot), (status = 409, body = ErrorBody),
        (status = 404, description = "not_found: no such assignment", body = ErrorBody)))]
pub async fn return_reply(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
    JsonBody(r): JsonBody<ReturnRequest>,
) -> ApiResult<Json<AssignmentSnapshot>> {
    act(s, caller, id, Action::Return { reasons: r.reasons }).await
}

#[utoipa::path(post, path = "/v1/office/assignments/{id}/evaluation", tag = "office",
    params(("id" = String, Path)), request_body = EvaluationRequest, security(("bearer" = [])),
    responses((status = 200, body = AssignmentSnapshot), (status = 409, body = ErrorBody),
        (status = 404, description = "not_found: no such assignment", body = ErrorBody)))]
pub async fn record_evaluation(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
    JsonBody(r): JsonBody<EvaluationRequest>,
) -> ApiResult<Json<AssignmentSnapshot>> {
    act(
        s,
        caller,
        id,
        Action::RecordEvaluation {
            evaluation: r.evaluation,
        },
    )
    .await
}

#[utoipa::path(post, path = "/v1/office/assignments/{id}/conclude", tag = "office",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = AssignmentSnapshot), (status = 409, body = ErrorBody),
        (status = 404, description = "not_found: no such assignment", body = ErrorBody)))]
pub async fn conclude(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
) -> ApiResult<Json<AssignmentSnapshot>> {
    act(s, caller, id, Action::Conclude).await
}

#[utoipa::path(post, path = "/v1/office/assignments/{id}/reopen", tag = "office",
    params(("id" = String, Path)), request_body = ReopenRequest, security(("bearer" = [])),
    responses((status = 200, body = AssignmentSnapshot), (status = 409, body = ErrorBody),
        (status = 404, description = "not_found: no such assignment", body = ErrorBody)))]
pub async fn reopen(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
    JsonBody(r): JsonBody<ReopenRequest>,
) -> ApiResult<Json<AssignmentSnapshot>> {
    act(s, caller, id, Action::Reopen { reason: r.reason }).await
}

#[utoipa::path(put, path = "/v1/office/calendar", tag = "office",
    request_body(content = Object, description = "calendar file, format jianban-holiday-calendar/1"),
    security(("bearer" = [])),
    responses((status = 204), (status = 400, description = "calendar.invalid", body = ErrorBody)))]
pub async fn publish_calendar(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(file): JsonBody<CalendarFile>,
) -> ApiResult<StatusCode> {
    s.run(move |svc| svc.publish_calendar(&caller.actor, &file))
        .await
        .map(|_| StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/v1/office/units", tag = "office", request_body = NewUnit,
    security(("bearer" = [])), responses((status = 204), (status = 409, description = "duplicate", body = ErrorBody)))]
pub async fn add_unit(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(u): JsonBody<NewUnit>,
) -> ApiResult<StatusCode> {
    s.run(move |svc| {
        require_office(&caller)?;
        svc.add_unit(&caller.actor, &u)
    })
    .await
    .map(|_| StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/v1/office/devices/{id}/move", tag = "office",
    params(("id" = String, Path, description = "the device id")),
    request_body = MoveDevice,
    security(("bearer" = [])),
    responses((status = 204, description = "the device now belongs to the user; the previous user's sessions on it ended"),
        (status = 403, description = "auth.forbidden: not office staff", body = ErrorBody),
        (status = 404, description = "not_found: no such device or user", body = ErrorBody)))]
pub async fn move_device(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
    JsonBody(m): JsonBody<MoveDevice>,
) -> ApiResult<StatusCode> {
    s.run(move |svc| svc.move_device(&caller.actor, &id, &m.user_id))
        .await
        .map(|_| StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/v1/office/users", tag = "office", request_body = NewUser,
    security(("bearer" = [])), responses((status = 204), (status = 409, body = ErrorBody)))]
pub async fn add_user(
    State(s): State<AppState>,
    caller: Caller,
    JsonBody(u): JsonBody<NewUser>,
) -> ApiResult<StatusCode> {
    s.run(move |svc| {
        require_office(&caller)?;
        svc.add_user(&caller.actor, &u)
    })
    .await
    .map(|_| StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/office/audit", tag = "office", params(AuditQuery),
    security(("bearer" = [])), responses((status = 200, body = Vec<AuditLine>)))]
pub async fn audit_log(
    State(s): State<AppState>,
    caller: Caller,
    Q(q): Q<AuditQuery>,
) -> ApiResult<Json<Vec<AuditLine>>> {
    s.run(move |svc| svc.audit_log(&caller.actor, &q))
        .await
        .map(Json)
}

fn require_office(caller: &Caller) -> ApiResult<()> {
    if caller.is_office() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "只有市政府办公室工作人员可以进行此操作。".into(),
        ))
    }
}

#[utoipa::path(get, path = "/v1/units/{id}/approval-chain", tag = "units",
    params(("id" = String, Path, description = "承办单位编号")),
    security(("bearer" = [])),
    responses((status = 200, body = ApprovalChain),
        (status = 403, description = "another unit", body = ErrorBody),
        (status = 404, description = "no such unit", body = ErrorBody)))]
pub async fn get_approval_chain(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
) -> ApiResult<Json<ApprovalChain>> {
    s.run(move |svc| svc.approval_chain(&caller.actor, &id))
        .await
        .map(Json)
}

#[utoipa::path(put, path = "/v1/units/{id}/approval-chain", tag = "units",
    params(("id" = String, Path, description = "承办单位编号")),
    request_body = SetApprovalChainRequest, security(("bearer" = [])),
    responses((status = 200, body = ApprovalChain),
        (status = 403, description = "not the unit's head nor the office", body = ErrorBody),
        (status = 409, description = "workflow.invalid_chain", body = ErrorBody)))]
pub async fn set_approval_chain(
    State(s): State<AppState>,
    caller: Caller,
    P(id): P<String>,
    JsonBody(req): JsonBody<SetApprovalChainRequest>,
) -> ApiResult<Json<ApprovalChain>> {
    s.run(move |svc| svc.set_approval_chain(&caller.actor, &id, &req.steps))
        .await
        .map(Json)
}

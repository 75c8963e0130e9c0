//! The HTTP boundary: routes, the protocol-version check, body limits,
//! tracing spans, and the mapping of every refusal to `{code, message}`.
//! Handlers are thin: they extract, call the service on the blocking pool,
//! and wrap the answer.

mod account_handlers;
mod extract;
mod handlers;
pub mod openapi;
mod stats_handlers;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use jianban_protocol::{
    MAX_FILE_BODY, MAX_JSON_BODY, MIN_PROTOCOL_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION,
};

use crate::error::{ApiError, ApiResult};
use crate::service::Service;

pub use extract::parse_json;

#[derive(Clone)]
pub struct AppState {
    pub svc: Arc<Service>,
}

impl AppState {
    /// Runs a service call on the blocking pool (the database calls block),
    /// inside the request's span.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Service) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let svc = self.svc.clone();
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(|| f(&svc)))
            .await
            .map_err(|e| ApiError::Internal(format!("worker failed: {e}")))?
    }
}

/// Refuses a request without a protocol version the server speaks.
async fn check_protocol(req: Request, next: Next) -> Response {
    let version = req
        .headers()
        .get(PROTOCOL_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u32>().ok());
    match version {
        Some(v) if (MIN_PROTOCOL_VERSION..=PROTOCOL_VERSION).contains(&v) => next.run(req).await,
        Some(v) if v > PROTOCOL_VERSION => ApiError::bad_request(
            "protocol.server_too_old",
            format!(
                "客户端协议版本{v}比服务器支持的{PROTOCOL_VERSION}新，请联系管理员升级服务器。"
            ),
        )
        .into_response(),
        _ => ApiError::UpgradeRequired.into_response(),
    }
}

async fn not_found() -> ApiError {
    ApiError::NotFound("请求的接口".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Internal("handler panicked".into()).into_response()
}

pub fn router(state: AppState) -> Router {
    use handlers::*;
    // The extractors enforce the limits themselves (JSON 8 MiB, files
    // 32 MiB); these layers only lift axum's own 2 MB default out of the way.
    let json = || DefaultBodyLimit::max(MAX_JSON_BODY);
    let file = || DefaultBodyLimit::max(MAX_FILE_BODY);
    // Login and refresh read at most `extract::MAX_AUTH_BODY`.
    let auth = || DefaultBodyLimit::max(extract::MAX_AUTH_BODY);
    let v1 = Router::new()
        .route("/auth/login", post(login).layer(auth()))
        .route("/auth/refresh", post(refresh).layer(auth()))
        .route("/auth/keys", post(register_key).layer(json()))
        .route("/auth/keys/revoke", post(revoke_own_key).layer(json()))
        .route("/keys", get(list_keys))
        .route("/office/keys/revoke", post(revoke_key).layer(json()))
        .route(
            "/auth/password",
            post(account_handlers::change_password).layer(json()),
        )
        .route(
            "/units/{id}/approval-chain",
            get(get_approval_chain)
                .put(set_approval_chain)
                .layer(json()),
        )
        .route("/sync/push", post(push).layer(json()))
        .route("/sync/changes", get(changes))
        .route(
            "/documents/{sha256}",
            put(put_document).layer(file()).get(get_document),
        )
        .route("/office/import", post(import).layer(file()))
        .route("/office/pre-assign", post(pre_assign).layer(json()))
        .route("/office/assign", post(assign).layer(json()))
        .route("/office/assignments", get(list_assignments))
        .route(
            "/office/assignments/{id}/decide-adjustment",
            post(decide_adjustment).layer(json()),
        )
        .route(
            "/office/assignments/{id}/extension",
            post(grant_extension).layer(json()),
        )
        .route(
            "/office/assignments/{id}/extension/decline",
            post(decline_extension).layer(json()),
        )
        .route("/office/assignments/{id}/urge", post(urge).layer(json()))
        .route(
            "/office/assignments/{id}/return",
            post(return_reply).layer(json()),
        )
        .route(
            "/office/assignments/{id}/evaluation",
            post(record_evaluation).layer(json()),
        )
        .route(
            "/office/assignments/{id}/conclude",
            post(conclude).layer(json()),
        )
        .route(
            "/office/assignments/{id}/reopen",
            post(reopen).layer(json()),
        )
        .route("/office/calendar", put(publish_calendar).layer(json()))
        .route("/office/units", post(add_unit).layer(json()))
        .route("/office/users", post(add_user).layer(json()))
        .route("/office/devices/{id}/move", post(move_device).layer(json()))
        .route(
            "/office/users/{id}/disable",
            post(account_handlers::disable_user),
        )
        .route(
            "/office/users/{id}/enable",
            post(account_handlers::enable_user),
        )
        .route(
            "/office/users/{id}/unlock",
            post(account_handlers::unlock_user),
        )
        .route(
            "/office/users/{id}/reset-password",
            post(account_handlers::reset_password).layer(json()),
        )
        .route("/office/devices", get(account_handlers::list_devices))
        .route(
            "/office/devices/{id}/revoke",
            post(account_handlers::revoke_device),
        )
        .route(
            "/office/settings/session",
            get(account_handlers::session_settings)
                .put(account_handlers::set_session_settings)
                .layer(json()),
        )
        .route("/office/audit", get(audit_log))
        .route("/stats", get(stats_handlers::stats))
        .route("/stats/report", get(stats_handlers::stats_report))
        .route("/stats/ledger.xlsx", get(stats_handlers::stats_ledger))
        .route(
            "/stats/figures.xlsx",
            get(stats_handlers::stats_figures_xlsx),
        )
        .route(
            "/import/xlsx",
            post(stats_handlers::import_xlsx).layer(file()),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(middleware::from_fn(check_protocol));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi_json))
        .nest("/v1", v1)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            tracing::info_span!(
                "request",
                method = %req.method(),
                path = %req.uri().path(),
                user = tracing::field::Empty,
            )
        }))
        .with_state(state)
}

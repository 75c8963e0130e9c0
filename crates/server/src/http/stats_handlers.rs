//! Statistics, report, Excel out and Excel in: thin handlers over
//! `service::stats`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;

use jianban_protocol::*;

use crate::error::ApiResult;
use crate::http::extract::{OfficeCaller, RawBody, Q};
use crate::http::AppState;
use crate::service::Caller;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn xlsx(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[utoipa::path(get, path = "/v1/stats", tag = "stats", params(StatsQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "jianban_stats::Figures: counts by state, role, result category and evaluation with shares adding up to 100.00%, rates, overdue list, key suggestions, per-unit lines", body = Object),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn stats(
    State(s): State<AppState>,
    caller: Caller,
    Q(q): Q<StatsQuery>,
) -> ApiResult<Response> {
    let f = s.run(move |svc| svc.stats(&caller.actor, &q)).await?;
    Ok(Json(f).into_response())
}

#[utoipa::path(get, path = "/v1/stats/report", tag = "stats", params(StatsQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ReportDraft), (status = 403, body = ErrorBody),
        (status = 404, description = "not_found: no such session", body = ErrorBody)))]
pub async fn stats_report(
    State(s): State<AppState>,
    caller: Caller,
    Q(q): Q<StatsQuery>,
) -> ApiResult<Json<ReportDraft>> {
    s.run(move |svc| svc.stats_report(&caller.actor, &q))
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/v1/stats/ledger.xlsx", tag = "stats", params(StatsQuery),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 403, body = ErrorBody),
        (status = 404, description = "not_found: no such session", body = ErrorBody)))]
pub async fn stats_ledger(
    State(s): State<AppState>,
    caller: Caller,
    Q(q): Q<StatsQuery>,
) -> ApiResult<Response> {
    let bytes = s
        .run(move |svc| svc.stats_ledger(&caller.actor, &q))
        .await?;
    Ok(xlsx(bytes, "ledger.xlsx"))
}

#[utoipa::path(get, path = "/v1/stats/figures.xlsx", tag = "stats", params(StatsQuery),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 403, body = ErrorBody),
        (status = 404, description = "not_found: no such session", body = ErrorBody)))]
pub async fn stats_figures_xlsx(
    State(s): State<AppState>,
    caller: Caller,
    Q(q): Q<StatsQuery>,
) -> ApiResult<Response> {
    let bytes = s
        .run(move |svc| svc.stats_figures_xlsx(&caller.actor, &q))
        .await?;
    Ok(xlsx(bytes, "figures.xlsx"))
}

#[utoipa::path(post, path = "/v1/import/xlsx", tag = "office", params(XlsxImportQuery),
    request_body(content = Vec<u8>, description = "the .xlsx file",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    security(("bearer" = [])),
    responses((status = 200, body = XlsxImportReport),
        (status = 422, description = "import.columns, import.bad_rows (every bad row listed), import.unreadable: nothing imported", body = ErrorBody)))]
pub async fn import_xlsx(
    State(s): State<AppState>,
    OfficeCaller(caller): OfficeCaller,
    Q(q): Q<XlsxImportQuery>,
    RawBody(body): RawBody<MAX_FILE_BODY>,
) -> ApiResult<Json<XlsxImportReport>> {
    s.run(move |svc| svc.import_xlsx(&caller.actor, &q, &body))
        .await
        .map(Json)
}

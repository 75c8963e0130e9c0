//! The OpenAPI 3 document, generated from the handlers and the protocol
//! crate's types (served at `/openapi.json`).

use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr};
use utoipa::{Modify, OpenApi};

use super::account_handlers;
use super::handlers;
use super::stats_handlers;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "建办 central server API",
        description = "Protocol version 1. Every /v1 request carries `X-Jianban-Protocol: 1`; every error is `{code, message}`."
    ),
    paths(
        handlers::healthz,
        handlers::login,
        handlers::refresh,
        handlers::register_key,
        handlers::revoke_own_key,
        handlers::list_keys,
        handlers::revoke_key,
        account_handlers::change_password,
        handlers::get_approval_chain,
        handlers::set_approval_chain,
        handlers::push,
        handlers::changes,
        handlers::put_document,
        handlers::get_document,
        handlers::import,
        handlers::pre_assign,
        handlers::assign,
        handlers::list_assignments,
        handlers::decide_adjustment,
        handlers::grant_extension,
        handlers::decline_extension,
        handlers::urge,
        handlers::return_reply,
        handlers::record_evaluation,
        handlers::conclude,
        handlers::reopen,
        handlers::publish_calendar,
        handlers::add_unit,
        handlers::add_user,
        handlers::move_device,
        account_handlers::disable_user,
        account_handlers::enable_user,
        account_handlers::unlock_user,
        account_handlers::reset_password,
        account_handlers::list_devices,
        account_handlers::revoke_device,
        account_handlers::session_settings,
        account_handlers::set_session_settings,
        handlers::audit_log,
        stats_handlers::stats,
        stats_handlers::stats_report,
        stats_handlers::stats_ledger,
        stats_handlers::stats_figures_xlsx,
        stats_handlers::import_xlsx,
    ),
    components(schemas(
        jianban_protocol::SaveDraftPayload,
        jianban_protocol::RecordContactPayload,
        jianban_protocol::SignedDecisionPayload,
        jianban_protocol::Change,
        jianban_protocol::Entity,
        jianban_protocol::DraftData,
        jianban_protocol::OpinionData,
        jianban_protocol::NoticeData,
        jianban_protocol::NoticeKind,
        jianban_protocol::CommandStatus,
    )),
    modifiers(&Bearer, &CommonErrors)
)]
struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The answers every route can give besides its own, added where a route
/// does not list them itself: a malformed query, path or header (400), a
/// missing or expired token on a route that needs one (401), a password the
/// office reset and the user has not changed yet (403), a body too
/// large (413) or not of the declared form (422), and an internal error
/// (500). The document then lists every status the server answers.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let has_body = op.request_body.is_some();
                let common = [
                    ("400", "请求的参数、路径或协议头有误", true),
                    ("401", "未登录或登录已失效", secured),
                    (
                        "403",
                        "auth.must_change_password：办公室重置了密码，须先修改密码",
                        secured,
                    ),
                    ("413", "请求内容过大", has_body),
                    ("422", "请求内容的格式不符", has_body),
                    ("500", "服务器内部错误", true),
                ];
                for (status, description, applies) in common {
                    if applies {
                        op.responses
                            .responses
                            .entry(status.to_owned())
                            .or_insert_with(|| error_response(description));
                    }
                }
            }
        }
    }
}

fn error_response(description: &str) -> RefOr<Response> {
    let body = Content::new(Some(Ref::from_schema_name("ErrorBody")));
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content("application/json", body)
            .build(),
    )
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

//! The OpenAPI 3 document, generated from the handlers and the protocol
//! crate's types (served at `/openapi.json`).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

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
    modifiers(&Bearer)
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

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

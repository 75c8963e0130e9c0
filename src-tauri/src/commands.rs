//! IPC commands: one-line delegations to [`jianban_desktop::api`]. Each must also be
//! listed in `command_names.rs` (to get an `allow-…` permission) and granted in
//! `capabilities/main.json`.

use tauri::{AppHandle, State};

use jianban_desktop::api;
use jianban_desktop::dto::*;
use jianban_desktop::error::CommandError;
use jianban_desktop::state::AppState;

type R<T> = Result<T, CommandError>;

/// 交办件列表 with each deadline's warning as of today.
#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn list_assignments(state: State<'_, AppState>) -> R<Vec<AssignmentRow>> {
    api::workbench::assignments(&state)
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn app_status(state: State<'_, AppState>) -> R<AppStatus> {
    api::auth::status(&state)
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, fields(user = %input.username), err(Debug))]
pub fn connect_server(state: State<'_, AppState>, input: ConnectInput) -> R<AppStatus> {
    api::auth::connect(&state, &input)
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn logout(state: State<'_, AppState>) -> R<AppStatus> {
    api::auth::logout(&state)
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn use_local_demo(state: State<'_, AppState>) -> R<AppStatus> {
    api::auth::use_local_demo(&state)
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, fields(user = %user_id), err(Debug))]
pub fn login_local(state: State<'_, AppState>, user_id: String, password: String) -> R<UserView> {
    api::auth::login_local(&state, &user_id, &password)
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn logout_local(state: State<'_, AppState>) -> R<AppStatus> {
    api::auth::logout_local(&state)
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn change_password(state: State<'_, AppState>, input: ChangePasswordInput) -> R<AppStatus> {
    api::auth::change_password(&state, &input)
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn workbench(state: State<'_, AppState>) -> R<Workbench> {
    api::workbench::workbench(&state)
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn search(state: State<'_, AppState>, query: String) -> R<Vec<SearchHitView>> {
    api::workbench::search(&state, &query)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err(Debug))]
pub fn case_detail(state: State<'_, AppState>, id: String) -> R<CaseDetail> {
    api::cases::detail(&state, &id)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err(Debug))]
pub fn receive(state: State<'_, AppState>, id: String) -> R<CaseDetail> {
    api::cases::receive(&state, &id)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, reason), err(Debug))]
pub fn request_adjustment(
    state: State<'_, AppState>,
    id: String,
    reason: String,
    suggested_unit: Option<String>,
) -> R<CaseDetail> {
    api::cases::request_adjustment(&state, &id, &reason, suggested_unit)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, reason), err(Debug))]
pub fn request_extension(
    state: State<'_, AppState>,
    id: String,
    until: String,
    reason: String,
) -> R<CaseDetail> {
    api::cases::request_extension(&state, &id, &until, &reason)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, input), err(Debug))]
pub fn add_contact(
    state: State<'_, AppState>,
    id: String,
    input: ContactInputView,
) -> R<CaseDetail> {
    api::cases::add_contact(&state, &id, &input)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err(Debug))]
pub fn submit_for_approval(state: State<'_, AppState>, id: String) -> R<CaseDetail> {
    api::cases::submit_for_approval(&state, &id)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err(Debug))]
pub fn submit_reply(state: State<'_, AppState>, id: String) -> R<CaseDetail> {
    api::cases::submit(&state, &id)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err(Debug))]
pub fn reply_draft(state: State<'_, AppState>, id: String) -> R<DraftView> {
    api::reply::draft(&state, &id)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err(Debug))]
pub fn reply_template(state: State<'_, AppState>, id: String, category: String) -> R<ReplyFields> {
    api::reply::template(&state, &id, &category)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, fields), err(Debug))]
pub fn save_draft(state: State<'_, AppState>, id: String, fields: ReplyFields) -> R<SavedDraft> {
    api::reply::save(&state, &id, &fields)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err(Debug))]
pub fn revisions(state: State<'_, AppState>, id: String) -> R<Vec<RevisionView>> {
    api::reply::revisions(&state, &id)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err(Debug))]
pub fn revision_fields(state: State<'_, AppState>, id: String, number: u32) -> R<ReplyFields> {
    api::reply::revision_fields(&state, &id, number)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err(Debug))]
pub fn restore_revision(state: State<'_, AppState>, id: String, number: u32) -> R<SavedDraft> {
    api::reply::restore(&state, &id, number)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, fields), err(Debug))]
pub fn preview(
    state: State<'_, AppState>,
    id: String,
    fields: Option<ReplyFields>,
) -> R<PreviewView> {
    api::reply::preview(&state, &id, fields.as_ref())
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err(Debug))]
pub fn approval_queue(state: State<'_, AppState>) -> R<Vec<ApprovalItem>> {
    api::approval::queue(&state)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, input), fields(id = %input.assignment_id, approve = input.approve), err(Debug))]
pub fn decide(state: State<'_, AppState>, input: DecideInput) -> R<Vec<DecisionView>> {
    api::approval::decide(&state, &input)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err(Debug))]
pub fn decision_history(state: State<'_, AppState>, id: String) -> R<Vec<DecisionView>> {
    api::approval::history(&state, &id)
}

/// Asks where to save (native dialog, on the main thread), then writes.
#[tauri::command(async)]
#[tracing::instrument(skip(app, state), err(Debug))]
pub fn export_reply(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    format: String,
) -> R<ExportResult> {
    let ext = if format == "docx" { "docx" } else { "pdf" };
    let (name, _) = api::reply::export_name(&state, &id, ext)?;
    let path = crate::dialog::save_path(&app, "导出答复函", &name, ext)?;
    api::reply::export_to(&state, &id, &path)
}

/// Checks a sealed letter (valid / tampered / unknown signer) against the
/// approver keys this PC knows; asks for the file when no path is given.
#[tauri::command(async)]
#[tracing::instrument(skip(app, state), err(Debug))]
pub fn verify_letter(
    app: AppHandle,
    state: State<'_, AppState>,
    path: Option<String>,
) -> R<LetterVerification> {
    let path = match path {
        Some(p) => std::path::PathBuf::from(p),
        None => crate::dialog::open_pdf(&app)?,
    };
    api::reply::verify_letter(&state, &path)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err(Debug))]
pub fn open_folder(state: State<'_, AppState>, path: String) -> R<()> {
    api::reply::open_folder(&state, std::path::Path::new(&path))
}

/// 统计: this unit's figures of a session (default: the newest).
#[tauri::command(async)]
#[tracing::instrument(skip(state), err(Debug))]
pub fn stats_figures(state: State<'_, AppState>, session: Option<String>) -> R<StatsView> {
    api::stats::figures(&state, session.as_deref())
}

/// The year's report generated from the figures, as an editable draft.
#[tauri::command(async)]
#[tracing::instrument(skip(state), err(Debug))]
pub fn stats_report(state: State<'_, AppState>, session: Option<String>) -> R<ReportDraftView> {
    api::stats::report(&state, session.as_deref())
}

/// The figures as `xlsx`, the (edited) report with the figures as `pdf`, or
/// the report alone as `docx`, where the native save dialog says.
#[tauri::command(async)]
#[tracing::instrument(skip(app, state, report), err(Debug))]
pub fn export_stats(
    app: AppHandle,
    state: State<'_, AppState>,
    session: Option<String>,
    format: String,
    report: Option<String>,
) -> R<StatsExport> {
    let format = api::stats::StatsFormat::parse(&format)?;
    let name = api::stats::export_name(&state, session.as_deref(), format)?;
    let path = crate::dialog::save_path(&app, format.dialog_title(), &name, format.ext())?;
    api::stats::export_to(&state, session.as_deref(), format, report.as_deref(), &path)
}

/// The unit's ledger (台账) of a session's cases as `.xlsx`.
#[tauri::command(async)]
#[tracing::instrument(skip(app, state), err(Debug))]
pub fn export_ledger(
    app: AppHandle,
    state: State<'_, AppState>,
    session: Option<String>,
) -> R<StatsExport> {
    let format = api::stats::StatsFormat::Ledger;
    let name = api::stats::export_name(&state, session.as_deref(), format)?;
    let path = crate::dialog::save_path(&app, format.dialog_title(), &name, format.ext())?;
    api::stats::export_to(&state, session.as_deref(), format, None, &path)
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn sync_status(state: State<'_, AppState>) -> R<SyncView> {
    api::sync::status(&state)
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn sync_now(state: State<'_, AppState>) -> R<SyncView> {
    api::sync::sync_now(&state)
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn notices(state: State<'_, AppState>) -> R<Vec<NoticeView>> {
    api::sync::notices(&state)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state), err(Debug))]
pub fn mark_notice_read(state: State<'_, AppState>, id: i64) -> R<()> {
    api::sync::mark_read(&state, id)
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn settings(state: State<'_, AppState>) -> R<SettingsView> {
    api::settings::get(&state)
}

#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn save_settings(state: State<'_, AppState>, input: SettingsInput) -> R<SettingsView> {
    api::settings::save(&state, &input)
}

#[tauri::command(async)]
#[tracing::instrument(skip(state, input), fields(user = %input.user_id), err(Debug))]
pub fn add_account(state: State<'_, AppState>, input: NewAccount) -> R<Vec<AccountView>> {
    api::settings::add_account(&state, &input)
}

/// 修改审核流程 (the unit's head, on the central server).
#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn set_approval_chain(state: State<'_, AppState>, input: ChainInput) -> R<ChainChange> {
    api::settings::set_chain(&state, &input)
}

/// 导出签章证书: the unit certificate for recipients' PDF readers.
#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn export_certificate(app: AppHandle, state: State<'_, AppState>) -> R<String> {
    let name = api::settings::certificate_name(&state)?;
    let path = crate::dialog::save_path(&app, "导出签章证书", &name, "cer")?;
    api::settings::export_certificate(&state, &path)
}

/// 选择 CA 证书 on the login screen: the native open dialog; the path is
/// checked when connecting.
#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn pick_ca_file(app: AppHandle) -> R<String> {
    crate::dialog::open_ca_certificate(&app).map(|p| p.display().to_string())
}

/// Every command name (the list `build.rs` generates permissions from).
pub const ALL: &[&str] = include!("command_names.rs");

#[cfg(test)]
mod tests {
    use super::ALL;
    use std::path::Path;

    /// The command list is written twice (the handler in `lib.rs` is
    /// checked by the compiler): `command_names.rs` and the capability.
    #[test]
    fn every_command_is_granted_to_the_window() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let cap: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("capabilities/main.json")).unwrap(),
        )
        .unwrap();
        let granted: Vec<String> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        for name in ALL {
            let perm = format!("allow-{}", name.replace('_', "-"));
            assert!(
                granted.contains(&perm),
                "{perm} not granted in capabilities/main.json"
            );
        }
        assert_eq!(
            granted.len(),
            ALL.len(),
            "the capability grants more than the commands"
        );
        assert!(
            granted.iter().all(|p| !p.starts_with("core:")),
            "no core permissions"
        );
    }
}

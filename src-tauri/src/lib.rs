//! 建办 desktop shell. Thin by design: it resolves the data directory, opens
//! the app state, sets up logging and registers commands that delegate to
//! `jianban_desktop` (the application layer, Tauri-free). What needs the
//! platform stays here: native dialogs, the OS credential store, desktop
//! notifications, logging and the platform's rendering and memory settings.

pub mod commands;
mod dialog;
pub mod logging;
pub mod memory;
pub mod notify;
pub mod rendering;
pub mod secrets;

use std::sync::Mutex;

use tauri::{AppHandle, Manager};
use tracing_appender::non_blocking::WorkerGuard;

use jianban_desktop::data_dir::{self, BuildKind};
use jianban_desktop::{api, state::AppState};

/// Keeps the log writer alive (and flushing) for the life of the app.
struct LogGuard(#[allow(dead_code)] Mutex<Option<WorkerGuard>>);

/// Resolves the data directory, starts logging and opens the store.
fn start(app: &AppHandle) -> (AppState, Option<WorkerGuard>) {
    let dir = data_dir::resolve(
        std::env::var_os(data_dir::ENV_VAR),
        || app.path().app_data_dir(),
        BuildKind::CURRENT,
    )
    .and_then(|dir| data_dir::ensure(&dir).map(|()| dir));

    let dir = match dir {
        Ok(dir) => dir,
        Err(e) => {
            let guard = logging::init(None);
            tracing::error!(error = %e, "no data directory");
            return (AppState::unavailable(e.into()), guard);
        }
    };

    let guard = logging::init(Some(&dir.join(data_dir::LOG_DIR)));
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        data_dir = %dir.display(),
        "starting"
    );
    let state = AppState::open(dir, secrets::system()).with_export_dir(dialog::export_dir());
    if let Err(e) = state.with_store(|s| s.is_empty()) {
        tracing::error!(code = %e.code, error = %e.message, "store failed to open");
    }
    // Server and demo login from the environment; sync starts when someone
    // is logged in.
    api::auth::start_up(&state, |k| std::env::var(k).ok());
    (state, guard)
}

pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            let (state, guard) = start(app.handle());
            // The web view's own files (localStorage with the editor's crash
            // buffer, caches) live in the app's data directory too, so a
            // development build, a test or JIANBAN_DATA_DIR never shares
            // them with the real installation's.
            let webview_dir = state.data_dir().ok().map(|d| d.join(data_dir::WEBVIEW_DIR));
            app.manage(state);
            app.manage(LogGuard(Mutex::new(guard)));
            notify::start(app.handle().clone());
            memory::start_trimming();
            // The window is created only now (tauri.conf.json: "create": false),
            // so no command can arrive before the state is managed.
            let config = app
                .config()
                .app
                .windows
                .iter()
                .find(|w| w.label == "main")
                .ok_or("tauri.conf.json has no window labelled main")?;
            let mut window = tauri::WebviewWindowBuilder::from_config(app.handle(), config)?;
            if let Some(dir) = webview_dir {
                window = window.data_directory(dir);
            }
            window.build()?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_assignments,
            commands::app_status,
            commands::connect_server,
            commands::logout,
            commands::use_local_demo,
            commands::login_local,
            commands::logout_local,
            commands::change_password,
            commands::workbench,
            commands::search,
            commands::case_detail,
            commands::receive,
            commands::request_adjustment,
            commands::request_extension,
            commands::add_contact,
            commands::submit_for_approval,
            commands::submit_reply,
            commands::reply_draft,
            commands::reply_template,
            commands::save_draft,
            commands::revisions,
            commands::revision_fields,
            commands::restore_revision,
            commands::preview,
            commands::approval_queue,
            commands::decide,
            commands::decision_history,
            commands::export_reply,
            commands::verify_letter,
            commands::open_folder,
            commands::stats_figures,
            commands::stats_report,
            commands::export_stats,
            commands::export_ledger,
            commands::sync_status,
            commands::sync_now,
            commands::notices,
            commands::mark_notice_read,
            commands::settings,
            commands::save_settings,
            commands::add_account,
            commands::set_approval_chain,
            commands::export_certificate,
            commands::pick_ca_file,
        ])
        .run(tauri::generate_context!())
        .expect("the 建办 window failed to start");
}

//! 建办 desktop shell. Thin by design: it resolves the data directory, opens
//! the store, sets up logging and exposes commands that delegate to the
//! crates under `crates/`. No workflow logic lives here.

pub mod commands;
pub mod data_dir;
pub mod dto;
pub mod error;
pub mod logging;
pub mod state;

#[cfg(test)]
mod bindings;

use std::sync::Mutex;

use tauri::{AppHandle, Manager};
use tracing_appender::non_blocking::WorkerGuard;

use crate::data_dir::BuildKind;
use crate::error::CommandError;
use crate::state::AppState;

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
    let state = match state::open_store(&dir) {
        Ok(opened) => {
            if opened.demo_loaded {
                tracing::info!("empty store: demo data set loaded (demo mode)");
            }
            AppState::ready(opened.store)
        }
        Err(e) => {
            tracing::error!(code = e.code(), error = %e, "store failed to open");
            AppState::unavailable(CommandError::from(e))
        }
    };
    (state, guard)
}

pub fn run() {
    tauri::Builder::default()
        .setup(|app| {
            let (state, guard) = start(app.handle());
            app.manage(state);
            app.manage(LogGuard(Mutex::new(guard)));
            // The window is created only now (tauri.conf.json: "create": false),
            // so no command can arrive before the state is managed.
            let config = app
                .config()
                .app
                .windows
                .iter()
                .find(|w| w.label == "main")
                .ok_or("tauri.conf.json has no window labelled main")?;
            tauri::WebviewWindowBuilder::from_config(app.handle(), config)?.build()?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![commands::list_assignments])
        .run(tauri::generate_context!())
        .expect("the 建办 window failed to start");
}

//! IPC commands: one-line delegations to the store, mapped to the wire format.
//! Each must also be listed in `build.rs` (to get an `allow-…` permission)
//! and granted in `capabilities/main.json`.

use tauri::State;

use crate::dto::{self, AssignmentRow};
use crate::error::CommandError;
use crate::state::AppState;

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// 交办件列表 with each deadline's warning as of today.
#[tauri::command(async)]
#[tracing::instrument(skip_all, err(Debug))]
pub fn list_assignments(state: State<'_, AppState>) -> Result<Vec<AssignmentRow>, CommandError> {
    state
        .with_store(|store| store.list_assignments(today()))
        .map(dto::assignment_rows)
}

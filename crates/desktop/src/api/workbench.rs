//! 工作台: rows with counts, full-text search.

use crate::dto::{AssignmentRow, GroupCount, SearchHitView, SessionView, Workbench, WorkbenchRow};
use crate::error::CommandError;
use crate::state::AppState;
use crate::workbench::Group;

/// 交办件列表 with each deadline's warning as of today.
pub fn assignments(state: &AppState) -> Result<Vec<AssignmentRow>, CommandError> {
    state
        .with_store(|store| store.workbench_items(super::today()))
        .map(|items| items.into_iter().map(AssignmentRow::from).collect())
}

/// Every row, the count of each group and the sessions for the filter.
pub fn workbench(state: &AppState) -> Result<Workbench, CommandError> {
    state
        .with_store(|s| Ok((s.workbench_items(super::today())?, s.sessions()?)))
        .map(|(items, sessions)| {
            let groups: Vec<Vec<Group>> = items
                .iter()
                .map(|i| Group::of(i.state, i.warning))
                .collect();
            let counts = crate::workbench::counts(groups.iter().map(Vec::as_slice));
            Workbench {
                rows: items
                    .into_iter()
                    .zip(&groups)
                    .map(|(item, g)| WorkbenchRow::new(item, g))
                    .collect(),
                counts: counts.into_iter().map(GroupCount::from).collect(),
                sessions: sessions.into_iter().map(SessionView::from).collect(),
            }
        })
}

/// Suggestions, drafts and contact records matching `query` (one- and
/// two-character Chinese queries work).
pub fn search(state: &AppState, query: &str) -> Result<Vec<SearchHitView>, CommandError> {
    let query = query.trim();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    state.with_store(|s| {
        Ok(s.search(query, 500)?
            .into_iter()
            .map(SearchHitView::from)
            .collect())
    })
}

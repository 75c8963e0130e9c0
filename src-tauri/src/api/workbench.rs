//! 工作台: rows with counts, full-text search.

use crate::dto::{self, SearchHitView, Workbench};
use crate::error::CommandError;
use crate::state::AppState;

/// Every row, the count of each group and the sessions for the filter.
pub fn workbench(state: &AppState) -> Result<Workbench, CommandError> {
    state.with_store(|s| {
        let items = s.workbench_items(super::today())?;
        let sessions = s.sessions()?;
        Ok(dto::workbench(items, sessions))
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

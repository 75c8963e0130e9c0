//! What the commands do, as plain functions over [`AppState`], so they are
//! tested against a temporary store without a window around them. Each
//! function is a short composition of crate calls and wire mapping; the
//! workflow rules stay in the crates.

pub mod approval;
pub mod auth;
pub mod cases;
pub mod reply;
pub mod settings;
pub mod stats;
pub mod sync;
pub mod workbench;

#[cfg(test)]
mod tests;

pub fn now() -> chrono::NaiveDateTime {
    chrono::Local::now().naive_local()
}

pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// The fonts the letter or the figures had to substitute ("wanted →
/// used"), for the warning beside a preview or an export.
pub(crate) fn font_substitutions(report: &jianban_letter::FontReport) -> Vec<String> {
    report
        .choices
        .iter()
        .filter(|c| c.substituted)
        .map(|c| format!("{} → {}", c.wanted, c.family))
        .collect()
}

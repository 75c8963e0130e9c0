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

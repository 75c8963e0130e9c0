//! 建办 desktop application layer: what the window's commands do, without
//! the window. The shell (`src-tauri`) registers each command as a one-line
//! delegation to [`api`], runs the native dialogs and passes the OS
//! credential store in as [`secrets::Secrets`]; everything here builds and
//! tests without GTK or WebKit. The workflow rules stay in the crates below
//! (`jianban-domain`, `jianban-store`, …); this layer composes them and maps
//! them to the IPC types in [`dto`].

pub mod api;
pub mod config;
pub mod data_dir;
pub mod dto;
pub mod error;
pub mod export;
pub mod picked;
pub mod reminders;
pub mod secrets;
pub mod state;
pub mod templates;
pub mod workbench;

#[cfg(test)]
mod bindings;

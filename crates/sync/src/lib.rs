//! Offline-first sync between the desktop's local store and the central
//! server (see shared/design/sync.md).
//!
//! - [`client`]: the HTTP client (protocol headers, tokens and their
//!   refresh, proxy from the environment, a custom CA for intranet TLS);
//! - [`engine`]: one sync round: push the outbox in batches, then pull the
//!   change feed page by page, each page applied with its cursor in one
//!   local transaction;
//! - [`runner`]: the background thread: on start, on a timer, on "sync now",
//!   with exponential backoff and jitter after failures;
//! - [`status`]: what the UI shows (last sync, pending, phase, progress,
//!   the error in Chinese).
//!
//! The store decides what a pulled change may overwrite: nothing the liaison
//! typed, and no case with local commands not yet acknowledged.

pub mod backoff;
pub mod client;
pub mod engine;
mod mapping;
pub mod runner;
pub mod status;

pub use client::{Credentials, ServerClient, ServerConfig, SyncError};
pub use engine::{SyncEngine, SyncReport};
pub use runner::SyncHandle;
pub use status::{SyncPhase, SyncStatus};

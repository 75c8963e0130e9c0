//! Jianban's workflow rules for handling deputies' suggestions (代表建议办理).
//!
//! Pure: no I/O, no SQL, no Tauri. Everything here can be tested with plain
//! values, and the desktop and the central server run the same rules.
//!
//! - [`model`]: the things of the process, named from the glossary;
//! - [`workflow`]: one assignment's state machine ([`Case::apply`]);
//! - [`allowed`]: what a user may start on a case now, probed on `apply`;
//! - [`calendar`] and [`deadline`]: working days, time limits and warnings;
//! - [`validate`]: checks on typed or imported text;
//! - [`demo`]: the demo data set used by the demo and by tests.

pub mod allowed;
pub mod calendar;
pub mod deadline;
pub mod demo;
pub mod model;
pub mod validate;
pub mod workflow;

pub use allowed::{allowed_actions, ActionKind, AllowedActions, Availability};
pub use calendar::WorkingCalendar;
pub use deadline::{DeadlinePolicy, Deadlines, Period, WarningLevel};
pub use model::*;
pub use workflow::{Action, Case, CaseState, Context, DraftSummary, Missing, WorkflowError};

//! The IPC wire format. Domain and store types stay plain; these structs are
//! what the UI receives, in camelCase, with TypeScript twins generated into
//! `ui/src/bindings/` (see `../bindings.rs`). Enums are mapped exhaustively, so a
//! new domain variant is a compile error here rather than a surprise in the UI.
//!
//! One module per screen; the small types they share are in `shared.rs`.
//! DTOs only convert: the rules they show live in the domain-facing modules
//! (e.g. [`crate::workbench`]).

mod approval;
mod auth;
mod case;
mod reply;
mod settings;
mod shared;
mod stats;
mod sync;
mod workbench;

pub use approval::*;
pub use auth::*;
pub use case::*;
pub use reply::*;
pub use settings::*;
pub use shared::*;
pub use stats::*;
pub use sync::*;
pub use workbench::*;

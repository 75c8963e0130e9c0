//! The reply letter (答复函) in the official format.
//!
//! `Letter` (model) → [`layout::layout_letter`] on the GB/T 9704 grid, with
//! Chinese line breaking → one [`LetterLayout`] that feeds the PDF, the SVG
//! preview and the Word export. Fonts come from the system through a
//! [`FontCache`] that a [`LetterRenderer`] keeps between exports.
//!
//! No Tauri here: the desktop app, the CLI and the tests all call
//! [`LetterRenderer`].

pub mod docx;
pub mod error;
pub mod fonts;
pub mod json;
pub mod layout;
pub mod linebreak;
pub mod model;
pub mod pdf;
pub mod renderer;
pub mod settings;
pub mod svg;

pub use error::{LetterError, Result};
pub use fonts::{FaceChoice, FontCache, FontOptions, FontReport, FontSet};
pub use layout::{layout_letter, GridMeasure, LetterLayout, LineBox, Measure, TextStyle};
pub use model::{ApprovalBlock, Letter, SuggestionRef};
pub use renderer::{LetterRenderer, PdfOptions, Rendered};
pub use settings::LayoutSettings;

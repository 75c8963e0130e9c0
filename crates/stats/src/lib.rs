//! Statistics of the handling of deputies' suggestions (BRIEF §1 point 11).
//!
//! Pure: no files, no network, no clock: byte buffers in, byte buffers and
//! values out. The desktop (a Tauri command), the server (an HTTP handler)
//! and the CLI call the same functions:
//!
//! - [`Figures::compute`]: the figures of a unit or the city on a day;
//! - [`report_text`]: the year's report as an editable draft;
//! - [`ledger_xlsx`], [`figures_xlsx`]: Excel out;
//! - [`parse_suggestions`], [`parse_evaluations`]: Excel in, row by row;
//! - `figures_pdf` (feature `pdf`): the report and the figures as a PDF;
//! - [`shares`], [`rate`]: percentages that add up to 100.00%.

pub mod figures;
pub mod input;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod percent;
pub mod report;
pub mod xlsx_in;
pub mod xlsx_out;

pub use figures::{Count, Figures, KeyProgress, OverdueItem, Rate, UnitLine};
pub use input::{first_reply_day, first_reply_days, is_replied, CaseRow, Scope, StateFact};
#[cfg(feature = "pdf")]
pub use pdf::figures_pdf;
pub use percent::{rate, shares, Percent};
pub use report::{report_text, ReportContext};
pub use xlsx_in::{
    parse_evaluations, parse_suggestion_table, parse_suggestions, read_first_sheet, EvaluationRow,
    ImportError, Parsed, RowIssue, SuggestionRow,
};
pub use xlsx_out::{figures_xlsx, ledger_xlsx, FIGURES_SHEETS, LEDGER_COLUMNS};

/// Why an export failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatsError {
    #[error("生成Excel文件失败：{0}。请重试；如问题依旧，请联系管理员。")]
    Xlsx(String),
    #[error("生成PDF失败：{0}")]
    Pdf(String),
}

impl StatsError {
    pub fn code(&self) -> &'static str {
        match self {
            StatsError::Xlsx(_) => "stats.xlsx",
            StatsError::Pdf(_) => "stats.pdf",
        }
    }
}

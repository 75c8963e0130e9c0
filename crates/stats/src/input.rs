//! What the figures are computed from: one row per assignment, as the
//! server's database or the desktop's store holds it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use jianban_domain::{Assignment, Case, ResultCategory};

/// One assignment (suggestion × unit) with what the figures and the ledger
/// need to know about its suggestion and its unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRow {
    pub assignment: Assignment,
    pub case: Case,
    /// 承办单位名称.
    pub unit_name: String,
    /// 建议号.
    pub suggestion_number: u32,
    pub suggestion_title: String,
    /// 领衔代表's name.
    pub lead_deputy: String,
    /// 重点建议.
    pub is_key: bool,
    /// The day the unit first sent its reply (报送), from the audit log;
    /// `None` when it has not replied (or the date is unknown).
    pub replied_on: Option<NaiveDate>,
}

impl CaseRow {
    /// The result category of the reply that went out (or of the current
    /// draft, while it has not).
    pub fn category(&self) -> Option<ResultCategory> {
        self.case.draft.as_ref().and_then(|d| d.category)
    }

    /// The unit has sent a reply (or, for a co-handler, its opinion) at
    /// least once. 已办结 always follows a reply (or a sent opinion).
    pub fn has_replied(&self) -> bool {
        use jianban_domain::CaseState as S;
        self.replied_on.is_some()
            || matches!(self.case.state, S::Submitted | S::Evaluated | S::Concluded)
    }

    /// Still counted as handled by this unit (the office did not move it to
    /// another unit).
    pub fn is_active(&self) -> bool {
        self.case.state != jianban_domain::CaseState::Transferred
    }
}

/// Whose figures: the whole city (office staff) or one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Scope {
    City,
    Unit { unit_id: String, unit_name: String },
}

impl Scope {
    /// The rows that belong to this scope.
    pub fn select<'a>(&self, rows: &'a [CaseRow]) -> Vec<&'a CaseRow> {
        match self {
            Scope::City => rows.iter().collect(),
            Scope::Unit { unit_id, .. } => rows
                .iter()
                .filter(|r| r.assignment.unit_id.as_str() == unit_id)
                .collect(),
        }
    }
}

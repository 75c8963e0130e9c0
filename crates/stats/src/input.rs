//! What the figures are computed from: one row per assignment, as the
//! server's database or the desktop's store holds it, and the first reply
//! day, computed here from the audit facts both of them keep.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use jianban_domain::{Assignment, Case, CaseState, ResultCategory};

/// The states that follow a reply (or, for a co-handler, a sent opinion).
/// 已办结 always follows one.
pub fn is_replied(state: CaseState) -> bool {
    matches!(
        state,
        CaseState::Submitted | CaseState::Evaluated | CaseState::Concluded
    )
}

/// One line of an audit log, reduced to what the reply day depends on:
/// the day it happened and the case's state before and after it (`None`
/// where the line has none, e.g. the first appearance of a case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateFact {
    pub day: NaiveDate,
    pub before: Option<CaseState>,
    pub after: Option<CaseState>,
}

/// The day the unit first sent its reply: the earliest fact that moved the
/// case from a known state before the reply into one after it. On the
/// server that is the 报送 itself; on the desktop it is the local 报送, or a
/// pulled snapshot that carried the move. A case first seen already
/// replied has no known day (it still counts as replied by its state).
pub fn first_reply_day<'a>(facts: impl IntoIterator<Item = &'a StateFact>) -> Option<NaiveDate> {
    facts
        .into_iter()
        .filter(|f| f.before.is_some_and(|b| !is_replied(b)) && f.after.is_some_and(is_replied))
        .map(|f| f.day)
        .min()
}

/// [`first_reply_day`] of every assignment in `facts` (assignment id, fact).
pub fn first_reply_days(
    facts: impl IntoIterator<Item = (String, StateFact)>,
) -> HashMap<String, NaiveDate> {
    let mut by_case: HashMap<String, Vec<StateFact>> = HashMap::new();
    for (id, f) in facts {
        by_case.entry(id).or_default().push(f);
    }
    by_case
        .into_iter()
        .filter_map(|(id, fs)| first_reply_day(&fs).map(|d| (id, d)))
        .collect()
}

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
    /// The day the unit first sent its reply (报送), by [`first_reply_day`];
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
        self.replied_on.is_some() || is_replied(self.case.state)
    }

    /// Still counted as handled by this unit (the office did not move it to
    /// another unit).
    pub fn is_active(&self) -> bool {
        self.case.state != CaseState::Transferred
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

#[cfg(test)]
mod tests {
    use super::*;
    use CaseState as S;

    fn fact(day: &str, before: Option<S>, after: Option<S>) -> StateFact {
        StateFact {
            day: day.parse().unwrap(),
            before,
            after,
        }
    }

    #[test]
    fn the_first_move_into_a_replied_state_is_the_reply_day() {
        let facts = [
            fact("2024-04-01", None, Some(S::AwaitingReceipt)),
            fact("2024-04-02", Some(S::AwaitingReceipt), Some(S::Received)),
            fact("2024-05-06", Some(S::SignedOff), Some(S::Submitted)),
            fact("2024-05-20", Some(S::Submitted), Some(S::Returned)),
            fact("2024-06-03", Some(S::SignedOff), Some(S::Submitted)),
            fact("2024-06-10", Some(S::Submitted), Some(S::Evaluated)),
        ];
        assert_eq!(first_reply_day(&facts), Some("2024-05-06".parse().unwrap()));
        // The order of the lines does not matter.
        let mut reversed = facts;
        reversed.reverse();
        assert_eq!(first_reply_day(&reversed), first_reply_day(&facts));
        // A co-handler's opinion goes straight to 已办结.
        let co = [fact("2024-04-09", Some(S::SignedOff), Some(S::Concluded))];
        assert_eq!(first_reply_day(&co), Some("2024-04-09".parse().unwrap()));
    }

    #[test]
    fn a_case_first_seen_replied_has_no_known_day() {
        let facts = [
            fact("2024-05-06", None, Some(S::Submitted)),
            fact("2024-05-08", Some(S::Submitted), Some(S::Evaluated)),
            fact("2024-05-09", Some(S::Evaluated), Some(S::Concluded)),
            fact("2024-05-10", None, None),
        ];
        assert_eq!(first_reply_day(&facts), None);
    }

    #[test]
    fn days_are_grouped_by_assignment() {
        let days = first_reply_days([
            (
                "a".to_string(),
                fact("2024-05-06", Some(S::SignedOff), Some(S::Submitted)),
            ),
            (
                "b".to_string(),
                fact("2024-05-01", Some(S::Drafting), Some(S::AwaitingApproval)),
            ),
            (
                "a".to_string(),
                fact("2024-05-01", Some(S::Received), Some(S::Drafting)),
            ),
        ]);
        assert_eq!(days.len(), 1);
        assert_eq!(days["a"], "2024-05-06".parse::<NaiveDate>().unwrap());
    }
}

//! The figures of one unit or of the whole city on a given day.
//!
//! What is counted per what:
//! - states and roles: per assignment (one suggestion handed to one unit);
//! - result categories: per suggestion, over the replies to the deputy (lead
//!   and split units). A suggestion answered by several split units takes
//!   the least advanced of their categories (A before B before C before D):
//!   it is solved only when every part is;
//! - on-time rate, working days to reply, contact and satisfaction: per
//!   replying assignment (lead and split; a co-handler answers the lead unit,
//!   not the deputy);
//! - the overdue list: every open assignment past its current deadline,
//!   co-handlers' opinions included.
//!
//! Assignments the office moved to another unit (已调整) appear in the state
//! counts and nowhere else.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use jianban_domain::{CaseState, Evaluation, HandlingRole, ResultCategory, WorkingCalendar};

use crate::input::{CaseRow, Scope};
use crate::percent::{rate, shares, Percent};

/// One bar of a chart: a code, its Chinese label, the count and its share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub code: String,
    pub label: String,
    pub count: u64,
    /// Share of the whole the list counts; the shares add up to 100.00%.
    pub percent: Percent,
}

/// `part` of `whole`, with the rate when `whole` is not zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rate {
    pub part: u64,
    pub whole: u64,
    pub percent: Option<Percent>,
}

impl Rate {
    pub fn new(part: u64, whole: u64) -> Rate {
        Rate {
            part,
            whole,
            percent: rate(part, whole),
        }
    }
}

/// An assignment past its current deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueItem {
    pub assignment_id: String,
    pub suggestion_number: u32,
    pub title: String,
    pub unit_id: String,
    pub unit_name: String,
    pub role: HandlingRole,
    pub state: CaseState,
    pub deadline: NaiveDate,
    /// Working days past the deadline (at least 1 on a working day after it).
    pub working_days_overdue: i64,
}

/// Where a key suggestion (重点建议) stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyProgress {
    pub suggestion_number: u32,
    pub title: String,
    pub lead_deputy: String,
    /// The answering units (lead or split), then the co-handlers.
    pub units: Vec<String>,
    /// The state of the answering unit's case (the least advanced one when
    /// the suggestion is split).
    pub state: CaseState,
    pub replied: bool,
    pub category: Option<ResultCategory>,
    pub evaluation: Option<Evaluation>,
}

/// One unit's line in the city's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitLine {
    pub unit_id: String,
    pub unit_name: String,
    pub assignments: u64,
    pub lead: u64,
    pub co_handler: u64,
    pub split: u64,
    pub replied: u64,
    pub concluded: u64,
    pub overdue: u64,
    pub on_time: Rate,
    pub satisfaction: Rate,
}

/// The figures of a scope on a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub scope: Scope,
    pub as_of: NaiveDate,
    /// Assignments in the scope, moved ones included.
    pub assignments: u64,
    /// Distinct suggestions handled (not counting moved assignments).
    pub suggestions: u64,
    /// Suggestions handled by more than one unit.
    pub multi_unit_suggestions: u64,
    /// Every state, in the workflow's order; shares of all assignments.
    pub by_state: Vec<Count>,
    /// Lead, co-handler, split; shares of the handled assignments.
    pub by_role: Vec<Count>,
    /// A, B, C, D per suggestion; shares of the classified suggestions.
    pub by_category: Vec<Count>,
    /// Suggestions with a result category (answered).
    pub classified_suggestions: u64,
    /// Suggestions every answering unit has replied to.
    pub answered_suggestions: u64,
    /// Suggestions whose every assignment is concluded (已办结).
    pub concluded_suggestions: u64,
    /// Lead and split assignments (they answer the deputy).
    pub replying: u64,
    /// Of those, how many replied at least once.
    pub replied: Rate,
    /// Assignments concluded (已办结), of the handled ones.
    pub concluded: Rate,
    /// Replies sent by their deadline (extension included), of the replies
    /// due by now or sent.
    pub on_time: Rate,
    /// Mean working days from formal assignment to the first reply.
    pub avg_working_days_to_reply: Option<f64>,
    /// Replying assignments with at least one recorded contact.
    pub contact: Rate,
    /// 满意 + 基本满意 of the evaluated replies.
    pub satisfaction: Rate,
    /// 满意, 基本满意, 不满意; shares of the evaluated replies.
    pub by_evaluation: Vec<Count>,
    pub overdue: Vec<OverdueItem>,
    pub key_suggestions: Vec<KeyProgress>,
    /// One line per unit (city scope; a single line for a unit).
    pub by_unit: Vec<UnitLine>,
}

fn counts<T: Copy>(items: &[(T, &str, &str)], count: impl Fn(T) -> u64) -> Vec<Count> {
    let n: Vec<u64> = items.iter().map(|(t, _, _)| count(*t)).collect();
    let p = shares(&n);
    items
        .iter()
        .zip(n)
        .zip(p)
        .map(|(((_, code, label), count), percent)| Count {
            code: code.to_string(),
            label: label.to_string(),
            count,
            percent,
        })
        .collect()
}

/// How far along a state is, to pick the least advanced of several.
fn progress(s: CaseState) -> u8 {
    use CaseState as S;
    match s {
        S::AwaitingReceipt => 0,
        S::AdjustmentRequested => 1,
        S::Received => 2,
        S::Returned => 3,
        S::Drafting => 4,
        S::AwaitingApproval => 5,
        S::SignedOff => 6,
        S::Submitted => 7,
        S::Evaluated => 8,
        S::Concluded => 9,
        S::Transferred => 10,
    }
}

/// The open assignment's current deadline, when it has passed.
fn overdue_since(r: &CaseRow, as_of: NaiveDate) -> Option<NaiveDate> {
    r.case.current_deadline().filter(|d| *d < as_of)
}

/// Replied by the deadline: `Some(true/false)` once it counts, `None` while
/// the reply is neither sent nor due (or its date is unknown).
fn on_time(r: &CaseRow, as_of: NaiveDate) -> Option<bool> {
    let due = r.case.reply_due();
    match r.replied_on {
        Some(d) => Some(d <= due),
        None if !r.has_replied() && due < as_of => Some(false),
        None => None,
    }
}

fn rates_of<'a>(rows: impl Iterator<Item = &'a CaseRow>, as_of: NaiveDate) -> (Rate, Rate) {
    let (mut ok, mut due, mut sat, mut eval) = (0, 0, 0, 0);
    for r in rows {
        if let Some(t) = on_time(r, as_of) {
            due += 1;
            ok += t as u64;
        }
        if let Some(e) = r.case.evaluation {
            eval += 1;
            sat += e.is_satisfied() as u64;
        }
    }
    (Rate::new(ok, due), Rate::new(sat, eval))
}

impl Figures {
    /// The figures of `scope` over `rows` on `as_of`; working days count
    /// with `calendar`. Rows outside the scope are ignored, so the same list
    /// serves the city and each unit.
    pub fn compute(
        rows: &[CaseRow],
        scope: Scope,
        as_of: NaiveDate,
        calendar: &WorkingCalendar,
    ) -> Figures {
        let rows = scope.select(rows);
        let active: Vec<&CaseRow> = rows.iter().copied().filter(|r| r.is_active()).collect();
        let replying: Vec<&CaseRow> = active
            .iter()
            .copied()
            .filter(|r| r.assignment.role.replies_to_deputy())
            .collect();

        let states: Vec<(CaseState, &str, &str)> = CaseState::ALL
            .iter()
            .map(|s| (*s, s.code(), s.label_zh()))
            .collect();
        let by_state = counts(&states, |s| {
            rows.iter().filter(|r| r.case.state == s).count() as u64
        });
        let roles: Vec<(HandlingRole, &str, &str)> = HandlingRole::ALL
            .iter()
            .map(|r| (*r, r.code(), r.label_zh()))
            .collect();
        let by_role = counts(&roles, |role| {
            active.iter().filter(|r| r.assignment.role == role).count() as u64
        });

        // Per suggestion: its units and its answering rows.
        let mut by_suggestion: BTreeMap<&str, Vec<&CaseRow>> = BTreeMap::new();
        for r in &active {
            by_suggestion
                .entry(r.assignment.suggestion_id.as_str())
                .or_default()
                .push(r);
        }
        let multi_unit = by_suggestion
            .values()
            .filter(|rs| {
                rs.iter()
                    .map(|r| r.assignment.unit_id.as_str())
                    .collect::<BTreeSet<_>>()
                    .len()
                    > 1
            })
            .count() as u64;
        let mut category_counts: BTreeMap<ResultCategory, u64> = BTreeMap::new();
        for rs in by_suggestion.values() {
            let answering: Vec<&&CaseRow> = rs
                .iter()
                .filter(|r| r.assignment.role.replies_to_deputy())
                .collect();
            if answering.is_empty() || !answering.iter().all(|r| r.has_replied()) {
                continue;
            }
            let cats: Option<Vec<ResultCategory>> =
                answering.iter().map(|r| r.category()).collect();
            if let Some(c) = cats.and_then(|c| c.into_iter().max()) {
                *category_counts.entry(c).or_default() += 1;
            }
        }
        let cats: Vec<(ResultCategory, &str, &str)> = ResultCategory::ALL
            .iter()
            .map(|c| (*c, c.letter(), c.label_zh()))
            .collect();
        let by_category = counts(&cats, |c| category_counts.get(&c).copied().unwrap_or(0));
        let classified = category_counts.values().sum();
        let answered_suggestions = by_suggestion
            .values()
            .filter(|rs| {
                let mut answering = rs.iter().filter(|r| r.assignment.role.replies_to_deputy());
                let mut any = false;
                answering.all(|r| {
                    any = true;
                    r.has_replied()
                }) && any
            })
            .count() as u64;
        let concluded_suggestions = by_suggestion
            .values()
            .filter(|rs| rs.iter().all(|r| r.case.state == CaseState::Concluded))
            .count() as u64;

        let replied = replying.iter().filter(|r| r.has_replied()).count() as u64;
        let concluded = active
            .iter()
            .filter(|r| r.case.state == CaseState::Concluded)
            .count() as u64;
        let (on_time_rate, satisfaction) = rates_of(replying.iter().copied(), as_of);
        let days: Vec<i64> = replying
            .iter()
            .filter_map(|r| {
                r.replied_on.map(|d| {
                    calendar
                        .working_days_between(r.assignment.assigned_on, d)
                        .max(0)
                })
            })
            .collect();
        let avg_working_days_to_reply = (!days.is_empty()).then(|| {
            let mean = days.iter().sum::<i64>() as f64 / days.len() as f64;
            (mean * 10.0).round() / 10.0
        });
        let contacted = replying.iter().filter(|r| r.case.contact_count > 0).count() as u64;
        let evals: Vec<(Evaluation, &str, &str)> = Evaluation::ALL
            .iter()
            .map(|e| (*e, e.code(), e.label_zh()))
            .collect();
        let by_evaluation = counts(&evals, |e| {
            replying
                .iter()
                .filter(|r| r.case.evaluation == Some(e))
                .count() as u64
        });

        let mut overdue: Vec<OverdueItem> = active
            .iter()
            .filter_map(|r| {
                let deadline = overdue_since(r, as_of)?;
                Some(OverdueItem {
                    assignment_id: r.assignment.id.to_string(),
                    suggestion_number: r.suggestion_number,
                    title: r.suggestion_title.clone(),
                    unit_id: r.assignment.unit_id.to_string(),
                    unit_name: r.unit_name.clone(),
                    role: r.assignment.role,
                    state: r.case.state,
                    deadline,
                    working_days_overdue: calendar.working_days_between(deadline, as_of),
                })
            })
            .collect();
        overdue.sort_by(|a, b| {
            (a.deadline, a.suggestion_number, &a.unit_name).cmp(&(
                b.deadline,
                b.suggestion_number,
                &b.unit_name,
            ))
        });

        let mut key_suggestions: Vec<KeyProgress> = by_suggestion
            .values()
            .filter(|rs| rs[0].is_key)
            .map(|rs| key_progress(rs))
            .collect();
        key_suggestions.sort_by_key(|k| k.suggestion_number);

        let by_unit = unit_lines(&rows, as_of);

        Figures {
            scope,
            as_of,
            assignments: rows.len() as u64,
            suggestions: by_suggestion.len() as u64,
            multi_unit_suggestions: multi_unit,
            by_state,
            by_role,
            by_category,
            classified_suggestions: classified,
            answered_suggestions,
            concluded_suggestions,
            replying: replying.len() as u64,
            replied: Rate::new(replied, replying.len() as u64),
            concluded: Rate::new(concluded, active.len() as u64),
            on_time: on_time_rate,
            avg_working_days_to_reply,
            contact: Rate::new(contacted, replying.len() as u64),
            satisfaction,
            by_evaluation,
            overdue,
            key_suggestions,
            by_unit,
        }
    }

    /// The count of one category.
    pub fn category(&self, c: ResultCategory) -> &Count {
        &self.by_category[ResultCategory::ALL.iter().position(|x| *x == c).unwrap()]
    }

    /// The count of one state.
    pub fn state(&self, s: CaseState) -> &Count {
        &self.by_state[CaseState::ALL.iter().position(|x| *x == s).unwrap()]
    }
}

fn key_progress(rs: &[&CaseRow]) -> KeyProgress {
    let mut answering: Vec<&CaseRow> = rs
        .iter()
        .copied()
        .filter(|r| r.assignment.role.replies_to_deputy())
        .collect();
    answering.sort_by_key(|r| (progress(r.case.state), r.unit_name.clone()));
    let main = answering.first().copied().unwrap_or(rs[0]);
    let mut units: Vec<String> = answering.iter().map(|r| r.unit_name.clone()).collect();
    // By name, not in the order the rows came in: the desktop's store and
    // the server read their rows in different orders.
    let mut co_handlers: Vec<String> = rs
        .iter()
        .filter(|r| !r.assignment.role.replies_to_deputy())
        .map(|r| r.unit_name.clone())
        .collect();
    co_handlers.sort();
    units.extend(co_handlers);
    let replied = !answering.is_empty() && answering.iter().all(|r| r.has_replied());
    KeyProgress {
        suggestion_number: main.suggestion_number,
        title: main.suggestion_title.clone(),
        lead_deputy: main.lead_deputy.clone(),
        units,
        state: main.case.state,
        replied,
        category: if replied {
            answering
                .iter()
                .map(|r| r.category())
                .collect::<Option<Vec<_>>>()
                .and_then(|c| c.into_iter().max())
        } else {
            None
        },
        evaluation: main.case.evaluation,
    }
}

fn unit_lines(rows: &[&CaseRow], as_of: NaiveDate) -> Vec<UnitLine> {
    let mut units: BTreeMap<&str, Vec<&CaseRow>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.is_active()) {
        units
            .entry(r.assignment.unit_id.as_str())
            .or_default()
            .push(r);
    }
    let mut lines: Vec<UnitLine> = units
        .into_iter()
        .map(|(id, rs)| {
            let role = |x| rs.iter().filter(|r| r.assignment.role == x).count() as u64;
            let replying = rs
                .iter()
                .copied()
                .filter(|r| r.assignment.role.replies_to_deputy());
            let (on_time, satisfaction) = rates_of(replying, as_of);
            UnitLine {
                unit_id: id.to_string(),
                unit_name: rs[0].unit_name.clone(),
                assignments: rs.len() as u64,
                lead: role(HandlingRole::Lead),
                co_handler: role(HandlingRole::CoHandler),
                split: role(HandlingRole::Split),
                replied: rs.iter().filter(|r| r.has_replied()).count() as u64,
                concluded: rs
                    .iter()
                    .filter(|r| r.case.state == CaseState::Concluded)
                    .count() as u64,
                overdue: rs
                    .iter()
                    .filter(|r| overdue_since(r, as_of).is_some())
                    .count() as u64,
                on_time,
                satisfaction,
            }
        })
        .collect();
    lines.sort_by(|a, b| (&a.unit_name, &a.unit_id).cmp(&(&b.unit_name, &b.unit_id)));
    lines
}

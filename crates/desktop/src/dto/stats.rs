//! 统计: the unit's figures of one session, from `jianban-stats`.

use super::workbench::SessionView;
use jianban_domain as domain;
use serde::Serialize;

/// Counts cross the wire as plain numbers (ts-rs would make `u64` a bigint).
fn n32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One bar of a chart: a code, its Chinese label, the count and its share.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CountView {
    /// A state's or role's code, `A` … `D`, or an evaluation's code.
    pub code: String,
    pub label: String,
    pub count: u32,
    /// The share as the report states it, two decimals: `33.33%`. The shares
    /// of one list add up to exactly 100.00%.
    pub percent: String,
    /// The same share as a number of percent (33.33), for the charts.
    pub value: f64,
}

impl From<&jianban_stats::Count> for CountView {
    fn from(c: &jianban_stats::Count) -> Self {
        CountView {
            code: c.code.clone(),
            label: c.label.clone(),
            count: n32(c.count),
            percent: c.percent.to_string(),
            value: c.percent.as_f64(),
        }
    }
}

/// `part` of `whole`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RateView {
    pub part: u32,
    pub whole: u32,
    /// `93.06%`; none when there is nothing to count yet (`whole` is 0).
    pub percent: Option<String>,
}

impl From<&jianban_stats::Rate> for RateView {
    fn from(r: &jianban_stats::Rate) -> Self {
        RateView {
            part: n32(r.part),
            whole: n32(r.whole),
            percent: r.percent.map(|p| p.to_string()),
        }
    }
}

/// An assignment past its current deadline (逾期清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct OverdueView {
    pub assignment_id: String,
    pub suggestion_number: u32,
    pub title: String,
    pub role_label: String,
    pub state_label: String,
    /// ISO date `YYYY-MM-DD`.
    pub deadline: String,
    pub working_days_overdue: u32,
}

impl From<&jianban_stats::OverdueItem> for OverdueView {
    fn from(o: &jianban_stats::OverdueItem) -> Self {
        OverdueView {
            assignment_id: o.assignment_id.clone(),
            suggestion_number: o.suggestion_number,
            title: o.title.clone(),
            role_label: o.role.label_zh().to_owned(),
            state_label: o.state.label_zh().to_owned(),
            deadline: o.deadline.format("%Y-%m-%d").to_string(),
            working_days_overdue: u32::try_from(o.working_days_overdue.max(0)).unwrap_or(0),
        }
    }
}

/// Where a key suggestion (重点建议) stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct KeySuggestionView {
    pub suggestion_number: u32,
    pub title: String,
    pub lead_deputy: String,
    /// The answering units, then the co-handlers.
    pub units: Vec<String>,
    pub state_label: String,
    pub replied: bool,
    /// "A" … "D" once every answering unit replied.
    pub category: Option<String>,
    pub evaluation_label: Option<String>,
}

impl From<&jianban_stats::KeyProgress> for KeySuggestionView {
    fn from(k: &jianban_stats::KeyProgress) -> Self {
        KeySuggestionView {
            suggestion_number: k.suggestion_number,
            title: k.title.clone(),
            lead_deputy: k.lead_deputy.clone(),
            units: k.units.clone(),
            state_label: k.state.label_zh().to_owned(),
            replied: k.replied,
            category: k.category.map(|c| c.letter().to_owned()),
            evaluation_label: k.evaluation.map(|e| e.label_zh().to_owned()),
        }
    }
}

/// The figures of this PC's unit for one session (统计).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StatsView {
    /// The session the figures are about.
    pub session: SessionView,
    /// Every session this PC knows, newest first (the selector).
    pub sessions: Vec<SessionView>,
    pub unit_name: String,
    /// ISO date the figures are computed on (today).
    pub as_of: String,
    /// 交办件次, moved ones (已调整) included.
    pub assignments: u32,
    /// 承办建议 (distinct suggestions, moved ones not counted).
    pub suggestions: u32,
    /// Suggestions handled together with other units.
    pub multi_unit_suggestions: u32,
    /// Suggestions with a result category.
    pub classified_suggestions: u32,
    pub answered_suggestions: u32,
    pub concluded_suggestions: u32,
    /// Lead and split assignments (they answer the deputy).
    pub replying: u32,
    pub replied: RateView,
    pub concluded: RateView,
    /// 按时答复率.
    pub on_time: RateView,
    /// 平均答复工作日, one decimal; none before the first reply.
    pub avg_working_days_to_reply: Option<f64>,
    /// 沟通率.
    pub contact: RateView,
    /// 满意率 (满意 + 基本满意).
    pub satisfaction: RateView,
    /// Every state, in the workflow's order.
    pub by_state: Vec<CountView>,
    /// 主办 / 协办 / 分办.
    pub by_role: Vec<CountView>,
    /// A, B, C, D per suggestion.
    pub by_category: Vec<CountView>,
    /// 满意 / 基本满意 / 不满意.
    pub by_evaluation: Vec<CountView>,
    pub overdue: Vec<OverdueView>,
    pub key_suggestions: Vec<KeySuggestionView>,
}

impl StatsView {
    pub fn of(
        f: &jianban_stats::Figures,
        session: &domain::Session,
        sessions: &[domain::Session],
        unit_name: &str,
    ) -> Self {
        let session_view = |s: &domain::Session| SessionView {
            id: s.id.to_string(),
            name: s.name.clone(),
        };
        let counts = |c: &[jianban_stats::Count]| c.iter().map(CountView::from).collect();
        StatsView {
            session: session_view(session),
            sessions: sessions.iter().map(session_view).collect(),
            unit_name: unit_name.to_owned(),
            as_of: f.as_of.format("%Y-%m-%d").to_string(),
            assignments: n32(f.assignments),
            suggestions: n32(f.suggestions),
            multi_unit_suggestions: n32(f.multi_unit_suggestions),
            classified_suggestions: n32(f.classified_suggestions),
            answered_suggestions: n32(f.answered_suggestions),
            concluded_suggestions: n32(f.concluded_suggestions),
            replying: n32(f.replying),
            replied: (&f.replied).into(),
            concluded: (&f.concluded).into(),
            on_time: (&f.on_time).into(),
            avg_working_days_to_reply: f.avg_working_days_to_reply,
            contact: (&f.contact).into(),
            satisfaction: (&f.satisfaction).into(),
            by_state: counts(&f.by_state),
            by_role: counts(&f.by_role),
            by_category: counts(&f.by_category),
            by_evaluation: counts(&f.by_evaluation),
            overdue: f.overdue.iter().map(OverdueView::from).collect(),
            key_suggestions: f
                .key_suggestions
                .iter()
                .map(KeySuggestionView::from)
                .collect(),
        }
    }
}

/// The year's report as an editable draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ReportDraftView {
    pub session_id: String,
    /// ISO date of the figures in the text.
    pub as_of: String,
    /// A title line, then paragraphs separated by an empty line.
    pub text: String,
}

/// A written statistics file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StatsExport {
    pub path: String,
    /// `xlsx`, `pdf`, `docx` or `ledger`.
    pub format: String,
    /// Fonts that stood in for the standard's (PDF and Word only).
    pub substitutions: Vec<String>,
}

//! Time limits (BRIEF §2) and early warnings.
//!
//! Every limit is a setting, since cities differ. A limit counted in calendar
//! days or months that ends on a day off moves to the next working day, as
//! statutory limits do; a limit in working days counts only working days.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingCalendar;

/// A length of time as the rules state it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "unit", content = "n")]
pub enum Period {
    /// Calendar days; the end rolls forward to a working day.
    Days(u32),
    /// Working days.
    WorkingDays(u32),
    /// Calendar months (same day of month, clamped to the month's end); the
    /// end rolls forward to a working day.
    Months(u32),
}

impl Period {
    /// The last day of the period that starts on `start`.
    pub fn end(&self, start: NaiveDate, cal: &WorkingCalendar) -> NaiveDate {
        match *self {
            Period::Days(n) => cal.roll_forward(start + chrono::Days::new(n as u64)),
            Period::WorkingDays(n) => cal.add_working_days(start, n),
            Period::Months(n) => cal.roll_forward(
                start
                    .checked_add_months(Months::new(n))
                    .expect("deadline within chrono's date range"),
            ),
        }
    }

    pub fn label_zh(&self) -> String {
        match *self {
            Period::Days(n) => format!("{n}日"),
            Period::WorkingDays(n) => format!("{n}个工作日"),
            Period::Months(n) => format!("{n}个月"),
        }
    }
}

/// The configurable time limits. Defaults follow BRIEF §2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlinePolicy {
    /// 签收 after assignment.
    pub receipt: Period,
    /// 答复 after formal assignment.
    pub reply: Period,
    /// The longest an extension may push the reply, counted from assignment.
    pub max_extension: Period,
    /// 会办意见 to the lead unit after assignment.
    pub co_opinion: Period,
    /// 申请调整 window after assignment.
    pub adjustment: Period,
    /// 重办 after a 不满意 evaluation.
    pub rehandling: Period,
    /// 代表评价 after the reply is submitted.
    pub evaluation: Period,
    /// Urgent suggestions (急事急办): reply limit.
    pub urgent_reply: Period,
    /// Warning thresholds in working days before a deadline, largest first.
    pub warn_working_days: [u32; 3],
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        Self {
            receipt: Period::WorkingDays(2),
            reply: Period::Months(3),
            max_extension: Period::Months(6),
            co_opinion: Period::Months(1),
            adjustment: Period::Days(10),
            rehandling: Period::Months(1),
            evaluation: Period::WorkingDays(20),
            urgent_reply: Period::Months(1),
            warn_working_days: [15, 7, 3],
        }
    }
}

/// The dates fixed at assignment (and moved by extension or re-handling).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    pub receipt: NaiveDate,
    pub adjustment: NaiveDate,
    /// Lead and split units: the reply. Co-handlers: their opinion.
    pub reply: NaiveDate,
    /// The latest date an extension may grant.
    pub extension_limit: NaiveDate,
}

impl DeadlinePolicy {
    /// Deadlines for a unit assigned on `assigned_on`.
    pub fn deadlines(
        &self,
        assigned_on: NaiveDate,
        role: crate::HandlingRole,
        urgent: bool,
        cal: &WorkingCalendar,
    ) -> Deadlines {
        let reply = match (role, urgent) {
            (crate::HandlingRole::CoHandler, _) => self.co_opinion,
            (_, true) => self.urgent_reply,
            (_, false) => self.reply,
        };
        Deadlines {
            receipt: self.receipt.end(assigned_on, cal),
            adjustment: self.adjustment.end(assigned_on, cal),
            reply: reply.end(assigned_on, cal),
            extension_limit: self.max_extension.end(assigned_on, cal),
        }
    }

    /// How close `today` is to `deadline`.
    pub fn warning(
        &self,
        today: NaiveDate,
        deadline: NaiveDate,
        cal: &WorkingCalendar,
    ) -> WarningLevel {
        if today > deadline {
            return WarningLevel::Overdue;
        }
        let left = cal.working_days_between(today, deadline);
        let [w1, w2, w3] = self.warn_working_days;
        if left <= w3 as i64 {
            WarningLevel::Days3
        } else if left <= w2 as i64 {
            WarningLevel::Days7
        } else if left <= w1 as i64 {
            WarningLevel::Days15
        } else {
            WarningLevel::Normal
        }
    }
}

/// 预警 level of a deadline, in increasing urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningLevel {
    Normal,
    /// Within the first threshold (15 working days by default).
    Days15,
    Days7,
    Days3,
    Overdue,
}

impl WarningLevel {
    pub fn label_zh(&self) -> &'static str {
        match self {
            WarningLevel::Normal => "正常",
            WarningLevel::Days15 => "15日内到期",
            WarningLevel::Days7 => "7日内到期",
            WarningLevel::Days3 => "3日内到期",
            WarningLevel::Overdue => "已逾期",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HandlingRole;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn default_deadlines_follow_the_brief() {
        let cal = WorkingCalendar::national();
        let p = DeadlinePolicy::default();
        // Formal assignment Thursday 2024-03-28.
        let d = p.deadlines(date("2024-03-28"), HandlingRole::Lead, false, &cal);
        // Three months → 2024-06-28, a Friday and a working day.
        assert_eq!(d.reply, date("2024-06-28"));
        assert_eq!(d.receipt, date("2024-04-01"));
        // 10 days → 04-07, an adjusted working Sunday (清明).
        assert_eq!(d.adjustment, date("2024-04-07"));
        let co = p.deadlines(date("2024-03-28"), HandlingRole::CoHandler, false, &cal);
        assert_eq!(co.reply, date("2024-04-28")); // adjusted working Sunday
                                                  // Month end clamps: 2024-11-30 + 3 months → 2025-02-28 (Friday).
        let d = p.deadlines(date("2024-11-30"), HandlingRole::Lead, false, &cal);
        assert_eq!(d.reply, date("2025-02-28"));
        // A deadline in the 国庆 holiday moves past it.
        let d = p.deadlines(date("2025-07-01"), HandlingRole::Lead, false, &cal);
        assert_eq!(d.reply, date("2025-10-09"));
    }

    #[test]
    fn warning_levels() {
        let cal = WorkingCalendar::national();
        let p = DeadlinePolicy::default();
        let due = date("2024-06-28");
        assert_eq!(
            p.warning(date("2024-04-01"), due, &cal),
            WarningLevel::Normal
        );
        assert_eq!(
            p.warning(date("2024-06-10"), due, &cal),
            WarningLevel::Days15
        );
        assert_eq!(
            p.warning(date("2024-06-20"), due, &cal),
            WarningLevel::Days7
        );
        assert_eq!(
            p.warning(date("2024-06-25"), due, &cal),
            WarningLevel::Days3
        );
        assert_eq!(p.warning(due, due, &cal), WarningLevel::Days3);
        assert_eq!(
            p.warning(date("2024-06-29"), due, &cal),
            WarningLevel::Overdue
        );
    }
}

//! What a desktop notification says: the title for a notice kind, and the
//! daily summary of close deadlines. The shell shows them (`notify.rs`).

use jianban_domain::WarningLevel;

/// A title for a notice kind.
pub fn title_of(kind: &str) -> &'static str {
    match kind {
        "assigned" => "新交办件",
        "pre_assignment" => "预交办",
        "returned" | "return" => "退回重办",
        "urge" => "催办",
        "rejected" => "平台未接受",
        "opinion" => "收到会办意见",
        "extension" => "延期",
        "evaluation" => "代表评价",
        "adjustment" | "transferred" => "调整申请",
        _ => "建办提醒",
    }
}

/// The daily deadline summary, or none when nothing is close.
pub fn deadline_summary(warnings: impl Iterator<Item = WarningLevel>) -> Option<String> {
    let (mut overdue, mut soon) = (0, 0);
    for w in warnings {
        match w {
            WarningLevel::Overdue => overdue += 1,
            WarningLevel::Days3 => soon += 1,
            _ => {}
        }
    }
    match (overdue, soon) {
        (0, 0) => None,
        (o, 0) => Some(format!("{o}件已逾期，请尽快办理。")),
        (0, s) => Some(format!("{s}件将在3个工作日内到期。")),
        (o, s) => Some(format!("{o}件已逾期，{s}件将在3个工作日内到期。")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daily_summary_counts_overdue_and_soon() {
        use WarningLevel::*;
        assert_eq!(deadline_summary([Normal, Days15].into_iter()), None);
        assert_eq!(
            deadline_summary([Overdue, Days3, Days3, Normal].into_iter()).as_deref(),
            Some("1件已逾期，2件将在3个工作日内到期。")
        );
        assert_eq!(
            deadline_summary([Days3].into_iter()).as_deref(),
            Some("1件将在3个工作日内到期。")
        );
    }

    #[test]
    fn notice_kinds_get_chinese_titles() {
        assert_eq!(title_of("returned"), "退回重办");
        assert_eq!(title_of("something-new"), "建办提醒");
    }
}

//! 工作台分组: which group a case counts in, and how many each group holds.
//! The one place for this rule; the workbench DTOs only carry its result.

use jianban_domain::{CaseState, WarningLevel};

/// A workbench group. A case is in at most one state group and, when its
/// deadline is close or past, also in one deadline group. The UI knows it
/// as `StateGroup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "StateGroup"))]
pub enum Group {
    /// 待签收.
    AwaitingReceipt,
    /// 办理中.
    InProgress,
    /// 待审核.
    AwaitingApproval,
    /// 已答复.
    Replied,
    /// 退回重办.
    Returned,
    /// 即将到期 (within 7 working days).
    DueSoon,
    /// 已逾期.
    Overdue,
}

impl Group {
    /// In the order the workbench shows the counts.
    pub const ALL: [Group; 7] = [
        Self::AwaitingReceipt,
        Self::InProgress,
        Self::AwaitingApproval,
        Self::Replied,
        Self::Returned,
        Self::DueSoon,
        Self::Overdue,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::AwaitingReceipt => "待签收",
            Self::InProgress => "办理中",
            Self::AwaitingApproval => "待审核",
            Self::Replied => "已答复",
            Self::Returned => "退回重办",
            Self::DueSoon => "即将到期",
            Self::Overdue => "已逾期",
        }
    }

    /// The groups of a case in `state` with deadline `warning`. A
    /// transferred case belongs to another unit now: no state group.
    pub fn of(state: CaseState, warning: WarningLevel) -> Vec<Group> {
        use CaseState as S;
        let mut out = vec![];
        match state {
            S::AwaitingReceipt => out.push(Self::AwaitingReceipt),
            S::Received | S::AdjustmentRequested | S::Drafting | S::SignedOff => {
                out.push(Self::InProgress)
            }
            S::AwaitingApproval => out.push(Self::AwaitingApproval),
            S::Submitted | S::Evaluated | S::Concluded => out.push(Self::Replied),
            S::Returned => out.push(Self::Returned),
            S::Transferred => {}
        }
        match warning {
            WarningLevel::Overdue => out.push(Self::Overdue),
            WarningLevel::Days3 | WarningLevel::Days7 => out.push(Self::DueSoon),
            WarningLevel::Normal | WarningLevel::Days15 => {}
        }
        out
    }
}

/// How many cases each group holds, every group in [`Group::ALL`] order
/// (empty ones too), given each case's groups.
pub fn counts<'a>(cases: impl IntoIterator<Item = &'a [Group]> + Clone) -> Vec<(Group, u32)> {
    Group::ALL
        .iter()
        .map(|g| {
            let n = cases.clone().into_iter().filter(|c| c.contains(g)).count();
            (*g, n as u32)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_is_in_one_state_group_and_close_deadlines_add_one() {
        assert_eq!(
            Group::of(CaseState::Drafting, WarningLevel::Days3),
            [Group::InProgress, Group::DueSoon]
        );
        assert_eq!(
            Group::of(CaseState::Submitted, WarningLevel::Normal),
            [Group::Replied]
        );
        assert_eq!(
            Group::of(CaseState::Transferred, WarningLevel::Overdue),
            [Group::Overdue]
        );
        for state in CaseState::ALL {
            let state_groups = Group::of(state, WarningLevel::Normal);
            assert!(state_groups.len() <= 1, "{state:?}: {state_groups:?}");
        }
    }

    #[test]
    fn counts_list_every_group_even_empty_ones() {
        let a = Group::of(CaseState::Drafting, WarningLevel::Overdue);
        let b = Group::of(CaseState::Drafting, WarningLevel::Normal);
        let got = counts([a.as_slice(), b.as_slice()]);
        assert_eq!(got.len(), Group::ALL.len());
        assert!(got.contains(&(Group::InProgress, 2)));
        assert!(got.contains(&(Group::Overdue, 1)));
        assert!(got.contains(&(Group::Returned, 0)));
    }
}

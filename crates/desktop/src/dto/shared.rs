//! The small types every screen shares: the case list row, the handling role, the case state, the deadline warning, the person.

use jianban_domain as domain;
use serde::{Deserialize, Serialize};

/// One row of the assignment list (交办件列表).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AssignmentRow {
    pub assignment_id: String,
    /// 建议号: 39 for 第39号.
    pub suggestion_number: u32,
    /// e.g. 市六届人大三次会议.
    pub session_name: String,
    /// Without book-title marks.
    pub title: String,
    pub unit_name: String,
    pub role: Role,
    /// 主办 / 协办 / 分办.
    pub role_label: String,
    pub state: CaseState,
    pub state_label: String,
    /// ISO date `YYYY-MM-DD`; none once nothing is due.
    pub deadline: Option<String>,
    pub warning: DeadlineWarning,
    pub warning_label: String,
    /// 重点建议.
    pub is_key: bool,
}

/// 承办方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum Role {
    Lead,
    CoHandler,
    Split,
}

/// Where an assignment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum CaseState {
    AwaitingReceipt,
    Received,
    AdjustmentRequested,
    Drafting,
    AwaitingApproval,
    SignedOff,
    Submitted,
    Returned,
    Evaluated,
    Concluded,
    Transferred,
}

/// 预警 level of the deadline, which decides the badge colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum DeadlineWarning {
    Normal,
    Within15Days,
    Within7Days,
    Within3Days,
    Overdue,
}

impl From<domain::HandlingRole> for Role {
    fn from(r: domain::HandlingRole) -> Self {
        match r {
            domain::HandlingRole::Lead => Role::Lead,
            domain::HandlingRole::CoHandler => Role::CoHandler,
            domain::HandlingRole::Split => Role::Split,
        }
    }
}

impl From<domain::CaseState> for CaseState {
    fn from(s: domain::CaseState) -> Self {
        use domain::CaseState as S;
        match s {
            S::AwaitingReceipt => CaseState::AwaitingReceipt,
            S::Received => CaseState::Received,
            S::AdjustmentRequested => CaseState::AdjustmentRequested,
            S::Drafting => CaseState::Drafting,
            S::AwaitingApproval => CaseState::AwaitingApproval,
            S::SignedOff => CaseState::SignedOff,
            S::Submitted => CaseState::Submitted,
            S::Returned => CaseState::Returned,
            S::Evaluated => CaseState::Evaluated,
            S::Concluded => CaseState::Concluded,
            S::Transferred => CaseState::Transferred,
        }
    }
}

impl From<domain::WarningLevel> for DeadlineWarning {
    fn from(w: domain::WarningLevel) -> Self {
        use domain::WarningLevel as W;
        match w {
            W::Normal => DeadlineWarning::Normal,
            W::Days15 => DeadlineWarning::Within15Days,
            W::Days7 => DeadlineWarning::Within7Days,
            W::Days3 => DeadlineWarning::Within3Days,
            W::Overdue => DeadlineWarning::Overdue,
        }
    }
}

impl From<jianban_store::WorkbenchItem> for AssignmentRow {
    fn from(item: jianban_store::WorkbenchItem) -> Self {
        AssignmentRow {
            assignment_id: item.assignment_id,
            suggestion_number: item.suggestion_number,
            session_name: item.session_name,
            title: item.title,
            unit_name: item.unit_name,
            role: item.role.into(),
            role_label: item.role.label_zh().to_owned(),
            state: item.state.into(),
            state_label: item.state.label_zh().to_owned(),
            deadline: item.deadline.map(|d| d.format("%Y-%m-%d").to_string()),
            warning: item.warning.into(),
            warning_label: item.warning.label_zh().to_owned(),
            is_key: item.is_key,
        }
    }
}

/// Who is logged in on this PC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct UserView {
    pub user_id: String,
    pub name: String,
    pub role: UserRoleCode,
    pub role_label: String,
    pub unit_id: Option<String>,
}

/// 岗位.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum UserRoleCode {
    OfficeStaff,
    Liaison,
    CaseHandler,
    DeputyHead,
    Head,
}

impl From<domain::UserRole> for UserRoleCode {
    fn from(r: domain::UserRole) -> Self {
        use domain::UserRole as R;
        match r {
            R::OfficeStaff => Self::OfficeStaff,
            R::Liaison => Self::Liaison,
            R::CaseHandler => Self::CaseHandler,
            R::DeputyHead => Self::DeputyHead,
            R::Head => Self::Head,
        }
    }
}

impl From<UserRoleCode> for domain::UserRole {
    fn from(r: UserRoleCode) -> Self {
        use domain::UserRole as R;
        match r {
            UserRoleCode::OfficeStaff => R::OfficeStaff,
            UserRoleCode::Liaison => R::Liaison,
            UserRoleCode::CaseHandler => R::CaseHandler,
            UserRoleCode::DeputyHead => R::DeputyHead,
            UserRoleCode::Head => R::Head,
        }
    }
}

impl From<&domain::Actor> for UserView {
    fn from(a: &domain::Actor) -> Self {
        UserView {
            user_id: a.user.to_string(),
            name: a.name.clone(),
            role: a.role.into(),
            role_label: a.role.label_zh().to_owned(),
            unit_id: a.unit.as_ref().map(|u| u.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn item() -> jianban_store::WorkbenchItem {
        jianban_store::WorkbenchItem {
            assignment_id: "a-39-fgw".into(),
            suggestion_id: "s-39".into(),
            suggestion_number: 39,
            session_id: "6-3".into(),
            session_name: "市六届人大三次会议".into(),
            title: "关于推动我市民营经济高质量发展的建议".into(),
            unit_id: "fgw".into(),
            unit_name: "市发展改革委".into(),
            role: domain::HandlingRole::CoHandler,
            state: domain::CaseState::AwaitingApproval,
            deadline: NaiveDate::from_ymd_opt(2024, 6, 8),
            warning: domain::WarningLevel::Days7,
            is_key: true,
            is_urgent: false,
            category: None,
            handler: None,
        }
    }

    #[test]
    fn a_row_on_the_wire_is_camel_case_with_iso_dates_and_labels() {
        let row = AssignmentRow::from(item());
        let json = serde_json::to_value(&row).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "assignmentId": "a-39-fgw",
                "suggestionNumber": 39,
                "sessionName": "市六届人大三次会议",
                "title": "关于推动我市民营经济高质量发展的建议",
                "unitName": "市发展改革委",
                "role": "coHandler",
                "roleLabel": "协办",
                "state": "awaitingApproval",
                "stateLabel": domain::CaseState::AwaitingApproval.label_zh(),
                "deadline": "2024-06-08",
                "warning": "within7Days",
                "warningLabel": "7日内到期",
                "isKey": true,
            })
        );
    }

    #[test]
    fn no_deadline_is_null() {
        let mut it = item();
        it.deadline = None;
        let json = serde_json::to_value(AssignmentRow::from(it)).unwrap();
        assert!(json["deadline"].is_null());
    }

    #[test]
    fn every_case_state_keeps_its_name_on_the_wire() {
        for state in domain::CaseState::ALL {
            let domain_name = serde_json::to_value(state).unwrap();
            let wire_name = serde_json::to_value(CaseState::from(state)).unwrap();
            // Domain is snake_case, wire is camelCase of the same words.
            let camel: String = domain_name
                .as_str()
                .unwrap()
                .split('_')
                .enumerate()
                .map(|(i, w)| {
                    if i == 0 {
                        w.to_owned()
                    } else {
                        let mut c = w.chars();
                        c.next()
                            .map(|f| f.to_uppercase().chain(c).collect())
                            .unwrap_or_default()
                    }
                })
                .collect();
            assert_eq!(wire_name, serde_json::Value::String(camel));
        }
    }

    #[test]
    fn warning_levels_map_in_order_of_urgency() {
        use domain::WarningLevel as W;
        let wire: Vec<_> = [W::Normal, W::Days15, W::Days7, W::Days3, W::Overdue]
            .into_iter()
            .map(|w| serde_json::to_value(DeadlineWarning::from(w)).unwrap())
            .collect();
        assert_eq!(
            wire,
            [
                "normal",
                "within15Days",
                "within7Days",
                "within3Days",
                "overdue"
            ]
            .map(serde_json::Value::from)
            .to_vec()
        );
    }
}

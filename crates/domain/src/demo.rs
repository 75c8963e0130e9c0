//! The demo data set: the session 市六届人大三次会议 with the suggestions the
//! source report names (39, 172, 196, 199, 37) and more, spread over units
//! and over every workflow state.
//!
//! The file (`data/demo.json`) says which state each assignment should be in;
//! [`script`] gives the actions that lead there, so the demo's history is made
//! by the real rules and every demo case is valid by construction.

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::model::*;
use crate::workflow::{Action, CaseState};

pub const DEMO_FORMAT: &str = "jianban-demo/1";

const DEMO_JSON: &str = include_str!("../data/demo.json");

/// A demo login. Every demo account's password is [`DEMO_PASSWORD`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoUser {
    pub id: UserId,
    pub name: String,
    pub role: UserRole,
    pub unit: Option<UnitId>,
}

impl DemoUser {
    pub fn actor(&self) -> Actor {
        Actor {
            user: self.id.clone(),
            name: self.name.clone(),
            role: self.role,
            unit: self.unit.clone(),
        }
    }
}

pub const DEMO_PASSWORD: &str = "jianban-demo";

/// One assignment and the state the demo shows it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoAssignment {
    pub id: AssignmentId,
    pub suggestion_id: SuggestionId,
    pub unit_id: UnitId,
    pub role: HandlingRole,
    /// Formal assignment this many days before the day the demo is loaded,
    /// so deadlines and warnings look live whenever it is loaded.
    pub assigned_days_ago: u32,
    pub state: CaseState,
    #[serde(default)]
    pub evaluation: Option<Evaluation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoData {
    pub format: String,
    pub sessions: Vec<Session>,
    pub deputies: Vec<Deputy>,
    pub units: Vec<Unit>,
    pub users: Vec<DemoUser>,
    pub suggestions: Vec<Suggestion>,
    pub assignments: Vec<DemoAssignment>,
}

/// The embedded demo data set.
pub fn demo_data() -> DemoData {
    let data: DemoData = serde_json::from_str(DEMO_JSON).expect("the embedded demo data is valid");
    debug_assert_eq!(data.format, DEMO_FORMAT);
    data
}

/// The demo set scaled up for benchmarks: `n` suggestions over 200 units,
/// each with one split assignment in drafting (so each has a draft).
pub fn scaled(n: usize) -> DemoData {
    let base = demo_data();
    let mut data = DemoData {
        format: base.format.clone(),
        sessions: base.sessions.clone(),
        deputies: base.deputies.clone(),
        units: Vec::new(),
        users: base
            .user(None, UserRole::OfficeStaff)
            .into_iter()
            .cloned()
            .collect(),
        suggestions: Vec::new(),
        assignments: Vec::new(),
    };
    for u in 0..200 {
        let id = UnitId::new(format!("u{u:03}"));
        data.units.push(Unit {
            id: id.clone(),
            name: format!("市第{u}局"),
            doc_prefix: format!("宿{u}建复"),
        });
        for (role, name) in [(UserRole::Liaison, "联络员"), (UserRole::Head, "局长")] {
            data.users.push(DemoUser {
                id: UserId::new(format!("{id}-{role:?}")),
                name: format!("{name}{u}"),
                role,
                unit: Some(id.clone()),
            });
        }
    }
    for i in 0..n {
        let template = &base.suggestions[i % base.suggestions.len()];
        let id = SuggestionId::new(format!("s{i:05}"));
        data.suggestions.push(Suggestion {
            id: id.clone(),
            number: i as u32 + 1,
            title: format!("{}（{}）", template.title, i),
            ..template.clone()
        });
        data.assignments.push(DemoAssignment {
            id: AssignmentId::new(format!("a{i:05}")),
            suggestion_id: id,
            unit_id: UnitId::new(format!("u{:03}", i % 200)),
            role: HandlingRole::Split,
            assigned_days_ago: 30 + (i % 60) as u32,
            state: CaseState::Drafting,
            evaluation: None,
        });
    }
    data
}

impl DemoData {
    pub fn suggestion(&self, id: &SuggestionId) -> Option<&Suggestion> {
        self.suggestions.iter().find(|s| &s.id == id)
    }
    pub fn unit(&self, id: &UnitId) -> Option<&Unit> {
        self.units.iter().find(|u| &u.id == id)
    }
    pub fn deputy(&self, id: &DeputyId) -> Option<&Deputy> {
        self.deputies.iter().find(|d| &d.id == id)
    }
    pub fn session(&self, id: &SessionId) -> Option<&Session> {
        self.sessions.iter().find(|s| &s.id == id)
    }
    /// The unit's liaison (`Liaison`) or head (`Head`); the office's staff for `OfficeStaff`.
    pub fn user(&self, unit: Option<&UnitId>, role: UserRole) -> Option<&DemoUser> {
        self.users
            .iter()
            .find(|u| u.role == role && u.unit.as_ref() == unit)
    }

    /// Assigned date of `a` when the demo is loaded on `today`.
    pub fn assigned_on(a: &DemoAssignment, today: NaiveDate) -> NaiveDate {
        today - Days::new(a.assigned_days_ago as u64)
    }
}

impl DemoAssignment {
    /// The formal assignment as of `today` (the desktop and the server
    /// create the same one).
    pub fn assignment(&self, today: NaiveDate) -> Assignment {
        Assignment {
            id: self.id.clone(),
            suggestion_id: self.suggestion_id.clone(),
            unit_id: self.unit_id.clone(),
            role: self.role,
            assigned_on: DemoData::assigned_on(self, today),
        }
    }
}

/// What happens to a demo case, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoStep {
    /// A contact with the deputy, recorded by the liaison.
    Contact(ContactMode, String),
    /// The liaison saves a draft revision.
    SaveDraft(ReplyContent),
    /// An action by someone in `role` (of the case's unit, or the office).
    Act(UserRole, Action),
}

/// A step and when it happens.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedStep {
    pub at: NaiveDateTime,
    pub step: DemoStep,
}

/// The steps that bring `a` to its demo state, dated from its assignment.
/// Lead units act after day 15, once their co-handlers (who act within the
/// first ten days) have sent their opinions.
pub fn script(data: &DemoData, a: &DemoAssignment, today: NaiveDate) -> Vec<TimedStep> {
    use CaseState as S;
    let assigned = DemoData::assigned_on(a, today);
    let at = |day: u64| {
        NaiveDateTime::new(
            assigned + Days::new(day),
            NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
        )
    };
    let lead_like = a.role.replies_to_deputy();
    let (draft_day, submit_day) = if lead_like { (15, 25) } else { (5, 7) };
    let mut steps = Vec::new();
    let mut push = |day: u64, step: DemoStep| steps.push(TimedStep { at: at(day), step });

    let reached = |s: S| order(a.state) >= order(s);
    if a.state == S::AwaitingReceipt {
        return steps;
    }
    push(1, DemoStep::Act(UserRole::Liaison, Action::Receive));
    if matches!(a.state, S::AdjustmentRequested | S::Transferred) {
        push(
            2,
            DemoStep::Act(
                UserRole::Liaison,
                Action::RequestAdjustment {
                    request: AdjustmentRequest {
                        reason: "该建议所提事项主要属于其他部门职责，建议调整承办单位。".into(),
                        suggested_unit: None,
                    },
                },
            ),
        );
        if a.state == S::Transferred {
            push(
                4,
                DemoStep::Act(
                    UserRole::OfficeStaff,
                    Action::DecideAdjustment {
                        approved: true,
                        comment: "同意调整，另行交办。".into(),
                    },
                ),
            );
        }
        return steps;
    }
    if !reached(S::Drafting) {
        return steps;
    }
    if lead_like {
        push(
            3,
            DemoStep::Contact(
                ContactMode::Phone,
                "电话联系代表，了解建议背景和具体诉求。".into(),
            ),
        );
    }
    push(draft_day, DemoStep::SaveDraft(draft_for(data, a)));
    if !reached(S::AwaitingApproval) {
        return steps;
    }
    push(
        submit_day,
        DemoStep::Act(UserRole::Liaison, Action::SubmitForApproval),
    );
    if !reached(S::SignedOff) {
        return steps;
    }
    let revision = draft_for(data, a).content_hash();
    push(
        submit_day + 1,
        DemoStep::Act(
            UserRole::Head,
            Action::Approve {
                revision,
                comment: "同意。".into(),
            },
        ),
    );
    if !reached(S::Submitted) {
        return steps;
    }
    push(
        submit_day + 3,
        DemoStep::Act(UserRole::Liaison, Action::Submit),
    );
    if !lead_like {
        return steps;
    }
    match a.state {
        S::Returned => {
            let action = if a.evaluation == Some(Evaluation::Dissatisfied) {
                Action::RecordEvaluation {
                    evaluation: Evaluation::Dissatisfied,
                }
            } else {
                Action::Return {
                    reasons: "答复内容针对性不强，未回应代表提出的具体问题，请重新办理。".into(),
                }
            };
            push(45, DemoStep::Act(UserRole::OfficeStaff, action));
        }
        S::Evaluated | S::Concluded => {
            push(
                50,
                DemoStep::Act(
                    UserRole::OfficeStaff,
                    Action::RecordEvaluation {
                        evaluation: a.evaluation.unwrap_or(Evaluation::Satisfied),
                    },
                ),
            );
            if a.state == S::Concluded {
                push(60, DemoStep::Act(UserRole::OfficeStaff, Action::Conclude));
            }
        }
        _ => {}
    }
    steps
}

/// Position along the main path, to ask "has the demo case got this far?".
fn order(s: CaseState) -> u8 {
    use CaseState as S;
    match s {
        S::AwaitingReceipt => 0,
        S::Received | S::AdjustmentRequested | S::Transferred => 1,
        S::Drafting => 2,
        S::AwaitingApproval => 3,
        S::SignedOff => 4,
        S::Submitted | S::Returned => 5,
        S::Evaluated => 6,
        S::Concluded => 7,
    }
}

/// A realistic reply (or co-handling opinion) for a demo case.
pub fn draft_for(data: &DemoData, a: &DemoAssignment) -> ReplyContent {
    let s = data
        .suggestion(&a.suggestion_id)
        .expect("demo suggestion exists");
    let unit = data.unit(&a.unit_id).expect("demo unit exists");
    let deputy = data.deputy(&s.lead_deputy).expect("demo deputy exists");
    let session = data.session(&s.session_id).expect("demo session exists");
    let liaison = data
        .user(Some(&a.unit_id), UserRole::Liaison)
        .map_or("联络员".to_string(), |u| u.name.clone());
    let seq = s.number;
    let (title, salutation, category, opening) = if a.role.replies_to_deputy() {
        (
            format!("关于{}第{}号建议的答复", session.name, s.number),
            format!("{}代表：", deputy.name),
            Some(if s.number.is_multiple_of(3) {
                ResultCategory::B
            } else {
                ResultCategory::A
            }),
            format!(
                "您提出的《{}》（第{}号）收悉。经认真研究，现答复如下：",
                s.title, s.number
            ),
        )
    } else {
        (
            format!("关于{}第{}号建议的会办意见", session.name, s.number),
            "主办单位：".to_string(),
            None,
            format!(
                "《{}》（第{}号）收悉。经研究，现提出会办意见如下：",
                s.title, s.number
            ),
        )
    };
    let body = format!(
        "{opening}\n一、基本情况\n近年来，我单位高度重视{topic}相关工作，将其列入年度重点任务，明确分管领导和责任科室，建立了定期调度和跟踪问效机制。\n二、下一步工作\n（一）加强统筹协调。会同有关部门研究制定具体措施，明确时间表和路线图。\n（二）强化要素保障。积极争取上级资金和政策支持，2024年计划安排专项资金，确保各项措施落地见效。\n（三）主动接受监督。定期向代表通报办理进展，邀请代表实地视察，听取意见建议。\n衷心感谢您对{unit}工作的关心和支持，欢迎继续提出宝贵意见和建议。",
        topic = s.title.trim_start_matches("关于").trim_end_matches("的建议"),
        unit = unit.name,
    );
    ReplyContent {
        category,
        disclosure: Disclosure::Active,
        doc_number: format!("{}〔{}〕{}号", unit.doc_prefix, session.year, seq),
        title,
        salutation,
        body,
        contact_person: liaison,
        contact_phone: format!("0557-30{:05}", 10_000 + seq),
        cc: vec!["市人大常委会代表工委".into(), "市政府办公室".into()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_demo_has_the_source_suggestions_and_every_state() {
        let d = demo_data();
        assert_eq!(d.format, DEMO_FORMAT);
        assert_eq!(d.sessions[0].name, "市六届人大三次会议");
        for (n, title) in [
            (39, "关于推动我市民营经济高质量发展的建议"),
            (172, "关于规范医院过度检查的建议"),
            (196, "关于全面推进我市韧性安全城市建设的建议"),
            (199, "关于推进创业孵化器建设的建议"),
            (
                37,
                "关于进一步完善项目管理机制，提高财政衔接乡村振兴资金效益的建议",
            ),
        ] {
            let s = d.suggestions.iter().find(|s| s.number == n).unwrap();
            assert_eq!(s.title, title);
        }
        assert!(d.suggestions.len() >= 45);
        let states: HashSet<_> = d.assignments.iter().map(|a| a.state).collect();
        for s in CaseState::ALL {
            assert!(states.contains(&s), "no demo case in {s:?}");
        }
        let ids: HashSet<_> = d.assignments.iter().map(|a| &a.id).collect();
        assert_eq!(ids.len(), d.assignments.len(), "duplicate assignment ids");
        for a in &d.assignments {
            assert!(d.suggestion(&a.suggestion_id).is_some());
            assert!(d.unit(&a.unit_id).is_some());
            assert!(d.user(Some(&a.unit_id), UserRole::Liaison).is_some());
            assert!(d.user(Some(&a.unit_id), UserRole::Head).is_some());
        }
        for u in [
            "市发展改革委",
            "市卫生健康委",
            "市住房城乡建设局",
            "市人力资源社会保障局",
            "市财政局",
            "市农业农村局",
        ] {
            assert!(d.units.iter().any(|x| x.name == u), "{u}");
        }
    }
}

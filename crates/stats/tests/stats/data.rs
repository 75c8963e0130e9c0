//! Building case rows the way the server's database holds them.

use chrono::NaiveDate;
use jianban_domain::workflow::default_approval_chain;
use jianban_domain::*;
use jianban_stats::CaseRow;

pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub struct RowSpec<'a> {
    pub suggestion: u32,
    pub unit: &'a str,
    pub role: HandlingRole,
    pub state: CaseState,
    pub category: Option<ResultCategory>,
    pub evaluation: Option<Evaluation>,
    pub contacts: u32,
    pub replied_on: Option<NaiveDate>,
    pub is_key: bool,
    pub assigned_on: NaiveDate,
}

impl Default for RowSpec<'_> {
    fn default() -> Self {
        RowSpec {
            suggestion: 1,
            unit: "u1",
            role: HandlingRole::Lead,
            state: CaseState::Drafting,
            category: None,
            evaluation: None,
            contacts: 0,
            replied_on: None,
            is_key: false,
            assigned_on: date("2024-03-28"),
        }
    }
}

pub fn unit_name(id: &str) -> String {
    match id {
        "fgw" => "市发展改革委".into(),
        "wjw" => "市卫生健康委".into(),
        "zjj" => "市住房城乡建设局".into(),
        other => format!("单位{other}"),
    }
}

pub fn row(spec: RowSpec<'_>) -> CaseRow {
    let cal = WorkingCalendar::national();
    let policy = DeadlinePolicy::default();
    let assignment = Assignment {
        id: AssignmentId::new(format!("a-{}-{}", spec.suggestion, spec.unit)),
        suggestion_id: SuggestionId::new(format!("s-{}", spec.suggestion)),
        unit_id: UnitId::new(spec.unit),
        role: spec.role,
        assigned_on: spec.assigned_on,
    };
    let mut case = Case::new(
        &assignment,
        false,
        &policy,
        &cal,
        default_approval_chain(),
        vec![],
    )
    .unwrap();
    case.state = spec.state;
    case.contact_count = spec.contacts;
    case.evaluation = spec.evaluation;
    case.draft = spec.category.map(|c| DraftSummary {
        hash: RevisionHash("0".repeat(64)),
        category: Some(c),
        has_body: true,
        has_contact_person: true,
        has_contact_phone: true,
        has_placeholder: false,
    });
    CaseRow {
        assignment,
        case,
        unit_name: unit_name(spec.unit),
        suggestion_number: spec.suggestion,
        suggestion_title: format!("关于第{}件事项的建议", spec.suggestion),
        lead_deputy: "张三".into(),
        is_key: spec.is_key,
        replied_on: spec.replied_on,
    }
}

/// The source's year: 201 suggestions to the government system (of 216),
/// 67 A and 134 B, 88 handled by several units, 5 key suggestions, all
/// concluded on time after contact with the deputy.
pub fn source_year() -> Vec<CaseRow> {
    let mut rows = Vec::new();
    for n in 1..=201u32 {
        let lead = ["fgw", "wjw", "zjj"][(n % 3) as usize];
        let replied = if n % 2 == 0 {
            "2024-06-14"
        } else {
            "2024-05-31"
        };
        let evaluation = if n <= 150 {
            Evaluation::Satisfied
        } else {
            Evaluation::BasicallySatisfied
        };
        rows.push(row(RowSpec {
            suggestion: n,
            unit: lead,
            state: CaseState::Concluded,
            category: Some(if n <= 67 {
                ResultCategory::A
            } else {
                ResultCategory::B
            }),
            evaluation: Some(evaluation),
            contacts: 1 + n % 3,
            replied_on: Some(date(replied)),
            is_key: [37, 39, 172, 196, 199].contains(&n),
            ..Default::default()
        }));
        if n <= 88 {
            let co = ["wjw", "zjj", "fgw"][(n % 3) as usize];
            rows.push(row(RowSpec {
                suggestion: n,
                unit: co,
                role: HandlingRole::CoHandler,
                state: CaseState::Concluded,
                replied_on: Some(date("2024-04-26")),
                is_key: [37, 39, 172, 196, 199].contains(&n),
                ..Default::default()
            }));
        }
    }
    rows
}

//! Figures, report text and both workbooks over the city's scale: 10,000
//! assignments (about 7,000 suggestions over 200 units). Run with
//! `cargo bench -p jianban-stats --bench figures`.

use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use jianban_domain::workflow::default_approval_chain;
use jianban_domain::*;
use jianban_stats::*;

fn rows(n: usize) -> Vec<CaseRow> {
    let cal = WorkingCalendar::national();
    let policy = DeadlinePolicy::default();
    let start: NaiveDate = "2024-03-28".parse().unwrap();
    let mut out = Vec::with_capacity(n);
    let mut suggestion = 0u32;
    while out.len() < n {
        suggestion += 1;
        // Three in ten suggestions have a co-handler.
        let units = if suggestion % 10 < 3 { 2 } else { 1 };
        for k in 0..units {
            let unit = (suggestion as usize * 7 + k * 13) % 200;
            let role = if k == 0 {
                HandlingRole::Lead
            } else {
                HandlingRole::CoHandler
            };
            let assignment = Assignment {
                id: AssignmentId::new(format!("a{suggestion}-{k}")),
                suggestion_id: SuggestionId::new(format!("s{suggestion}")),
                unit_id: UnitId::new(format!("u{unit}")),
                role,
                assigned_on: start + Days::new((suggestion % 20) as u64),
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
            let i = suggestion as usize;
            case.state = CaseState::ALL[i % CaseState::ALL.len()];
            case.contact_count = (i % 4) as u32;
            case.evaluation = match i % 5 {
                0 => Some(Evaluation::Satisfied),
                1 => Some(Evaluation::BasicallySatisfied),
                2 => Some(Evaluation::Dissatisfied),
                _ => None,
            };
            case.draft = Some(DraftSummary {
                hash: RevisionHash("0".repeat(64)),
                category: Some(ResultCategory::ALL[i % 3]),
                has_body: true,
                has_contact_person: true,
                has_contact_phone: true,
                has_placeholder: false,
            });
            out.push(CaseRow {
                assignment: assignment.clone(),
                case,
                unit_name: format!("单位{unit}"),
                suggestion_number: suggestion,
                suggestion_title: format!("关于第{suggestion}件事项的建议"),
                lead_deputy: "张三".into(),
                is_key: suggestion.is_multiple_of(500),
                replied_on: (!i.is_multiple_of(3))
                    .then(|| assignment.assigned_on + Days::new(60 + (i % 40) as u64)),
            });
        }
    }
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed());
    }
    (median(times), last.unwrap())
}

fn main() {
    let rows = rows(10_000);
    let cal = WorkingCalendar::national();
    let as_of: NaiveDate = "2024-09-30".parse().unwrap();
    let ctx = ReportContext::new(2024, "市政府系统", "市六届人大三次会议");
    let (t_fig, f) = time(11, || Figures::compute(&rows, Scope::City, as_of, &cal));
    let (t_rep, text) = time(11, || report_text(&f, &ctx));
    let unit = Scope::Unit {
        unit_id: "u7".into(),
        unit_name: "单位7".into(),
    };
    let (t_unit, _) = time(11, || Figures::compute(&rows, unit.clone(), as_of, &cal));
    let (t_fx, fx) = time(5, || figures_xlsx(&f, "统计").unwrap());
    let (t_led, led) = time(5, || ledger_xlsx(&rows, "台账", as_of, &cal).unwrap());
    println!(
        "{} assignments, {} suggestions, {} units, {} overdue",
        rows.len(),
        f.suggestions,
        f.by_unit.len(),
        f.overdue.len()
    );
    println!("figures (city)          median {:>8.1?}", t_fig);
    println!("figures (one unit)      median {:>8.1?}", t_unit);
    println!(
        "report text             median {:>8.1?}  ({} chars)",
        t_rep,
        text.chars().count()
    );
    println!(
        "figures.xlsx            median {:>8.1?}  ({} KB)",
        t_fx,
        fx.len() / 1024
    );
    println!(
        "ledger.xlsx (all cases) median {:>8.1?}  ({} KB)",
        t_led,
        led.len() / 1024
    );
}

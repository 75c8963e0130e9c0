use jianban_domain::*;
use jianban_stats::*;

use crate::data::*;

fn source_report() -> (Figures, String) {
    let rows = source_year();
    let f = Figures::compute(
        &rows,
        Scope::City,
        date("2025-02-28"),
        &WorkingCalendar::national(),
    );
    let mut ctx = ReportContext::new(2024, "市政府系统", "市六届人大三次会议");
    ctx.session_total = Some(216);
    let text = report_text(&f, &ctx);
    (f, text)
}

#[test]
fn the_source_s_numbers_give_the_source_s_sentences() {
    let (_, text) = source_report();
    for sentence in [
        "市六届人大三次会议以来的代表建议办理情况",
        "2024年，市政府系统共承办市六届人大三次会议代表建议201件，占代表建议总数的93.06%。",
        "这些建议均已按时办结。其中已解决或基本解决（A类）的67件，约占33.33%；被采纳、列入计划逐步解决（B类）的134件，约占66.67%。",
        "市政府系统承办的代表建议中，有88件涉及多个部门的职责，需要多个部门联合办理",
        "代表对办理工作表示满意或基本满意的201件，满意率100.00%（满意150件、基本满意51件）。",
        "办理中与代表沟通联系的201件，沟通联系率100.00%。",
        "特别是针对市人大常委会遴选的5件重点建议，市政府系统集中精力进行重点研究、重点办理、重点落实，目前已答复5件、办结5件。",
    ] {
        assert!(text.contains(sentence), "missing {sentence:?} in:\n{text}");
    }
    // No C or D sentence when there are none, and nothing overdue.
    assert!(!text.contains("C类"), "{text}");
    assert!(!text.contains("超过办理期限"), "{text}");
    // The key suggestions by number, with their lead unit first.
    assert!(
        text.contains(
            "（第39号）由市发展改革委、市卫生健康委办理，目前已办结，办理结果为A类，代表评价满意。"
        ),
        "{text}"
    );
}

#[test]
fn the_source_s_figures() {
    let (f, _) = source_report();
    assert_eq!(f.suggestions, 201);
    assert_eq!(f.assignments, 289);
    assert_eq!(f.multi_unit_suggestions, 88);
    assert_eq!(f.category(ResultCategory::A).count, 67);
    assert_eq!(f.category(ResultCategory::A).percent, Percent(3333));
    assert_eq!(f.category(ResultCategory::B).percent, Percent(6667));
    assert_eq!(f.on_time, Rate::new(201, 201));
    assert_eq!(f.by_role[0].count, 201);
    assert_eq!(f.by_role[1].count, 88);
    assert_eq!(f.key_suggestions.len(), 5);
    assert!(f.overdue.is_empty());
    // Mean of the two reply days, counted on the national calendar.
    let cal = WorkingCalendar::national();
    let a = cal.working_days_between(date("2024-03-28"), date("2024-06-14"));
    let b = cal.working_days_between(date("2024-03-28"), date("2024-05-31"));
    let expected = ((a * 100 + b * 101) as f64 / 201.0 * 10.0).round() / 10.0;
    assert_eq!(f.avg_working_days_to_reply, Some(expected));
}

#[test]
fn an_unfinished_year_says_how_far_it_went() {
    let mut rows = source_year();
    // Three leads have not replied and their deadline has passed; one
    // replied late; one has a C.
    for r in rows
        .iter_mut()
        .filter(|r| r.assignment.role == HandlingRole::Lead)
    {
        match r.suggestion_number {
            1..=3 => {
                r.case.state = CaseState::Drafting;
                r.case.evaluation = None;
                r.replied_on = None;
            }
            4 => r.replied_on = Some(date("2024-07-05")),
            5 => {
                r.case.draft.as_mut().unwrap().category = Some(ResultCategory::C);
            }
            _ => {}
        }
    }
    let f = Figures::compute(
        &rows,
        Scope::City,
        date("2024-07-10"),
        &WorkingCalendar::national(),
    );
    let text = report_text(
        &f,
        &ReportContext::new(2024, "市政府系统", "市六届人大三次会议"),
    );
    assert!(
        text.contains("2024年，市政府系统共承办市六届人大三次会议代表建议201件。截至2024年7月10日，已答复198件，占98.51%；已办结198件。"),
        "{text}"
    );
    assert!(
        text.contains("已答复并确定办理结果的198件中，已解决或基本解决（A类）的63件，约占31.82%；被采纳、列入计划逐步解决（B类）的134件，约占67.68%；因条件限制暂时难以解决、留作参考（C类）的1件，约占0.50%。"),
        "{text}"
    );
    assert!(text.contains("按时答复率98.01%"), "{text}");
    assert!(
        text.contains("截至2024年7月10日，尚有3件超过办理期限"),
        "{text}"
    );
    assert_eq!(f.on_time, Rate::new(197, 201));
    assert_eq!(f.overdue.len(), 3);
    assert_eq!(f.overdue[0].deadline, date("2024-06-28"));
    assert_eq!(f.overdue[0].working_days_overdue, 8);
}

#[test]
fn a_unit_s_report_counts_its_roles() {
    let rows = source_year();
    let f = Figures::compute(
        &rows,
        Scope::Unit {
            unit_id: "fgw".into(),
            unit_name: "市发展改革委".into(),
        },
        date("2025-02-28"),
        &WorkingCalendar::national(),
    );
    let text = report_text(
        &f,
        &ReportContext::new(2024, "市发展改革委", "市六届人大三次会议"),
    );
    let lead = rows
        .iter()
        .filter(|r| {
            r.assignment.unit_id.as_str() == "fgw" && r.assignment.role == HandlingRole::Lead
        })
        .count();
    let co = rows
        .iter()
        .filter(|r| {
            r.assignment.unit_id.as_str() == "fgw" && r.assignment.role == HandlingRole::CoHandler
        })
        .count();
    assert_eq!(f.assignments as usize, lead + co);
    assert!(
        text.contains(&format!(
            "市发展改革委承办的{}件代表建议中，主办{lead}件、协办{co}件。",
            lead + co
        )),
        "{text}"
    );
    assert_eq!(f.multi_unit_suggestions, 0);
    assert_eq!(f.by_unit.len(), 1);
}

use jianban_domain::*;
use jianban_stats::*;

use crate::data::*;

#[test]
fn split_suggestions_take_the_least_advanced_category() {
    let rows = vec![
        row(RowSpec {
            suggestion: 7,
            unit: "fgw",
            role: HandlingRole::Split,
            state: CaseState::Submitted,
            category: Some(ResultCategory::A),
            replied_on: Some(date("2024-05-06")),
            ..Default::default()
        }),
        row(RowSpec {
            suggestion: 7,
            unit: "wjw",
            role: HandlingRole::Split,
            state: CaseState::Submitted,
            category: Some(ResultCategory::C),
            replied_on: Some(date("2024-05-07")),
            ..Default::default()
        }),
        // Moved to another unit: counted in the states only.
        row(RowSpec {
            suggestion: 8,
            unit: "zjj",
            state: CaseState::Transferred,
            ..Default::default()
        }),
    ];
    let f = Figures::compute(
        &rows,
        Scope::City,
        date("2024-05-10"),
        &WorkingCalendar::national(),
    );
    assert_eq!(f.suggestions, 1);
    assert_eq!(f.multi_unit_suggestions, 1);
    assert_eq!(f.category(ResultCategory::C).count, 1);
    assert_eq!(f.category(ResultCategory::A).count, 0);
    assert_eq!(f.state(CaseState::Transferred).count, 1);
    assert_eq!(f.state(CaseState::Submitted).percent, Percent(6667));
    assert_eq!(f.by_role[2].count, 2);
    assert_eq!(f.contact, Rate::new(0, 2));
    assert_eq!(f.satisfaction.percent, None);
    let total: u32 = f.by_state.iter().map(|c| c.percent.hundredths()).sum();
    assert_eq!(total, 10_000);
}

#[test]
fn figures_serialize_for_the_desktop() {
    let f = Figures::compute(
        &source_year(),
        Scope::City,
        date("2025-02-28"),
        &WorkingCalendar::national(),
    );
    let v = serde_json::to_value(&f).unwrap();
    assert_eq!(v["by_category"][0]["percent"], serde_json::json!(33.33));
    assert_eq!(v["by_category"][0]["label"], "已解决或基本解决");
    assert_eq!(v["scope"]["kind"], "city");
    assert_eq!(v["satisfaction"]["part"], 201);
}

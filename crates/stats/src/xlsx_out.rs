//! Excel out: a unit's ledger (台账) of its cases, and the figures workbook.
//!
//! Dates are written as ISO text (2024-06-28): they sort correctly, read
//! back unchanged, and never turn into a different day in another locale.
//! Percentages are numbers of percent (33.33) in a two-decimal format, so
//! the workbook shows exactly the shares the report states.

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use jianban_domain::WorkingCalendar;

use crate::figures::{Count, Figures, Rate};
use crate::input::CaseRow;
use crate::StatsError;

/// The ledger's column names, in order (row 2; row 1 is the title).
pub const LEDGER_COLUMNS: [&str; 19] = [
    "序号",
    "建议号",
    "建议标题",
    "领衔代表",
    "重点建议",
    "承办单位",
    "承办方式",
    "交办日期",
    "签收期限",
    "答复期限",
    "延期至",
    "办理状态",
    "当前期限",
    "逾期工作日",
    "答复日期",
    "结果类别",
    "沟通联系次数",
    "代表评价",
    "重办次数",
];

impl From<XlsxError> for StatsError {
    fn from(e: XlsxError) -> Self {
        StatsError::Xlsx(e.to_string())
    }
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn header() -> Format {
    Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color("#DDEBF7")
        .set_border(rust_xlsxwriter::FormatBorder::Thin)
}

fn title() -> Format {
    Format::new().set_bold().set_font_size(16)
}

fn pct() -> Format {
    Format::new().set_num_format("0.00")
}

/// Writes a title in row 1 and column names in row 2; data start in row 3.
fn start(
    sheet: &mut Worksheet,
    name: &str,
    heading: &str,
    columns: &[&str],
) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    sheet.write_string_with_format(0, 0, heading, &title())?;
    for (i, c) in columns.iter().enumerate() {
        sheet.write_string_with_format(1, i as u16, *c, &header())?;
        let width = (c.chars().count() * 2 + 2).max(8) as f64;
        sheet.set_column_width(i as u16, width)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    Ok(())
}

/// The ledger (台账) of `rows` on `as_of`, one line per assignment, sorted
/// by suggestion number and unit. `heading` is the sheet's title, e.g.
/// 市发展改革委代表建议办理台账.
pub fn ledger_xlsx(
    rows: &[CaseRow],
    heading: &str,
    as_of: NaiveDate,
    calendar: &WorkingCalendar,
) -> Result<Vec<u8>, StatsError> {
    let mut sorted: Vec<&CaseRow> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        (a.suggestion_number, &a.unit_name, a.assignment.id.as_str()).cmp(&(
            b.suggestion_number,
            &b.unit_name,
            b.assignment.id.as_str(),
        ))
    });
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    start(
        sheet,
        "台账",
        &format!("{heading}（截至{}）", as_of.format("%Y年%-m月%-d日")),
        &LEDGER_COLUMNS,
    )?;
    sheet.set_column_width(2, 40)?;
    sheet.set_column_width(5, 18)?;
    for (i, r) in sorted.iter().enumerate() {
        let row = i as u32 + 2;
        let c = &r.case;
        let deadline = c.current_deadline();
        let overdue = deadline
            .filter(|d| *d < as_of)
            .map(|d| calendar.working_days_between(d, as_of));
        let cells: [Option<String>; 19] = [
            None,
            None,
            Some(r.suggestion_title.clone()),
            Some(r.lead_deputy.clone()),
            Some(if r.is_key { "是" } else { "否" }.into()),
            Some(r.unit_name.clone()),
            Some(r.assignment.role.label_zh().into()),
            Some(date(r.assignment.assigned_on)),
            Some(date(c.deadlines.receipt)),
            Some(date(c.deadlines.reply)),
            c.extension.as_ref().map(|e| date(e.until)),
            Some(c.state.label_zh().into()),
            deadline.map(date),
            None,
            r.replied_on.map(date),
            r.category().map(|x| x.letter().to_string()),
            None,
            c.evaluation.map(|e| e.label_zh().to_string()),
            None,
        ];
        for (col, v) in cells.iter().enumerate() {
            if let Some(v) = v {
                sheet.write_string(row, col as u16, v)?;
            }
        }
        sheet.write_number(row, 0, (i + 1) as f64)?;
        sheet.write_number(row, 1, r.suggestion_number)?;
        if let Some(n) = overdue {
            sheet.write_number(row, 13, n as f64)?;
        }
        sheet.write_number(row, 16, c.contact_count)?;
        sheet.write_number(row, 18, c.rehandling_round)?;
    }
    Ok(book.save_to_buffer()?)
}

/// The sheet names of the figures workbook, in order.
pub const FIGURES_SHEETS: [&str; 8] = [
    "概况",
    "办理状态",
    "承办方式",
    "结果类别",
    "代表评价",
    "逾期清单",
    "重点建议",
    "各单位",
];

fn count_sheet(
    book: &mut Workbook,
    name: &str,
    heading: &str,
    first: &str,
    counts: &[Count],
) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    start(sheet, name, heading, &[first, "件数", "占比（%）"])?;
    sheet.set_column_width(0, 36)?;
    for (i, c) in counts.iter().enumerate() {
        let row = i as u32 + 2;
        sheet.write_string(row, 0, &c.label)?;
        sheet.write_number(row, 1, c.count as f64)?;
        sheet.write_number_with_format(row, 2, c.percent.as_f64(), &pct())?;
    }
    let total_row = counts.len() as u32 + 2;
    let total: u64 = counts.iter().map(|c| c.count).sum();
    sheet.write_string_with_format(total_row, 0, "合计", &Format::new().set_bold())?;
    sheet.write_number(total_row, 1, total as f64)?;
    if total > 0 {
        sheet.write_number_with_format(total_row, 2, 100.0, &pct())?;
    }
    Ok(())
}

fn rate_cells(sheet: &mut Worksheet, row: u32, label: &str, r: &Rate) -> Result<(), XlsxError> {
    sheet.write_string(row, 0, label)?;
    sheet.write_number(row, 1, r.part as f64)?;
    sheet.write_number(row, 2, r.whole as f64)?;
    if let Some(p) = r.percent {
        sheet.write_number_with_format(row, 3, p.as_f64(), &pct())?;
    }
    Ok(())
}

/// The figures as a workbook: one sheet per table ([`FIGURES_SHEETS`]).
pub fn figures_xlsx(f: &Figures, heading: &str) -> Result<Vec<u8>, StatsError> {
    let mut book = Workbook::new();
    let as_of = f.as_of.format("%Y年%-m月%-d日");
    {
        let sheet = book.add_worksheet();
        start(
            sheet,
            "概况",
            &format!("{heading}（截至{as_of}）"),
            &["项目", "数量", "基数", "比例（%）"],
        )?;
        sheet.set_column_width(0, 30)?;
        let plain = [
            ("承办建议（件）", f.suggestions),
            ("交办（件次）", f.assignments),
            ("多个单位办理的建议（件）", f.multi_unit_suggestions),
            ("已确定结果类别的建议（件）", f.classified_suggestions),
            ("逾期未办（件次）", f.overdue.len() as u64),
            ("重点建议（件）", f.key_suggestions.len() as u64),
        ];
        let mut row = 2;
        for (label, n) in plain {
            sheet.write_string(row, 0, label)?;
            sheet.write_number(row, 1, n as f64)?;
            row += 1;
        }
        for (label, r) in [
            ("已答复（件次）/ 答复率", &f.replied),
            ("已办结（件次）/ 办结率", &f.concluded),
            ("按时答复 / 按时答复率", &f.on_time),
            ("沟通联系 / 沟通联系率", &f.contact),
            ("满意和基本满意 / 满意率", &f.satisfaction),
        ] {
            rate_cells(sheet, row, label, r)?;
            row += 1;
        }
        sheet.write_string(row, 0, "平均答复用时（工作日）")?;
        if let Some(d) = f.avg_working_days_to_reply {
            sheet.write_number(row, 1, d)?;
        }
    }
    count_sheet(
        &mut book,
        "办理状态",
        "按办理状态（件次）",
        "办理状态",
        &f.by_state,
    )?;
    count_sheet(
        &mut book,
        "承办方式",
        "按承办方式（件次）",
        "承办方式",
        &f.by_role,
    )?;
    let categories: Vec<Count> = f
        .by_category
        .iter()
        .map(|c| Count {
            label: format!("{}类：{}", c.code, c.label),
            ..c.clone()
        })
        .collect();
    count_sheet(
        &mut book,
        "结果类别",
        "按办理结果类别（件）",
        "结果类别",
        &categories,
    )?;
    count_sheet(
        &mut book,
        "代表评价",
        "代表评价（件）",
        "评价",
        &f.by_evaluation,
    )?;
    {
        let sheet = book.add_worksheet();
        start(
            sheet,
            "逾期清单",
            &format!("逾期清单（截至{as_of}）"),
            &[
                "建议号",
                "建议标题",
                "承办单位",
                "承办方式",
                "办理状态",
                "期限",
                "逾期工作日",
            ],
        )?;
        sheet.set_column_width(1, 40)?;
        for (i, o) in f.overdue.iter().enumerate() {
            let row = i as u32 + 2;
            sheet.write_number(row, 0, o.suggestion_number)?;
            sheet.write_string(row, 1, &o.title)?;
            sheet.write_string(row, 2, &o.unit_name)?;
            sheet.write_string(row, 3, o.role.label_zh())?;
            sheet.write_string(row, 4, o.state.label_zh())?;
            sheet.write_string(row, 5, date(o.deadline))?;
            sheet.write_number(row, 6, o.working_days_overdue as f64)?;
        }
    }
    {
        let sheet = book.add_worksheet();
        start(
            sheet,
            "重点建议",
            "重点建议办理进度",
            &[
                "建议号",
                "建议标题",
                "领衔代表",
                "承办单位",
                "办理状态",
                "结果类别",
                "代表评价",
            ],
        )?;
        sheet.set_column_width(1, 40)?;
        sheet.set_column_width(3, 30)?;
        for (i, k) in f.key_suggestions.iter().enumerate() {
            let row = i as u32 + 2;
            sheet.write_number(row, 0, k.suggestion_number)?;
            sheet.write_string(row, 1, &k.title)?;
            sheet.write_string(row, 2, &k.lead_deputy)?;
            sheet.write_string(row, 3, k.units.join("、"))?;
            sheet.write_string(row, 4, k.state.label_zh())?;
            if let Some(c) = k.category {
                sheet.write_string(row, 5, c.letter())?;
            }
            if let Some(e) = k.evaluation {
                sheet.write_string(row, 6, e.label_zh())?;
            }
        }
    }
    {
        let sheet = book.add_worksheet();
        start(
            sheet,
            "各单位",
            "各承办单位办理情况",
            &[
                "承办单位",
                "交办（件次）",
                "主办",
                "协办",
                "分办",
                "已答复",
                "已办结",
                "逾期",
                "按时答复率（%）",
                "满意率（%）",
            ],
        )?;
        sheet.set_column_width(0, 24)?;
        for (i, u) in f.by_unit.iter().enumerate() {
            let row = i as u32 + 2;
            sheet.write_string(row, 0, &u.unit_name)?;
            for (col, n) in [
                u.assignments,
                u.lead,
                u.co_handler,
                u.split,
                u.replied,
                u.concluded,
                u.overdue,
            ]
            .iter()
            .enumerate()
            {
                sheet.write_number(row, col as u16 + 1, *n as f64)?;
            }
            for (col, r) in [(8, &u.on_time), (9, &u.satisfaction)] {
                if let Some(p) = r.percent {
                    sheet.write_number_with_format(row, col, p.as_f64(), &pct())?;
                }
            }
        }
    }
    Ok(book.save_to_buffer()?)
}

//! The figures and the report as an A4 PDF (feature `pdf`).
//!
//! Rather than new font and page code, the report goes through the reply
//! letter's typesetter (`jianban-letter`): the same GB/T 9704 page, font
//! discovery with stand-ins, Chinese line breaking that never splits a
//! number or a percentage, subset fonts and text that extracts back. The
//! figures follow the report as a numbered section, one line per figure, so
//! they survive copying and screen readers the way a drawn table would not.
//! The caller owns the `LetterRenderer` (its font cache does the file I/O),
//! so this module stays free of I/O itself.

use jianban_letter::{Letter, LetterRenderer, PdfOptions, Rendered};

use crate::figures::{Count, Figures, Rate};
use crate::StatsError;

const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

fn rate_line(label: &str, r: &Rate) -> Option<String> {
    r.percent
        .map(|p| format!("{label}：{}/{}，{p}。", r.part, r.whole))
}

fn count_lines(counts: &[Count], unit: &str, label: impl Fn(&Count) -> String) -> Vec<String> {
    counts
        .iter()
        .filter(|c| c.count > 0)
        .map(|c| format!("{}：{}{unit}，占{}。", label(c), c.count, c.percent))
        .collect()
}

/// The body: the report's paragraphs (its first line is the title), then
/// the figures as the next numbered section.
fn body(f: &Figures, report: &str) -> (String, String) {
    let mut paras = report
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let title = paras.next().unwrap_or_default().to_string();
    let mut paras: Vec<String> = paras.map(str::to_string).collect();
    let sections = paras
        .iter()
        .filter(|p| NUMERALS.iter().any(|n| p.starts_with(&format!("{n}、"))))
        .count();
    let closing = paras.pop().unwrap_or_default();
    let n = NUMERALS.get(sections).copied().unwrap_or("十");
    paras.push(format!(
        "{n}、主要统计数据（截至{}）",
        f.as_of.format("%Y年%-m月%-d日")
    ));
    let mut sub = 0;
    let mut block = |paras: &mut Vec<String>, heading: &str, lines: Vec<String>| {
        if lines.is_empty() {
            return;
        }
        paras.push(format!("（{}）{heading}", NUMERALS[sub.min(9)]));
        sub += 1;
        paras.extend(lines);
    };
    let mut overview = vec![format!(
        "承办建议{}件，交办{}件次，其中多个单位办理的建议{}件。",
        f.suggestions, f.assignments, f.multi_unit_suggestions
    )];
    overview.extend(
        [
            ("答复率", &f.replied),
            ("办结率", &f.concluded),
            ("按时答复率", &f.on_time),
            ("沟通联系率", &f.contact),
            ("满意率", &f.satisfaction),
        ]
        .iter()
        .filter_map(|(l, r)| rate_line(l, r)),
    );
    if let Some(d) = f.avg_working_days_to_reply {
        overview.push(format!("自交办至答复平均用时{d:.1}个工作日。"));
    }
    overview.push(format!("逾期未办{}件次。", f.overdue.len()));
    block(&mut paras, "总体情况", overview);
    block(
        &mut paras,
        "办理结果类别",
        count_lines(&f.by_category, "件", |c| {
            format!("{}类（{}）", c.code, c.label)
        }),
    );
    block(
        &mut paras,
        "承办方式",
        count_lines(&f.by_role, "件次", |c| c.label.clone()),
    );
    block(
        &mut paras,
        "办理状态",
        count_lines(&f.by_state, "件次", |c| c.label.clone()),
    );
    block(
        &mut paras,
        "代表评价",
        count_lines(&f.by_evaluation, "件", |c| c.label.clone()),
    );
    block(
        &mut paras,
        "逾期清单",
        f.overdue
            .iter()
            .map(|o| {
                format!(
                    "第{}号《{}》，{}（{}），期限{}，逾期{}个工作日。",
                    o.suggestion_number,
                    o.title,
                    o.unit_name,
                    o.role.label_zh(),
                    o.deadline.format("%Y年%-m月%-d日"),
                    o.working_days_overdue
                )
            })
            .collect(),
    );
    paras.push(closing);
    (title, paras.join("\n"))
}

/// The report (as edited, its first line the title) and the figures as a
/// PDF, signed off in the name of `unit` on the figures' day. The font
/// report tells which faces stood in for which.
pub fn figures_pdf(
    f: &Figures,
    report: &str,
    unit: &str,
    renderer: &mut LetterRenderer,
    opts: &PdfOptions,
) -> Result<Rendered<Vec<u8>>, StatsError> {
    let (title, body) = body(f, report);
    let letter = Letter {
        title,
        body,
        unit: unit.to_string(),
        date: Some(f.as_of),
        ..Default::default()
    };
    renderer
        .render_pdf(&letter, opts)
        .map_err(|e| StatsError::Pdf(e.to_string()))
}

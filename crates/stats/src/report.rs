//! The year's report (BRIEF §1 point 11) as an editable draft, in the words
//! of the published reports (e.g. 市六届人大三次会议以来的代表建议办理情况):
//! totals and their share, how far handling went, the result categories
//! with percentages, units working together, contact, satisfaction, and the
//! key suggestions. The numbers come from [`Figures`]; the narrative the
//! office adds by hand.

use serde::{Deserialize, Serialize};

use jianban_domain::{CaseState, ResultCategory};

use crate::figures::{Count, Figures, Rate};
use crate::input::Scope;
use crate::percent::{rate, Percent};

/// What the report says that the figures do not know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportContext {
    /// The year the handling is reported for, e.g. 2024.
    pub year: i32,
    /// Who handled them: 市政府系统, or a unit's name.
    pub system_name: String,
    /// 市六届人大三次会议.
    pub session_name: String,
    /// All suggestions filed at the session (216 in the source), when known:
    /// gives "占代表建议总数的93.06%".
    #[serde(default)]
    pub session_total: Option<u64>,
    /// Who chose the key suggestions, e.g. 市人大常委会.
    #[serde(default = "default_selector")]
    pub key_selected_by: String,
}

fn default_selector() -> String {
    "市人大常委会".into()
}

impl ReportContext {
    pub fn new(year: i32, system_name: &str, session_name: &str) -> Self {
        Self {
            year,
            system_name: system_name.into(),
            session_name: session_name.into(),
            session_total: None,
            key_selected_by: default_selector(),
        }
    }
}

/// How the report names each category.
fn category_phrase(c: ResultCategory) -> &'static str {
    match c {
        ResultCategory::A => "已解决或基本解决（A类）的",
        ResultCategory::B => "被采纳、列入计划逐步解决（B类）的",
        ResultCategory::C => "因条件限制暂时难以解决、留作参考（C类）的",
        ResultCategory::D => "留作参考（D类）的",
    }
}

/// "约占33.33%", or "占50.00%" when the share is exact.
fn share_phrase(c: &Count, whole: u64) -> String {
    let exact = whole > 0 && (c.count as u128 * 10_000).is_multiple_of(whole as u128);
    format!("{}{}", if exact { "占" } else { "约占" }, c.percent)
}

fn rate_text(r: &Rate) -> String {
    r.percent.map_or_else(|| "—".into(), |p| p.to_string())
}

/// 5.0 → "5", 42.3 → "42.3".
fn days_text(d: f64) -> String {
    let s = format!("{d:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// The report as plain text: a title line, then paragraphs separated by an
/// empty line. Sections without data are left out.
pub fn report_text(f: &Figures, ctx: &ReportContext) -> String {
    let mut paras = vec![format!("{}以来的代表建议办理情况", ctx.session_name)];
    paras.push(opening(f, ctx));
    let mut handling = Vec::new();
    match &f.scope {
        Scope::City if f.multi_unit_suggestions > 0 => handling.push(format!(
            "{}承办的代表建议中，有{}件涉及多个部门的职责，需要多个部门联合办理，由主办单位会同协办单位共同研究、共商措施。",
            ctx.system_name, f.multi_unit_suggestions
        )),
        Scope::Unit { .. } => {
            let roles: Vec<String> = f
                .by_role
                .iter()
                .filter(|c| c.count > 0)
                .map(|c| format!("{}{}件", c.label, c.count))
                .collect();
            if !roles.is_empty() {
                handling.push(format!(
                    "{}承办的{}件代表建议中，{}。",
                    ctx.system_name,
                    f.suggestions,
                    roles.join("、")
                ));
            }
        }
        _ => {}
    }
    if f.replied.part > 0 {
        let mut s = format!("各承办单位已答复{}件", f.replied.part);
        if let Some(p) = f.on_time.percent {
            s += &format!("，按时答复率{p}");
        }
        if let Some(d) = f.avg_working_days_to_reply {
            s += &format!("，自交办至答复平均用时{}个工作日", days_text(d));
        }
        s += "。";
        handling.push(s);
    }
    if !f.overdue.is_empty() {
        handling.push(format!(
            "截至{}，尚有{}件超过办理期限，需督促有关单位抓紧办理、及时答复。",
            f.as_of.format("%Y年%-m月%-d日"),
            f.overdue.len()
        ));
    }
    if let Some(p) = f.contact.percent {
        handling.push(format!(
            "办理中与代表沟通联系的{}件，沟通联系率{p}。",
            f.contact.part
        ));
    }
    if f.satisfaction.whole > 0 {
        let parts: Vec<String> = f
            .by_evaluation
            .iter()
            .filter(|c| c.count > 0)
            .map(|c| format!("{}{}件", c.label, c.count))
            .collect();
        handling.push(format!(
            "代表对办理工作表示满意或基本满意的{}件，满意率{}（{}）。",
            f.satisfaction.part,
            rate_text(&f.satisfaction),
            parts.join("、")
        ));
    }
    if !handling.is_empty() {
        paras.push("一、办理工作情况".into());
        paras.push(handling.join(""));
    }
    if !f.key_suggestions.is_empty() {
        paras.push(format!(
            "{}、重点建议办理情况",
            if handling.is_empty() { "一" } else { "二" }
        ));
        paras.push(key_paragraph(f, ctx));
    }
    paras.push(
        "办好人大代表建议，是各级政府部门义不容辞的责任。今后，我们将自觉接受人大监督，坚持和发展全过程人民民主，进一步提升代表建议办理水平。"
            .into(),
    );
    paras.join("\n\n")
}

fn opening(f: &Figures, ctx: &ReportContext) -> String {
    let mut s = format!(
        "{}年，{}共承办{}代表建议{}件",
        ctx.year, ctx.system_name, ctx.session_name, f.suggestions
    );
    if let Some(p) = ctx
        .session_total
        .and_then(|t| rate(f.suggestions, t.max(f.suggestions)))
    {
        s += &format!("，占代表建议总数的{p}");
    }
    s += "。";
    if f.suggestions == 0 {
        return s;
    }
    let all_on_time = f.on_time.part == f.on_time.whole;
    if f.concluded_suggestions == f.suggestions {
        s += if all_on_time {
            "这些建议均已按时办结。"
        } else {
            "这些建议均已办结。"
        };
    } else if f.answered_suggestions == f.suggestions {
        s += if all_on_time {
            "这些建议均已按时答复。"
        } else {
            "这些建议均已答复。"
        };
    } else {
        s += &format!(
            "截至{}，已答复{}件，占{}；已办结{}件。",
            f.as_of.format("%Y年%-m月%-d日"),
            f.answered_suggestions,
            rate(f.answered_suggestions, f.suggestions).unwrap_or(Percent(0)),
            f.concluded_suggestions
        );
    }
    let cats: Vec<String> = f
        .by_category
        .iter()
        .zip(ResultCategory::ALL)
        .filter(|(c, _)| c.count > 0)
        .map(|(c, cat)| {
            format!(
                "{}{}件，{}",
                category_phrase(cat),
                c.count,
                share_phrase(c, f.classified_suggestions)
            )
        })
        .collect();
    if !cats.is_empty() {
        let lead = if f.classified_suggestions == f.suggestions {
            "其中".to_string()
        } else {
            format!("已答复并确定办理结果的{}件中，", f.classified_suggestions)
        };
        s += &format!("{lead}{}。", cats.join("；"));
    }
    s
}

fn key_paragraph(f: &Figures, ctx: &ReportContext) -> String {
    let keys = &f.key_suggestions;
    let replied = keys.iter().filter(|k| k.replied).count();
    let concluded = keys
        .iter()
        .filter(|k| k.state == CaseState::Concluded)
        .count();
    let mut s = format!(
        "特别是针对{}遴选的{}件重点建议，{}集中精力进行重点研究、重点办理、重点落实，目前已答复{}件、办结{}件。",
        ctx.key_selected_by,
        keys.len(),
        ctx.system_name,
        replied,
        concluded
    );
    for k in keys {
        s += &format!("《{}》（第{}号）", k.title, k.suggestion_number);
        if !k.units.is_empty() {
            s += &format!("由{}办理", k.units.join("、"));
        }
        s += &format!("，目前{}", k.state.label_zh());
        if let Some(c) = k.category {
            s += &format!("，办理结果为{}类", c.letter());
        }
        if let Some(e) = k.evaluation {
            s += &format!("，代表评价{}", e.label_zh());
        }
        s += "。";
    }
    s
}

//! Reply templates for result categories A, B and C (and the co-handler's
//! opinion). The wording follows the usual reply letter (BRIEF §3): the
//! opening that cites the suggestion, numbered headings, and the closing
//! thanks. Placeholders in 【】 show the liaison what to fill in.

use jianban_store::SuggestionDetail;

use crate::dto::ReplyFields;

/// What a template needs to know.
pub struct TemplateInput<'a> {
    pub suggestion: &'a SuggestionDetail,
    pub unit_name: &'a str,
    /// 代字, e.g. 宿发改建复.
    pub doc_prefix: &'a str,
    pub year: i32,
    pub cc: &'a [String],
    pub contact_person: &'a str,
}

fn opening(s: &SuggestionDetail) -> String {
    format!(
        "您提出的《{}》（第{}号）收悉。经认真研究，现答复如下：",
        s.title, s.number
    )
}

fn closing() -> &'static str {
    "衷心感谢您对我们工作的关心和支持，欢迎继续提出宝贵意见和建议。"
}

/// The body of a template for `category` ("A", "B", "C"; anything else is
/// the co-handler's opinion).
fn body(category: &str, s: &SuggestionDetail, unit: &str) -> String {
    let middle = match category {
        "A" => "一、基本情况\n【简述建议所涉问题的现状和我单位已开展的工作。】\n二、办理情况\n您在建议中提出的问题已得到解决（基本解决）。具体措施如下：\n（一）【已采取的措施一】\n（二）【已采取的措施二】\n三、下一步工作\n我们将巩固办理成果，建立长效机制，持续跟踪落实情况。",
        "B" => "一、基本情况\n【简述建议所涉问题的现状。】\n二、办理情况\n您在建议中提出的问题正在解决（已列入计划逐步解决）。目前已开展以下工作：\n（一）【已开展的工作】\n（二）【工作计划和时间安排】\n三、下一步工作\n我们将按计划推进，于【时间】前完成，并及时向您反馈进展。",
        "C" => "一、基本情况\n【简述建议所涉问题的现状。】\n二、暂时难以解决的原因\n因【政策、资金、规划等条件限制】，您提出的建议目前暂时难以实施。\n三、下一步工作\n我们将把您的建议留作今后工作的参考，条件具备时积极推进。",
        _ => {
            return format!(
                "关于《{}》（第{}号）的会办意见\n一、我单位职责范围内的有关情况\n【说明与建议有关的工作情况。】\n二、意见和建议\n【提出对主办单位答复的意见。】\n{}",
                s.title, s.number, unit
            )
        }
    };
    format!("{}\n{}\n{}", opening(s), middle, closing())
}

pub fn reply_template(category: &str, input: &TemplateInput<'_>) -> ReplyFields {
    let s = input.suggestion;
    let opinion = !matches!(category, "A" | "B" | "C");
    ReplyFields {
        category: (!opinion).then(|| category.to_owned()),
        disclosure: "active".into(),
        doc_number: if input.doc_prefix.is_empty() {
            String::new()
        } else {
            format!("{}〔{}〕号", input.doc_prefix, input.year)
        },
        title: if opinion {
            format!("关于{}第{}号建议的会办意见", s.session_name, s.number)
        } else {
            format!("关于{}第{}号建议的答复", s.session_name, s.number)
        },
        salutation: if opinion {
            String::new()
        } else {
            format!("{}代表：", s.lead_deputy.name)
        },
        body: body(category, s, input.unit_name),
        contact_person: input.contact_person.to_owned(),
        contact_phone: String::new(),
        cc: if opinion {
            Vec::new()
        } else {
            input.cc.to_vec()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jianban_domain::{SessionId, SuggestionId};
    use jianban_store::DeputyRef;

    fn suggestion() -> SuggestionDetail {
        SuggestionDetail {
            suggestion_id: SuggestionId::new("s39"),
            session_id: SessionId::new("2024"),
            session_name: "市六届人大三次会议".into(),
            number: 39,
            title: "关于推动我市民营经济高质量发展的建议".into(),
            text: String::new(),
            is_key: false,
            is_urgent: false,
            lead_deputy: DeputyRef {
                name: "张三".into(),
                delegation: String::new(),
            },
            co_signers: vec![],
            units: vec![],
        }
    }

    #[test]
    fn templates_cite_the_suggestion_and_set_the_category() {
        let s = suggestion();
        let cc = vec!["市政府办公室".to_string()];
        let input = TemplateInput {
            suggestion: &s,
            unit_name: "市发展改革委",
            doc_prefix: "宿发改建复",
            year: 2024,
            cc: &cc,
            contact_person: "李四",
        };
        for c in ["A", "B", "C"] {
            let t = reply_template(c, &input);
            assert_eq!(t.category.as_deref(), Some(c));
            assert_eq!(t.title, "关于市六届人大三次会议第39号建议的答复");
            assert_eq!(t.salutation, "张三代表：");
            assert!(t
                .body
                .starts_with("您提出的《关于推动我市民营经济高质量发展的建议》（第39号）收悉。"));
            assert!(t.body.contains("衷心感谢"));
            assert_eq!(t.doc_number, "宿发改建复〔2024〕号");
            assert_eq!(t.cc, cc);
        }
        assert!(reply_template("C", &input)
            .body
            .contains("留作今后工作的参考"));
        let o = reply_template("opinion", &input);
        assert_eq!(o.category, None);
        assert!(o.title.ends_with("会办意见"));
        assert!(o.cc.is_empty());
    }
}

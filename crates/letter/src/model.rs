//! The reply letter (答复函) as the layout sees it: BRIEF §3, element by element.
//!
//! Plain data. The JSON file format lives in `json.rs` and maps onto this; the
//! desktop app builds a `Letter` from a `ReplyContent` revision.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use jianban_domain::model::{Disclosure, ReplyContent, ResultCategory};

use crate::error::{LetterError, Result};

/// One reply letter, ready to lay out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Letter {
    /// 办理结果类别, printed at the top right of page one.
    pub category: Option<ResultCategory>,
    /// 公开属性.
    pub disclosure: Disclosure,
    /// 文号, e.g. 宿发改建复〔2024〕12号.
    pub doc_number: String,
    /// e.g. 关于市六届人大三次会议第39号建议的答复.
    pub title: String,
    /// e.g. 张三代表：
    pub salutation: String,
    /// Body text, one paragraph per line; headings (一、（一）1.（1）) are
    /// recognised from the text itself.
    pub body: String,
    /// Closing paragraph(s) after the body (thanks), same form as `body`.
    pub closing: String,
    /// 发文机关署名.
    pub unit: String,
    /// 成文日期.
    pub date: Option<NaiveDate>,
    /// 附注: contact person and phone.
    pub contact_person: String,
    pub contact_phone: String,
    /// 抄送.
    pub cc: Vec<String>,
    /// The unit's seal, PNG or JPEG bytes, drawn over the unit name and date.
    pub seal: Option<Vec<u8>>,
    /// Approval block slot (审核签发): the signer, printed opposite the
    /// document number (签发人：王五) once the head has signed off.
    pub approval: Option<ApprovalBlock>,
    /// The suggestion answered; feeds the PDF subject.
    pub suggestion: Option<SuggestionRef>,
}

/// 签发: who signed the letter off, and how anyone can check it.
///
/// With only `signer`, the letter shows 签发人 opposite the document number.
/// A verified sign-off adds the approval block at the end of the letter
/// (below the date and note): signer, time, the short verification code and
/// a QR code carrying the verification data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApprovalBlock {
    /// e.g. 王五.
    pub signer: String,
    /// 签发时间: when the last step of the chain approved.
    pub signed_at: Option<NaiveDateTime>,
    /// 验证码, e.g. 7KQ2-M9XD-4TRA-PC1E. The approval block is printed only
    /// when there is one.
    pub verification_code: Option<String>,
    /// The text the QR code carries (format tag, assignment, revision hash,
    /// verification code, signer, time); no QR code when `None`.
    pub qr_payload: Option<String>,
}

impl ApprovalBlock {
    /// Only the signer's name (签发人 opposite the document number).
    pub fn signer(name: impl Into<String>) -> Self {
        Self {
            signer: name.into(),
            ..Default::default()
        }
    }

    /// The lines printed beside the QR code, or none when there is no
    /// verification code.
    pub fn block_lines(&self) -> Vec<String> {
        let Some(code) = self
            .verification_code
            .as_deref()
            .map(clean_inline)
            .filter(|c| !c.is_empty())
        else {
            return Vec::new();
        };
        let mut lines = vec![format!("签发人：{}", clean_inline(&self.signer))];
        if let Some(at) = self.signed_at {
            lines.push(format!(
                "签发时间：{}年{}月{}日 {}",
                at.year(),
                at.month(),
                at.day(),
                at.format("%H:%M")
            ));
        }
        lines.push(format!("验证码：{code}"));
        lines
    }
}

/// Which suggestion this letter answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestionRef {
    /// e.g. 市六届人大三次会议.
    pub session: String,
    /// 39 for 第39号.
    pub number: u32,
    /// Title without book-title marks.
    pub title: String,
}

impl SuggestionRef {
    /// 市六届人大三次会议第39号建议.
    pub fn label(&self) -> String {
        format!("{}第{}号建议", self.session, self.number)
    }
}

/// Heading levels of a Chinese official document (GB/T 9704 7.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HeadingLevel {
    /// 一、 in 黑体.
    L1,
    /// （一） in 楷体.
    L2,
    /// 1. in 仿宋.
    L3,
    /// （1） in 仿宋.
    L4,
}

/// A body paragraph with its recognised heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub text: String,
    pub heading: Option<Heading>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heading {
    pub level: HeadingLevel,
    /// Characters (not bytes) set in the heading face: the whole paragraph
    /// for a standalone heading, or up to and including the first 。 for a
    /// run-in heading such as "（一）优化交办机制高效办。市政府……".
    pub chars: usize,
    /// The whole paragraph is the heading: it must stay with what follows.
    pub standalone: bool,
}

impl Letter {
    /// Builds a letter from a saved revision's content plus what the revision
    /// does not carry (the unit's name and the date of issue).
    pub fn from_reply_content(content: &ReplyContent, unit: &str, date: NaiveDate) -> Self {
        Self {
            category: content.category,
            disclosure: content.disclosure,
            doc_number: content.doc_number.clone(),
            title: content.title.clone(),
            salutation: content.salutation.clone(),
            body: content.body.clone(),
            unit: unit.to_string(),
            date: Some(date),
            contact_person: content.contact_person.clone(),
            contact_phone: content.contact_phone.clone(),
            cc: content.cc.clone(),
            ..Default::default()
        }
    }

    /// The version published online: contact details dropped (BRIEF §3).
    pub fn public_version(&self) -> Self {
        Self {
            contact_person: String::new(),
            contact_phone: String::new(),
            ..self.clone()
        }
    }

    /// What must hold before a letter can be exported (the preview shows
    /// drafts as they are).
    pub fn validate_for_export(&self) -> Result<()> {
        if paragraphs(&self.body).is_empty() {
            return Err(LetterError::EmptyBody);
        }
        if clean_text(&self.title).trim().is_empty() {
            return Err(LetterError::MissingField { field: "标题" });
        }
        if clean_text(&self.unit).trim().is_empty() {
            return Err(LetterError::MissingField {
                field: "发文机关署名（单位名称）",
            });
        }
        if self.date.is_none() {
            return Err(LetterError::MissingField {
                field: "成文日期"
            });
        }
        Ok(())
    }

    /// 公开属性：主动公开.
    pub fn disclosure_line(&self) -> String {
        format!("公开属性：{}", self.disclosure.label_zh())
    }

    /// 2024年6月28日: Arabic numerals, no leading zeros (GB/T 9704 7.3.5.1).
    pub fn date_text(&self) -> String {
        self.date
            .map(|d| format!("{}年{}月{}日", d.year(), d.month(), d.day()))
            .unwrap_or_default()
    }

    /// （联系人：李四，联系电话：0557-1234567）, or empty.
    pub fn note_text(&self) -> String {
        let person = clean_inline(&self.contact_person);
        let phone = clean_inline(&self.contact_phone);
        match (person.is_empty(), phone.is_empty()) {
            (true, true) => String::new(),
            (false, true) => format!("（联系人：{person}）"),
            (true, false) => format!("（联系电话：{phone}）"),
            (false, false) => format!("（联系人：{person}，联系电话：{phone}）"),
        }
    }

    /// 抄送：市人大常委会代表工委，市政府办公室。 or empty.
    pub fn cc_text(&self) -> String {
        let names: Vec<String> = self
            .cc
            .iter()
            .map(|c| clean_inline(c))
            .map(|c| c.trim_end_matches(['，', '。', '、', ',']).to_string())
            .filter(|c| !c.is_empty())
            .collect();
        if names.is_empty() {
            String::new()
        } else {
            format!("抄送：{}。", names.join("，"))
        }
    }

    /// Body and closing paragraphs with their headings.
    pub fn paragraphs(&self) -> Vec<Paragraph> {
        let mut out = paragraphs(&self.body);
        out.extend(
            paragraphs(&self.closing)
                .into_iter()
                .map(|p| Paragraph { heading: None, ..p }),
        );
        out
    }

    /// The letter's text in reading order, one element per printed block.
    /// This is what a PDF of the letter must give back (`pdftotext`),
    /// ignoring white space and page numbers.
    pub fn plain_text(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut push = |s: String| {
            if !s.trim().is_empty() {
                parts.push(s);
            }
        };
        push(self.disclosure_line());
        if let Some(c) = self.category {
            push(c.letter().to_string());
        }
        push(clean_inline(&self.doc_number));
        if let Some(a) = &self.approval {
            push(format!("签发人：{}", clean_inline(&a.signer)));
        }
        push(clean_inline(&self.title));
        push(clean_inline(&self.salutation));
        for p in self.paragraphs() {
            push(p.text);
        }
        push(clean_inline(&self.unit));
        push(self.date_text());
        push(self.note_text());
        if let Some(a) = &self.approval {
            for line in a.block_lines() {
                push(line);
            }
        }
        push(self.cc_text());
        parts.join("\n")
    }
}

/// Splits text into paragraphs (one per line), cleans each, drops empty
/// lines (GB/T 9704 leaves no blank line between paragraphs), and
/// recognises headings.
pub fn paragraphs(text: &str) -> Vec<Paragraph> {
    text.lines()
        .map(clean_inline)
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(|text| {
            let heading = detect_heading(&text);
            Paragraph { text, heading }
        })
        .collect()
}

/// Removes what must never reach the page: control characters (a tab
/// becomes a space), zero-width and bidi marks, and the BOM. A pasted
/// paragraph from a web page or WPS often carries them.
pub fn clean_inline(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            '\u{3000}' => Some(' '),
            '\u{a0}' => Some(' '),
            c if c.is_control() => None,
            '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' => None,
            '\u{feff}' | '\u{fe0e}' | '\u{fe0f}' => None,
            c => Some(c),
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// Like [`clean_inline`] but keeps line breaks (for multi-paragraph fields).
pub fn clean_text(s: &str) -> String {
    s.lines().map(clean_inline).collect::<Vec<_>>().join("\n")
}

fn is_cn_numeral(c: char) -> bool {
    "一二三四五六七八九十百零〇".contains(c)
}

/// Recognises 一、 （一） 1. （1） at the start of a paragraph.
pub fn detect_heading(text: &str) -> Option<Heading> {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let count_while =
        |from: usize, f: &dyn Fn(char) -> bool| chars[from..].iter().take_while(|c| f(**c)).count();
    let (level, marker_len) = if n > 1 && is_cn_numeral(chars[0]) {
        let k = count_while(0, &is_cn_numeral);
        if chars.get(k) == Some(&'、') {
            (HeadingLevel::L1, k + 1)
        } else {
            return None;
        }
    } else if matches!(chars.first(), Some('（') | Some('(')) {
        let close = |c: char| c == '）' || c == ')';
        if chars.get(1).is_some_and(|c| is_cn_numeral(*c)) {
            let k = count_while(1, &is_cn_numeral);
            if chars.get(1 + k).is_some_and(|c| close(*c)) {
                (HeadingLevel::L2, k + 2)
            } else {
                return None;
            }
        } else if chars.get(1).is_some_and(|c| c.is_ascii_digit()) {
            let k = count_while(1, &|c: char| c.is_ascii_digit());
            if chars.get(1 + k).is_some_and(|c| close(*c)) {
                (HeadingLevel::L4, k + 2)
            } else {
                return None;
            }
        } else {
            return None;
        }
    } else if chars.first().is_some_and(|c| c.is_ascii_digit()) {
        let k = count_while(0, &|c: char| c.is_ascii_digit());
        // "1." or "1．" but not "1.5万": the next character must not be a digit.
        if matches!(chars.get(k), Some('.') | Some('．'))
            && !chars.get(k + 1).is_some_and(|c| c.is_ascii_digit())
        {
            (HeadingLevel::L3, k + 1)
        } else {
            return None;
        }
    } else {
        return None;
    };
    if marker_len >= n {
        return None;
    }
    // A run-in heading ends at the first full stop that has text after it.
    let stop = chars
        .iter()
        .enumerate()
        .skip(marker_len)
        .find(|(_, c)| matches!(c, '。' | '！' | '？'))
        .map(|(i, _)| i);
    let (chars_len, standalone) = match stop {
        Some(i) if i + 1 < n => (i + 1, false),
        _ => (n, true),
    };
    Some(Heading {
        level,
        chars: chars_len,
        standalone,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(text: &str) -> Option<(HeadingLevel, usize, bool)> {
        detect_heading(text).map(|h| (h.level, h.chars, h.standalone))
    }

    #[test]
    fn headings() {
        use HeadingLevel::*;
        assert_eq!(h("一、高站位部署"), Some((L1, 7, true)));
        assert_eq!(h("十二、其他"), Some((L1, 5, true)));
        assert_eq!(h("（一）优化交办机制。市政府坚持"), Some((L2, 10, false)));
        assert_eq!(h("(二)优化"), Some((L2, 5, true)));
        assert_eq!(h("1.发挥联络员作用"), Some((L3, 9, true)));
        assert_eq!(h("1．发挥作用。其次"), Some((L3, 7, false)));
        assert_eq!(h("（1）加强沟通"), Some((L4, 7, true)));
        assert_eq!(h("1.5万户"), None);
        assert_eq!(h("2024年"), None);
        assert_eq!(h("一些问题"), None);
        assert_eq!(h("（注）"), None);
        assert_eq!(h("一、"), None);
    }

    #[test]
    fn cleaning() {
        assert_eq!(clean_inline("a\u{7}b\tc\u{200b}d\u{feff}"), "ab cd");
        let ps = paragraphs("第一段\n\n  \n第二段\r\n");
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[1].text, "第二段");
    }

    #[test]
    fn derived_lines() {
        let l = Letter {
            contact_person: "李四".into(),
            contact_phone: "0557-1234567".into(),
            cc: vec!["市人大常委会代表工委".into(), "市政府办公室。".into()],
            date: NaiveDate::from_ymd_opt(2024, 6, 8),
            ..Default::default()
        };
        assert_eq!(l.note_text(), "（联系人：李四，联系电话：0557-1234567）");
        assert_eq!(l.cc_text(), "抄送：市人大常委会代表工委，市政府办公室。");
        assert_eq!(l.date_text(), "2024年6月8日");
        assert_eq!(l.public_version().note_text(), "");
    }
}

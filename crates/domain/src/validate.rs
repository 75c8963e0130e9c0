//! Checks on text that people type or import, before anything is stored.
//!
//! Bad input gets a clear Chinese message and is refused whole: nothing is
//! partly written.

use crate::model::ReplyContent;

/// The largest text field accepted (a reply body of 1 MB is about 300 pages).
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("“{field}”超过1MB（当前约{kb}KB），请精简内容或改为附件。")]
    TooLong { field: &'static str, kb: usize },
    #[error("“{field}”第{line}行含有不可见的控制字符（U+{code:04X}），可能是从其他软件粘贴带入的，请删除后重试。")]
    ControlCharacter {
        field: &'static str,
        line: usize,
        code: u32,
    },
    #[error("“{field}”不能为空。")]
    Empty { field: &'static str },
    #[error("“{field}”不能包含换行。")]
    Newline { field: &'static str },
}

impl InputError {
    pub fn code(&self) -> &'static str {
        match self {
            InputError::TooLong { .. } => "input.too_long",
            InputError::ControlCharacter { .. } => "input.control_character",
            InputError::Empty { .. } => "input.empty",
            InputError::Newline { .. } => "input.newline",
        }
    }
}

/// A multi-line text: at most [`MAX_TEXT_BYTES`], no control characters
/// other than line breaks and tabs.
pub fn check_text(field: &'static str, text: &str) -> Result<(), InputError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(InputError::TooLong {
            field,
            kb: text.len() / 1024,
        });
    }
    for (i, line) in text.split('\n').enumerate() {
        if let Some(c) = line
            .chars()
            .find(|c| (c.is_control() && *c != '\t' && *c != '\r') || is_invisible_format(*c))
        {
            return Err(InputError::ControlCharacter {
                field,
                line: i + 1,
                code: c as u32,
            });
        }
    }
    Ok(())
}

/// A single-line field such as a name or phone number.
pub fn check_line(field: &'static str, text: &str) -> Result<(), InputError> {
    if text.contains('\n') || text.contains('\r') {
        return Err(InputError::Newline { field });
    }
    check_text(field, text)
}

/// A single-line field that must not be empty.
pub fn check_required_line(field: &'static str, text: &str) -> Result<(), InputError> {
    if text.trim().is_empty() {
        return Err(InputError::Empty { field });
    }
    check_line(field, text)
}

/// Characters that are invisible in an editor but break a document: the
/// byte-order mark and the bidirectional overrides. Zero-width joiners used
/// by emoji are left alone (the letter layout reports glyphs it lacks).
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{FEFF}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Every field of a reply draft.
pub fn check_reply(content: &ReplyContent) -> Result<(), InputError> {
    check_line("文号", &content.doc_number)?;
    check_line("标题", &content.title)?;
    check_line("称谓", &content.salutation)?;
    check_text("正文", &content.body)?;
    check_line("联系人", &content.contact_person)?;
    check_line("联系电话", &content.contact_phone)?;
    for cc in &content.cc {
        check_line("抄送", cc)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_control_characters_and_huge_text() {
        assert!(check_text("正文", "第一段\n\t第二段").is_ok());
        let err = check_text("正文", "第一段\n第二\u{0007}段").unwrap_err();
        assert_eq!(
            err,
            InputError::ControlCharacter {
                field: "正文",
                line: 2,
                code: 7
            }
        );
        assert!(err.to_string().contains("第2行"));
        let big = "字".repeat(MAX_TEXT_BYTES / 3 + 1);
        assert!(matches!(
            check_text("正文", &big),
            Err(InputError::TooLong { .. })
        ));
        assert!(check_line("联系人", "李四\n").is_err());
        assert!(check_required_line("联系人", "  ").is_err());
        assert!(check_text("正文", "\u{FEFF}正文").is_err());
        // Emoji are text, not control characters.
        assert!(check_text("正文", "👍").is_ok());
    }
}

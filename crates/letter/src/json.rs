//! The JSON letter file (`jianban-letter render LETTER.json …`): the wire
//! format, kept apart from the model. Documented in the crate's README.md.

use std::path::Path;

use chrono::NaiveDate;
use jianban_domain::model::{Disclosure, ResultCategory};
use serde::{Deserialize, Serialize};

use crate::error::{LetterError, Result};
use crate::model::{ApprovalBlock, Letter, SuggestionRef};
use crate::settings::LayoutSettings;

/// Text given either as one string (paragraphs separated by line breaks) or
/// as a list of paragraphs.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(untagged)]
pub enum TextJson {
    #[default]
    None,
    One(String),
    Paragraphs(Vec<String>),
}

impl TextJson {
    fn into_text(self) -> String {
        match self {
            TextJson::None => String::new(),
            TextJson::One(s) => s,
            TextJson::Paragraphs(v) => v.join("\n"),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalJson {
    pub signer: String,
    /// YYYY-MM-DDTHH:MM:SS; with `verification_code`, prints the approval block.
    #[serde(default)]
    pub signed_at: Option<chrono::NaiveDateTime>,
    #[serde(default)]
    pub verification_code: Option<String>,
    #[serde(default)]
    pub qr_payload: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestionJson {
    #[serde(default)]
    pub session: String,
    pub number: u32,
    #[serde(default)]
    pub title: String,
}

/// One letter file.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LetterJson {
    #[serde(default)]
    pub category: Option<ResultCategory>,
    #[serde(default)]
    pub disclosure: Disclosure,
    #[serde(default)]
    pub doc_number: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub salutation: String,
    #[serde(default)]
    pub body: TextJson,
    #[serde(default)]
    pub closing: TextJson,
    #[serde(default)]
    pub unit: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub date: Option<NaiveDate>,
    #[serde(default)]
    pub contact_person: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub cc: Vec<String>,
    /// Path of a PNG/JPEG seal image, relative to the JSON file.
    #[serde(default)]
    pub seal: Option<String>,
    #[serde(default)]
    pub approval: Option<ApprovalJson>,
    #[serde(default)]
    pub suggestion: Option<SuggestionJson>,
    /// Overrides of the layout settings (any subset of `LayoutSettings`).
    #[serde(default)]
    pub settings: Option<serde_json::Value>,
}

impl LetterJson {
    pub fn parse(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| LetterError::Json(e.to_string()))
    }

    /// Reads a letter file; the seal path is resolved next to it.
    pub fn load(path: &Path) -> Result<(Letter, LayoutSettings)> {
        let text = std::fs::read_to_string(path).map_err(|e| LetterError::io(path, e))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text)?.into_letter(base)
    }

    /// Builds the model; `base` is where relative seal paths start.
    pub fn into_letter(self, base: &Path) -> Result<(Letter, LayoutSettings)> {
        let seal = match self.seal.filter(|s| !s.trim().is_empty()) {
            Some(p) => {
                let path = base.join(p);
                Some(std::fs::read(&path).map_err(|e| {
                    LetterError::SealImage(format!("无法读取 {}（{e}）", path.display()))
                })?)
            }
            None => None,
        };
        let settings = match self.settings {
            Some(v) => serde_json::from_value::<LayoutSettings>(v)
                .map_err(|e| LetterError::Json(format!("settings: {e}")))?,
            None => LayoutSettings::default(),
        };
        let letter = Letter {
            category: self.category,
            disclosure: self.disclosure,
            doc_number: self.doc_number,
            title: self.title,
            salutation: self.salutation,
            body: self.body.into_text(),
            closing: self.closing.into_text(),
            unit: self.unit,
            date: self.date,
            contact_person: self.contact_person,
            contact_phone: self.contact_phone,
            cc: self.cc,
            seal,
            approval: self.approval.map(|a| ApprovalBlock {
                signer: a.signer,
                signed_at: a.signed_at,
                verification_code: a.verification_code,
                qr_payload: a.qr_payload,
            }),
            suggestion: self.suggestion.map(|s| SuggestionRef {
                session: s.session,
                number: s.number,
                title: s.title,
            }),
        };
        Ok((letter, settings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_as_string_or_list() {
        let a = LetterJson::parse(r#"{"body": "一\n二"}"#).unwrap();
        let b = LetterJson::parse(r#"{"body": ["一", "二"]}"#).unwrap();
        let (la, _) = a.into_letter(Path::new(".")).unwrap();
        let (lb, _) = b.into_letter(Path::new(".")).unwrap();
        assert_eq!(la.body, lb.body);
    }

    #[test]
    fn typos_are_reported() {
        let e = LetterJson::parse(r#"{"boddy": "x"}"#).unwrap_err();
        assert_eq!(e.code(), "letter.json");
        assert!(e.to_string().contains("boddy"));
        let e = LetterJson::parse(r#"{"category": "E"}"#).unwrap_err();
        assert_eq!(e.code(), "letter.json");
    }

    #[test]
    fn settings_overrides() {
        let (_, s) = LetterJson::parse(r#"{"settings": {"lines_per_page": 20}}"#)
            .unwrap()
            .into_letter(Path::new("."))
            .unwrap();
        assert_eq!(s.lines_per_page, 20);
        assert_eq!(s.chars_per_line, 28);
    }
}

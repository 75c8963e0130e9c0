//! 答复编辑: the reply fields, revisions, preview, export and verification.

use super::shared::CaseState;
use jianban_domain as domain;
use serde::{Deserialize, Serialize};

/// The structured fields of a reply (or a co-handler's opinion).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ReplyFields {
    /// "A", "B", "C", "D" or none.
    pub category: Option<String>,
    /// `active`, `onRequest`, `notPublic`.
    pub disclosure: String,
    pub doc_number: String,
    pub title: String,
    pub salutation: String,
    pub body: String,
    pub contact_person: String,
    pub contact_phone: String,
    pub cc: Vec<String>,
}

impl From<&domain::ReplyContent> for ReplyFields {
    fn from(c: &domain::ReplyContent) -> Self {
        ReplyFields {
            category: c.category.map(|x| x.letter().to_owned()),
            disclosure: match c.disclosure {
                domain::Disclosure::Active => "active",
                domain::Disclosure::OnRequest => "onRequest",
                domain::Disclosure::NotPublic => "notPublic",
            }
            .into(),
            doc_number: c.doc_number.clone(),
            title: c.title.clone(),
            salutation: c.salutation.clone(),
            body: c.body.clone(),
            contact_person: c.contact_person.clone(),
            contact_phone: c.contact_phone.clone(),
            cc: c.cc.clone(),
        }
    }
}

impl ReplyFields {
    pub fn to_content(&self) -> Result<domain::ReplyContent, crate::error::CommandError> {
        let category = match self.category.as_deref() {
            None | Some("") => None,
            Some(l) => Some(
                domain::ResultCategory::ALL
                    .into_iter()
                    .find(|c| c.letter() == l)
                    .ok_or_else(|| {
                        crate::error::CommandError::new(
                            "input.category",
                            format!("办理结果类别“{l}”无效，请选择 A、B、C 或 D。"),
                        )
                    })?,
            ),
        };
        let disclosure = match self.disclosure.as_str() {
            "active" => domain::Disclosure::Active,
            "onRequest" => domain::Disclosure::OnRequest,
            "notPublic" => domain::Disclosure::NotPublic,
            other => {
                return Err(crate::error::CommandError::new(
                    "input.disclosure",
                    format!("公开属性“{other}”无效，请选择主动公开、依申请公开或不予公开。"),
                ))
            }
        };
        Ok(domain::ReplyContent {
            category,
            disclosure,
            doc_number: self.doc_number.clone(),
            title: self.title.clone(),
            salutation: self.salutation.clone(),
            body: self.body.clone(),
            contact_person: self.contact_person.clone(),
            contact_phone: self.contact_phone.clone(),
            cc: self
                .cc
                .iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RevisionView {
    pub number: u32,
    pub hash: String,
    pub author: String,
    pub saved_at: String,
    pub restored_from: Option<u32>,
}

impl From<jianban_store::RevisionInfo> for RevisionView {
    fn from(r: jianban_store::RevisionInfo) -> Self {
        RevisionView {
            number: r.number,
            hash: r.hash.0,
            author: r.author.0,
            saved_at: r.saved_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            restored_from: r.restored_from,
        }
    }
}

/// The editor's start: the current revision (or a template) and what blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DraftView {
    pub fields: ReplyFields,
    /// None when nothing was saved yet (the fields are a template).
    pub revision: Option<RevisionView>,
    pub editable: bool,
    pub blockers: Vec<String>,
    /// A co-handler writes an opinion (会办意见), not a reply letter.
    pub is_opinion: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SavedDraft {
    pub revision: RevisionView,
    pub blockers: Vec<String>,
    pub state: CaseState,
    pub state_label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct PreviewView {
    /// One SVG document per page.
    pub pages: Vec<String>,
    /// Faces replaced by stand-ins, e.g. "仿宋 → Noto Serif CJK SC".
    pub substitutions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ExportResult {
    pub path: String,
    pub pages: u32,
    /// Signed off and verified: the final document.
    pub is_final: bool,
    pub verification_code: Option<String>,
    pub substitutions: Vec<String>,
}

/// What checking a sealed letter found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct LetterVerification {
    pub path: String,
    /// `valid`, `tampered` or `unknownSigner`.
    pub verdict: String,
    /// 有效 / 被篡改 / 签名人未登记, in a sentence.
    pub label: String,
    /// The details, one per line (signer, time, verification code, what failed).
    pub report: String,
}

impl LetterVerification {
    pub fn of(path: &std::path::Path, v: &jianban_seal::PdfVerification) -> Self {
        Self {
            path: path.display().to_string(),
            verdict: match v.verdict {
                jianban_seal::PdfVerdict::Valid => "valid",
                jianban_seal::PdfVerdict::Tampered => "tampered",
                jianban_seal::PdfVerdict::UnknownSigner => "unknownSigner",
            }
            .into(),
            label: v.label_zh().into(),
            report: v.report_zh(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_disclosures_convert_and_an_unknown_one_is_an_input_error() {
        for (wire, want) in [
            ("active", domain::Disclosure::Active),
            ("onRequest", domain::Disclosure::OnRequest),
            ("notPublic", domain::Disclosure::NotPublic),
        ] {
            let fields = ReplyFields {
                disclosure: wire.into(),
                ..Default::default()
            };
            let content = fields.to_content().unwrap();
            assert_eq!(content.disclosure, want);
            assert_eq!(ReplyFields::from(&content).disclosure, wire);
        }
        let e = ReplyFields {
            disclosure: "public".into(),
            ..Default::default()
        }
        .to_content()
        .unwrap_err();
        assert_eq!(e.code, "input.disclosure");
        assert!(e.message.contains("主动公开"), "{}", e.message);
    }
}

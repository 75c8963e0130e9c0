//! What a document uploaded with a reply may be: its type (recognized by the
//! content's signature, never by a name or a header the client chooses) and
//! its size. One rule for both sides: the desktop checks before it sends,
//! the server checks again before it stores (`PUT /v1/documents/{sha256}`).
//!
//! The types are what a reply's documents are in practice: the sealed
//! letter (PDF, or OFD, the national layout format), the draft as Word, a
//! table as Excel, and photos or scans of the site (JPEG, PNG). Anything
//! else (executables, archives, HTML, scripts) is refused.

use std::fmt;

/// The largest single document, in bytes. A sealed letter is well under
/// 1 MB; scans and photos of a few pages fit in 20 MiB.
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;

/// The most all documents of one assignment may take together, in bytes.
pub const MAX_CASE_DOCUMENT_BYTES: u64 = 100 * 1024 * 1024;

/// A document type the platform keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Pdf,
    Ofd,
    /// Word 97–2003 or Excel 97–2003 (the OLE2 container; which of the two
    /// is not told by the signature).
    LegacyOffice,
    Docx,
    Xlsx,
    Jpeg,
    Png,
}

impl DocumentKind {
    /// A stable code, as stored and shown in logs.
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "pdf",
            DocumentKind::Ofd => "ofd",
            DocumentKind::LegacyOffice => "doc_xls",
            DocumentKind::Docx => "docx",
            DocumentKind::Xlsx => "xlsx",
            DocumentKind::Jpeg => "jpg",
            DocumentKind::Png => "png",
        }
    }
}

/// The accepted types, as the refusal names them.
pub const ACCEPTED_TYPES_ZH: &str = "PDF、OFD、Word（DOC/DOCX）、Excel（XLS/XLSX）、JPG、PNG";

/// Why a document is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentRefusal {
    Empty,
    TooLarge { size: usize },
    UnknownType,
    CaseQuota { used: u64, size: u64 },
}

impl DocumentRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            DocumentRefusal::Empty => "document.empty",
            DocumentRefusal::TooLarge { .. } => "document.too_large",
            DocumentRefusal::UnknownType => "document.type",
            DocumentRefusal::CaseQuota { .. } => "document.case_quota",
        }
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1}MB", bytes as f64 / (1024.0 * 1024.0))
}

impl fmt::Display for DocumentRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentRefusal::Empty => write!(f, "文件为空，请重新导出后再上传。"),
            DocumentRefusal::TooLarge { size } => write!(
                f,
                "文件大小为{}，超过单个文件上限{}。请压缩图片或分成几个文件后再上传。",
                mib(*size as u64),
                mib(MAX_DOCUMENT_BYTES as u64)
            ),
            DocumentRefusal::UnknownType => write!(
                f,
                "文件类型不在允许范围内，只能上传{ACCEPTED_TYPES_ZH}文件。请另存为这些格式后再上传。"
            ),
            DocumentRefusal::CaseQuota { used, size } => write!(
                f,
                "本件已上传文件共{}，再加上本文件（{}）将超过每件{}的上限。请删去不需要的附件或压缩后再上传。",
                mib(*used),
                mib(*size),
                mib(MAX_CASE_DOCUMENT_BYTES)
            ),
        }
    }
}

impl std::error::Error for DocumentRefusal {}

/// The document's type and size checked: its kind, or why it is refused.
/// Bounded work: only the first bytes and the ZIP directory are read.
pub fn check_document(bytes: &[u8]) -> Result<DocumentKind, DocumentRefusal> {
    if bytes.is_empty() {
        return Err(DocumentRefusal::Empty);
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(DocumentRefusal::TooLarge { size: bytes.len() });
    }
    document_kind(bytes).ok_or(DocumentRefusal::UnknownType)
}

/// Whether a document of `size` bytes still fits the assignment's quota
/// when `used` bytes are already stored for it.
pub fn check_case_quota(used: u64, size: u64) -> Result<(), DocumentRefusal> {
    if used.saturating_add(size) > MAX_CASE_DOCUMENT_BYTES {
        Err(DocumentRefusal::CaseQuota { used, size })
    } else {
        Ok(())
    }
}

const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF];
const ZIP: &[u8] = b"PK\x03\x04";

fn document_kind(bytes: &[u8]) -> Option<DocumentKind> {
    if bytes.starts_with(b"%PDF-") {
        return Some(DocumentKind::Pdf);
    }
    if bytes.starts_with(OLE2) {
        return Some(DocumentKind::LegacyOffice);
    }
    if bytes.starts_with(PNG) {
        return Some(DocumentKind::Png);
    }
    if bytes.starts_with(JPEG) {
        return Some(DocumentKind::Jpeg);
    }
    if bytes.starts_with(ZIP) {
        // DOCX, XLSX and OFD are ZIP packages told apart by their parts.
        let names = zip_entry_names(bytes)?;
        let has = |n: &str| names.iter().any(|x| x == n);
        let content_types = has("[Content_Types].xml");
        if content_types && has("word/document.xml") {
            return Some(DocumentKind::Docx);
        }
        if content_types && has("xl/workbook.xml") {
            return Some(DocumentKind::Xlsx);
        }
        if has("OFD.xml") {
            return Some(DocumentKind::Ofd);
        }
    }
    None
}

/// The most entries read from a ZIP directory: a real package has dozens.
const MAX_ZIP_ENTRIES: usize = 10_000;

fn u16_at(b: &[u8], i: usize) -> Option<usize> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?) as usize)
}

fn u32_at(b: &[u8], i: usize) -> Option<usize> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?) as usize)
}

/// The entry names of a ZIP file's central directory, or `None` when it is
/// not a well-formed one. Reads the end record (within the last 64 KiB +
/// 22 bytes) and at most [`MAX_ZIP_ENTRIES`] directory entries.
fn zip_entry_names(b: &[u8]) -> Option<Vec<String>> {
    const EOCD: &[u8] = b"PK\x05\x06";
    const CDH: &[u8] = b"PK\x01\x02";
    let from = b.len().saturating_sub(22 + 65_535);
    let eocd = (from..b.len().saturating_sub(21))
        .rev()
        .find(|&i| b[i..].starts_with(EOCD))?;
    let count = u16_at(b, eocd + 10)?;
    let mut at = u32_at(b, eocd + 16)?;
    let mut names = Vec::new();
    for _ in 0..count.min(MAX_ZIP_ENTRIES) {
        if !b.get(at..)?.starts_with(CDH) {
            return None;
        }
        let name_len = u16_at(b, at + 28)?;
        let extra_len = u16_at(b, at + 30)?;
        let comment_len = u16_at(b, at + 32)?;
        let name = b.get(at + 46..at + 46 + name_len)?;
        names.push(String::from_utf8_lossy(name).into_owned());
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ZIP file with empty stored entries of these names.
    pub fn zip_of(names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut dir = Vec::new();
        for n in names {
            let offset = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&[0; 12]); // crc, sizes
            out.extend_from_slice(&(n.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(n.as_bytes());
            dir.extend_from_slice(b"PK\x01\x02");
            dir.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            dir.extend_from_slice(&[0; 12]);
            dir.extend_from_slice(&(n.len() as u16).to_le_bytes());
            dir.extend_from_slice(&[0; 4]); // extra, comment
            dir.extend_from_slice(&[0; 8]); // disk, attributes
            dir.extend_from_slice(&offset.to_le_bytes());
            dir.extend_from_slice(n.as_bytes());
        }
        let dir_offset = out.len() as u32;
        out.extend_from_slice(&dir);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(dir.len() as u32).to_le_bytes());
        out.extend_from_slice(&dir_offset.to_le_bytes());
        out.extend_from_slice(&[0; 2]);
        out
    }

    #[test]
    fn a_replys_documents_are_recognized_by_their_content() {
        assert_eq!(check_document(b"%PDF-1.7\n..."), Ok(DocumentKind::Pdf));
        assert_eq!(
            check_document(&[OLE2, b"rest"].concat()),
            Ok(DocumentKind::LegacyOffice)
        );
        assert_eq!(
            check_document(&[PNG, b"IHDR"].concat()),
            Ok(DocumentKind::Png)
        );
        assert_eq!(
            check_document(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Ok(DocumentKind::Jpeg)
        );
        let docx = zip_of(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"]);
        assert_eq!(check_document(&docx), Ok(DocumentKind::Docx));
        let xlsx = zip_of(&["[Content_Types].xml", "xl/workbook.xml"]);
        assert_eq!(check_document(&xlsx), Ok(DocumentKind::Xlsx));
        let ofd = zip_of(&["OFD.xml", "Doc_0/Document.xml"]);
        assert_eq!(check_document(&ofd), Ok(DocumentKind::Ofd));
    }

    #[test]
    fn anything_else_is_refused_in_chinese() {
        for bytes in [
            &b"MZ\x90\x00 an executable"[..],
            b"<html><script>alert(1)</script>",
            b"#!/bin/sh\nrm -rf /",
            b"Rar!\x1a\x07\x00",
        ] {
            let e = check_document(bytes).unwrap_err();
            assert_eq!(e.code(), "document.type");
            assert!(e.to_string().contains("只能上传"), "{e}");
        }
        // A ZIP that is no Office or OFD package, and a broken one.
        let zip = zip_of(&["payload.exe"]);
        assert_eq!(check_document(&zip), Err(DocumentRefusal::UnknownType));
        let mut broken = zip_of(&["[Content_Types].xml", "word/document.xml"]);
        let n = broken.len();
        broken[n - 6..n - 2].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(check_document(&broken), Err(DocumentRefusal::UnknownType));
        assert_eq!(check_document(b""), Err(DocumentRefusal::Empty));
    }

    #[test]
    fn sizes_are_capped_per_file_and_per_case() {
        let mut big = b"%PDF-1.7".to_vec();
        big.resize(MAX_DOCUMENT_BYTES + 1, b' ');
        let e = check_document(&big).unwrap_err();
        assert_eq!(e.code(), "document.too_large");
        assert!(e.to_string().contains("20.0MB"), "{e}");
        big.truncate(MAX_DOCUMENT_BYTES);
        assert_eq!(check_document(&big), Ok(DocumentKind::Pdf));

        assert!(check_case_quota(0, MAX_CASE_DOCUMENT_BYTES).is_ok());
        let e = check_case_quota(MAX_CASE_DOCUMENT_BYTES - 10, 11).unwrap_err();
        assert_eq!(e.code(), "document.case_quota");
        assert!(e.to_string().contains("上限"), "{e}");
        assert!(check_case_quota(u64::MAX, 1).is_err());
    }
}

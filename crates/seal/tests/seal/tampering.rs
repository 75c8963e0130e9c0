//! Every way a sealed letter can be wrong, and what the verifiers say.

use std::collections::HashMap;

use jianban_domain::UserId;
use jianban_seal::pdfsign::{sign_pdf, Attachment, SignatureInfo};
use jianban_seal::{verify_pdf, PdfVerdict, SealRecord, ATTACHMENT_NAME, RECORD_FORMAT};

use crate::support::*;

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn flipped(pdf: &[u8], at: usize) -> Vec<u8> {
    let mut out = pdf.to_vec();
    out[at] ^= 0x01;
    out
}

fn assert_tampered(pdf: &[u8], s: &Sealed, why: &str) -> String {
    let v = verify_pdf(pdf, &s.approvers.registry);
    assert_eq!(v.verdict, PdfVerdict::Tampered, "{why}: {}", v.report_zh());
    let check = v.failed_check.clone().expect("the failed check is named");
    assert!(v.report_zh().contains("无效"), "{}", v.report_zh());
    check
}

#[test]
fn one_byte_changed_anywhere_is_tampered() {
    let s = seal();
    let dir = tempfile::tempdir().unwrap();

    // In the first page's content stream (compressed drawing operators).
    let stream = find(&s.pdf, b"stream\n").expect("a stream") + 7 + 40;
    let changed = flipped(&s.pdf, stream);
    let check = assert_tampered(&changed, &s, "content stream");
    assert!(check.contains("摘要不符"), "{check}");
    let path = dir.path().join("content.pdf");
    std::fs::write(&path, &changed).unwrap();
    let out = pdfsig(dir.path(), &path, &s.cert);
    assert!(!out.contains(SIG_VALID), "pdfsig still says valid:\n{out}");

    // In the embedded records (the signer's name in the JSON).
    let json = find(&s.pdf, "\"signer\": \"王五\"".as_bytes()).expect("records in the file");
    let changed = flipped(&s.pdf, json + 12);
    assert_tampered(&changed, &s, "embedded JSON");
    let path = dir.path().join("json.pdf");
    std::fs::write(&path, &changed).unwrap();
    let out = pdfsig(dir.path(), &path, &s.cert);
    assert!(!out.contains(SIG_VALID), "pdfsig still says valid:\n{out}");

    // Everywhere else, spread over the file: the letter, the xref, the
    // signature dictionary, the CMS hex and its zero padding.
    let contents = find(&s.pdf, b"/Contents<").or_else(|| find(&s.pdf, b"/Contents <"));
    let mut positions: Vec<usize> = (0..61).map(|i| i * (s.pdf.len() - 1) / 60).collect();
    if let Some(c) = contents {
        let hex = c + s.pdf[c..].iter().position(|b| *b == b'<').unwrap();
        positions.extend([
            hex,
            hex + 1,
            hex + 100,
            hex + 1500,
            hex + 16000,
            hex + 16385,
        ]);
    }
    for at in positions {
        let changed = flipped(&s.pdf, at);
        assert_tampered(&changed, &s, &format!("byte {at}"));
    }
}

#[test]
fn appended_update_or_missing_signature_is_tampered() {
    let s = seal();
    let mut appended = s.pdf.clone();
    appended.extend_from_slice(b"\n% one more line\n");
    let check = assert_tampered(&appended, &s, "appended bytes");
    assert!(check.contains("ByteRange"), "{check}");

    // The letter without its signature.
    let prefix_end = find(&s.pdf, b"%%EOF").unwrap() + 5;
    let check = assert_tampered(&s.pdf[..prefix_end], &s, "unsigned letter");
    assert!(check.contains("没有单位签章"), "{check}");

    let check = assert_tampered(b"not a pdf", &s, "garbage");
    assert!(check.contains("结构已损坏"), "{check}");
}

#[test]
fn another_revision_swapped_in_is_tampered() {
    // Someone holding the unit certificate re-seals the approved decisions
    // with other text: the PDF signature is fine, the sign-off is not.
    let s = seal();
    let mut other = s.content.clone();
    other.body = other.body.replace("经认真研究", "经研究");
    assert_ne!(other.content_hash(), s.content.content_hash());
    let code =
        jianban_signoff::chain::verification_code(&s.content.content_hash(), &s.decisions, 3);
    let record = SealRecord {
        format: RECORD_FORMAT.into(),
        assignment_id: assignment(),
        unit: UNIT.into(),
        content: other,
        chain: chain(),
        decisions: s.decisions.clone(),
        verification_code: code,
        signer: "王五".into(),
        signed_at: at("2024-06-28 10:30"),
    };
    let json = record.to_json();
    let unsealed_end = find(&s.pdf, b"%%EOF").unwrap() + 5;
    let forged = sign_pdf(
        &s.pdf[..unsealed_end],
        &Attachment {
            name: ATTACHMENT_NAME,
            mime: "application/json",
            description: "forged",
            bytes: &json,
        },
        &s.cert,
        &SignatureInfo {
            name: UNIT,
            reason: "forged",
            at: now(),
        },
    )
    .unwrap();
    let check = assert_tampered(&forged, &s, "other revision");
    assert!(check.contains("答复内容与审核签发的稿件不一致"), "{check}");

    // Decisions of another revision with that revision's text, but a
    // decision record edited to name it: the Ed25519 signature breaks.
    let mut edited = s.decisions.clone();
    edited[2].record.revision = record.content.content_hash();
    let record = SealRecord {
        decisions: edited,
        ..record
    };
    let forged = sign_pdf(
        &s.pdf[..unsealed_end],
        &Attachment {
            name: ATTACHMENT_NAME,
            mime: "application/json",
            description: "forged",
            bytes: &record.to_json(),
        },
        &s.cert,
        &SignatureInfo {
            name: UNIT,
            reason: "forged",
            at: now(),
        },
    )
    .unwrap();
    let check = assert_tampered(&forged, &s, "edited decision");
    assert!(check.contains("签名与记录不符"), "{check}");
}

#[test]
fn unregistered_key_is_unknown_signer() {
    let s = seal();
    let mut registry: HashMap<UserId, Vec<String>> = s.approvers.registry.clone();
    registry.remove(&UserId::new("u-wang"));
    let v = verify_pdf(&s.pdf, &registry);
    assert_eq!(v.verdict, PdfVerdict::UnknownSigner, "{}", v.report_zh());
    assert_eq!(v.verdict.exit_code(), 2);
    let check = v.failed_check.unwrap();
    assert!(
        check.contains("王五") && check.contains("未在平台登记"),
        "{check}"
    );

    // A key registered for someone else does not count either.
    let mut registry = s.approvers.registry.clone();
    let wang = registry.remove(&UserId::new("u-wang")).unwrap();
    registry.insert(UserId::new("u-other"), wang);
    let v = verify_pdf(&s.pdf, &registry);
    assert_eq!(v.verdict, PdfVerdict::UnknownSigner);
}

#[test]
fn another_units_certificate_is_tampered() {
    let s = seal();
    let other = jianban_seal::UnitCertificate::generate("宿州市财政局", now()).unwrap();
    let unsealed_end = find(&s.pdf, b"%%EOF").unwrap() + 5;
    let records_at = find(&s.pdf, b"{\n  \"format\"").unwrap();
    let records_len = find(&s.pdf[records_at..], b"\nendstream").unwrap();
    let json = s.pdf[records_at..records_at + records_len].to_vec();
    let forged = sign_pdf(
        &s.pdf[..unsealed_end],
        &Attachment {
            name: ATTACHMENT_NAME,
            mime: "application/json",
            description: "x",
            bytes: &json,
        },
        &other,
        &SignatureInfo {
            name: "宿州市财政局",
            reason: "x",
            at: now(),
        },
    )
    .unwrap();
    let check = assert_tampered(&forged, &s, "other unit's certificate");
    assert!(check.contains("不是该承办单位的证书"), "{check}");
}

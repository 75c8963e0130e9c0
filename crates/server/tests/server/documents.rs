//! Documents uploaded with a reply: only a reply's kinds of file (by their
//! content), each within the size cap, the assignment within its quota.

use jianban_protocol::documents::{MAX_CASE_DOCUMENT_BYTES, MAX_DOCUMENT_BYTES};
use sha2::{Digest, Sha256};

use crate::both;
use crate::harness::*;

const OWN: &str = "a006-zjj";

fn upload(c: &Client, bytes: &[u8]) -> Resp {
    let sha = hex::encode(Sha256::digest(bytes));
    c.raw(
        "PUT",
        &format!("/v1/documents/{sha}"),
        Some(bytes),
        &[
            ("X-Jianban-Assignment", OWN),
            ("Content-Type", "application/pdf"),
        ],
    )
}

/// A PDF of exactly `size` bytes, different for each `n`.
fn pdf_of(size: usize, n: usize) -> Vec<u8> {
    let mut b = format!("%PDF-1.7\n% 附件{n}\n").into_bytes();
    b.resize(size, b' ');
    b
}

fn only_a_replys_kinds_of_document_are_kept(backend: &Backend) {
    let server = Server::start(backend);
    let c = server.login("zjj-liaison");
    // Named and labelled a PDF, but an executable, a web page, a script.
    for bytes in [
        &b"MZ\x90\x00\x03 this program cannot be run in DOS mode"[..],
        b"<!DOCTYPE html><script>alert(1)</script>",
        b"#!/bin/sh\necho hi\n",
    ] {
        let r = upload(&c, bytes);
        r.assert_error(400, "document.type");
        assert!(
            r.body["message"].as_str().unwrap().contains("只能上传"),
            "{}",
            r.body
        );
    }
    // A reply's kinds pass: PDF, PNG, JPEG, OLE2 (DOC/XLS).
    for bytes in [
        &b"%PDF-1.7\n%%EOF\n"[..],
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        b"\xFF\xD8\xFF\xE0\0\x10JFIF",
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 legacy office",
    ] {
        let r = upload(&c, bytes);
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let office = server.login("office1");
    let audit = office.get(&format!("/v1/office/audit?assignment_id={OWN}"));
    let kinds: Vec<_> = audit
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["action"] == "upload_document")
        .map(|l| l["detail"]["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["pdf", "png", "jpg", "doc_xls"]);
}
both!(only_a_replys_kinds_of_document_are_kept);

fn documents_are_capped_per_file_and_per_case(backend: &Backend) {
    let server = Server::start(backend);
    let c = server.login("zjj-liaison");
    let r = upload(&c, &pdf_of(MAX_DOCUMENT_BYTES + 1, 0));
    r.assert_error(413, "document.too_large");
    assert!(r.body["message"].as_str().unwrap().contains("上限"));
    // Files up to the cap until the case's quota is full.
    let fit = (MAX_CASE_DOCUMENT_BYTES / MAX_DOCUMENT_BYTES as u64) as usize;
    for n in 0..fit {
        let r = upload(&c, &pdf_of(MAX_DOCUMENT_BYTES, n + 1));
        assert_eq!(r.status, 200, "document {n}: {}", r.body);
    }
    // The same file again takes nothing more.
    assert_eq!(upload(&c, &pdf_of(MAX_DOCUMENT_BYTES, 1)).status, 200);
    let r = upload(&c, &pdf_of(1024, 99));
    r.assert_error(413, "document.case_quota");
    assert!(
        r.body["message"].as_str().unwrap().contains("每件"),
        "{}",
        r.body
    );
}
both!(documents_are_capped_per_file_and_per_case);

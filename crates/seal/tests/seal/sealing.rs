//! A complete sign-off, sealed: what outside tools and `verify_pdf` say.

use jianban_letter::LetterRenderer;
use jianban_seal::{
    seal_letter, verify_pdf, PdfVerdict, SealError, SealOptions, SealRecord, SignOffInput,
};

use crate::support::*;

#[test]
fn sealed_letter_is_valid_everywhere() {
    let s = seal();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("reply-39-signed.pdf");
    std::fs::write(&pdf, &s.pdf).unwrap();
    let p = pdf.to_str().unwrap();

    // Our own verifier.
    let v = verify_pdf(&s.pdf, &s.approvers.registry);
    assert_eq!(v.verdict, PdfVerdict::Valid, "{}", v.report_zh());
    assert_eq!(v.failed_check, None);
    assert_eq!(v.signer.as_deref(), Some("王五"));
    assert_eq!(v.signed_at, Some(at("2024-06-28 10:30")));
    assert_eq!(v.unit.as_deref(), Some(UNIT));
    assert_eq!(v.assignment_id, Some(assignment()));
    assert_eq!(v.sealed_at, Some(now()));
    let code = v.verification_code.clone().unwrap();
    assert_eq!(
        code,
        jianban_signoff::chain::verification_code(&s.content.content_hash(), &s.decisions, 3)
    );
    assert_eq!(
        v.certificate_fingerprint.as_deref(),
        Some(s.cert.fingerprint().as_str())
    );
    let report = v.report_zh();
    assert!(
        report.contains("有效") && report.contains(&code),
        "{report}"
    );

    // poppler with the unit certificate trusted.
    let out = pdfsig(dir.path(), &pdf, &s.cert);
    assert!(out.contains(SIG_VALID), "pdfsig:\n{out}");
    assert!(out.contains(CERT_TRUSTED), "pdfsig:\n{out}");
    assert!(out.contains("Signature Type: adbe.pkcs7.detached"), "{out}");
    assert!(out.contains("Total document signed"), "{out}");

    // Structure, fonts, rendering, text round-trip.
    let (ok, out) = run("qpdf", &["--check", p]);
    assert!(ok, "qpdf --check:\n{out}");
    assert!(!out.contains("WARNING"), "qpdf --check:\n{out}");
    let source = dir.path().join("source.txt");
    std::fs::write(&source, &s.content.body).unwrap();
    let checker = repo_root().join("../shared/tools/check-pdf");
    if checker.exists() {
        let (ok, out) = run(checker.to_str().unwrap(), &[p, source.to_str().unwrap()]);
        assert!(ok, "check-pdf:\n{out}");
    }

    // The approval block is on the letter, the records are attached.
    let (_, text) = run("pdftotext", &["-layout", p, "-"]);
    let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for want in [
        "签发人：王五".to_string(),
        "签发时间：2024年6月28日10:30".to_string(),
        format!("验证码：{code}"),
    ] {
        assert!(flat.contains(&want), "pdftotext lacks {want}:\n{text}");
    }
    let (ok, list) = run("pdfdetach", &["-list", p]);
    assert!(ok && list.contains("jianban-signoff.json"), "{list}");
    let json = dir.path().join("records.json");
    let (ok, out) = run(
        "pdfdetach",
        &[
            "-savefile",
            "jianban-signoff.json",
            "-o",
            json.to_str().unwrap(),
            p,
        ],
    );
    assert!(ok, "{out}");
    let record: SealRecord = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(record.content, s.content);
    assert_eq!(record.decisions, s.decisions);
    assert_eq!(record.verification_code, code);
    let payload = record.qr_payload();
    assert!(payload.starts_with("JBQF1|2024-s6-3-039-fgw|"), "{payload}");
    assert!(payload.contains(&s.content.content_hash().0) && payload.contains(&code));

    // The printed QR code scans back to that text (last page at 200 dpi).
    let (_, info) = run("pdfinfo", &[p]);
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|v| v.trim().to_string())
        .unwrap();
    let png = dir.path().join("last");
    let (ok, out) = run(
        "pdftoppm",
        &[
            "-r",
            "200",
            "-png",
            "-singlefile",
            "-f",
            &pages,
            "-l",
            &pages,
            p,
            png.to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}");
    // stdout only: zbar may complain about a missing D-Bus on stderr.
    let out = std::process::Command::new("zbarimg")
        .args(["--raw", "-q", "-Sbinary"])
        .arg(dir.path().join("last.png"))
        .output()
        .expect("zbarimg must be installed (zbar-tools, scripts/setup.sh)");
    let scanned = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "zbarimg found no QR code");
    assert_eq!(scanned.trim_end(), payload);
}

#[test]
fn the_qr_code_is_drawn_below_the_date_on_the_last_page() {
    use jianban_letter::layout::LineRole;
    let approvers = Approvers::new();
    let content = content();
    let decisions = approvers.approve(&assignment(), &content);
    let sign_off = jianban_signoff::verify_sign_off(
        &chain(),
        &assignment(),
        &content.content_hash(),
        &decisions,
        &approvers.registry,
    )
    .unwrap();
    let mut letter = jianban_letter::Letter::from_reply_content(
        &content,
        UNIT,
        chrono::NaiveDate::from_ymd_opt(2024, 6, 28).unwrap(),
    );
    letter.approval = Some(jianban_letter::ApprovalBlock {
        signer: sign_off.signer_name.clone(),
        signed_at: Some(sign_off.signed_at),
        verification_code: Some(sign_off.verification_code.clone()),
        qr_payload: Some("JBQF1|payload".into()),
    });
    let mut r = LetterRenderer::new();
    let (layout, _) = r.layout(&letter).unwrap();
    let last = layout.pages.last().unwrap();
    let qr = last.qr.as_ref().expect("QR code on the last page");
    assert!(layout.pages[..layout.pages.len() - 1]
        .iter()
        .all(|p| p.qr.is_none()));
    let row_of = |role| {
        last.lines
            .iter()
            .filter(|l| l.role == role)
            .map(|l| l.row.unwrap())
            .collect::<Vec<_>>()
    };
    let date = row_of(LineRole::Date);
    let note = row_of(LineRole::Note);
    let block = row_of(LineRole::Approval);
    let cc = row_of(LineRole::EndBlock);
    assert_eq!(block.len(), 3);
    let after = note.iter().chain(&date).max().copied().unwrap();
    assert!(block[0] > after + 1, "a blank line after the date/note");
    assert!(
        cc.iter().all(|r| *r > block[2]),
        "the end block stays below"
    );
    // The QR code fits the block's rows and the text stands right of it.
    let s = &layout.settings;
    assert!(qr.y >= s.row_top_pt(block[0]) - 0.01);
    assert!(qr.y + qr.size <= s.row_top_pt(block[2] + 1) + 0.01);
    for l in last.lines.iter().filter(|l| l.role == LineRole::Approval) {
        assert!(l.extent().0 > qr.x + qr.size, "{}", l.text());
    }
    assert_eq!(qr.dark.len(), qr.modules * qr.modules);
    // The preview draws the same squares.
    let svg = r.render_svg(&letter).unwrap().output;
    assert!(svg.last().unwrap().contains("data-role=\"ApprovalQr\""));
    assert!(svg[..svg.len() - 1]
        .iter()
        .all(|p| !p.contains("ApprovalQr")));
}

#[test]
fn incomplete_or_mismatched_sign_off_is_refused_in_chinese() {
    let approvers = Approvers::new();
    let content = content();
    let mut decisions = approvers.approve(&assignment(), &content);
    let cert = jianban_seal::UnitCertificate::generate(UNIT, now()).unwrap();
    let mut renderer = LetterRenderer::new();
    let mut attempt = |content: &jianban_domain::ReplyContent,
                       decisions: &[jianban_signoff::SignedDecision]| {
        seal_letter(
            &mut renderer,
            &SignOffInput {
                assignment: &assignment(),
                unit: UNIT,
                content,
                chain: &chain(),
                decisions,
                registry: &approvers.registry,
            },
            &SealOptions {
                certificate: &cert,
                date: None,
                suggestion: None,
                seal_image: None,
                sealed_at: now(),
            },
        )
    };

    // The head has not signed yet.
    decisions.pop();
    let e = attempt(&content, &decisions).unwrap_err();
    assert!(matches!(e, SealError::SignOff(_)), "{e:?}");
    assert_eq!(e.code(), "signoff.incomplete");
    let msg = e.to_string();
    assert!(
        msg.contains("审核签发不完整") && msg.contains("主要负责人审核签发"),
        "{msg}"
    );

    // The text changed after approval.
    let decisions = approvers.approve(&assignment(), &content);
    let mut edited = content.clone();
    edited.body.push_str("\n补充一段。");
    let e = attempt(&edited, &decisions).unwrap_err();
    assert_eq!(e.code(), "signoff.wrong_revision");
    assert!(e.to_string().contains("请重新报送审核"), "{e}");
}

//! Sealing benchmark (a program, not a test): `cargo bench -p jianban-seal`.
//!
//! One iteration is what the head's "sign" button costs: the Ed25519
//! decision is signed, the sign-off verified, the three-page example letter
//! rendered with its approval block and QR code, the records embedded and
//! the PDF signed (CMS, ECDSA P-256) — fonts cached, as in the app.
//! Target: median ≤ 30 ms. Also reported: `verify_pdf` and the file size.
//!
//! Optional argument: `--iterations N` (default 50).

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime, Utc};
use jianban_domain::{ApprovalStep, AssignmentId, ReplyContent, UserId, UserRole};
use jianban_letter::json::LetterJson;
use jianban_letter::LetterRenderer;
use jianban_seal::{
    seal_letter, verify_pdf, PdfVerdict, SealOptions, SignOffInput, UnitCertificate,
};
use jianban_signoff::{sign, Decision, DecisionRecord, SigningIdentity};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let iterations: usize = args
        .iter()
        .position(|a| a == "--iterations")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/letters/reply-39.json");
    let (l, _) = LetterJson::load(&path).expect("example letter loads");
    let content = ReplyContent {
        category: l.category,
        disclosure: l.disclosure,
        doc_number: l.doc_number,
        title: l.title,
        salutation: l.salutation,
        body: format!("{}\n{}", l.body, l.closing),
        contact_person: l.contact_person,
        contact_phone: l.contact_phone,
        cc: l.cc,
    };
    let chain = vec![
        ApprovalStep {
            title: "分管领导审核".into(),
            role: UserRole::DeputyHead,
        },
        ApprovalStep {
            title: "主要负责人审核签发".into(),
            role: UserRole::Head,
        },
    ];
    let assignment = AssignmentId::new("2024-s6-3-039-fgw");
    let mut registry: HashMap<UserId, Vec<String>> = HashMap::new();
    let mut keys = Vec::new();
    for (id, role) in [("u-qian", UserRole::DeputyHead), ("u-wang", UserRole::Head)] {
        let (identity, key) = SigningIdentity::create("审核口令-2024");
        registry.insert(UserId::new(id), vec![identity.public_key]);
        keys.push((UserId::new(id), role, key));
    }
    let record = |step: usize, at: &str| DecisionRecord {
        assignment_id: assignment.clone(),
        revision: content.content_hash(),
        step,
        step_title: chain[step].title.clone(),
        signer: keys[step].0.clone(),
        signer_name: ["钱七", "王五"][step].into(),
        role: keys[step].1,
        decision: Decision::Approve,
        comment: String::new(),
        at: NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").unwrap(),
        round: None,
    };
    let first = sign(record(0, "2024-06-27 16:40"), &keys[0].2);
    let cert = UnitCertificate::generate("宿州市发展和改革委员会", Utc::now()).unwrap();
    let mut renderer = LetterRenderer::new();

    let seal_once = |renderer: &mut LetterRenderer| {
        let head = sign(record(1, "2024-06-28 10:30"), &keys[1].2);
        let decisions = [first.clone(), head];
        seal_letter(
            renderer,
            &SignOffInput {
                assignment: &assignment,
                unit: "宿州市发展和改革委员会",
                content: &content,
                chain: &chain,
                decisions: &decisions,
                registry: &registry,
            },
            &SealOptions {
                certificate: &cert,
                date: NaiveDate::from_ymd_opt(2024, 6, 28),
                suggestion: None,
                seal_image: None,
                sealed_at: Utc::now(),
            },
        )
        .expect("seals")
    };
    // Warm-up: font discovery and parsing happen once per app run.
    let pdf = seal_once(&mut renderer);
    let mut times = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        let out = seal_once(&mut renderer);
        times.push(t.elapsed());
        assert!(out.len() > 10_000);
    }
    // For comparison: the same letter rendered without sealing, and the
    // re-parse of the rendered letter that the incremental update needs.
    let mut letter = jianban_letter::Letter::from_reply_content(
        &content,
        "宿州市发展和改革委员会",
        NaiveDate::from_ymd_opt(2024, 6, 28).unwrap(),
    );
    letter.approval = Some(jianban_letter::ApprovalBlock {
        signer: "王五".into(),
        signed_at: None,
        verification_code: Some("7KQ2-M9XD-4TRA-PC1E".into()),
        qr_payload: Some("JBQF1|x".repeat(20)),
    });
    let opts = jianban_letter::PdfOptions {
        created_unix: Some(0),
    };
    let mut render_times = Vec::with_capacity(iterations);
    let mut parse_times = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        let r = renderer.render_pdf(&letter, &opts).expect("renders");
        render_times.push(t.elapsed());
        let t = Instant::now();
        lopdf::Document::load_mem(&r.output).expect("parses");
        parse_times.push(t.elapsed());
    }
    let mut verify_times = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        let v = verify_pdf(&pdf, &registry);
        verify_times.push(t.elapsed());
        assert_eq!(v.verdict, PdfVerdict::Valid);
    }
    println!("iterations: {iterations}");
    println!(
        "sign + seal + export, three pages: median {:.1} ms (target ≤ 30 ms)",
        ms(median(times))
    );
    println!(
        "  of which: letter render alone {:.1} ms, re-parse for the update {:.1} ms",
        ms(median(render_times)),
        ms(median(parse_times))
    );
    println!("verify_pdf: median {:.1} ms", ms(median(verify_times)));
    println!("sealed PDF size: {:.1} KB", pdf.len() as f64 / 1024.0);
}

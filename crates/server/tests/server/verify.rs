//! `jianban-server verify LETTER.pdf`: the sealed letter checked against
//! the keys registered in the server's database, by the real binary.

use std::collections::HashMap;
use std::process::Command;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use jianban_domain::{ApprovalStep, AssignmentId, ReplyContent, UserId, UserRole};
use jianban_letter::LetterRenderer;
use jianban_seal::{seal_letter, SealOptions, SignOffInput, UnitCertificate};
use jianban_server::db::Db;
use jianban_signoff::{sign, Decision, DecisionRecord, SigningIdentity};

const UNIT: &str = "宿州市发展和改革委员会";

fn verify(dir: &std::path::Path, pdf: &std::path::Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jianban-server"))
        .arg("verify")
        .arg("--data-dir")
        .arg(dir)
        .arg(pdf)
        .env("JIANBAN_LOG", "warn")
        .env_remove("JIANBAN_DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn verify_reports_valid_tampered_and_unknown_signer() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();

    let content = ReplyContent {
        title: "关于市六届人大三次会议第39号建议的答复".into(),
        salutation: "张三代表：".into(),
        body: "您提出的《关于推动我市民营经济高质量发展的建议》（第39号）收悉。经认真研究，现答复如下：\n我委将继续优化营商环境，强化要素保障。".into(),
        doc_number: "宿发改建复〔2024〕12号".into(),
        ..Default::default()
    };
    let chain = vec![ApprovalStep {
        title: "主要负责人审核签发".into(),
        role: UserRole::Head,
    }];
    let assignment = AssignmentId::new("2024-s6-3-039-fgw");
    let (identity, key) = SigningIdentity::create("审核口令-2024");
    let decision = sign(
        DecisionRecord {
            assignment_id: assignment.clone(),
            revision: content.content_hash(),
            step: 0,
            step_title: chain[0].title.clone(),
            signer: UserId::new("u-wang"),
            signer_name: "王五".into(),
            role: UserRole::Head,
            decision: Decision::Approve,
            comment: String::new(),
            at: NaiveDateTime::parse_from_str("2024-06-28 10:30", "%Y-%m-%d %H:%M").unwrap(),
            round: None,
        },
        &key,
    );
    let registry = HashMap::from([(UserId::new("u-wang"), vec![identity.public_key.clone()])]);
    let cert = UnitCertificate::generate(UNIT, Utc::now()).unwrap();
    let pdf = seal_letter(
        &mut LetterRenderer::new(),
        &SignOffInput {
            assignment: &assignment,
            unit: UNIT,
            content: &content,
            chain: &chain,
            decisions: &[decision],
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
    .unwrap();
    let letter = dir.path().join("signed.pdf");
    std::fs::write(&letter, &pdf).unwrap();

    // No key registered yet on this server.
    let (code, out) = verify(&data, &letter);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("签名人未在平台登记") && out.contains("王五"),
        "{out}"
    );

    // The approver registers the key (as `POST /v1/auth/keys` would).
    let db = Db::open_sqlite(&data).unwrap();
    db.write(|tx| {
        tx.exec(
            "INSERT INTO signing_keys (user_id, public_key, registered_at) VALUES ($1, $2, $3)",
            jianban_server::params![
                "u-wang",
                identity.public_key.as_str(),
                "2024-06-01T09:00:00"
            ],
        )
    })
    .unwrap();
    drop(db);
    let (code, out) = verify(&data, &letter);
    assert_eq!(code, 0, "{out}");
    for want in [
        "有效",
        "签发人：王五",
        "验证码：",
        UNIT,
        "2024-s6-3-039-fgw",
    ] {
        assert!(out.contains(want), "lacks {want}:\n{out}");
    }

    // One byte changed.
    let mut changed = pdf.clone();
    let mid = changed.len() / 3;
    changed[mid] ^= 0x01;
    let bad = dir.path().join("changed.pdf");
    std::fs::write(&bad, &changed).unwrap();
    let (code, out) = verify(&data, &bad);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("无效") && out.contains("未通过的检查"),
        "{out}"
    );

    // A file that is not there: a Chinese error, not a verdict.
    let (code, out) = verify(&data, &dir.path().join("missing.pdf"));
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("无法读取文件"), "{out}");
}

/// A key revoked after the server received the decision: the letter still
/// verifies, with a note; a decision the server did not have before the
/// revocation makes the letter invalid.
#[test]
fn verify_weighs_a_revoked_key_by_when_the_decision_arrived() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let content = ReplyContent {
        title: "关于第40号建议的答复".into(),
        salutation: "李四代表：".into(),
        body: "您提出的建议收悉，现答复如下：\n我委将抓紧推进。".into(),
        doc_number: "宿发改建复〔2024〕13号".into(),
        ..Default::default()
    };
    let chain = vec![ApprovalStep {
        title: "主要负责人审核签发".into(),
        role: UserRole::Head,
    }];
    let assignment = AssignmentId::new("2024-s6-3-040-fgw");
    let (identity, key) = SigningIdentity::create("审核口令-2024");
    let decision = sign(
        DecisionRecord {
            assignment_id: assignment.clone(),
            revision: content.content_hash(),
            step: 0,
            step_title: chain[0].title.clone(),
            signer: UserId::new("u-wang"),
            signer_name: "王五".into(),
            role: UserRole::Head,
            decision: Decision::Approve,
            comment: String::new(),
            at: NaiveDateTime::parse_from_str("2024-06-28 10:30", "%Y-%m-%d %H:%M").unwrap(),
            round: None,
        },
        &key,
    );
    let registry = HashMap::from([(UserId::new("u-wang"), vec![identity.public_key.clone()])]);
    let cert = UnitCertificate::generate(UNIT, Utc::now()).unwrap();
    let pdf = seal_letter(
        &mut LetterRenderer::new(),
        &SignOffInput {
            assignment: &assignment,
            unit: UNIT,
            content: &content,
            chain: &chain,
            decisions: std::slice::from_ref(&decision),
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
    .unwrap();
    let letter = dir.path().join("signed.pdf");
    std::fs::write(&letter, &pdf).unwrap();
    let (code, out) = verify(&data, &letter);
    assert_eq!(code, 2, "{out}");

    // The key is registered and revoked on 1 July; the server has no
    // record of the decision from before that.
    let db = Db::open_sqlite(&data).unwrap();
    db.write(|tx| {
        tx.exec(
            "INSERT INTO signing_keys (user_id, public_key, registered_at, revoked_at, revoked_by, revocation_reason)
             VALUES ($1, $2, $3, $4, $5, $6)",
            jianban_server::params![
                "u-wang",
                identity.public_key.as_str(),
                "2024-06-01T09:00:00",
                "2024-07-01T09:00:00.000",
                "office1",
                "电脑遗失"
            ],
        )
    })
    .unwrap();
    let (code, out) = verify(&data, &letter);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("核验结果：无效")
            && out.contains("签名密钥已于2024-07-01 09:00撤销")
            && out.contains("签发无效"),
        "{out}"
    );
    assert!(out.contains("签发人：王五"), "{out}");

    // Received after the revocation (as it could not be, since the server
    // refuses it): still invalid.
    let signed_json = serde_json::to_string(&decision).unwrap();
    db.write(|tx| {
        tx.exec(
            "INSERT INTO signed_decisions (assignment_id, revision, step, signature, signed_json, received_at)
             VALUES ($1, $2, 0, $3, $4, $5)",
            jianban_server::params![
                assignment.as_str(),
                content.content_hash().0.as_str(),
                decision.signature.as_str(),
                signed_json.as_str(),
                "2024-07-02T08:00:00"
            ],
        )
    })
    .unwrap();
    let (code, out) = verify(&data, &letter);
    assert_eq!(code, 1, "{out}");

    // Received before the revocation: valid, with the note.
    db.write(|tx| {
        tx.exec(
            "UPDATE signed_decisions SET received_at = $1",
            jianban_server::params!["2024-06-28T10:31:00"],
        )
    })
    .unwrap();
    drop(db);
    let (code, out) = verify(&data, &letter);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("核验结果：有效")
            && out.contains("签名密钥已于2024-07-01 09:00撤销，撤销前的签发仍有效"),
        "{out}"
    );
}

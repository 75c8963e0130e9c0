//! A real sign-off (three approvers with their own Ed25519 keys), the unit
//! certificate, and the outside tools (pdfsig with a throwaway NSS
//! database, qpdf, the office's check-pdf).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use jianban_domain::{ApprovalStep, AssignmentId, ReplyContent, UserId, UserRole};
use jianban_letter::json::LetterJson;
use jianban_letter::LetterRenderer;
use jianban_seal::{seal_letter, SealOptions, SignOffInput, UnitCertificate};
use jianban_signoff::{sign, Decision, DecisionRecord, SignedDecision, SigningIdentity};

pub const UNIT: &str = "宿州市发展和改革委员会";

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The three-page example letter as a revision's content.
pub fn content() -> ReplyContent {
    let path = repo_root().join("examples/letters/reply-39.json");
    let (l, _) = LetterJson::load(&path).expect("example letter loads");
    ReplyContent {
        category: l.category,
        disclosure: l.disclosure,
        doc_number: l.doc_number,
        title: l.title,
        salutation: l.salutation,
        body: format!("{}\n{}", l.body, l.closing),
        contact_person: l.contact_person,
        contact_phone: l.contact_phone,
        cc: l.cc,
    }
}

pub fn chain() -> Vec<ApprovalStep> {
    vec![
        ApprovalStep {
            title: "承办科室负责人审核".into(),
            role: UserRole::CaseHandler,
        },
        ApprovalStep {
            title: "分管领导审核".into(),
            role: UserRole::DeputyHead,
        },
        ApprovalStep {
            title: "主要负责人审核签发".into(),
            role: UserRole::Head,
        },
    ]
}

pub fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

pub fn now() -> DateTime<Utc> {
    "2024-06-28T03:00:00Z".parse().unwrap()
}

/// A unit's approvers, each with a key made on first use, and the keys
/// they registered.
pub struct Approvers {
    pub people: Vec<(UserId, String, UserRole, jianban_signoff::UnlockedKey)>,
    pub registry: HashMap<UserId, Vec<String>>,
}

impl Approvers {
    pub fn new() -> Self {
        let mut people = Vec::new();
        let mut registry = HashMap::new();
        for (id, name, role) in [
            ("u-zhao", "赵六", UserRole::CaseHandler),
            ("u-qian", "钱七", UserRole::DeputyHead),
            ("u-wang", "王五", UserRole::Head),
        ] {
            let (identity, key) = SigningIdentity::create("审核口令-2024");
            registry.insert(UserId::new(id), vec![identity.public_key.clone()]);
            people.push((UserId::new(id), name.to_string(), role, key));
        }
        Self { people, registry }
    }

    /// Every step approves `content` of `assignment`.
    pub fn approve(
        &self,
        assignment: &AssignmentId,
        content: &ReplyContent,
    ) -> Vec<SignedDecision> {
        let times = ["2024-06-26 09:15", "2024-06-27 16:40", "2024-06-28 10:30"];
        chain()
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let (user, name, role, key) = &self.people[i];
                sign(
                    DecisionRecord {
                        assignment_id: assignment.clone(),
                        revision: content.content_hash(),
                        step: i,
                        step_title: step.title.clone(),
                        signer: user.clone(),
                        signer_name: name.clone(),
                        role: *role,
                        decision: Decision::Approve,
                        comment: String::new(),
                        at: at(times[i]),
                        round: None,
                    },
                    key,
                )
            })
            .collect()
    }
}

pub fn assignment() -> AssignmentId {
    AssignmentId::new("2024-s6-3-039-fgw")
}

/// Everything sealed once: the letter bytes and what made them.
pub struct Sealed {
    pub pdf: Vec<u8>,
    pub approvers: Approvers,
    pub cert: UnitCertificate,
    pub content: ReplyContent,
    pub decisions: Vec<SignedDecision>,
}

pub fn seal() -> Sealed {
    let approvers = Approvers::new();
    let content = content();
    let decisions = approvers.approve(&assignment(), &content);
    let cert = UnitCertificate::generate(UNIT, now()).unwrap();
    let mut renderer = LetterRenderer::new();
    let pdf = seal_letter(
        &mut renderer,
        &SignOffInput {
            assignment: &assignment(),
            unit: UNIT,
            content: &content,
            chain: &chain(),
            decisions: &decisions,
            registry: &approvers.registry,
        },
        &SealOptions {
            certificate: &cert,
            date: NaiveDate::from_ymd_opt(2024, 6, 28),
            suggestion: None,
            seal_image: None,
            sealed_at: now(),
        },
    )
    .expect("a complete sign-off seals");
    Sealed {
        pdf,
        approvers,
        cert,
        content,
        decisions,
    }
}

pub fn run(cmd: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} must be installed (scripts/setup.sh): {e}"));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `pdfsig` output for `pdf`, with the unit certificate trusted in a
/// throwaway NSS database. pdfsig exits 0 even for an invalid signature:
/// callers read the text.
pub fn pdfsig(dir: &Path, pdf: &Path, cert: &UnitCertificate) -> String {
    let nss = dir.join("nss");
    if !nss.exists() {
        std::fs::create_dir_all(&nss).unwrap();
        let n = nss.to_str().unwrap();
        let (ok, out) = run("certutil", &["-N", "--empty-password", "-d", n]);
        assert!(ok, "certutil -N: {out}");
        let pem = dir.join("unit.pem");
        std::fs::write(&pem, cert.cert_pem().unwrap()).unwrap();
        let (ok, out) = run(
            "certutil",
            &[
                "-A",
                "-n",
                "unit",
                "-t",
                "CT,C,C",
                "-a",
                "-i",
                pem.to_str().unwrap(),
                "-d",
                n,
            ],
        );
        assert!(ok, "certutil -A: {out}");
    }
    let (ok, out) = run(
        "pdfsig",
        &["-nssdir", nss.to_str().unwrap(), pdf.to_str().unwrap()],
    );
    assert!(ok || !out.is_empty(), "pdfsig failed to run: {out}");
    out
}

pub const SIG_VALID: &str = "Signature Validation: Signature is Valid.";
pub const CERT_TRUSTED: &str = "Certificate Validation: Certificate is Trusted.";

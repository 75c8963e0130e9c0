//! Sign-off: credentials, keys, signed decisions and whole chains.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use jianban_domain::{ApprovalStep, AssignmentId, ReplyContent, RevisionHash, UserId, UserRole};
use jianban_signoff::*;

fn at(h: u32, m: u32) -> NaiveDateTime {
    NaiveDateTime::new(
        NaiveDate::from_ymd_opt(2024, 6, 20).unwrap(),
        NaiveTime::from_hms_opt(h, m, 0).unwrap(),
    )
}

fn revision(body: &str) -> RevisionHash {
    ReplyContent {
        body: body.into(),
        ..Default::default()
    }
    .content_hash()
}

fn record(
    step: usize,
    title: &str,
    who: &str,
    role: UserRole,
    rev: &RevisionHash,
) -> DecisionRecord {
    DecisionRecord {
        assignment_id: AssignmentId::new("a039-fgw"),
        revision: rev.clone(),
        step,
        step_title: title.into(),
        signer: UserId::new(who),
        signer_name: format!("{who}的姓名"),
        role,
        decision: Decision::Approve,
        comment: "同意".into(),
        at: at(10, step as u32),
        round: None,
    }
}

fn chain() -> Vec<ApprovalStep> {
    vec![
        ApprovalStep {
            title: "分管领导审核".into(),
            role: UserRole::DeputyHead,
        },
        ApprovalStep {
            title: "主要负责人签发".into(),
            role: UserRole::Head,
        },
    ]
}

struct Fixture {
    registry: HashMap<UserId, Vec<String>>,
    deputy: UnlockedKey,
    head: UnlockedKey,
}

fn fixture() -> Fixture {
    let (deputy_id, deputy) = SigningIdentity::create("副局长的密码123");
    let (head_id, head) = SigningIdentity::create("局长的密码4567");
    let mut registry = HashMap::new();
    registry.insert(
        UserId::new("fgw-deputy"),
        vec![deputy_id.public_key.clone()],
    );
    registry.insert(UserId::new("fgw-head"), vec![head_id.public_key.clone()]);
    Fixture {
        registry,
        deputy,
        head,
    }
}

fn signed_chain(f: &Fixture, rev: &RevisionHash) -> Vec<SignedDecision> {
    vec![
        sign(
            record(0, "分管领导审核", "fgw-deputy", UserRole::DeputyHead, rev),
            &f.deputy,
        ),
        sign(
            record(1, "主要负责人签发", "fgw-head", UserRole::Head, rev),
            &f.head,
        ),
    ]
}

#[test]
fn a_complete_chain_verifies_with_a_stable_code() {
    let f = fixture();
    let rev = revision("答复正文");
    let decisions = signed_chain(&f, &rev);
    let id = AssignmentId::new("a039-fgw");
    let ok = verify_sign_off(&chain(), &id, &rev, &decisions, &f.registry).unwrap();
    assert_eq!(ok.signer_name, "fgw-head的姓名");
    assert_eq!(ok.verification_code.len(), 19);
    assert_eq!(
        ok,
        verify_sign_off(&chain(), &id, &rev, &decisions, &f.registry).unwrap()
    );
    assert!(ok
        .verification_code
        .chars()
        .all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_uppercase()));
}

#[test]
fn tampering_another_revision_or_an_unknown_key_fail() {
    let f = fixture();
    let rev = revision("答复正文");
    let id = AssignmentId::new("a039-fgw");
    // A changed comment after signing.
    let mut d = signed_chain(&f, &rev);
    d[1].record.comment = "不同意".into();
    assert_eq!(verify(&d[1], &f.registry), Verdict::Tampered);
    assert_eq!(
        verify_sign_off(&chain(), &id, &rev, &d, &f.registry)
            .unwrap_err()
            .code(),
        "signoff.tampered"
    );
    // A flipped bit in the signature.
    let mut d = signed_chain(&f, &rev);
    let mut sig = hex::decode(&d[0].signature).unwrap();
    sig[7] ^= 1;
    d[0].signature = hex::encode(sig);
    assert_eq!(verify(&d[0], &f.registry), Verdict::Tampered);
    // Approvals of another revision do not sign this one.
    let d = signed_chain(&f, &revision("旧稿"));
    assert_eq!(
        verify_sign_off(&chain(), &id, &rev, &d, &f.registry).unwrap_err(),
        SignoffError::WrongRevision
    );
    // A key nobody registered.
    let (_, stranger) = SigningIdentity::create("陌生人的密码999");
    let mut d = signed_chain(&f, &rev);
    d[1] = sign(
        record(1, "主要负责人签发", "fgw-head", UserRole::Head, &rev),
        &stranger,
    );
    assert_eq!(verify(&d[1], &f.registry), Verdict::UnknownSigner);
    // Missing the head's step.
    let d = signed_chain(&f, &rev)[..1].to_vec();
    let err = verify_sign_off(&chain(), &id, &rev, &d, &f.registry).unwrap_err();
    assert!(err.to_string().contains("主要负责人签发"), "{err}");
    // The right key but the wrong role for the step.
    let d = vec![
        sign(
            record(0, "分管领导审核", "fgw-deputy", UserRole::DeputyHead, &rev),
            &f.deputy,
        ),
        sign(
            record(
                1,
                "主要负责人签发",
                "fgw-deputy",
                UserRole::DeputyHead,
                &rev,
            ),
            &f.deputy,
        ),
    ];
    let mut reg = f.registry.clone();
    reg.entry(UserId::new("fgw-deputy")).or_default();
    assert_eq!(
        verify_sign_off(&chain(), &id, &rev, &d, &reg)
            .unwrap_err()
            .code(),
        "signoff.wrong_role"
    );
}

#[test]
fn keys_open_only_with_the_password_and_survive_a_password_change() {
    let (identity, key) = SigningIdentity::create("正确的密码abc");
    assert_eq!(
        identity.unlock("错误的密码abc").unwrap_err(),
        SignoffError::WrongPassword
    );
    let again = identity.unlock("正确的密码abc").unwrap();
    assert_eq!(again.public_key_hex(), key.public_key_hex());
    let changed = identity
        .change_password("正确的密码abc", "新的密码xyz1")
        .unwrap();
    assert_eq!(changed.public_key, identity.public_key);
    assert!(changed.unlock("正确的密码abc").is_err());
    assert_eq!(
        changed.unlock("新的密码xyz1").unwrap().public_key_hex(),
        identity.public_key
    );
    // A damaged file says so.
    let mut broken = identity.clone();
    broken.nonce = "zz".into();
    assert_eq!(
        broken.unlock("正确的密码abc").unwrap_err(),
        SignoffError::DamagedKey
    );
    // The stored form holds only the sealed secret: 32 bytes plus the tag.
    assert_eq!(identity.sealed_secret.len(), (32 + 16) * 2);
    // Two keys made with the same password are sealed differently (salt, nonce).
    let (other, _) = SigningIdentity::create("正确的密码abc");
    assert_ne!(other.salt, identity.salt);
    assert_ne!(other.sealed_secret, identity.sealed_secret);
}

#[test]
fn five_wrong_passwords_lock_the_account_for_fifteen_minutes() {
    let phc = hash_password("审核人的密码12").unwrap();
    let policy = LockoutPolicy::default();
    let mut attempts = LoginAttempts::default();
    for i in 0..4 {
        assert_eq!(
            attempts
                .attempt(&phc, "错的", at(9, i), policy)
                .unwrap_err(),
            SignoffError::WrongPassword
        );
    }
    let err = attempts
        .attempt(&phc, "错的", at(9, 4), policy)
        .unwrap_err();
    assert_eq!(err, SignoffError::Locked { until: at(9, 19) });
    assert!(err.to_string().contains("2024年6月20日 09:19"), "{err}");
    // Even the right password is refused while locked.
    assert_eq!(
        attempts
            .attempt(&phc, "审核人的密码12", at(9, 10), policy)
            .unwrap_err()
            .code(),
        "signoff.locked"
    );
    // After the lock, the right password works and the count starts again.
    attempts
        .attempt(&phc, "审核人的密码12", at(9, 19), policy)
        .unwrap();
    assert_eq!(attempts, LoginAttempts::default());
    assert_eq!(hash_password("短").unwrap_err(), SignoffError::WeakPassword);
    assert!(!verify_password("not a hash", "x"));
}

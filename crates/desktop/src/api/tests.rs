//! The commands' work against a real local-demo store in a temporary
//! directory: what a liaison and a head do in a day.

use super::*;
use crate::dto::{ContactInputView, ContactModeCode, DecideInput, StateGroup};
use crate::state::{AppState, DEMO_PASSWORD};

fn demo_state() -> (tempfile::TempDir, AppState) {
    let tmp = tempfile::tempdir().unwrap();
    let state = AppState::open(tmp.path().to_path_buf(), &crate::secrets::NoCredentialStore);
    (tmp, state)
}

#[test]
fn the_workbench_counts_every_group_from_its_rows() {
    let (_tmp, state) = demo_state();
    let wb = workbench::workbench(&state).unwrap();
    assert!(wb.rows.len() >= 40);
    assert_eq!(wb.counts.len(), crate::workbench::Group::ALL.len());
    for c in &wb.counts {
        let n = wb
            .rows
            .iter()
            .filter(|r| r.groups.contains(&c.group))
            .count();
        assert_eq!(c.count as usize, n, "{}", c.label);
    }
    let awaiting = wb
        .counts
        .iter()
        .find(|c| c.group == StateGroup::AwaitingReceipt)
        .unwrap();
    assert!(awaiting.count > 0, "the demo has cases to sign for");
    assert!(!wb.sessions.is_empty());
    // Two-character Chinese search finds suggestions.
    let hits = workbench::search(&state, "医院").unwrap();
    assert!(!hits.is_empty(), "医院 should match demo suggestions");
    assert!(workbench::search(&state, "  ").unwrap().is_empty());
}

#[test]
fn a_liaison_signs_for_receipt_and_the_timeline_shows_it() {
    let (_tmp, state) = demo_state();
    let before = cases::detail(&state, "a186-fgw").unwrap();
    assert!(before.actions.receive);
    assert!(before
        .deadlines
        .iter()
        .any(|d| d.label == "签收期限" && d.current));
    assert!(!before.lead_deputy.name.is_empty());
    let after = cases::receive(&state, "a186-fgw").unwrap();
    assert!(!after.actions.receive);
    assert_eq!(after.row.state_label, "已签收");
    assert_eq!(after.timeline[0].label, "签收");
    assert_eq!(after.timeline[0].actor_name, before_name(&state));
    // Receiving twice is refused with the rules' Chinese message.
    let err = cases::receive(&state, "a186-fgw").unwrap_err();
    assert_eq!(err.code, "workflow.not_allowed");
    assert!(err.message.contains("不能"), "{}", err.message);
}

#[test]
fn the_buttons_are_what_the_rules_offer_to_the_person_logged_in() {
    let (_tmp, state) = demo_state();
    let id = "a186-fgw";
    let waiting = cases::detail(&state, id).unwrap();
    assert!(waiting.actions.receive);
    assert!(
        !waiting.actions.submit_for_approval,
        "nothing to submit before 签收"
    );
    let received = cases::receive(&state, id).unwrap();
    let a = &received.actions;
    assert!(a.record_contact && a.edit_draft && a.request_adjustment && a.request_extension);
    assert!(!a.submit && !a.export);
    // 报送审核 is shown, disabled by what is missing: a draft and a contact.
    assert!(a.submit_for_approval);
    assert!(
        received.blockers.iter().any(|b| b.contains("起草")),
        "{:?}",
        received.blockers
    );
    assert!(
        received.blockers.iter().any(|b| b.contains("沟通联系")),
        "{:?}",
        received.blockers
    );
    // A contact later, only the draft is missing.
    let contact = ContactInputView {
        mode: ContactModeCode::Visit,
        date: "2026-12-01".into(),
        people: "张建国代表".into(),
        summary: "上门听取意见".into(),
    };
    let contacted = cases::add_contact(&state, id, &contact).unwrap();
    assert!(contacted.actions.submit_for_approval);
    assert!(
        !contacted.blockers.iter().any(|b| b.contains("沟通联系")),
        "{:?}",
        contacted.blockers
    );
    assert!(!contacted.blockers.is_empty());
    // The history shows the contact with what was said.
    assert_eq!(contacted.timeline[0].label, "登记沟通联系");
    assert_eq!(
        contacted.timeline[0].detail.as_deref(),
        Some("上门听取意见")
    );
}

fn before_name(state: &AppState) -> String {
    auth::status(state).unwrap().user.unwrap().name
}

#[test]
fn another_units_case_is_refused() {
    let (_tmp, state) = demo_state();
    let wb = workbench::workbench(&state).unwrap();
    let other = wb
        .rows
        .iter()
        .find(|r| {
            r.row.state == crate::dto::CaseState::AwaitingReceipt
                && !r.row.assignment_id.ends_with("-fgw")
        })
        .expect("another unit's case awaiting receipt");
    let err = cases::receive(&state, &other.row.assignment_id).unwrap_err();
    assert_eq!(err.code, "workflow.other_unit");
}

#[test]
fn draft_contact_approval_export_and_submit() {
    let (tmp, state) = demo_state();
    let id = "a198-fgw"; // split, returned for re-handling
    let start = reply::draft(&state, id).unwrap();
    assert!(start.editable);
    let revisions_before = reply::revisions(&state, id).unwrap().len();

    let contact = ContactInputView {
        mode: ContactModeCode::Phone,
        date: "2024-05-06".into(),
        people: "张三代表；王晓梅".into(),
        summary: "电话沟通答复思路".into(),
    };
    let d = cases::add_contact(&state, id, &contact).unwrap();
    assert!(d.contacts.iter().any(|c| c.summary == "电话沟通答复思路"));
    let bad = ContactInputView {
        date: "6月6日".into(),
        ..contact
    };
    assert_eq!(
        cases::add_contact(&state, id, &bad).unwrap_err().code,
        "input.date"
    );

    // Template C, then the liaison fills what is missing.
    let mut fields = reply::template(&state, id, "C").unwrap();
    assert_eq!(fields.category.as_deref(), Some("C"));
    fields.contact_person = String::new();
    let saved = reply::save(&state, id, &fields).unwrap();
    assert_eq!(saved.revision.number as usize, revisions_before + 1);
    assert!(
        saved.blockers.iter().any(|b| b.contains("联系人")),
        "{:?}",
        saved.blockers
    );
    fields.contact_person = "王晓梅".into();
    fields.contact_phone = "0557-3021234".into();
    let saved = reply::save(&state, id, &fields).unwrap();
    // The template's 【…】 prompts are still in the body: listed, not yet sendable.
    assert!(
        saved.blockers.iter().any(|b| b.contains("模板提示")),
        "{:?}",
        saved.blockers
    );
    fields.body = fields
        .body
        .replace(
            "【简述建议所涉问题的现状。】",
            "我市现有社区养老服务站十二处。",
        )
        .replace("【政策、资金、规划等条件限制】", "今年专项资金已全部安排");
    assert!(!fields.body.contains('【'), "{}", fields.body);
    let saved = reply::save(&state, id, &fields).unwrap();
    assert!(saved.blockers.is_empty(), "{:?}", saved.blockers);

    // Revision history and restore (a new revision, history kept).
    let revs = reply::revisions(&state, id).unwrap();
    assert_eq!(revs[0].number, saved.revision.number, "newest first");
    let older = reply::revision_fields(&state, id, saved.revision.number - 2).unwrap();
    assert_eq!(older.contact_person, "");
    let restored = reply::restore(&state, id, saved.revision.number - 2).unwrap();
    assert_eq!(
        restored.revision.restored_from,
        Some(saved.revision.number - 2)
    );
    let saved = reply::save(&state, id, &fields).unwrap();

    // The live preview of unsaved text, and of the saved revision.
    let p = reply::preview(&state, id, Some(&fields)).unwrap();
    assert!(!p.pages.is_empty());
    assert!(p.pages[0].starts_with("<svg") || p.pages[0].contains("<svg"));

    // A PDF before sign-off is refused; a draft .docx is allowed.
    let pdf = tmp.path().join("out.pdf");
    let err = reply::export_to(&state, id, &pdf).unwrap_err();
    assert!(
        err.code.starts_with("signoff.") || err.code.starts_with("workflow."),
        "{err:?}"
    );
    assert!(!pdf.exists());
    let docx = tmp.path().join("draft.docx");
    let r = reply::export_to(&state, id, &docx).unwrap();
    assert!(!r.is_final);
    assert!(docx.is_file());

    let d = cases::submit_for_approval(&state, id).unwrap();
    assert_eq!(d.row.state_label, "待审核");

    // Without an approver logged in there is no queue.
    assert_eq!(approval::queue(&state).unwrap_err().code, "not_logged_in");
    let head = auth::login_local(&state, "fgw-head", DEMO_PASSWORD).unwrap();
    assert_eq!(head.role_label, "主要负责人");
    let queue = approval::queue(&state).unwrap();
    let item = queue
        .iter()
        .find(|q| q.row.assignment_id == id)
        .expect("in the head's queue");
    assert_eq!(item.revision.hash, saved.revision.hash);
    let wrong = DecideInput {
        assignment_id: id.into(),
        revision_hash: item.revision.hash.clone(),
        approve: true,
        comment: "同意".into(),
        password: "wrong-password".into(),
    };
    assert_eq!(
        approval::decide(&state, &wrong).unwrap_err().code,
        "signoff.wrong_password"
    );
    let history = approval::decide(
        &state,
        &DecideInput {
            password: DEMO_PASSWORD.into(),
            ..wrong
        },
    )
    .unwrap();
    assert!(history[0].approve);
    assert_eq!(history[0].signer_name, head.name);

    // The final PDF, then 报送.
    let r = reply::export_to(&state, id, &pdf).unwrap();
    assert!(r.is_final);
    assert!(r.verification_code.is_some());
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let (name, signed) = reply::export_name(&state, id, "pdf").unwrap();
    assert!(signed);
    assert!(
        name.starts_with("第") && name.ends_with("-市发展改革委.pdf"),
        "{name}"
    );
    let d = cases::submit(&state, id).unwrap();
    assert_eq!(d.row.state_label, "已答复");

    // 导出签章证书: the public certificate that signed the letter, no key.
    let s = settings::get(&state).unwrap();
    assert_eq!(s.certificate_unit.as_deref(), Some("市发展改革委"));
    let name = settings::certificate_name(&state).unwrap();
    assert_eq!(name, "市发展改革委-答复函签章证书.cer");
    let cer = tmp.path().join(&name);
    settings::export_certificate(&state, &cer).unwrap();
    let text = std::fs::read_to_string(&cer).unwrap();
    assert!(text.starts_with("-----BEGIN CERTIFICATE-----"), "{text}");
    assert!(
        !text.contains("PRIVATE KEY"),
        "the key must not leave the PC"
    );
    let bundle = state
        .with_store(|s| s.unit_certificate_pem(&jianban_domain::UnitId::new("fgw")))
        .unwrap()
        .expect("without a credential store the certificate stays in the store");
    let sealed_with = jianban_seal::UnitCertificate::from_pem(&bundle).unwrap();
    assert_eq!(text, sealed_with.cert_pem().unwrap());
}

#[test]
fn only_a_head_changes_the_chain_and_only_on_the_server() {
    use crate::dto::{ApprovalStepView, ChainInput, UserRoleCode};
    let (_tmp, state) = demo_state();
    let steps = vec![
        ApprovalStepView {
            title: "分管领导审核".into(),
            role: UserRoleCode::DeputyHead,
        },
        ApprovalStepView {
            title: "主要负责人审核签发".into(),
            role: UserRoleCode::Head,
        },
    ];
    let input = ChainInput {
        steps: steps.clone(),
        password: DEMO_PASSWORD.into(),
    };
    let s = settings::get(&state).unwrap();
    assert!(!s.can_edit_chain);
    assert_eq!(s.approval_chain.last().unwrap().role, UserRoleCode::Head);
    // The liaison may not.
    assert_eq!(
        settings::set_chain(&state, &input).unwrap_err().code,
        "not_logged_in"
    );
    // A chain that does not end with the head is refused before anything.
    let upside_down = ChainInput {
        steps: steps.iter().rev().cloned().collect(),
        password: DEMO_PASSWORD.into(),
    };
    assert_eq!(
        settings::set_chain(&state, &upside_down).unwrap_err().code,
        "workflow.invalid_chain"
    );
    // The head, in the local demo: the chain lives on the server.
    auth::login_local(&state, "fgw-head", DEMO_PASSWORD).unwrap();
    let e = settings::set_chain(&state, &input).unwrap_err();
    assert_eq!(e.code, "settings.no_server");
    assert!(e.message.contains("请先连接平台"), "{}", e.message);
    assert!(!settings::get(&state).unwrap().can_edit_chain);
}

#[test]
fn a_head_returns_with_a_comment_only() {
    let (_tmp, state) = demo_state();
    auth::login_local(&state, "fgw-head", DEMO_PASSWORD).unwrap();
    let input = DecideInput {
        assignment_id: "a039-fgw".into(),
        revision_hash: "x".into(),
        approve: false,
        comment: " ".into(),
        password: DEMO_PASSWORD.into(),
    };
    assert_eq!(
        approval::decide(&state, &input).unwrap_err().code,
        "workflow.empty_text"
    );
}

#[test]
fn settings_read_fonts_and_keep_prefix_and_cc() {
    let (tmp, state) = demo_state();
    let s = settings::save(
        &state,
        &crate::dto::SettingsInput {
            doc_prefix: " 宿发改建复 ".into(),
            default_cc: vec!["市政府办公室".into(), " ".into()],
        },
    )
    .unwrap();
    assert_eq!(s.doc_prefix, "宿发改建复");
    assert_eq!(s.default_cc, vec!["市政府办公室".to_string()]);
    assert!(s.accounts.iter().any(|a| a.user_id == "fgw-head"));
    assert!(!s.fonts.is_empty() || s.font_error.is_some());
    let back =
        crate::config::AppConfig::load(tmp.path(), &crate::secrets::NoCredentialStore).unwrap();
    assert_eq!(back.doc_prefix, "宿发改建复");
    // A new template uses the prefix.
    let t = reply::template(&state, "a186-fgw", "A").unwrap();
    assert!(t.doc_number.starts_with("宿发改建复〔"), "{}", t.doc_number);

    let accounts = settings::add_account(
        &state,
        &crate::dto::NewAccount {
            user_id: "fgw-dh".into(),
            name: "赵副主任".into(),
            role: crate::dto::UserRoleCode::DeputyHead,
            password: "long-enough-pw".into(),
        },
    )
    .unwrap();
    assert!(accounts
        .iter()
        .any(|a| a.user_id == "fgw-dh" && a.role_label == "分管领导"));
    let weak = settings::add_account(
        &state,
        &crate::dto::NewAccount {
            user_id: "x".into(),
            name: "某".into(),
            role: crate::dto::UserRoleCode::Head,
            password: "123".into(),
        },
    )
    .unwrap_err();
    assert_eq!(weak.code, "signoff.weak_password");
}

#[test]
fn five_wrong_passwords_lock_and_the_message_says_until_when() {
    let (_tmp, state) = demo_state();
    for _ in 0..5 {
        let _ = auth::login_local(&state, "fgw-head", "bad-password");
    }
    let e = auth::login_local(&state, "fgw-head", DEMO_PASSWORD).unwrap_err();
    assert_eq!(e.code, "signoff.locked");
    assert!(e.message.contains("锁定至"), "{}", e.message);
}

#[test]
fn a_bad_server_address_is_refused_before_anything_changes() {
    let (_tmp, state) = demo_state();
    let e = auth::connect(
        &state,
        &crate::dto::ConnectInput {
            server_url: "dbjy".into(),
            ca_file: None,
            username: "fgw-liaison".into(),
            password: "x".into(),
            allow_plain_http: false,
        },
    )
    .unwrap_err();
    assert_eq!(e.code, "config");
    assert_eq!(auth::status(&state).unwrap().mode, "local");
    let s = sync::status(&state).unwrap();
    assert!(!s.configured);
}

/// Paths from the web view: only those picked in a dialog this run (or in
/// the export folder); the rest is refused before the file is touched.
#[test]
fn paths_from_the_web_view_must_have_been_picked() {
    use crate::picked::PATH_NOT_PICKED;
    let (tmp, state) = demo_state();
    let letter = tmp.path().join("答复函.pdf");
    std::fs::write(&letter, b"%PDF-1.7 not really").unwrap();

    let e = reply::verify_letter(&state, &letter).unwrap_err();
    assert_eq!(e.code, PATH_NOT_PICKED, "{}", e.message);
    let e = reply::open_folder(&state, std::path::Path::new("/etc/passwd")).unwrap_err();
    assert_eq!(e.code, PATH_NOT_PICKED, "{}", e.message);
    let e = reply::open_folder(&state, tmp.path()).unwrap_err();
    assert_eq!(e.code, PATH_NOT_PICKED, "{}", e.message);

    // Picked in the open dialog: read and checked (not a sealed letter).
    state.picked().remember(&letter);
    match reply::verify_letter(&state, &letter) {
        Ok(v) => assert!(!v.path.is_empty()),
        Err(e) => assert_ne!(e.code, PATH_NOT_PICKED, "{}", e.message),
    }

    // A CA certificate typed into the login screen instead of picked.
    let ca = tmp.path().join("ca.pem");
    std::fs::write(&ca, "-----BEGIN CERTIFICATE-----").unwrap();
    let e = auth::connect(
        &state,
        &crate::dto::ConnectInput {
            server_url: "https://dbjy.example.gov.cn".into(),
            ca_file: Some(ca.display().to_string()),
            username: "fgw-liaison".into(),
            password: "x".into(),
            allow_plain_http: false,
        },
    )
    .unwrap_err();
    assert_eq!(e.code, PATH_NOT_PICKED, "{}", e.message);
    assert_eq!(auth::status(&state).unwrap().mode, "local");
}

#[test]
fn files_in_the_export_folder_may_be_named_by_the_web_view() {
    let tmp = tempfile::tempdir().unwrap();
    let exports = tmp.path().join("exports");
    std::fs::create_dir(&exports).unwrap();
    let state = AppState::open(tmp.path().join("data"), &crate::secrets::NoCredentialStore)
        .with_export_dir(Some(exports.clone()));
    let letter = exports.join("答复函.pdf");
    std::fs::write(&letter, b"%PDF-1.7 not really").unwrap();
    if let Err(e) = reply::verify_letter(&state, &letter) {
        assert_ne!(e.code, crate::picked::PATH_NOT_PICKED, "{}", e.message);
    }
    let outside = tmp.path().join("other.pdf");
    std::fs::write(&outside, b"%PDF").unwrap();
    let e = reply::verify_letter(&state, &outside).unwrap_err();
    assert_eq!(e.code, crate::picked::PATH_NOT_PICKED);
}

/// A plain http:// address to another machine is refused until the person
/// confirms it; nothing is saved before.
#[test]
fn plain_http_to_another_machine_needs_a_confirmation() {
    let (_tmp, state) = demo_state();
    let input = crate::dto::ConnectInput {
        server_url: "http://10.20.30.40:8580".into(),
        ca_file: None,
        username: "fgw-liaison".into(),
        password: "x".into(),
        allow_plain_http: false,
    };
    let e = auth::connect(&state, &input).unwrap_err();
    assert_eq!(e.code, crate::config::PLAIN_HTTP);
    assert!(e.message.contains("https://"), "{}", e.message);
    assert_eq!(auth::status(&state).unwrap().mode, "local");
    assert_eq!(state.config().unwrap().server_url, None);
    // Confirmed: the address passes the check and the login is tried (the
    // address answers nothing here, so it fails later, for another reason).
    let confirmed = crate::dto::ConnectInput {
        server_url: "http://127.0.0.1:1".into(),
        ..input
    };
    let e = auth::connect(&state, &confirmed).unwrap_err();
    assert_ne!(e.code, crate::config::PLAIN_HTTP);
}

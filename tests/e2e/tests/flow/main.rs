//! The day's work, end to end, as people do it: the release build of the
//! desktop app under Xvfb, driven through tauri-driver, against a real
//! central server on 127.0.0.1.
//!
//! The office assigns a new suggestion; the liaison signs for it, records a
//! contact, drafts the reply and sends it for approval; the head logs in on
//! the same PC and approves; the liaison exports the sealed PDF (it verifies,
//! on the desktop and with the server's CLI) and sends the reply; the office
//! returns it, and after sync the case shows as returned with the draft
//! intact; the app is killed while the liaison is typing, and after a
//! restart the text is there. Screenshots go to tests/e2e/screenshots/flow/.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jianban_e2e::harness::*;
use jianban_e2e::wait_for;
use jianban_e2e::webdriver::Session;
use serde_json::{json, Value};

const DRIVER_PORT: u16 = 4446;
const DEMO_PASSWORD: &str = "jianban-demo";
const TITLE: &str = "关于增设社区养老服务站的建议";
const SUGGESTION: &str = "2024-s6-3-901";
const ASSIGNMENT: &str = "2024-s6-3-901-zjj";
const WAIT: Duration = Duration::from_secs(30);

fn screenshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots/flow")
}

/// The office, over the server's HTTP API.
struct Office {
    base: String,
    token: String,
    agent: ureq::Agent,
}

impl Office {
    fn login(base: &str) -> Office {
        let agent = ureq::Agent::new_with_defaults();
        let body: Value = agent
            .post(&format!("{base}/v1/auth/login"))
            .header("X-Jianban-Protocol", "1")
            .send_json(json!({"username": "office1", "password": DEMO_PASSWORD,
                "device_id": "e2e-office", "device_name": "办公室"}))
            .expect("office login")
            .body_mut()
            .read_json()
            .unwrap();
        Office {
            base: base.to_string(),
            token: body["access_token"].as_str().unwrap().to_string(),
            agent,
        }
    }

    fn send(&self, path: &str, content_type: &str, body: &[u8]) -> Value {
        let mut resp = self
            .agent
            .post(&format!("{}{path}", self.base))
            .header("X-Jianban-Protocol", "1")
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Content-Type", content_type)
            .config()
            .http_status_as_error(false)
            .build()
            .send(body)
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        assert!(status < 300, "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    fn post(&self, path: &str, body: Value) -> Value {
        self.send(path, "application/json", body.to_string().as_bytes())
    }

    fn get(&self, path: &str) -> Value {
        let mut resp = self
            .agent
            .get(&format!("{}{path}", self.base))
            .header("X-Jianban-Protocol", "1")
            .header("Authorization", &format!("Bearer {}", self.token))
            .call()
            .unwrap();
        resp.body_mut().read_json().unwrap()
    }

    fn state_of(&self, id: &str) -> String {
        let list = self.get(&format!(
            "/v1/office/assignments?suggestion_id={SUGGESTION}"
        ));
        list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["assignment_id"] == id)
            .and_then(|r| r["state"].as_str())
            .unwrap_or_default()
            .to_string()
    }
}

/// A person at the window.
struct User<'s, 'd> {
    s: &'s Session<'d>,
}

impl User<'_, '_> {
    fn find(&self, css: &str) -> String {
        wait_css(self.s, css, WAIT)
            .unwrap_or_else(|| self.fail(&format!("nothing matched {css} within {WAIT:?}")))
            .remove(0)
    }

    /// Fails the test with a picture of what the window showed.
    fn fail(&self, why: &str) -> ! {
        let _ = save_screenshot(self.s, &screenshots(), "failure.png");
        panic!("{why} (see screenshots/flow/failure.png)")
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        // Element Plus renders buttons that are briefly covered by a
        // transition; retry until the click lands.
        let ok = wait_for(WAIT, Duration::from_millis(200), || self.s.click(&e).ok());
        assert!(ok.is_some(), "could not click {css}");
    }

    fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.s.send_keys(&e, text).unwrap();
    }

    fn text(&self, css: &str) -> String {
        let e = self.find(css);
        self.s
            .property(&e, "textContent")
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    fn value(&self, css: &str) -> String {
        let e = self.find(css);
        self.s
            .property(&e, "value")
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    fn wait_text(&self, css: &str, want: &str) -> String {
        wait_for(WAIT, Duration::from_millis(200), || {
            let ids = self.s.find_css(css).ok()?;
            ids.iter().find_map(|e| {
                let t = self.s.property(e, "textContent").ok()?;
                let t = t.as_str()?.to_owned();
                t.contains(want).then_some(t)
            })
        })
        .unwrap_or_else(|| self.fail(&format!("{css} never showed “{want}”")))
    }

    /// Waits for the toast that says `want`; an error toast fails the test
    /// with its text.
    fn expect_message(&self, want: &str) {
        let seen = wait_for(WAIT, Duration::from_millis(100), || {
            for e in self.s.find_css(".el-message").ok()? {
                let t = self.s.property(&e, "textContent").ok()?;
                let t = t.as_str()?.to_owned();
                if t.contains(want) {
                    return Some(Ok(()));
                }
                let class = self.s.attribute(&e, "class").ok()??;
                if class.contains("el-message--error") || class.contains("el-message--warning") {
                    return Some(Err(t));
                }
            }
            None
        });
        match seen {
            Some(Ok(())) => {}
            Some(Err(t)) => self.fail(&format!("expected “{want}”, the app said “{t}”")),
            None => self.fail(&format!("no message “{want}” within {WAIT:?}")),
        }
    }

    fn shot(&self, name: &str) {
        save_screenshot(self.s, &screenshots(), name).expect("a screenshot");
    }

    /// Opens the case from the workbench through the search box.
    fn open_case(&self) {
        self.click(&testid("nav-workbench"));
        let search = self.find(&input("search"));
        // Ctrl+A then typing replaces what an earlier search left, as a
        // person would (WebDriver's clear does not reach Vue's model).
        self.s.send_keys(&search, "\u{E009}a\u{E000}").unwrap();
        self.s.send_keys(&search, "养老服务站").unwrap();
        let row = wait_for(WAIT, Duration::from_millis(200), || {
            let rows = self
                .s
                .find_xpath(&format!(
                    "//*[@data-testid='assignment-title' and contains(., '{TITLE}')]"
                ))
                .ok()?;
            rows.into_iter().next()
        })
        .unwrap_or_else(|| self.fail("the new case is not in the workbench"));
        // A toast may cover the row for a moment.
        wait_for(WAIT, Duration::from_millis(200), || self.s.click(&row).ok())
            .unwrap_or_else(|| self.fail("the case's row could not be clicked"));
        self.find(&testid("suggestion-text"));
    }

    /// Presses 立即同步 and waits until nothing is left to upload.
    fn sync(&self) {
        self.click(&testid("sync-now"));
        self.wait_text(&testid("sync-pending"), "待上传 0 条");
        // One more round so what the server changed meanwhile is pulled.
        self.click(&testid("sync-now"));
        self.wait_text(&testid("sync-pending"), "待上传 0 条");
    }

    /// Calls one of the app's commands the way the UI does.
    fn invoke(&self, command: &str, args: Value) -> Value {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('{command}', {args})
               .then(v => done({{ ok: true, value: v }}), e => done({{ ok: false, error: e }}));"
        );
        self.s.execute_async(&script).unwrap()
    }
}

/// An Element Plus input: the attribute sits on the native element.
fn input(id: &str) -> String {
    format!("input[data-testid=\"{id}\"], [data-testid=\"{id}\"] input")
}

fn textarea(id: &str) -> String {
    format!("textarea[data-testid=\"{id}\"], [data-testid=\"{id}\"] textarea")
}

fn by_label(tag: &str, label: &str) -> String {
    format!("{tag}[aria-label=\"{label}\"]")
}

fn file_in(dir: &Path, ext: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == ext))
}

fn pdf_in(dir: &Path) -> Option<PathBuf> {
    file_in(dir, "pdf")
}

fn run(cmd: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} could not run: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() || cmd == "pdfsig",
        "{cmd} {args:?}: {text}"
    );
    text
}

/// What poppler's `pdfsig` says of `pdf` once the recipient trusts the
/// certificate file the unit handed out (a throwaway NSS database). pdfsig
/// exits 0 even for a bad signature, so the caller reads the text.
fn pdfsig_trusting(certificate: &Path, pdf: &Path) -> String {
    let nss = tempfile::tempdir().unwrap();
    let n = nss.path().to_str().unwrap();
    run("certutil", &["-N", "--empty-password", "-d", n]);
    run(
        "certutil",
        &[
            "-A",
            "-n",
            "unit",
            "-t",
            "CT,C,C",
            "-a",
            "-i",
            certificate.to_str().unwrap(),
            "-d",
            n,
        ],
    );
    run("pdfsig", &["-nssdir", n, pdf.to_str().unwrap()])
}

/// The tests of this file take turns: each runs an app on its own virtual
/// display, and two WebKit apps at once on a small CI machine would make
/// every wait a race.
static ONE_APP_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_app_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_APP_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[test]
fn a_reply_from_receipt_to_return_and_a_crash_while_typing() {
    let _turn = one_app_at_a_time();
    let server = DemoServer::start().expect("the central server starts");
    let office = Office::login(&server.url);
    let csv = format!("建议号,标题,领衔代表\n901,{TITLE},张建国\n");
    office.send(
        "/v1/office/import?session_id=2024-s6-3",
        "text/csv",
        csv.as_bytes(),
    );
    let today = chrono::Local::now().date_naive().to_string();
    office.post(
        "/v1/office/assign",
        json!({"assigned_on": today, "items": [{"suggestion_id": SUGGESTION,
            "units": [{"unit_id": "zjj", "role": "split"}]}]}),
    );

    let data_dir = tempfile::Builder::new()
        .prefix("jianban-e2e-app-")
        .tempdir()
        .unwrap();
    let export_dir = tempfile::Builder::new()
        .prefix("jianban-e2e-export-")
        .tempdir()
        .unwrap();
    let driver = Driver::start(
        DRIVER_PORT,
        &[
            ("JIANBAN_DATA_DIR", data_dir.path().as_os_str()),
            ("JIANBAN_SERVER_URL", OsStr::new(&server.url)),
            ("JIANBAN_DEMO_LOGIN", OsStr::new("zjj-liaison")),
            ("JIANBAN_DEMO_PASSWORD", OsStr::new(DEMO_PASSWORD)),
            ("JIANBAN_DEMO_HEAD", OsStr::new("zjj-head")),
            ("JIANBAN_EXPORT_DIR", export_dir.path().as_os_str()),
        ],
    )
    .expect("tauri-driver on a virtual display");
    let wd = driver.webdriver();

    let typed_before_crash;
    {
        let session = open_app(&wd);
        let me = User { s: &session };

        // 工作台 after the first sync.
        let count = wait_for(Duration::from_secs(90), Duration::from_millis(250), || {
            let n: u32 = me.text(&testid("assignment-count")).trim().parse().ok()?;
            (n > 0).then_some(n)
        })
        .expect("the first sync fills the workbench");
        assert!(count >= 5, "zjj has several cases, saw {count}");
        me.wait_text(&testid("current-user"), "联络员");
        me.shot("01-workbench.png");

        // 签收, then a contact with the deputy.
        me.open_case();
        me.wait_text(&testid("timeline"), "收到交办");
        me.find(&testid("detail-deadline"));
        me.shot("02-detail.png");
        me.click(&testid("action-receive"));
        // The toolbar changes when 签收 answers; act on what it offers then.
        me.wait_text(&testid("timeline"), "签收 ·");
        me.click(&testid("action-contact"));
        me.type_into(
            &by_label("input", "参与人员"),
            "张建国代表；王晓梅（联络员）",
        );
        me.type_into(
            &by_label("textarea", "沟通内容"),
            "电话联系张建国代表，听取对社区养老服务站选址和运营的意见。",
        );
        me.click(&testid("contact-save"));

        // 起草答复 from the A template, plus a sentence of our own.
        me.click(&testid("action-edit"));
        me.click(&testid("template-A"));
        wait_for(WAIT, Duration::from_millis(200), || {
            (!me.value(&textarea("body")).is_empty()).then_some(())
        })
        .expect("the template fills the body");
        // The template's 【…】 prompts block the reply until replaced; the
        // liaison writes the body over them.
        me.wait_text(&testid("editor-blockers"), "模板提示");
        let body = me.find(&textarea("body"));
        session.send_keys(&body, "\u{E009}a\u{E000}").unwrap();
        session
            .send_keys(
                &body,
                "您提出的《关于增设社区养老服务站的建议》收悉。经认真研究，现答复如下：\n\
                 一、基本情况\n目前全市已建成社区养老服务站十二处。\n\
                 二、办理情况\n我局将在年内新建社区养老服务站三处。\n\
                 衷心感谢您对我们工作的关心和支持。",
            )
            .unwrap();
        if me.value(&by_label("input", "联系人")).is_empty() {
            me.type_into(&by_label("input", "联系人"), "王晓梅");
        }
        if me.value(&by_label("input", "联系电话")).is_empty() {
            me.type_into(&by_label("input", "联系电话"), "0557-3010006");
        }
        let saved = wait_for(WAIT, Duration::from_millis(200), || {
            let e = session.find_css(&testid("save-state")).ok()?.pop()?;
            (session.attribute(&e, "data-state").ok()?? == "saved").then_some(())
        });
        assert!(saved.is_some(), "autosave never reported 已保存");
        me.shot("03-editor.png");
        assert!(
            session
                .find_css(&testid("editor-blockers"))
                .unwrap()
                .is_empty(),
            "the reply still lists reasons it cannot be sent: {}",
            me.text(&testid("editor-blockers"))
        );
        me.click(&testid("editor-submit"));
        me.expect_message("已报送审核");

        // The head logs in on this PC and signs off.
        me.click(&testid("nav-approval"));
        me.type_into(&input("approver-user"), "zjj-head");
        me.type_into(&input("approver-password"), DEMO_PASSWORD);
        me.click(&testid("approver-login"));
        me.click(&by_label("button", "审核第901号"));
        me.type_into(&input("decide-password"), DEMO_PASSWORD);
        me.shot("04-approval.png");
        me.click(&testid("approve"));
        me.find(&testid("decided"));
        me.wait_text(&testid("decision-history"), "同意");

        // The sealed PDF, once the platform holds the sign-off: exported,
        // and verified on this PC.
        me.sync();
        me.open_case();
        me.wait_text("body", "已签发");
        me.click(&testid("action-export-pdf"));
        let pdf = wait_for(WAIT, Duration::from_millis(200), || {
            pdf_in(export_dir.path())
        })
        .expect("the sealed PDF in the export folder");
        let name = pdf.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("第901号建议答复-") && !name.contains("草稿"),
            "{name}"
        );
        let local = me.invoke("verify_letter", json!({ "path": pdf }));
        assert_eq!(local["ok"], true, "{local}");
        assert_eq!(local["value"]["verdict"], "valid", "{local}");

        // Sent, and synced to the server, whose CLI verifies the same file.
        me.click(&testid("action-submit"));
        me.wait_text("body", "已答复");
        me.sync();
        let out = server.cli(&["verify", pdf.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "the server does not accept the sealed letter: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(office.state_of(ASSIGNMENT), "submitted");

        // One byte changed: both verifiers say so.
        let mut bytes = std::fs::read(&pdf).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x01;
        let tampered = export_dir.path().join("tampered.pdf");
        std::fs::write(&tampered, &bytes).unwrap();
        let local = me.invoke("verify_letter", json!({ "path": tampered }));
        assert_eq!(local["value"]["verdict"], "tampered", "{local}");
        let out = server.cli(&["verify", tampered.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "tampered letter exit status");

        // 设置: the unit certificate handed to recipients; with it trusted,
        // poppler sees a valid signature from a trusted signer.
        me.click(&testid("nav-settings"));
        me.click(&testid("export-certificate"));
        me.expect_message("签章证书已导出");
        let cer = file_in(export_dir.path(), "cer").expect("the certificate file");
        let sig = pdfsig_trusting(&cer, &pdf);
        assert!(
            sig.contains("Signature Validation: Signature is Valid."),
            "pdfsig: {sig}"
        );
        assert!(
            sig.contains("Certificate Validation: Certificate is Trusted."),
            "pdfsig: {sig}"
        );
        let sig = pdfsig_trusting(&cer, &tampered);
        assert!(
            !sig.contains("Signature Validation: Signature is Valid."),
            "pdfsig accepts the tampered letter: {sig}"
        );

        // The head, still logged in here, adds a deputy head's review
        // before the sign-off; the server takes it for the unit.
        me.click(&testid("edit-chain"));
        me.click(&testid("add-step"));
        me.type_into(&input("chain-password"), DEMO_PASSWORD);
        me.shot("05-approval-chain.png");
        me.click(&testid("save-chain"));
        me.expect_message("审核流程已更新");
        me.wait_text(&testid("approval-chain"), "分管领导审核");
        let chain = office.get("/v1/units/zjj/approval-chain");
        let titles: Vec<&str> = chain["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["title"].as_str())
            .collect();
        assert_eq!(titles, ["分管领导审核", "主要负责人审核签发"], "{chain}");

        // The office returns it; after sync the case is back with its draft.
        office.post(
            &format!("/v1/office/assignments/{ASSIGNMENT}/return"),
            json!({"reasons": "请补充养老服务站的建设进度和资金安排"}),
        );
        me.sync();
        me.click(&testid("nav-notices"));
        me.wait_text(&testid("notice"), "退回");
        me.shot("06-notices.png");
        me.open_case();
        me.wait_text("body", "退回重办");
        me.click(&testid("action-edit"));
        let body = me.value(&textarea("body"));
        assert!(
            body.contains("我局将在年内新建社区养老服务站三处。"),
            "the draft was not kept after the return: {body}"
        );
        me.shot("07-returned.png");

        // Killed while typing: the last words were typed a moment ago.
        me.type_into(&textarea("body"), "补充：资金已列入年度预算。");
        typed_before_crash = "补充：资金已列入年度预算。";
        std::thread::sleep(Duration::from_millis(1500));
        let app = app_binary();
        let pids = app_pids(&app);
        assert!(!pids.is_empty(), "the app process is not running");
        for pid in pids {
            // SAFETY: kill(2) on a process of our own test run.
            unsafe {
                libc::kill(pid as i32, libc::SIGKILL);
            }
        }
        wait_for(WAIT, Duration::from_millis(100), || {
            app_pids(&app).is_empty().then_some(())
        })
        .expect("the app died");
        // The driver still counts the dead session; ending it frees the
        // slot for the restart (its answer about the dead app is moot).
        let _ = session.close();
    }

    // Restart: the text is there.
    let session = open_app(&wd);
    let me = User { s: &session };
    me.find(&testid("assignment-count"));
    me.open_case();
    me.click(&testid("action-edit"));
    if !session.find_css(&testid("recovered")).unwrap().is_empty() {
        me.click(&by_label("button", "恢复未保存的内容"));
    }
    let body = wait_for(WAIT, Duration::from_millis(200), || {
        let b = me.value(&textarea("body"));
        b.contains(typed_before_crash).then_some(b)
    });
    assert!(
        body.is_some(),
        "text typed before the crash was lost: {}",
        me.value(&textarea("body"))
    );
    me.shot("08-after-restart.png");
    me.click(&testid("nav-settings"));
    me.wait_text(&testid("approval-chain"), "分管领导审核");
    me.shot("09-settings.png");

    // The unit's figures and the draft of its report, from the same store.
    me.click(&testid("nav-statistics"));
    me.wait_text(&testid("kpi-total"), "件次");
    let report_css = textarea("report-text");
    let report = wait_for(WAIT, Duration::from_millis(200), || {
        let r = me.value(&report_css);
        r.contains("建议").then_some(r)
    });
    assert!(
        report.is_some(),
        "no report draft: {}",
        me.value(&report_css)
    );
    me.shot("10-statistics.png");
    session.close().unwrap();
}

/// The office resets the liaison's password: the app logs in, asks for a
/// new password before anything syncs, and syncs once it is changed; the
/// platform then takes the new password and not the temporary one.
#[test]
fn a_password_the_office_reset_is_changed_before_sync() {
    let _turn = one_app_at_a_time();
    const TEMPORARY: &str = "office-temp-2026";
    const CHOSEN: &str = "zjj-new-password";
    let server = DemoServer::start().expect("the central server starts");
    let office = Office::login(&server.url);
    office.post(
        "/v1/office/users/zjj-liaison/reset-password",
        json!({"password": TEMPORARY}),
    );

    let data_dir = tempfile::Builder::new()
        .prefix("jianban-e2e-app-")
        .tempdir()
        .unwrap();
    let driver = Driver::start(
        DRIVER_PORT,
        &[
            ("JIANBAN_DATA_DIR", data_dir.path().as_os_str()),
            ("JIANBAN_SERVER_URL", OsStr::new(&server.url)),
            ("JIANBAN_DEMO_LOGIN", OsStr::new("zjj-liaison")),
            ("JIANBAN_DEMO_PASSWORD", OsStr::new(TEMPORARY)),
        ],
    )
    .expect("tauri-driver on a virtual display");
    let wd = driver.webdriver();
    let session = open_app(&wd);
    let me = User { s: &session };

    // The form cannot be closed; nothing has synced.
    me.wait_text(&testid("password-forced"), "办公室重置了您的平台密码");
    assert!(
        session
            .find_css(".el-dialog__headerbtn")
            .unwrap_or_default()
            .is_empty(),
        "the forced form has no close button"
    );
    me.wait_text(&testid("status-bar"), "请先修改密码");

    // Two different new passwords: said at once, the button stays off.
    me.type_into(&input("password-old"), TEMPORARY);
    me.type_into(&input("password-new"), CHOSEN);
    me.type_into(&input("password-again"), "zjj-typo-password");
    me.wait_text(&testid("password-problem"), "两次输入的新密码不一致");
    let submit = me.find(&testid("password-submit"));
    assert_eq!(
        session.property(&submit, "disabled").ok(),
        Some(Value::Bool(true)),
        "the button is off while the passwords differ"
    );

    // Ctrl+A then typing, as a person would (WebDriver's clear does not
    // reach Vue's model).
    me.type_into(&input("password-again"), "\u{E009}a\u{E000}");
    me.type_into(&input("password-again"), CHOSEN);
    me.click(&testid("password-submit"));
    me.expect_message("密码已修改");

    // Sync runs with the new password and fills the workbench.
    let count = wait_for(Duration::from_secs(90), Duration::from_millis(250), || {
        let n: u32 = me.text(&testid("assignment-count")).trim().parse().ok()?;
        (n > 0).then_some(n)
    })
    .unwrap_or_else(|| me.fail("the first sync after the change fills the workbench"));
    assert!(count >= 5, "zjj has several cases, saw {count}");
    assert!(
        session
            .find_css(&testid("password-forced"))
            .unwrap_or_default()
            .is_empty(),
        "the form is gone"
    );
    me.shot("password-synced.png");

    // The platform took the new password, and no longer the temporary one.
    let login = |password: &str| {
        ureq::Agent::new_with_defaults()
            .post(&format!("{}/v1/auth/login", server.url))
            .header("X-Jianban-Protocol", "1")
            .config()
            .http_status_as_error(false)
            .build()
            .send_json(json!({"username": "zjj-liaison", "password": password,
                "device_id": "e2e-check", "device_name": "核对"}))
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(login(TEMPORARY), 401);
    assert_eq!(login(CHOSEN), 200);
}

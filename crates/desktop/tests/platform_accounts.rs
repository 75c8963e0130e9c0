//! A PC connected to the central platform adds local accounts only as the
//! platform confirms them: nobody at a PC can make a head of their own.
//! Against the real server (`jianban-server serve --demo`) on 127.0.0.1.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jianban_desktop::api::{auth, settings};
use jianban_desktop::dto::{ConnectInput, NewAccount, UserRoleCode};
use jianban_desktop::state::{AppState, DEMO_PASSWORD};

/// The demo server, killed on drop.
struct Server {
    url: String,
    child: Child,
    _data: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        // `cargo test --workspace` builds the server binary beside this test.
        let exe = std::env::current_exe().unwrap();
        let bin: PathBuf = exe
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .join("jianban-server");
        assert!(
            bin.exists(),
            "{} is missing: cargo build -p jianban-server, or run scripts/test-all.sh",
            bin.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let data = tempfile::tempdir().unwrap();
        let child = Command::new(bin)
            .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(data.path())
            .env("JIANBAN_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Server {
            url,
            child,
            _data: data,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn account(user_id: &str, name: &str, role: UserRoleCode, password: &str) -> NewAccount {
    NewAccount {
        user_id: user_id.into(),
        name: name.into(),
        role,
        password: password.into(),
    }
}

#[test]
fn accounts_on_a_connected_pc_are_the_platforms() {
    let mut server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::open(
        dir.path().to_path_buf(),
        &jianban_desktop::secrets::NoCredentialStore,
    );
    auth::connect(
        &state,
        &ConnectInput {
            server_url: server.url.clone(),
            ca_file: None,
            username: "zjj-liaison".into(),
            password: DEMO_PASSWORD.into(),
            allow_plain_http: false,
        },
    )
    .unwrap();

    // The form says head and a made-up name; the platform's account says
    // who this is, and that is what the PC keeps.
    let accounts = settings::add_account(
        &state,
        &account(
            "zjj-head",
            "随便写的名字",
            UserRoleCode::Liaison,
            DEMO_PASSWORD,
        ),
    )
    .unwrap();
    let head = accounts.iter().find(|a| a.user_id == "zjj-head").unwrap();
    assert_eq!(head.role_label, "主要负责人");
    assert_ne!(head.name, "随便写的名字");

    // A name the platform does not know, or the wrong password: refused.
    let made_up = settings::add_account(
        &state,
        &account("fake-head", "假局长", UserRoleCode::Head, "a-long-password"),
    )
    .unwrap_err();
    assert_eq!(made_up.code, "auth.invalid_credentials", "{made_up:?}");
    let wrong = settings::add_account(
        &state,
        &account("zjj-head", "", UserRoleCode::Head, "not-the-password"),
    )
    .unwrap_err();
    assert_eq!(wrong.code, "auth.invalid_credentials", "{wrong:?}");

    // Another unit's head is not this unit's.
    let other = settings::add_account(
        &state,
        &account("fgw-head", "", UserRoleCode::Head, DEMO_PASSWORD),
    )
    .unwrap_err();
    assert_eq!(other.code, "account.other_unit");
    assert!(
        other.message.contains("不是本单位的账号"),
        "{}",
        other.message
    );

    // The office's staff are nobody's unit account.
    let office = settings::add_account(
        &state,
        &account("office1", "", UserRoleCode::Head, DEMO_PASSWORD),
    )
    .unwrap_err();
    assert_eq!(office.code, "account.not_unit_staff");

    // Without the platform nothing is added, and the PC says why.
    let _ = server.child.kill();
    let _ = server.child.wait();
    let offline = settings::add_account(
        &state,
        &account("zjj-dh", "", UserRoleCode::DeputyHead, DEMO_PASSWORD),
    )
    .unwrap_err();
    assert_eq!(offline.code, "account.needs_platform");
    let settings_now = settings::get(&state).unwrap();
    assert!(!settings_now
        .accounts
        .iter()
        .any(|a| a.user_id == "fake-head"
            || a.user_id == "fgw-head"
            || a.user_id == "office1"
            || a.user_id == "zjj-dh"));
}

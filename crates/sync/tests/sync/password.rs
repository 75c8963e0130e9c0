//! After the office resets a password, the client is told at login, every
//! request but the change is refused, and `change_password` reopens them.
//! A revoked PC hears why in the server's words.

use super::*;

#[test]
fn a_reset_password_is_changed_through_the_client() {
    let server = ServerProcess::demo();
    let office =
        ServerClient::new(ServerConfig::new(server.url()), "office-pc", "办公室", None).unwrap();
    office.login("office1", DEMO_PASSWORD).unwrap();
    let account: jianban_protocol::UserAccount = office
        .post(
            "/v1/office/users/zjj-liaison/reset-password",
            &jianban_protocol::ResetPasswordRequest {
                password: "临时密码2024".into(),
            },
        )
        .unwrap();
    assert!(account.must_change_password);

    let client = ServerClient::new(
        ServerConfig::new(server.url()),
        "zjj-pc",
        "张家界的电脑",
        Some(Credentials::Password {
            username: "zjj-liaison".into(),
            password: "临时密码2024".into(),
        }),
    )
    .unwrap();
    let answer = client.login("zjj-liaison", "临时密码2024").unwrap();
    assert!(answer.user.must_change_password);
    match client.changes(0, 10) {
        Err(e @ SyncError::AccessRefused { .. }) => {
            assert_eq!(e.code(), "auth.must_change_password");
            assert!(e.to_string().contains("修改密码"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    let user = client
        .change_password("临时密码2024", "新密码zjj2024")
        .unwrap();
    assert!(!user.must_change_password);
    assert_eq!(user.id, "zjj-liaison");
    client.changes(0, 10).unwrap();

    let again = ServerClient::new(
        ServerConfig::new(server.url()),
        "zjj-pc",
        "张家界的电脑",
        None,
    )
    .unwrap();
    let answer = again.login("zjj-liaison", "新密码zjj2024").unwrap();
    assert!(!answer.user.must_change_password);

    // The old password is refused in the server's own words (not "your
    // login expired, log in again"), and is not retried.
    match again.login("zjj-liaison", "临时密码2024") {
        Err(e @ SyncError::AccessRefused { .. }) => {
            assert_eq!(e.code(), "auth.invalid_credentials");
            assert!(!e.is_retryable());
            assert!(e.to_string().contains("密码"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_revoked_pc_is_told_why() {
    let server = ServerProcess::demo();
    let office =
        ServerClient::new(ServerConfig::new(server.url()), "office-pc", "办公室", None).unwrap();
    office.login("office1", DEMO_PASSWORD).unwrap();
    let client = ServerClient::new(
        ServerConfig::new(server.url()),
        "zjj-old-pc",
        "旧电脑",
        Some(Credentials::Password {
            username: "zjj-liaison".into(),
            password: DEMO_PASSWORD.into(),
        }),
    )
    .unwrap();
    client.changes(0, 10).unwrap();
    let _: jianban_protocol::DeviceInfo = office
        .post(
            "/v1/office/devices/zjj-old-pc/revoke",
            &serde_json::json!({}),
        )
        .unwrap();
    // Not "log in again" (it used to be NeedsLogin, and logging in again
    // could not help): the server's words, not retried.
    let e = client.changes(0, 10).unwrap_err();
    assert_eq!(e.code(), "auth.device_revoked", "{e:?}");
    assert!(e.to_string().contains("注销"), "{e}");
    assert!(!e.is_retryable());
}

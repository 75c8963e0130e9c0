//! After the office resets a password, the client is told at login, every
//! request but the change is refused, and `change_password` reopens them.

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
        Err(SyncError::Server { status, code, .. }) => {
            assert_eq!((status, code.as_str()), (403, "auth.must_change_password"))
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
}

//! A PC's device id belongs to the user who first logged in with it: a
//! second user logging in from the same store is told, in the server's
//! words, to ask the office to move the device, and the client does not
//! treat it as a passing fault.

use super::*;

#[test]
fn a_second_user_on_the_same_device_is_told_to_ask_the_office() {
    let server = ServerProcess::demo();
    let first = ServerClient::new(
        ServerConfig::new(server.url()),
        "shared-pc",
        "科室电脑",
        None,
    )
    .unwrap();
    first.login("zjj-liaison", DEMO_PASSWORD).unwrap();
    let second = ServerClient::new(
        ServerConfig::new(server.url()),
        "shared-pc",
        "科室电脑",
        None,
    )
    .unwrap();
    match second.login("zjj-head", DEMO_PASSWORD) {
        Err(e @ SyncError::DeviceTaken(_)) => {
            assert_eq!(e.code(), "auth.device_taken");
            assert!(!e.is_retryable());
            let message = e.to_string();
            assert!(message.contains("办公室"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

//! The server dies (SIGKILL) after it committed a push and before the
//! client read the answer; after a restart the resent batch is deduplicated.

use jianban_domain::Action;

use crate::both;
use crate::harness::*;

fn killed_after_commit_then_resent(backend: &Backend) {
    let mut server = Server::start_with(backend, true, &[]);
    let c = server.login("zjj-liaison");
    let id = "a006-zjj";
    let version = c.snapshot(id)["version"].as_u64().unwrap();
    let batch = vec![action(1, id, &Action::Receive), contact(2, id)];

    // The fault seam kills the process with SIGKILL right after the commit.
    server.restart(&[("JIANBAN_FAULT_KILL_AFTER_PUSH_COMMIT", "1")]);
    let mut c = c;
    c.set_base(&server.base);
    let lost = c.push(&batch);
    assert_eq!(lost.status, 0, "the answer never arrives: {}", lost.body);
    server.wait_exit();

    server.restart(&[]);
    c.set_base(&server.base);
    // Access tokens survive the restart (the signing key is in the database).
    let resent = c.push(&batch);
    assert_eq!(resent.status, 200, "{}", resent.body);
    assert_eq!(statuses(&resent), ["duplicate", "duplicate"]);
    assert_eq!(resent.body["last_seq"], 2);
    let snap = c.snapshot(id);
    assert_eq!(snap["case"]["state"], "received");
    assert_eq!(snap["case"]["contact_count"], 1);
    assert_eq!(snap["version"].as_u64().unwrap(), version + 2);
    // And the queue goes on from there.
    let next = c.push(&[contact(3, id)]);
    assert_eq!(statuses(&next), ["applied"]);
}
both!(killed_after_commit_then_resent);

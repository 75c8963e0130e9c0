//! A desktop restored from a backup numbers its outbox again from where the
//! backup stood. The server refuses the reused numbers (they came with
//! other commands), the desktop registers as a new device and sends its
//! pending commands again: every command typed after the restore reaches
//! the server, none is acknowledged and dropped.

use std::path::Path;

use super::*;

const STORE_FILES: [&str; 3] = [
    "jianban.sqlite3",
    "jianban.sqlite3-wal",
    "jianban.sqlite3-shm",
];

/// Copies the store's files (the database and its WAL, as a file backup of
/// a closed store would) from `from` to `to`, removing those `from` lacks.
fn copy_store(from: &Path, to: &Path) {
    for name in STORE_FILES {
        let (src, dst) = (from.join(name), to.join(name));
        if src.exists() {
            std::fs::copy(&src, &dst).unwrap();
        } else if dst.exists() {
            std::fs::remove_file(&dst).unwrap();
        }
    }
}

/// Closes the desktop's store and gives its data directory back.
fn close(d: Desktop) -> tempfile::TempDir {
    let Desktop { engine, dir, .. } = d;
    drop(engine);
    dir
}

/// Records one contact with a summary nobody else writes.
fn contact(d: &mut Desktop, id: &str, summary: &str) {
    let actor = d.actor();
    let now = chrono::Local::now().naive_local();
    d.store()
        .record_contact(
            id,
            &jianban_store::ContactInput {
                mode: ContactMode::Phone,
                date: now.date(),
                people: "代表".into(),
                summary: summary.into(),
            },
            &actor,
            now,
        )
        .unwrap();
}

/// The contact summaries of `id` as the server has them (through the
/// office's feed).
fn server_summaries(office: &mut Desktop, id: &str) -> Vec<String> {
    office.sync_until_ok(2).unwrap();
    office
        .store()
        .contacts(id)
        .unwrap()
        .into_iter()
        .map(|c| c.summary)
        .collect()
}

#[test]
fn a_desktop_restored_from_a_backup_loses_no_command() {
    let server = ServerProcess::demo();
    let mut unit = Desktop::new(&server.url(), "zjj-liaison");
    unit.sync_until_ok(2).unwrap();
    let id = unit
        .cases()
        .into_iter()
        .find(|(_, c)| c.state.draft_editable())
        .map(|(id, _)| id)
        .expect("a zjj case open for editing in the demo data");

    contact(&mut unit, &id, "备份前的沟通");
    unit.sync_until_ok(2).unwrap();
    let old_device = unit.store().device_id().unwrap();

    // The backup, taken with the store closed.
    let backup = tempfile::tempdir().unwrap();
    let dir = close(unit);
    copy_store(dir.path(), backup.path());

    // Work after the backup reaches the server under numbers 2 and 3.
    let mut unit = Desktop::open(dir, &server.url(), "zjj-liaison");
    contact(&mut unit, &id, "备份后的沟通一");
    contact(&mut unit, &id, "备份后的沟通二");
    unit.sync_until_ok(2).unwrap();

    // The disk fails; the backup is restored and the liaison keeps working.
    let dir = close(unit);
    copy_store(backup.path(), dir.path());
    let mut unit = Desktop::open(dir, &server.url(), "zjj-liaison");
    assert_eq!(unit.store().device_id().unwrap(), old_device);
    let typed = ["恢复后的沟通一", "恢复后的沟通二", "恢复后的沟通三"];
    for summary in typed {
        contact(&mut unit, &id, summary);
    }
    unit.sync_until_ok(2).unwrap();

    // The server refused the reused numbers once: the store is a new device.
    let new_device = unit.store().device_id().unwrap();
    assert_ne!(new_device, old_device, "the desktop did not re-register");
    assert_eq!(unit.store().outbox_pending_count().unwrap(), 0);

    let mut office = Desktop::new(&server.url(), "office1");
    let on_server = server_summaries(&mut office, &id);
    for summary in typed
        .iter()
        .chain(&["备份前的沟通", "备份后的沟通一", "备份后的沟通二"])
    {
        assert_eq!(
            on_server.iter().filter(|s| s == summary).count(),
            1,
            "{summary:?} should be on the server once: {on_server:?}"
        );
    }
    // A second round finds nothing to send and no refusal.
    let again = unit.engine.sync_once().unwrap();
    assert_eq!(again.pushed, 0);
    assert_eq!(unit.store().device_id().unwrap(), new_device);
    // The restored desktop learns the work done after the backup, too.
    let local: Vec<String> = unit
        .store()
        .contacts(&id)
        .unwrap()
        .into_iter()
        .map(|c| c.summary)
        .collect();
    assert!(local.iter().any(|s| s == "备份后的沟通二"), "{local:?}");
}

/// A pending command from before the backup that the server took before
/// the restore is resent under the new device and answered as a duplicate
/// by its id: applied once, not twice.
#[test]
fn a_command_delivered_before_the_restore_is_not_applied_twice() {
    let server = ServerProcess::demo();
    let mut unit = Desktop::new(&server.url(), "zjj-liaison");
    unit.sync_until_ok(2).unwrap();
    let id = unit
        .cases()
        .into_iter()
        .find(|(_, c)| c.state.draft_editable())
        .map(|(id, _)| id)
        .expect("a zjj case open for editing in the demo data");
    // Typed while offline, backed up, then delivered.
    contact(&mut unit, &id, "备份时尚未上传的沟通");
    let backup = tempfile::tempdir().unwrap();
    let dir = close(unit);
    copy_store(dir.path(), backup.path());
    let mut unit = Desktop::open(dir, &server.url(), "zjj-liaison");
    contact(&mut unit, &id, "备份后的沟通");
    unit.sync_until_ok(2).unwrap();

    let dir = close(unit);
    copy_store(backup.path(), dir.path());
    let mut unit = Desktop::open(dir, &server.url(), "zjj-liaison");
    contact(&mut unit, &id, "恢复后的沟通");
    unit.sync_until_ok(2).unwrap();
    assert_eq!(unit.store().outbox_pending_count().unwrap(), 0);

    let mut office = Desktop::new(&server.url(), "office1");
    let on_server = server_summaries(&mut office, &id);
    for summary in ["备份时尚未上传的沟通", "备份后的沟通", "恢复后的沟通"] {
        assert_eq!(
            on_server.iter().filter(|s| *s == summary).count(),
            1,
            "{summary:?} should be on the server once: {on_server:?}"
        );
    }
}

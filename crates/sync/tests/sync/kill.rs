//! The desktop killed with SIGKILL mid-push and mid-pull, again and again.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use super::*;

#[test]
fn a_client_killed_mid_sync_loses_nothing_and_converges() {
    let server = ServerProcess::demo();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jianban.sqlite3");
    let mut committed: Vec<(String, u32, String)> = Vec::new();
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("client kill test seed: {seed}");
    for _ in 0..25 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_jianban-sync-child"))
            .arg(&db)
            .arg(server.url())
            .arg("zjj-liaison")
            .arg(DEMO_PASSWORD)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<_>>()
        });
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(50 + seed % 400));
        child.kill().unwrap();
        child.wait().unwrap();
        for line in reader.join().unwrap() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(parts[0], "committed", "{line}");
            committed.push((parts[1].into(), parts[2].parse().unwrap(), parts[3].into()));
        }
    }
    assert!(
        !committed.is_empty(),
        "the child never got to save anything"
    );
    let mut unit = Desktop::open(dir, &server.url(), "zjj-liaison");
    unit.store().check_integrity().unwrap();
    for (id, number, hash) in &committed {
        let r = unit
            .store()
            .revision(id, *number)
            .unwrap_or_else(|e| panic!("{id} #{number} lost: {e}"));
        assert_eq!(&r.hash.0, hash);
    }
    unit.sync_until_ok(3).unwrap();
    let mut office = Desktop::new(&server.url(), "office1");
    office.sync_until_ok(2).unwrap();
    assert_converged(&mut unit, &mut office);
}

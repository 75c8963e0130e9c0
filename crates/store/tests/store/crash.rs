//! Crash test: a child process saves revisions and reports each commit; we
//! kill it with SIGKILL at random moments, 200 times, then check that every
//! reported revision is present and the database is intact.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use super::*;

/// xorshift64*: enough randomness for kill timing, and the seed is printed
/// so a failing run can be replayed with JIANBAN_CRASH_SEED.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn revisions_reported_as_saved_survive_sigkill() {
    let t = demo_store();
    let path = t.path();
    drop(t.store);
    let seed = std::env::var("JIANBAN_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("crash test seed: {seed} (replay with JIANBAN_CRASH_SEED={seed})");
    let mut rng = Rng(seed);
    let child_bin = env!("CARGO_BIN_EXE_jianban-store-crash-child");
    let mut reported: Vec<(u32, String)> = Vec::new();
    let kills = 200;
    for round in 0..kills {
        let mut child = Command::new(child_bin)
            .arg(&path)
            .arg("a196-zjj")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<String>>()
        });
        // Most rounds die mid-save; a few die during start-up.
        let wait = Duration::from_micros(rng.next() % 40_000);
        let started = Instant::now();
        while started.elapsed() < wait {
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
                panic!("round {round}: child exited by itself ({status}): {err}");
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        for line in reader.join().unwrap() {
            let mut parts = line.split_whitespace();
            assert_eq!(parts.next(), Some("committed"), "{line}");
            let n: u32 = parts.next().unwrap().parse().unwrap();
            reported.push((n, parts.next().unwrap().to_string()));
        }
    }
    assert!(
        reported.len() > kills,
        "too few saves to mean anything: {}",
        reported.len()
    );
    let store = Store::open(&path).unwrap();
    store.check_integrity().unwrap();
    let history = store.revisions("a196-zjj").unwrap();
    for (n, hash) in &reported {
        let rev = history
            .iter()
            .find(|r| r.number == *n)
            .unwrap_or_else(|| panic!("revision {n} was reported committed but is missing"));
        assert_eq!(&rev.hash.0, hash, "revision {n}");
    }
    // Numbers run without gaps: no half-written revision in between.
    for (i, r) in history.iter().enumerate() {
        assert_eq!(r.number as usize, i + 1);
    }
    // Every revision's content still hashes to its recorded hash.
    for r in history.iter().step_by(25) {
        let full = store.revision("a196-zjj", r.number).unwrap();
        assert_eq!(full.content.content_hash(), r.hash);
    }
}

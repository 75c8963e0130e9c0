//! The central server as a real process on 127.0.0.1.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct ServerProcess {
    pub port: u16,
    pub data_dir: tempfile::TempDir,
    child: Option<Child>,
}

/// The server binary `cargo test --workspace` builds beside this test.
fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir.join("jianban-server");
    assert!(
        bin.exists(),
        "{} is missing: build it first (cargo build -p jianban-server) or run scripts/test-all.sh",
        bin.display()
    );
    bin
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl ServerProcess {
    /// A server with the demo data set loaded.
    pub fn demo() -> ServerProcess {
        let mut s = ServerProcess {
            port: free_port(),
            data_dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        s.start();
        s
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn start(&mut self) {
        let child = Command::new(binary())
            .args(["serve", "--demo", "--listen"])
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .env("JIANBAN_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let started = Instant::now();
        loop {
            if let Ok(r) = ureq::get(&format!("{}/healthz", self.url())).call() {
                if r.status() == 200 {
                    return;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL: no graceful shutdown, as when the machine loses power.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn restart(&mut self) {
        self.kill();
        self.start();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

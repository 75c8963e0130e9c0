//! A TCP proxy between client and server that injects faults, one HTTP
//! request per connection (it answers with `Connection: close`).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// The connection is closed before anything is read.
    Refuse,
    /// Half the request reaches the server, then both sides are reset.
    ResetMidRequest,
    /// The server answers, the client never hears it.
    DropResponse,
    /// The request reaches the server twice; the client gets the second answer.
    DuplicateRequest,
    /// 503 from the proxy; the server never saw the request.
    ServerError,
    /// The server applied it, but the client gets a 502.
    ErrorAfterApply,
    /// The answer comes after the client's time-out.
    Hang,
    /// The answer comes late but in time.
    Slow,
}

pub const ALL_FAULTS: [Fault; 8] = [
    Fault::Refuse,
    Fault::ResetMidRequest,
    Fault::DropResponse,
    Fault::DuplicateRequest,
    Fault::ServerError,
    Fault::ErrorAfterApply,
    Fault::Hang,
    Fault::Slow,
];

/// Chooses the fault for each request.
pub type Plan = Box<dyn FnMut() -> Fault + Send>;

pub struct FaultProxy {
    pub port: u16,
    plan: Arc<Mutex<Plan>>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    pub fn start(upstream: u16) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let plan: Arc<Mutex<Plan>> = Arc::new(Mutex::new(Box::new(|| Fault::None)));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (Arc::clone(&plan), Arc::clone(&stop));
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let fault = (p.lock().unwrap())();
                std::thread::spawn(move || {
                    let _ = handle(conn, upstream, fault);
                });
            }
        });
        FaultProxy { port, plan, stop }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn set(&self, fault: Fault) {
        *self.plan.lock().unwrap() = Box::new(move || fault);
    }

    pub fn set_plan(&self, plan: Plan) {
        *self.plan.lock().unwrap() = plan;
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn read_request(conn: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_string();
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buf.len() < header_end + length {
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    // Ask the server to close after answering, so EOF ends the response.
    let mut out = Vec::new();
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out.extend_from_slice(&buf[header_end..]);
    Ok(Some(out))
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

fn forward(request: &[u8], upstream: u16) -> std::io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(("127.0.0.1", upstream))?;
    up.set_read_timeout(Some(Duration::from_secs(30)))?;
    up.write_all(request)?;
    let mut response = Vec::new();
    up.read_to_end(&mut response)?;
    Ok(response)
}

/// Makes the client close the connection after this response.
fn closing(response: Vec<u8>) -> Vec<u8> {
    match find(&response, b"\r\n") {
        Some(i) => {
            let mut out = response[..i + 2].to_vec();
            out.extend_from_slice(b"Connection: close\r\n");
            out.extend_from_slice(&response[i + 2..]);
            out
        }
        None => response,
    }
}

fn handle(mut conn: TcpStream, upstream: u16, fault: Fault) -> std::io::Result<()> {
    if fault == Fault::Refuse {
        return conn.shutdown(Shutdown::Both);
    }
    let Some(request) = read_request(&mut conn)? else {
        return Ok(());
    };
    let response = match fault {
        Fault::ResetMidRequest => {
            let mut up = TcpStream::connect(("127.0.0.1", upstream))?;
            up.write_all(&request[..request.len() / 2])?;
            let _ = up.shutdown(Shutdown::Both);
            return conn.shutdown(Shutdown::Both);
        }
        Fault::ServerError => {
            let body = r#"{"code":"proxy.unavailable","message":"网关暂时不可用"}"#;
            format!(
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        }
        Fault::DuplicateRequest => {
            forward(&request, upstream)?;
            closing(forward(&request, upstream)?)
        }
        _ => closing(forward(&request, upstream)?),
    };
    match fault {
        Fault::DropResponse => return conn.shutdown(Shutdown::Both),
        Fault::ErrorAfterApply => {
            let body = r#"{"code":"proxy.bad_gateway","message":"网关错误"}"#;
            let answer = format!(
                "HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            conn.write_all(answer.as_bytes())?;
            return conn.shutdown(Shutdown::Both);
        }
        Fault::Hang => {
            std::thread::sleep(Duration::from_secs(5));
            return conn.shutdown(Shutdown::Both);
        }
        Fault::Slow => std::thread::sleep(Duration::from_millis(700)),
        _ => {}
    }
    conn.write_all(&response)?;
    conn.shutdown(Shutdown::Both)
}

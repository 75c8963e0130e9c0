//! `serve --tls-cert --tls-key`: the API over rustls, checked with a rustls
//! client that trusts only the test certificate (fixtures/, made with
//! `openssl req -x509 -newkey ec … -addext subjectAltName=IP:127.0.0.1`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

use crate::harness::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/server/fixtures");

fn get_over_tls(addr: &str, path: &str, cert: &CertificateDer<'static>) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.clone()).unwrap();
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let mut sock = TcpStream::connect(addr).unwrap();
    let mut tls = rustls::Stream::new(&mut conn, &mut sock);
    write!(
        tls,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Jianban-Protocol: 1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = Vec::new();
    let _ = tls.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn serves_over_tls() {
    let cert_path = format!("{FIXTURES}/tls-cert.pem");
    let key_path = format!("{FIXTURES}/tls-key.pem");
    let server = Server::start_tls(&Backend::Sqlite, &cert_path, &key_path);
    let addr = server
        .base
        .strip_prefix("https://")
        .expect("an https address");
    let cert = CertificateDer::from_pem_file(&cert_path).unwrap();
    let health = get_over_tls(addr, "/healthz", &cert);
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"status\":\"ok\""), "{health}");
    let refused = get_over_tls(addr, "/v1/sync/changes", &cert);
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    assert!(refused.contains("auth.missing_token"), "{refused}");
    // Plain HTTP on the TLS port gets no API answer.
    let mut plain = TcpStream::connect(addr).unwrap();
    plain
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let _ = plain.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut buf = Vec::new();
    let _ = plain.read_to_end(&mut buf);
    assert!(!String::from_utf8_lossy(&buf).contains("\"status\":\"ok\""));
}

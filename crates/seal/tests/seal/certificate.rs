//! The unit certificate: its profile and its PEM bundle.

use jianban_seal::UnitCertificate;

use crate::support::{now, run, UNIT};

#[test]
fn pem_bundle_round_trips_and_keeps_the_key() {
    let cert = UnitCertificate::generate(UNIT, now()).unwrap();
    let pem = cert.to_pem().unwrap();
    assert!(pem.contains("-----BEGIN CERTIFICATE-----"));
    assert!(pem.contains("-----BEGIN PRIVATE KEY-----"));
    let back = UnitCertificate::from_pem(&pem).unwrap();
    assert_eq!(back.fingerprint(), cert.fingerprint());
    assert_eq!(back.to_pem().unwrap(), pem);
    assert!(cert.subject().contains(UNIT), "{}", cert.subject());

    // Another unit's key with this certificate is refused.
    let other = UnitCertificate::generate("宿州市财政局", now()).unwrap();
    let other_pem = other.to_pem().unwrap();
    let key_part = &other_pem[other_pem.find("-----BEGIN PRIVATE KEY-----").unwrap()..];
    let mixed = format!("{}{key_part}", cert.cert_pem().unwrap());
    let e = UnitCertificate::from_pem(&mixed).unwrap_err();
    assert!(e.to_string().contains("私钥与证书不匹配"), "{e}");
    assert_eq!(e.code(), "seal.certificate");

    let e = UnitCertificate::from_pem("不是证书").unwrap_err();
    assert!(e.to_string().contains("请重新导入单位证书"), "{e}");
    let e = UnitCertificate::generate("  ", now()).unwrap_err();
    assert!(e.to_string().contains("单位名称为空"), "{e}");
}

#[test]
fn profile_is_what_nss_trusts() {
    let cert = UnitCertificate::generate(UNIT, now()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("unit.pem");
    std::fs::write(&pem, cert.cert_pem().unwrap()).unwrap();
    let nss = dir.path().join("nss");
    std::fs::create_dir(&nss).unwrap();
    let n = nss.to_str().unwrap();
    assert!(run("certutil", &["-N", "--empty-password", "-d", n]).0);
    let (ok, out) = run(
        "certutil",
        &[
            "-A",
            "-n",
            "unit",
            "-t",
            "CT,C,C",
            "-a",
            "-i",
            pem.to_str().unwrap(),
            "-d",
            n,
        ],
    );
    assert!(ok, "{out}");
    // certutil prints the decoded extensions.
    let (ok, out) = run("certutil", &["-L", "-n", "unit", "-d", n]);
    assert!(ok, "{out}");
    for want in [
        "Is a CA with no maximum path length",
        "Digital Signature",
        "Non-Repudiation",
        "Certificate Signing",
        "Subject Key ID",
        "X9.62 elliptic curve public key",
    ] {
        assert!(out.contains(want), "certutil -L lacks {want:?}:\n{out}");
    }
    // NSS checks the self-signature and the profile for signing use.
    let (ok, out) = run("certutil", &["-V", "-n", "unit", "-u", "S", "-d", n]);
    assert!(ok && out.contains("certificate is valid"), "{out}");
}

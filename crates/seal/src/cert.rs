//! The unit certificate: a self-managed ECDSA P-256 certificate in the
//! unit's name, the "electronic seal" that signs its letters as PDFs.
//!
//! The profile is what NSS (poppler's `pdfsig`, Firefox, Thunderbird) needs
//! to trust a certificate imported as a root: BasicConstraints CA=true,
//! key usage digitalSignature + nonRepudiation + keyCertSign, and a subject
//! key identifier. `Profile::Root` alone is not enough (its key usage lacks
//! digitalSignature/nonRepudiation), so the extensions are set by hand.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use der::asn1::{OctetString, SetOfVec, Utf8StringRef};
use der::pem::LineEnding;
use der::{Any, DecodePem, Encode, EncodePem};
use p256::ecdsa::{DerSignature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use spki::{EncodePublicKey, SubjectPublicKeyInfoOwned};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

use crate::error::SealError;

/// How long a unit certificate is valid: ten years, the span a letter's
/// signature should stay checkable without re-issuing.
const VALIDITY_YEARS: u64 = 10;

/// A unit's signing certificate and its private key.
#[derive(Clone)]
pub struct UnitCertificate {
    cert: Certificate,
    key: SigningKey,
}

impl std::fmt::Debug for UnitCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UnitCertificate({})", self.subject())
    }
}

impl UnitCertificate {
    /// Makes a new key pair and a self-signed certificate for `unit_name`
    /// (subject CN = O = the unit), valid from `now` for ten years.
    pub fn generate(unit_name: &str, now: DateTime<Utc>) -> Result<Self, SealError> {
        let unit = unit_name.trim();
        if unit.is_empty() {
            return Err(SealError::Certificate(
                "单位名称为空，请先在设置中填写单位名称".into(),
            ));
        }
        let key = SigningKey::random(&mut OsRng);
        let verifying = VerifyingKey::from(&key);
        let spki = SubjectPublicKeyInfoOwned::from_key(verifying).map_err(cert_err)?;
        let subject = unit_name_dn(unit)?;

        let start = u64::try_from(now.timestamp())
            .map_err(|_| SealError::Certificate("系统时间早于 1970 年，请校正电脑时间".into()))?;
        let not_before = Duration::from_secs(start);
        let not_after = not_before + Duration::from_secs(VALIDITY_YEARS * 365 * 24 * 3600);
        let validity = Validity {
            not_before: Time::try_from(std::time::UNIX_EPOCH + not_before).map_err(cert_err)?,
            not_after: Time::try_from(std::time::UNIX_EPOCH + not_after).map_err(cert_err)?,
        };
        // A positive 16-byte serial (top bit clear: DER integers are signed).
        let mut serial = [0u8; 16];
        OsRng.fill_bytes(&mut serial);
        serial[0] &= 0x7f;
        serial[0] |= 0x01;
        let serial = SerialNumber::new(&serial).map_err(cert_err)?;

        let mut builder = CertificateBuilder::new(
            Profile::Manual { issuer: None },
            serial,
            validity,
            subject,
            spki.clone(),
            &key,
        )
        .map_err(cert_err)?;
        builder
            .add_extension(&BasicConstraints {
                ca: true,
                path_len_constraint: None,
            })
            .map_err(cert_err)?;
        builder
            .add_extension(&KeyUsage(
                KeyUsages::DigitalSignature | KeyUsages::NonRepudiation | KeyUsages::KeyCertSign,
            ))
            .map_err(cert_err)?;
        // RFC 5280 4.2.1.2 leaves the method open; the first 20 bytes of a
        // SHA-256 of the key bits serve like the SHA-1 of method (1).
        let ski = Sha256::digest(spki.subject_public_key.raw_bytes());
        builder
            .add_extension(&SubjectKeyIdentifier(
                OctetString::new(&ski[..20]).map_err(cert_err)?,
            ))
            .map_err(cert_err)?;
        let cert = builder.build::<DerSignature>().map_err(cert_err)?;
        Ok(Self { cert, key })
    }

    /// The certificate and the PKCS#8 private key as one PEM bundle, for the
    /// store (which keeps it encrypted, like any secret).
    pub fn to_pem(&self) -> Result<String, SealError> {
        let cert = self.cert_pem()?;
        let key = self
            .key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| SealError::Certificate(format!("私钥无法编码（{e}）")))?;
        Ok(format!("{cert}{}", key.as_str()))
    }

    /// Reads a bundle written by [`UnitCertificate::to_pem`].
    pub fn from_pem(pem: &str) -> Result<Self, SealError> {
        let bad = |what: &str| {
            SealError::Certificate(format!(
                "单位证书文件{what}，请重新导入单位证书，或在设置中重新生成"
            ))
        };
        let cert_block = pem_block(pem, "CERTIFICATE").ok_or_else(|| bad("缺少证书部分"))?;
        let key_block = pem_block(pem, "PRIVATE KEY").ok_or_else(|| bad("缺少私钥部分"))?;
        let cert = Certificate::from_pem(cert_block.as_bytes()).map_err(|_| bad("的证书已损坏"))?;
        let key = SigningKey::from_pkcs8_pem(&key_block).map_err(|_| bad("的私钥已损坏"))?;
        let own = VerifyingKey::from(&key)
            .to_public_key_der()
            .map_err(|_| bad("的私钥已损坏"))?;
        let in_cert = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|_| bad("的证书已损坏"))?;
        if own.as_bytes() != in_cert.as_slice() {
            return Err(bad("中的私钥与证书不匹配"));
        }
        Ok(Self { cert, key })
    }

    /// The certificate alone (PEM), to import into trust stores
    /// (`certutil -A -t "CT,C,C"`, Adobe Reader's trusted identities).
    pub fn cert_pem(&self) -> Result<String, SealError> {
        self.cert
            .to_pem(LineEnding::LF)
            .map_err(|e| SealError::Certificate(format!("证书无法编码（{e}）")))
    }

    /// The certificate, DER.
    pub fn cert_der(&self) -> Result<Vec<u8>, SealError> {
        self.cert.to_der().map_err(cert_err)
    }

    /// Subject as RFC 4514 text, e.g. `CN=宿州市发展和改革委员会,O=…`.
    pub fn subject(&self) -> String {
        self.cert.tbs_certificate.subject.to_string()
    }

    /// SHA-256 of the certificate (DER), hex: what a verifier shows so a
    /// person can compare it with the unit's published fingerprint.
    pub fn fingerprint(&self) -> String {
        self.cert_der()
            .map(|d| hex::encode(Sha256::digest(d)))
            .unwrap_or_default()
    }

    pub(crate) fn certificate(&self) -> &Certificate {
        &self.cert
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.key
    }
}

/// CN = O = the unit name, as UTF-8 strings (the Chinese name is the name).
fn unit_name_dn(unit: &str) -> Result<Name, SealError> {
    let attr = |oid, value: &str| -> Result<RelativeDistinguishedName, SealError> {
        let value = Any::from(Utf8StringRef::new(value).map_err(cert_err)?);
        let mut set = SetOfVec::new();
        set.insert(AttributeTypeAndValue { oid, value })
            .map_err(cert_err)?;
        Ok(RelativeDistinguishedName(set))
    };
    let country = RdnSequence::from_str("C=CN").map_err(cert_err)?;
    let mut rdns = country.0;
    rdns.push(attr(const_oid::db::rfc4519::O, unit)?);
    rdns.push(attr(const_oid::db::rfc4519::CN, unit)?);
    Ok(RdnSequence(rdns))
}

/// The base64 block between `-----BEGIN {label}-----` and its end line,
/// with both lines.
fn pem_block(pem: &str, label: &str) -> Option<String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)?;
    let stop = pem[start..].find(&end)? + start + end.len();
    Some(format!("{}\n", &pem[start..stop]))
}

fn cert_err(e: impl std::fmt::Display) -> SealError {
    SealError::Certificate(format!("证书生成失败（{e}）"))
}

//! Checking a sealed letter: is it the file the unit signed, and does the
//! sign-off it carries hold?
//!
//! Checks, in order (the first that fails decides):
//! 1. the PDF signature: one `/ByteRange` that covers the whole file except
//!    the `/Contents` hex, a CMS SignedData whose message digest is the
//!    SHA-256 of those ranges, and an ECDSA signature over the signed
//!    attributes by the certificate it carries;
//! 2. the embedded records are there and readable;
//! 3. every signed decision verifies (Ed25519, key registered);
//! 4. `verify_sign_off` passes for the embedded chain and the signed revision;
//! 5. the embedded content hashes to that revision, the verification code
//!    and the signer match, and the certificate names the unit.

use chrono::{DateTime, NaiveDateTime, Utc};
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::{Decode, Encode, Reader, SliceReader};
use lopdf::{Document, Object};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{DerSignature, VerifyingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use jianban_domain::{AssignmentId, UserRole};
use jianban_signoff::{verify, verify_sign_off, KeyRegistry, SignoffError, Verdict};

use crate::record::{SealRecord, ATTACHMENT_NAME, RECORD_FORMAT};

/// The answer about a sealed letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PdfVerdict {
    Valid,
    /// Something in the file or its records was changed, or is missing.
    Tampered,
    /// The records are intact but a signer's key is not registered.
    UnknownSigner,
}

impl PdfVerdict {
    pub fn label_zh(self) -> &'static str {
        match self {
            PdfVerdict::Valid => "有效：文件未被改动，审核签发完整",
            PdfVerdict::Tampered => "无效：文件或签发记录被改动",
            PdfVerdict::UnknownSigner => "无法确认：签名人未在平台登记",
        }
    }

    /// Process exit status for command-line verifiers.
    pub fn exit_code(self) -> i32 {
        match self {
            PdfVerdict::Valid => 0,
            PdfVerdict::Tampered => 1,
            PdfVerdict::UnknownSigner => 2,
        }
    }
}

/// The verdict and what was found on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PdfVerification {
    pub verdict: PdfVerdict,
    /// Which check failed, in Chinese; `None` when valid.
    pub failed_check: Option<String>,
    pub assignment_id: Option<AssignmentId>,
    pub unit: Option<String>,
    /// 签发人 and time.
    pub signer: Option<String>,
    pub signed_at: Option<NaiveDateTime>,
    pub verification_code: Option<String>,
    /// The sealing certificate's subject and SHA-256 fingerprint.
    pub certificate: Option<String>,
    pub certificate_fingerprint: Option<String>,
    /// When the PDF was sealed (the CMS signing time).
    pub sealed_at: Option<DateTime<Utc>>,
}

impl PdfVerification {
    pub fn label_zh(&self) -> &'static str {
        self.verdict.label_zh()
    }

    /// The verdict and the details, one per line, for a person to read.
    pub fn report_zh(&self) -> String {
        let mut lines = vec![format!("核验结果：{}", self.label_zh())];
        if let Some(f) = &self.failed_check {
            lines.push(format!("未通过的检查：{f}"));
        }
        let mut field = |label: &str, v: Option<String>| {
            if let Some(v) = v {
                lines.push(format!("{label}：{v}"));
            }
        };
        field("承办单位", self.unit.clone());
        field(
            "交办编号",
            self.assignment_id.as_ref().map(|a| a.to_string()),
        );
        field("签发人", self.signer.clone());
        field(
            "签发时间",
            self.signed_at
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string()),
        );
        field("验证码", self.verification_code.clone());
        field("签章证书", self.certificate.clone());
        field("证书指纹（SHA-256）", self.certificate_fingerprint.clone());
        field(
            "签章时间（UTC）",
            self.sealed_at
                .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string()),
        );
        lines.join("\n")
    }

    fn fail(mut self, verdict: PdfVerdict, check: impl Into<String>) -> Self {
        self.verdict = verdict;
        self.failed_check = Some(check.into());
        self
    }
}

/// Verifies a sealed letter against the registered approvers' keys.
pub fn verify_pdf(bytes: &[u8], registry: &dyn KeyRegistry) -> PdfVerification {
    let mut v = PdfVerification {
        verdict: PdfVerdict::Valid,
        failed_check: None,
        assignment_id: None,
        unit: None,
        signer: None,
        signed_at: None,
        verification_code: None,
        certificate: None,
        certificate_fingerprint: None,
        sealed_at: None,
    };
    let tampered = PdfVerdict::Tampered;

    let doc = match Document::load_mem(bytes) {
        Ok(d) => d,
        Err(_) => return v.fail(tampered, "文件不是完整的 PDF，结构已损坏"),
    };
    let signature = match find_signature(&doc) {
        Some(s) => s,
        None => return v.fail(tampered, "文件中没有单位签章（PDF 数字签名）"),
    };
    let (cert, signed_at) = match check_cms(bytes, &signature) {
        Ok(found) => found,
        Err(why) => return v.fail(tampered, why),
    };
    let cert_der = cert.to_der().unwrap_or_default();
    v.certificate = Some(cert.tbs_certificate.subject.to_string());
    v.certificate_fingerprint = Some(hex::encode(Sha256::digest(&cert_der)));
    v.sealed_at = signed_at;

    let record = match embedded_record(&doc) {
        Ok(r) => r,
        Err(why) => return v.fail(tampered, why),
    };
    v.assignment_id = Some(record.assignment_id.clone());
    v.unit = Some(record.unit.clone());
    v.signer = Some(record.signer.clone());
    v.signed_at = Some(record.signed_at);
    v.verification_code = Some(record.verification_code.clone());

    for d in &record.decisions {
        match verify(d, registry) {
            Verdict::Valid => {}
            Verdict::Tampered => {
                return v.fail(
                    tampered,
                    format!(
                        "“{}”（{}）的签名与记录不符",
                        d.record.step_title, d.record.signer_name
                    ),
                )
            }
            Verdict::UnknownSigner => {
                return v.fail(
                    PdfVerdict::UnknownSigner,
                    format!(
                        "“{}”的签名人{}所用密钥未在平台登记",
                        d.record.step_title, d.record.signer_name
                    ),
                )
            }
        }
    }
    if record.chain.last().map(|s| s.role) != Some(UserRole::Head) {
        return v.fail(tampered, "审核流程的最后一步不是主要负责人签发");
    }
    let Some(revision) = record.signed_revision().cloned() else {
        return v.fail(tampered, "签发记录中没有审核决定");
    };
    let sign_off = match verify_sign_off(
        &record.chain,
        &record.assignment_id,
        &revision,
        &record.decisions,
        registry,
    ) {
        Ok(s) => s,
        Err(e @ SignoffError::UnknownSigner { .. }) => {
            return v.fail(PdfVerdict::UnknownSigner, e.to_string())
        }
        Err(e) => return v.fail(tampered, format!("审核签发链不成立：{e}")),
    };
    if record.content.content_hash() != revision {
        return v.fail(
            tampered,
            "随附的答复内容与审核签发的稿件不一致（内容被替换或改动）",
        );
    }
    if sign_off.verification_code != record.verification_code {
        return v.fail(tampered, "验证码与签发记录不符");
    }
    if sign_off.signer_name != record.signer || sign_off.signed_at != record.signed_at {
        return v.fail(tampered, "签发人或签发时间与签名记录不符");
    }
    if !names_unit(&cert, &record.unit) {
        return v.fail(tampered, "签章证书不是该承办单位的证书");
    }
    v
}

/// The signature field's `/ByteRange` and `/Contents` as found.
struct FoundSignature {
    ranges: Vec<i64>,
}

fn find_signature(doc: &Document) -> Option<FoundSignature> {
    let deref = |o: &Object| -> Option<Object> { doc.dereference(o).ok().map(|(_, o)| o.clone()) };
    let catalog = doc.catalog().ok()?;
    let form = deref(catalog.get(b"AcroForm").ok()?)?;
    let fields = deref(form.as_dict().ok()?.get(b"Fields").ok()?)?;
    let mut found = Vec::new();
    for f in fields.as_array().ok()? {
        let field = deref(f)?;
        let field = field.as_dict().ok()?;
        if field.get(b"FT").and_then(Object::as_name).ok() != Some(b"Sig".as_slice()) {
            continue;
        }
        let sig = deref(field.get(b"V").ok()?)?;
        let ranges = deref(sig.as_dict().ok()?.get(b"ByteRange").ok()?)?
            .as_array()
            .ok()?
            .iter()
            .map(|n| n.as_i64().ok())
            .collect::<Option<Vec<i64>>>()?;
        found.push(FoundSignature { ranges });
    }
    // A sealed letter carries exactly one signature.
    if found.len() == 1 {
        found.pop()
    } else {
        None
    }
}

/// Checks the ranges and the CMS signature; returns the signer's
/// certificate and the signing time.
fn check_cms(
    bytes: &[u8],
    sig: &FoundSignature,
) -> Result<(Certificate, Option<DateTime<Utc>>), String> {
    let len = bytes.len() as i64;
    let r = &sig.ranges;
    let covers = r.len() == 4
        && r[0] == 0
        && r[1] > 0
        && r[2] > r[1]
        && r[3] >= 0
        && r[2].checked_add(r[3]) == Some(len);
    if !covers {
        return Err("签名范围（ByteRange）没有覆盖整个文件：签章之后文件被追加或改动".into());
    }
    let (a, b) = (r[1] as usize, r[2] as usize);
    let hole = &bytes[a..b];
    let hex_ok = hole.len() >= 2
        && hole[0] == b'<'
        && hole[hole.len() - 1] == b'>'
        && hole[1..hole.len() - 1].iter().all(u8::is_ascii_hexdigit);
    if !hex_ok {
        return Err("签名范围之外除签名值外还有其他内容".into());
    }
    let blob = hex::decode(&hole[1..hole.len() - 1]).map_err(|_| "签名值不是有效的十六进制")?;
    let bad = |what: &str| format!("PDF 签名数据无法解析（{what}）");
    // The hex is padded with zeros after the DER value: read one value.
    let mut reader = SliceReader::new(&blob).map_err(|_| bad("长度"))?;
    let info = ContentInfo::decode(&mut reader).map_err(|_| bad("ContentInfo"))?;
    // What follows the DER value must be the zero padding, untouched.
    let used = u32::from(reader.position()) as usize;
    if blob[used..].iter().any(|b| *b != 0) {
        return Err("签名值之后的填充被改动".into());
    }
    if info.content_type != const_oid::db::rfc5911::ID_SIGNED_DATA {
        return Err(bad("不是 SignedData"));
    }
    let signed: SignedData = info.content.decode_as().map_err(|_| bad("SignedData"))?;
    let signer = match signed.signer_infos.0.as_slice() {
        [one] => one,
        _ => return Err(bad("签名人数量不是一")),
    };
    // Every field outside the signed attributes is pinned to what a sealed
    // letter carries, so no byte of the CMS can change unnoticed.
    let sha256 = spki::AlgorithmIdentifierOwned {
        oid: const_oid::db::rfc5912::ID_SHA_256,
        parameters: None,
    };
    let pinned = signed.version == cms::content_info::CmsVersion::V1
        && signed.digest_algorithms.as_slice() == [sha256.clone()]
        && signed.encap_content_info.econtent_type == const_oid::db::rfc5911::ID_DATA
        && signed.encap_content_info.econtent.is_none()
        && signed.crls.is_none()
        && signer.version == cms::content_info::CmsVersion::V1
        && signer.digest_alg == sha256
        && signer.signature_algorithm.parameters.is_none()
        && signer.unsigned_attrs.is_none()
        && signed.certificates.as_ref().map(|c| c.0.len()) == Some(1)
        && info.to_der().ok().as_deref() == Some(&blob[..used]);
    if !pinned {
        return Err(bad("结构与签章时不一致"));
    }
    let certs: Vec<Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let cert = match &signer.sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => certs.into_iter().find(|c| {
            c.tbs_certificate.issuer == id.issuer
                && c.tbs_certificate.serial_number == id.serial_number
        }),
        SignerIdentifier::SubjectKeyIdentifier(_) => None,
    }
    .ok_or_else(|| bad("缺少签章证书"))?;

    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| bad("缺少签名属性"))?;
    let attr = |oid| {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.get(0))
    };
    let digest = attr(const_oid::db::rfc5911::ID_MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<der::asn1::OctetString>().ok())
        .ok_or_else(|| bad("缺少摘要"))?;
    let mut h = Sha256::new();
    h.update(&bytes[..a]);
    h.update(&bytes[b..]);
    if digest.as_bytes() != h.finalize().as_slice() {
        return Err("文件内容与签章时不一致（摘要不符）：签章后有改动".into());
    }
    let signing_time = attr(const_oid::db::rfc5911::ID_SIGNING_TIME)
        .and_then(|v| {
            v.decode_as::<der::asn1::UtcTime>()
                .map(|t| t.to_unix_duration())
                .or_else(|_| {
                    v.decode_as::<der::asn1::GeneralizedTime>()
                        .map(|t| t.to_unix_duration())
                })
                .ok()
        })
        .and_then(|d| DateTime::<Utc>::from_timestamp(d.as_secs() as i64, 0));

    if signer.signature_algorithm.oid != const_oid::db::rfc5912::ECDSA_WITH_SHA_256 {
        return Err("签名算法不受支持（应为 ECDSA P-256 / SHA-256）".into());
    }
    // The certificate is self-signed: its own key must verify it, or its
    // contents (name, validity, extensions) were changed.
    let cert_ok = cert.signature_algorithm == cert.tbs_certificate.signature
        && cert.signature_algorithm.oid == const_oid::db::rfc5912::ECDSA_WITH_SHA_256
        && self_signed_ok(&cert);
    if !cert_ok {
        return Err("签章证书被改动（证书自签名无效）".into());
    }
    let key = VerifyingKey::from_sec1_bytes(
        cert.tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes(),
    )
    .map_err(|_| bad("证书公钥"))?;
    let signature =
        DerSignature::from_bytes(signer.signature.as_bytes()).map_err(|_| bad("签名值"))?;
    let message = attrs.to_der().map_err(|_| bad("签名属性"))?;
    key.verify(&message, &signature)
        .map_err(|_| "PDF 签名值不正确：签名数据被改动".to_string())?;
    Ok((cert, signing_time))
}

fn self_signed_ok(cert: &Certificate) -> bool {
    let Ok(key) = VerifyingKey::from_sec1_bytes(
        cert.tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes(),
    ) else {
        return false;
    };
    let Some(sig) = cert
        .signature
        .as_bytes()
        .and_then(|b| DerSignature::from_bytes(b).ok())
    else {
        return false;
    };
    cert.tbs_certificate
        .to_der()
        .is_ok_and(|tbs| key.verify(&tbs, &sig).is_ok())
}

/// The embedded `jianban-signoff.json`, parsed.
fn embedded_record(doc: &Document) -> Result<SealRecord, String> {
    let missing = || "文件中没有审核签发记录（附件 jianban-signoff.json）".to_string();
    let deref = |o: &Object| -> Option<Object> { doc.dereference(o).ok().map(|(_, o)| o.clone()) };
    let catalog = doc.catalog().map_err(|_| missing())?;
    let names = catalog
        .get(b"Names")
        .ok()
        .and_then(deref)
        .ok_or_else(missing)?;
    let files = names
        .as_dict()
        .ok()
        .and_then(|n| n.get(b"EmbeddedFiles").ok())
        .and_then(deref)
        .ok_or_else(missing)?;
    let list = files
        .as_dict()
        .ok()
        .and_then(|f| f.get(b"Names").ok())
        .and_then(deref)
        .ok_or_else(missing)?;
    let list = list.as_array().map_err(|_| missing())?;
    let spec = list
        .chunks(2)
        .find(|pair| pair[0].as_str().ok() == Some(ATTACHMENT_NAME.as_bytes()))
        .and_then(|pair| pair.get(1))
        .and_then(deref)
        .ok_or_else(missing)?;
    let stream = spec
        .as_dict()
        .ok()
        .and_then(|s| s.get(b"EF").ok())
        .and_then(deref)
        .and_then(|ef| {
            ef.as_dict()
                .ok()
                .and_then(|d| d.get(b"F").ok())
                .and_then(deref)
        })
        .ok_or_else(missing)?;
    let stream = stream.as_stream().map_err(|_| missing())?;
    let bytes = if stream.dict.get(b"Filter").is_ok() {
        stream
            .decompressed_content()
            .map_err(|_| "审核签发记录无法解压".to_string())?
    } else {
        stream.content.clone()
    };
    let record: SealRecord =
        serde_json::from_slice(&bytes).map_err(|e| format!("审核签发记录无法读取（{e}）"))?;
    if record.format != RECORD_FORMAT {
        return Err(format!(
            "审核签发记录的格式“{}”不受支持，请使用新版本核验",
            record.format
        ));
    }
    Ok(record)
}

/// Whether the certificate's subject carries the unit's name (CN or O).
fn names_unit(cert: &Certificate, unit: &str) -> bool {
    cert.tbs_certificate.subject.0.iter().any(|rdn| {
        rdn.0.iter().any(|atv| {
            (atv.oid == const_oid::db::rfc4519::CN || atv.oid == const_oid::db::rfc4519::O)
                && der::asn1::Utf8StringRef::try_from(&atv.value)
                    .map(|s| s.as_str() == unit)
                    .unwrap_or(false)
        })
    })
}

//! A standard PDF signature (ISO 32000-1 12.8, `adbe.pkcs7.detached`)
//! appended to a finished PDF as an incremental update, with one embedded
//! file.
//!
//! Why an incremental update through lopdf 0.44's `IncrementalDocument`:
//! it is the PDF library the letter is already saved with (no second
//! version to build), it copies the letter's bytes unchanged and writes
//! only the new and changed objects with their own xref section, so the
//! letter as rendered stays byte for byte inside the signed file. The
//! signature itself needs offsets that exist only after saving: the
//! `/ByteRange` numbers and the `/Contents` hex are written as fixed-width
//! placeholders and patched in the saved buffer, so no offset moves.

use chrono::{DateTime, Utc};
use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use der::asn1::{SetOfVec, UtcTime};
use der::{Any, Encode};
use lopdf::{dictionary, Dictionary, Document, IncrementalDocument, Object, Stream, StringFormat};
use p256::ecdsa::{DerSignature, SigningKey};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;

use crate::cert::UnitCertificate;
use crate::error::SealError;

/// Room for the CMS blob, bytes (written as twice as many hex digits). One
/// P-256 certificate and signature take about 900; the rest stays zeros.
pub const CONTENTS_BYTES: usize = 8192;

/// A ByteRange number placeholder: ten digits, wide enough for any letter.
const RANGE_PLACEHOLDER: i64 = 9_999_999_999;

/// A file to embed next to the signature.
#[derive(Debug, Clone)]
pub struct Attachment<'a> {
    pub name: &'a str,
    pub mime: &'a str,
    pub description: &'a str,
    pub bytes: &'a [u8],
}

/// What the signature dictionary says besides the signature.
#[derive(Debug, Clone)]
pub struct SignatureInfo<'a> {
    /// Shown by readers as the signer's name.
    pub name: &'a str,
    pub reason: &'a str,
    pub at: DateTime<Utc>,
}

/// Appends `attachment` and a signature by `cert` over the whole result.
pub fn sign_pdf(
    pdf: &[u8],
    attachment: &Attachment<'_>,
    cert: &UnitCertificate,
    info: &SignatureInfo<'_>,
) -> Result<Vec<u8>, SealError> {
    let pdf_err = |what: &str, e: &dyn std::fmt::Display| SealError::Pdf(format!("{what}（{e}）"));
    let prev = Document::load_mem(pdf).map_err(|e| pdf_err("无法读取答复函 PDF", &e))?;
    let root_id = prev
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|e| pdf_err("答复函 PDF 缺少目录", &e))?;
    let first_page = *prev
        .get_pages()
        .values()
        .next()
        .ok_or_else(|| SealError::Pdf("答复函 PDF 没有页面".into()))?;
    let old_names = prev
        .get_dictionary(root_id)
        .ok()
        .and_then(|c| c.get(b"Names").ok())
        .and_then(|n| prev.dereference(n).ok())
        .and_then(|(_, n)| n.as_dict().ok().cloned());
    let old_annots = prev
        .get_dictionary(first_page)
        .ok()
        .and_then(|p| p.get(b"Annots").ok())
        .and_then(|a| prev.dereference(a).ok())
        .and_then(|(_, a)| a.as_array().ok().cloned())
        .unwrap_or_default();

    let mut inc = IncrementalDocument::create_from(pdf.to_vec(), prev);
    let doc = &mut inc.new_document;

    // The embedded file, uncompressed: a person can read the records with
    // any text viewer, and readers list it under attachments.
    let mut file = Stream::new(
        dictionary! {
            "Type" => "EmbeddedFile",
            "Subtype" => Object::Name(attachment.mime.as_bytes().to_vec()),
            "Params" => dictionary! { "Size" => attachment.bytes.len() as i64 },
        },
        attachment.bytes.to_vec(),
    );
    file.allows_compression = false;
    let file_id = doc.add_object(file);
    let filespec_id = doc.add_object(dictionary! {
        "Type" => "Filespec",
        "F" => Object::string_literal(attachment.name),
        "UF" => lopdf::text_string(attachment.name),
        "Desc" => lopdf::text_string(attachment.description),
        "AFRelationship" => "Data",
        "EF" => dictionary! { "F" => file_id },
    });

    let sig_id = doc.add_object(dictionary! {
        "Type" => "Sig",
        "Filter" => "Adobe.PPKLite",
        "SubFilter" => "adbe.pkcs7.detached",
        "ByteRange" => vec![
            Object::Integer(0),
            Object::Integer(RANGE_PLACEHOLDER),
            Object::Integer(RANGE_PLACEHOLDER),
            Object::Integer(RANGE_PLACEHOLDER),
        ],
        "Contents" => Object::String(vec![0u8; CONTENTS_BYTES], StringFormat::Hexadecimal),
        "Name" => lopdf::text_string(info.name),
        "Reason" => lopdf::text_string(info.reason),
        "M" => Object::string_literal(info.at.format("D:%Y%m%d%H%M%S+00'00'").to_string()),
    });
    // An invisible signature field (zero rectangle), printed and locked.
    let field_id = doc.add_object(dictionary! {
        "Type" => "Annot",
        "Subtype" => "Widget",
        "FT" => "Sig",
        "T" => lopdf::text_string("单位签章"),
        "V" => sig_id,
        "F" => 132,
        "Rect" => vec![0.into(), 0.into(), 0.into(), 0.into()],
        "P" => first_page,
    });

    inc.opt_clone_object_to_new_document(first_page)
        .map_err(|e| pdf_err("无法更新页面", &e))?;
    inc.opt_clone_object_to_new_document(root_id)
        .map_err(|e| pdf_err("无法更新目录", &e))?;
    let doc = &mut inc.new_document;
    let page = doc
        .get_dictionary_mut(first_page)
        .map_err(|e| pdf_err("无法更新页面", &e))?;
    let mut annots = old_annots;
    annots.push(Object::Reference(field_id));
    page.set("Annots", annots);

    let catalog = doc
        .get_dictionary_mut(root_id)
        .map_err(|e| pdf_err("无法更新目录", &e))?;
    let mut names = old_names.unwrap_or_else(Dictionary::new);
    names.set(
        "EmbeddedFiles",
        dictionary! {
            "Names" => vec![Object::string_literal(attachment.name), Object::Reference(filespec_id)],
        },
    );
    catalog.set("Names", names);
    catalog.set("AF", vec![Object::Reference(filespec_id)]);
    catalog.set(
        "AcroForm",
        dictionary! {
            "Fields" => vec![Object::Reference(field_id)],
            // SignaturesExist | AppendOnly.
            "SigFlags" => 3,
        },
    );

    let mut out = Vec::with_capacity(pdf.len() + 3 * CONTENTS_BYTES);
    inc.save_to(&mut out)
        .map_err(|e| pdf_err("无法写出签章文件", &e))?;

    // Find the placeholders in what was appended.
    let start = pdf.len();
    let hex_len = 2 * CONTENTS_BYTES;
    let mut zeros = Vec::with_capacity(hex_len + 2);
    zeros.push(b'<');
    zeros.resize(hex_len + 1, b'0');
    zeros.push(b'>');
    let contents_at = find(&out[start..], &zeros)
        .map(|i| i + start)
        .ok_or_else(|| SealError::Pdf("签名占位未找到".into()))?;
    let placeholder = format!("{RANGE_PLACEHOLDER} {RANGE_PLACEHOLDER} {RANGE_PLACEHOLDER}");
    let range_at = find(&out[start..], placeholder.as_bytes())
        .map(|i| i + start)
        .ok_or_else(|| SealError::Pdf("签名范围占位未找到".into()))?;
    // The whole array, from its `[` (after the leading 0) to its `]`.
    let open = out[..range_at]
        .iter()
        .rposition(|b| *b == b'[')
        .ok_or_else(|| SealError::Pdf("签名范围格式有误".into()))?;
    let close = range_at
        + out[range_at..]
            .iter()
            .position(|b| *b == b']')
            .ok_or_else(|| SealError::Pdf("签名范围格式有误".into()))?;

    let a = contents_at;
    let b = contents_at + zeros.len();
    let c = out.len() - b;
    let mut ranges = format!("0 {a} {b} {c}");
    let width = close - open - 1;
    if ranges.len() > width {
        return Err(SealError::Pdf("签名范围超出占位宽度".into()));
    }
    while ranges.len() < width {
        ranges.push(' ');
    }
    out[open + 1..close].copy_from_slice(ranges.as_bytes());

    let mut h = Sha256::new();
    h.update(&out[..a]);
    h.update(&out[b..]);
    let digest = h.finalize();
    let cms = cms_detached(&digest, cert, info.at)?;
    if 2 * cms.len() > hex_len {
        return Err(SealError::Pdf("签名数据超出预留空间".into()));
    }
    let hex = hex::encode_upper(&cms);
    out[a + 1..a + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}

/// CMS SignedData without content (detached), over `digest` (SHA-256 of
/// the signed byte ranges), with the certificate and a signing time.
fn cms_detached(
    digest: &[u8],
    cert: &UnitCertificate,
    at: DateTime<Utc>,
) -> Result<Vec<u8>, SealError> {
    // `cms::builder::Error` is not a `std::error::Error`; its Debug is
    // what there is to say.
    let err = |what: &str, e: &dyn std::fmt::Debug| SealError::Pdf(format!("{what}（{e:?}）"));
    let certificate = cert.certificate();
    let eci = EncapsulatedContentInfo {
        econtent_type: const_oid::db::rfc5911::ID_DATA,
        econtent: None,
    };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: certificate.tbs_certificate.issuer.clone(),
        serial_number: certificate.tbs_certificate.serial_number.clone(),
    });
    let sha256 = AlgorithmIdentifierOwned {
        oid: const_oid::db::rfc5912::ID_SHA_256,
        parameters: None,
    };
    let mut signer =
        SignerInfoBuilder::new(cert.signing_key(), sid, sha256.clone(), &eci, Some(digest))
            .map_err(|e| err("签名信息", &e))?;
    signer
        .add_signed_attribute(signing_time(at)?)
        .map_err(|e| err("签名时间", &e))?;
    let content = SignedDataBuilder::new(&eci)
        .add_digest_algorithm(sha256)
        .map_err(|e| err("摘要算法", &e))?
        .add_certificate(CertificateChoices::Certificate(certificate.clone()))
        .map_err(|e| err("证书", &e))?
        .add_signer_info::<SigningKey, DerSignature>(signer)
        .map_err(|e| err("签名", &e))?
        .build()
        .map_err(|e| err("签名数据", &e))?;
    content.to_der().map_err(|e| err("签名编码", &e))
}

fn signing_time(at: DateTime<Utc>) -> Result<Attribute, SealError> {
    let err = |e: der::Error| SealError::Pdf(format!("签名时间（{e}）"));
    let secs = u64::try_from(at.timestamp())
        .map_err(|_| SealError::Pdf("签名时间早于 1970 年，请校正电脑时间".into()))?;
    let time = UtcTime::from_unix_duration(std::time::Duration::from_secs(secs)).map_err(err)?;
    let mut values = SetOfVec::new();
    values
        .insert(Any::encode_from(&time).map_err(err)?)
        .map_err(err)?;
    Ok(Attribute {
        oid: const_oid::db::rfc5911::ID_SIGNING_TIME,
        values,
    })
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

//! What exporting needs around the letter: the unit certificate and where
//! it is kept, the signed decisions a sealed letter rests on, file names,
//! writing the file and opening its folder. The export itself is one pass
//! in `api::reply::export_to`; the sign-off is verified inside
//! `jianban-seal`.

use chrono::{DateTime, Utc};
use jianban_domain::{Case, UnitId};
use jianban_seal::UnitCertificate;
use jianban_store::{Decision, SignedDecision, Store};

use crate::error::CommandError;
use crate::secrets::Secrets;

/// Where the unit's certificate and its private key are kept: the OS
/// credential store where one exists (out of the data directory), else the
/// store's settings.
pub struct CertificateKeeping<'a> {
    pub secrets: &'a dyn Secrets,
    /// The credential-store entry, one per data directory and unit.
    pub entry: String,
}

impl<'a> CertificateKeeping<'a> {
    pub fn new(secrets: &'a dyn Secrets, data_dir: &std::path::Path, unit: &UnitId) -> Self {
        Self {
            secrets,
            entry: format!("unit-certificate {unit} {}", data_dir.display()),
        }
    }
}

/// The unit's certificate, made on first use. One found in the store's
/// settings (older releases, or no credential store then) moves to the
/// credential store when one takes it. If the credential store lost it, a
/// new certificate is made: letters sealed before keep theirs inside.
pub fn unit_certificate(
    store: &mut Store,
    unit: &UnitId,
    unit_name: &str,
    now: DateTime<Utc>,
    keeping: &CertificateKeeping<'_>,
) -> Result<UnitCertificate, CommandError> {
    if let Some(pem) = keeping.secrets.get(&keeping.entry) {
        return UnitCertificate::from_pem(&pem).map_err(seal_error);
    }
    if let Some(pem) = store.unit_certificate_pem(unit)? {
        let cert = UnitCertificate::from_pem(&pem).map_err(seal_error)?;
        if keeping.secrets.put(&keeping.entry, &pem) {
            store.remove_unit_certificate_pem(unit)?;
        }
        return Ok(cert);
    }
    let cert = UnitCertificate::generate(unit_name, now).map_err(seal_error)?;
    let pem = cert.to_pem().map_err(seal_error)?;
    if !keeping.secrets.put(&keeping.entry, &pem) {
        store.set_unit_certificate_pem(unit, &pem)?;
    }
    Ok(cert)
}

/// A sealing error for the person. A sign-off that does not verify reads
/// as the store's own check says it (the same code and message as before
/// sealing moved into `jianban-seal`).
pub fn seal_error(e: jianban_seal::SealError) -> CommandError {
    match e {
        jianban_seal::SealError::SignOff(e) => jianban_store::StoreError::SignOff(e).into(),
        other => CommandError::new(other.code(), other.to_string()),
    }
}

/// The signed decisions behind the approvals `case` counts (its current
/// revision, in chain order; an edit or a return voids the others), picked
/// from everything recorded for it: the latest signature of each.
pub fn counted_decisions(case: &Case, recorded: Vec<SignedDecision>) -> Vec<SignedDecision> {
    case.approvals
        .iter()
        .filter_map(|a| {
            recorded
                .iter()
                .rev()
                .find(|d| {
                    d.record.step == a.step
                        && d.record.revision == a.revision
                        && d.record.decision == Decision::Approve
                })
                .cloned()
        })
        .collect()
}

/// Checks a sealed letter against the approver keys this PC knows.
pub fn verify(store: &Store, bytes: &[u8]) -> Result<jianban_seal::PdfVerification, CommandError> {
    let keys = store.known_keys()?;
    Ok(jianban_seal::verify_pdf(bytes, &keys))
}

/// Writes an exported file where the person chose, or says in Chinese why
/// it could not be written and what to do.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<(), CommandError> {
    std::fs::write(path, bytes).map_err(|e| {
        CommandError::new(
            crate::error::code::EXPORT,
            format!(
                "无法写入 {}（{e}）。请换一个文件夹，或检查磁盘空间和权限；如同名文件已在其他程序（PDF 阅读器、Word、Excel）中打开，请先关闭。",
                path.display()
            ),
        )
    })
}

/// The default name of the unit certificate file handed to recipients
/// (a PEM certificate; Windows opens `.cer` in its certificate viewer).
pub fn certificate_file_name(unit_name: &str) -> String {
    format!("{unit_name}-答复函签章证书.cer")
}

/// `第39号建议答复-市发展改革委.pdf`; characters a file name cannot hold are
/// replaced.
pub fn default_file_name(number: u32, unit: &str, ext: &str, is_final: bool) -> String {
    let unit: String = unit
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let draft = if is_final { "" } else { "（草稿）" };
    format!("第{number}号建议答复-{unit}{draft}.{ext}")
}

/// Opens the folder that holds `path` in the system's file manager. `path`
/// must be checked first ([`crate::picked::PickedPaths::check`]): it is
/// resolved, and a file the person saved. Only a folder is ever handed to
/// `xdg-open` (handed a file, it would run the file's default program).
pub fn open_folder(path: &std::path::Path) -> Result<(), CommandError> {
    let dir = folder_to_open(path).ok_or_else(|| {
        CommandError::new(
            crate::error::code::EXPORT,
            format!(
                "找不到 {} 所在的文件夹，请在文件管理器中手动打开。",
                path.display()
            ),
        )
    })?;
    let result = if cfg!(target_os = "windows") {
        std::process::Command::new("explorer")
            .arg(format!("/select,{}", path.display()))
            .spawn()
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open")
            .arg("-R")
            .arg(path)
            .spawn()
    } else {
        std::process::Command::new("xdg-open").arg(&dir).spawn()
    };
    result.map(|_| ()).map_err(|e| {
        CommandError::new(
            crate::error::code::EXPORT,
            format!(
                "无法打开文件夹 {}（{e}），请在文件管理器中手动打开。",
                dir.display()
            ),
        )
    })
}

/// The existing folder to show for `path`: itself if it is a folder, else
/// the folder it is in.
fn folder_to_open(path: &std::path::Path) -> Option<std::path::PathBuf> {
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent()?.to_path_buf()
    };
    dir.is_dir().then_some(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_existing_folder_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("答复函.pdf");
        std::fs::write(&file, b"%PDF").unwrap();
        assert_eq!(folder_to_open(&file).unwrap(), dir.path());
        assert_eq!(folder_to_open(dir.path()).unwrap(), dir.path());
        assert_eq!(
            folder_to_open(&dir.path().join("无此目录").join("x.pdf")),
            None
        );
        assert_eq!(folder_to_open(std::path::Path::new("")), None);
    }
    use crate::secrets::fake::MapSecrets;

    fn pem_of(c: &UnitCertificate) -> String {
        c.to_pem().unwrap()
    }

    #[test]
    fn the_unit_certificate_lives_in_the_os_store_where_there_is_one() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(&tmp.path().join("s.sqlite3")).unwrap();
        let unit = UnitId::new("fgw");
        let now = Utc::now();
        let keyring = MapSecrets {
            available: true,
            ..Default::default()
        };
        let keeping = CertificateKeeping::new(&keyring, tmp.path(), &unit);
        let first = unit_certificate(&mut store, &unit, "市发展改革委", now, &keeping).unwrap();
        assert_eq!(store.unit_certificate_pem(&unit).unwrap(), None);
        assert_eq!(keyring.map.borrow().len(), 1);
        let again = unit_certificate(&mut store, &unit, "市发展改革委", now, &keeping).unwrap();
        assert_eq!(pem_of(&again), pem_of(&first), "one certificate, made once");
    }

    #[test]
    fn without_an_os_store_the_certificate_stays_in_the_store_and_moves_later() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = Store::open(&tmp.path().join("s.sqlite3")).unwrap();
        let unit = UnitId::new("fgw");
        let now = Utc::now();
        let none = MapSecrets::default();
        let keeping = CertificateKeeping::new(&none, tmp.path(), &unit);
        let first = unit_certificate(&mut store, &unit, "市发展改革委", now, &keeping).unwrap();
        assert!(store.unit_certificate_pem(&unit).unwrap().is_some());

        // A credential store appears (e.g. the keyring daemon now runs).
        let keyring = MapSecrets {
            available: true,
            ..Default::default()
        };
        let keeping = CertificateKeeping::new(&keyring, tmp.path(), &unit);
        let moved = unit_certificate(&mut store, &unit, "市发展改革委", now, &keeping).unwrap();
        assert_eq!(
            pem_of(&moved),
            pem_of(&first),
            "the same certificate, not a new one"
        );
        assert_eq!(store.unit_certificate_pem(&unit).unwrap(), None);
        assert_eq!(keyring.map.borrow().len(), 1);
    }

    #[test]
    fn default_names_follow_the_office_convention() {
        assert_eq!(
            default_file_name(39, "市发展改革委", "pdf", true),
            "第39号建议答复-市发展改革委.pdf"
        );
        assert_eq!(
            default_file_name(7, "市交通/运输局", "docx", false),
            "第7号建议答复-市交通_运输局（草稿）.docx"
        );
    }
}

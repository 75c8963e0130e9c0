//! Shared helpers: example letters, the poppler/qpdf checks, normalisation.

use std::path::{Path, PathBuf};
use std::process::Command;

use jianban_letter::json::LetterJson;
use jianban_letter::{Letter, LetterRenderer};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn example(name: &str) -> Letter {
    let path = repo_root().join("examples/letters").join(name);
    LetterJson::load(&path).expect("example letter loads").0
}

pub fn renderer() -> LetterRenderer {
    LetterRenderer::new()
}

pub fn run(cmd: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} must be installed (poppler-utils, qpdf): {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// White space removed, and the page-number lines "— N —".
pub fn normalize(text: &str) -> String {
    text.lines()
        .filter(|l| {
            let t: String = l.chars().filter(|c| !c.is_whitespace()).collect();
            !(t.starts_with('—')
                && t.ends_with('—')
                && t.len() > 6
                && t.trim_matches('—').chars().all(|c| c.is_ascii_digit()))
        })
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The checks an office runs on every exported PDF; panics with all
/// problems found. `pages` is the expected page count.
pub fn check_pdf(pdf: &Path, letter: &Letter, pages: usize) {
    let p = pdf.to_str().unwrap();
    let mut problems = Vec::new();

    // Every font embedded and subset.
    let (ok, fonts, err) = run("pdffonts", &[p]);
    assert!(ok, "pdffonts failed: {err}");
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    if rows.is_empty() {
        problems.push("no fonts in the PDF".to_string());
    }
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        if n < 5 || cols[n - 5] != "yes" || cols[n - 4] != "yes" {
            problems.push(format!("font not embedded and subset: {row}"));
        }
    }

    // qpdf structural check.
    let (ok, out, err) = run("qpdf", &["--check", p]);
    if !ok {
        problems.push(format!("qpdf --check: {out}{err}"));
    }

    // Page count.
    let (_, info, _) = run("pdfinfo", &[p]);
    let got: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    if got != pages {
        problems.push(format!("page count {got}, expected {pages}"));
    }

    // Every page renders.
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("p");
    let (ok, _, err) = run(
        "pdftoppm",
        &["-r", "20", "-png", p, prefix.to_str().unwrap()],
    );
    let rendered = std::fs::read_dir(dir.path()).unwrap().count();
    if !ok || rendered != pages {
        problems.push(format!(
            "pdftoppm rendered {rendered} of {pages} pages: {err}"
        ));
    }

    // The text comes back exactly, in order (physical layout mode keeps
    // the top-of-page items on their lines).
    let (_, text, _) = run("pdftotext", &["-layout", p, "-"]);
    let want = normalize(&letter.plain_text().replace('\n', ""));
    let have = normalize(&text);
    if want != have {
        let at = want
            .chars()
            .zip(have.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let ctx = |s: &str| {
            s.chars()
                .skip(at.saturating_sub(10))
                .take(30)
                .collect::<String>()
        };
        problems.push(format!(
            "pdftotext differs at char {at}: want …{}… have …{}…",
            ctx(&want),
            ctx(&have)
        ));
    }

    // Reading order mode too: no line starts with closing punctuation or
    // ends with opening punctuation, and each paragraph comes out whole.
    let (_, flow, _) = run("pdftotext", &[p, "-"]);
    for line in flow
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !normalize(l).is_empty())
    {
        let first = line.chars().next().unwrap();
        let last = line.chars().last().unwrap();
        if "，。、；：？！）》」』”’…—%".contains(first) && !line.starts_with("——")
        {
            problems.push(format!("line starts with {first}: {line}"));
        }
        if "（《「『“‘".contains(last) {
            problems.push(format!("line ends with {last}: {line}"));
        }
    }
    let flat = normalize(&flow);
    for para in letter.plain_text().lines() {
        let p = normalize(para);
        if !p.is_empty() && !flat.contains(&p) {
            problems.push(format!("paragraph not found whole: {para}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{}:\n{}",
        pdf.display(),
        problems.join("\n")
    );
}

/// The office's own checker, `shared/tools/check-pdf`, when it is there.
pub fn office_checker() -> Option<PathBuf> {
    let p = repo_root().join("../shared/tools/check-pdf");
    p.exists().then_some(p)
}

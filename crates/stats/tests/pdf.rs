//! The figures PDF: typeset through the letter's renderer, fonts subset,
//! and the report's sentences extract back (poppler).

use std::process::Command;

use jianban_domain::WorkingCalendar;
use jianban_letter::{LetterRenderer, PdfOptions};
use jianban_stats::*;

#[path = "stats/data.rs"]
#[allow(dead_code)]
mod data;

fn run(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} (poppler-utils) runs: {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_figures_pdf_extracts_back_with_subset_fonts() {
    let rows = data::source_year();
    let f = Figures::compute(
        &rows,
        Scope::City,
        data::date("2025-02-28"),
        &WorkingCalendar::national(),
    );
    let mut ctx = ReportContext::new(2024, "市政府系统", "市六届人大三次会议");
    ctx.session_total = Some(216);
    let report = report_text(&f, &ctx);
    let mut renderer = LetterRenderer::new();
    let pdf = figures_pdf(
        &f,
        &report,
        "市人民政府办公室",
        &mut renderer,
        &PdfOptions {
            created_unix: Some(1_740_700_800),
        },
    )
    .unwrap();
    assert!(pdf.pages >= 2, "{} pages", pdf.pages);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("figures.pdf");
    std::fs::write(&path, &pdf.output).unwrap();
    let path = path.to_str().unwrap();

    // Every font embedded as a subset.
    let fonts = run("pdffonts", &[path]);
    let lines: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!lines.is_empty(), "{fonts}");
    for l in &lines {
        let cols: Vec<&str> = l.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(cols[n - 5], "yes", "not embedded: {l}");
        assert_eq!(cols[n - 4], "yes", "not subset: {l}");
    }
    assert!(pdf.output.len() < 2_000_000, "{} bytes", pdf.output.len());

    // The report's sentences and the figures come back as text.
    let text: String = run("pdftotext", &[path, "-"])
        .lines()
        .filter(|l| !l.trim().starts_with('—'))
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    for s in [
        "市六届人大三次会议以来的代表建议办理情况",
        "2024年，市政府系统共承办市六届人大三次会议代表建议201件，占代表建议总数的93.06%。",
        "其中已解决或基本解决（A类）的67件，约占33.33%；被采纳、列入计划逐步解决（B类）的134件，约占66.67%。",
        "有88件涉及多个部门的职责",
        "三、主要统计数据（截至2025年2月28日）",
        "A类（已解决或基本解决）：67件，占33.33%。",
        "满意率：201/201，100.00%。",
        "市人民政府办公室",
    ] {
        assert!(text.contains(s), "missing {s:?} in {text}");
    }
}

//! Real exports checked with poppler, qpdf and the office's checker.

use std::process::Command;

use jianban_letter::{LetterRenderer, PdfOptions};

use crate::support::{check_pdf, example, normalize, office_checker, renderer, run};

#[test]
fn example_reply_39_is_a_valid_three_page_pdf() {
    let letter = example("reply-39.json");
    let mut r = renderer();
    let out = r
        .render_pdf(
            &letter,
            &PdfOptions {
                created_unix: Some(1_719_532_800),
            },
        )
        .unwrap();
    assert_eq!(out.pages, 3);
    assert!(out.output.len() <= 150 * 1024, "{} bytes", out.output.len());
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("reply-39.pdf");
    std::fs::write(&pdf, &out.output).unwrap();
    check_pdf(&pdf, &letter, 3);

    // Metadata: title, author = unit, subject = the suggestion, date, id.
    let (_, info, _) = run("pdfinfo", &[pdf.to_str().unwrap()]);
    let field = |k: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(k).map(|v| v.trim().to_string()))
            .unwrap_or_default()
    };
    assert_eq!(field("Title:"), "关于市六届人大三次会议第39号建议的答复");
    assert_eq!(field("Author:"), "宿州市发展和改革委员会");
    assert_eq!(field("Subject:"), "市六届人大三次会议第39号建议");
    assert!(field("CreationDate:").contains("2024"), "{info}");
    let id = jianban_letter::renderer::document_id(&letter);
    assert!(field("Keywords:").contains(&id));
    assert!(!info.contains("PDF/X"), "no PDF/X claim: {info}");

    // The office's checker, with the letter's paragraphs as the source.
    let src = dir.path().join("reply-39.txt");
    std::fs::write(&src, letter.plain_text()).unwrap();
    match office_checker() {
        Some(checker) => {
            let out = Command::new("python3")
                .arg(&checker)
                .arg(&pdf)
                .arg(&src)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "check-pdf: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // Absent (a clone without shared/): check_pdf above ran the same
        // checks (fonts, qpdf, rendering, line-breaking rules, paragraphs).
        None => check_pdf(&pdf, &letter, 3),
    }
}

#[test]
fn fonts_are_cached_between_exports() {
    let letter = example("reply-39.json");
    let mut r = renderer();
    let a = r.font_set().unwrap();
    r.render_pdf(&letter, &PdfOptions::default()).unwrap();
    let b = r.font_set().unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&a, &b),
        "the font set is parsed once"
    );
    // Every substitution is reported (here: no Windows faces, Noto stands in).
    let choices = r.font_choices().unwrap();
    assert_eq!(choices.len(), 5);
    for c in &choices {
        assert!(!c.family.is_empty());
    }
}

#[test]
fn preview_and_pdf_break_in_the_same_places() {
    let letter = example("reply-39.json");
    let mut r = renderer();
    let (layout, _) = r.layout(&letter).unwrap();
    let svg = r.render_svg(&letter).unwrap();
    assert_eq!(svg.output.len(), layout.page_count());
    // Each SVG page holds exactly the text of that layout page, run by run
    // at the layout's x positions.
    for (page, svg) in layout.pages.iter().zip(&svg.output) {
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        let text: String = page.lines.iter().map(|l| l.text()).collect();
        let svg_text: String = svg
            .split("<text ")
            .skip(1)
            .map(|t| {
                t.split_once('>')
                    .unwrap()
                    .1
                    .split_once("</text>")
                    .unwrap()
                    .0
            })
            .collect();
        assert_eq!(normalize(&svg_text), normalize(&text));
        let first = &page.lines[0].glyphs[0];
        assert!(svg.contains(&format!("x=\"{:.2}", first.x)));
    }
    // And the PDF shows the same lines: each layout line is one line of
    // pdftotext -layout output, in order.
    let pdf = r.render_pdf(&letter, &PdfOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.pdf");
    std::fs::write(&path, &pdf.output).unwrap();
    let (_, text, _) = run("pdftotext", &["-layout", path.to_str().unwrap(), "-"]);
    let pdf_lines: Vec<String> = text
        .lines()
        .map(normalize)
        .filter(|l| !l.is_empty())
        .collect();
    let mut layout_lines: Vec<String> = Vec::new();
    for p in &layout.pages {
        let mut rows: std::collections::BTreeMap<usize, String> = Default::default();
        for l in &p.lines {
            if let Some(r) = l.row {
                rows.entry(r).or_default().push_str(&l.text());
            }
        }
        layout_lines.extend(rows.into_values().map(|t| normalize(&t)));
    }
    assert_eq!(pdf_lines, layout_lines);
}

#[test]
fn word_export_has_the_official_styles() {
    let letter = example("reply-39.json");
    let mut r = renderer();
    let out = r.render_docx(&letter).unwrap();
    // A .docx is a zip: read the parts back.
    let part = |name: &str| -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&out.output)).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let xml = part("word/document.xml");
    for needle in [
        "w:pgSz w:w=\"11906\" w:h=\"16838\"",
        "w:linePitch=\"580\"",
        "w:type=\"lines\"",
        "w:spacing w:val=\"-5\"",
        "w:firstLine=\"632\"",
        "方正小标宋简体",
        "黑体",
        "楷体",
        "仿宋",
        "w:sz w:val=\"44\"",
        "w:keepNext",
        "抄送：市人大常委会代表工委，市政府办公室。",
        "（联系人：李四，联系电话：0557-1234567）",
    ] {
        assert!(xml.contains(needle), "document.xml lacks {needle}");
    }
    // The text with the markup stripped holds every paragraph whole.
    let mut text = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    for p in letter.paragraphs() {
        assert!(text.contains(&p.text), "paragraph missing: {}", p.text);
    }
    assert!(part("word/footer1.xml").contains("PAGE"));
    assert!(part("word/settings.xml").contains("evenAndOddHeaders"));
}

#[test]
fn seal_image_goes_over_the_unit_and_date() {
    let mut letter = example("reply-39.json");
    letter.seal = Some(test_seal_png());
    let mut r = renderer();
    let (layout, _) = r.layout(&letter).unwrap();
    let page = layout
        .pages
        .iter()
        .find(|p| p.seal.is_some())
        .expect("a seal box");
    let seal = page.seal.unwrap();
    let unit = page
        .lines
        .iter()
        .find(|l| l.role == jianban_letter::layout::LineRole::Unit)
        .unwrap();
    let (l, rr) = unit.extent();
    assert!((seal.cx - (l + rr) / 2.0).abs() < 0.01);
    assert!(seal.cy - seal.size / 2.0 < unit.baseline && seal.cy + seal.size / 2.0 > unit.baseline);

    let out = r.render_pdf(&letter, &PdfOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("sealed.pdf");
    std::fs::write(&pdf, &out.output).unwrap();
    check_pdf(&pdf, &letter, 3);
    let (_, images, _) = run("pdfimages", &["-list", pdf.to_str().unwrap()]);
    assert!(
        images.lines().count() >= 3,
        "the seal image is in the PDF:\n{images}"
    );
    let svg = r.render_svg(&letter).unwrap();
    assert!(svg.output[page.number - 1].contains("data:image/png;base64,"));
    let docx = r.render_docx(&letter).unwrap();
    assert!(docx.output.len() > 1000);
}

/// A red ring on a transparent background, drawn here so no image file
/// needs to be committed.
fn test_seal_png() -> Vec<u8> {
    let n = 200u32;
    let img = image::RgbaImage::from_fn(n, n, |x, y| {
        let (dx, dy) = (x as f32 - 100.0, y as f32 - 100.0);
        let d = (dx * dx + dy * dy).sqrt();
        if (88.0..97.0).contains(&d) || d < 12.0 {
            image::Rgba([220, 0, 0, 200])
        } else {
            image::Rgba([0, 0, 0, 0])
        }
    });
    let mut buf = std::io::Cursor::new(Vec::new());
    img.write_to(&mut buf, image::ImageFormat::Png).unwrap();
    buf.into_inner()
}

#[test]
fn cli_renders_pdf_docx_and_svg() {
    let bin = env!("CARGO_BIN_EXE_jianban-letter");
    let input = crate::support::repo_root().join("examples/letters/reply-39.json");
    let dir = tempfile::tempdir().unwrap();
    for name in ["out.pdf", "out.docx", "out.svg"] {
        let out = dir.path().join(name);
        let o = Command::new(bin)
            .arg("render")
            .arg(&input)
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(out.exists());
    }
    assert!(dir.path().join("out-3.svg").exists());
    check_pdf(&dir.path().join("out.pdf"), &example("reply-39.json"), 3);

    // Errors: Chinese, with the code, non-zero exit.
    let o = Command::new(bin)
        .arg("render")
        .arg(&input)
        .arg(dir.path().join("out.txt"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("letter.unsupported_format") && err.contains("请使用"),
        "{err}"
    );
    let o = Command::new(bin).output().unwrap();
    assert_eq!(o.status.code(), Some(2));

    // --public drops the contact details.
    let public = dir.path().join("public.pdf");
    let o = Command::new(bin)
        .arg("render")
        .arg(&input)
        .arg(&public)
        .arg("--public")
        .output()
        .unwrap();
    assert!(o.status.success());
    let (_, text, _) = run("pdftotext", &[public.to_str().unwrap(), "-"]);
    assert!(!text.contains("0557-1234567"));
}

#[test]
fn renderer_keeps_working_after_an_error() {
    let mut r = LetterRenderer::new();
    let bad = jianban_letter::Letter::default();
    assert!(r.render_pdf(&bad, &PdfOptions::default()).is_err());
    assert!(r
        .render_pdf(&example("reply-39.json"), &PdfOptions::default())
        .is_ok());
}

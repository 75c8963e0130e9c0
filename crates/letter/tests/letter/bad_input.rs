//! Bad input: a clear result and never a panic.

use jianban_letter::{
    FontOptions, LayoutSettings, Letter, LetterError, LetterRenderer, PdfOptions,
};

use crate::support::{check_pdf, example, renderer};

#[test]
fn empty_body_is_refused_for_export_but_previews() {
    let mut letter = example("reply-39.json");
    letter.body = "  \n\u{3000}\n".into();
    letter.closing.clear();
    let mut r = renderer();
    let e = r.render_pdf(&letter, &PdfOptions::default()).unwrap_err();
    assert_eq!(e.code(), "letter.empty_body");
    assert!(e.to_string().contains("请先填写答复正文"));
    assert_eq!(
        r.render_docx(&letter).unwrap_err().code(),
        "letter.empty_body"
    );
    // The live preview still shows the draft.
    assert_eq!(r.render_svg(&letter).unwrap().pages, 1);
}

#[test]
fn a_200_page_body_is_refused_clearly() {
    let mut letter = example("reply-39.json");
    let para = "市政府坚持把高效交办作为高效办理的基础，不断自我加压、拉高标杆，缩短交办时间，提高交办精准度。";
    // About 3 lines a paragraph, 22 lines a page: 2,200 paragraphs ≈ 200 pages.
    letter.body = vec![para; 2200].join("\n");
    let mut r = renderer();
    let e = r.render_pdf(&letter, &PdfOptions::default()).unwrap_err();
    assert_eq!(e.code(), "letter.too_long");
    assert!(e.to_string().contains("超过上限 100 页"), "{e}");
    assert!(matches!(e, LetterError::TooLong { max: 100, .. }));
    // A unit that really needs long letters raises the limit.
    r.set_settings(LayoutSettings {
        max_pages: 300,
        ..Default::default()
    })
    .unwrap();
    let (layout, _) = r.layout(&letter).unwrap();
    assert!(layout.page_count() >= 200, "{} pages", layout.page_count());
}

#[test]
fn characters_missing_from_every_face_are_reported_and_the_pdf_stays_valid() {
    let mut letter = example("reply-39.json");
    letter.body.push_str("\n请关注办理进展😀。");
    let mut r = renderer();
    let out = r.render_pdf(&letter, &PdfOptions::default()).unwrap();
    assert!(out.report.missing.iter().any(|m| m.ch == '😀'));
    let msgs = out.report.messages_zh().join("\n");
    assert!(
        msgs.contains("U+1F600") && msgs.contains("请删除或改写"),
        "{msgs}"
    );
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("emoji.pdf");
    std::fs::write(&pdf, &out.output).unwrap();
    let (ok, _, _) = crate::support::run("qpdf", &["--check", pdf.to_str().unwrap()]);
    assert!(ok);
    let (_, fonts, _) = crate::support::run("pdffonts", &[pdf.to_str().unwrap()]);
    assert!(
        fonts.lines().skip(2).all(|l| l.contains(" yes yes ")),
        "{fonts}"
    );
}

#[test]
fn a_character_missing_from_the_chosen_face_falls_back_per_glyph() {
    // Ask for a Latin-only face as 仿宋: every Chinese character must then
    // come from another face, and the report must say so.
    let mut probe = LetterRenderer::new();
    let families = probe.installed_families();
    let latin = [
        "DejaVu Serif",
        "DejaVu Sans",
        "Liberation Serif",
        "Nimbus Roman",
        "FreeSerif",
    ]
    .into_iter()
    .find(|f| families.iter().any(|x| x == f))
    .expect("a Latin-only face (fonts-dejavu-core comes with fontconfig)");
    let mut opts = FontOptions::default();
    opts.preferred.insert(
        jianban_letter::layout::FaceKind::FangSong,
        vec![latin.to_string()],
    );
    let mut r = LetterRenderer::with_options(opts, LayoutSettings::default());
    let letter = example("reply-39.json");
    let out = r.render_pdf(&letter, &PdfOptions::default()).unwrap();
    let fb = &out.report.glyph_fallbacks;
    assert!(
        fb.iter().any(|f| f.ch == '您' && f.from_family == latin),
        "{fb:?}"
    );
    assert!(
        !fb.iter().any(|f| f.ch == '3'),
        "digits come from the Latin face"
    );
    assert!(out
        .report
        .messages_zh()
        .iter()
        .any(|m| m.contains("已改用")));
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("fallback.pdf");
    std::fs::write(&pdf, &out.output).unwrap();
    check_pdf(&pdf, &letter, out.pages);
}

#[test]
fn control_characters_are_removed() {
    let mut letter = example("reply-39.json");
    letter.body = "您好\u{7}，\u{1b}[31m请\u{0}查收\u{200b}。\t附件\u{feff}如下。".into();
    letter.title = "关于\u{8}答复".into();
    let cleaned = Letter { ..letter.clone() };
    let mut r = renderer();
    let out = r.render_pdf(&letter, &PdfOptions::default()).unwrap();
    let text = cleaned.plain_text();
    assert!(text.contains("您好，[31m请查收。 附件如下。"), "{text}");
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'));
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("ctrl.pdf");
    std::fs::write(&pdf, &out.output).unwrap();
    check_pdf(&pdf, &letter, out.pages);
}

#[test]
fn no_chinese_font_at_all_says_how_to_install_one() {
    let empty = tempfile::tempdir().unwrap();
    let opts = FontOptions {
        system_fonts: false,
        extra_dirs: vec![empty.path().to_path_buf()],
        ..Default::default()
    };
    let mut r = LetterRenderer::with_options(opts, LayoutSettings::default());
    let e = r
        .render_pdf(&example("reply-39.json"), &PdfOptions::default())
        .unwrap_err();
    assert_eq!(e.code(), "letter.no_cjk_font");
    let msg = e.to_string();
    assert!(
        msg.contains("apt install fonts-noto-cjk") && msg.contains("simfang.ttf"),
        "{msg}"
    );
}

#[test]
fn bad_settings_and_bad_seal_are_refused() {
    let mut r = renderer();
    let s = LayoutSettings {
        lines_per_page: 0,
        ..Default::default()
    };
    assert_eq!(r.set_settings(s).unwrap_err().code(), "letter.settings");
    let mut letter = example("reply-39.json");
    letter.seal = Some(b"not an image".to_vec());
    let e = r.render_pdf(&letter, &PdfOptions::default()).unwrap_err();
    assert_eq!(e.code(), "letter.seal_image");
}

//! Page preview as SVG, drawn from the same line boxes as the PDF.
//!
//! Every character gets its own x coordinate (`<text x="x1 x2 …">`), so the
//! webview cannot reflow anything: lines and pages break exactly where the
//! PDF breaks them, whatever font the webview ends up drawing with.

use std::fmt::Write as _;

use base64::Engine as _;

use crate::layout::{LetterLayout, PageLayout, TextStyle};

/// Names a CSS font-family list for a glyph's face and style.
pub type FamilyNamer<'a> = &'a dyn Fn(Option<u16>, TextStyle) -> String;

/// Generic CSS families per style, used after the real face's name.
pub fn generic_family(style: TextStyle) -> &'static str {
    match style {
        TextStyle::Body | TextStyle::EndBlock => "FangSong, 仿宋, serif",
        TextStyle::Title => "方正小标宋简体, 'Noto Serif CJK SC', serif",
        TextStyle::Heading1 | TextStyle::Mark => "SimHei, 黑体, sans-serif",
        TextStyle::Heading2 => "KaiTi, 楷体, serif",
        TextStyle::PageNumber => "SimSun, 宋体, serif",
    }
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

/// One SVG document per page. `seal` is the seal image (PNG/JPEG bytes).
pub fn pages_to_svg(
    layout: &LetterLayout,
    seal: Option<&[u8]>,
    family: FamilyNamer<'_>,
) -> Vec<String> {
    layout
        .pages
        .iter()
        .map(|p| page_to_svg(layout, p, seal, family))
        .collect()
}

fn mime(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(&[0xff, 0xd8]) {
        "image/jpeg"
    } else {
        "image/png"
    }
}

pub fn page_to_svg(
    layout: &LetterLayout,
    page: &PageLayout,
    seal: Option<&[u8]>,
    family: FamilyNamer<'_>,
) -> String {
    let s = &layout.settings;
    let (w, h) = (s.page_width_pt(), s.page_height_pt());
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}mm" height="{}mm" viewBox="0 0 {w:.2} {h:.2}" data-page="{}">"#,
        s.page_width_mm, s.page_height_mm, page.number
    );
    let _ = write!(
        out,
        r#"<rect width="{w:.2}" height="{h:.2}" fill="white"/>"#
    );
    for line in &page.lines {
        // One <text> per run of glyphs sharing style and face.
        let mut i = 0;
        let gs = &line.glyphs;
        while i < gs.len() {
            let mut j = i;
            while j < gs.len() && gs[j].style == gs[i].style && gs[j].face == gs[i].face {
                j += 1;
            }
            let run = &gs[i..j];
            let style = run[0].style;
            let size = style.size_pt(s);
            let mut xs = String::new();
            let mut text = String::new();
            for g in run {
                if !xs.is_empty() {
                    xs.push(' ');
                }
                let _ = write!(xs, "{:.2}", g.x);
                escape(&g.ch.to_string(), &mut text);
            }
            let mut fam = String::new();
            escape(&family(run[0].face, style), &mut fam);
            let _ = write!(
                out,
                r#"<text x="{xs}" y="{:.2}" font-size="{size}" font-family="{fam}" xml:space="preserve" data-role="{:?}">{text}</text>"#,
                line.baseline, line.role
            );
            i = j;
        }
    }
    for r in &page.rules {
        let _ = write!(
            out,
            r#"<line x1="{:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="black" stroke-width="{:.2}"/>"#,
            r.x0, r.y, r.x1, r.y, r.thickness
        );
    }
    if let Some(qr) = &page.qr {
        // One path of the same squares the PDF draws.
        let mut d = String::new();
        for (x, y, w, h) in qr.dark_runs() {
            let _ = write!(d, "M{x:.2} {y:.2}h{w:.2}v{h:.2}h{:.2}z", -w);
        }
        let _ = write!(
            out,
            r#"<path d="{d}" fill="black" shape-rendering="crispEdges" data-role="ApprovalQr"/>"#
        );
    }
    if let (Some(b), Some(bytes)) = (page.seal, seal) {
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        let _ = write!(
            out,
            r#"<image x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" preserveAspectRatio="xMidYMid meet" href="data:{};base64,{data}"/>"#,
            b.cx - b.size / 2.0,
            b.cy - b.size / 2.0,
            b.size,
            b.size,
            mime(bytes)
        );
    }
    out.push_str("</svg>");
    out
}

//! Golden tests on the layout: line boxes for given texts, font-free
//! (`GridMeasure`: CJK one cell, ASCII half an em). One `check()` helper;
//! each case is data.

use jianban_letter::layout::{layout_letter, LetterLayout, LineRole};
use jianban_letter::{GridMeasure, LayoutSettings, Letter};

/// One line per text line: page, grid row, role, indent in cells, text;
/// a trailing ⟩ marks a mark hanging into the margin.
fn render(layout: &LetterLayout) -> String {
    let s = &layout.settings;
    let left = s.margin_left_pt();
    let right = left + s.text_width_pt();
    let mut out = String::new();
    for p in &layout.pages {
        for l in &p.lines {
            if l.role == LineRole::PageNumber {
                out.push_str(&format!("p{} {:?} {}\n", p.number, l.role, l.text()));
                continue;
            }
            let (x0, x1) = l.extent();
            let indent = (x0 - left) / s.cell_pt();
            let hang = if x1 > right + 0.01 { "⟩" } else { "" };
            out.push_str(&format!(
                "p{}r{:02} {:?} +{:.1} {}{}\n",
                p.number,
                l.row.unwrap() + 1,
                l.role,
                indent,
                l.text(),
                hang
            ));
        }
    }
    out
}

fn body(paragraphs: &[&str]) -> Letter {
    Letter {
        body: paragraphs.join("\n"),
        ..Default::default()
    }
}

/// Lays out `letter` and compares the lines whose role is in `roles`
/// (all when empty) with `expected` (leading white space of each expected
/// line ignored).
fn check(letter: &Letter, roles: &[LineRole], expected: &str) {
    let layout = layout_letter(letter, &LayoutSettings::default(), &GridMeasure).unwrap();
    let got: Vec<String> = render(&layout)
        .lines()
        .filter(|l| roles.is_empty() || roles.iter().any(|r| l.contains(&format!(" {r:?} "))))
        .map(str::to_string)
        .collect();
    let want: Vec<String> = expected
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    assert_eq!(got, want, "\n--- got ---\n{}\n", got.join("\n"));
}

const B: &[LineRole] = &[LineRole::Body, LineRole::Heading];

/// 26 CJK characters: exactly the first line after the 2-cell indent.
const L26: &str = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火";

#[test]
fn closing_mark_hangs_instead_of_starting_a_line() {
    check(
        &body(&[&format!("{L26}，后文")]),
        B,
        &format!(
            "p1r02 Body +2.0 {L26}，⟩
             p1r03 Body +0.0 后文"
        ),
    );
}

#[test]
fn two_closing_marks_push_the_last_character_down() {
    // "。”" cannot both hang: the last character of the line goes down
    // with them, and the shortened line is justified.
    check(
        &body(&[&format!("{L26}。”后文")]),
        B,
        "p1r02 Body +2.0 甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水
         p1r03 Body +0.0 火。”后文",
    );
}

#[test]
fn opening_mark_never_ends_a_line() {
    check(
        &body(&["甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水《书名》"]),
        B,
        "p1r02 Body +2.0 甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水
         p1r03 Body +0.0 《书名》",
    );
}

#[test]
fn numbers_dates_phones_and_words_are_not_split() {
    // Each item would straddle the line end; it moves down whole.
    check(
        &body(&[
            "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥于2024年6月28日召开",
            "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金电话0557-1234567",
            "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水7798.22万元",
            "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水Apple公司",
            "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木占66.67%",
        ]),
        B,
        "p1r02 Body +2.0 甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥于
         p1r03 Body +0.0 2024年6月28日召开
         p1r04 Body +2.0 甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金电话
         p1r05 Body +0.0 0557-1234567
         p1r06 Body +2.0 甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水
         p1r07 Body +0.0 7798.22万元
         p1r08 Body +2.0 甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水
         p1r09 Body +0.0 Apple公司
         p1r10 Body +2.0 甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木占
         p1r11 Body +0.0 66.67%",
    );
}

#[test]
fn headings_are_recognised_and_set_in_their_faces() {
    use jianban_letter::TextStyle;
    let letter = body(&[
        "一、总体情况",
        "（一）交办。市政府坚持即收即交。",
        "1.联络员",
        "（1）沟通",
    ]);
    check(
        &letter,
        B,
        "p1r02 Heading +2.0 一、总体情况
         p1r03 Body +2.0 （一）交办。市政府坚持即收即交。
         p1r04 Heading +2.0 1.联络员
         p1r05 Heading +2.0 （1）沟通",
    );
    let layout = layout_letter(&letter, &LayoutSettings::default(), &GridMeasure).unwrap();
    let lines = layout.text_lines();
    let styles = |i: usize| -> Vec<TextStyle> { lines[i].glyphs.iter().map(|g| g.style).collect() };
    assert!(styles(1).iter().all(|s| *s == TextStyle::Heading1));
    // Run-in heading: 楷体 up to and including the first 。, then 仿宋.
    let st = styles(2);
    assert!(st[..6].iter().all(|s| *s == TextStyle::Heading2));
    assert!(st[6..].iter().all(|s| *s == TextStyle::Body));
    assert!(styles(3).iter().all(|s| *s == TextStyle::Body));
}

fn one_liners(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("第{}段。", i + 1)).collect()
}

#[test]
fn exactly_22_lines_fill_one_page() {
    // Row 1 is the disclosure line; 21 one-line paragraphs fill the page.
    let paras = one_liners(21);
    let refs: Vec<&str> = paras.iter().map(String::as_str).collect();
    let layout = layout_letter(&body(&refs), &LayoutSettings::default(), &GridMeasure).unwrap();
    assert_eq!(layout.page_count(), 1);
    let last = (*layout.text_lines().last().unwrap()).clone();
    assert_eq!((last.row, last.text()), (Some(21), "第21段。".to_string()));
}

#[test]
fn line_23_starts_page_two() {
    let paras = one_liners(22);
    let refs: Vec<&str> = paras.iter().map(String::as_str).collect();
    check(
        &body(&refs[19..]),
        &[],
        "p1r01 Disclosure +0.0 公开属性：主动公开
         p1r02 Body +2.0 第20段。
         p1r03 Body +2.0 第21段。
         p1r04 Body +2.0 第22段。
         p1 PageNumber — 1 —",
    );
    let layout = layout_letter(&body(&refs), &LayoutSettings::default(), &GridMeasure).unwrap();
    assert_eq!(layout.page_count(), 2);
    let p2 = &layout.pages[1];
    assert_eq!(p2.lines[0].row, Some(0));
    assert_eq!(p2.lines[0].text(), "第22段。");
    // Page numbers: odd right, even left, one character in.
    let s = &layout.settings;
    let pn = |i: usize| layout.pages[i].lines.last().unwrap().clone();
    let (l1, r1) = pn(0).extent();
    let (l2, _) = pn(1).extent();
    let right = s.margin_left_pt() + s.text_width_pt();
    assert!(
        (right - r1 - s.page_number_size_pt).abs() < 0.01,
        "{l1} {r1}"
    );
    assert!((l2 - s.margin_left_pt() - s.page_number_size_pt).abs() < 0.01);
    assert_eq!(pn(1).text(), "— 2 —");
}

#[test]
fn a_heading_never_stands_alone_at_the_foot_of_a_page() {
    // 20 paragraphs fill rows 2–21; the heading would land on row 22.
    let mut paras = one_liners(20);
    paras.push("二、下一步工作打算".into());
    paras.push("正文。".into());
    let refs: Vec<&str> = paras.iter().map(String::as_str).collect();
    let layout = layout_letter(&body(&refs), &LayoutSettings::default(), &GridMeasure).unwrap();
    assert_eq!(layout.page_count(), 2);
    let p2: Vec<String> = layout.pages[1]
        .lines
        .iter()
        .filter(|l| l.role != LineRole::PageNumber)
        .map(|l| l.text())
        .collect();
    assert_eq!(p2, ["二、下一步工作打算", "正文。"]);
    assert_eq!(
        layout.pages[0]
            .lines
            .iter()
            .filter(|l| l.role != LineRole::PageNumber)
            .count(),
        21
    );
}

#[test]
fn signature_stays_with_the_last_body_line_and_the_end_block_sits_at_the_foot() {
    let mut letter = body(&["答复正文。"]);
    letter.unit = "宿州市发展和改革委员会".into();
    letter.date = chrono::NaiveDate::from_ymd_opt(2024, 6, 28);
    letter.contact_person = "李四".into();
    letter.contact_phone = "0557-1234567".into();
    letter.cc = vec!["市人大常委会代表工委".into(), "市政府办公室".into()];
    check(
        &letter,
        &[],
        "p1r01 Disclosure +0.0 公开属性：主动公开
         p1r02 Body +2.0 答复正文。
         p1r05 Unit +15.2 宿州市发展和改革委员会
         p1r06 Date +17.5 2024年6月28日
         p1r07 Note +2.0 （联系人：李四，联系电话：0557-1234567）
         p1r22 EndBlock +0.9 抄送：市人大常委会代表工委，市政府办公室。
         p1 PageNumber — 1 —",
    );
    // With the body filling the page, the last body line moves with the
    // signature to page 2 rather than leaving it alone there.
    let paras = one_liners(21);
    let mut full = letter.clone();
    full.body = paras.join("\n");
    let layout = layout_letter(&full, &LayoutSettings::default(), &GridMeasure).unwrap();
    assert_eq!(layout.page_count(), 2);
    let p2 = &layout.pages[1].lines;
    assert_eq!(p2[0].text(), "第21段。");
    assert_eq!(p2[1].role, LineRole::Unit);
    assert_eq!(p2[1].row, Some(3));
    assert_eq!(layout.pages[1].rules.len(), 2);
}

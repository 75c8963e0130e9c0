use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use jianban_domain::*;
use jianban_stats::*;
use rust_xlsxwriter::Workbook;

use crate::data::*;

fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    book.worksheet_range(name)
        .unwrap()
        .rows()
        .map(|r| r.to_vec())
        .collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn the_figures_workbook_reads_back_with_the_same_figures() {
    let rows = source_year();
    let f = Figures::compute(
        &rows,
        Scope::City,
        date("2025-02-28"),
        &WorkingCalendar::national(),
    );
    let bytes = figures_xlsx(&f, "市政府系统代表建议办理统计").unwrap();
    let book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
    assert_eq!(
        book.sheet_names(),
        FIGURES_SHEETS.map(String::from).to_vec()
    );

    let cats = sheet(&bytes, "结果类别");
    assert_eq!(text(&cats[1][0]), "结果类别");
    for (i, c) in f.by_category.iter().enumerate() {
        let line = &cats[i + 2];
        assert!(text(&line[0]).starts_with(&format!("{}类", c.code)));
        assert_eq!(num(&line[1]), c.count as f64);
        assert_eq!(num(&line[2]), c.percent.as_f64());
    }
    assert_eq!(num(&cats[2][1]), 67.0);
    assert_eq!(num(&cats[2][2]), 33.33);
    assert_eq!(num(&cats[3][2]), 66.67);
    assert_eq!(text(&cats[6][0]), "合计");
    assert_eq!(num(&cats[6][1]), 201.0);

    let summary = sheet(&bytes, "概况");
    let find = |label: &str| {
        summary
            .iter()
            .find(|r| text(&r[0]) == label)
            .unwrap_or_else(|| panic!("no line {label}"))
            .clone()
    };
    assert_eq!(num(&find("承办建议（件）")[1]), 201.0);
    assert_eq!(num(&find("多个单位办理的建议（件）")[1]), 88.0);
    assert_eq!(num(&find("满意和基本满意 / 满意率")[3]), 100.0);
    assert_eq!(
        num(&find("平均答复用时（工作日）")[1]),
        f.avg_working_days_to_reply.unwrap()
    );

    let states = sheet(&bytes, "办理状态");
    let concluded = states.iter().find(|r| text(&r[0]) == "已办结").unwrap();
    assert_eq!(num(&concluded[1]), 289.0);
    assert_eq!(num(&concluded[2]), 100.0);

    let units = sheet(&bytes, "各单位");
    assert_eq!(units.len() - 2, f.by_unit.len());
    let total: f64 = units[2..].iter().map(|r| num(&r[1])).sum();
    assert_eq!(total, 289.0);

    let keys = sheet(&bytes, "重点建议");
    let numbers: Vec<f64> = keys[2..].iter().map(|r| num(&r[0])).collect();
    assert_eq!(numbers, [37.0, 39.0, 172.0, 196.0, 199.0]);
}

#[test]
fn the_ledger_lists_every_case_with_its_dates_and_results() {
    let mut rows: Vec<CaseRow> = source_year()
        .into_iter()
        .filter(|r| r.assignment.unit_id.as_str() == "fgw")
        .collect();
    // One late, open case with an extension.
    rows[0].case.state = CaseState::Drafting;
    rows[0].case.extension = Some(Extension {
        until: date("2024-07-31"),
        reason: "需要调研".into(),
    });
    rows[0].replied_on = None;
    let bytes = ledger_xlsx(
        &rows,
        "市发展改革委代表建议办理台账",
        date("2024-08-02"),
        &WorkingCalendar::national(),
    )
    .unwrap();
    let table = sheet(&bytes, "台账");
    assert!(text(&table[0][0]).starts_with("市发展改革委代表建议办理台账（截至2024年8月2日）"));
    let header: Vec<String> = table[1].iter().map(text).collect();
    assert_eq!(header, LEDGER_COLUMNS.map(String::from).to_vec());
    assert_eq!(table.len() - 2, rows.len());
    let col = |name: &str| LEDGER_COLUMNS.iter().position(|c| *c == name).unwrap();
    // Sorted by suggestion number: the first data line is the lowest number.
    let first = &table[2];
    let lowest = rows.iter().map(|r| r.suggestion_number).min().unwrap();
    assert_eq!(num(&first[col("建议号")]), lowest as f64);
    for line in &table[2..] {
        let n = num(&line[col("建议号")]) as u32;
        let r = rows.iter().find(|r| r.suggestion_number == n).unwrap();
        assert_eq!(text(&line[col("承办方式")]), r.assignment.role.label_zh());
        assert_eq!(text(&line[col("办理状态")]), r.case.state.label_zh());
        assert_eq!(
            text(&line[col("答复期限")]),
            r.case.deadlines.reply.to_string()
        );
        assert_eq!(
            text(&line[col("结果类别")]),
            r.category()
                .map_or(String::new(), |c| c.letter().to_string())
        );
        assert_eq!(
            text(&line[col("代表评价")]),
            r.case.evaluation.map_or("", |e| e.label_zh())
        );
    }
    let late = table[2..]
        .iter()
        .find(|l| num(&l[col("建议号")]) as u32 == rows[0].suggestion_number)
        .unwrap();
    assert_eq!(text(&late[col("延期至")]), "2024-07-31");
    assert_eq!(text(&late[col("当前期限")]), "2024-07-31");
    assert_eq!(num(&late[col("逾期工作日")]), 2.0);
}

fn workbook(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (r, cells) in rows.iter().enumerate() {
        for (c, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn suggestion_import_reports_each_bad_row_and_keeps_the_good_ones_apart() {
    let bytes = workbook(&[
        &["市六届人大三次会议代表建议目录"],
        &["建议号", "标题", "领衔代表", "附议代表", "重点建议"],
        &[
            "39",
            "关于推动我市民营经济高质量发展的建议",
            "张三",
            "李四、王五",
            "是",
        ],
        &["第40号", "关于规范医院过度检查的建议", "李四", "", ""],
        &["abc", "关于一件事的建议", "王五", "", ""],
        &["41", "", "王五", "", "也许"],
        &[],
        &["39", "重复的建议", "赵六", "", ""],
    ]);
    let parsed = parse_suggestions(&bytes).unwrap();
    assert_eq!(parsed.rows.len(), 2);
    assert_eq!(parsed.rows[0].number, 39);
    assert_eq!(parsed.rows[0].co_signers, ["李四", "王五"]);
    assert!(parsed.rows[0].is_key);
    assert_eq!(parsed.rows[1].number, 40);
    assert_eq!(parsed.rows[1].row, 4);
    let shown: Vec<String> = parsed.issues.iter().map(|i| i.to_string()).collect();
    assert_eq!(shown.len(), 4, "{shown:?}");
    assert!(
        shown[0].starts_with("第5行“建议号”列：“abc”不是有效的建议号，请填写正整数"),
        "{shown:?}"
    );
    assert!(
        shown[1].starts_with("第6行“标题”列：“标题”不能为空。"),
        "{shown:?}"
    );
    assert!(
        shown[2].starts_with("第6行“重点建议”列：“也许”无法识别，请填写“是”或“否”"),
        "{shown:?}"
    );
    assert!(
        shown[3].starts_with("第8行“建议号”列：第39号与第3行重复"),
        "{shown:?}"
    );
}

#[test]
fn evaluation_import_checks_every_row() {
    let bytes = workbook(&[
        &["代表评价", "承办单位", "建议号", "代表"],
        &["满意", "市发展改革委", "39", "张三"],
        &["基本满意", "市卫生健康委", "172", ""],
        &["很好", "市卫生健康委", "173", ""],
        &["满意", "", "174", ""],
        &["不满意", "市发展改革委", "39", ""],
    ]);
    let parsed = parse_evaluations(&bytes).unwrap();
    assert_eq!(parsed.rows.len(), 2);
    assert_eq!(parsed.rows[0].evaluation, Evaluation::Satisfied);
    assert_eq!(parsed.rows[0].deputy, "张三");
    assert_eq!(parsed.rows[1].evaluation, Evaluation::BasicallySatisfied);
    let rows: Vec<(u32, Option<&str>)> = parsed
        .issues
        .iter()
        .map(|i| (i.row, i.column.as_deref()))
        .collect();
    assert_eq!(
        rows,
        [
            (4, Some("代表评价")),
            (5, Some("承办单位")),
            (6, Some("建议号"))
        ]
    );
    assert!(parsed.issues[0]
        .message
        .contains("请填写“满意”“基本满意”或“不满意”"));
}

#[test]
fn a_file_with_wrong_columns_is_refused_whole() {
    let bytes = workbook(&[
        &["建议号", "承办单位", "评分"],
        &["39", "市发展改革委", "90"],
    ]);
    let err = parse_evaluations(&bytes).unwrap_err();
    assert_eq!(err.code(), "import.columns");
    let msg = err.to_string();
    assert!(msg.contains("未知的列“评分”"), "{msg}");
    assert!(msg.contains("缺少必填列“代表评价”"), "{msg}");
    assert!(
        msg.contains("建议号*、承办单位*、代表评价*、代表、备注"),
        "{msg}"
    );
    let err = parse_suggestions(b"not a workbook").unwrap_err();
    assert_eq!(err.code(), "import.unreadable");
    assert!(err.to_string().contains("请确认文件为.xlsx格式"));
}

/// A workbook written by hand: one sheet with the given `<sheetData>` and
/// `<dimension>`, stored uncompressed so a test can say exactly what it holds.
fn raw_workbook(dimension: &str, sheet_data: &str) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let files = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>"#
            ),
        ),
    ];
    for (name, body) in files {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

fn inline(cell: &str, text: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

#[test]
fn a_sheet_with_a_cell_far_away_is_refused_without_building_its_rectangle() {
    // The finding: A1 and XFD1048576 made the reader allocate the whole
    // declared rectangle (512 GiB) and aborted the server. Now the far cell is
    // refused with a message that says where it is and what to do.
    let data = format!(
        r#"<row r="1">{}</row><row r="1048576">{}</row>"#,
        inline("A1", "建议号"),
        inline("XFD1048576", "x")
    );
    let bytes = raw_workbook("A1:XFD1048576", &data);
    assert!(
        bytes.len() < 4096,
        "the attack file is small: {}",
        bytes.len()
    );
    let err = read_first_sheet(&bytes).unwrap_err();
    assert_eq!(err.code(), "import.too_large");
    let msg = err.to_string();
    assert!(msg.contains("第1048576行XFD列有内容"), "{msg}");
    assert!(msg.contains("最多100000行、64列"), "{msg}");
    assert_eq!(
        parse_suggestions(&bytes).unwrap_err().code(),
        "import.too_large"
    );

    // A declared dimension alone costs nothing: the cells are what count.
    let data = format!(
        r#"<row r="1">{}{}{}</row><row r="2">{}{}{}</row>"#,
        inline("A1", "建议号"),
        inline("B1", "标题"),
        inline("C1", "领衔代表"),
        inline("A2", "39"),
        inline("B2", "关于推动我市民营经济高质量发展的建议"),
        inline("C2", "张三")
    );
    let parsed = parse_suggestions(&raw_workbook("A1:XFD1048576", &data)).unwrap();
    assert_eq!(parsed.rows.len(), 1);
    assert_eq!(parsed.rows[0].number, 39);
}

#[test]
fn rows_keep_their_excel_numbers_across_gaps_and_columns_their_places() {
    let data = format!(
        r#"<row r="3">{}{}{}</row><row r="9">{}{}{}</row>"#,
        inline("B3", "建议号"),
        inline("C3", "标题"),
        inline("D3", "领衔代表"),
        inline("B9", "40"),
        inline("C9", "关于规范医院过度检查的建议"),
        inline("D9", "李四")
    );
    let sheet = read_first_sheet(&raw_workbook("B3:D9", &data)).unwrap();
    assert_eq!(sheet.len(), 2);
    assert_eq!(sheet[0].0, 3);
    assert_eq!(sheet[0].1, ["", "建议号", "标题", "领衔代表"]);
    assert_eq!(sheet[1].0, 9);
    let parsed = parse_suggestions(&raw_workbook("B3:D9", &data)).unwrap();
    assert_eq!(parsed.rows[0].row, 9);
    assert_eq!(parsed.rows[0].lead_deputy, "李四");
}

#[test]
fn a_workbook_that_unpacks_to_more_than_the_limit_is_refused_before_unpacking() {
    use std::io::Write;
    // 200 MB of zeros deflate to about 200 KB: the upload is small, the
    // unpacked sheet is not. The directory says so before anything unpacks.
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("xl/sharedStrings.xml", opts).unwrap();
    let block = vec![b' '; 1 << 20];
    for _ in 0..200 {
        zip.write_all(&block).unwrap();
    }
    zip.finish().unwrap();
    let bytes = out.into_inner();
    assert!(bytes.len() < 2 << 20, "{}", bytes.len());
    let err = read_first_sheet(&bytes).unwrap_err();
    assert_eq!(err.code(), "import.too_large");
    assert!(err.to_string().contains("解压后超过128 MB"), "{err}");
}

//! Excel in: the office's suggestion list and the deputies' evaluations
//! from `.xlsx`, checked row by row.
//!
//! The first row that holds the first required column name is the header
//! (a title line above it is allowed); columns may come in any order. Every
//! other non-empty row is one record. A bad row is reported with its row
//! number as Excel shows it, the column, what is wrong and what to do; the
//! good rows are returned beside the bad ones, and the caller decides (the
//! server imports nothing while any row is bad).
//!
//! Suggestion list columns (the same as the server's CSV/.xlsx import):
//! 建议号*, 标题*, 领衔代表*, 代表团, 附议代表, 内容, 重点建议, 急办.
//! Evaluation columns: 建议号*, 承办单位*, 代表评价*, 代表, 备注.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Reader};
use serde::Serialize;

use jianban_domain::validate::{check_line, check_required_line, check_text};
use jianban_domain::Evaluation;

/// One problem in one row (or in the header, row 1 or wherever it is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowIssue {
    /// The row number Excel shows (1-based).
    pub row: u32,
    /// The column name, when the problem is in one cell.
    pub column: Option<String>,
    /// What is wrong and what to do, in Chinese.
    pub message: String,
}

impl std::fmt::Display for RowIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "第{}行“{}”列：{}", self.row, c, self.message),
            None => write!(f, "第{}行：{}", self.row, self.message),
        }
    }
}

/// The rows that passed, and every problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parsed<T> {
    pub rows: Vec<T>,
    pub issues: Vec<RowIssue>,
}

impl<T> Parsed<T> {
    pub fn is_clean(&self) -> bool {
        self.issues.is_empty()
    }
}

/// Why a whole file was refused (nothing in it is used).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("无法读取Excel文件：{0}。请确认文件为.xlsx格式、未加密，并在Excel中另存后重试。")]
    Unreadable(String),
    #[error("文件中没有数据：第一行应为列名（{0}），其下每行一条记录。")]
    Empty(String),
    #[error("列名不符合导入格式：{}。列名应为：{expected}（带*的必填）。", .issues.iter().map(|i| i.message.clone()).collect::<Vec<_>>().join("；"))]
    Columns {
        issues: Vec<RowIssue>,
        expected: String,
    },
    #[error(
        "Excel文件过大：{0}。请只保留要导入的工作表和数据（可将数据复制到新建的工作簿），再导入。"
    )]
    TooLarge(String),
}

impl ImportError {
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Unreadable(_) => "import.unreadable",
            ImportError::Empty(_) => "import.empty",
            ImportError::Columns { .. } => "import.columns",
            ImportError::TooLarge(_) => "import.too_large",
        }
    }

    /// The header problems, for a row-level report.
    pub fn issues(&self) -> &[RowIssue] {
        match self {
            ImportError::Columns { issues, .. } => issues,
            _ => &[],
        }
    }
}

/// A suggestion as listed by the office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuggestionRow {
    pub row: u32,
    pub number: u32,
    pub title: String,
    pub lead_deputy: String,
    pub delegation: String,
    pub co_signers: Vec<String>,
    pub text: String,
    pub is_key: bool,
    pub is_urgent: bool,
}

/// A deputy's evaluation of one unit's reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluationRow {
    pub row: u32,
    pub suggestion_number: u32,
    pub unit_name: String,
    pub evaluation: Evaluation,
    pub deputy: String,
    pub note: String,
}

pub const SUGGESTION_COLUMNS: [&str; 8] = [
    "建议号",
    "标题",
    "领衔代表",
    "代表团",
    "附议代表",
    "内容",
    "重点建议",
    "急办",
];
const SUGGESTION_REQUIRED: [&str; 3] = ["建议号", "标题", "领衔代表"];
pub const EVALUATION_COLUMNS: [&str; 5] = ["建议号", "承办单位", "代表评价", "代表", "备注"];
const EVALUATION_REQUIRED: [&str; 3] = ["建议号", "承办单位", "代表评价"];

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// The most a workbook may hold once unpacked. The upload itself is small
/// (the server caps the body); this bounds what its zip can expand to.
pub const MAX_UNPACKED_BYTES: u64 = 128 * 1024 * 1024;
/// The most rows a sheet may use (a province's suggestions of one session
/// fit many times over).
pub const MAX_ROWS: u32 = 100_000;
/// The most columns a sheet may use (the lists have at most eight).
pub const MAX_COLUMNS: u32 = 64;
/// The most non-empty cells a sheet may hold.
pub const MAX_CELLS: usize = 1_000_000;

/// Excel's name of a 0-based column: 0 → A, 26 → AA.
fn column_name(mut col: u32) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// Refuses a zip whose entries unpack to more than [`MAX_UNPACKED_BYTES`],
/// before anything is unpacked (sizes from the central directory).
fn check_unpacked_size(bytes: &[u8]) -> Result<(), ImportError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ImportError::Unreadable(e.to_string()))?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| ImportError::Unreadable(e.to_string()))?;
        total = total.saturating_add(entry.size());
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(ImportError::TooLarge(format!(
            "解压后超过{} MB",
            MAX_UNPACKED_BYTES / (1024 * 1024)
        )));
    }
    Ok(())
}

/// The first worksheet as text cells, with each row's Excel row number;
/// rows without any text are left out.
///
/// The sheet is read cell by cell and never as one rectangle: a sheet that
/// declares (or uses) a cell far away, say A1 and XFD1048576, would make a
/// rectangle of billions of cells. Every cell's position is checked against
/// [`MAX_ROWS`] and [`MAX_COLUMNS`] as it arrives, so such a file is refused
/// after reading its first far-away cell, having allocated nothing for it.
pub fn read_first_sheet(bytes: &[u8]) -> Result<Vec<(u32, Vec<String>)>, ImportError> {
    check_unpacked_size(bytes)?;
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes))
        .map_err(|e| ImportError::Unreadable(e.to_string()))?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| ImportError::Unreadable("工作簿中没有工作表".into()))?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| ImportError::Unreadable(e.to_string()))?;
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut count = 0usize;
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| ImportError::Unreadable(e.to_string()))?
    {
        let (row, col) = cell.get_position();
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(ImportError::TooLarge(format!(
                "第{}行{}列有内容，超出可导入的范围（最多{MAX_ROWS}行、{MAX_COLUMNS}列）",
                row + 1,
                column_name(col)
            )));
        }
        count += 1;
        if count > MAX_CELLS {
            return Err(ImportError::TooLarge(format!(
                "有内容的单元格超过{MAX_CELLS}个"
            )));
        }
        let cells = rows.entry(row + 1).or_default();
        let col = col as usize;
        if cells.len() <= col {
            cells.resize(col + 1, String::new());
        }
        cells[col] = text;
    }
    Ok(rows.into_iter().collect())
}

struct Table {
    cols: HashMap<&'static str, usize>,
    rows: Vec<(u32, Vec<String>)>,
}

impl Table {
    fn get(&self, cells: &[String], col: &str) -> String {
        self.cols
            .get(col)
            .and_then(|i| cells.get(*i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    }
}

fn expected(all: &[&str], required: &[&str]) -> String {
    all.iter()
        .map(|c| {
            if required.contains(c) {
                format!("{c}*")
            } else {
                c.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn table(
    sheet: Vec<(u32, Vec<String>)>,
    all: &'static [&'static str],
    required: &'static [&'static str],
) -> Result<Table, ImportError> {
    let blank = |r: &[String]| r.iter().all(|c| c.trim().is_empty());
    let Some(pos) = sheet
        .iter()
        .position(|(_, r)| r.iter().any(|c| c.trim() == required[0]))
        .or_else(|| sheet.iter().position(|(_, r)| !blank(r)))
    else {
        return Err(ImportError::Empty(expected(all, required)));
    };
    let (header_row, header) = &sheet[pos];
    let mut cols = HashMap::new();
    let mut issues = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        match all.iter().find(|c| **c == name) {
            Some(c) if cols.insert(*c, i).is_some() => issues.push(RowIssue {
                row: *header_row,
                column: Some(name.into()),
                message: format!("列“{name}”重复出现，请删去多余的一列"),
            }),
            Some(_) => {}
            None => issues.push(RowIssue {
                row: *header_row,
                column: Some(name.into()),
                message: format!("未知的列“{name}”，请改为规定的列名或删去此列"),
            }),
        }
    }
    for r in required {
        if !cols.contains_key(r) {
            issues.push(RowIssue {
                row: *header_row,
                column: Some(r.to_string()),
                message: format!("缺少必填列“{r}”，请在第一行加上此列"),
            });
        }
    }
    if !issues.is_empty() {
        return Err(ImportError::Columns {
            issues,
            expected: expected(all, required),
        });
    }
    let rows: Vec<(u32, Vec<String>)> = sheet[pos + 1..]
        .iter()
        .filter(|(_, r)| !blank(r))
        .cloned()
        .collect();
    if rows.is_empty() {
        return Err(ImportError::Empty(expected(all, required)));
    }
    Ok(Table { cols, rows })
}

fn issue(row: u32, column: &str, message: String) -> RowIssue {
    RowIssue {
        row,
        column: Some(column.into()),
        message,
    }
}

fn number(row: u32, text: &str) -> Result<u32, RowIssue> {
    match text
        .trim_start_matches('第')
        .trim_end_matches('号')
        .parse::<u32>()
    {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(issue(
            row,
            "建议号",
            if text.is_empty() {
                "建议号为空，请填写正整数，如39".into()
            } else {
                format!("“{text}”不是有效的建议号，请填写正整数，如39或第39号")
            },
        )),
    }
}

fn flag(v: &str) -> Option<bool> {
    match v.trim() {
        "" | "否" | "N" | "n" | "0" | "FALSE" | "false" => Some(false),
        "是" | "Y" | "y" | "1" | "TRUE" | "true" => Some(true),
        _ => None,
    }
}

/// Reads the office's suggestion list.
pub fn parse_suggestions(bytes: &[u8]) -> Result<Parsed<SuggestionRow>, ImportError> {
    parse_suggestion_table(read_first_sheet(bytes)?)
}

/// Checks a suggestion list already read into text cells, each row with its
/// row number (the server reads CSV this way, so both formats share these
/// rules).
pub fn parse_suggestion_table(
    sheet: Vec<(u32, Vec<String>)>,
) -> Result<Parsed<SuggestionRow>, ImportError> {
    let t = table(sheet, &SUGGESTION_COLUMNS, &SUGGESTION_REQUIRED)?;
    let mut rows = Vec::new();
    let mut issues = Vec::new();
    let mut seen: HashMap<u32, u32> = HashMap::new();
    for (line, cells) in &t.rows {
        let line = *line;
        let get = |c| t.get(cells, c);
        let mut bad = Vec::new();
        let n = number(line, &get("建议号")).map_err(|e| bad.push(e)).ok();
        for (col, required) in [("标题", true), ("领衔代表", true), ("代表团", false)] {
            let v = get(col);
            let checked = if required {
                check_required_line(col, &v)
            } else {
                check_line(col, &v)
            };
            if let Err(e) = checked {
                bad.push(issue(
                    line,
                    col,
                    format!("{e}请在Excel中修改此单元格后重新导入"),
                ));
            }
        }
        let text = get("内容");
        if let Err(e) = check_text("内容", &text) {
            bad.push(issue(line, "内容", e.to_string()));
        }
        let co_signers: Vec<String> = get("附议代表")
            .split(['、', ',', '，', ';', '；'])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if co_signers
            .iter()
            .any(|c| check_required_line("附议代表", c).is_err())
        {
            bad.push(issue(
                line,
                "附议代表",
                "附议代表姓名含换行或不可见字符，请用顿号“、”分隔姓名".into(),
            ));
        }
        let mut flags = [false; 2];
        for (i, col) in ["重点建议", "急办"].into_iter().enumerate() {
            match flag(&get(col)) {
                Some(v) => flags[i] = v,
                None => bad.push(issue(
                    line,
                    col,
                    format!("“{}”无法识别，请填写“是”或“否”（留空视为否）", get(col)),
                )),
            }
        }
        if let Some(n) = n {
            if let Some(first) = seen.insert(n, line) {
                bad.push(issue(
                    line,
                    "建议号",
                    format!("第{n}号与第{first}行重复，请核对建议号，每件建议只列一行"),
                ));
            }
        }
        if !bad.is_empty() {
            issues.extend(bad);
            continue;
        }
        rows.push(SuggestionRow {
            row: line,
            number: n.unwrap_or_default(),
            title: get("标题"),
            lead_deputy: get("领衔代表"),
            delegation: get("代表团"),
            co_signers,
            text,
            is_key: flags[0],
            is_urgent: flags[1],
        });
    }
    Ok(Parsed { rows, issues })
}

fn evaluation(text: &str) -> Option<Evaluation> {
    match text.trim() {
        "满意" => Some(Evaluation::Satisfied),
        "基本满意" => Some(Evaluation::BasicallySatisfied),
        "不满意" => Some(Evaluation::Dissatisfied),
        _ => None,
    }
}

/// Reads the deputies' evaluations (征询意见表汇总).
pub fn parse_evaluations(bytes: &[u8]) -> Result<Parsed<EvaluationRow>, ImportError> {
    let t = table(
        read_first_sheet(bytes)?,
        &EVALUATION_COLUMNS,
        &EVALUATION_REQUIRED,
    )?;
    let mut rows = Vec::new();
    let mut issues = Vec::new();
    let mut seen: HashSet<(u32, String)> = HashSet::new();
    for (line, cells) in &t.rows {
        let line = *line;
        let get = |c| t.get(cells, c);
        let mut bad = Vec::new();
        let n = number(line, &get("建议号")).map_err(|e| bad.push(e)).ok();
        let unit = get("承办单位");
        if let Err(e) = check_required_line("承办单位", &unit) {
            bad.push(issue(
                line,
                "承办单位",
                format!("{e}请填写承办单位的全称，如市发展改革委"),
            ));
        }
        let e_text = get("代表评价");
        let e = evaluation(&e_text);
        if e.is_none() {
            bad.push(issue(
                line,
                "代表评价",
                if e_text.is_empty() {
                    "代表评价为空，请填写“满意”“基本满意”或“不满意”".into()
                } else {
                    format!("“{e_text}”不是有效的评价，请填写“满意”“基本满意”或“不满意”")
                },
            ));
        }
        for col in ["代表", "备注"] {
            if let Err(err) = check_line(col, &get(col)) {
                bad.push(issue(
                    line,
                    col,
                    format!("{err}请在Excel中修改此单元格后重新导入"),
                ));
            }
        }
        if let Some(n) = n {
            if !unit.is_empty() && !seen.insert((n, unit.clone())) {
                bad.push(issue(
                    line,
                    "建议号",
                    format!("第{n}号对{unit}的评价重复出现，请只保留一行"),
                ));
            }
        }
        match (bad.is_empty(), n, e) {
            (true, Some(n), Some(e)) => rows.push(EvaluationRow {
                row: line,
                suggestion_number: n,
                unit_name: unit,
                evaluation: e,
                deputy: get("代表"),
                note: get("备注"),
            }),
            _ => issues.extend(bad),
        }
    }
    Ok(Parsed { rows, issues })
}

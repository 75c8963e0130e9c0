//! 统计: this PC's unit's figures of one session, the year's report as an
//! editable draft, and the files: the figures workbook (.xlsx), the report
//! with the figures (.pdf), the report alone as Word (.docx) and the ledger
//! (台账, .xlsx). The numbers, the text and the files come from
//! `jianban-stats` (the server runs the same code); this module only reads
//! the rows from the store and picks the unit.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use jianban_domain::{Session, UnitId};
use jianban_letter::{Letter, PdfOptions};
use jianban_stats::{Figures, ReportContext, Scope};
use jianban_store::{StatsInput, Store, StoreError};

use crate::dto::{ReportDraftView, StatsExport, StatsView};
use crate::error::CommandError;
use crate::state::{self, AppState};

/// What a statistics export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsFormat {
    /// The figures workbook, one sheet per table.
    Xlsx,
    /// The (edited) report followed by the figures.
    Pdf,
    /// The (edited) report alone, to go on editing in Word.
    Docx,
    /// The ledger (台账): one line per case.
    Ledger,
}

impl StatsFormat {
    /// `xlsx`, `pdf` or `docx` (the ledger has its own command).
    pub fn parse(s: &str) -> Result<Self, CommandError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "xlsx" => Ok(Self::Xlsx),
            "pdf" => Ok(Self::Pdf),
            "docx" => Ok(Self::Docx),
            _ => Err(CommandError::new(
                "input.format",
                "统计只能导出为 Excel（xlsx）、PDF（pdf）或 Word（docx），请重新选择。",
            )),
        }
    }

    pub fn ext(self) -> &'static str {
        match self {
            Self::Xlsx | Self::Ledger => "xlsx",
            Self::Pdf => "pdf",
            Self::Docx => "docx",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Ledger => "ledger",
            other => other.ext(),
        }
    }

    /// The save dialog's title.
    pub fn dialog_title(self) -> &'static str {
        match self {
            Self::Xlsx => "导出统计（Excel）",
            Self::Pdf => "导出统计（PDF）",
            Self::Docx => "导出办理情况报告（Word）",
            Self::Ledger => "导出办理台账（Excel）",
        }
    }

    /// What the file is called after the year: 2024年代表建议办理统计.
    fn what(self) -> &'static str {
        match self {
            Self::Xlsx | Self::Pdf => "代表建议办理统计",
            Self::Docx => "代表建议办理情况报告",
            Self::Ledger => "代表建议办理台账",
        }
    }
}

/// The rows of one session of this PC's unit, read in one go.
struct Loaded {
    input: StatsInput,
    sessions: Vec<Session>,
    unit_name: String,
    as_of: NaiveDate,
    figures: Figures,
    calendar: jianban_domain::WorkingCalendar,
}

impl Loaded {
    fn report(&self) -> String {
        let s = &self.input.session;
        let ctx = ReportContext::new(s.year, &self.unit_name, &s.name);
        jianban_stats::report_text(&self.figures, &ctx)
    }

    /// 市住房城乡建设局市六届人大三次会议代表建议办理台账 (as the server names it).
    fn heading(&self, what: &str) -> String {
        format!(
            "{}{}代表建议{what}",
            self.unit_name, self.input.session.name
        )
    }
}

fn no_session() -> CommandError {
    CommandError::new(
        "stats.no_session",
        "本机还没有任何会议的代表建议，暂无统计。请先在状态栏点击“立即同步”，收到交办件后再查看。",
    )
}

fn unknown_session(id: &str) -> CommandError {
    CommandError::new(
        "stats.unknown_session",
        format!("本机没有会议“{id}”的数据，请在会议列表中重新选择。"),
    )
}

fn no_unit() -> CommandError {
    CommandError::new(
        "stats.no_unit",
        "当前账号未关联承办单位，无法统计本单位的办理情况。请联系管理员在平台上为账号设置承办单位后重新登录。",
    )
}

/// The unit of the person working on this PC.
fn own_unit(state: &AppState) -> Result<UnitId, CommandError> {
    state.with_inner(|inner| {
        let user = inner.user.as_ref().ok_or_else(state::not_logged_in)?;
        user.unit.clone().ok_or_else(no_unit)
    })
}

fn load(state: &AppState, session: Option<&str>) -> Result<Loaded, CommandError> {
    let unit_id = own_unit(state)?;
    let session = session.map(str::trim).filter(|s| !s.is_empty());
    let as_of = super::today();
    state.with_store_cmd(|s: &mut Store| {
        let input = match s.stats_input(session, Some(unit_id.as_str())) {
            Ok(Some(input)) => input,
            Ok(None) => return Err(no_session()),
            Err(StoreError::NotFound { .. }) => {
                return Err(unknown_session(session.unwrap_or_default()))
            }
            Err(e) => return Err(e.into()),
        };
        let unit_name = s.unit_name(&unit_id)?;
        let sessions = s.sessions()?;
        let calendar = s.calendar().clone();
        let scope = Scope::Unit {
            unit_id: unit_id.to_string(),
            unit_name: unit_name.clone(),
        };
        let figures = Figures::compute(&input.rows, scope, as_of, &calendar);
        Ok(Loaded {
            input,
            sessions,
            unit_name,
            as_of,
            figures,
            calendar,
        })
    })
}

/// The unit's figures of `session` (default: the newest), as of today.
pub fn figures(state: &AppState, session: Option<&str>) -> Result<StatsView, CommandError> {
    let l = load(state, session)?;
    Ok(StatsView::of(
        &l.figures,
        &l.input.session,
        &l.sessions,
        &l.unit_name,
    ))
}

/// The year's report of the unit, generated from today's figures, to edit.
pub fn report(state: &AppState, session: Option<&str>) -> Result<ReportDraftView, CommandError> {
    let l = load(state, session)?;
    Ok(ReportDraftView {
        session_id: l.input.session.id.to_string(),
        as_of: l.as_of.format("%Y-%m-%d").to_string(),
        text: l.report(),
    })
}

/// Characters a file name cannot hold become `_`.
fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// `2024年代表建议办理统计-市住房城乡建设局.xlsx`.
pub fn file_name(year: i32, unit_name: &str, format: StatsFormat) -> String {
    format!(
        "{year}年{}-{}.{}",
        format.what(),
        file_safe(unit_name),
        format.ext()
    )
}

/// The default file name of an export of `session` (default: the newest).
pub fn export_name(
    state: &AppState,
    session: Option<&str>,
    format: StatsFormat,
) -> Result<String, CommandError> {
    let unit_id = own_unit(state)?;
    let session = session.map(str::trim).filter(|s| !s.is_empty());
    state.with_store_cmd(|s| {
        let sessions = s.sessions()?;
        let year = match session {
            Some(id) => sessions
                .iter()
                .find(|x| x.id.as_str() == id)
                .map(|x| x.year)
                .ok_or_else(|| unknown_session(id))?,
            None => sessions
                .iter()
                .map(|x| x.year)
                .max()
                .ok_or_else(no_session)?,
        };
        Ok(file_name(year, &s.unit_name(&unit_id)?, format))
    })
}

/// `path` with the format's extension (a name typed without it gets it).
fn with_extension(path: &Path, ext: &str) -> PathBuf {
    let has = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext));
    if has {
        path.to_path_buf()
    } else {
        let mut name = path.as_os_str().to_owned();
        name.push(format!(".{ext}"));
        PathBuf::from(name)
    }
}

/// The report's first line is its title; the paragraphs follow, one a line.
fn report_letter(text: &str, unit: &str, date: NaiveDate) -> Letter {
    let mut paras = text.split('\n').map(str::trim).filter(|p| !p.is_empty());
    let title = paras.next().unwrap_or_default().to_string();
    Letter {
        title,
        body: paras.collect::<Vec<_>>().join("\n"),
        unit: unit.to_string(),
        date: Some(date),
        ..Default::default()
    }
}

/// Writes the export of `session` to `path` (its extension added when
/// missing). `report` is the report as edited in the window; without one
/// (or when it is blank) the generated report is used.
pub fn export_to(
    state: &AppState,
    session: Option<&str>,
    format: StatsFormat,
    report: Option<&str>,
    path: &Path,
) -> Result<StatsExport, CommandError> {
    let l = load(state, session)?;
    let report = report
        .filter(|r| !r.trim().is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| l.report());
    let (bytes, subs) = match format {
        StatsFormat::Xlsx => (
            jianban_stats::figures_xlsx(&l.figures, &l.heading("办理情况统计"))?,
            vec![],
        ),
        // The rows are this unit's only (read for it).
        StatsFormat::Ledger => (
            jianban_stats::ledger_xlsx(
                &l.input.rows,
                &l.heading("办理台账"),
                l.as_of,
                &l.calendar,
            )?,
            vec![],
        ),
        StatsFormat::Pdf => state.with_renderer(|r| {
            let out = jianban_stats::figures_pdf(
                &l.figures,
                &report,
                &l.unit_name,
                r,
                &PdfOptions::default(),
            )?;
            Ok((out.output, super::font_substitutions(&out.report)))
        })?,
        StatsFormat::Docx => state.with_renderer(|r| {
            let out = r.render_docx(&report_letter(&report, &l.unit_name, l.as_of))?;
            Ok((out.output, super::font_substitutions(&out.report)))
        })?,
    };
    let path = with_extension(path, format.ext());
    crate::export::write_file(&path, &bytes)?;
    tracing::info!(format = format.code(), path = %path.display(), "statistics exported");
    Ok(StatsExport {
        path: path.display().to_string(),
        format: format.code().to_owned(),
        substitutions: subs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::AppState;

    fn demo_state() -> (tempfile::TempDir, AppState) {
        let tmp = tempfile::tempdir().unwrap();
        let state = AppState::open(tmp.path().to_path_buf(), &crate::secrets::NoCredentialStore);
        (tmp, state)
    }

    /// Works as the liaison of `unit` from the demo set.
    fn work_as(state: &AppState, user: &str) {
        let demo = jianban_domain::demo::demo_data();
        let actor = demo
            .users
            .iter()
            .find(|u| u.id.as_str() == user)
            .unwrap()
            .actor();
        state
            .with_inner(|inner| {
                inner.user = Some(actor);
                Ok(())
            })
            .unwrap();
    }

    fn expected(state: &AppState, unit: &str) -> (StatsInput, Figures) {
        state
            .with_store(|s| {
                let input = s.stats_input(None, Some(unit)).unwrap().unwrap();
                let f = Figures::compute(
                    &input.rows,
                    Scope::Unit {
                        unit_id: unit.into(),
                        unit_name: s.unit_name(&UnitId::new(unit)).unwrap(),
                    },
                    super::super::today(),
                    s.calendar(),
                );
                Ok((input, f))
            })
            .unwrap()
    }

    #[test]
    fn the_figures_of_zjj_are_what_the_stats_crate_computes_from_its_rows() {
        let (_tmp, state) = demo_state();
        work_as(&state, "zjj-liaison");
        let view = figures(&state, None).unwrap();
        let (input, f) = expected(&state, "zjj");
        assert!(!input.rows.is_empty(), "zjj handles demo cases");
        let sessions = state.with_store(|s| s.sessions()).unwrap();
        assert_eq!(
            view,
            StatsView::of(&f, &input.session, &sessions, "市住房城乡建设局")
        );
        assert_eq!(view.unit_name, "市住房城乡建设局");
        assert_eq!(view.assignments as usize, input.rows.len());
        // Shares of a whole add up to 100.00% and are shown with two decimals.
        for list in [&view.by_state, &view.by_role, &view.by_category] {
            let total: u32 = list.iter().map(|c| c.count).sum();
            if total > 0 {
                let sum: f64 = list.iter().map(|c| c.value).sum();
                assert!((sum - 100.0).abs() < 1e-9, "{list:?}");
            }
            for c in list.iter() {
                let (whole, frac) = c.percent.trim_end_matches('%').split_once('.').unwrap();
                assert!(
                    whole.parse::<u32>().is_ok() && frac.len() == 2,
                    "{}",
                    c.percent
                );
            }
        }
        // The same session asked for by id gives the same figures.
        let again = figures(&state, Some(view.session.id.as_str())).unwrap();
        assert_eq!(again, view);
        // Another unit sees its own figures.
        work_as(&state, "fgw-liaison");
        let fgw = figures(&state, None).unwrap();
        assert_eq!(fgw.unit_name, "市发展改革委");
        assert_eq!(
            fgw.assignments as usize,
            expected(&state, "fgw").0.rows.len()
        );
    }

    #[test]
    fn the_report_is_the_stats_crate_s_text_for_the_unit() {
        let (_tmp, state) = demo_state();
        work_as(&state, "zjj-liaison");
        let draft = report(&state, None).unwrap();
        let (input, f) = expected(&state, "zjj");
        let ctx = ReportContext::new(input.session.year, "市住房城乡建设局", &input.session.name);
        assert_eq!(draft.text, jianban_stats::report_text(&f, &ctx));
        assert_eq!(draft.session_id, input.session.id.to_string());
        assert!(
            draft
                .text
                .contains(&format!("{}年，市住房城乡建设局共承办", input.session.year)),
            "{}",
            draft.text
        );
    }

    #[test]
    fn unknown_session_no_unit_and_no_login_say_what_to_do() {
        let (_tmp, state) = demo_state();
        let err = figures(&state, Some("1999-x")).unwrap_err();
        assert_eq!(err.code, "stats.unknown_session");
        assert!(err.message.contains("重新选择"), "{}", err.message);
        assert_eq!(
            export_name(&state, Some("1999-x"), StatsFormat::Xlsx)
                .unwrap_err()
                .code,
            "stats.unknown_session"
        );

        state
            .with_inner(|inner| {
                if let Some(u) = inner.user.as_mut() {
                    u.unit = None;
                }
                Ok(())
            })
            .unwrap();
        let err = figures(&state, None).unwrap_err();
        assert_eq!(err.code, "stats.no_unit");

        state
            .with_inner(|inner| {
                inner.user = None;
                Ok(())
            })
            .unwrap();
        assert_eq!(report(&state, None).unwrap_err().code, "not_logged_in");

        assert_eq!(StatsFormat::parse("csv").unwrap_err().code, "input.format");
        assert_eq!(StatsFormat::parse(" XLSX ").unwrap(), StatsFormat::Xlsx);
    }

    #[test]
    fn an_empty_store_has_no_statistics_yet() {
        let tmp = tempfile::tempdir().unwrap();
        let state = AppState::open(tmp.path().to_path_buf(), &crate::secrets::NoCredentialStore);
        // An empty server-mode store: no session at all.
        state
            .with_inner(|inner| {
                inner.store =
                    Ok(Store::open(&tmp.path().join("empty.sqlite3"))
                        .map_err(CommandError::from)?);
                Ok(())
            })
            .unwrap();
        assert_eq!(figures(&state, None).unwrap_err().code, "stats.no_session");
        assert_eq!(
            export_name(&state, None, StatsFormat::Xlsx)
                .unwrap_err()
                .code,
            "stats.no_session"
        );
    }

    #[test]
    fn file_names_carry_the_year_and_the_unit() {
        assert_eq!(
            file_name(2024, "市住房城乡建设局", StatsFormat::Xlsx),
            "2024年代表建议办理统计-市住房城乡建设局.xlsx"
        );
        assert_eq!(
            file_name(2024, "市/局", StatsFormat::Ledger),
            "2024年代表建议办理台账-市_局.xlsx"
        );
        assert_eq!(
            with_extension(Path::new("/tmp/统计"), "xlsx"),
            PathBuf::from("/tmp/统计.xlsx")
        );
        assert_eq!(
            with_extension(Path::new("/tmp/a.XLSX"), "xlsx"),
            PathBuf::from("/tmp/a.XLSX")
        );
        let (_tmp, state) = demo_state();
        work_as(&state, "zjj-liaison");
        let year = expected(&state, "zjj").0.session.year;
        assert_eq!(
            export_name(&state, None, StatsFormat::Pdf).unwrap(),
            format!("{year}年代表建议办理统计-市住房城乡建设局.pdf")
        );
    }

    #[test]
    fn every_export_writes_a_file_that_reads_back() {
        let (tmp, state) = demo_state();
        work_as(&state, "zjj-liaison");
        let (input, f) = expected(&state, "zjj");

        // The figures workbook: its first sheet reads back with the figures.
        let out = export_to(
            &state,
            None,
            StatsFormat::Xlsx,
            None,
            &tmp.path().join("统计"),
        )
        .unwrap();
        assert!(out.path.ends_with("统计.xlsx"), "{}", out.path);
        assert_eq!(out.format, "xlsx");
        let sheet = jianban_stats::read_first_sheet(&std::fs::read(&out.path).unwrap()).unwrap();
        let cell = |label: &str| {
            sheet
                .iter()
                .find(|(_, r)| r.first().map(String::as_str) == Some(label))
                .map(|(_, r)| r[1].clone())
                .unwrap_or_else(|| panic!("{label} missing"))
        };
        assert_eq!(cell("承办建议（件）"), f.suggestions.to_string());
        assert_eq!(cell("交办（件次）"), f.assignments.to_string());
        assert!(sheet[0].1[0].starts_with("市住房城乡建设局"));

        // The ledger: one line per case of the unit.
        let out = export_to(
            &state,
            None,
            StatsFormat::Ledger,
            None,
            &tmp.path().join("台账.xlsx"),
        )
        .unwrap();
        let ledger = jianban_stats::read_first_sheet(&std::fs::read(&out.path).unwrap()).unwrap();
        assert_eq!(ledger[1].1[..3], ["序号", "建议号", "建议标题"]);
        assert_eq!(ledger.len() - 2, input.rows.len());
        assert!(ledger[2..].iter().all(|(_, r)| r[5] == "市住房城乡建设局"));

        // The PDF carries the report as edited.
        let edited =
            "住房城乡建设局办理情况\n\n我们认真办理每一件建议（已修改）。\n\n今后继续努力。";
        let out = export_to(
            &state,
            None,
            StatsFormat::Pdf,
            Some(edited),
            &tmp.path().join("统计.pdf"),
        )
        .unwrap();
        let pdf = std::fs::read(&out.path).unwrap();
        assert!(pdf.starts_with(b"%PDF"));

        // The report alone as Word.
        let out = export_to(
            &state,
            None,
            StatsFormat::Docx,
            Some(edited),
            &tmp.path().join("报告.docx"),
        )
        .unwrap();
        assert!(std::fs::read(&out.path).unwrap().starts_with(b"PK"));

        // A folder that does not exist: the Chinese message says what to do.
        let err = export_to(
            &state,
            None,
            StatsFormat::Xlsx,
            None,
            &tmp.path().join("no-such-dir").join("a.xlsx"),
        )
        .unwrap_err();
        assert_eq!(err.code, crate::error::code::EXPORT);
        assert!(err.message.contains("请换一个文件夹"), "{}", err.message);
    }
}

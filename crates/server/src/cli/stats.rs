//! `stats`, `report`, `ledger` and `import-xlsx`: the statistics endpoints
//! as subcommands (flattened into the CLI's command list).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use jianban_protocol::{StatsQuery, XlsxImportKind, XlsxImportQuery};

use super::{office, print, read_file, OfficeArgs};
use crate::error::ApiError;

#[derive(Args, Clone)]
pub struct StatsArgs {
    #[command(flatten)]
    o: OfficeArgs,
    /// One unit (default: the whole city).
    #[arg(long)]
    unit: Option<String>,
    /// The session (default: the latest).
    #[arg(long)]
    session_id: Option<String>,
    /// The day the figures are taken on (default: today).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// The report's year (default: the session's year).
    #[arg(long)]
    year: Option<i32>,
}

impl StatsArgs {
    fn query(&self) -> StatsQuery {
        StatsQuery {
            unit: self.unit.clone(),
            session_id: self.session_id.clone(),
            as_of: self.as_of,
            year: self.year,
        }
    }
}

#[derive(Subcommand)]
pub enum StatsCommand {
    /// Print the figures as JSON; with --xlsx also write the figures workbook.
    Stats {
        #[command(flatten)]
        a: StatsArgs,
        #[arg(long)]
        xlsx: Option<PathBuf>,
    },
    /// Print the year's report (an editable draft).
    Report {
        #[command(flatten)]
        a: StatsArgs,
    },
    /// Write the ledger (台账) of every case as .xlsx.
    Ledger {
        #[command(flatten)]
        a: StatsArgs,
        #[arg(long)]
        out: PathBuf,
    },
    /// Import the suggestion list or the deputies' evaluations from .xlsx
    /// (all rows or none).
    ImportXlsx {
        #[command(flatten)]
        o: OfficeArgs,
        file: PathBuf,
        /// suggestions or evaluations.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        session_id: Option<String>,
        #[arg(long)]
        session_name: Option<String>,
        #[arg(long)]
        year: Option<i32>,
    },
}

fn write(path: &PathBuf, bytes: &[u8]) -> Result<(), ApiError> {
    std::fs::write(path, bytes).map_err(|e| {
        ApiError::bad_request("cli.unwritable", format!("无法写入{}：{e}", path.display()))
    })?;
    println!("已写入{}（{}字节）", path.display(), bytes.len());
    Ok(())
}

pub fn run(c: StatsCommand) -> Result<(), ApiError> {
    match c {
        StatsCommand::Stats { a, xlsx } => {
            let (svc, actor) = office(&a.o)?;
            let q = a.query();
            if let Some(path) = xlsx {
                write(&path, &svc.stats_figures_xlsx(&actor, &q)?)?;
            } else {
                print(&svc.stats(&actor, &q)?);
            }
            Ok(())
        }
        StatsCommand::Report { a } => {
            let (svc, actor) = office(&a.o)?;
            println!("{}", svc.stats_report(&actor, &a.query())?.text);
            Ok(())
        }
        StatsCommand::Ledger { a, out } => {
            let (svc, actor) = office(&a.o)?;
            write(&out, &svc.stats_ledger(&actor, &a.query())?)
        }
        StatsCommand::ImportXlsx {
            o,
            file,
            kind,
            session_id,
            session_name,
            year,
        } => {
            let (svc, actor) = office(&o)?;
            let kind: XlsxImportKind =
                super::parse_enum("导入类型（suggestions或evaluations）", &kind)?;
            let bytes = read_file(&file)?;
            let q = XlsxImportQuery {
                kind,
                session_id,
                session_name,
                year,
            };
            print(&svc.import_xlsx(&actor, &q, &bytes)?);
            Ok(())
        }
    }
}

//! `tracing` set-up: a daily rolling log file in the data directory (kept 30
//! days) plus stderr. `JIANBAN_LOG` takes an `EnvFilter` directive, e.g.
//! `JIANBAN_LOG=debug`.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

pub const FILTER_ENV: &str = "JIANBAN_LOG";
const DEFAULT_FILTER: &str = "info";
const KEEP_FILES: usize = 30;

/// Installs the global subscriber. Returns the guard that flushes the file
/// writer; keep it alive for the life of the app. Without a log folder (the
/// data directory failed) only stderr is used.
pub fn init(log_dir: Option<&Path>) -> Option<WorkerGuard> {
    let filter =
        || EnvFilter::try_from_env(FILTER_ENV).unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());

    let file = log_dir.and_then(|dir| {
        match Builder::new()
            .rotation(Rotation::DAILY)
            .filename_prefix("jianban")
            .filename_suffix("log")
            .max_log_files(KEEP_FILES)
            .build(dir)
        {
            Ok(appender) => Some(tracing_appender::non_blocking(appender)),
            Err(e) => {
                eprintln!("建办：无法在 {} 写日志文件：{e}", dir.display());
                None
            }
        }
    });

    match file {
        Some((writer, guard)) => {
            let file_layer = fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(filter());
            let _ = tracing_subscriber::registry()
                .with(stderr)
                .with(file_layer)
                .try_init();
            Some(guard)
        }
        None => {
            let _ = tracing_subscriber::registry().with(stderr).try_init();
            None
        }
    }
}

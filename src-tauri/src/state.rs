//! What the commands share: the store, opened once at start-up.
//!
//! Start-up never aborts the window: if the data directory or the store cannot
//! be opened, the state keeps the error and every command returns it, so the
//! user sees a Chinese message that says what to do instead of a crash.

use std::path::Path;
use std::sync::Mutex;

use jianban_store::{Store, StoreError};

use crate::data_dir::STORE_FILE;
use crate::error::{code, CommandError};

pub struct AppState {
    store: Result<Mutex<Store>, CommandError>,
}

/// The result of opening the store at start-up.
pub struct Opened {
    pub store: Store,
    /// The store was empty and the demo data set was loaded into it.
    pub demo_loaded: bool,
}

/// Opens `<data dir>/jianban.sqlite3`; an empty store gets the demo data set.
pub fn open_store(data_dir: &Path) -> Result<Opened, StoreError> {
    let mut store = Store::open(&data_dir.join(STORE_FILE))?;
    let demo_loaded = store.is_empty()?;
    if demo_loaded {
        store.import_demo(&jianban_domain::demo::demo_data())?;
    }
    Ok(Opened { store, demo_loaded })
}

impl AppState {
    pub fn ready(store: Store) -> Self {
        Self {
            store: Ok(Mutex::new(store)),
        }
    }

    pub fn unavailable(error: CommandError) -> Self {
        Self { store: Err(error) }
    }

    /// Runs `f` with the store, mapping every failure to a `CommandError`.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, CommandError> {
        let mutex = self.store.as_ref().map_err(Clone::clone)?;
        let mut store = mutex.lock().map_err(|_| {
            CommandError::new(
                code::INTERNAL,
                "建办内部出错，数据未被修改。请关闭后重新打开建办；如仍出现，请把日志文件发给技术支持。",
            )
        })?;
        f(&mut store).map_err(CommandError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn today() -> NaiveDate {
        chrono::Local::now().date_naive()
    }

    #[test]
    fn an_empty_data_dir_gets_the_demo_data_once() {
        let tmp = tempfile::tempdir().unwrap();
        let first = open_store(tmp.path()).unwrap();
        assert!(first.demo_loaded);
        let rows = first.store.list_assignments(today()).unwrap();
        assert!(rows.len() >= 40, "demo has {} assignments", rows.len());
        assert!(rows
            .iter()
            .any(|r| r.suggestion_number == 39 && r.title.contains("推动我市民营经济高质量发展")));
        drop(first);

        assert!(tmp.path().join(STORE_FILE).is_file());
        let second = open_store(tmp.path()).unwrap();
        assert!(!second.demo_loaded, "demo must not be loaded twice");
        assert_eq!(
            second.store.list_assignments(today()).unwrap().len(),
            rows.len()
        );
    }

    #[test]
    fn an_unavailable_store_answers_every_call_with_its_error() {
        let err = CommandError::new(code::DATA_DIR, "无法确定数据目录");
        let state = AppState::unavailable(err.clone());
        let got = state.with_store(|s| s.is_empty()).unwrap_err();
        assert_eq!(got, err);
    }

    #[test]
    fn store_errors_keep_their_code() {
        let tmp = tempfile::tempdir().unwrap();
        // A directory where the database file should be: the store cannot open it.
        std::fs::create_dir(tmp.path().join(STORE_FILE)).unwrap();
        let err = match open_store(tmp.path()) {
            Ok(_) => panic!("opening a directory as the store must fail"),
            Err(e) => CommandError::from(e),
        };
        assert!(!err.code.is_empty());
        assert!(!err.message.is_empty());
        assert!(
            err.message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "message should be Chinese: {}",
            err.message
        );
    }
}

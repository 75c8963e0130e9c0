//! The repository boundary: one small trait ([`Tx`]) over SQLite (rusqlite,
//! the workspace's version) and PostgreSQL (the synchronous `postgres`
//! client), so the service layer is written once.
//!
//! Why synchronous: the workspace already links SQLite through rusqlite, and
//! sqlx-sqlite would link a second copy (Cargo refuses two `links =
//! "sqlite3"`). With both backends blocking, every service call runs on
//! tokio's blocking pool and the SQL is shared. Statements are written with
//! `$1, $2 …` placeholders and portable types (TEXT, BIGINT); the SQLite side
//! rewrites `$n` to `?n`.
//!
//! Writes are serialized (a process mutex, plus a transaction-level advisory
//! lock on PostgreSQL): the change feed's sequence must commit in order, or a
//! reader could pass a change that commits later with a smaller number.

mod postgres_db;
mod schema;
mod sqlite_db;

use std::sync::Mutex;

pub use postgres_db::PgDb;
pub use sqlite_db::SqliteDb;

/// A value bound to, or read from, a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}
impl From<u32> for Val {
    fn from(v: u32) -> Self {
        Val::Int(v as i64)
    }
}
impl From<u64> for Val {
    fn from(v: u64) -> Self {
        Val::Int(v as i64)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Int(v as i64)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(v.to_string())
    }
}
impl From<&String> for Val {
    fn from(v: &String) -> Self {
        Val::Text(v.clone())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(v)
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map_or(Val::Null, Into::into)
    }
}

/// Builds a parameter list: `params![a, b, c]`.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => { &[$($crate::db::Val::from($v)),*] as &[$crate::db::Val] };
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("数据格式有误：{0}")]
    Decode(String),
    #[error("数据库版本{found}比本程序支持的{supported}新，请升级建办服务端。")]
    Newer { found: i64, supported: i64 },
    #[error("无法打开数据库：{0}")]
    Open(String),
}

impl DbError {
    /// A unique or primary-key constraint refused the row.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::ConstraintViolation)
            ),
            DbError::Postgres(e) => e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
            _ => false,
        }
    }
}

impl From<serde_json::Error> for DbError {
    fn from(e: serde_json::Error) -> Self {
        DbError::Decode(e.to_string())
    }
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Val>);

impl Row {
    fn get(&self, i: usize) -> Result<&Val, DbError> {
        self.0
            .get(i)
            .ok_or_else(|| DbError::Decode(format!("no column {i}")))
    }
    pub fn int(&self, i: usize) -> Result<i64, DbError> {
        match self.get(i)? {
            Val::Int(v) => Ok(*v),
            other => Err(DbError::Decode(format!(
                "column {i}: {other:?} is not an integer"
            ))),
        }
    }
    pub fn text(&self, i: usize) -> Result<String, DbError> {
        match self.get(i)? {
            Val::Text(v) => Ok(v.clone()),
            other => Err(DbError::Decode(format!(
                "column {i}: {other:?} is not text"
            ))),
        }
    }
    pub fn opt_text(&self, i: usize) -> Result<Option<String>, DbError> {
        match self.get(i)? {
            Val::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }
    pub fn json<T: serde::de::DeserializeOwned>(&self, i: usize) -> Result<T, DbError> {
        Ok(serde_json::from_str(&self.text(i)?)?)
    }
}

/// A transaction. Object-safe so the service layer takes `&mut dyn Tx`.
pub trait Tx {
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, DbError>;
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, DbError>;

    fn query_opt(&mut self, sql: &str, params: &[Val]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
    fn query_one(&mut self, sql: &str, params: &[Val]) -> Result<Row, DbError> {
        self.query_opt(sql, params)?
            .ok_or_else(|| DbError::Decode(format!("no row for: {sql}")))
    }
}

/// Runs `f` inside a savepoint: its writes stay only if it returns `Ok`.
/// One command of a push is one savepoint, so a refused command leaves
/// nothing behind while the batch's transaction goes on.
pub fn savepoint<T, E: From<DbError>>(
    tx: &mut dyn Tx,
    f: impl FnOnce(&mut dyn Tx) -> Result<T, E>,
) -> Result<T, E> {
    tx.exec("SAVEPOINT cmd", &[])?;
    match f(tx) {
        Ok(v) => {
            tx.exec("RELEASE SAVEPOINT cmd", &[])?;
            Ok(v)
        }
        Err(e) => {
            tx.exec("ROLLBACK TO SAVEPOINT cmd", &[])?;
            tx.exec("RELEASE SAVEPOINT cmd", &[])?;
            Err(e)
        }
    }
}

enum Backend {
    Sqlite(SqliteDb),
    Postgres(PgDb),
}

/// The database the server runs on.
pub struct Db {
    backend: Backend,
    write_lock: Mutex<()>,
}

impl Db {
    /// SQLite file `server.sqlite3` in `dir`.
    pub fn open_sqlite(dir: &std::path::Path) -> Result<Db, DbError> {
        let db = SqliteDb::open(&dir.join("server.sqlite3"))?;
        Self::init(Backend::Sqlite(db))
    }

    /// PostgreSQL at `url`; with `schema`, every table lives in that schema
    /// (created when missing): tests get a fresh one each run.
    pub fn open_postgres(url: &str, schema: Option<&str>) -> Result<Db, DbError> {
        let db = PgDb::open(url, schema)?;
        Self::init(Backend::Postgres(db))
    }

    fn init(backend: Backend) -> Result<Db, DbError> {
        let db = Db {
            backend,
            write_lock: Mutex::new(()),
        };
        let dialect = db.dialect();
        db.write(|tx| schema::migrate(tx, dialect))?;
        Ok(db)
    }

    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// One write transaction: committed when `f` returns `Ok`, rolled back
    /// otherwise.
    pub fn write<T, E: From<DbError>>(
        &self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        let _guard = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        match &self.backend {
            Backend::Sqlite(db) => db.write(f),
            Backend::Postgres(db) => db.write(f),
        }
    }

    /// One read-only transaction (a consistent snapshot), concurrent with
    /// other reads and with the writer.
    pub fn read<T, E: From<DbError>>(
        &self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        match &self.backend {
            Backend::Sqlite(db) => db.read(f),
            Backend::Postgres(db) => db.read(f),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn name(&self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }
}

/// Allocates the next number of a named counter (change feed, audit log).
/// Safe because writers are serialized.
pub fn next_counter(tx: &mut dyn Tx, name: &str) -> Result<i64, DbError> {
    tx.query_one(
        "UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value",
        params![name],
    )?
    .int(0)
}

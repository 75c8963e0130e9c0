//! SQLite backend: one writer connection and a small pool of readers (WAL
//! lets them read while the writer writes).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::{DbError, Row, Tx, Val};

pub struct SqliteDb {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Val::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Val::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Val::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Val::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

/// `$1` → `?1`: the service writes PostgreSQL-style placeholders.
fn translate(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

fn open_conn(path: &Path) -> Result<Connection, DbError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // WAL: readers never block the writer; FULL: a commit survives power loss,
    // so an acknowledged push is never lost.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

struct SqliteTx<'a>(&'a Connection);

impl Tx for SqliteTx<'_> {
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, DbError> {
        let mut stmt = self.0.prepare_cached(&translate(sql))?;
        if stmt.readonly() || sql.contains("RETURNING") {
            // A statement that returns rows must be stepped as a query.
            let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
            let mut n = 0;
            while rows.next()?.is_some() {
                n += 1;
            }
            return Ok(n);
        }
        Ok(stmt.execute(rusqlite::params_from_iter(params.iter()))? as u64)
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, DbError> {
        let mut stmt = self.0.prepare_cached(&translate(sql))?;
        let cols = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut vals = Vec::with_capacity(cols);
            for i in 0..cols {
                vals.push(match r.get_ref(i)? {
                    ValueRef::Null => Val::Null,
                    ValueRef::Integer(v) => Val::Int(v),
                    ValueRef::Real(v) => Val::Int(v as i64),
                    ValueRef::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Val::Bytes(b.to_vec()),
                });
            }
            out.push(Row(vals));
        }
        Ok(out)
    }
}

/// One transaction on `conn`, committed only when `f` succeeds.
fn run<T, E: From<DbError>>(
    conn: &mut Connection,
    behavior: TransactionBehavior,
    f: impl FnOnce(&mut dyn Tx) -> Result<T, E>,
) -> Result<T, E> {
    let tx = conn
        .transaction_with_behavior(behavior)
        .map_err(DbError::from)?;
    let out = f(&mut SqliteTx(&tx))?;
    tx.commit().map_err(DbError::from)?;
    Ok(out)
}

impl SqliteDb {
    pub fn open(path: &Path) -> Result<SqliteDb, DbError> {
        let writer = open_conn(path)?;
        Ok(SqliteDb {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    pub fn write<T, E: From<DbError>>(
        &self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        run(&mut conn, TransactionBehavior::Immediate, f)
    }

    pub fn read<T, E: From<DbError>>(
        &self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut conn = match pooled {
            Some(c) => c,
            None => open_conn(&self.path)?,
        };
        let out = run(&mut conn, TransactionBehavior::Deferred, f);
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < 8 {
            pool.push(conn);
        }
        out
    }
}

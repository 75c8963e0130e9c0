//! PostgreSQL backend over the synchronous `postgres` client (it drives its
//! own small runtime, so it is only ever called from blocking threads).
//!
//! TLS follows the connection URL as libpq reads it: `sslmode=disable |
//! prefer | require | verify-ca | verify-full` and `sslrootcert=FILE` (the
//! CA that signed the database server's certificate, PEM), over rustls.

use std::str::FromStr;
use std::sync::Mutex;

use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::{Client, NoTls, Transaction, TransactionBuilder};

use super::{DbError, Row, Tx, Val};

mod tls;

pub struct PgDb {
    config: postgres::Config,
    tls: tls::TlsSettings,
    schema: Option<String>,
    pool: Mutex<Vec<Client>>,
}

/// The advisory lock every write transaction takes: the change feed's
/// numbers commit in order even with several server processes.
const WRITE_LOCK_KEY: i64 = 0x004a_6961_6e62_616e;

impl ToSql for Val {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Val::Null => Ok(IsNull::Yes),
            Val::Int(v) if *ty == Type::INT4 => (*v as i32).to_sql(ty, out),
            Val::Int(v) if *ty == Type::BOOL => (*v != 0).to_sql(ty, out),
            Val::Int(v) => v.to_sql(ty, out),
            Val::Text(s) => s.as_str().to_sql(ty, out),
            Val::Bytes(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT8 | Type::INT4 | Type::BOOL | Type::TEXT | Type::VARCHAR | Type::BYTEA
        )
    }

    to_sql_checked!();
}

fn convert(row: &postgres::Row) -> Result<Row, DbError> {
    let mut vals = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let ty = col.type_();
        let v = if *ty == Type::INT8 {
            row.try_get::<_, Option<i64>>(i)?.map(Val::Int)
        } else if *ty == Type::INT4 {
            row.try_get::<_, Option<i32>>(i)?
                .map(|v| Val::Int(v as i64))
        } else if *ty == Type::BOOL {
            row.try_get::<_, Option<bool>>(i)?
                .map(|v| Val::Int(v as i64))
        } else if *ty == Type::BYTEA {
            row.try_get::<_, Option<Vec<u8>>>(i)?.map(Val::Bytes)
        } else {
            row.try_get::<_, Option<String>>(i)?.map(Val::Text)
        };
        vals.push(v.unwrap_or(Val::Null));
    }
    Ok(Row(vals))
}

struct PgTx<'a, 'b>(&'a mut postgres::Transaction<'b>);

fn refs(params: &[Val]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl Tx for PgTx<'_, '_> {
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, DbError> {
        if sql.contains("RETURNING") {
            return Ok(self.0.query(sql, &refs(params))?.len() as u64);
        }
        Ok(self.0.execute(sql, &refs(params))?)
    }

    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, DbError> {
        self.0
            .query(sql, &refs(params))?
            .iter()
            .map(convert)
            .collect()
    }
}

fn valid_schema(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

impl PgDb {
    pub fn open(url: &str, schema: Option<&str>) -> Result<PgDb, DbError> {
        // The `postgres` crate knows only disable/prefer/require and no
        // root certificate: the TLS options are taken out of the URL here.
        let (url, tls) = tls::TlsSettings::split_from(url)?;
        let mut config = postgres::Config::from_str(&url)
            .map_err(|e| DbError::Open(format!("数据库地址有误：{e}")))?;
        config.ssl_mode(tls.pg_mode());
        if let Some(s) = schema {
            if !valid_schema(s) {
                return Err(DbError::Open(format!(
                    "模式名“{s}”无效：只能包含小写字母、数字和下划线"
                )));
            }
        }
        let db = PgDb {
            config,
            tls,
            schema: schema.map(str::to_string),
            pool: Mutex::new(Vec::new()),
        };
        let client = db.connect()?;
        db.give_back(client);
        Ok(db)
    }

    fn connect(&self) -> Result<Client, DbError> {
        let connected = match self.tls.connector() {
            None => self.config.connect(NoTls),
            Some(connector) => self.config.connect(connector),
        };
        let mut client = connected.map_err(|e| self.tls.explain(&e))?;
        if let Some(s) = &self.schema {
            client.batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {s}; SET search_path TO {s}"
            ))?;
        }
        Ok(client)
    }

    fn take(&self) -> Result<Client, DbError> {
        let pooled = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match pooled {
            Some(c) if !c.is_closed() => Ok(c),
            _ => self.connect(),
        }
    }

    fn give_back(&self, client: Client) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        if pool.len() < 8 && !client.is_closed() {
            pool.push(client);
        }
    }

    pub fn write<T, E: From<DbError>>(
        &self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        self.run(
            |b| b,
            |tx| {
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK_KEY])
                    .map_err(DbError::from)?;
                f(&mut PgTx(tx))
            },
        )
    }

    pub fn read<T, E: From<DbError>>(
        &self,
        f: impl FnOnce(&mut dyn Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        // REPEATABLE READ: the page and its remaining count see one snapshot.
        self.run(
            |b| {
                b.isolation_level(postgres::IsolationLevel::RepeatableRead)
                    .read_only(true)
            },
            |tx| f(&mut PgTx(tx)),
        )
    }

    /// One transaction on a pooled connection; the connection goes back to
    /// the pool whether or not the transaction commits.
    fn run<T, E: From<DbError>>(
        &self,
        settings: impl FnOnce(TransactionBuilder<'_>) -> TransactionBuilder<'_>,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut client = self.take()?;
        let out = (|| {
            let mut tx = settings(client.build_transaction())
                .start()
                .map_err(DbError::from)?;
            let out = f(&mut tx)?;
            tx.commit().map_err(DbError::from)?;
            Ok(out)
        })();
        self.give_back(client);
        out
    }
}

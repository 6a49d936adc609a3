//! Connections to SQLite or PostgreSQL, chosen by the URL, pooled, migrated, and the two kinds
//! of unit of work: reads, and write transactions.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{Error, Result};
use crate::store::trace::Sealing;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// One connection to either engine; every query of this crate is written once for both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL, for production and scale.
    Postgresql(PgConnection),
    /// Embedded SQLite, the default.
    Sqlite(SqliteConnection),
}

/// Which engine a URL designates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl Engine {
    /// `postgres://` and `postgresql://` URLs are PostgreSQL; `sqlite://path` and a plain path
    /// are SQLite; any other scheme (`mysql://…`) is refused rather than taken for a file name.
    pub fn of(url: &str) -> std::result::Result<Self, String> {
        match url.split_once("://") {
            Some(("postgres" | "postgresql", _)) => Ok(Self::Postgres),
            Some(("sqlite", _)) | None => Ok(Self::Sqlite),
            Some((scheme, _)) => Err(format!(
                "a {scheme}:// database is not one this service runs on: give a postgres:// URL \
                 or a SQLite file path"
            )),
        }
    }
}

/// Puts the SQLite file in WAL mode, once, from one connection, before the pool opens any: the
/// mode is kept in the file, and the switch needs the file to itself.
fn switch_to_wal(path: &str) -> Result<()> {
    let mut c = SqliteConnection::establish(path)
        .map_err(|e| Error::Unavailable(format!("cannot open {path}: {e}")))?;
    c.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")
        .map_err(|e| Error::Unavailable(format!("cannot put {path} in WAL mode: {e}")))?;
    Ok(())
}

struct Manager {
    engine: Engine,
    target: String,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        // The engine is picked from the URL: trying each in turn would hide the real error.
        match self.engine {
            Engine::Postgres => PgConnection::establish(&self.target)
                .map(DbConnection::Postgresql)
                .map_err(diesel::r2d2::Error::ConnectionError),
            Engine::Sqlite => {
                let mut c = SqliteConnection::establish(&self.target)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                // WAL is already set on the file (see `Database::open_with`): switching to it
                // here, from connections the pool opens at once, can fail with SQLITE_BUSY
                // whatever the busy timeout.
                c.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON;",
                )
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(c))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

/// How long a request waits for a connection by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The PostgreSQL URL with libpq's `connect_timeout`, unless it sets one: a server that does not
/// answer (a network cut, a failover) must not hold a request longer than the pool would.
fn with_connect_timeout(url: &str, timeout: Duration) -> String {
    if url.contains("connect_timeout=") {
        return url.to_string();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}connect_timeout={}", timeout.as_secs().max(1))
}

/// How the pool of connections stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    /// Connections open.
    pub open: u32,
    /// Of those, idle.
    pub idle: u32,
    /// Most the pool opens.
    pub max: u32,
}

/// The database: a pool of connections to one engine.
#[derive(Clone)]
pub struct Database {
    pool: Pool<Manager>,
    engine: Engine,
    /// SQLite has one writer: writes of this process queue here instead of failing busy.
    sqlite_writer: Arc<Mutex<()>>,
    /// The service's public address, which the messages it writes link to.
    links: Arc<mcp_domain::links::Links>,
}

impl Database {
    /// Connects to `url`, creating the SQLite file and its folder if needed, and migrates the
    /// schema to the latest version.
    pub fn open(url: &str, pool_size: u32) -> Result<Self> {
        Self::open_with(url, pool_size, DEFAULT_TIMEOUT)
    }

    /// [`Self::open`], waiting at most `timeout` for a connection: past it, a request is
    /// answered [`Error::Unavailable`] instead of hanging while the database is away.
    pub fn open_with(url: &str, pool_size: u32, timeout: Duration) -> Result<Self> {
        let engine = Engine::of(url).map_err(Error::Refused)?;
        let target = match engine {
            Engine::Postgres => with_connect_timeout(url, timeout),
            Engine::Sqlite => {
                let path = url.strip_prefix("sqlite://").unwrap_or(url);
                if let Some(dir) = Path::new(path).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir).map_err(|e| {
                            Error::Unavailable(format!("cannot create {}: {e}", dir.display()))
                        })?;
                    }
                }
                switch_to_wal(path)?;
                path.to_string()
            }
        };
        let pool = Pool::builder()
            .max_size(pool_size.max(1))
            .connection_timeout(timeout)
            .build(Manager { engine, target })?;
        let db = Self {
            pool,
            engine,
            sqlite_writer: Arc::new(Mutex::new(())),
            links: Arc::default(),
        };
        db.migrate()?;
        Ok(db)
    }

    /// The same database, its messages linking to the pages served at `links`.
    pub fn with_links(mut self, links: mcp_domain::links::Links) -> Self {
        self.links = Arc::new(links);
        self
    }

    /// The service's public address, for the links of the messages written.
    pub fn links(&self) -> &mcp_domain::links::Links {
        &self.links
    }

    /// How the pool of connections stands now.
    pub fn pool_state(&self) -> PoolState {
        let s = self.pool.state();
        PoolState {
            open: s.connections,
            idle: s.idle_connections,
            max: self.pool.max_size(),
        }
    }

    /// Whether a connection answers now.
    pub fn ping(&self) -> Result<()> {
        self.read(|conn| Ok(conn.ping()?))
    }

    /// Writes a consistent copy of the SQLite database to `path` while it serves (`VACUUM INTO`:
    /// one read transaction, so the copy is the database at one instant, traces and objects
    /// together). `path` must not exist. PostgreSQL is backed up with its own tools (`pg_dump`,
    /// `pg_basebackup`): see the README.
    pub fn backup_to(&self, path: &Path) -> Result<()> {
        if self.engine == Engine::Postgres {
            return Err(Error::Refused(
                "back PostgreSQL up with pg_dump or pg_basebackup (see the README)".into(),
            ));
        }
        if path.exists() {
            return Err(Error::Refused(format!(
                "{} exists already: a backup never overwrites",
                path.display()
            )));
        }
        let target = path.display().to_string();
        self.read(|conn| {
            diesel::sql_query("VACUUM INTO ?")
                .bind::<diesel::sql_types::Text, _>(&target)
                .execute(conn)?;
            Ok(())
        })
    }

    /// The engine in use.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    fn conn(&self) -> Result<PooledConnection<Manager>> {
        Ok(self.pool.get()?)
    }

    fn migrate(&self) -> Result<()> {
        let mut conn = self.conn()?;
        let outcome = match &mut *conn {
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
            DbConnection::Postgresql(c) => {
                // Several instances may start together: one migrates, the others wait.
                diesel::sql_query("SELECT pg_advisory_lock(7262)").execute(c)?;
                let r = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ());
                diesel::sql_query("SELECT pg_advisory_unlock(7262)").execute(c)?;
                r
            }
        };
        outcome.map_err(|e| Error::Unavailable(format!("migration failed: {e}")))
    }

    /// Runs `f` on one connection, for reads.
    pub fn read<T>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T>) -> Result<T> {
        let mut conn = self.conn()?;
        f(&mut conn)
    }

    /// Runs `f` in one write transaction: everything it wrote is committed together, or nothing
    /// is when it returns an error. The traces it recorded are sealed into their chains just
    /// before commit ([`Sealing`]). On SQLite the transaction takes the write lock first
    /// (`BEGIN IMMEDIATE`) so that a read-then-write never fails half-way on a busy database.
    pub fn write<T>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T>) -> Result<T> {
        let mut conn = self.conn()?;
        match self.engine {
            Engine::Postgres => (*conn).transaction(|c| {
                let sealing = Sealing::open();
                let v = f(c)?;
                sealing.seal(c)?;
                Ok(v)
            }),
            Engine::Sqlite => {
                let _writer = self.sqlite_writer.lock().unwrap_or_else(|p| p.into_inner());
                let conn: &mut DbConnection = &mut conn;
                with_sqlite(conn, |c| {
                    AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
                })?;
                let sealing = Sealing::open();
                match f(conn).and_then(|v| sealing.seal(conn).map(|()| v)) {
                    Ok(v) => {
                        with_sqlite(conn, AnsiTransactionManager::commit_transaction)?;
                        Ok(v)
                    }
                    Err(e) => {
                        with_sqlite(conn, AnsiTransactionManager::rollback_transaction)?;
                        Err(e)
                    }
                }
            }
        }
    }
}

fn with_sqlite(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut SqliteConnection) -> diesel::QueryResult<()>,
) -> Result<()> {
    match conn {
        DbConnection::Sqlite(c) => Ok(f(c)?),
        DbConnection::Postgresql(_) => unreachable!("engine checked by the caller"),
    }
}

/// The names of the migrations of one engine's folder, for the pairing check.
pub fn migration_names(engine: Engine) -> Vec<String> {
    let source = match engine {
        Engine::Sqlite => SQLITE_MIGRATIONS,
        Engine::Postgres => POSTGRES_MIGRATIONS,
    };
    let mut names: Vec<String> = MigrationSource::<diesel::sqlite::Sqlite>::migrations(&source)
        .expect("embedded migrations")
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    names.sort();
    names
}

use diesel::migration::MigrationSource;

/// Creates an empty PostgreSQL database `name` through the server at `admin_url` (tests and
/// benchmarks make their own, then drop them).
pub fn create_postgres_database(admin_url: &str, name: &str) -> Result<()> {
    check_database_name(name)?;
    let mut c =
        PgConnection::establish(admin_url).map_err(|e| Error::Unavailable(e.to_string()))?;
    diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut c)?;
    Ok(())
}

/// Drops a PostgreSQL database made by [`create_postgres_database`], closing its connections.
pub fn drop_postgres_database(admin_url: &str, name: &str) -> Result<()> {
    check_database_name(name)?;
    let mut c =
        PgConnection::establish(admin_url).map_err(|e| Error::Unavailable(e.to_string()))?;
    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut c)?;
    Ok(())
}

fn check_database_name(name: &str) -> Result<()> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(Error::Unavailable(format!(
            "refusing database name {name:?}"
        )));
    }
    Ok(())
}

/// The URL of database `name` on the same server as `admin_url`.
pub fn sibling_database_url(admin_url: &str, name: &str) -> String {
    match admin_url.rfind('/') {
        Some(i) if i > "postgres://".len() => format!("{}/{name}", &admin_url[..i]),
        _ => format!("{admin_url}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_names_its_engine_or_is_refused() {
        assert_eq!(Engine::of("postgres://u@h/db"), Ok(Engine::Postgres));
        assert_eq!(Engine::of("postgresql://u@h/db"), Ok(Engine::Postgres));
        assert_eq!(Engine::of("sqlite://data/mcp.db"), Ok(Engine::Sqlite));
        assert_eq!(Engine::of("data/mcp.db"), Ok(Engine::Sqlite));
        assert!(Engine::of("mysql://x@y/z")
            .unwrap_err()
            .contains("mysql://"));
    }
}

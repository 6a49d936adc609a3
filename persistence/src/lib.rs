//! Persistence of « Mon Compte Partenaire »: diesel over SQLite or PostgreSQL with one query code
//! path, and the use cases that load state, ask the domain for the decision, and write the result
//! together with its trace in one transaction.

pub mod credentials;
pub mod ctx;
pub mod db;
pub mod error;
pub mod hash_pool;
pub mod id;
pub mod page;
mod schema;
pub mod store;
pub mod use_cases;

pub use ctx::{Asked, Ctx};
pub use db::{Database, DbConnection, Engine, PoolState};
pub use error::{Error, Result};
pub use id::Id;
pub use page::{Page, PageRequest};

use uuid::Uuid;

/// A new time-ordered identifier: pages ordered by id follow creation order.
pub(crate) fn new_id() -> String {
    Uuid::now_v7().to_string()
}

/// Reads back a code of a closed vocabulary (`AccountStatus::from_code`…).
pub(crate) fn read_code<T>(stored: &str, from_code: impl Fn(&str) -> Option<T>) -> Result<T> {
    from_code(stored).ok_or_else(|| Error::Corrupt(format!("unknown code: {stored}")))
}

/// Reads a stored UUID.
pub(crate) fn uuid<T: From<Uuid>>(stored: &str) -> Result<T> {
    Uuid::parse_str(stored)
        .map(T::from)
        .map_err(|_| Error::Corrupt(format!("not a UUID: {stored}")))
}

//! The use cases of planned stops: one file per action.

pub use crate::store::stops::*;

mod cancel;
pub use cancel::cancel;
mod declare;
pub use declare::declare;
mod to_come;
pub use to_come::{national_windows, to_come};

use crate::db::DbConnection;
use crate::error::Result;
use mcp_domain::maintenance::{Stop, StopScope};

/// A stop as its readers see it, with the Caf it belongs to (`None`: national maintenance).
#[derive(Debug, Clone)]
pub struct Listed {
    /// The stop.
    pub row: StopRow,
    /// The Caf's code and name.
    pub caf: Option<(String, String)>,
}

/// `row`, with its Caf.
fn listed(conn: &mut DbConnection, row: StopRow) -> Result<Listed> {
    let caf = match row.caf_id {
        None => None,
        Some(caf) => {
            let c = crate::store::cafs::load(conn, caf.get())?;
            Some((c.code, c.name))
        }
    };
    Ok(Listed { row, caf })
}

/// Queues `subject` and `body` to everyone told of `stop`, and says how many they were.
fn tell(
    conn: &mut DbConnection,
    now: chrono::NaiveDateTime,
    stop: &Stop,
    (subject, body): (String, String),
) -> Result<usize> {
    let told = recipients(conn, stop.scope, &stop.services, now.date())?;
    crate::store::outbox::enqueue_to_each(conn, now, &told, &subject, &body)
}

/// Who declared `stop`, as its messages name them.
fn declarer(conn: &mut DbConnection, stop: &Stop) -> Result<String> {
    Ok(match stop.scope {
        StopScope::National => stop.declarer(None),
        StopScope::Caf(caf) => {
            let caf = crate::store::cafs::load(conn, caf)?;
            stop.declarer(Some(&caf.name))
        }
    })
}

//! What a token a software presents opens, for token introspection (RFC 7662).

use crate::db::Database;
use crate::error::Result;
use crate::use_cases::sessions::{open_session_of_software, Presented, Session};
use chrono::NaiveDateTime;
use mcp_domain::ids::ClientId;

/// The open session of the software `client_id` that `presented` belongs to; `None` for a
/// token unknown, used, of an ended or expired session, or of another software.
pub fn software_session(
    db: &Database,
    now: NaiveDateTime,
    client_id: ClientId,
    presented: Presented<'_>,
) -> Result<Option<Session>> {
    db.read(|conn| {
        Ok(
            open_session_of_software(conn, now, crate::id::Id(client_id), presented)?
                .map(|(session, _)| session),
        )
    })
}

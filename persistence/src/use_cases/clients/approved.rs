//! An approved software, for the sign-in page and the token endpoint (no one is signed in yet).

use crate::db::Database;
use crate::error::Result;
use crate::schema::client_applications;
use diesel::prelude::*;
use mcp_domain::vocabulary::SoftwareStatus;

use super::*;

/// An approved software, for the sign-in page and the token endpoint (no one is signed in yet).
pub fn approved(db: &Database, client_id: &str) -> Result<Option<ClientApplication>> {
    db.read(|conn| {
        Ok(client_applications::table
            .find(client_id)
            .filter(client_applications::status.eq(SoftwareStatus::Approved.code()))
            .select(ClientApplication::as_select())
            .first(conn)
            .optional()?)
    })
}

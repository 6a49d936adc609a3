//! The amendments of a convention, in order.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::amendments;
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::ConventionId;

use super::*;

/// The amendments of a convention, in order.
pub fn amendments(db: &Database, ctx: &Ctx, id: ConventionId) -> Result<Vec<Amendment>> {
    db.read(|conn| {
        load_for(conn, ctx, id, Function::ReadPartners)?;
        Ok(amendments::table
            .filter(amendments::convention_id.eq(id.to_string()))
            .order(amendments::number.asc())
            .select(Amendment::as_select())
            .load(conn)?)
    })
}

//! Every service of the catalogue.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::services;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};

use super::*;

/// Every service of the catalogue.
pub fn list(db: &Database, ctx: &Ctx) -> Result<Vec<Service>> {
    authorize(ctx.principal(), Function::ReadCatalogue, Reach::National)?;
    db.read(|conn| {
        let rows = services::table
            .order(services::code)
            .select(SERVICE_COLUMNS)
            .load(conn)?;
        with_profiles(conn, rows)
    })
}

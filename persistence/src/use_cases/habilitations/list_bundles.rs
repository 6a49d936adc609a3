//! A partner's role bundles, by name.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::role_bundles;
use crate::use_cases::partners::{self};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// A partner's role bundles, by name.
pub fn list_bundles(db: &Database, ctx: &Ctx, partner_id: PartnerId) -> Result<Vec<RoleBundle>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            Ok(role_bundles::table
                .filter(role_bundles::partner_id.eq(&partner.id))
                .order(role_bundles::name.asc())
                .select(RoleBundle::as_select())
                .load(conn)?)
        },
    )
}

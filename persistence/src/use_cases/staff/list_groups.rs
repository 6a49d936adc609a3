//! The groups of a partner, by name.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::partner_groups;
use crate::use_cases::partners::{self};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// The groups of a partner, by name.
pub fn list_groups(db: &Database, ctx: &Ctx, partner_id: PartnerId) -> Result<Vec<Group>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            Ok(partner_groups::table
                .filter(partner_groups::partner_id.eq(&partner.id))
                .order(partner_groups::name.asc())
                .select(Group::as_select())
                .load(conn)?)
        },
    )
}

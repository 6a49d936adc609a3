//! The partner's staff.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::accounts;
use crate::store::accounts::Account;
use crate::use_cases::partners::{self};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

/// The partner's staff: administrators and users, in creation order.
pub fn list_staff(db: &Database, ctx: &Ctx, partner_id: PartnerId) -> Result<Vec<Account>> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            Ok(accounts::table
                .filter(accounts::partner_id.eq(&partner.id))
                .order(accounts::id.asc())
                .select(Account::as_select())
                .load(conn)?)
        },
    )
}

//! A partner's software.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::client_applications;
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;

use super::*;

/// A partner's software.
pub fn list(db: &Database, ctx: &Ctx, partner_id: PartnerId) -> Result<Vec<ClientApplication>> {
    db.read(|conn| {
        let partner =
            crate::store::partners::load_for(conn, ctx, partner_id.into(), Function::ReadPartners)?;
        Ok(client_applications::table
            .filter(client_applications::partner_id.eq(&partner.id))
            .order(client_applications::id.asc())
            .select(ClientApplication::as_select())
            .load(conn)?)
    })
}

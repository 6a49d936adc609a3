//! Every CDAP profile's view, by profile code, as the catalogue holds them.

use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::schema::{profiles, services};
use diesel::prelude::*;
use mcp_domain::cdap::View;
use mcp_domain::ids::ProfileId;

/// Every CDAP profile's view, by profile code, as the catalogue holds them.
pub fn views(db: &Database) -> Result<Vec<(String, View)>> {
    db.read(|conn| {
        let ids: Vec<(String, Id<ProfileId>)> = profiles::table
            .inner_join(services::table.on(services::id.eq(profiles::service_id)))
            .filter(services::code.eq(mcp_domain::cdap::SERVICE_CODE))
            .order(profiles::position.asc())
            .select((profiles::code, profiles::id))
            .load(conn)?;
        ids.into_iter()
            .map(|(code, id)| Ok((code, crate::store::catalogue::view_of(conn, id)?)))
            .collect()
    })
}

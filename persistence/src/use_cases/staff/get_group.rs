//! A group and its members.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use mcp_domain::access::Function;
use mcp_domain::ids::GroupId;

use super::*;

/// A group and its members.
pub fn get_group(db: &Database, ctx: &Ctx, id: GroupId) -> Result<(Group, Vec<Member>)> {
    db.read(|conn| {
        let (group, _) = load_group(conn, ctx, id, Function::ReadHabilitations)?;
        let members = members_of(conn, group.id)?;
        Ok((group, members))
    })
}

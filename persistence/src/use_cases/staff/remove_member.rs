//! Removes a person from a group.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::group_members;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::{authorize_touching, Function};
use mcp_domain::ids::{AccountId, GroupId};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::DomainError;
use serde_json::json;

use super::*;

/// Removes a person from a group: the profiles they held only through it free their seats.
pub fn remove_member(
    db: &Database,
    ctx: &Ctx,
    group_id: GroupId,
    account_id: AccountId,
) -> Result<()> {
    db.write(|conn| {
        let (group, partner) = load_group(conn, ctx, group_id, Function::ManageGroups)?;
        let (account, role) = staff_member(conn, &partner, account_id)?;
        authorize_touching(ctx.principal(), role)?;
        let n = diesel::delete(
            group_members::table
                .filter(group_members::group_id.eq(&group.id))
                .filter(group_members::account_id.eq(&account.id)),
        )
        .execute(conn)?;
        if n == 0 {
            return Err(DomainError::NotFound.into());
        }
        touch_group(conn, group.id, ctx.now)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(group.partner_id.get()),
                action: TraceAction::GroupMemberRemoved,
                target_type: TargetType::Group,
                target_id: Some(group_id.into()),
                caf_id: Some(group.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({ "account_id": account.id, "full_name": account.full_name }),
            },
        )
    })
}

//! Adds a person to a group.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{on_unique, Result};
use crate::schema::group_members;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::{authorize_touching, Function};
use mcp_domain::ids::{AccountId, GroupId};
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;

use super::*;

/// Adds a person to a group: they then hold every profile the group holds, so each of those
/// profiles' quota is checked under its lock, the manager must be able to hand each on, and
/// nobody adds themselves to a group that holds profiles (four eyes).
pub fn add_member(
    db: &Database,
    ctx: &Ctx,
    group_id: GroupId,
    account_id: AccountId,
) -> Result<Member> {
    db.write(|conn| {
        let (group, partner) = load_group(conn, ctx, group_id, Function::ManageGroups)?;
        let (account, role) = named_staff_member(conn, &partner, account_id)?;
        authorize_touching(ctx.principal(), role)?;
        if crate::read_code(&account.status, AccountStatus::from_code)? == AccountStatus::Disabled {
            return Err(DomainError::field(
                "account_id",
                "account_closed",
                mcp_domain::msg!("ce compte est fermé", "this account is closed"),
            )
            .into());
        }
        let newcomer = account.id.get();
        crate::store::quotas::check_seats_for_group(conn, ctx, group.id, newcomer.uuid())?;
        diesel::insert_into(group_members::table)
            .values((
                group_members::group_id.eq(&group.id),
                group_members::account_id.eq(&account.id),
                group_members::added_at.eq(ctx.now),
                group_members::added_by.eq(ctx.principal().account_id.to_string()),
            ))
            .execute(conn)
            .map_err(on_unique(
                ErrorCode::AlreadyMember,
                mcp_domain::msg!(
                    "cette personne est déjà membre du groupe",
                    "this person is already a member of the group"
                ),
            ))?;
        touch_group(conn, group.id, ctx.now)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(group.partner_id.get()),
                action: TraceAction::GroupMemberAdded,
                target_type: TargetType::Group,
                target_id: Some(group_id.into()),
                caf_id: Some(group.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({ "account_id": account.id, "full_name": account.full_name }),
            },
        )?;
        Ok(Member {
            account,
            added_at: ctx.now,
        })
    })
}

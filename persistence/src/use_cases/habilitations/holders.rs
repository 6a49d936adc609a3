//! The people holding one profile at a partner (live habilitations), with the quota.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::schema::{accounts, group_members, habilitations, partner_groups};
use crate::store::accounts::Account;
use crate::store::staff::Group;
use crate::use_cases::partners::{self};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::habilitation::HabilitationStatus;
use mcp_domain::ids::{AccountId, PartnerId, ProfileId};
use mcp_domain::vocabulary::HolderKind;
use std::collections::BTreeMap;

use super::*;

/// The people holding one profile at a partner (live habilitations), with the quota.
pub fn holders(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    profile_id: ProfileId,
) -> Result<(Vec<QuotaLine>, Vec<ProfileHolder>)> {
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadHabilitations,
        |conn, partner| {
            let lines: Vec<QuotaLine> = quota_lines(conn, &partner, ctx.today())?
                .into_iter()
                .filter(|l| l.profile_id == profile_id)
                .collect();
            let live: Vec<Habilitation> = habilitations::table
                .filter(habilitations::partner_id.eq(&partner.id))
                .filter(habilitations::profile_id.eq(profile_id.to_string()))
                .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
                .order(habilitations::id.asc())
                .select(Habilitation::as_select())
                .load(conn)?;
            let mut by_person: BTreeMap<String, Vec<(String, Option<Group>)>> = BTreeMap::new();
            for h in live {
                if crate::read_code(&h.holder_kind, HolderKind::from_code)? == HolderKind::Group {
                    let group: Group = partner_groups::table
                        .find(&h.holder_id)
                        .select(Group::as_select())
                        .first(conn)?;
                    let members: Vec<Id<AccountId>> = group_members::table
                        .filter(group_members::group_id.eq(&group.id))
                        .select(group_members::account_id)
                        .load(conn)?;
                    for m in members {
                        by_person
                            .entry(m.to_string())
                            .or_default()
                            .push((h.id.to_string(), Some(group.clone())));
                    }
                } else {
                    by_person
                        .entry(h.holder_id.clone())
                        .or_default()
                        .push((h.id.to_string(), None));
                }
            }
            let ids: Vec<&String> = by_person.keys().collect();
            let people: Vec<Account> = accounts::table
                .filter(accounts::id.eq_any(ids))
                .order(accounts::full_name.asc())
                .select(Account::as_select())
                .load(conn)?;
            let out = people
                .into_iter()
                .map(|account| {
                    let through = by_person
                        .remove(&account.id.to_string())
                        .unwrap_or_default();
                    ProfileHolder { account, through }
                })
                .collect();
            Ok((lines, out))
        },
    )
}

//! Gives a partner user a delegation (the partner's administrators only).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{on_unique, Error, Result};
use crate::id::Id;
use crate::schema::delegations;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::{Function, ManagementFunction, Role};
use mcp_domain::habilitation::check_delegation;
use mcp_domain::ids::{AccountId, PartnerId};
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use super::*;

/// Gives a partner user a delegation (the partner's administrators only): which management
/// functions, over which profiles. One delegation in force per person; change it by withdrawing
/// it and giving another.
pub fn give_delegation(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    account_id: AccountId,
    functions: &[ManagementFunction],
    profiles: &[Uuid],
) -> Result<DelegationRow> {
    check_delegation(functions, profiles)?;
    db.write(|conn| {
        let partner = managed_partner(conn, ctx, partner_id, Function::ManageDelegations)?;
        let (account, role) = staff_member(conn, &partner, account_id).map_err(|e| match e {
            Error::Domain(DomainError::NotFound) => DomainError::field("account_id", "unknown_account", mcp_domain::msg!("cette personne ne fait pas partie du personnel de ce partenaire", "no such person among this partner's staff")).into(),
            e => e,
        })?;
        if role != Role::PartnerUser || crate::read_code(&account.status, AccountStatus::from_code)? == AccountStatus::Disabled {
            return Err(DomainError::field("account_id", "not_a_partner_user", mcp_domain::msg!("une délégation se donne à un utilisateur du partenaire dont le compte est ouvert ; les administrateurs détiennent déjà toutes les fonctions", "delegations go to partner users whose account is open; administrators hold every function already")).into());
        }
        let subscribed = crate::store::habilitations::subscribed_profiles(conn, partner.id, ctx.today())?;
        for (i, p) in profiles.iter().enumerate() {
            if !subscribed.contains(&Id(mcp_domain::ids::ProfileId::from(*p))) {
                return Err(DomainError::field(format!("profile_ids[{i}]"), "profile_not_subscribed", mcp_domain::msg!("le partenaire n'a pas souscrit ce profil au titre d'une convention en vigueur", "the partner does not subscribe to this profile under a convention in force")).into());
            }
        }
        let mut functions: Vec<ManagementFunction> = functions.to_vec();
        functions.sort();
        functions.dedup();
        let mut profile_ids: Vec<String> = profiles.iter().map(Uuid::to_string).collect();
        profile_ids.sort();
        profile_ids.dedup();
        let row = DelegationRow {
            id: Id::new(),
            caf_id: partner.caf_id,
            partner_id: partner.id,
            account_id: account.id,
            functions: serde_json::to_string(&functions.iter().map(|f| f.code()).collect::<Vec<_>>()).expect("strings"),
            profile_ids: serde_json::to_string(&profile_ids).expect("strings"),
            granted_by: Id(ctx.principal().account_id),
            granted_at: ctx.now,
            withdrawn_at: None,
            withdrawn_by: None,
            withdrawn_reason: None,
        };
        diesel::insert_into(delegations::table)
            .values((
                delegations::id.eq(&row.id),
                delegations::caf_id.eq(&row.caf_id),
                delegations::partner_id.eq(&row.partner_id),
                delegations::account_id.eq(&row.account_id),
                delegations::functions.eq(&row.functions),
                delegations::profile_ids.eq(&row.profile_ids),
                delegations::granted_by.eq(&row.granted_by),
                delegations::granted_at.eq(row.granted_at),
            ))
            .execute(conn)
            .map_err(on_unique(ErrorCode::DelegationInForce, mcp_domain::msg!("cette personne détient déjà une délégation : retirez-la avant d'en donner une autre", "this person already holds a delegation: withdraw it before giving another")))?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(partner.id.get()),
                action: TraceAction::DelegationGiven,
                target_type: TargetType::Delegation,
                target_id: Some(row.id.get().uuid()),
                caf_id: Some(partner.caf_id.get()),
                outcome: Outcome::Success,
                detail: json!({ "partner_id": partner.id, "account_id": account.id, "functions": functions.iter().map(|f| f.code()).collect::<Vec<_>>(), "profile_ids": profile_ids }),
            },
        )?;
        Ok(row)
    })
}

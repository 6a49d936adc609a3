//! Every habilitation a person holds or held, directly or through their groups.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::schema::{accounts, habilitations};
use crate::store::accounts::Account;
use crate::store::partners::{self};
use crate::store::staff::{self};
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::ids::AccountId;
use mcp_domain::vocabulary::HolderKind;
use mcp_domain::DomainError;

use super::*;

/// Where a person's hold on a profile comes from.
#[derive(Debug, Clone)]
pub struct Held {
    /// The habilitation.
    pub habilitation: HabilitationView,
    /// The group it comes through; `None` when given to the person directly.
    pub via_group: Option<crate::store::staff::Group>,
}

/// Every habilitation a person holds or held, directly or through their groups.
pub fn of_person(db: &Database, ctx: &Ctx, account_id: AccountId) -> Result<(Account, Vec<Held>)> {
    db.read(|conn| {
        let account: Account = accounts::table
            .find(account_id.to_string())
            .select(Account::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        let own = ctx.principal().account_id == account_id;
        match (&account.partner_id, own) {
            (_, true) => authorize(ctx.principal(), Function::ReadOwnAccount, Reach::National)?,
            (Some(p), false) => {
                partners::load_for(
                    conn,
                    ctx,
                    p.get().uuid().into(),
                    Function::ReadHabilitations,
                )?;
            }
            (None, false) => return Err(DomainError::NotFound.into()),
        }
        let mut out = vec![];
        let direct: Vec<Habilitation> = habilitations::table
            .filter(habilitations::holder_kind.eq(HolderKind::Account.code()))
            .filter(habilitations::holder_id.eq(&account.id))
            .order(habilitations::id.asc())
            .select(Habilitation::as_select())
            .load(conn)?;
        for h in direct {
            out.push(Held {
                habilitation: view(conn, h)?,
                via_group: None,
            });
        }
        for g in staff::groups_of(conn, account.id)? {
            let through: Vec<Habilitation> = habilitations::table
                .filter(habilitations::holder_kind.eq(HolderKind::Group.code()))
                .filter(habilitations::holder_id.eq(&g.id))
                .order(habilitations::id.asc())
                .select(Habilitation::as_select())
                .load(conn)?;
            for h in through {
                out.push(Held {
                    habilitation: view(conn, h)?,
                    via_group: Some(g.clone()),
                });
            }
        }
        Ok((account, out))
    })
}

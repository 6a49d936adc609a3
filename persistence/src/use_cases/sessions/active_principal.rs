//! The principal behind an access token, if its account is active and its session open.

use crate::db::Database;
use crate::error::Result;
use crate::schema::{accounts, sessions};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::access::Principal;
use mcp_domain::ids::{AccountId, SessionId};
use mcp_domain::vocabulary::AccountStatus;

use super::*;

/// The principal behind an access token, if its account is active and its session open;
/// checked on every request so that a logout or a revocation takes effect at once.
pub fn active_principal(
    db: &Database,
    account_id: AccountId,
    session_id: SessionId,
    now: NaiveDateTime,
) -> Result<Option<Principal>> {
    db.read(|conn| {
        let row: Option<(Session, Holder)> = sessions::table
            .inner_join(accounts::table)
            .filter(sessions::id.eq(session_id.to_string()))
            .filter(sessions::account_id.eq(account_id.to_string()))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .filter(accounts::status.eq(AccountStatus::Active.code()))
            .select((Session::as_select(), Holder::as_select()))
            .first(conn)
            .optional()?;
        let Some(mut principal) = row.and_then(|(session, holder)| session.principal(&holder))
        else {
            return Ok(None);
        };
        if principal.role == mcp_domain::access::Role::PartnerUser {
            principal.delegation = crate::store::staff::delegation_in_force(conn, account_id)?;
        }
        Ok(Some(principal))
    })
}

//! Exchanges a refresh token for a new one in the same session.

use crate::credentials::secret_hash;
use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::schema::{accounts, refresh_tokens, sessions};
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::ids::ClientId;
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};
use serde_json::json;

use super::*;

/// Exchanges a refresh token for a new one in the same session. A token already used revokes
/// the whole session (it was copied) and is traced; an unknown, expired or revoked one is refused.
///
/// With `expected_client` (the OAuth token endpoint), the token must belong to a session of
/// that software.
pub fn refresh(
    db: &Database,
    ctx: &Ctx,
    token: &str,
    expected_client: Option<ClientId>,
) -> Result<Issued> {
    let hash = secret_hash(token);
    let outcome = db.write(|conn| {
        let found: Option<RefreshRow> = refresh_tokens::table
            .inner_join(sessions::table.inner_join(accounts::table))
            .filter(refresh_tokens::token_hash.eq(&hash))
            .select((
                refresh_tokens::id,
                refresh_tokens::used_at,
                Session::as_select(),
                Holder::as_select(),
            ))
            .first(conn)
            .optional()?;
        let Some((token_id, used_at, session, holder)) = found else {
            return Err(refused());
        };
        if expected_client.is_some_and(|c| session.client_id != Some(Id(c))) {
            return Err(refused());
        }
        let ctx = ctx.acting_as(session.principal(&holder));
        let caf = holder.caf_id.map(Id::get);
        let must_change = holder.must_change_password;
        let must_enrol = holder.must_enrol_second_factor;
        // Spent in one conditional write: of concurrent presentations of one token, exactly one
        // changes the row (PostgreSQL re-reads `used_at` once the first commits); the others
        // are reuse, as if they came after.
        let spent_now = used_at.is_none()
            && diesel::update(
                refresh_tokens::table
                    .find(&token_id)
                    .filter(refresh_tokens::used_at.is_null()),
            )
            .set(refresh_tokens::used_at.eq(ctx.now))
            .execute(conn)?
                == 1;
        if !spent_now {
            if session.revoked_at.is_none() {
                revoke_in(
                    conn,
                    &ctx,
                    &session,
                    mcp_domain::vocabulary::SessionEnd::RefreshTokenReuse,
                    caf,
                )?;
            }
            return Ok(Refresh::Reused);
        }
        if session.revoked_at.is_some()
            || session.expires_at <= ctx.now
            || crate::read_code(&holder.status, AccountStatus::from_code)? != AccountStatus::Active
        {
            return Err(refused());
        }
        diesel::update(sessions::table.find(&session.id))
            .set(sessions::last_used_at.eq(ctx.now))
            .execute(conn)?;
        let refresh_token = new_refresh_token(conn, session.id, ctx.now)?;
        trace::record(
            conn,
            &ctx,
            Event {
                partner_id: holder.partner_id.map(Id::get),
                action: TraceAction::AuthRefresh,
                target_type: TargetType::Session,
                target_id: Some(session.id.get().uuid()),
                caf_id: caf,
                outcome: Outcome::Success,
                detail: json!({}),
            },
        )?;
        let software = ctx.principal.as_ref().and_then(|p| p.software.clone());
        Ok(Refresh::Rotated(Issued {
            account_id: session.account_id,
            session_id: session.id,
            refresh_token,
            expires_at: session.expires_at,
            software,
            must_change_password: must_change,
            must_enrol_second_factor: must_enrol,
        }))
    })?;
    match outcome {
        Refresh::Rotated(issued) => Ok(issued),
        Refresh::Reused => Err(refused()),
    }
}

//! Opens a session after a successful login, and traces the login, in one transaction.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::sessions;
use crate::use_cases::accounts::{principal_of, LoginCandidate};
use crate::use_cases::trace::{self, Event, Outcome};
use chrono::Duration;
use diesel::prelude::*;
use mcp_domain::access::{Scope, Software};
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// Opens a session after a successful login, and traces the login, in one transaction. With
/// `software`, the session is that partner software's, acting for the person with the scopes
/// the person granted.
pub fn open(
    db: &Database,
    ctx: &Ctx,
    account: &LoginCandidate,
    identifier: &str,
    client: &Client,
    software: Option<&Software>,
) -> Result<Issued> {
    let person = principal_of(
        &account.id,
        &account.role,
        account.caf_id.as_deref(),
        account.partner_id.as_deref(),
    );
    let ctx = Ctx {
        principal: match software {
            Some(sw) => person.map(|p| p.through(sw.client_id, sw.scopes.clone())),
            None => person,
        },
        ..ctx.clone()
    };
    db.write(|conn| {
        let id = crate::new_id();
        let expires_at = ctx.now + Duration::hours(SESSION_HOURS);
        let bounded = |s: &Option<String>| s.as_ref().map(|v| v.chars().take(200).collect::<String>());
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(&id),
                sessions::account_id.eq(&account.id),
                sessions::created_at.eq(ctx.now),
                sessions::last_used_at.eq(ctx.now),
                sessions::expires_at.eq(expires_at),
                sessions::user_agent.eq(bounded(&client.user_agent)),
                sessions::source.eq(bounded(&client.source)),
                sessions::client_id.eq(software.map(|sw| sw.client_id.to_string())),
                sessions::scope.eq(software.map(|sw| Scope::join(&sw.scopes))),
            ))
            .execute(conn)?;
        let refresh_token = new_refresh_token(conn, &id, ctx.now)?;
        trace::record(
            conn,
            &ctx,
            Event {
                partner_id: account.partner_id.as_deref().map(crate::uuid).transpose()?,
                action: TraceAction::AuthLogin,
                target_type: "account",
                target_id: Some(crate::uuid(&account.id)?),
                caf_id: account.caf_id.as_deref().map(crate::uuid).transpose()?,
                outcome: Outcome::Success,
                detail: json!({ "identifier": identifier, "session_id": id, "source": client.source }),
            },
        )?;
        Ok(Issued { account_id: account.id.clone(), session_id: id, refresh_token, expires_at, software: software.cloned(), must_change_password: account.must_change_password, must_enrol_second_factor: account.must_enrol_second_factor })
    })
}

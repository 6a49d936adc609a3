//! Records the person's consent as a single-use code bound to the software, the redirect URI and
//! the PKCE challenge.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::authorization_codes;
use crate::use_cases::accounts::{random_secret, secret_hash, LoginCandidate};
use crate::use_cases::trace::{self, Event, Outcome};
use chrono::Duration;
use diesel::prelude::*;
use mcp_domain::access::Scope;
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;
use uuid::Uuid;

use super::*;

/// Records the person's consent as a single-use code bound to the software, the redirect URI
/// and the PKCE challenge; returns the code (stored only as a hash). Traced as the person's
/// action through the software.
pub fn issue_code(
    db: &Database,
    ctx: &Ctx,
    app: &ClientApplication,
    account: &LoginCandidate,
    redirect_uri: &str,
    scopes: &[Scope],
    code_challenge: &str,
) -> Result<String> {
    let code = random_secret();
    let person = crate::use_cases::accounts::principal_of(
        &account.id,
        &account.role,
        account.caf_id.as_deref(),
        account.partner_id.as_deref(),
    );
    let ctx = Ctx {
        principal: person.map(|p| {
            p.through(
                Uuid::parse_str(&app.id).unwrap_or_default(),
                scopes.to_vec(),
            )
        }),
        ..ctx.clone()
    };
    db.write(|conn| {
        diesel::insert_into(authorization_codes::table)
            .values((
                authorization_codes::code_hash.eq(secret_hash(&code)),
                authorization_codes::client_id.eq(&app.id),
                authorization_codes::account_id.eq(&account.id),
                authorization_codes::redirect_uri.eq(redirect_uri),
                authorization_codes::scope.eq(Scope::join(scopes)),
                authorization_codes::code_challenge.eq(code_challenge),
                authorization_codes::created_at.eq(ctx.now),
                authorization_codes::expires_at
                    .eq(ctx.now + Duration::seconds(CODE_VALIDITY_SECONDS)),
            ))
            .execute(conn)?;
        trace::record(
            conn,
            &ctx,
            Event {
                partner_id: account.partner_id.as_deref().map(crate::uuid).transpose()?,
                action: TraceAction::OauthConsentGiven,
                target_type: "client_application",
                target_id: Some(app.client_uuid()?),
                caf_id: account.caf_id.as_deref().map(crate::uuid).transpose()?,
                outcome: Outcome::Success,
                detail: json!({ "scope": Scope::join(scopes) }),
            },
        )?;
        Ok(code)
    })
}

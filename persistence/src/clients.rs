//! Partner software (OAuth 2.0 clients) and the authorization codes that hand a person's
//! consent to it. A partner's administrators submit their software and the Caf approves it, or
//! the Caf registers it directly (its approval); the software then acts only for people of that
//! partner, with the scopes each person grants.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach, Scope, Software};
use mcp_domain::software::Registration;
use mcp_domain::DomainError;
use serde_json::json;
use uuid::Uuid;

use crate::accounts::{random_secret, secret_hash, LoginCandidate};
use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::schema::{accounts, authorization_codes, client_applications};
use crate::trace::{self, Event, Outcome};

/// How long an authorization code may wait to be exchanged.
pub const CODE_VALIDITY_SECONDS: i64 = 60;

/// A registered software.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = client_applications)]
pub struct ClientApplication {
    /// The `client_id`.
    pub id: String,
    /// The partner's Caf.
    pub caf_id: String,
    /// The partner it belongs to.
    pub partner_id: String,
    /// Its name.
    pub name: String,
    /// Registered redirect URIs, JSON array.
    pub redirect_uris: String,
    /// The most it may ask for, space-separated.
    pub scopes: String,
    /// Whether it may present a person's own credentials.
    pub password_grant: bool,
    /// `pending_approval`, `approved` or `revoked`.
    pub status: String,
    /// Registration instant.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

impl ClientApplication {
    /// Its redirect URIs.
    pub fn redirect_uri_list(&self) -> Vec<String> {
        serde_json::from_str(&self.redirect_uris).unwrap_or_default()
    }

    /// The scopes it registered.
    pub fn scope_list(&self) -> Vec<Scope> {
        Scope::parse_list(&self.scopes).unwrap_or_default()
    }

    /// Its id.
    pub fn client_uuid(&self) -> Result<Uuid> {
        crate::uuid(&self.id)
    }
}

/// Registers a partner's software: approved at once when the Caf registers it; pending the
/// Caf's approval when the partner's administrators submit it.
pub fn register(
    db: &Database,
    ctx: &Ctx,
    partner_id: Uuid,
    reg: &Registration,
) -> Result<ClientApplication> {
    let submitted = ctx.principal().is_partner_staff();
    let (function, status, action) = if submitted {
        (
            Function::SubmitSoftware,
            "pending_approval",
            "client_application.submitted",
        )
    } else {
        (
            Function::ManagePartners,
            "approved",
            "client_application.registered",
        )
    };
    authorize(ctx.principal(), function, Reach::National)?;
    db.write(|conn| {
        let partner = crate::partners::load_for(conn, ctx, partner_id, function)?;
        let app = ClientApplication {
            id: crate::new_id(),
            caf_id: partner.caf_id.clone(),
            partner_id: partner.id.clone(),
            name: reg.name.clone(),
            redirect_uris: serde_json::to_string(&reg.redirect_uris).expect("strings serialise"),
            scopes: Scope::join(&reg.scopes),
            password_grant: reg.password_grant,
            status: status.into(),
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        diesel::insert_into(client_applications::table)
            .values((
                client_applications::id.eq(&app.id),
                client_applications::caf_id.eq(&app.caf_id),
                client_applications::partner_id.eq(&app.partner_id),
                client_applications::name.eq(&app.name),
                client_applications::redirect_uris.eq(&app.redirect_uris),
                client_applications::scopes.eq(&app.scopes),
                client_applications::password_grant.eq(app.password_grant),
                client_applications::status.eq(&app.status),
                client_applications::created_at.eq(app.created_at),
                client_applications::updated_at.eq(app.updated_at),
            ))
            .execute(conn)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&app.partner_id)?),
                action,
                target_type: "client_application",
                target_id: Some(app.client_uuid()?),
                caf_id: Some(crate::uuid(&app.caf_id)?),
                outcome: Outcome::Success,
                detail: json!({ "partner_id": app.partner_id, "name": app.name, "redirect_uris": reg.redirect_uris, "scopes": app.scopes, "password_grant": app.password_grant }),
            },
        )?;
        Ok(app)
    })
}

/// A partner's software.
pub fn list(db: &Database, ctx: &Ctx, partner_id: Uuid) -> Result<Vec<ClientApplication>> {
    authorize(ctx.principal(), Function::ReadPartners, Reach::National)?;
    db.read(|conn| {
        let partner = crate::partners::load_for(conn, ctx, partner_id, Function::ReadPartners)?;
        Ok(client_applications::table
            .filter(client_applications::partner_id.eq(&partner.id))
            .order(client_applications::id.asc())
            .select(ClientApplication::as_select())
            .load(conn)?)
    })
}

/// Revokes a software: it can no longer sign anyone in, and every session it holds ends now.
pub fn revoke(
    db: &Database,
    ctx: &Ctx,
    client_id: Uuid,
    reason: &str,
) -> Result<ClientApplication> {
    let reason = mcp_domain::text::required("reason", reason, 2000)?;
    authorize(ctx.principal(), Function::ManagePartners, Reach::National)?;
    db.write(|conn| {
        let app: ClientApplication = client_applications::table
            .find(client_id.to_string())
            .select(ClientApplication::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        crate::partners::load_for(
            conn,
            ctx,
            crate::uuid(&app.partner_id)?,
            Function::ManagePartners,
        )?;
        if app.status == "revoked" {
            return Err(DomainError::conflict(
                "client_revoked",
                "this software is already revoked",
            )
            .into());
        }
        diesel::update(client_applications::table.find(&app.id))
            .set((
                client_applications::status.eq("revoked"),
                client_applications::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let ended = crate::sessions::revoke_client_in(conn, ctx, &app.id)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&app.partner_id)?),
                action: "client_application.revoked",
                target_type: "client_application",
                target_id: Some(client_id),
                caf_id: Some(crate::uuid(&app.caf_id)?),
                outcome: Outcome::Success,
                detail: json!({ "reason": reason, "sessions_ended": ended }),
            },
        )?;
        Ok(ClientApplication {
            status: "revoked".into(),
            ..app
        })
    })
}

/// The Caf approves software its partner submitted: from now on people of that partner may
/// sign in to it.
pub fn approve(db: &Database, ctx: &Ctx, client_id: Uuid) -> Result<ClientApplication> {
    authorize(ctx.principal(), Function::ManagePartners, Reach::National)?;
    db.write(|conn| {
        let app: ClientApplication = client_applications::table
            .find(client_id.to_string())
            .select(ClientApplication::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        crate::partners::load_for(
            conn,
            ctx,
            crate::uuid(&app.partner_id)?,
            Function::ManagePartners,
        )?;
        if app.status != "pending_approval" {
            return Err(DomainError::conflict(
                "client_not_pending",
                format!("this software is {}, not waiting for approval", app.status),
            )
            .into());
        }
        diesel::update(client_applications::table.find(&app.id))
            .set((
                client_applications::status.eq("approved"),
                client_applications::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&app.partner_id)?),
                action: "client_application.approved",
                target_type: "client_application",
                target_id: Some(client_id),
                caf_id: Some(crate::uuid(&app.caf_id)?),
                outcome: Outcome::Success,
                detail: json!({ "partner_id": app.partner_id, "name": app.name, "scopes": app.scopes, "password_grant": app.password_grant }),
            },
        )?;
        Ok(ClientApplication {
            status: "approved".into(),
            updated_at: ctx.now,
            ..app
        })
    })
}

/// An approved software, for the sign-in page and the token endpoint (no one is signed in yet).
pub fn approved(db: &Database, client_id: &str) -> Result<Option<ClientApplication>> {
    db.read(|conn| {
        Ok(client_applications::table
            .find(client_id)
            .filter(client_applications::status.eq("approved"))
            .select(ClientApplication::as_select())
            .first(conn)
            .optional()?)
    })
}

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
    let person = crate::accounts::principal_of(
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
                action: "oauth.consent_given",
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

/// Exchanges a code: it must be unused, unexpired, issued to this software for this redirect
/// URI, and `challenge_of_verifier` (the S256 of the verifier presented) must match. Gives the
/// person and the software acting for them. A code works once.
pub fn redeem_code(
    db: &Database,
    ctx: &Ctx,
    code: &str,
    client_id: &str,
    redirect_uri: &str,
    challenge_of_verifier: &str,
) -> Result<(LoginCandidate, Software)> {
    let hash = secret_hash(code);
    // A refusal is returned from a committed transaction: a code tried once stays spent.
    let outcome = db.write(|conn| {
        let found: Option<CodeRow> = authorization_codes::table
            .find(&hash)
            .select(CodeRow::as_select())
            .first(conn)
            .optional()?;
        let Some(row) = found else {
            return Ok(None);
        };
        diesel::update(authorization_codes::table.find(&hash))
            .set(authorization_codes::used_at.eq(ctx.now))
            .execute(conn)?;
        let challenge_ok = mcp_domain::text::constant_time_eq(
            row.code_challenge.as_bytes(),
            challenge_of_verifier.as_bytes(),
        );
        if row.used_at.is_some()
            || row.expires_at <= ctx.now
            || row.client_id != client_id
            || row.redirect_uri != redirect_uri
            || !challenge_ok
        {
            return Ok(None);
        }
        let account: Option<LoginCandidate> = accounts::table
            .find(&row.account_id)
            .filter(accounts::status.eq("active"))
            .select(LoginCandidate::as_select())
            .first(conn)
            .optional()?;
        Ok(account.map(|a| (a, row.scope)))
    })?;
    let (account, scope) = outcome.ok_or_else(|| {
        Error::Domain(DomainError::rule(
            "invalid_grant",
            "this code is unknown, used, expired, or not issued to this software",
        ))
    })?;
    Ok((
        account,
        Software {
            client_id: crate::uuid(client_id)?,
            scopes: Scope::parse_list(&scope).unwrap_or_default(),
        },
    ))
}

/// A stored authorization code.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = authorization_codes)]
struct CodeRow {
    client_id: String,
    account_id: String,
    redirect_uri: String,
    scope: String,
    code_challenge: String,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
}

//! Sessions: opened by a login, kept alive by refresh tokens that rotate on every use, ended by
//! logout, by "log out everywhere", or at once when a used refresh token comes back (a stolen
//! copy): the whole session is revoked and every token of it stops working on the next request.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::access::{Principal, Scope, Software};
use mcp_domain::DomainError;
use serde_json::json;
use uuid::Uuid;

use crate::accounts::{principal_of, random_secret, secret_hash, LoginCandidate};
use crate::ctx::Ctx;
use crate::db::{Database, DbConnection};
use crate::error::{Error, Result};
use crate::schema::{accounts, refresh_tokens, sessions};
use crate::trace::{self, Event, Outcome};

/// Longest a session lives, refreshed or not: a working day, then the person logs in again.
pub const SESSION_HOURS: i64 = 12;

/// A session as its owner sees it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    /// Opaque id (`sid` of its access tokens).
    pub id: String,
    /// The account.
    pub account_id: String,
    /// Login instant.
    pub created_at: NaiveDateTime,
    /// Last login or refresh.
    pub last_used_at: NaiveDateTime,
    /// End of its life.
    pub expires_at: NaiveDateTime,
    /// When it was ended, if it was.
    pub revoked_at: Option<NaiveDateTime>,
    /// Why (`logout`, `logout_everywhere`, `refresh_token_reuse`…).
    pub revoked_reason: Option<String>,
    /// The client software, as it said.
    pub user_agent: Option<String>,
    /// The client's address.
    pub source: Option<String>,
    /// The partner software the session was opened for, if any.
    pub client_id: Option<String>,
    /// The scopes the person granted that software.
    pub scope: Option<String>,
}

/// What a session needs to know of its account on each use.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
struct Holder {
    status: String,
    role: String,
    caf_id: Option<String>,
    partner_id: Option<String>,
    must_change_password: bool,
    must_enrol_second_factor: bool,
}

impl Session {
    /// The principal acting through this session.
    fn principal(&self, holder: &Holder) -> Option<Principal> {
        let person = principal_of(
            &self.account_id,
            &holder.role,
            holder.caf_id.as_deref(),
            holder.partner_id.as_deref(),
        )
        .map(|p| Principal {
            must_change_password: holder.must_change_password,
            must_enrol_second_factor: holder.must_enrol_second_factor,
            ..p
        })?;
        match &self.client_id {
            None => Some(person),
            Some(client) => Some(person.through(
                Uuid::parse_str(client).ok()?,
                Scope::parse_list(self.scope.as_deref().unwrap_or("")).ok()?,
            )),
        }
    }
}

/// A session just opened or refreshed, with the secret to hand to the client once.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The account.
    pub account_id: String,
    /// The session.
    pub session_id: String,
    /// The new refresh token (only its hash is stored).
    pub refresh_token: String,
    /// When the session ends at the latest.
    pub expires_at: NaiveDateTime,
    /// The software the session belongs to, if any.
    pub software: Option<Software>,
    /// Whether the person must change their password before anything else.
    pub must_change_password: bool,
    /// Whether the person must enrol a second factor before anything else.
    pub must_enrol_second_factor: bool,
}

/// Where a request came from, kept with the session.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// `User-Agent`.
    pub user_agent: Option<String>,
    /// Peer address.
    pub source: Option<String>,
}

fn new_refresh_token(
    conn: &mut DbConnection,
    session_id: &str,
    now: NaiveDateTime,
) -> Result<String> {
    let secret = random_secret();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(crate::new_id()),
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::token_hash.eq(secret_hash(&secret)),
            refresh_tokens::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(secret)
}

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
                action: "auth.login",
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

fn refused() -> Error {
    Error::Domain(DomainError::rule(
        "refresh_refused",
        "this refresh token does not open a session: log in again",
    ))
}

/// A refresh token with its session and the account's status, role and Caf.
type RefreshRow = (String, Option<NaiveDateTime>, Session, Holder);

/// What a refresh attempt found.
enum Refresh {
    Rotated(Issued),
    /// A used token came back: the session was revoked; the caller answers as for any refusal.
    Reused,
}

/// Exchanges a refresh token for a new one in the same session. A token already used revokes
/// the whole session (it was copied) and is traced; an unknown, expired or revoked one is refused.
///
/// With `expected_client` (the OAuth token endpoint), the token must belong to a session of
/// that software.
pub fn refresh(
    db: &Database,
    ctx: &Ctx,
    token: &str,
    expected_client: Option<Uuid>,
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
        if expected_client
            .is_some_and(|c| session.client_id.as_deref() != Some(c.to_string().as_str()))
        {
            return Err(refused());
        }
        let ctx = Ctx {
            principal: session.principal(&holder),
            ..ctx.clone()
        };
        let caf = holder.caf_id.as_deref().map(crate::uuid).transpose()?;
        let must_change = holder.must_change_password;
        let must_enrol = holder.must_enrol_second_factor;
        if used_at.is_some() {
            if session.revoked_at.is_none() {
                revoke_in(conn, &ctx, &session, "refresh_token_reuse", caf)?;
            }
            return Ok(Refresh::Reused);
        }
        if session.revoked_at.is_some()
            || session.expires_at <= ctx.now
            || holder.status != "active"
        {
            return Err(refused());
        }
        diesel::update(refresh_tokens::table.find(&token_id))
            .set(refresh_tokens::used_at.eq(ctx.now))
            .execute(conn)?;
        diesel::update(sessions::table.find(&session.id))
            .set(sessions::last_used_at.eq(ctx.now))
            .execute(conn)?;
        let refresh_token = new_refresh_token(conn, &session.id, ctx.now)?;
        trace::record(
            conn,
            &ctx,
            Event {
                partner_id: holder.partner_id.as_deref().map(crate::uuid).transpose()?,
                action: "auth.refresh",
                target_type: "session",
                target_id: Some(crate::uuid(&session.id)?),
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

fn revoke_in(
    conn: &mut DbConnection,
    ctx: &Ctx,
    session: &Session,
    reason: &str,
    caf: Option<Uuid>,
) -> Result<()> {
    diesel::update(
        sessions::table
            .find(&session.id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(ctx.now),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)?;
    // The holder's partner, whose administrators read what happened to their staff's sessions.
    let partner = accounts::table
        .find(&session.account_id)
        .select(accounts::partner_id)
        .first::<Option<String>>(conn)?
        .as_deref()
        .map(crate::uuid)
        .transpose()?;
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: partner,
            action: "auth.session_revoked",
            target_type: "session",
            target_id: Some(crate::uuid(&session.id)?),
            caf_id: caf,
            outcome: if reason == "refresh_token_reuse" {
                Outcome::Denied
            } else {
                Outcome::Success
            },
            detail: json!({ "reason": reason, "account_id": session.account_id }),
        },
    )
}

fn caf_of(principal: &Principal) -> Option<Uuid> {
    principal.caf_scope()
}

/// Ends one of the caller's own sessions (logout: software may end the session it acts in).
/// Another person's session does not exist for the caller.
pub fn revoke_own(db: &Database, ctx: &Ctx, session_id: Uuid, reason: &str) -> Result<()> {
    let me = ctx.principal().account_id().to_string();
    db.write(|conn| {
        let session: Session = sessions::table
            .find(session_id.to_string())
            .filter(sessions::account_id.eq(&me))
            .select(Session::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        if session.revoked_at.is_some() {
            return Ok(());
        }
        revoke_in(conn, ctx, &session, reason, caf_of(ctx.principal()))
    })
}

/// Ends another of the caller's sessions, seen in their list.
pub fn end_own(db: &Database, ctx: &Ctx, session_id: Uuid) -> Result<()> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ManageOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    revoke_own(db, ctx, session_id, "ended_by_owner")
}

/// Ends every open session of the caller ("log out everywhere"); returns how many.
pub fn revoke_all_own(db: &Database, ctx: &Ctx) -> Result<usize> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ManageOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let me = ctx.principal().account_id().to_string();
    db.write(|conn| revoke_others_in(conn, ctx, &me, None, "logout_everywhere"))
}

/// Ends the open sessions of an account but `keep`, inside the caller's transaction; returns how
/// many. Each end is traced with its reason.
pub(crate) fn revoke_others_in(
    conn: &mut DbConnection,
    ctx: &Ctx,
    account_id: &str,
    keep: Option<Uuid>,
    reason: &str,
) -> Result<usize> {
    let keep = keep.map(|k| k.to_string()).unwrap_or_default();
    let open: Vec<Session> = sessions::table
        .filter(sessions::account_id.eq(account_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(ctx.now))
        .filter(sessions::id.ne(keep))
        .select(Session::as_select())
        .load(conn)?;
    let caf: Option<Uuid> = accounts::table
        .find(account_id)
        .select(accounts::caf_id)
        .first::<Option<String>>(conn)?
        .as_deref()
        .map(crate::uuid)
        .transpose()?;
    for s in &open {
        revoke_in(conn, ctx, s, reason, caf)?;
    }
    Ok(open.len())
}

/// Ends every open session of a software, inside the caller's transaction (the software was
/// revoked); returns how many.
pub(crate) fn revoke_client_in(
    conn: &mut DbConnection,
    ctx: &Ctx,
    client_id: &str,
) -> Result<usize> {
    let open: Vec<(Session, Option<String>)> = sessions::table
        .inner_join(accounts::table)
        .filter(sessions::client_id.eq(client_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(ctx.now))
        .select((Session::as_select(), accounts::caf_id))
        .load(conn)?;
    for (s, caf) in &open {
        revoke_in(
            conn,
            ctx,
            s,
            "client_revoked",
            caf.as_deref().map(crate::uuid).transpose()?,
        )?;
    }
    Ok(open.len())
}

/// The caller's sessions still open, most recent first.
pub fn list_own(db: &Database, ctx: &Ctx) -> Result<Vec<Session>> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ReadOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let me = ctx.principal().account_id().to_string();
    db.read(|conn| {
        Ok(sessions::table
            .filter(sessions::account_id.eq(&me))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(ctx.now))
            .order(sessions::id.desc())
            .limit(100)
            .select(Session::as_select())
            .load(conn)?)
    })
}

/// The principal behind an access token, if its account is active and its session open;
/// checked on every request so that a logout or a revocation takes effect at once.
pub fn active_principal(
    db: &Database,
    account_id: Uuid,
    session_id: Uuid,
    now: NaiveDateTime,
) -> Result<Option<Principal>> {
    db.read(|conn| {
        let row: Option<(Session, Holder)> = sessions::table
            .inner_join(accounts::table)
            .filter(sessions::id.eq(session_id.to_string()))
            .filter(sessions::account_id.eq(account_id.to_string()))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .filter(accounts::status.eq("active"))
            .select((Session::as_select(), Holder::as_select()))
            .first(conn)
            .optional()?;
        let Some(mut principal) = row.and_then(|(session, holder)| session.principal(&holder))
        else {
            return Ok(None);
        };
        if principal.role == mcp_domain::access::Role::PartnerUser {
            principal.delegation = crate::staff::delegation_in_force(conn, account_id)?;
        }
        Ok(Some(principal))
    })
}

//! Sessions: opened by a login, kept alive by refresh tokens that rotate on every use, ended by
//! logout, by "log out everywhere", or at once when a used refresh token comes back (a stolen
//! copy): the whole session is revoked and every token of it stops working on the next request.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::access::{Principal, Scope, Software};
use mcp_domain::ids::{AccountId, CafId, ClientId, PartnerId, SessionId};
use mcp_domain::vocabulary::{SessionEnd, TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use crate::credentials::{random_secret, secret_hash};
use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::{accounts, refresh_tokens, sessions};
use crate::store::accounts::principal_of;
use crate::store::trace::{self, Event, Outcome};

/// Longest a session lives, refreshed or not: a working day, then the person logs in again.
pub const SESSION_HOURS: i64 = 12;

/// A session as its owner sees it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    /// Opaque id (`sid` of its access tokens).
    pub id: Id<SessionId>,
    /// The account.
    pub account_id: Id<AccountId>,
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
    pub client_id: Option<Id<ClientId>>,
    /// The scopes the person granted that software.
    pub scope: Option<String>,
}

/// What a session needs to know of its account on each use.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub(crate) struct Holder {
    pub(crate) status: String,
    pub(crate) role: String,
    pub(crate) caf_id: Option<Id<CafId>>,
    pub(crate) partner_id: Option<Id<PartnerId>>,
    pub(crate) must_change_password: bool,
    pub(crate) must_enrol_second_factor: bool,
}

impl Session {
    /// The principal acting through this session.
    pub(crate) fn principal(&self, holder: &Holder) -> Option<Principal> {
        let person = principal_of(
            self.account_id,
            &holder.role,
            holder.caf_id,
            holder.partner_id,
        )
        .map(|p| Principal {
            must_change_password: holder.must_change_password,
            must_enrol_second_factor: holder.must_enrol_second_factor,
            ..p
        })?;
        match &self.client_id {
            None => Some(person),
            Some(client) => Some(person.through(
                client.get(),
                Scope::parse_list(self.scope.as_deref().unwrap_or("")).ok()?,
            )),
        }
    }
}

/// A session just opened or refreshed, with the secret to hand to the client once.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The account.
    pub account_id: Id<AccountId>,
    /// The session.
    pub session_id: Id<SessionId>,
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

pub(crate) fn new_refresh_token(
    conn: &mut DbConnection,
    session_id: Id<SessionId>,
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

/// Opens a session for a person who just signed in, with its first refresh token, and traces
/// the sign-in. With `software`, the session is that partner software's, acting for the person
/// with the scopes the person granted.
pub(crate) fn open(
    conn: &mut DbConnection,
    ctx: &Ctx,
    account: &crate::store::accounts::LoginCandidate,
    identifier: &str,
    client: &Client,
    software: Option<&Software>,
) -> Result<Issued> {
    let person = account.principal();
    let ctx = ctx.acting_as(match software {
        Some(sw) => person.map(|p| p.through(sw.client_id, sw.scopes.clone())),
        None => person,
    });
    let id: Id<SessionId> = Id::new();
    let expires_at = ctx.now + chrono::Duration::hours(SESSION_HOURS);
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
            sessions::client_id.eq(software.map(|sw| Id(sw.client_id))),
            sessions::scope.eq(software.map(|sw| Scope::join(&sw.scopes))),
        ))
        .execute(conn)?;
    let refresh_token = new_refresh_token(conn, id, ctx.now)?;
    trace::record(
        conn,
        &ctx,
        Event {
            partner_id: account.partner_id.map(Id::get),
            action: TraceAction::AuthLogin,
            target_type: TargetType::Account,
            target_id: Some(account.id.get().uuid()),
            caf_id: account.caf_id.map(Id::get),
            outcome: Outcome::Success,
            detail: json!({ "identifier": identifier, "session_id": id, "source": client.source }),
        },
    )?;
    Ok(Issued {
        account_id: account.id,
        session_id: id,
        refresh_token,
        expires_at,
        software: software.cloned(),
        must_change_password: account.must_change_password,
        must_enrol_second_factor: account.must_enrol_second_factor,
    })
}

pub(crate) fn refused() -> Error {
    Error::Domain(DomainError::rule(
        ErrorCode::RefreshRefused,
        mcp_domain::msg!(
            "ce jeton de renouvellement n'ouvre aucune session : reconnectez-vous",
            "this refresh token does not open a session: log in again"
        ),
    ))
}

/// A refresh token with its session and the account's status, role and Caf.
pub(crate) type RefreshRow = (String, Option<NaiveDateTime>, Session, Holder);

/// What a refresh attempt found.
pub(crate) enum Refresh {
    Rotated(Issued),
    /// A used token came back: the session was revoked; the caller answers as for any refusal.
    Reused,
}

pub(crate) fn revoke_in(
    conn: &mut DbConnection,
    ctx: &Ctx,
    session: &Session,
    reason: SessionEnd,
    caf: Option<CafId>,
) -> Result<()> {
    diesel::update(
        sessions::table
            .find(&session.id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(ctx.now),
        sessions::revoked_reason.eq(reason.code()),
    ))
    .execute(conn)?;
    // The holder's partner, whose administrators read what happened to their staff's sessions.
    let partner = accounts::table
        .find(&session.account_id)
        .select(accounts::partner_id)
        .first::<Option<Id<PartnerId>>>(conn)?
        .map(Id::get);
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: partner,
            action: TraceAction::AuthSessionRevoked,
            target_type: TargetType::Session,
            target_id: Some(session.id.get().uuid()),
            caf_id: caf,
            outcome: if reason.is_refusal() {
                Outcome::Denied
            } else {
                Outcome::Success
            },
            detail: json!({ "reason": reason.code(), "account_id": session.account_id }),
        },
    )
}

/// Ends a session known by its id, if it is still open.
pub(crate) fn end_by_id(
    conn: &mut DbConnection,
    ctx: &Ctx,
    session_id: Id<SessionId>,
    reason: SessionEnd,
) -> Result<()> {
    let found: Option<(Session, Option<Id<CafId>>)> = sessions::table
        .inner_join(accounts::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::revoked_at.is_null())
        .select((Session::as_select(), accounts::caf_id))
        .first(conn)
        .optional()?;
    match found {
        Some((session, caf)) => revoke_in(conn, ctx, &session, reason, caf.map(Id::get)),
        None => Ok(()),
    }
}

pub(crate) fn caf_of(principal: &Principal) -> Option<CafId> {
    principal.caf_scope()
}

/// Ends the open sessions of an account but `keep`, inside the caller's transaction; returns how
/// many. Each end is traced with its reason.
pub(crate) fn revoke_others_in(
    conn: &mut DbConnection,
    ctx: &Ctx,
    account_id: Id<AccountId>,
    keep: Option<Uuid>,
    reason: SessionEnd,
) -> Result<usize> {
    let keep = keep.map(|k| k.to_string()).unwrap_or_default();
    let open: Vec<Session> = sessions::table
        .filter(sessions::account_id.eq(account_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(ctx.now))
        .filter(sessions::id.ne(keep))
        .select(Session::as_select())
        .load(conn)?;
    let caf: Option<CafId> = accounts::table
        .find(account_id)
        .select(accounts::caf_id)
        .first::<Option<Id<CafId>>>(conn)?
        .map(Id::get);
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
    client_id: Id<ClientId>,
) -> Result<usize> {
    let open: Vec<(Session, Option<Id<CafId>>)> = sessions::table
        .inner_join(accounts::table)
        .filter(sessions::client_id.eq(client_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(ctx.now))
        .select((Session::as_select(), accounts::caf_id))
        .load(conn)?;
    for (s, caf) in &open {
        revoke_in(conn, ctx, s, SessionEnd::ClientRevoked, caf.map(Id::get))?;
    }
    Ok(open.len())
}

/// A token a software presents back to this service (revocation, introspection, logout).
#[derive(Debug, Clone, Copy)]
pub enum Presented<'a> {
    /// The session of an access token or `id_token` whose signature was checked.
    Session(SessionId),
    /// A refresh token, as given.
    Refresh(&'a str),
}

/// The open session of `client_id` that `presented` belongs to — a refresh token still to be
/// used, a session neither ended nor expired, its account active — with its account's Caf.
pub(crate) fn open_session_of_software(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    client_id: Id<ClientId>,
    presented: Presented<'_>,
) -> Result<Option<(Session, Holder)>> {
    use mcp_domain::vocabulary::AccountStatus;
    let session_id: Option<Id<SessionId>> = match presented {
        Presented::Session(id) => Some(Id(id)),
        Presented::Refresh(token) => refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(secret_hash(token.trim())))
            .filter(refresh_tokens::used_at.is_null())
            .select(refresh_tokens::session_id)
            .first(conn)
            .optional()?,
    };
    let Some(session_id) = session_id else {
        return Ok(None);
    };
    Ok(sessions::table
        .inner_join(accounts::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::client_id.eq(client_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .filter(accounts::status.eq(AccountStatus::Active.code()))
        .select((Session::as_select(), Holder::as_select()))
        .first(conn)
        .optional()?)
}

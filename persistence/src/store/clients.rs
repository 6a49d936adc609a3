//! Partner software (OAuth 2.0 clients) and the authorization codes that hand a person's
//! consent to it. A partner's administrators submit their software and the Caf approves it, or
//! the Caf registers it directly (its approval); the software then acts only for people of that
//! partner, with the scopes each person grants.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::access::Scope;
use mcp_domain::ids::{AccountId, CafId, ClientId, PartnerId, SessionId};

use crate::error::Result;
use crate::id::Id;
use crate::schema::{authorization_codes, client_applications};

/// How long an authorization code may wait to be exchanged.
pub const CODE_VALIDITY_SECONDS: i64 = 60;

/// A registered software.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = client_applications)]
pub struct ClientApplication {
    /// The `client_id`.
    pub id: Id<ClientId>,
    /// The partner's Caf.
    pub caf_id: Id<CafId>,
    /// The partner it belongs to.
    pub partner_id: Id<PartnerId>,
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
    pub fn client_uuid(&self) -> Result<mcp_domain::ids::ClientId> {
        Ok(self.id.get())
    }
}

/// A stored authorization code.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = authorization_codes)]
pub(crate) struct CodeRow {
    pub(crate) client_id: Id<ClientId>,
    pub(crate) account_id: Id<AccountId>,
    pub(crate) redirect_uri: String,
    pub(crate) scope: String,
    pub(crate) code_challenge: String,
    pub(crate) created_at: NaiveDateTime,
    pub(crate) expires_at: NaiveDateTime,
    pub(crate) nonce: Option<String>,
}

/// Records a person's consent as a single-use code bound to the software, the redirect URI and
/// the PKCE challenge; returns the code (stored only as a hash). Traced as the person's action
/// through the software.
pub(crate) fn issue_code(
    conn: &mut crate::db::DbConnection,
    ctx: &crate::ctx::Ctx,
    app: &ClientApplication,
    account: &crate::store::accounts::LoginCandidate,
    consent: &Consent<'_>,
) -> Result<String> {
    use crate::credentials::{random_secret, secret_hash};
    use crate::store::trace::{self, Event, Outcome};
    let code = random_secret();
    let person = account.principal();
    let client_id = app.client_uuid()?;
    let ctx = ctx.acting_as(person.map(|p| p.through(client_id, consent.scopes.to_vec())));
    diesel::insert_into(authorization_codes::table)
        .values((
            authorization_codes::code_hash.eq(secret_hash(&code)),
            authorization_codes::client_id.eq(&app.id),
            authorization_codes::account_id.eq(&account.id),
            authorization_codes::redirect_uri.eq(consent.redirect_uri),
            authorization_codes::scope.eq(Scope::join(consent.scopes)),
            authorization_codes::code_challenge.eq(consent.code_challenge),
            authorization_codes::nonce.eq(consent.nonce),
            authorization_codes::created_at.eq(ctx.now),
            authorization_codes::expires_at
                .eq(ctx.now + chrono::Duration::seconds(CODE_VALIDITY_SECONDS)),
        ))
        .execute(conn)?;
    trace::record(
        conn,
        &ctx,
        Event {
            partner_id: account.partner_id.map(Id::get),
            action: mcp_domain::vocabulary::TraceAction::OauthConsentGiven,
            target_type: mcp_domain::vocabulary::TargetType::ClientApplication,
            target_id: Some(app.client_uuid()?.into()),
            caf_id: account.caf_id.map(Id::get),
            outcome: Outcome::Success,
            detail: serde_json::json!({ "scope": Scope::join(consent.scopes) }),
        },
    )?;
    Ok(code)
}

/// What a person consents to on the sign-in page: the scopes for the software, handed back to
/// this redirect URI, to be exchanged with the verifier of this PKCE challenge.
#[derive(Debug, Clone, Copy)]
pub struct Consent<'a> {
    /// Where the code goes.
    pub redirect_uri: &'a str,
    /// The scopes granted.
    pub scopes: &'a [Scope],
    /// The PKCE S256 challenge.
    pub code_challenge: &'a str,
    /// The OpenID Connect nonce, for the `id_token`.
    pub nonce: Option<&'a str>,
}

/// How the person of a code signed in, for the `id_token` (OpenID Connect Core §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authentication {
    /// When they signed in (the code's issue).
    pub auth_time: NaiveDateTime,
    /// The authorization request's nonce.
    pub nonce: Option<String>,
}

/// What presenting an authorization code found.
pub(crate) enum Spent {
    /// The person it was issued for, their identifier, the scopes they granted and how they
    /// signed in.
    Fresh(
        Box<crate::store::accounts::LoginCandidate>,
        String,
        Vec<Scope>,
        Authentication,
    ),
    /// A code already exchanged: it was intercepted; the session it opened, if any, must end.
    Reused(Option<Id<SessionId>>),
    /// Unknown, expired, issued to another software or redirect URI, or the wrong verifier.
    Invalid,
}

/// Spends an authorization code: marks it used whatever follows (a code tried once stays spent),
/// then tells a fresh code — unused, unexpired, issued to this software for this redirect URI,
/// with `challenge_of_verifier` (the S256 of the verifier presented) matching — from a reused
/// or an invalid one.
pub(crate) fn spend_code(
    conn: &mut crate::db::DbConnection,
    now: NaiveDateTime,
    code: &str,
    client_id: Id<ClientId>,
    redirect_uri: &str,
    challenge_of_verifier: &str,
) -> Result<Spent> {
    use crate::schema::accounts;
    use crate::store::accounts::LoginCandidate;
    use mcp_domain::vocabulary::AccountStatus;
    let hash = crate::credentials::secret_hash(code);
    let found: Option<CodeRow> = authorization_codes::table
        .find(&hash)
        .select(CodeRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = found else {
        return Ok(Spent::Invalid);
    };
    // Spent by a conditional write: of two presentations at once, one only finds it fresh.
    let fresh = diesel::update(
        authorization_codes::table
            .find(&hash)
            .filter(authorization_codes::used_at.is_null()),
    )
    .set(authorization_codes::used_at.eq(now))
    .execute(conn)?
        == 1;
    if !fresh {
        let session: Option<Id<SessionId>> = authorization_codes::table
            .find(&hash)
            .select(authorization_codes::session_id)
            .first(conn)?;
        return Ok(Spent::Reused(session));
    }
    let challenge_ok = mcp_domain::text::constant_time_eq(
        row.code_challenge.as_bytes(),
        challenge_of_verifier.as_bytes(),
    );
    if row.expires_at <= now
        || row.client_id != client_id
        || row.redirect_uri != redirect_uri
        || !challenge_ok
    {
        return Ok(Spent::Invalid);
    }
    let account: Option<(LoginCandidate, String)> = accounts::table
        .find(&row.account_id)
        .filter(accounts::status.eq(AccountStatus::Active.code()))
        .select((LoginCandidate::as_select(), accounts::identifier))
        .first(conn)
        .optional()?;
    Ok(match account {
        Some((a, identifier)) => Spent::Fresh(
            Box::new(a),
            identifier,
            Scope::parse_list(&row.scope).unwrap_or_default(),
            Authentication {
                auth_time: row.created_at,
                nonce: row.nonce,
            },
        ),
        None => Spent::Invalid,
    })
}

/// Records the session a code opened, to end it should the code come back.
pub(crate) fn link_code_to_session(
    conn: &mut crate::db::DbConnection,
    code: &str,
    session_id: Id<SessionId>,
) -> Result<()> {
    diesel::update(authorization_codes::table.find(crate::credentials::secret_hash(code)))
        .set(authorization_codes::session_id.eq(session_id))
        .execute(conn)?;
    Ok(())
}

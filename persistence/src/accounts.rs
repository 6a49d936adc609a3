//! Accounts of people: generated identifiers, one-time activation secrets stored as hashes,
//! password hashes, and the principal each active account acts as.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::access::{Principal, Role};
use mcp_domain::person::Person;
use mcp_domain::DomainError;
use rand::Rng;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::db::{Database, DbConnection};
use crate::error::{Error, Result};
use crate::schema::accounts;
use crate::trace::{self, Event, Outcome};

/// How long an activation secret stays usable.
pub const ACTIVATION_VALIDITY_HOURS: i64 = 72;

/// Identifier characters: no 0/O, 1/I/L, to be read aloud and typed without mistakes.
const IDENTIFIER_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// An account as others may see it: never its secrets.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct Account {
    /// Opaque id.
    pub id: String,
    /// Generated login identifier.
    pub identifier: String,
    /// Role code.
    pub role: String,
    /// The Caf, for Caf staff and partner staff.
    pub caf_id: Option<String>,
    /// The partner, for partner staff.
    pub partner_id: Option<String>,
    /// Full name.
    pub full_name: String,
    /// Function.
    pub function_title: String,
    /// Individual e-mail.
    pub email: String,
    /// Telephone.
    pub phone: Option<String>,
    /// `pending_activation`, `active`, `suspended` or `disabled`.
    pub status: String,
    /// Creation instant.
    pub created_at: NaiveDateTime,
    /// For a partner administrator: `principal` or `deputy`.
    pub administrator_rank: Option<String>,
}

/// The one-time secret to deliver to the person, never stored in clear.
#[derive(Debug, Clone)]
pub struct Activation {
    /// The secret, to show once (console) or deliver (outbox).
    pub secret: String,
    /// When it stops working.
    pub expires_at: NaiveDateTime,
}

fn random_identifier() -> String {
    let mut rng = rand::thread_rng();
    let mut s = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            s.push('-');
        }
        s.push(IDENTIFIER_ALPHABET[rng.gen_range(0..IDENTIFIER_ALPHABET.len())] as char);
    }
    s
}

/// A fresh high-entropy secret (256 bits, hex).
pub fn random_secret() -> String {
    let bytes: [u8; 32] = rand::thread_rng().gen();
    hex::encode(bytes)
}

/// The stored form of a high-entropy secret. SHA-256 suffices: such a secret cannot be guessed,
/// so no slow hash is needed (passwords, which people choose, get argon2id).
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Creates an account pending activation, inside the caller's transaction.
pub(crate) fn create(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    role: Role,
    caf_id: Option<Uuid>,
    partner_id: Option<Uuid>,
    person: &Person,
) -> Result<(Account, Activation)> {
    let secret = random_secret();
    let expires_at = now + Duration::hours(ACTIVATION_VALIDITY_HOURS);
    // A generated identifier may collide; draw again until it does not.
    let identifier = loop {
        let candidate = random_identifier();
        let taken: i64 = accounts::table
            .filter(accounts::identifier.eq(&candidate))
            .count()
            .get_result(conn)?;
        if taken == 0 {
            break candidate;
        }
    };
    let account = Account {
        id: crate::new_id(),
        identifier,
        role: role.code().to_string(),
        caf_id: caf_id.map(|c| c.to_string()),
        partner_id: partner_id.map(|p| p.to_string()),
        full_name: person.full_name.clone(),
        function_title: person.function_title.clone(),
        email: person.email.clone(),
        phone: person.phone.clone(),
        status: "pending_activation".into(),
        created_at: now,
        administrator_rank: None,
    };
    diesel::insert_into(accounts::table)
        .values((
            accounts::id.eq(&account.id),
            accounts::identifier.eq(&account.identifier),
            accounts::role.eq(&account.role),
            accounts::caf_id.eq(&account.caf_id),
            accounts::partner_id.eq(&account.partner_id),
            accounts::full_name.eq(&account.full_name),
            accounts::function_title.eq(&account.function_title),
            accounts::email.eq(&account.email),
            accounts::phone.eq(&account.phone),
            accounts::status.eq(&account.status),
            accounts::activation_secret_hash.eq(secret_hash(&secret)),
            accounts::activation_expires_at.eq(expires_at),
            accounts::created_at.eq(now),
            accounts::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok((account, Activation { secret, expires_at }))
}

/// Creates an account pending activation and queues, in the same transaction, the message that
/// delivers its identifier and one-time code to the person. Only the account comes back: whoever
/// registers someone never holds their code.
pub(crate) fn invite(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    role: Role,
    caf_id: Option<Uuid>,
    partner_id: Option<Uuid>,
    person: &Person,
    organisation: &str,
) -> Result<Account> {
    let (account, activation) = create(conn, now, role, caf_id, partner_id, person)?;
    crate::outbox::enqueue(
        conn,
        now,
        &account.email,
        "Mon Compte Partenaire : activez votre compte",
        &activation_message(&account, organisation, &activation),
    )?;
    Ok(account)
}

/// The message that delivers an identifier and a one-time activation code to the person.
fn activation_message(account: &Account, organisation: &str, activation: &Activation) -> String {
    format!(
        "Bonjour {name},\n\n\
         Un compte « Mon Compte Partenaire » a été créé pour vous ({organisation}).\n\n\
         Votre identifiant : {identifier}\n\
         Votre code d'activation, à usage unique : {secret}\n\
         Il expire le {expires} (UTC).\n\n\
         Pour choisir votre mot de passe, présentez votre identifiant et ce code à\n\
         POST /api/v1/auth/activate. Personne d'autre que vous ne connaît ce code :\n\
         ne le communiquez à personne.\n",
        name = account.full_name,
        identifier = account.identifier,
        secret = activation.secret,
        expires = activation.expires_at.format("%Y-%m-%d %H:%M"),
    )
}

/// Creates a national (Cnaf) operator from the console. Refused once an active operator exists:
/// from then on, people are registered through the API by those who may.
pub fn bootstrap_cnaf_operator(
    db: &Database,
    ctx: &Ctx,
    person: &Person,
) -> Result<(Account, Activation)> {
    db.write(|conn| {
        let active: i64 = accounts::table
            .filter(accounts::role.eq(Role::CnafOperator.code()))
            .filter(accounts::status.eq("active"))
            .count()
            .get_result(conn)?;
        if active > 0 {
            return Err(DomainError::conflict(
                "already_bootstrapped",
                "an active Cnaf operator exists; register people through the API",
            )
            .into());
        }
        let (account, activation) = create(conn, ctx.now, Role::CnafOperator, None, None, person)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: "account.bootstrapped",
                target_type: "account",
                target_id: Some(crate::uuid(&account.id)?),
                caf_id: None,
                outcome: Outcome::Success,
                detail: serde_json::json!({ "identifier": account.identifier, "role": account.role }),
            },
        )?;
        Ok((account, activation))
    })
}

/// The sign-in rules that apply to an account (by identifier): its partner's contract in force
/// for partner staff, the defaults otherwise (and for unknown identifiers); a second factor
/// wherever the account's Caf requires one.
pub fn sign_in_rules_for(
    db: &Database,
    identifier: &str,
    today: chrono::NaiveDate,
) -> Result<mcp_domain::contract::SignInRules> {
    use crate::schema::conventions;
    use mcp_domain::contract::SignInRules;
    db.read(|conn| {
        let found: Option<(Option<String>, Option<String>)> = accounts::table
            .filter(accounts::identifier.eq(identifier))
            .select((accounts::caf_id, accounts::partner_id))
            .first(conn)
            .optional()?;
        let Some((caf_id, partner)) = found else {
            return Ok(SignInRules::default());
        };
        let caf_requires = match caf_id {
            Some(caf) => crate::schema::cafs::table
                .find(caf)
                .select(crate::schema::cafs::second_factor_required)
                .first::<bool>(conn)
                .optional()?
                .unwrap_or(false),
            None => false,
        };
        let Some(partner_id) = partner else {
            return Ok(SignInRules::default().with_caf_requirement(caf_requires));
        };
        let rows: Vec<crate::conventions::ConventionRow> = conventions::table
            .filter(conventions::partner_id.eq(&partner_id))
            .select(crate::conventions::ConventionRow::as_select())
            .load(conn)?;
        let contracts = rows
            .iter()
            .map(|r| {
                Ok((
                    r.life()?,
                    SignInRules {
                        password_policy: r.password_policy()?,
                        second_factor_required: r.second_factor_required,
                    },
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(mcp_domain::contract::rules_in_force(&contracts, today)
            .with_caf_requirement(caf_requires))
    })
}

/// Records whether an account must enrol a second factor before anything else (its contract
/// requires one it has not enrolled), checked at each login; traced when it becomes required.
pub fn set_second_factor_enrolment_required(
    db: &Database,
    ctx: &Ctx,
    account: &LoginCandidate,
    required: bool,
) -> Result<()> {
    if account.must_enrol_second_factor == required {
        return Ok(());
    }
    db.write(|conn| {
        diesel::update(accounts::table.find(&account.id))
            .set(accounts::must_enrol_second_factor.eq(required))
            .execute(conn)?;
        if required {
            trace::record(
                conn,
                ctx,
                Event {
                    partner_id: account.partner_id.as_deref().map(crate::uuid).transpose()?,
                    action: "account.second_factor_required",
                    target_type: "account",
                    target_id: Some(crate::uuid(&account.id)?),
                    caf_id: account.caf_id.as_deref().map(crate::uuid).transpose()?,
                    outcome: Outcome::Success,
                    detail: serde_json::json!({ "reason": "the contract requires a second factor" }),
                },
            )?;
        }
        Ok(())
    })
}

/// Sets the first password of an account with its activation secret. The same refusal is given
/// whether the identifier is unknown, the secret wrong, expired or already used. Partner staff
/// accept the commitment of the habilitation form at that moment; the acceptance is recorded.
pub fn activate(
    db: &Database,
    ctx: &Ctx,
    identifier: &str,
    secret: &str,
    password_hash: &str,
    accepted_commitment: bool,
) -> Result<Account> {
    db.write(|conn| {
        let row: Option<(Account, Option<String>, Option<NaiveDateTime>)> = accounts::table
            .filter(accounts::identifier.eq(identifier))
            .select((
                Account::as_select(),
                accounts::activation_secret_hash,
                accounts::activation_expires_at,
            ))
            .first(conn)
            .optional()?;
        let refused = || {
            Error::Domain(DomainError::rule(
                "activation_refused",
                "this identifier and activation code do not open an account: ask for a new code",
            ))
        };
        let (account, Some(stored), Some(expires_at)) = row.ok_or_else(refused)? else {
            return Err(refused());
        };
        if account.status != "pending_activation"
            || expires_at <= ctx.now
            || !mcp_domain::text::constant_time_eq(stored.as_bytes(), secret_hash(secret).as_bytes())
        {
            return Err(refused());
        }
        let must_commit = Role::from_code(&account.role).is_some_and(mcp_domain::commitment::required_for);
        if must_commit && !accepted_commitment {
            return Err(DomainError::field(
                "accept_commitment",
                "commitment_required",
                "accept the commitment of the habilitation form (GET /api/v1/auth/commitment) to activate your account",
            )
            .into());
        }
        if must_commit {
            diesel::update(accounts::table.find(&account.id))
                .set((
                    accounts::commitment_version.eq(mcp_domain::commitment::VERSION),
                    accounts::commitment_accepted_at.eq(ctx.now),
                ))
                .execute(conn)?;
        }
        diesel::update(accounts::table.find(&account.id))
            .set((
                accounts::password_hash.eq(password_hash),
                accounts::password_changed_at.eq(ctx.now),
                accounts::status.eq("active"),
                accounts::activation_secret_hash.eq(None::<String>),
                accounts::activation_expires_at.eq(None::<NaiveDateTime>),
                accounts::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let ctx = Ctx {
            principal: principal_of(
                &account.id,
                &account.role,
                account.caf_id.as_deref(),
                account.partner_id.as_deref(),
            ),
            ..ctx.clone()
        };
        trace::record(
            conn,
            &ctx,
            Event {
                partner_id: account.partner_id.as_deref().map(crate::uuid).transpose()?,
                action: "account.activated",
                target_type: "account",
                target_id: Some(crate::uuid(&account.id)?),
                caf_id: account.caf_id.as_deref().map(crate::uuid).transpose()?,
                outcome: Outcome::Success,
                detail: serde_json::json!({
                    "identifier": account.identifier,
                    "commitment_version": must_commit.then_some(mcp_domain::commitment::VERSION),
                }),
            },
        )?;
        Ok(Account {
            status: "active".into(),
            ..account
        })
    })
}

/// How long a password-reset code stays usable.
pub const RESET_VALIDITY_MINUTES: i64 = 30;

/// Sends a one-time password-reset code to the person's e-mail, if `identifier` names an active
/// account. The caller answers the same whatever happens here, so that nobody learns whether an
/// identifier exists; at most one code a minute per account, so that nobody floods a mailbox.
pub fn request_password_reset(db: &Database, ctx: &Ctx, identifier: &str) -> Result<()> {
    db.write(|conn| {
        let row: Option<(Account, Option<NaiveDateTime>)> = accounts::table
            .filter(accounts::identifier.eq(identifier))
            .select((Account::as_select(), accounts::reset_expires_at))
            .first(conn)
            .optional()?;
        let refuse = |conn: &mut DbConnection, account: Option<&Account>, reason: &str| {
            trace::record(
                conn,
                ctx,
                Event {
                    partner_id: account.and_then(|a| a.partner_id.as_deref()).map(crate::uuid).transpose()?,
                    action: "account.password_reset_requested",
                    target_type: "account",
                    target_id: account.map(|a| crate::uuid(&a.id)).transpose()?,
                    caf_id: account
                        .and_then(|a| a.caf_id.as_deref())
                        .map(crate::uuid)
                        .transpose()?,
                    outcome: Outcome::Denied,
                    detail: serde_json::json!({ "identifier": identifier, "reason": reason }),
                },
            )
        };
        let Some((account, previous)) = row else {
            return refuse(conn, None, "unknown_identifier");
        };
        if account.status != "active" {
            return refuse(conn, Some(&account), "account_not_active");
        }
        let sent_at = previous.map(|e| e - Duration::minutes(RESET_VALIDITY_MINUTES));
        if sent_at.is_some_and(|s| ctx.now < s + Duration::minutes(1)) {
            return refuse(conn, Some(&account), "code_sent_less_than_a_minute_ago");
        }
        let secret = random_secret();
        let expires_at = ctx.now + Duration::minutes(RESET_VALIDITY_MINUTES);
        diesel::update(accounts::table.find(&account.id))
            .set((
                accounts::reset_secret_hash.eq(secret_hash(&secret)),
                accounts::reset_expires_at.eq(expires_at),
            ))
            .execute(conn)?;
        crate::outbox::enqueue(
            conn,
            ctx.now,
            &account.email,
            "Mon Compte Partenaire : réinitialisation de votre mot de passe",
            &format!(
                "Bonjour {name},\n\n\
                 Une réinitialisation du mot de passe de votre compte {identifier} a été demandée.\n\n\
                 Votre code de réinitialisation, à usage unique : {secret}\n\
                 Il expire le {expires} (UTC).\n\n\
                 Présentez votre identifiant, ce code et votre nouveau mot de passe à\n\
                 POST /api/v1/auth/password-reset/confirmation. Si vous n'avez rien demandé,\n\
                 ignorez ce message : votre mot de passe actuel reste valable.\n",
                name = account.full_name,
                identifier = account.identifier,
                expires = expires_at.format("%Y-%m-%d %H:%M"),
            ),
        )?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: account.partner_id.as_deref().map(crate::uuid).transpose()?,
                action: "account.password_reset_requested",
                target_type: "account",
                target_id: Some(crate::uuid(&account.id)?),
                caf_id: account.caf_id.as_deref().map(crate::uuid).transpose()?,
                outcome: Outcome::Success,
                detail: serde_json::json!({ "identifier": identifier }),
            },
        )
    })
}

/// Sets a new password with a reset code: the same refusal whether the identifier is unknown,
/// the code wrong, expired or used. Every session of the account ends; a password change the
/// supervisor required is thereby done. Returns how many sessions ended.
pub fn reset_password(
    db: &Database,
    ctx: &Ctx,
    identifier: &str,
    secret: &str,
    password_hash: &str,
) -> Result<usize> {
    db.write(|conn| {
        let row: Option<(Account, Option<String>, Option<NaiveDateTime>)> = accounts::table
            .filter(accounts::identifier.eq(identifier))
            .select((
                Account::as_select(),
                accounts::reset_secret_hash,
                accounts::reset_expires_at,
            ))
            .first(conn)
            .optional()?;
        let refused = || {
            Error::Domain(DomainError::rule(
                "reset_refused",
                "this identifier and reset code do not match: ask for a new code",
            ))
        };
        let (account, Some(stored), Some(expires_at)) = row.ok_or_else(refused)? else {
            return Err(refused());
        };
        if account.status != "active"
            || expires_at <= ctx.now
            || !mcp_domain::text::constant_time_eq(
                stored.as_bytes(),
                secret_hash(secret).as_bytes(),
            )
        {
            return Err(refused());
        }
        diesel::update(accounts::table.find(&account.id))
            .set((
                accounts::password_hash.eq(password_hash),
                accounts::password_changed_at.eq(ctx.now),
                accounts::must_change_password.eq(false),
                accounts::reset_secret_hash.eq(None::<String>),
                accounts::reset_expires_at.eq(None::<NaiveDateTime>),
                accounts::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let ended =
            crate::sessions::revoke_others_in(conn, ctx, &account.id, None, "password_reset")?;
        let ctx = Ctx {
            principal: principal_of(
                &account.id,
                &account.role,
                account.caf_id.as_deref(),
                account.partner_id.as_deref(),
            ),
            ..ctx.clone()
        };
        trace::record(
            conn,
            &ctx,
            Event {
                partner_id: account.partner_id.as_deref().map(crate::uuid).transpose()?,
                action: "account.password_reset",
                target_type: "account",
                target_id: Some(crate::uuid(&account.id)?),
                caf_id: account.caf_id.as_deref().map(crate::uuid).transpose()?,
                outcome: Outcome::Success,
                detail: serde_json::json!({ "sessions_ended": ended }),
            },
        )?;
        Ok(ended)
    })
}

/// What login needs to check a password.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct LoginCandidate {
    /// Account id.
    pub id: String,
    /// Role code.
    pub role: String,
    /// Its Caf.
    pub caf_id: Option<String>,
    /// Its partner.
    pub partner_id: Option<String>,
    /// Status.
    pub status: String,
    /// argon2id PHC string, once activated.
    pub password_hash: Option<String>,
    /// When the password was set.
    pub password_changed_at: Option<NaiveDateTime>,
    /// Whether the password must be changed before anything else.
    pub must_change_password: bool,
    /// Whether a second factor must be enrolled before anything else.
    pub must_enrol_second_factor: bool,
}

/// Finds the account an identifier names, for a login attempt.
pub fn login_candidate(db: &Database, identifier: &str) -> Result<Option<LoginCandidate>> {
    db.read(|conn| {
        Ok(accounts::table
            .filter(accounts::identifier.eq(identifier))
            .select(LoginCandidate::as_select())
            .first(conn)
            .optional()?)
    })
}

/// Traces a refused login attempt: the account when known, the identifier typed in any case.
/// (A successful one is traced with the session it opens.)
pub fn record_failed_login(
    db: &Database,
    ctx: &Ctx,
    identifier: &str,
    account: Option<&LoginCandidate>,
    reason: &str,
) -> Result<()> {
    db.write(|conn| {
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: account
                    .and_then(|a| a.partner_id.as_deref())
                    .map(crate::uuid)
                    .transpose()?,
                action: "auth.login",
                target_type: "account",
                target_id: account.map(|a| crate::uuid(&a.id)).transpose()?,
                caf_id: account
                    .and_then(|a| a.caf_id.as_deref())
                    .map(crate::uuid)
                    .transpose()?,
                outcome: Outcome::Denied,
                detail: serde_json::json!({ "identifier": identifier, "reason": reason }),
            },
        )
    })
}

pub(crate) fn principal_of(
    id: &str,
    role: &str,
    caf_id: Option<&str>,
    partner_id: Option<&str>,
) -> Option<Principal> {
    let account_id = Uuid::parse_str(id).ok()?;
    let parse = |v: Option<&str>| v.and_then(|v| Uuid::parse_str(v).ok());
    match Role::from_code(role)? {
        Role::CnafOperator => Some(Principal::cnaf_operator(account_id)),
        Role::CafAdministrator => Some(Principal::caf_administrator(account_id, parse(caf_id)?)),
        Role::CnafAuditor => Some(Principal::auditor(account_id, None)),
        Role::CafAuditor => Some(Principal::auditor(account_id, Some(parse(caf_id)?))),
        Role::PartnerAdministrator => Some(Principal::partner_administrator(
            account_id,
            parse(caf_id)?,
            parse(partner_id)?,
        )),
        // The delegation, if any, is read with the session on each request.
        Role::PartnerUser => Some(Principal::partner_user(
            account_id,
            parse(caf_id)?,
            parse(partner_id)?,
            None,
        )),
    }
}

/// The identifier of an account (for traces of a sign-in made through software).
pub fn identifier_of(db: &Database, account_id: &str) -> Result<String> {
    db.read(|conn| {
        Ok(accounts::table
            .find(account_id)
            .select(accounts::identifier)
            .first(conn)?)
    })
}

/// The caller's own account.
pub fn me(db: &Database, ctx: &Ctx) -> Result<Account> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ReadOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let id = ctx.principal().account_id().to_string();
    db.read(|conn| {
        accounts::table
            .find(id)
            .select(Account::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))
    })
}

/// The stored password hash of the caller, to check their current password.
pub fn own_password_hash(db: &Database, ctx: &Ctx) -> Result<(String, Option<String>)> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ManageOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let id = ctx.principal().account_id().to_string();
    db.read(|conn| {
        accounts::table
            .find(id)
            .select((accounts::identifier, accounts::password_hash))
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))
    })
}

/// Replaces the caller's password; every other session of theirs ends (a password is changed
/// when it may be known to someone else).
pub fn change_own_password(
    db: &Database,
    ctx: &Ctx,
    current_session: Uuid,
    new_hash: &str,
) -> Result<usize> {
    mcp_domain::access::authorize(
        ctx.principal(),
        mcp_domain::access::Function::ManageOwnAccount,
        mcp_domain::access::Reach::National,
    )?;
    let id = ctx.principal().account_id().to_string();
    db.write(|conn| {
        diesel::update(accounts::table.find(&id))
            .set((
                accounts::password_hash.eq(new_hash),
                accounts::password_changed_at.eq(ctx.now),
                accounts::must_change_password.eq(false),
                accounts::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let ended = crate::sessions::revoke_others_in(
            conn,
            ctx,
            &id,
            Some(current_session),
            "password_changed",
        )?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: "account.password_changed",
                target_type: "account",
                target_id: Some(crate::uuid(&id)?),
                caf_id: ctx.principal().caf_scope(),
                outcome: Outcome::Success,
                detail: serde_json::json!({ "other_sessions_ended": ended }),
            },
        )?;
        Ok(ended)
    })
}

/// Loads an account someone supervises, checking the caller is that someone (404 for accounts
/// outside their reach or that nobody supervises).
fn load_supervised(conn: &mut DbConnection, ctx: &Ctx, account_id: Uuid) -> Result<Account> {
    let account: Account = accounts::table
        .find(account_id.to_string())
        .select(Account::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))?;
    let caf_id = account.caf_id.as_deref().map(crate::uuid).transpose()?;
    let partner_id = account.partner_id.as_deref().map(crate::uuid).transpose()?;
    let role =
        Role::from_code(&account.role).ok_or_else(|| Error::Corrupt(account.role.clone()))?;
    let (function, reach) = mcp_domain::access::supervision_of(role, caf_id, partner_id)
        .ok_or(Error::Domain(DomainError::NotFound))?;
    mcp_domain::access::authorize(ctx.principal(), function, reach)?;
    Ok(account)
}

/// Suspends or reinstates an account as a precaution (the Cnaf over Caf administrators, a Caf
/// over its partners' administrators). A suspension ends every session of the account at once;
/// the reason is kept in the trace.
pub fn set_suspended(
    db: &Database,
    ctx: &Ctx,
    account_id: Uuid,
    suspended: bool,
    reason: &str,
) -> Result<Account> {
    let reason = mcp_domain::text::required("reason", reason, 2000)?;
    db.write(|conn| {
        let account = load_supervised(conn, ctx, account_id)?;
        let caf_id = account.caf_id.as_deref().map(crate::uuid).transpose()?;
        let (from, to, action) = if suspended {
            ("active", "suspended", "account.suspended")
        } else {
            ("suspended", "active", "account.reinstated")
        };
        if account.status != from {
            return Err(DomainError::conflict(
                "account_status_conflict",
                format!("the account is {}, not {from}", account.status),
            )
            .into());
        }
        diesel::update(accounts::table.find(&account.id))
            .set((accounts::status.eq(to), accounts::updated_at.eq(ctx.now)))
            .execute(conn)?;
        let ended = if suspended {
            crate::sessions::revoke_others_in(conn, ctx, &account.id, None, "account_suspended")?
        } else {
            0
        };
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: account.partner_id.as_deref().map(crate::uuid).transpose()?,
                action,
                target_type: "account",
                target_id: Some(account_id),
                caf_id,
                outcome: Outcome::Success,
                detail: serde_json::json!({ "reason": reason, "sessions_ended": ended }),
            },
        )?;
        Ok(Account {
            status: to.into(),
            ..account
        })
    })
}

/// Requires the holder of an account to change their password before anything else: by whoever
/// supervises it (`ctx` with a principal), or by the contract's maximum age at login (`ctx`
/// without). Takes effect on the account's next request.
pub fn require_password_change(
    db: &Database,
    ctx: &Ctx,
    account_id: Uuid,
    reason: &str,
) -> Result<()> {
    let reason = mcp_domain::text::required("reason", reason, 2000)?;
    db.write(|conn| {
        let (caf_id, partner_id) = if ctx.principal.is_some() {
            let account = load_supervised(conn, ctx, account_id)?;
            (account.caf_id, account.partner_id)
        } else {
            accounts::table
                .find(account_id.to_string())
                .select((accounts::caf_id, accounts::partner_id))
                .first::<(Option<String>, Option<String>)>(conn)?
        };
        diesel::update(accounts::table.find(account_id.to_string()))
            .set(accounts::must_change_password.eq(true))
            .execute(conn)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: partner_id.as_deref().map(crate::uuid).transpose()?,
                action: "account.password_change_required",
                target_type: "account",
                target_id: Some(account_id),
                caf_id: caf_id.as_deref().map(crate::uuid).transpose()?,
                outcome: Outcome::Success,
                detail: serde_json::json!({ "reason": reason }),
            },
        )
    })
}

/// Ends every session of a supervised account (a lost or stolen device reported, a doubt),
/// without suspending it; returns how many.
pub fn end_sessions_of(db: &Database, ctx: &Ctx, account_id: Uuid, reason: &str) -> Result<usize> {
    let reason = mcp_domain::text::required("reason", reason, 2000)?;
    db.write(|conn| {
        let account = load_supervised(conn, ctx, account_id)?;
        let ended =
            crate::sessions::revoke_others_in(conn, ctx, &account.id, None, "ended_by_supervisor")?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: account.partner_id.as_deref().map(crate::uuid).transpose()?,
                action: "account.sessions_ended",
                target_type: "account",
                target_id: Some(account_id),
                caf_id: account.caf_id.as_deref().map(crate::uuid).transpose()?,
                outcome: Outcome::Success,
                detail: serde_json::json!({ "reason": reason, "sessions_ended": ended }),
            },
        )?;
        Ok(ended)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_readable() {
        for _ in 0..100 {
            let id = random_identifier();
            assert_eq!(id.len(), 9);
            assert_eq!(&id[4..5], "-");
            assert!(id
                .chars()
                .all(|c| c == '-' || IDENTIFIER_ALPHABET.contains(&(c as u8))));
        }
    }
}

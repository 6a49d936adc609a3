//! Accounts of people: generated identifiers, one-time activation secrets stored as hashes,
//! password hashes, and the principal each active account acts as.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::access::{Principal, Role};
use mcp_domain::ids::{AccountId, CafId, PartnerId};
use mcp_domain::person::{Person, Someone};
use mcp_domain::vocabulary::AccountStatus;
use mcp_domain::{DomainError, ErrorCode};
use rand::Rng;

use crate::credentials::{random_secret, secret_hash};
use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::accounts;

/// How long an activation secret stays usable.
pub const ACTIVATION_VALIDITY_HOURS: i64 = 72;

/// Identifier characters: no 0/O, 1/I/L, to be read aloud and typed without mistakes.
pub(crate) const IDENTIFIER_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// An account as others may see it: never its secrets.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct Account {
    /// Opaque id.
    pub id: Id<AccountId>,
    /// Generated login identifier.
    pub identifier: String,
    /// Role code.
    pub role: String,
    /// The Caf, for Caf staff and partner staff.
    pub caf_id: Option<Id<CafId>>,
    /// The partner, for partner staff.
    pub partner_id: Option<Id<PartnerId>>,
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

pub(crate) fn random_identifier() -> String {
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

/// The account a one-time code (activation, password reset) proves, given the account found for
/// the identifier with the code's stored hash and expiry: refused alike when the account is
/// missing, not in `expected` state, the code expired or another one (compared in constant
/// time), so the answer tells nothing of which.
pub(crate) fn proven_by_code(
    found: Option<(Account, Option<String>, Option<NaiveDateTime>)>,
    expected: AccountStatus,
    code: &str,
    now: NaiveDateTime,
    refusal: impl Fn() -> DomainError,
) -> Result<Account> {
    let refused = || Error::Domain(refusal());
    let (account, Some(stored), Some(expires_at)) = found.ok_or_else(refused)? else {
        return Err(refused());
    };
    if crate::read_code(&account.status, AccountStatus::from_code)? != expected
        || expires_at <= now
        || !mcp_domain::text::constant_time_eq(stored.as_bytes(), secret_hash(code).as_bytes())
    {
        return Err(refused());
    }
    Ok(account)
}

/// Creates an account pending activation, inside the caller's transaction.
pub(crate) fn create(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    role: Role,
    caf_id: Option<CafId>,
    partner_id: Option<PartnerId>,
    person: &Person,
) -> Result<(Account, Activation)> {
    let email_key = person.email_key();
    let already = || {
        Error::Domain(DomainError::conflict(
            ErrorCode::PersonAlreadyHasAccount,
            mcp_domain::msg!(
                "cette personne a déjà un compte chez ce partenaire (une personne, un compte) : \
                 habilitez ce compte, ou fermez-le d'abord",
                "this person already has an account with this partner (one person, one account): \
                 habilitate that account, or close it first"
            ),
        ))
    };
    if let Some(partner_id) = partner_id {
        crate::store::conventions::email_domains_in_force(conn, Id(partner_id), now.date())?
            .check_email("email", &person.email)?;
        let taken: i64 = accounts::table
            .filter(accounts::partner_id.eq(partner_id.to_string()))
            .filter(accounts::email_key.eq(&email_key))
            .filter(accounts::status.ne(AccountStatus::Disabled.code()))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(already());
        }
    }
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
        id: Id::new(),
        identifier,
        role: role.code().to_string(),
        caf_id: caf_id.map(Id),
        partner_id: partner_id.map(Id),
        full_name: person.full_name.clone(),
        function_title: person.function_title.clone(),
        email: person.email.clone(),
        phone: person.phone.clone(),
        status: AccountStatus::PendingActivation.code().into(),
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
            accounts::email_key.eq(&email_key),
            accounts::phone.eq(&account.phone),
            accounts::status.eq(&account.status),
            accounts::activation_secret_hash.eq(secret_hash(&secret)),
            accounts::activation_expires_at.eq(expires_at),
            accounts::created_at.eq(now),
            accounts::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(|e| match e {
            // Two creations for one person at once: the index decides, the loser gets the
            // same answer as if it had come second.
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ) if partner_id.is_some() => already(),
            e => e.into(),
        })?;
    Ok((account, Activation { secret, expires_at }))
}

/// Creates an account pending activation and queues, in the same transaction, the message that
/// delivers its identifier and one-time code to the person. Only the account comes back: whoever
/// registers someone never holds their code.
pub(crate) fn invite(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    role: Role,
    caf_id: Option<CafId>,
    partner_id: Option<PartnerId>,
    person: &Person,
    welcome: Welcome<'_>,
) -> Result<Account> {
    let (account, activation) = create(conn, now, role, caf_id, partner_id, person)?;
    crate::store::outbox::enqueue(
        conn,
        now,
        &account.email,
        "Mon Compte Partenaire : activez votre compte",
        &activation_message(&account, &welcome, &activation),
    )?;
    Ok(account)
}

/// Who welcomes a person registered: the organisation named in the message, and the service's
/// public address its link goes to.
pub(crate) struct Welcome<'a> {
    /// The Caf's or partner's name.
    pub organisation: &'a str,
    /// The service's public address.
    pub links: &'a mcp_domain::links::Links,
}

/// The message that delivers an identifier and a one-time activation code to the person.
pub(crate) fn activation_message(
    account: &Account,
    welcome: &Welcome<'_>,
    activation: &Activation,
) -> String {
    format!(
        "Bonjour {name},\n\n\
         Un compte « Mon Compte Partenaire » a été créé pour vous ({organisation}).\n\n\
         Votre identifiant : {identifier}\n\
         Votre code d'activation, à usage unique : {secret}\n\
         Il expire le {expires} (heure de Paris).\n\n\
         Pour activer votre compte, ouvrez la page\n\
         {link}\n\
         et saisissez-y ce code : vous y prendrez connaissance de vos engagements et choisirez\n\
         votre mot de passe. Personne d'autre que vous ne connaît ce code : ne le communiquez\n\
         à personne.\n\n\
         (Pour un logiciel : POST /api/v1/auth/activate avec l'identifiant et ce code.)\n",
        organisation = welcome.organisation,
        link = welcome.links.activation(&account.identifier),
        name = account.full_name,
        identifier = account.identifier,
        secret = activation.secret,
        expires = mcp_domain::text::paris_time(activation.expires_at),
    )
}

/// How long a password-reset code stays usable.
pub const RESET_VALIDITY_MINUTES: i64 = 30;

/// What login needs to check a password.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct LoginCandidate {
    /// Account id.
    pub id: Id<AccountId>,
    /// Role code.
    pub role: String,
    /// Its Caf.
    pub caf_id: Option<Id<CafId>>,
    /// Its partner.
    pub partner_id: Option<Id<PartnerId>>,
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

impl LoginCandidate {
    /// The person this account is, as the rules see them.
    pub(crate) fn principal(&self) -> Option<Principal> {
        principal_of(self.id, &self.role, self.caf_id, self.partner_id)
    }
}

impl Account {
    /// The person this account is, as the rules see them.
    pub(crate) fn principal(&self) -> Option<Principal> {
        principal_of(self.id, &self.role, self.caf_id, self.partner_id)
    }
}

pub(crate) fn principal_of(
    id: Id<AccountId>,
    role: &str,
    caf_id: Option<Id<CafId>>,
    partner_id: Option<Id<PartnerId>>,
) -> Option<Principal> {
    let account_id = id.get();
    let caf = || caf_id.map(Id::get);
    let partner = || partner_id.map(Id::get);
    match Role::from_code(role)? {
        Role::CnafOperator => Some(Principal::cnaf_operator(account_id)),
        Role::CafAdministrator => Some(Principal::caf_administrator(account_id, caf()?)),
        Role::CnafAuditor => Some(Principal::auditor(account_id, None)),
        Role::CafAuditor => Some(Principal::auditor(account_id, Some(caf()?))),
        Role::ServiceCentreAgent => Some(Principal::service_centre_agent(account_id, caf()?)),
        Role::PartnerAdministrator => Some(Principal::partner_administrator(
            account_id,
            caf()?,
            partner()?,
        )),
        // The delegation, if any, is read with the session on each request.
        Role::PartnerUser => Some(Principal::partner_user(
            account_id,
            caf()?,
            partner()?,
            None,
        )),
    }
}

impl LoginCandidate {
    /// Whether the account may sign in at all.
    pub fn is_active(&self) -> bool {
        AccountStatus::from_code(&self.status) == Some(AccountStatus::Active)
    }
}

/// The account an identifier names, for a sign-in attempt.
pub(crate) fn candidate(
    conn: &mut DbConnection,
    identifier: &str,
) -> Result<Option<LoginCandidate>> {
    Ok(accounts::table
        .filter(accounts::identifier.eq(identifier))
        .select(LoginCandidate::as_select())
        .first(conn)
        .optional()?)
}

/// Traces a refused sign-in attempt: the account when known, the identifier typed in any case,
/// and why (`wrong_credentials`, `wrong_otp`, `otp_required`, `throttled`…). A successful one
/// is traced with the session it opens.
pub(crate) fn trace_refused_login(
    conn: &mut DbConnection,
    ctx: &Ctx,
    identifier: &str,
    account: Option<&LoginCandidate>,
    reason: &str,
) -> Result<()> {
    crate::store::trace::record(
        conn,
        ctx,
        crate::store::trace::Event {
            partner_id: account.and_then(|a| a.partner_id).map(Id::get),
            action: mcp_domain::vocabulary::TraceAction::AuthLogin,
            target_type: mcp_domain::vocabulary::TargetType::Account,
            target_id: account.map(|a| a.id.uuid()),
            caf_id: account.and_then(|a| a.caf_id).map(Id::get),
            outcome: crate::store::trace::Outcome::Denied,
            detail: serde_json::json!({ "identifier": identifier, "reason": reason }),
        },
    )
}

/// Requires the holder of an account to change their password before anything else, and traces
/// why: asked by whoever supervises it (`ctx` with a principal), or the contract's maximum age
/// reached at sign-in (`ctx` without).
pub(crate) fn mark_password_change_required(
    conn: &mut DbConnection,
    ctx: &Ctx,
    account_id: AccountId,
    organisation: Organisation,
    reason: &str,
) -> Result<()> {
    let (caf_id, partner_id) = organisation;
    diesel::update(accounts::table.find(account_id.to_string()))
        .set(accounts::must_change_password.eq(true))
        .execute(conn)?;
    crate::store::trace::record(
        conn,
        ctx,
        crate::store::trace::Event {
            partner_id: partner_id.map(Id::get),
            action: mcp_domain::vocabulary::TraceAction::AccountPasswordChangeRequired,
            target_type: mcp_domain::vocabulary::TargetType::Account,
            target_id: Some(account_id.into()),
            caf_id: caf_id.map(Id::get),
            outcome: crate::store::trace::Outcome::Success,
            detail: serde_json::json!({ "reason": reason }),
        },
    )
}

/// Voids the password of an account whose credentials were reported lost or stolen: it no
/// longer opens a session, whoever holds it; the person chooses a new one with a reset code
/// sent to their own e-mail. Traced.
pub(crate) fn revoke_credentials(
    conn: &mut DbConnection,
    ctx: &Ctx,
    account_id: AccountId,
    reason: &str,
) -> Result<()> {
    let (caf_id, partner_id): Organisation = accounts::table
        .find(account_id.to_string())
        .select((accounts::caf_id, accounts::partner_id))
        .first(conn)?;
    diesel::update(accounts::table.find(account_id.to_string()))
        .set((
            accounts::password_hash.eq(None::<String>),
            accounts::updated_at.eq(ctx.now),
        ))
        .execute(conn)?;
    // Whoever holds them may hold the device too.
    crate::store::devices::forget_all(conn, Id(account_id))?;
    crate::store::trace::record(
        conn,
        ctx,
        crate::store::trace::Event {
            partner_id: partner_id.map(Id::get),
            action: mcp_domain::vocabulary::TraceAction::AccountCredentialsRevoked,
            target_type: mcp_domain::vocabulary::TargetType::Account,
            target_id: Some(account_id.uuid()),
            caf_id: caf_id.map(Id::get),
            outcome: crate::store::trace::Outcome::Success,
            detail: serde_json::json!({ "reason": reason }),
        },
    )
}

/// Records whether an account must enrol a second factor before anything else (its contract
/// requires one it has not enrolled), checked at each sign-in; traced when it becomes required.
pub(crate) fn mark_second_factor_enrolment(
    conn: &mut DbConnection,
    ctx: &Ctx,
    account: &LoginCandidate,
    required: bool,
) -> Result<()> {
    if account.must_enrol_second_factor == required {
        return Ok(());
    }
    diesel::update(accounts::table.find(&account.id))
        .set(accounts::must_enrol_second_factor.eq(required))
        .execute(conn)?;
    if !required {
        return Ok(());
    }
    crate::store::trace::record(
        conn,
        ctx,
        crate::store::trace::Event {
            partner_id: account.partner_id.map(Id::get),
            action: mcp_domain::vocabulary::TraceAction::AccountSecondFactorRequired,
            target_type: mcp_domain::vocabulary::TargetType::Account,
            target_id: Some(account.id.get().uuid()),
            caf_id: account.caf_id.map(Id::get),
            outcome: crate::store::trace::Outcome::Success,
            detail: serde_json::json!({ "reason": "the contract requires a second factor" }),
        },
    )
}

/// The sign-in rules that apply to an account (by identifier): its partner's contract in force
/// for partner staff, the defaults otherwise (and for unknown identifiers); a second factor
/// wherever the account's Caf requires one.
/// The Caf and the partner an account belongs to, as the row holds them.
pub(crate) type Organisation = (Option<Id<CafId>>, Option<Id<PartnerId>>);

pub(crate) fn sign_in_rules(
    conn: &mut DbConnection,
    identifier: &str,
    today: chrono::NaiveDate,
) -> Result<mcp_domain::contract::SignInRules> {
    use mcp_domain::contract::SignInRules;
    let found: Option<Organisation> = accounts::table
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
    Ok(partner_rules(conn, partner_id, today)?.with_caf_requirement(caf_requires))
}

/// The sign-in rules a partner's contract in force sets for its staff (the defaults when none
/// is in force).
pub(crate) fn partner_rules(
    conn: &mut DbConnection,
    partner_id: Id<PartnerId>,
    today: chrono::NaiveDate,
) -> Result<mcp_domain::contract::SignInRules> {
    use crate::schema::conventions;
    use crate::store::conventions::ConventionRow;
    use mcp_domain::contract::SignInRules;
    let rows: Vec<ConventionRow> = conventions::table
        .filter(conventions::partner_id.eq(partner_id))
        .select(ConventionRow::as_select())
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
    Ok(mcp_domain::contract::rules_in_force(&contracts, today))
}

/// Loads an account someone supervises, checking the caller is that someone (404 for accounts
/// outside their reach or that nobody supervises).
pub(crate) fn load_supervised(
    conn: &mut DbConnection,
    ctx: &Ctx,
    account_id: AccountId,
) -> Result<Account> {
    let account: Account = accounts::table
        .find(account_id.to_string())
        .select(Account::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))?;
    let caf_id = account.caf_id.map(Id::get);
    let partner_id = account.partner_id.map(Id::get);
    let role =
        Role::from_code(&account.role).ok_or_else(|| Error::Corrupt(account.role.clone()))?;
    mcp_domain::access::authorize_supervision(ctx.principal(), role, caf_id, partner_id)?;
    Ok(account)
}

/// Four eyes on persons: refuses when any of `people` is the caller — the same account, or
/// another account under the caller's name or mailbox (see [`mcp_domain::person::Someone`]).
pub(crate) fn check_not_self(
    conn: &mut DbConnection,
    ctx: &Ctx,
    people: &std::collections::BTreeSet<uuid::Uuid>,
) -> Result<()> {
    let someone = |(id, email, full_name): (Id<AccountId>, String, String)| Someone {
        account_id: id.get(),
        email,
        full_name,
    };
    let mut ids: Vec<Id<AccountId>> = people.iter().map(|p| Id(AccountId::from(*p))).collect();
    let actor = ctx.principal().account_id;
    ids.push(Id(actor));
    let rows: Vec<(Id<AccountId>, String, String)> = accounts::table
        .filter(accounts::id.eq_any(&ids))
        .select((accounts::id, accounts::email, accounts::full_name))
        .load(conn)?;
    let mut actor_row = None;
    let mut beneficiaries = vec![];
    for row in rows {
        if row.0 == actor {
            actor_row = Some(someone(row.clone()));
        }
        if people.contains(&row.0.uuid()) {
            beneficiaries.push(someone(row));
        }
    }
    let actor = actor_row.ok_or_else(|| Error::Corrupt(format!("no account {actor}")))?;
    Ok(mcp_domain::habilitation::check_not_self(
        &actor,
        &beneficiaries,
    )?)
}

/// The account a person holds with a partner, if one is not closed: one person, one account
/// (`email_key` as [`mcp_domain::person::email_key`] computes it).
pub(crate) fn of_person(
    conn: &mut DbConnection,
    partner_id: Id<PartnerId>,
    email_key: &str,
) -> Result<Option<Account>> {
    Ok(accounts::table
        .filter(accounts::partner_id.eq(&partner_id))
        .filter(accounts::email_key.eq(email_key))
        .filter(accounts::status.ne(AccountStatus::Disabled.code()))
        .select(Account::as_select())
        .first(conn)
        .optional()?)
}

/// The roles of these accounts (for the rule of who manages whose habilitations).
pub(crate) fn roles_of(
    conn: &mut DbConnection,
    people: &std::collections::BTreeSet<uuid::Uuid>,
) -> Result<Vec<Role>> {
    let ids: Vec<String> = people.iter().map(uuid::Uuid::to_string).collect();
    let codes: Vec<String> = accounts::table
        .filter(accounts::id.eq_any(&ids))
        .select(accounts::role)
        .load(conn)?;
    codes
        .iter()
        .map(|c| Role::from_code(c).ok_or_else(|| Error::Corrupt(c.clone())))
        .collect()
}

/// A partner's staff, administrators and users, in creation order after `after`, at most
/// `limit` of them (all without).
pub fn of_partner(
    conn: &mut DbConnection,
    partner_id: Id<PartnerId>,
    after: Option<&str>,
    limit: Option<i64>,
) -> Result<Vec<Account>> {
    let mut q = accounts::table
        .filter(accounts::partner_id.eq(&partner_id))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(accounts::id.gt(after.to_string()));
    }
    if let Some(limit) = limit {
        q = q.limit(limit);
    }
    Ok(q.order(accounts::id.asc())
        .select(Account::as_select())
        .load(conn)?)
}

/// A page of the accounts of a Caf's own staff holding `role` (its administrators, its
/// service-centre agents), in id order.
pub fn of_caf_with_role(
    conn: &mut DbConnection,
    caf_id: CafId,
    role: Role,
    page: &crate::page::PageRequest,
) -> Result<crate::page::Page<Account>> {
    let mut q = accounts::table
        .filter(accounts::caf_id.eq(Id(caf_id)))
        .filter(accounts::role.eq(role.code()))
        .select(Account::as_select())
        .into_boxed();
    if let Some(c) = &page.cursor {
        q = q.filter(accounts::id.gt(c.clone()));
    }
    let limit = page.limit();
    let rows = q.order(accounts::id.asc()).limit(limit + 1).load(conn)?;
    crate::page::Page::from_rows(rows, limit, |a: &Account| a.id.to_string(), Ok)
}

/// The addresses of the active administrators of a Caf (`partner_id` `None`) or of a partner.
pub fn administrators(
    conn: &mut DbConnection,
    caf_id: CafId,
    partner_id: Option<PartnerId>,
) -> Result<Vec<String>> {
    let mut q = accounts::table
        .filter(accounts::status.ne(AccountStatus::Disabled.code()))
        .select(accounts::email)
        .into_boxed();
    q = match partner_id {
        Some(p) => q
            .filter(accounts::partner_id.eq(Id(p)))
            .filter(accounts::role.eq(Role::PartnerAdministrator.code())),
        None => q
            .filter(accounts::caf_id.eq(Id(caf_id)))
            .filter(accounts::role.eq(Role::CafAdministrator.code())),
    };
    Ok(q.load(conn)?)
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

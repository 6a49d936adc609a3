//! Signs a person in, as every sign-in does (API login, the software's sign-in page, the password
//! grant): throttle, password, second factor, password age, then the session or the code, in one
//! transaction.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::accounts::{self, LoginCandidate};
use crate::store::clients::{self, ClientApplication, Consent};
use crate::store::{devices, second_factor, throttle};
use mcp_domain::access::Software;
use mcp_domain::throttle::ThrottlePolicy;

use super::*;

/// What a person presents.
#[derive(Debug, Clone, Copy)]
pub struct Credentials<'a> {
    /// The identifier typed (trimmed, upper case).
    pub identifier: &'a str,
    /// The password.
    pub password: &'a str,
    /// The 6-digit code of the authenticator app, if given.
    pub otp: Option<&'a str>,
    /// The device token a previous sign-in gave, if the device kept it.
    pub device_token: Option<&'a str>,
}

/// What the sign-in is for.
#[derive(Debug, Clone, Copy)]
pub enum Purpose<'a> {
    /// A session of the person's own (`POST /auth/login`).
    Session,
    /// A session of partner software acting for the person, who gave it their credentials
    /// (the password grant).
    SoftwareSession(&'a ClientApplication, &'a Software),
    /// A single-use code handing the person's consent to partner software (its sign-in page).
    Code(&'a ClientApplication, Consent<'a>),
}

/// What a successful sign-in gives: what it was for, and the token of the device it was made
/// from (the one presented, or a new one), to present at the next sign-in.
#[derive(Debug)]
pub struct Welcome {
    /// The session or the code.
    pub signed_in: SignedIn,
    /// The device token.
    pub device_token: String,
}

/// What a successful sign-in is for.
#[derive(Debug)]
pub enum SignedIn {
    /// A session, with its first refresh token.
    Session(Issued),
    /// An authorization code for the software.
    Code(String),
}

/// Why a sign-in did not succeed: told to the person, never more precisely than this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Wrong identifier, password or code, or an inactive account: one answer for all.
    Refused,
    /// The password was right; the code of the second factor is missing.
    OtpRequired,
    /// Too many failures: wait this many seconds.
    Throttled(i64),
    /// The person is not of the partner the software belongs to.
    OtherOrganisation,
}

/// The throttling policies of sign-in: per identifier typed, per source address.
#[derive(Debug, Clone, Copy)]
pub struct Throttles {
    /// Per identifier.
    pub identifier: ThrottlePolicy,
    /// Per source address.
    pub source: ThrottlePolicy,
}

/// Signs a person in. The password is checked against the stored hash before the transaction
/// (argon2 takes tens of milliseconds, and no lock is held meanwhile); everything is decided in
/// one transaction that first locks the throttle counters of the identifier and the address, so
/// that parallel attempts are counted one after the other and none is answered once the count
/// imposes a wait. Failures are counted and traced; success forgets the identifier's failures,
/// requires a password change when the password outlived the contract, records whether a second
/// factor must be enrolled, and opens the session or issues the code — all committed together.
pub fn login(
    db: &Database,
    ctx: &Ctx,
    credentials: Credentials<'_>,
    client: &Client,
    throttles: Throttles,
    purpose: Purpose<'_>,
) -> Result<std::result::Result<Welcome, Refusal>> {
    let Credentials {
        identifier,
        password,
        otp,
        device_token,
    } = credentials;
    if identifier.len() > 64
        || password.len() > 4 * mcp_domain::contract::MAX_PASSWORD_LENGTH as usize
    {
        return Ok(Err(Refusal::Refused));
    }
    let keys_for = |device: Option<&str>| {
        throttle::keys_of(
            identifier,
            client.source.as_deref(),
            device,
            (throttles.identifier, throttles.source),
        )
    };
    // Read first, without locks: an attempt already held back costs no password check.
    let (device, waiting, stored) = db.read(|conn| {
        let device = match device_token {
            Some(token) => devices::trusted(conn, token, identifier, ctx.now)?,
            None => None,
        };
        Ok((
            device.clone(),
            throttle::wait(conn, &keys_for(device.as_deref()), ctx.now)?.is_some(),
            accounts::candidate(conn, identifier)?.and_then(|c| c.password_hash),
        ))
    })?;
    let keys = keys_for(device.as_deref());
    let checked = match waiting {
        true => None,
        false => {
            let right = crate::credentials::verify_password(password, stored.as_deref())?;
            Some((stored.clone(), right))
        }
    };
    db.write(|conn| {
        throttle::lock(conn, &keys, ctx.now)?;
        if let Some(wait) = throttle::wait(conn, &keys, ctx.now)? {
            accounts::trace_refused_login(conn, ctx, identifier, None, "throttled")?;
            return Ok(Err(Refusal::Throttled(throttle::whole_seconds(wait))));
        }
        let candidate = accounts::candidate(conn, identifier)?;
        let hash = candidate.as_ref().and_then(|c| c.password_hash.clone());
        let right = match checked.clone() {
            // The hash checked is still the account's.
            Some((verified, right)) if verified == hash => right,
            // Checked against another (changed meanwhile), or not yet: check now.
            _ => crate::credentials::verify_password(password, hash.as_deref())?,
        };
        let refuse = |conn: &mut crate::DbConnection, account: Option<&LoginCandidate>, reason| {
            throttle::count_failure(conn, &keys, ctx.now)?;
            accounts::trace_refused_login(conn, ctx, identifier, account, reason)?;
            Ok(Err(Refusal::Refused))
        };
        let mut account = match candidate {
            Some(account) if right && account.is_active() => account,
            other => return refuse(conn, other.as_ref(), "wrong_credentials"),
        };
        let enrolled = second_factor::of(conn, account.id)?.filter(|t| t.confirmed_at.is_some());
        if let Some(t) = &enrolled {
            let Some(code) = otp else {
                accounts::trace_refused_login(
                    conn,
                    ctx,
                    identifier,
                    Some(&account),
                    "otp_required",
                )?;
                return Ok(Err(Refusal::OtpRequired));
            };
            let step = crate::credentials::totp_step(
                &t.secret,
                identifier,
                t.last_used_step,
                code,
                ctx.now,
            )?;
            let accepted = match step {
                Some(step) => second_factor::mark_step_used(conn, account.id, step)?,
                None => false,
            };
            if !accepted {
                return refuse(conn, Some(&account), "wrong_otp");
            }
        }
        throttle::forget(conn, &keys[0])?;
        let rules = accounts::sign_in_rules(conn, identifier, ctx.today())?;
        if !account.must_change_password
            && account
                .password_changed_at
                .is_some_and(|at| rules.password_policy.password_expired(at, ctx.now))
        {
            accounts::mark_password_change_required(
                conn,
                ctx,
                account.id.get(),
                (account.caf_id, account.partner_id),
                "the password is older than the contract allows",
            )?;
            account.must_change_password = true;
        }
        let must_enrol = rules.second_factor_required && enrolled.is_none();
        accounts::mark_second_factor_enrolment(conn, ctx, &account, must_enrol)?;
        account.must_enrol_second_factor = must_enrol;
        let app = match purpose {
            Purpose::Session => None,
            Purpose::SoftwareSession(app, _) | Purpose::Code(app, _) => Some(app),
        };
        if app.is_some_and(|app| account.partner_id != Some(app.partner_id)) {
            accounts::trace_refused_login(
                conn,
                ctx,
                identifier,
                Some(&account),
                "other_organisation",
            )?;
            return Ok(Err(Refusal::OtherOrganisation));
        }
        let device_token = match (device, device_token) {
            (Some(_), Some(token)) => token.to_string(),
            _ => devices::give(conn, account.id, identifier, ctx.now)?,
        };
        let signed_in = match purpose {
            Purpose::Session => {
                SignedIn::Session(open(conn, ctx, &account, identifier, client, None)?)
            }
            Purpose::SoftwareSession(_, software) => SignedIn::Session(open(
                conn,
                ctx,
                &account,
                identifier,
                client,
                Some(software),
            )?),
            Purpose::Code(app, consent) => {
                SignedIn::Code(clients::issue_code(conn, ctx, app, &account, &consent)?)
            }
        };
        Ok(Ok(Welcome {
            signed_in,
            device_token,
        }))
    })
}

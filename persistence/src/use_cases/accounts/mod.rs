//! The use cases of accounts: one file per action.

pub use crate::store::accounts::*;

use crate::ctx::Ctx;
use crate::db::{Database, DbConnection};
use crate::error::{Error, Result};
use crate::store::throttle;
use mcp_domain::throttle::ThrottlePolicy;
use mcp_domain::DomainError;

/// Checks a password a person chooses against the policy that applies to their account, and
/// hashes it (activation, reset): before any transaction, since argon2 takes its time.
fn chosen_password_hash(
    db: &Database,
    identifier: &str,
    password: &str,
    today: chrono::NaiveDate,
) -> Result<String> {
    let policy = sign_in_rules_for(db, identifier, today)?.password_policy;
    mcp_domain::password::check(policy, password, identifier)?;
    crate::credentials::hash_password(password)
}

/// The caller's current password, presented before a sensitive change and checked before the
/// transaction (argon2 holds no lock); [`OwnPassword::decide`] settles it inside, under the lock
/// of the identifier's throttle counter, where a wrong one is counted as a failed sign-in.
pub(crate) struct OwnPassword {
    /// The caller's identifier.
    pub(crate) identifier: String,
    key: [throttle::Key; 1],
    /// The hash checked and whether the password matched it; none when already held back.
    checked: Option<(Option<String>, bool)>,
}

impl OwnPassword {
    /// Reads the caller's hash and checks `password` against it, unless the identifier is
    /// already held back.
    pub(crate) fn check(
        db: &Database,
        ctx: &Ctx,
        password: &str,
        policy: ThrottlePolicy,
    ) -> Result<Self> {
        mcp_domain::access::authorize(
            ctx.principal(),
            mcp_domain::access::Function::ManageOwnAccount,
            mcp_domain::access::Reach::National,
        )?;
        let id = ctx.principal().account_id().to_string();
        let (identifier, stored): (String, Option<String>) = db.read(|conn| {
            use diesel::prelude::*;
            crate::schema::accounts::table
                .find(&id)
                .select((
                    crate::schema::accounts::identifier,
                    crate::schema::accounts::password_hash,
                ))
                .first(conn)
                .optional()?
                .ok_or(Error::Domain(DomainError::NotFound))
        })?;
        let key = [throttle::Key::identifier(&identifier, policy)];
        let waiting = db
            .read(|conn| throttle::wait(conn, &key, ctx.now))?
            .is_some();
        let checked = match waiting {
            true => None,
            false => {
                let right = crate::credentials::verify_password(password, stored.as_deref())?;
                Some((stored, right))
            }
        };
        Ok(Self {
            identifier,
            key,
            checked,
        })
    }

    /// Whether the password matched when checked (the decision is [`Self::decide`]'s).
    pub(crate) fn matched(&self) -> bool {
        self.checked.as_ref().is_some_and(|(_, right)| *right)
    }

    /// Decides, in the transaction: `Ok(())` when the password is right; otherwise the refusal
    /// to return once the transaction committed the failure (`field` names the password's
    /// field), or [`Error::Throttled`].
    pub(crate) fn decide(
        &self,
        conn: &mut DbConnection,
        ctx: &Ctx,
        password: &str,
        field: &str,
    ) -> Result<std::result::Result<(), Error>> {
        use diesel::prelude::*;
        throttle::lock(conn, &self.key, ctx.now)?;
        if let Some(wait) = throttle::wait(conn, &self.key, ctx.now)? {
            return Ok(Err(Error::Throttled(throttle::whole_seconds(wait))));
        }
        let stored: Option<String> = crate::schema::accounts::table
            .find(ctx.principal().account_id().to_string())
            .select(crate::schema::accounts::password_hash)
            .first(conn)?;
        let right = match &self.checked {
            Some((verified, right)) if *verified == stored => *right,
            _ => crate::credentials::verify_password(password, stored.as_deref())?,
        };
        if right {
            return Ok(Ok(()));
        }
        throttle::count_failure(conn, &self.key, ctx.now)?;
        Ok(Err(DomainError::field(
            field,
            "wrong_password",
            mcp_domain::msg!(
                "ce n'est pas votre mot de passe actuel",
                "this is not your current password"
            ),
        )
        .into()))
    }
}

mod bootstrap_cnaf_operator;
pub use bootstrap_cnaf_operator::bootstrap_cnaf_operator;
mod sign_in_rules_for;
pub use sign_in_rules_for::sign_in_rules_for;
mod activate;
pub use activate::activate;
mod request_password_reset;
pub use request_password_reset::request_password_reset;
mod reset_password;
pub use reset_password::{reset_password, Reset};
mod me;
pub use me::me;
mod change_own_password;
pub use change_own_password::change_own_password;
mod set_suspended;
pub use set_suspended::set_suspended;
mod require_password_change;
pub use require_password_change::require_password_change;
mod end_sessions_of;
pub use end_sessions_of::end_sessions_of;
mod remind_password_expiry;
pub use remind_password_expiry::remind_password_expiry;

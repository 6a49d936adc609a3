//! Sets the first password of an account with its activation secret.

use crate::ctx::Ctx;
use crate::db::{Database, DbConnection};
use crate::error::Result;
use crate::id::Id;
use crate::schema::accounts;
use crate::store::trace::{self, Event, Outcome};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::access::Role;
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};

use super::*;

/// Sets the first password of an account with its activation secret, once the password passes
/// the policy that applies to the account (checked only once the code is proven). The same refusal is given
/// whether the identifier is unknown, the secret wrong, expired or already used. Partner staff
/// accept the commitment of the habilitation form at that moment; the acceptance is recorded.
pub fn activate(
    db: &Database,
    ctx: &Ctx,
    identifier: &str,
    secret: &str,
    password: &str,
    accepted_commitment: bool,
) -> Result<Account> {
    // The code first: a wrong one gets the same refusal whoever the identifier names, before any
    // password policy (which differs by contract) is looked at.
    db.read(|conn| prove(conn, ctx, identifier, secret))?;
    let password_hash = chosen_password_hash(db, identifier, password, ctx.today())?;
    db.write(|conn| {
        let account = prove(conn, ctx, identifier, secret)?;
        let must_commit = Role::from_code(&account.role).is_some_and(mcp_domain::commitment::required_for);
        if must_commit && !accepted_commitment {
            return Err(DomainError::field(
                "accept_commitment",
                "commitment_required",
                mcp_domain::msg!("acceptez l'engagement du formulaire d'habilitation (GET /api/v1/auth/commitment) pour activer votre compte", "accept the commitment of the habilitation form (GET /api/v1/auth/commitment) to activate your account"),
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
                accounts::password_hash.eq(&password_hash),
                accounts::password_changed_at.eq(ctx.now),
                accounts::status.eq(AccountStatus::Active.code()),
                accounts::activation_secret_hash.eq(None::<String>),
                accounts::activation_expires_at.eq(None::<NaiveDateTime>),
                accounts::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let ctx = ctx.acting_as(account.principal());
        trace::record(
            conn,
            &ctx,
            Event {
                partner_id: account.partner_id.map(Id::get),
                action: TraceAction::AccountActivated,
                target_type: TargetType::Account,
                target_id: Some(account.id.get().uuid()),
                caf_id: account.caf_id.map(Id::get),
                outcome: Outcome::Success,
                detail: serde_json::json!({
                    "identifier": account.identifier,
                    "commitment_version": must_commit.then_some(mcp_domain::commitment::VERSION),
                }),
            },
        )?;
        Ok(Account {
            status: AccountStatus::Active.code().into(),
            ..account
        })
    })
}

/// The account pending activation `identifier` names, if `secret` is its unexpired code.
fn prove(conn: &mut DbConnection, ctx: &Ctx, identifier: &str, secret: &str) -> Result<Account> {
    let row: Option<(Account, Option<String>, Option<NaiveDateTime>)> = accounts::table
        .filter(accounts::identifier.eq(identifier))
        .select((
            Account::as_select(),
            accounts::activation_secret_hash,
            accounts::activation_expires_at,
        ))
        .first(conn)
        .optional()?;
    proven_by_code(
        row,
        AccountStatus::PendingActivation,
        secret,
        ctx.now,
        || {
            DomainError::rule(
                ErrorCode::ActivationRefused,
                mcp_domain::msg!("cet identifiant et ce code d'activation n'ouvrent aucun compte : demandez un nouveau code", "this identifier and activation code do not open an account: ask for a new code"),
            )
        },
    )
}

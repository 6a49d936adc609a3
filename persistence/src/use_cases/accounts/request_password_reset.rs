//! Sends a one-time password-reset code to the person's e-mail, if `identifier` names an active
//! account.

use crate::credentials::{random_secret, secret_hash};
use crate::ctx::Ctx;
use crate::db::{Database, DbConnection};
use crate::error::Result;
use crate::id::Id;
use crate::schema::accounts;
use crate::store::trace::{self, Event, Outcome};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};

use super::*;

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
                    partner_id: account.and_then(|a| a.partner_id).map(Id::get),
                    action: TraceAction::AccountPasswordResetRequested,
                    target_type: TargetType::Account,
                    target_id: account.map(|a| a.id.uuid()),
                    caf_id: account
                        .and_then(|a| a.caf_id).map(Id::get),
                    outcome: Outcome::Denied,
                    detail: serde_json::json!({ "identifier": identifier, "reason": reason }),
                },
            )
        };
        let Some((account, previous)) = row else {
            return refuse(conn, None, "unknown_identifier");
        };
        if crate::read_code(&account.status, AccountStatus::from_code)? != AccountStatus::Active {
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
        crate::store::outbox::enqueue(
            conn,
            ctx.now,
            &account.email,
            "Mon Compte Partenaire : réinitialisation de votre mot de passe",
            &format!(
                "Bonjour {name},\n\n\
                 Une réinitialisation du mot de passe de votre compte {identifier} a été demandée.\n\n\
                 Votre code de réinitialisation, à usage unique : {secret}\n\
                 Il expire le {expires} (heure de Paris).\n\n\
                 Pour choisir votre nouveau mot de passe, ouvrez la page\n\
                 {link}\n\
                 et saisissez-y ce code. Si vous n'avez rien demandé, ignorez ce message : votre\n\
                 mot de passe actuel reste valable.\n\n\
                 (Pour un logiciel : POST /api/v1/auth/password-reset/confirmation.)\n",
                link = db.links().new_password(&account.identifier),
                name = account.full_name,
                identifier = account.identifier,
                expires = mcp_domain::text::paris_time(expires_at),
            ),
        )?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: account.partner_id.map(Id::get),
                action: TraceAction::AccountPasswordResetRequested,
                target_type: TargetType::Account,
                target_id: Some(account.id.get().uuid()),
                caf_id: account.caf_id.map(Id::get),
                outcome: Outcome::Success,
                detail: serde_json::json!({ "identifier": identifier }),
            },
        )
    })
}

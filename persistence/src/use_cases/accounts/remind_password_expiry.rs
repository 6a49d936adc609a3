//! Tells partner staff, ahead, that their password is about to expire under their contract.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::ids::{AccountId, CafId, PartnerId};
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};
use serde_json::json;

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::schema::accounts;
use crate::store::trace::{self, Event, Outcome};

/// Tells, once per password, each active person whose contract limits a password's age and
/// whose password expires within `days` days, so that they change it before a sign-in asks
/// them to; traced as done by the service. Run by the expiry job; `now` is passed in so tests
/// move the clock. Returns how many people were told.
pub fn remind_password_expiry(db: &Database, now: NaiveDateTime, days: u32) -> Result<usize> {
    let ctx = Ctx::without_person("password-expiry-reminder", now);
    db.write(|conn| {
        type Candidate = (
            Id<AccountId>,
            Option<Id<CafId>>,
            Id<PartnerId>,
            String,
            String,
            NaiveDateTime,
        );
        let candidates: Vec<Candidate> = accounts::table
            .filter(accounts::status.eq(AccountStatus::Active.code()))
            .filter(accounts::partner_id.is_not_null())
            .filter(accounts::password_changed_at.is_not_null())
            .filter(
                accounts::password_expiry_reminded_at
                    .is_null()
                    .or(accounts::password_expiry_reminded_at.lt(accounts::password_changed_at)),
            )
            .order(accounts::id.asc())
            .select((
                accounts::id,
                accounts::caf_id,
                accounts::partner_id.assume_not_null(),
                accounts::email,
                accounts::full_name,
                accounts::password_changed_at.assume_not_null(),
            ))
            .load(conn)?;
        // One contract per partner, read once.
        let mut policies = BTreeMap::new();
        let mut told = 0;
        for (id, caf_id, partner_id, email, name, changed_at) in candidates {
            let policy = match policies.get(&partner_id) {
                Some(p) => *p,
                None => {
                    let p = crate::store::accounts::partner_rules(conn, partner_id, now.date())?
                        .password_policy;
                    policies.insert(partner_id, p);
                    p
                }
            };
            if !policy.expiry_reminder_due(changed_at, now, days) {
                continue;
            }
            let expires_at = policy
                .password_expires_at(changed_at)
                .expect("a reminder is due only under a limit");
            crate::store::outbox::enqueue(
                conn,
                now,
                &email,
                "Mon Compte Partenaire : votre mot de passe expire bientôt",
                &format!(
                    "Bonjour {name},\n\nVotre mot de passe « Mon Compte Partenaire » expire le \
                     {date} (UTC), comme le prévoit la convention de votre organisme. Changez-le \
                     avant cette date ; sinon, il vous sera demandé d'en choisir un nouveau à \
                     votre prochaine connexion.\n",
                    date = expires_at.format("%d/%m/%Y à %H:%M"),
                ),
            )?;
            diesel::update(accounts::table.find(id))
                .set(accounts::password_expiry_reminded_at.eq(now))
                .execute(conn)?;
            trace::record(
                conn,
                &ctx,
                Event {
                    partner_id: Some(partner_id.get()),
                    action: TraceAction::AccountPasswordExpiryReminded,
                    target_type: TargetType::Account,
                    target_id: Some(id.uuid()),
                    caf_id: caf_id.map(Id::get),
                    outcome: Outcome::Success,
                    detail: json!({ "expires_at": expires_at.and_utc() }),
                },
            )?;
            told += 1;
        }
        Ok(told)
    })
}

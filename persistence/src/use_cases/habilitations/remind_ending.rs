//! Tells the holder and their manager, ahead, that a temporary habilitation is about to end.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::{accounts, group_members, habilitations, partners, profiles};
use crate::store::trace::{self, Event, Outcome};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::habilitation::HabilitationStatus;
use mcp_domain::vocabulary::{HolderKind, TargetType, TraceAction};
use serde_json::json;
use std::collections::BTreeSet;

use super::*;

/// Tells, once, the holder of a temporary habilitation ending within `days` days — each member,
/// for a group — and the manager who granted it, so that the mission's end is either confirmed
/// or the habilitation renewed in time; traced as done by the service. Run by the expiry job;
/// `now` is passed in so tests move the clock. Returns how many habilitations were announced.
pub fn remind_ending(db: &Database, now: NaiveDateTime, days: u32) -> Result<usize> {
    let ctx = Ctx::without_person("habilitation-end-reminder", now);
    let today = now.date();
    let horizon = today + Duration::days(i64::from(days));
    db.write(|conn| {
        let due: Vec<(Habilitation, String, String)> = habilitations::table
            .inner_join(profiles::table.on(profiles::id.eq(habilitations::profile_id)))
            .inner_join(partners::table.on(partners::id.eq(habilitations::partner_id)))
            .filter(habilitations::ends_on.ge(today))
            .filter(habilitations::ends_on.le(horizon))
            .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
            .filter(habilitations::end_reminded_at.is_null())
            .select((Habilitation::as_select(), profiles::code, partners::name))
            .load(conn)?;
        for (h, profile, partner) in &due {
            let ends_on = h.ends_on.expect("filtered on its end date");
            let holders: Vec<String> =
                match crate::read_code(&h.holder_kind, HolderKind::from_code)? {
                    HolderKind::Account => vec![h.holder_id.clone()],
                    HolderKind::Group => group_members::table
                        .filter(group_members::group_id.eq(&h.holder_id))
                        .select(group_members::account_id)
                        .load(conn)?,
                };
            let mut told = BTreeSet::new();
            let recipients: Vec<(String, String)> = accounts::table
                .filter(
                    accounts::id
                        .eq_any(&holders)
                        .or(accounts::id.eq(&h.granted_by)),
                )
                .filter(accounts::status.ne(mcp_domain::vocabulary::AccountStatus::Disabled.code()))
                .select((accounts::email, accounts::full_name))
                .load(conn)?;
            for (email, name) in recipients {
                if !told.insert(email.clone()) {
                    continue;
                }
                crate::store::outbox::enqueue(
                    conn,
                    now,
                    &email,
                    "Mon Compte Partenaire : une habilitation prend fin",
                    &format!(
                        "Bonjour {name},\n\nL'habilitation temporaire au profil {profile} \
                         ({partner}) prend fin le {date}, au terme de la mission qui la \
                         justifie. Si la mission continue, votre gestionnaire d'habilitations \
                         doit la renouveler avant cette date ; sinon, rien à faire.\n",
                        date = ends_on.format("%d/%m/%Y"),
                    ),
                )?;
            }
            diesel::update(habilitations::table.find(&h.id))
                .set(habilitations::end_reminded_at.eq(now))
                .execute(conn)?;
            trace::record(
                conn,
                &ctx,
                Event {
                    partner_id: Some(h.partner_id.get()),
                    action: TraceAction::HabilitationEndReminded,
                    target_type: TargetType::Habilitation,
                    target_id: Some(h.id.get().uuid()),
                    caf_id: Some(h.caf_id.get()),
                    outcome: Outcome::Success,
                    detail: json!({ "ends_on": ends_on, "told": told.len() }),
                },
            )?;
        }
        Ok(due.len())
    })
}

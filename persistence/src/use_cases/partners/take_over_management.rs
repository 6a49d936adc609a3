//! The Caf takes the management of a partner's habilitations back, or gives it back.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::partners;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::ids::PartnerId;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;

use super::*;

/// "Supprimer la délégation et reprendre la main" (S-art. 2.2.1): a supervision act of the
/// Caf's administrator, with no signature of the partner. Every delegation of the partner is
/// withdrawn, and until the Caf gives management back the partner is managed as in mode
/// centralisé — the Caf grants and devalidates, the partner files requests — whatever its
/// contract says (a lasting change of mode remains an amendment). The partner's administrators
/// are told by message.
pub fn take_over_management(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    reason: &str,
) -> Result<Partner> {
    switch(db, ctx, partner_id, reason, Switch::TakeOver)
}

/// The Caf gives the management of the partner's habilitations back: the partner is managed
/// as its contract says again (delegations are not restored: the administrators give them
/// anew). The partner's administrators are told by message.
pub fn hand_back_management(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    reason: &str,
) -> Result<Partner> {
    switch(db, ctx, partner_id, reason, Switch::HandBack)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Switch {
    TakeOver,
    HandBack,
}

fn switch(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    reason: &str,
    to: Switch,
) -> Result<Partner> {
    let reason = mcp_domain::habilitation::check_reason("reason", reason)?;
    let taking = to == Switch::TakeOver;
    db.write(|conn| {
        let partner = load_for(conn, ctx, partner_id, Function::SuperviseHabilitations)?;
        if partner.management_taken_over_at.is_some() == taking {
            return Err(match to {
                Switch::TakeOver => DomainError::conflict(
                    ErrorCode::ManagementAlreadyTakenOver,
                    mcp_domain::msg!(
                        "la Caf gère déjà les habilitations de ce partenaire",
                        "the Caf already manages this partner's habilitations"
                    ),
                ),
                Switch::HandBack => DomainError::conflict(
                    ErrorCode::ManagementNotTakenOver,
                    mcp_domain::msg!(
                        "la Caf n'a pas repris la gestion de ce partenaire",
                        "the Caf has not taken this partner's management back"
                    ),
                ),
            }
            .into());
        }
        diesel::update(partners::table.find(&partner.id))
            .set((
                partners::management_taken_over_at.eq(taking.then_some(ctx.now)),
                partners::management_takeover_reason.eq(taking.then_some(&reason)),
                partners::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let (action, message, detail) = match to {
            Switch::TakeOver => {
                let withdrawn = crate::store::staff::withdraw_all_delegations(
                    conn,
                    ctx,
                    partner.id,
                    "the Caf took management back",
                )?;
                (
                    TraceAction::PartnerManagementTakenOver,
                    format!(
                        "Bonjour,\n\nLa Caf reprend la gestion des habilitations de {name} à Mon \
                         Compte Partenaire (contrat de services, art. 2.2.1). Motif : {reason}\n\n\
                         Les délégations sont retirées ; jusqu'à ce que la Caf vous rende la \
                         main, adressez-lui vos demandes d'habilitation.\n",
                        name = partner.name,
                    ),
                    json!({ "reason": reason, "delegations_withdrawn": withdrawn }),
                )
            }
            Switch::HandBack => (
                TraceAction::PartnerManagementHandedBack,
                format!(
                    "Bonjour,\n\nLa Caf vous rend la gestion des habilitations de {name} à Mon \
                     Compte Partenaire, selon votre contrat de services. Motif : {reason}\n",
                    name = partner.name,
                ),
                json!({ "reason": reason }),
            ),
        };
        tell_administrators(conn, ctx, &partner, &message)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(partner_id),
                action,
                target_type: TargetType::Partner,
                target_id: Some(partner_id.uuid()),
                caf_id: Some(partner.caf_id.get()),
                outcome: Outcome::Success,
                detail,
            },
        )?;
        load_for(conn, ctx, partner_id, Function::SuperviseHabilitations)
    })
}

/// Writes the same message to each administrator of the partner not closed.
fn tell_administrators(
    conn: &mut crate::db::DbConnection,
    ctx: &Ctx,
    partner: &Partner,
    body: &str,
) -> Result<()> {
    let emails =
        crate::store::accounts::administrators(conn, partner.caf_id.get(), Some(partner.id.get()))?;
    crate::store::outbox::enqueue_to_each(
        conn,
        ctx.now,
        &emails,
        "Mon Compte Partenaire : gestion des habilitations",
        body,
    )?;
    Ok(())
}

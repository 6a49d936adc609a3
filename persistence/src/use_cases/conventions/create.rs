//! Drafts a convention for a partner of the caller's Caf.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{on_unique, Result};
use crate::id::Id;
use crate::schema::conventions;
use crate::store::trace::{self, Event, Outcome};
use crate::use_cases::partners;
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::contract::{ManagementMode, PasswordPolicy};
use mcp_domain::convention::{check_missions, check_number};
use mcp_domain::ids::{ConventionId, PartnerId};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::ErrorCode;
use serde_json::json;

use super::*;

/// Drafts a convention for a partner of the caller's Caf.
pub fn create(
    db: &Database,
    ctx: &Ctx,
    partner_id: PartnerId,
    new: NewConvention,
) -> Result<Convention> {
    let mut c = mcp_domain::error::Checks::new();
    let number = c.take(check_number("number", &new.number));
    let missions = c.take(check_missions("missions", &new.missions));
    let caf_signatory = c.take(mcp_domain::text::optional(
        "caf_signatory",
        new.caf_signatory.as_deref(),
        200,
    ));
    let partner_signatory = c.take(mcp_domain::text::optional(
        "partner_signatory",
        new.partner_signatory.as_deref(),
        200,
    ));
    let terms = match new.contract {
        Some(t) => c.take(t.check()),
        None => Some(CheckedTerms {
            management_mode: ManagementMode::default(),
            password_policy: PasswordPolicy::default(),
            contacts: vec![],
            second_factor_required: false,
            email_domains: Default::default(),
            service_centre: Default::default(),
        }),
    };
    c.finish()?;
    let (number, missions, terms) = (
        number.expect("checked"),
        missions.expect("checked"),
        terms.expect("checked"),
    );
    db.write(|conn| {
        let partner = partners::load_for(conn, ctx, partner_id, Function::ManagePartners)?;
        let caf = crate::store::cafs::load(conn, partner.caf_id.get().uuid().into())?;
        let id: Id<ConventionId> = Id::new();
        diesel::insert_into(conventions::table)
            .values((
                conventions::id.eq(&id),
                conventions::caf_id.eq(&partner.caf_id),
                conventions::partner_id.eq(&partner.id),
                conventions::number.eq(&number),
                conventions::caf_signatory
                    .eq(caf_signatory.clone().flatten().unwrap_or(caf.director_name)),
                conventions::partner_signatory.eq(partner_signatory
                    .clone()
                    .flatten()
                    .unwrap_or(partner.representative_name)),
                conventions::version.eq(0),
                conventions::management_mode.eq(terms.management_mode.code()),
                conventions::password_policy.eq(to_json(&terms.password_policy)),
                conventions::contacts.eq(to_json(&terms.contacts)),
                conventions::second_factor_required.eq(terms.second_factor_required),
                conventions::email_domains.eq(to_json(&terms.email_domains)),
                conventions::service_centre.eq(to_json(&terms.service_centre)),
                conventions::created_at.eq(ctx.now),
                conventions::updated_at.eq(ctx.now),
            ))
            .execute(conn)
            .map_err(on_unique(
                ErrorCode::ConventionNumberTaken,
                mcp_domain::msg!(
                    "une convention de cette Caf porte déjà ce numéro",
                    "a convention of this Caf already bears this number"
                ),
            ))?;
        replace_missions(conn, id, &missions, 0, ctx.now)?;
        let conv = load(conn, id)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(conv.row.partner_id.get()),
                action: TraceAction::ConventionCreated,
                target_type: TargetType::Convention,
                target_id: Some(conv.row.uuid()?),
                caf_id: Some(conv.row.caf_uuid()?.into()),
                outcome: Outcome::Success,
                detail: json!({ "number": number, "partner_id": partner.id, "missions": missions }),
            },
        )?;
        Ok(conv)
    })
}

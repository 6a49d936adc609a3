//! Changes signatories or missions.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::conventions;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::Function;
use mcp_domain::convention::{check_missions, AmendmentSignature};
use mcp_domain::ids::ConventionId;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

use super::*;
use crate::store::amendments::change;

/// Changes signatories or missions: directly on a draft, by amendment once signed.
pub fn update(
    db: &Database,
    ctx: &Ctx,
    id: ConventionId,
    change_req: ConventionChange,
    amendment: Option<AmendmentSignature>,
) -> Result<(Convention, Option<Amendment>)> {
    let mut c = mcp_domain::error::Checks::new();
    let caf_signatory = c.take(mcp_domain::text::optional(
        "caf_signatory",
        change_req.caf_signatory.as_deref(),
        200,
    ));
    let partner_signatory = c.take(mcp_domain::text::optional(
        "partner_signatory",
        change_req.partner_signatory.as_deref(),
        200,
    ));
    let missions = match &change_req.missions {
        Some(m) => c.take(check_missions("missions", m).map(Some)),
        None => Some(None),
    };
    if change_req.caf_signatory.is_none()
        && change_req.partner_signatory.is_none()
        && change_req.missions.is_none()
    {
        c.push(
            "",
            "empty_change",
            mcp_domain::msg!(
                "indiquez au moins l'un des champs caf_signatory, partner_signatory, missions",
                "name at least one of caf_signatory, partner_signatory, missions"
            ),
        );
    }
    c.finish()?;
    let (caf_signatory, partner_signatory, missions) = (
        caf_signatory.flatten(),
        partner_signatory.flatten(),
        missions.flatten(),
    );
    db.write(|conn| {
        let conv = load_for(conn, ctx, id, Function::ManagePartners)?;
        let subject = if missions.is_some() { "missions" } else { "signatories" };
        let ((), amendment) = change(conn, ctx, &conv, amendment, subject, |conn, version| {
            if let Some(s) = &caf_signatory {
                diesel::update(conventions::table.find(&conv.row.id)).set(conventions::caf_signatory.eq(s)).execute(conn)?;
            }
            if let Some(s) = &partner_signatory {
                diesel::update(conventions::table.find(&conv.row.id)).set(conventions::partner_signatory.eq(s)).execute(conn)?;
            }
            if let Some(m) = &missions {
                replace_missions(conn, conv.row.id, m, version, ctx.now)?;
            }
            Ok(())
        })?;
        let after = load(conn, conv.row.id)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(after.row.partner_id.get()),
                action: TraceAction::ConventionUpdated,
                target_type: TargetType::Convention,
                target_id: Some(id.uuid()),
                caf_id: Some(after.row.caf_uuid()?.into()),
                outcome: Outcome::Success,
                detail: json!({
                    "amendment": amendment.as_ref().map(|a| a.number),
                    "caf_signatory": caf_signatory, "partner_signatory": partner_signatory, "missions": missions,
                }),
            },
        )?;
        Ok((after, amendment))
    })
}

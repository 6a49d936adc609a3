//! Attaches a document to a convention.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::store::trace::{self, Event, Outcome};
use mcp_domain::document::{self, Input, Kind};
use mcp_domain::ids::{ConventionId, DocumentId};
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;

use super::*;

/// Attaches a document to a convention — the Caf's administrators any, the partner's their
/// deliberation and RGPD evidence — once checked as a whole PDF; its bytes go to `contents` in
/// the same transaction as its description and its trace. The same file sent again as the same
/// kind (a retry) gives the document already attached, and `false`: attaching is idempotent by
/// content.
pub fn attach(
    db: &Database,
    ctx: &Ctx,
    contents: &dyn Contents,
    convention_id: ConventionId,
    input: &Input<'_>,
) -> Result<(DocumentRow, bool)> {
    // Who may attach depends on the kind; an unknown kind is refused by the check below.
    let kind = Kind::from_code(input.kind).unwrap_or(Kind::RgpdEvidence);
    let function = document::attach_function(ctx.principal(), kind)?;
    db.write(|conn| {
        let conv = crate::store::conventions::load_for(conn, ctx, convention_id, function)?;
        let checked = document::check(input, ctx.today())?;
        if let Some(already) = same_file(conn, conv.row.id, checked.kind, &checked.sha256)? {
            return Ok((already, false));
        }
        let id: Id<DocumentId> = Id::new();
        let (caf_id, partner_id) = (conv.row.caf_id.get(), conv.row.partner_id.get());
        insert(
            conn,
            id,
            (conv.row.id, caf_id, partner_id),
            &checked,
            ctx.principal().account_id(),
            ctx.now,
        )?;
        contents.put(conn, id, input.content)?;
        trace::record(
            conn,
            ctx,
            Event {
                action: TraceAction::DocumentAttached,
                target_type: TargetType::Document,
                target_id: Some(id.uuid()),
                caf_id: Some(caf_id),
                partner_id: Some(partner_id),
                outcome: Outcome::Success,
                detail: json!({
                    "convention": conv.row.number,
                    "kind": checked.kind.code(),
                    "title": checked.title,
                    "size": checked.size,
                    "sha256": checked.sha256,
                }),
            },
        )?;
        Ok((load(conn, id.get())?, true))
    })
}

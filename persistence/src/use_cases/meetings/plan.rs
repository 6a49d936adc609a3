//! A party plans a meeting on the convention, or asks for one.

use chrono::NaiveDate;

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use mcp_domain::access::Function;
use mcp_domain::ids::{ConventionId, MeetingId};
use mcp_domain::meeting::{self, Kind};
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// Plans the yearly review meeting, or asks for a meeting (held within one month of the
/// request, which the other party receives by message now): the Caf's administrators or the
/// partner's.
pub fn plan(
    db: &Database,
    ctx: &Ctx,
    convention_id: ConventionId,
    kind: Kind,
    planned_on: NaiveDate,
) -> Result<MeetingRow> {
    let by = meeting::side_of(ctx.principal())?;
    db.write(|conn| {
        let conv =
            crate::store::conventions::load_for(conn, ctx, convention_id, Function::HoldMeetings)?;
        let planned = meeting::plan(kind, by, planned_on, ctx.today())?;
        let id: Id<MeetingId> = Id::new();
        let (caf_id, partner_id) = (conv.row.caf_id.get(), conv.row.partner_id.get());
        insert(
            conn,
            id,
            (conv.row.id, caf_id, partner_id),
            &planned,
            ctx.principal().account_id(),
            ctx.now,
        )?;
        let m = load(conn, id.get())?;
        if let Some(due) = planned.due_by {
            let name = partner_name(conn, ctx, &m)?;
            tell_other(conn, ctx, &m, by, &meeting::requested_message(&name, by, planned_on, due))?;
        }
        traced(
            conn,
            ctx,
            &m,
            TraceAction::MeetingPlanned,
            json!({ "kind": kind.code(), "planned_on": planned_on, "due_by": planned.due_by, "by": by }),
        )?;
        Ok(m)
    })
}

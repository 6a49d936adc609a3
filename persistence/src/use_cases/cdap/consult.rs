//! Consults a file through the caller's CDAP habilitation.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::beneficiary_files;
use diesel::prelude::*;
use mcp_domain::cdap::{apply_view, check_numero, restriction_allows};
use serde_json::json;

use super::*;

/// Consults a file through the caller's CDAP habilitation. Returns `None` for a file that does
/// not exist or lies outside the profile's restriction — the same 404 for both — after the
/// refusal was traced. A served consultation is traced in the transaction that reads it.
pub fn consult(db: &Database, ctx: &Ctx, req: &ConsultRequest) -> Result<Option<Consultation>> {
    let consultant = check_consultant(ctx)?;
    check_numero(&req.numero)?;
    db.write(|conn| {
        let g = grounds(
            conn,
            ctx,
            consultant,
            req.mission_id,
            req.profile_id,
            req.instructor_number.as_deref(),
        )?;
        let stored: Option<(String, String)> = beneficiary_files::table
            .filter(beneficiary_files::caf_id.eq(g.caf_id.to_string()))
            .filter(beneficiary_files::numero.eq(&req.numero))
            .select((beneficiary_files::id, beneficiary_files::document))
            .first(conn)
            .optional()?;
        let visible = stored
            .map(|(id, doc)| parse_stored(id, &doc))
            .transpose()?
            .filter(|(_, f)| restriction_allows(g.view.restriction, f, &g.consultant, ctx.today()));
        let asked = json!({ "numero": req.numero });
        let Some((file_id, file)) = visible else {
            trace_consultation(conn, ctx, &g, req.mission_id, asked, None)?;
            return Ok(None);
        };
        trace_consultation(conn, ctx, &g, req.mission_id, asked, Some(&file_id))?;
        record_use(conn, ctx, &g, req.mission_id, 1)?;
        Ok(Some(Consultation {
            numero: file.numero.clone(),
            profile_code: g.profile_code.clone(),
            habilitation_id: g.habilitation_id,
            file: apply_view(&file, &g.view, ctx.today()),
        }))
    })
}

//! Finds files by identity, for profiles whose bodies do not know the numéro allocataire (T14,
//! T20).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::beneficiary_files;
use diesel::prelude::*;
use mcp_domain::cdap::{apply_view, restriction_allows};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::json;

use super::*;

/// Finds files by identity, for profiles whose bodies do not know the numéro allocataire (T14,
/// T20): each file returned is traced as consulted; a search that finds nothing is traced too.
pub fn search(db: &Database, ctx: &Ctx, req: &SearchRequest) -> Result<Vec<Consultation>> {
    let consultant = check_consultant(ctx)?;
    let last_name = mcp_domain::text::required("last_name", &req.last_name, 200)?.to_uppercase();
    db.write(|conn| {
        let g = grounds(conn, ctx, consultant, req.mission_id, req.profile_id, None)?;
        if !g.view.identity_search {
            return Err(DomainError::Blocked {
                code: ErrorCode::IdentitySearchNotAllowed,
                message: mcp_domain::msg!(
                    "votre profil ne consulte les dossiers que par numéro allocataire",
                    "your profile consults files by numéro allocataire only"
                ),
            }
            .into());
        }
        let rows: Vec<(String, String)> = beneficiary_files::table
            .filter(beneficiary_files::caf_id.eq(g.caf_id.to_string()))
            .filter(beneficiary_files::last_name.eq(&last_name))
            .filter(beneficiary_files::birth_date.eq(req.birth_date))
            .order(beneficiary_files::numero.asc())
            .limit(100)
            .select((beneficiary_files::id, beneficiary_files::document))
            .load(conn)?;
        let first = req.first_name.as_deref().map(|f| f.trim().to_uppercase());
        let mut out = vec![];
        for (id, doc) in rows {
            let (id, file) = parse_stored(id, &doc)?;
            if first
                .as_deref()
                .is_some_and(|f| file.identity.first_name.to_uppercase() != f)
                || !restriction_allows(g.view.restriction, &file, &g.consultant, ctx.today())
            {
                continue;
            }
            trace_consultation(
                conn,
                ctx,
                &g,
                req.mission_id,
                json!({ "numero": file.numero, "by": "identity" }),
                Some(&id),
            )?;
            out.push(Consultation {
                numero: file.numero.clone(),
                profile_code: g.profile_code.clone(),
                habilitation_id: g.habilitation_id,
                file: apply_view(&file, &g.view, ctx.today()),
            });
            if out.len() == MAX_SEARCH_RESULTS {
                break;
            }
        }
        if !out.is_empty() {
            record_use(conn, ctx, &g, req.mission_id, out.len() as i64)?;
        } else {
            trace_consultation(
                conn,
                ctx,
                &g,
                req.mission_id,
                json!({ "last_name": last_name, "birth_date": req.birth_date, "by": "identity" }),
                None,
            )?;
        }
        Ok(out)
    })
}

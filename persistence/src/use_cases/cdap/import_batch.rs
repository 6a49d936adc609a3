//! Imports one batch of lines (`(number, text)`) in one transaction, traced.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::schema::beneficiary_files;
use crate::store::trace::{self, Event, Outcome};
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::cdap::BeneficiaryFile;
use mcp_domain::ids::CafId;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

use super::*;

/// Imports one batch of lines (`(number, text)`) in one transaction, traced; the caller streams
/// the body batch by batch.
pub fn import_batch(
    db: &Database,
    ctx: &Ctx,
    caf_id: CafId,
    lines: &[(usize, String)],
    report: &mut ImportReport,
) -> Result<()> {
    authorize(ctx.principal(), Function::ImportFiles, Reach::Caf(caf_id))?;
    let mut parsed: Vec<(usize, BeneficiaryFile, String, String)> = vec![];
    let mut batch = ImportReport::default();
    for (n, text) in lines {
        batch.lines += 1;
        match BeneficiaryFile::parse(text) {
            Ok(f) => {
                let canonical = serde_json::to_string(&f).expect("plain data");
                let hash = hex::encode(Sha256::digest(canonical.as_bytes()));
                parsed.push((*n, f, canonical, hash));
            }
            Err(e) => batch.reject(*n, e),
        }
    }
    let caf = caf_id.to_string();
    db.write(|conn| {
        let mut counts = (0usize, 0usize, 0usize);
        let numeros: Vec<&str> = parsed.iter().map(|p| p.1.numero.as_str()).collect();
        let mut known: HashMap<String, (String, String)> = beneficiary_files::table
            .filter(beneficiary_files::caf_id.eq(&caf))
            .filter(beneficiary_files::numero.eq_any(&numeros))
            .select((
                beneficiary_files::numero,
                beneficiary_files::id,
                beneficiary_files::content_hash,
            ))
            .load::<(String, String, String)>(conn)?
            .into_iter()
            .map(|(n, id, h)| (n, (id, h)))
            .collect();
        for (_, f, canonical, hash) in &parsed {
            match known.get(&f.numero) {
                Some((_, h)) if h == hash => counts.2 += 1,
                Some((id, _)) => {
                    diesel::update(beneficiary_files::table.find(id))
                        .set((
                            beneficiary_files::document.eq(canonical),
                            beneficiary_files::content_hash.eq(hash),
                            beneficiary_files::last_name.eq(f.identity.last_name.to_uppercase()),
                            beneficiary_files::birth_date.eq(f.identity.birth_date),
                            beneficiary_files::updated_at.eq(ctx.now),
                        ))
                        .execute(conn)?;
                    counts.1 += 1;
                    known.insert(f.numero.clone(), (id.clone(), hash.clone()));
                }
                None => {
                    let id = crate::new_id();
                    diesel::insert_into(beneficiary_files::table)
                        .values((
                            beneficiary_files::id.eq(&id),
                            beneficiary_files::caf_id.eq(&caf),
                            beneficiary_files::numero.eq(&f.numero),
                            beneficiary_files::document.eq(canonical),
                            beneficiary_files::content_hash.eq(hash),
                            beneficiary_files::last_name.eq(f.identity.last_name.to_uppercase()),
                            beneficiary_files::birth_date.eq(f.identity.birth_date),
                            beneficiary_files::imported_at.eq(ctx.now),
                            beneficiary_files::updated_at.eq(ctx.now),
                        ))
                        .execute(conn)?;
                    counts.0 += 1;
                    known.insert(f.numero.clone(), (id, hash.clone()));
                }
            }
        }
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: None,
                action: TraceAction::BeneficiaryFilesImported,
                target_type: TargetType::Caf,
                target_id: Some(caf_id.into()),
                caf_id: Some(caf_id),
                outcome: Outcome::Success,
                detail: json!({
                    "first_line": lines.first().map(|l| l.0), "last_line": lines.last().map(|l| l.0),
                    "inserted": counts.0, "updated": counts.1, "unchanged": counts.2, "rejected": batch.rejected,
                }),
            },
        )?;
        report.lines += batch.lines;
        report.inserted += counts.0;
        report.updated += counts.1;
        report.unchanged += counts.2;
        let beyond_detail = batch.rejected - batch.rejections.len();
        for r in batch.rejections.drain(..) {
            report.reject(r.line, r.reason);
        }
        report.rejected += beyond_detail;
        Ok(())
    })
}

//! CDAP: beneficiaries' files loaded by each Caf, and their consultation by partner staff
//! through the view of an active habilitation. Every consultation — served or refused — is traced
//! in the transaction that serves it: no trace, no data.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::cdap::{
    apply_view, check_numero, restriction_allows, BeneficiaryFile, Consultant, Restriction, View,
};
use mcp_domain::habilitation::HabilitationStatus;
use mcp_domain::DomainError;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::db::{Database, DbConnection};
use crate::error::{Error, Result};
use crate::schema::{
    beneficiary_files, group_members, habilitations, partners, profile_views, profiles, services,
};
use crate::trace::{self, Event, Outcome};

/// Lines longer than this are refused, not read.
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// How many rejected lines an import report details.
pub const MAX_REPORTED_REJECTIONS: usize = 100;

/// A rejected line of an import.
#[derive(Debug, Clone)]
pub struct Rejection {
    /// Its number, from 1.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Lines read (blank lines not counted).
    pub lines: usize,
    /// Files created.
    pub inserted: usize,
    /// Files changed.
    pub updated: usize,
    /// Files already as given: importing the same data twice changes nothing.
    pub unchanged: usize,
    /// Lines refused.
    pub rejected: usize,
    /// The first refused lines, with their reason.
    pub rejections: Vec<Rejection>,
}

impl ImportReport {
    /// Records a refused line.
    pub fn reject(&mut self, line: usize, reason: impl Into<String>) {
        self.rejected += 1;
        if self.rejections.len() < MAX_REPORTED_REJECTIONS {
            self.rejections.push(Rejection {
                line,
                reason: reason.into(),
            });
        }
    }
}

/// Checks that the caller may load files for this Caf (before the body is read).
pub fn authorize_import(db: &Database, ctx: &Ctx, caf_id: Uuid) -> Result<()> {
    authorize(ctx.principal(), Function::ImportFiles, Reach::Caf(caf_id))?;
    db.read(|conn| crate::cafs::load(conn, caf_id).map(|_| ()))
}

/// Imports one batch of lines (`(number, text)`) in one transaction, traced; the caller streams
/// the body batch by batch.
pub fn import_batch(
    db: &Database,
    ctx: &Ctx,
    caf_id: Uuid,
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
                            beneficiary_files::last_name.eq(&f.identity.last_name),
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
                            beneficiary_files::last_name.eq(&f.identity.last_name),
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
                action: "beneficiary_files.imported",
                target_type: "caf",
                target_id: Some(caf_id),
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

/// The lookup a consultation makes, alone: for the benchmark's comparison with the database's
/// own speed.
pub fn lookup_only(db: &Database, caf_id: Uuid, numero: &str) -> Result<Option<String>> {
    db.read(|conn| {
        Ok(beneficiary_files::table
            .filter(beneficiary_files::caf_id.eq(caf_id.to_string()))
            .filter(beneficiary_files::numero.eq(numero))
            .select(beneficiary_files::document)
            .first(conn)
            .optional()?)
    })
}

/// What the caller asks to consult.
#[derive(Debug, Clone)]
pub struct ConsultRequest {
    /// Numéro allocataire.
    pub numero: String,
    /// The convention mission the consultation serves.
    pub mission_id: Uuid,
    /// The profile to consult with, when the person holds several.
    pub profile_id: Option<Uuid>,
    /// The RSA instructor number (profile T4).
    pub instructor_number: Option<String>,
}

/// A file as a profile sees it.
#[derive(Debug, Clone)]
pub struct Consultation {
    /// Numéro allocataire.
    pub numero: String,
    /// The profile's code.
    pub profile_code: String,
    /// The habilitation used.
    pub habilitation_id: String,
    /// The file through the view.
    pub file: Value,
}

/// The active CDAP habilitations a person holds today (directly or through groups), with
/// their profile code.
fn cdap_habilitations(
    conn: &mut DbConnection,
    account_id: &str,
    today: NaiveDate,
) -> Result<Vec<(crate::habilitations::Habilitation, String)>> {
    let groups: Vec<String> = group_members::table
        .filter(group_members::account_id.eq(account_id))
        .select(group_members::group_id)
        .load(conn)?;
    let rows: Vec<(crate::habilitations::Habilitation, String)> = habilitations::table
        .inner_join(profiles::table.on(profiles::id.eq(habilitations::profile_id)))
        .inner_join(services::table.on(services::id.eq(profiles::service_id)))
        .filter(services::code.eq("CDAP"))
        .filter(habilitations::status.eq(HabilitationStatus::Active.code()))
        .filter(
            habilitations::holder_kind
                .eq("account")
                .and(habilitations::holder_id.eq(account_id))
                .or(habilitations::holder_kind
                    .eq("group")
                    .and(habilitations::holder_id.eq_any(&groups))),
        )
        .select((
            crate::habilitations::Habilitation::as_select(),
            profiles::code,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(h, _)| h.ends_on.is_none_or(|e| e >= today))
        .collect())
}

fn view_of(conn: &mut DbConnection, profile_id: &str) -> Result<View> {
    let (sections, months, benefits, restriction): (String, i32, String, Option<String>) =
        profile_views::table
            .find(profile_id)
            .select((
                profile_views::sections,
                profile_views::months,
                profile_views::benefits,
                profile_views::restriction,
            ))
            .first(conn)
            .optional()?
            .ok_or_else(|| Error::Corrupt(format!("profile {profile_id} has no view")))?;
    let list = |s: &str| -> Vec<String> {
        s.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect()
    };
    Ok(View {
        sections: list(&sections),
        months: months.max(1) as u32,
        benefits: list(&benefits),
        restriction: restriction
            .as_deref()
            .map(|r| Restriction::from_code(r).ok_or_else(|| Error::Corrupt(r.to_string())))
            .transpose()?,
    })
}

/// Consults a file through the caller's CDAP habilitation. Returns `None` for a file that does
/// not exist or lies outside the profile's restriction — the same 404 for both — after the
/// refusal was traced. A served consultation is traced in the transaction that reads it.
pub fn consult(db: &Database, ctx: &Ctx, req: &ConsultRequest) -> Result<Option<Consultation>> {
    let principal = ctx.principal();
    let (Some(caf_id), Some(partner_id)) = (principal.caf_id, principal.partner_id) else {
        return Err(DomainError::Forbidden.into());
    };
    authorize(
        principal,
        Function::ConsultFiles,
        Reach::Partner { caf_id, partner_id },
    )?;
    check_numero(&req.numero)?;
    db.write(|conn| {
        let today = ctx.today();
        let mut held = cdap_habilitations(conn, &principal.account_id.to_string(), today)?;
        if let Some(p) = req.profile_id {
            held.retain(|(h, _)| h.profile_id == p.to_string());
        }
        let (habilitation, profile_code) = match held.len() {
            0 => {
                return Err(DomainError::Blocked {
                    code: "not_habilitated",
                    message: "you hold no active CDAP habilitation (for this profile)".into(),
                }
                .into())
            }
            1 => held.pop().expect("one"),
            _ => {
                return Err(DomainError::field(
                    "profile_id",
                    "profile_required",
                    "you hold several CDAP profiles: say which one this consultation uses",
                )
                .into())
            }
        };
        let conv = crate::conventions::load_for_system(conn, &habilitation.convention_id)?;
        if !conv.life.access_open(today) {
            return Err(DomainError::Blocked {
                code: "convention_not_active",
                message: "your partner's convention does not open access today".into(),
            }
            .into());
        }
        if !conv
            .missions
            .iter()
            .any(|m| m.id == req.mission_id.to_string())
        {
            return Err(DomainError::field(
                "mission_id",
                "unknown_mission",
                "name one of the missions of your partner's convention",
            )
            .into());
        }
        let view = view_of(conn, &habilitation.profile_id)?;
        if view.restriction == Some(Restriction::InstructorNumber)
            && req
                .instructor_number
                .as_deref()
                .is_none_or(|n| n.trim().is_empty())
        {
            return Err(DomainError::field(
                "instructor_number",
                "instructor_number_required",
                "profile T4: give your RSA instructor number first",
            )
            .into());
        }
        let siret: String = partners::table
            .find(partner_id.to_string())
            .select(partners::siret)
            .first(conn)?;
        let stored: Option<(String, String)> = beneficiary_files::table
            .filter(beneficiary_files::caf_id.eq(caf_id.to_string()))
            .filter(beneficiary_files::numero.eq(&req.numero))
            .select((beneficiary_files::id, beneficiary_files::document))
            .first(conn)
            .optional()?;
        let file = stored
            .map(|(id, doc)| {
                serde_json::from_str::<BeneficiaryFile>(&doc)
                    .map(|f| (id, f))
                    .map_err(|e| Error::Corrupt(e.to_string()))
            })
            .transpose()?;
        let who = Consultant {
            siret,
            instructor_number: req.instructor_number.clone(),
        };
        let visible = file.filter(|(_, f)| restriction_allows(view.restriction, f, &who, today));
        let detail = |outcome: &str| {
            json!({
                "numero": req.numero, "profile": profile_code, "habilitation_id": habilitation.id,
                "mission_id": req.mission_id, "outcome": outcome,
            })
        };
        let Some((file_id, file)) = visible else {
            trace::record(
                conn,
                ctx,
                Event {
                    action: "cdap.file_consulted",
                    target_type: "beneficiary_file",
                    target_id: None,
                    caf_id: Some(caf_id),
                    outcome: Outcome::Denied,
                    detail: detail("not_found_or_outside_profile"),
                },
            )?;
            return Ok(None);
        };
        trace::record(
            conn,
            ctx,
            Event {
                action: "cdap.file_consulted",
                target_type: "beneficiary_file",
                target_id: Some(crate::uuid(&file_id)?),
                caf_id: Some(caf_id),
                outcome: Outcome::Success,
                detail: detail("served"),
            },
        )?;
        Ok(Some(Consultation {
            numero: file.numero.clone(),
            profile_code,
            habilitation_id: habilitation.id,
            file: apply_view(&file, &view, today),
        }))
    })
}

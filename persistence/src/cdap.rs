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
    beneficiary_files, consultation_counts, group_members, habilitations, partners, profile_views,
    profiles, services,
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
    let (sections, months, benefits, restriction, identity_search): (
        String,
        i32,
        String,
        Option<String>,
        bool,
    ) = profile_views::table
        .find(profile_id)
        .select((
            profile_views::sections,
            profile_views::months,
            profile_views::benefits,
            profile_views::restriction,
            profile_views::identity_search,
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
        identity_search,
    })
}

/// What a consultation rests on: the caller's habilitation, its view, and who they are.
struct Grounds {
    caf_id: Uuid,
    partner_id: Uuid,
    habilitation_id: String,
    profile_id: String,
    profile_code: String,
    view: View,
    consultant: Consultant,
}

/// Resolves the caller's active CDAP habilitation for `profile_id` (or their only one), checks
/// its convention opens access and the mission is one of its own.
fn grounds(
    conn: &mut DbConnection,
    ctx: &Ctx,
    (caf_id, partner_id): (Uuid, Uuid),
    mission_id: Uuid,
    profile_id: Option<Uuid>,
    instructor_number: Option<&str>,
) -> Result<Grounds> {
    let principal = ctx.principal();
    let today = ctx.today();
    let mut held = cdap_habilitations(conn, &principal.account_id.to_string(), today)?;
    if let Some(p) = profile_id {
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
    if !conv.missions.iter().any(|m| m.id == mission_id.to_string()) {
        return Err(DomainError::field(
            "mission_id",
            "unknown_mission",
            "name one of the missions of your partner's convention",
        )
        .into());
    }
    let view = view_of(conn, &habilitation.profile_id)?;
    if view.restriction == Some(Restriction::InstructorNumber)
        && instructor_number.is_none_or(|n| n.trim().is_empty())
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
    Ok(Grounds {
        caf_id,
        partner_id,
        habilitation_id: habilitation.id,
        profile_id: habilitation.profile_id,
        profile_code,
        view,
        consultant: Consultant {
            siret,
            instructor_number: instructor_number.map(String::from),
        },
    })
}

/// Traces one consultation: the file served (`Some`), or the refusal (`None`).
fn trace_consultation(
    conn: &mut DbConnection,
    ctx: &Ctx,
    g: &Grounds,
    mission_id: Uuid,
    asked: Value,
    served: Option<&str>,
) -> Result<()> {
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: None,
            action: "cdap.file_consulted",
            target_type: "beneficiary_file",
            target_id: served.map(crate::uuid).transpose()?,
            caf_id: Some(g.caf_id),
            outcome: if served.is_some() {
                Outcome::Success
            } else {
                Outcome::Denied
            },
            detail: json!({
                "asked": asked, "profile": g.profile_code, "habilitation_id": g.habilitation_id,
                "mission_id": mission_id,
                "outcome": if served.is_some() { "served" } else { "not_found_or_outside_profile" },
            }),
        },
    )
}

/// Records that `files` were served through the caller's habilitation, in the transaction that
/// serves them: the habilitation's last use, and the month's count for the partner's profile and
/// mission, which the annual review reads long after the traces are gone (C-art. 16).
fn record_use(
    conn: &mut DbConnection,
    ctx: &Ctx,
    g: &Grounds,
    mission_id: Uuid,
    files: i64,
) -> Result<()> {
    diesel::update(habilitations::table.find(&g.habilitation_id))
        .set(habilitations::last_used_at.eq(ctx.now))
        .execute(conn)?;
    let partner_id = g.partner_id.to_string();
    let mission_id = mission_id.to_string();
    let month = mcp_domain::review::month_key(ctx.today());
    // One statement, atomic on both engines under concurrent consultations; diesel's
    // MultiConnection has no ON CONFLICT, each engine's connection has.
    macro_rules! count_on {
        ($c:expr) => {
            diesel::insert_into(consultation_counts::table)
                .values((
                    consultation_counts::partner_id.eq(&partner_id),
                    consultation_counts::profile_id.eq(&g.profile_id),
                    consultation_counts::mission_id.eq(&mission_id),
                    consultation_counts::month.eq(&month),
                    consultation_counts::consultations.eq(files),
                ))
                .on_conflict((
                    consultation_counts::partner_id,
                    consultation_counts::profile_id,
                    consultation_counts::mission_id,
                    consultation_counts::month,
                ))
                .do_update()
                .set(
                    consultation_counts::consultations
                        .eq(consultation_counts::consultations + files),
                )
                .execute($c)
        };
    }
    match conn {
        DbConnection::Sqlite(c) => count_on!(c),
        DbConnection::Postgresql(c) => count_on!(c),
    }?;
    Ok(())
}

fn parse_stored(id: String, doc: &str) -> Result<(String, BeneficiaryFile)> {
    serde_json::from_str::<BeneficiaryFile>(doc)
        .map(|f| (id, f))
        .map_err(|e| Error::Corrupt(e.to_string()))
}

/// Checks that the caller may consult files at all; returns their Caf and partner.
fn check_consultant(ctx: &Ctx) -> Result<(Uuid, Uuid)> {
    let principal = ctx.principal();
    let (Some(caf_id), Some(partner_id)) = (principal.caf_id, principal.partner_id) else {
        return Err(DomainError::Forbidden.into());
    };
    authorize(
        principal,
        Function::ConsultFiles,
        Reach::Partner { caf_id, partner_id },
    )?;
    Ok((caf_id, partner_id))
}

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
            habilitation_id: g.habilitation_id.clone(),
            file: apply_view(&file, &g.view, ctx.today()),
        }))
    })
}

/// A search by identity.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// Family name (any case).
    pub last_name: String,
    /// Given name, to narrow (any case).
    pub first_name: Option<String>,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// The convention mission the search serves.
    pub mission_id: Uuid,
    /// The profile to search with, when the person holds several.
    pub profile_id: Option<Uuid>,
}

/// Most files a search returns.
pub const MAX_SEARCH_RESULTS: usize = 10;

/// Finds files by identity, for profiles whose bodies do not know the numéro allocataire (T14,
/// T20): each file returned is traced as consulted; a search that finds nothing is traced too.
pub fn search(db: &Database, ctx: &Ctx, req: &SearchRequest) -> Result<Vec<Consultation>> {
    let consultant = check_consultant(ctx)?;
    let last_name = mcp_domain::text::required("last_name", &req.last_name, 200)?.to_uppercase();
    db.write(|conn| {
        let g = grounds(conn, ctx, consultant, req.mission_id, req.profile_id, None)?;
        if !g.view.identity_search {
            return Err(DomainError::Blocked {
                code: "identity_search_not_allowed",
                message: "your profile consults files by numéro allocataire only".into(),
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
                habilitation_id: g.habilitation_id.clone(),
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

/// Every CDAP profile's view, by profile code, as the catalogue holds them.
pub fn views(db: &Database) -> Result<Vec<(String, View)>> {
    db.read(|conn| {
        let ids: Vec<(String, String)> = profiles::table
            .inner_join(services::table.on(services::id.eq(profiles::service_id)))
            .filter(services::code.eq("CDAP"))
            .order(profiles::position.asc())
            .select((profiles::code, profiles::id))
            .load(conn)?;
        ids.into_iter()
            .map(|(code, id)| Ok((code, view_of(conn, &id)?)))
            .collect()
    })
}

//! CDAP: beneficiaries' files loaded by each Caf, and their consultation by partner staff
//! through the view of an active habilitation. Every consultation — served or refused — is traced
//! in the transaction that serves it: no trace, no data.

use crate::id::Id;
use chrono::NaiveDate;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::cdap::{BeneficiaryFile, Consultant, Restriction, View};
use mcp_domain::habilitation::HabilitationStatus;
use mcp_domain::ids::{AccountId, CafId, GroupId, HabilitationId, MissionId, PartnerId, ProfileId};
use mcp_domain::vocabulary::{HolderKind, TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::{json, Value};

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::schema::{
    consultation_counts, group_members, habilitations, partners, profiles, services,
};
use crate::store::trace::{self, Event, Outcome};

/// Lines longer than this are refused, not read.
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// How many rejected lines an import report details.
pub const MAX_REPORTED_REJECTIONS: usize = 100;

/// A rejected line of an import.
#[derive(Debug, Clone)]
pub struct Rejection {
    /// Its number, from 1.
    pub line: usize,
    /// Why, in French and in English.
    pub reason: mcp_domain::Message,
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
    pub fn reject(&mut self, line: usize, reason: mcp_domain::Message) {
        self.rejected += 1;
        if self.rejections.len() < MAX_REPORTED_REJECTIONS {
            self.rejections.push(Rejection { line, reason });
        }
    }
}

/// What the caller asks to consult.
#[derive(Debug, Clone)]
pub struct ConsultRequest {
    /// Numéro allocataire.
    pub numero: String,
    /// The convention mission the consultation serves.
    pub mission_id: MissionId,
    /// The profile to consult with, when the person holds several.
    pub profile_id: Option<ProfileId>,
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
    pub habilitation_id: Id<HabilitationId>,
    /// The file through the view.
    pub file: Value,
}

/// The active CDAP habilitations a person holds today (directly or through groups), with
/// their profile code.
pub(crate) fn cdap_habilitations(
    conn: &mut DbConnection,
    account_id: Id<AccountId>,
    today: NaiveDate,
) -> Result<Vec<(crate::store::habilitations::Habilitation, String)>> {
    let groups: Vec<Id<GroupId>> = group_members::table
        .filter(group_members::account_id.eq(account_id))
        .select(group_members::group_id)
        .load(conn)?;
    let rows: Vec<(crate::store::habilitations::Habilitation, String)> = habilitations::table
        .inner_join(profiles::table.on(profiles::id.eq(habilitations::profile_id)))
        .inner_join(services::table.on(services::id.eq(profiles::service_id)))
        .filter(services::code.eq(mcp_domain::cdap::SERVICE_CODE))
        .filter(habilitations::status.eq(HabilitationStatus::Active.code()))
        .filter(
            habilitations::holder_kind
                .eq(HolderKind::Account.code())
                .and(habilitations::holder_id.eq(account_id))
                .or(habilitations::holder_kind
                    .eq(HolderKind::Group.code())
                    .and(habilitations::holder_id.eq_any(&groups))),
        )
        .select((
            crate::store::habilitations::Habilitation::as_select(),
            profiles::code,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(h, _)| h.ends_on.is_none_or(|e| e >= today))
        .collect())
}

/// What a consultation rests on: the caller's habilitation, its view, and who they are.
pub(crate) struct Grounds {
    pub(crate) caf_id: CafId,
    pub(crate) partner_id: PartnerId,
    pub(crate) habilitation_id: Id<HabilitationId>,
    pub(crate) profile_id: Id<ProfileId>,
    pub(crate) profile_code: String,
    pub(crate) view: View,
    pub(crate) consultant: Consultant,
}

/// Resolves the caller's active CDAP habilitation for `profile_id` (or their only one), checks
/// its convention opens access and the mission is one of its own.
pub(crate) fn grounds(
    conn: &mut DbConnection,
    ctx: &Ctx,
    (caf_id, partner_id): (CafId, PartnerId),
    mission_id: MissionId,
    profile_id: Option<ProfileId>,
    instructor_number: Option<&str>,
) -> Result<Grounds> {
    let principal = ctx.principal();
    let today = ctx.today();
    let mut held = cdap_habilitations(conn, Id(principal.account_id), today)?;
    // Direct habilitations first: of two equal ones, the consultation names the person's own.
    held.sort_by_key(|(h, _)| (h.holder_kind != HolderKind::Account.code(), h.id));
    let candidates = held
        .iter()
        .map(|(h, _)| {
            Ok(mcp_domain::cdap::Held {
                habilitation: h.id.get(),
                profile: h.profile_id.get(),
                mission: h.mission_id.get(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let chosen = mcp_domain::cdap::choose_habilitation(&candidates, profile_id, mission_id)?;
    let index = candidates
        .iter()
        .position(|c| c == chosen)
        .expect("chosen among them");
    let (habilitation, profile_code) = held.swap_remove(index);
    let conv = crate::store::conventions::load_for_system(conn, habilitation.convention_id)?;
    if !conv.life.access_open(today) {
        return Err(DomainError::Blocked {
            code: ErrorCode::ConventionNotActive,
            message: mcp_domain::msg!(
                "la convention de votre organisme n'ouvre pas l'accès aujourd'hui",
                "your partner's convention does not open access today"
            ),
        }
        .into());
    }
    if !conv.missions.iter().any(|m| m.id == mission_id) {
        // The habilitation's mission was withdrawn from the convention by amendment.
        return Err(DomainError::field(
            "mission_id",
            "unknown_mission",
            mcp_domain::msg!(
                "cette mission ne figure plus dans la convention de votre organisme",
                "this mission is no longer one of your partner's convention"
            ),
        )
        .into());
    }
    let view = crate::store::catalogue::view_of(conn, habilitation.profile_id)?;
    if view.restriction == Some(Restriction::InstructorNumber)
        && instructor_number.is_none_or(|n| n.trim().is_empty())
    {
        return Err(DomainError::field(
            "instructor_number",
            "instructor_number_required",
            mcp_domain::msg!(
                "profil T4 : indiquez d'abord votre numéro d'instructeur RSA",
                "profile T4: give your RSA instructor number first"
            ),
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
pub(crate) fn trace_consultation(
    conn: &mut DbConnection,
    ctx: &Ctx,
    g: &Grounds,
    mission_id: MissionId,
    asked: Value,
    served: Option<&str>,
) -> Result<()> {
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: None,
            action: TraceAction::CdapFileConsulted,
            target_type: TargetType::BeneficiaryFile,
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
pub(crate) fn record_use(
    conn: &mut DbConnection,
    ctx: &Ctx,
    g: &Grounds,
    mission_id: MissionId,
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

pub(crate) fn parse_stored(id: String, doc: &str) -> Result<(String, BeneficiaryFile)> {
    serde_json::from_str::<BeneficiaryFile>(doc)
        .map(|f| (id, f))
        .map_err(|e| Error::Corrupt(e.to_string()))
}

/// Checks that the caller may consult files at all; returns their Caf and partner.
pub(crate) fn check_consultant(ctx: &Ctx) -> Result<(CafId, PartnerId)> {
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
    pub mission_id: MissionId,
    /// The profile to search with, when the person holds several.
    pub profile_id: Option<ProfileId>,
}

/// Most files a search returns.
pub const MAX_SEARCH_RESULTS: usize = 10;

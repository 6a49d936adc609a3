//! Security incidents a partner reports to the Caf (C-art. 9.2, S-art. 5.1).

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use mcp_persistence::use_cases::incidents::{self, IncidentRow, Reported};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// What happened.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncidentNature {
    /// Identifiers and passwords disclosed, guessed or stolen.
    CompromisedCredentials,
    /// A computer or telephone lost or stolen.
    LostOrStolenDevice,
    /// Malicious software on a workstation.
    Malware,
    /// Someone reached the service who should not have.
    UnauthorisedAccess,
    /// Data read from the service disclosed outside the partner.
    DataDisclosure,
    /// Anything else.
    Other,
}

/// A report, as the partner's administrators file it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "nature": "lost_or_stolen_device",
    "description": "Ordinateur portable d'une travailleuse sociale volé dans un véhicule ; la session de Mon Compte Partenaire était peut-être ouverte.",
    "detected_at": "2026-12-03T08:40:00Z",
    "accounts_concerned": ["0193a5e1-4d2c-7b3a-9e8f-1a2b3c4d5e6f"]
}))]
pub struct IncidentWrite {
    /// What happened.
    pub nature: IncidentNature,
    /// What the partner knows of it.
    #[schema(min_length = 1, max_length = 4000)]
    pub description: String,
    /// When it was detected.
    pub detected_at: DateTime<Utc>,
    /// The partner's accounts whose access may be endangered (up to 200).
    #[serde(default)]
    #[schema(max_items = 200)]
    pub accounts_concerned: Vec<Uuid>,
}

/// A measure one side recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureDto {
    /// When.
    pub at: DateTime<Utc>,
    /// `partner` or `caf`.
    #[schema(example = "caf")]
    pub side: String,
    /// What was done.
    pub text: String,
}

/// A security incident.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentDto {
    /// Opaque id.
    pub id: Uuid,
    /// The partner that reported it.
    pub partner_id: Uuid,
    /// What happened.
    pub nature: IncidentNature,
    /// What the partner knows of it.
    pub description: String,
    /// When it was detected.
    pub detected_at: DateTime<Utc>,
    /// The accounts concerned.
    pub accounts_concerned: Vec<Uuid>,
    /// When it was reported.
    pub reported_at: DateTime<Utc>,
    /// The measures both sides recorded, oldest first.
    pub measures: Vec<MeasureDto>,
    /// `open`, or `closed` by the Caf.
    #[schema(example = "open")]
    pub status: String,
    /// When the Caf closed it.
    pub closed_at: Option<DateTime<Utc>>,
    /// What the Caf wrote when closing it.
    pub closure_summary: Option<String>,
}

super::page_of!(
    /// The incidents a partner reported, on one page.
    IncidentPage,
    IncidentDto
);

fn nature_dto(n: mcp_domain::incident::Nature) -> IncidentNature {
    use mcp_domain::incident::Nature::*;
    match n {
        CompromisedCredentials => IncidentNature::CompromisedCredentials,
        LostOrStolenDevice => IncidentNature::LostOrStolenDevice,
        Malware => IncidentNature::Malware,
        UnauthorisedAccess => IncidentNature::UnauthorisedAccess,
        DataDisclosure => IncidentNature::DataDisclosure,
        Other => IncidentNature::Other,
    }
}

fn nature_code(n: IncidentNature) -> &'static str {
    use mcp_domain::incident::Nature;
    match n {
        IncidentNature::CompromisedCredentials => Nature::CompromisedCredentials,
        IncidentNature::LostOrStolenDevice => Nature::LostOrStolenDevice,
        IncidentNature::Malware => Nature::Malware,
        IncidentNature::UnauthorisedAccess => Nature::UnauthorisedAccess,
        IncidentNature::DataDisclosure => Nature::DataDisclosure,
        IncidentNature::Other => Nature::Other,
    }
    .code()
}

impl TryFrom<IncidentRow> for IncidentDto {
    type Error = ApiError;
    fn try_from(n: IncidentRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: n.id.uuid(),
            partner_id: n.partner_id.uuid(),
            nature: nature_dto(n.nature()?),
            accounts_concerned: n.accounts()?.into_iter().map(|a| a.uuid()).collect(),
            measures: n
                .measures()?
                .into_iter()
                .map(|m| MeasureDto {
                    at: utc(m.at),
                    side: m.side.code().into(),
                    text: m.text,
                })
                .collect(),
            status: if n.closed_at.is_some() {
                "closed"
            } else {
                "open"
            }
            .into(),
            description: n.description,
            detected_at: utc(n.detected_at),
            reported_at: utc(n.reported_at),
            closed_at: n.closed_at.map(utc),
            closure_summary: n.closure_summary,
        })
    }
}

/// A measure, as a side records it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "text": "Mot de passe de la session Windows changé, poste déclaré volé à la gendarmerie." }))]
pub struct MeasureWrite {
    /// What was done.
    #[schema(min_length = 1, max_length = 4000)]
    pub text: String,
}

/// The accounts the Caf suspends from an incident.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "account_ids": [] }))]
pub struct IncidentSuspension {
    /// The partner's accounts to suspend; the incident's accounts concerned when empty.
    #[serde(default)]
    pub account_ids: Vec<Uuid>,
}

/// What the Caf writes when closing an incident.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "summary": "Aucune consultation depuis le poste volé ; accès rétablis après changement des mots de passe." }))]
pub struct IncidentClosure {
    /// What was found and done.
    #[schema(min_length = 1, max_length = 4000)]
    pub summary: String,
}

/// Reports, without delay, a security incident in the partner's perimeter that may endanger
/// the data its users reach (C-art. 9.2; the partner's administrators). The Caf's security
/// officers named in the contract and its administrators are told at once.
#[utoipa::path(
    tag = "partners",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = IncidentWrite,
    responses((status = 201, description = "Reported, the Caf told", body = IncidentDto, headers(("Location" = String, description = "Where the new object is read")))),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/security-incidents")]
pub async fn report_security_incident(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<IncidentWrite>,
) -> Result<HttpResponse, ApiError> {
    let partner = path.into_inner();
    let b = body.into_inner();
    let accounts: Vec<mcp_domain::ids::AccountId> =
        b.accounts_concerned.into_iter().map(Into::into).collect();
    let row = run(&state, &auth, move |db, ctx| {
        incidents::report(
            db,
            ctx,
            partner.into(),
            Reported {
                nature: nature_code(b.nature),
                description: &b.description,
                detected_at: b.detected_at.naive_utc(),
                accounts: &accounts,
            },
        )
    })
    .await?;
    let dto = IncidentDto::try_from(row)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/security-incidents/{}", dto.id)))
        .json(dto))
}

/// The security incidents a partner reported, oldest first.
#[utoipa::path(
    tag = "partners",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    responses((status = 200, description = "The incidents", body = IncidentPage)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/security-incidents")]
pub async fn list_security_incidents(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let partner = path.into_inner();
    let rows = run(&state, &auth, move |db, ctx| {
        incidents::list_for_partner(db, ctx, partner.into())
    })
    .await?;
    let items = rows
        .into_iter()
        .map(IncidentDto::try_from)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(IncidentPage::whole(items)))
}

/// One security incident, with the measures both sides recorded.
#[utoipa::path(
    tag = "partners",
    params(("incident_id" = Uuid, Path, description = "The incident")),
    responses((status = 200, description = "The incident", body = IncidentDto)),
    security(("bearer" = [])),
)]
#[get("/security-incidents/{incident_id}")]
pub async fn get_security_incident(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let row = run(&state, &auth, move |db, ctx| {
        incidents::get(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(IncidentDto::try_from(row)?))
}

/// Records a measure taken on an incident not closed: the partner's administrators for the
/// partner, the Caf's for the Caf; the other side is told.
#[utoipa::path(
    tag = "partners",
    params(("incident_id" = Uuid, Path, description = "The incident")),
    request_body = MeasureWrite,
    responses((status = 200, description = "Recorded, the other side told", body = IncidentDto)),
    security(("bearer" = [])),
)]
#[post("/security-incidents/{incident_id}/measures")]
pub async fn record_incident_measure(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<MeasureWrite>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let text = body.into_inner().text;
    let row = run(&state, &auth, move |db, ctx| {
        incidents::record_measure(db, ctx, id.into(), &text)
    })
    .await?;
    Ok(HttpResponse::Ok().json(IncidentDto::try_from(row)?))
}

/// Suspends accesses as a precaution from an incident not closed (the Caf's administrators):
/// the accounts given, or the incident's accounts concerned. Each suspension ends the account's
/// sessions; the suspension is recorded as a measure and the partner told. The accounts are
/// reinstated one by one (`POST /accounts/{id}/reinstatement`).
#[utoipa::path(
    tag = "partners",
    params(("incident_id" = Uuid, Path, description = "The incident")),
    request_body = IncidentSuspension,
    responses((status = 200, description = "Suspended, the partner told", body = IncidentDto)),
    security(("bearer" = [])),
)]
#[post("/security-incidents/{incident_id}/suspensions")]
pub async fn suspend_incident_accesses(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<IncidentSuspension>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let accounts: Vec<mcp_domain::ids::AccountId> = body
        .into_inner()
        .account_ids
        .into_iter()
        .map(Into::into)
        .collect();
    let row = run(&state, &auth, move |db, ctx| {
        incidents::suspend_accesses(db, ctx, id.into(), &accounts)
    })
    .await?;
    Ok(HttpResponse::Ok().json(IncidentDto::try_from(row)?))
}

/// Closes an incident with what was found and done (the Caf's administrators); the partner is
/// told, and nothing is added to it afterwards.
#[utoipa::path(
    tag = "partners",
    params(("incident_id" = Uuid, Path, description = "The incident")),
    request_body = IncidentClosure,
    responses((status = 200, description = "Closed, the partner told", body = IncidentDto)),
    security(("bearer" = [])),
)]
#[post("/security-incidents/{incident_id}/closure")]
pub async fn close_security_incident(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<IncidentClosure>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let summary = body.into_inner().summary;
    let row = run(&state, &auth, move |db, ctx| {
        incidents::close(db, ctx, id.into(), &summary)
    })
    .await?;
    Ok(HttpResponse::Ok().json(IncidentDto::try_from(row)?))
}

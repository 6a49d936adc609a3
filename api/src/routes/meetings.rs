//! Meetings on a convention (C-art. 16): the yearly review held as a meeting, meetings asked for
//! by one party, minutes drafted in turn and validated by both.

use actix_web::{get, post, put, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use mcp_domain::meeting::{Attendee, Kind, Represents};
use mcp_persistence::use_cases::meetings::{self, HeldInput, MeetingRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// Why a meeting is held.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// The yearly review (bilan annuel).
    Annual,
    /// Asked for by one party: held within one month of the request.
    OnRequest,
}

/// Whom an attendee represents.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttendeeFor {
    /// The Caf.
    Caf,
    /// The partner.
    Partner,
    /// The Cnaf, controller of the processing.
    Cnaf,
}

/// Someone who attended.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendeeDto {
    /// Their name.
    #[schema(example = "Anne Martin", min_length = 1, max_length = 200)]
    pub name: String,
    /// Their function.
    #[schema(
        example = "Administratrice des habilitations",
        min_length = 1,
        max_length = 200
    )]
    pub function_title: String,
    /// Whom they represent.
    pub represents: AttendeeFor,
}

impl From<AttendeeDto> for Attendee {
    fn from(a: AttendeeDto) -> Self {
        Self {
            name: a.name,
            function_title: a.function_title,
            represents: match a.represents {
                AttendeeFor::Caf => Represents::Caf,
                AttendeeFor::Partner => Represents::Partner,
                AttendeeFor::Cnaf => Represents::Cnaf,
            },
        }
    }
}

impl From<Attendee> for AttendeeDto {
    fn from(a: Attendee) -> Self {
        Self {
            name: a.name,
            function_title: a.function_title,
            represents: match a.represents {
                Represents::Caf => AttendeeFor::Caf,
                Represents::Partner => AttendeeFor::Partner,
                Represents::Cnaf => AttendeeFor::Cnaf,
            },
        }
    }
}

/// A meeting on a convention.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingDto {
    /// Opaque id.
    pub id: Uuid,
    /// The convention.
    pub convention_id: Uuid,
    /// The partner.
    pub partner_id: Uuid,
    /// Why it is held.
    pub kind: MeetingKind,
    /// For a meeting asked for: the party that asked (`caf` or `partner`).
    pub requested_by: Option<String>,
    /// The day the request was received.
    pub requested_on: Option<NaiveDate>,
    /// The day a meeting asked for must be held by (one month after the request).
    pub due_by: Option<NaiveDate>,
    /// The day it is planned for.
    pub planned_on: NaiveDate,
    /// The day it was held.
    pub held_on: Option<NaiveDate>,
    /// Held after the month a request allowed.
    pub held_late: bool,
    /// Who attended.
    pub attendees: Vec<AttendeeDto>,
    /// Whether the Cnaf attended.
    pub cnaf_attended: bool,
    /// The party that drafts the minutes, each in turn (`caf` or `partner`).
    pub drafter: Option<String>,
    /// The minutes.
    pub minutes: Option<String>,
    /// The day both parties must have validated the minutes by (30 days after the meeting).
    pub minutes_due_by: Option<NaiveDate>,
    /// When the Caf validated them.
    pub validated_by_caf_at: Option<DateTime<Utc>>,
    /// When the partner validated them.
    pub validated_by_partner_at: Option<DateTime<Utc>>,
    /// The validation is late: after the 30 days, or not done by then.
    pub minutes_late: bool,
}

impl TryFrom<MeetingRow> for MeetingDto {
    type Error = ApiError;
    fn try_from(m: MeetingRow) -> Result<Self, ApiError> {
        let today = crate::auth::now().date();
        Ok(Self {
            id: m.id.uuid(),
            convention_id: m.convention_id.uuid(),
            partner_id: m.partner_id.uuid(),
            kind: match m.kind()? {
                Kind::Annual => MeetingKind::Annual,
                Kind::OnRequest => MeetingKind::OnRequest,
            },
            attendees: m.attendees()?.into_iter().map(Into::into).collect(),
            drafter: m.drafter()?.map(|p| p.code().to_string()),
            minutes_late: m.held_on.is_some()
                && mcp_domain::meeting::minutes_late(
                    m.minutes_due_by,
                    m.validated_at().map(|t| t.date()),
                    today,
                ),
            requested_by: m.requested_by,
            requested_on: m.requested_on,
            due_by: m.due_by,
            planned_on: m.planned_on,
            held_on: m.held_on,
            held_late: m.held_late,
            cnaf_attended: m.cnaf_attended,
            minutes: m.minutes,
            minutes_due_by: m.minutes_due_by,
            validated_by_caf_at: m.validated_by_caf_at.map(utc),
            validated_by_partner_at: m.validated_by_partner_at.map(utc),
        })
    }
}

super::page_of!(
    /// The meetings on a convention, on one page.
    MeetingPage,
    MeetingDto
);

/// A meeting planned or asked for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "kind": "on_request", "planned_on": "2026-12-17" }))]
pub struct MeetingWrite {
    /// The yearly review, or a meeting the caller's party asks for (held within one month).
    pub kind: MeetingKind,
    /// The day it is planned for: today or later, within one month for a meeting asked for.
    pub planned_on: NaiveDate,
}

/// A meeting held.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "held_on": "2026-12-17",
    "attendees": [
        {"name": "Anne Martin", "function_title": "Administratrice des habilitations", "represents": "caf"},
        {"name": "Claire Dupont", "function_title": "Gestionnaire principale des habilitations", "represents": "partner"},
        {"name": "Léa Roux", "function_title": "Déléguée à la protection des données", "represents": "cnaf"}
    ]
}))]
pub struct MeetingHeld {
    /// The day (not in the future).
    pub held_on: NaiveDate,
    /// Who attended: the Caf and the partner at least, up to 50 people.
    #[schema(min_items = 2, max_items = 50)]
    pub attendees: Vec<AttendeeDto>,
}

/// The minutes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "text": "Bilan 2026 : 12 habilitations actives pour un quota de 15 ; deux comptes inutilisés seront supprimés par le partenaire avant le 31 janvier." }))]
pub struct MinutesWrite {
    /// The text.
    #[schema(min_length = 1, max_length = 20000)]
    pub text: String,
}

/// Plans the yearly review meeting, or asks for a meeting (C-art. 16: held within one month of
/// the request, which the other party's administrators receive by message at once). The Caf's
/// administrators or the partner's, for their party.
#[utoipa::path(
    tag = "annual review",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    request_body = MeetingWrite,
    responses((status = 201, description = "Planned", body = MeetingDto, headers(("Location" = String, description = "Where the new object is read")))),
    security(("bearer" = [])),
)]
#[post("/conventions/{convention_id}/meetings")]
pub async fn plan_meeting(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<MeetingWrite>,
) -> Result<HttpResponse, ApiError> {
    let convention = path.into_inner();
    let b = body.into_inner();
    let kind = match b.kind {
        MeetingKind::Annual => Kind::Annual,
        MeetingKind::OnRequest => Kind::OnRequest,
    };
    let row = run(&state, &auth, move |db, ctx| {
        meetings::plan(db, ctx, convention.into(), kind, b.planned_on)
    })
    .await?;
    let dto = MeetingDto::try_from(row)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/meetings/{}", dto.id)))
        .json(dto))
}

/// The meetings on a convention, oldest first.
#[utoipa::path(
    tag = "annual review",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    responses((status = 200, description = "The meetings", body = MeetingPage)),
    security(("bearer" = [])),
)]
#[get("/conventions/{convention_id}/meetings")]
pub async fn list_meetings(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let convention = path.into_inner();
    let rows = run(&state, &auth, move |db, ctx| {
        meetings::list_for_convention(db, ctx, convention.into())
    })
    .await?;
    let items = rows
        .into_iter()
        .map(MeetingDto::try_from)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(MeetingPage::whole(items)))
}

/// One meeting.
#[utoipa::path(
    tag = "annual review",
    params(("meeting_id" = Uuid, Path, description = "The meeting")),
    responses((status = 200, description = "The meeting", body = MeetingDto)),
    security(("bearer" = [])),
)]
#[get("/meetings/{meeting_id}")]
pub async fn get_meeting(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let row = run(&state, &auth, move |db, ctx| {
        meetings::get(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(MeetingDto::try_from(row)?))
}

/// Records, once, that the meeting was held and who attended (both parties; the Cnaf if it
/// was represented). The party that did not draft the last minutes drafts these; both have 30
/// days to validate them.
#[utoipa::path(
    tag = "annual review",
    params(("meeting_id" = Uuid, Path, description = "The meeting")),
    request_body = MeetingHeld,
    responses((status = 200, description = "Recorded", body = MeetingDto)),
    security(("bearer" = [])),
)]
#[post("/meetings/{meeting_id}/holding")]
pub async fn record_meeting_held(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<MeetingHeld>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let b = body.into_inner();
    let input = HeldInput {
        held_on: b.held_on,
        attendees: b.attendees.into_iter().map(Into::into).collect(),
    };
    let row = run(&state, &auth, move |db, ctx| {
        meetings::hold(db, ctx, id.into(), &input)
    })
    .await?;
    Ok(HttpResponse::Ok().json(MeetingDto::try_from(row)?))
}

/// Writes the minutes (the drafting party's administrators), until either party validated
/// them; the other party is asked to validate.
#[utoipa::path(
    tag = "annual review",
    params(("meeting_id" = Uuid, Path, description = "The meeting")),
    request_body = MinutesWrite,
    responses((status = 200, description = "Written, the other party asked to validate", body = MeetingDto)),
    security(("bearer" = [])),
)]
#[put("/meetings/{meeting_id}/minutes")]
pub async fn write_meeting_minutes(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<MinutesWrite>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let text = body.into_inner().text;
    let row = run(&state, &auth, move |db, ctx| {
        meetings::write_minutes(db, ctx, id.into(), &text)
    })
    .await?;
    Ok(HttpResponse::Ok().json(MeetingDto::try_from(row)?))
}

/// Validates the minutes for the caller's party, once (a validation after the 30 days is
/// recorded and shown late).
#[utoipa::path(
    tag = "annual review",
    params(("meeting_id" = Uuid, Path, description = "The meeting")),
    responses((status = 200, description = "Validated", body = MeetingDto)),
    security(("bearer" = [])),
)]
#[post("/meetings/{meeting_id}/minutes/validation")]
pub async fn validate_meeting_minutes(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let row = run(&state, &auth, move |db, ctx| {
        meetings::validate_minutes(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(MeetingDto::try_from(row)?))
}

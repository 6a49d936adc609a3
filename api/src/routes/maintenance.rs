//! Planned stops (S-art. 3.1, 4): declared by the Cnaf (national maintenance) and by each Caf
//! (its own operations), listed publicly.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use mcp_domain::maintenance::{StopInput, StopScope};
use mcp_persistence::use_cases::stops::{self, Listed};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// The Caf whose operations stop.
#[derive(Debug, Serialize, ToSchema)]
pub struct StopCafDto {
    /// Three-digit number.
    #[schema(example = "911")]
    pub code: String,
    /// Name.
    #[schema(example = "Caf de l'Essonne")]
    pub name: String,
}

/// A planned stop.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlannedStopDto {
    /// Opaque id.
    pub id: Uuid,
    /// `national`: maintenance of the whole service by the Cnaf (the API answers 503
    /// `maintenance` during it); `caf`: operations of one Caf, concerning its partners.
    #[schema(example = "national")]
    pub scope: String,
    /// The Caf, for a Caf's stop.
    pub caf: Option<StopCafDto>,
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// End (UTC).
    pub ends_at: DateTime<Utc>,
    /// The services stopped, by catalogue code; empty when the whole service stops.
    #[schema(example = json!(["CDAP"]))]
    pub services: Vec<String>,
    /// What it is for and what users will notice.
    #[schema(example = "Mise à jour des serveurs d'hébergement")]
    pub description: String,
    /// `upcoming`, `current`, `ended` or `cancelled`.
    #[schema(example = "upcoming")]
    pub phase: String,
    /// Why it was cancelled, if it was.
    pub cancellation_reason: Option<String>,
}

super::page_of!(
    /// The stops to come and under way, on one page.
    PlannedStopPage,
    PlannedStopDto
);

impl PlannedStopDto {
    fn of(row: &stops::StopRow, caf: Option<(String, String)>) -> Result<Self, ApiError> {
        let now = crate::auth::now();
        Ok(Self {
            id: row.id.uuid(),
            scope: match row.scope() {
                StopScope::National => "national",
                StopScope::Caf(_) => "caf",
            }
            .into(),
            caf: caf.map(|(code, name)| StopCafDto { code, name }),
            starts_at: utc(row.starts_at),
            ends_at: utc(row.ends_at),
            services: row.services().map_err(ApiError::from)?,
            description: row.description.clone(),
            phase: row.phase(now).code().into(),
            cancellation_reason: row.cancellation_reason.clone(),
        })
    }
}

/// A stop as the Cnaf or a Caf declares it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "starts_at": "2026-12-12T21:00:00Z",
    "ends_at": "2026-12-13T01:00:00Z",
    "services": [],
    "description": "Mise à jour des serveurs d'hébergement : le service ne répond pas pendant l'opération."
}))]
pub struct StopWrite {
    /// Start, later than now (partners are told ahead).
    pub starts_at: DateTime<Utc>,
    /// End: after the start, at most 72 hours later.
    pub ends_at: DateTime<Utc>,
    /// The services stopped, by catalogue code, each once; empty (the default) for the whole
    /// service.
    #[serde(default)]
    pub services: Vec<String>,
    /// What it is for and what users will notice, in French.
    #[schema(min_length = 1, max_length = 1000)]
    pub description: String,
}

/// Why a stop is cancelled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "reason": "Opération reportée par l'hébergeur" }))]
pub struct StopCancellation {
    /// The reason, told to the partners.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// The planned stops to come and under way — national maintenance and each Caf's operations —
/// by start. Public: partners and their software plan around them, and it answers during a
/// national stop too.
#[utoipa::path(
    tag = "maintenance",
    responses((status = 200, description = "The stops to come and under way", body = PlannedStopPage)),
)]
#[get("/maintenance")]
pub async fn list_planned_stops(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    let now = crate::auth::now();
    let listed = super::blocking(move || stops::to_come(&db, now)).await?;
    let items = listed
        .into_iter()
        .map(|Listed { row, caf }| PlannedStopDto::of(&row, caf))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(PlannedStopPage::whole(items)))
}

/// Declares a planned stop: national maintenance (Cnaf operators; the whole API answers 503
/// `maintenance` during it, but for this list and `/health`) or the Caf's own operations (its
/// administrators). Every partner concerned — subscribed to a service stopped, when the stop
/// names some — is told at once by message: the "responsable services" of its contract and its
/// administrators, times given in Paris time.
#[utoipa::path(
    tag = "maintenance",
    request_body = StopWrite,
    responses((status = 201, description = "Declared, partners told", body = PlannedStopDto, headers(("Location" = String, description = "Where the new object is read")))),
    security(("bearer" = [])),
)]
#[post("/maintenance")]
pub async fn declare_planned_stop(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: web::Json<StopWrite>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let input = StopInput {
        starts_at: b.starts_at.naive_utc(),
        ends_at: b.ends_at.naive_utc(),
        services: b.services,
        description: b.description,
    };
    let row = run(&state, &auth, move |db, ctx| {
        stops::declare(db, ctx, &input)
    })
    .await?;
    state.maintenance.reload(&state.db).await;
    Ok(HttpResponse::Created()
        .insert_header(("Location", "/api/v1/maintenance"))
        .json(PlannedStopDto::of(&row.row, row.caf)?))
}

/// Cancels a stop not ended yet, with the reason, which the partners told of it are told in
/// turn: national maintenance by the Cnaf, a Caf's stop by that Caf's administrators.
#[utoipa::path(
    tag = "maintenance",
    params(("stop_id" = Uuid, Path, description = "The stop")),
    request_body = StopCancellation,
    responses((status = 200, description = "Cancelled, partners told", body = PlannedStopDto)),
    security(("bearer" = [])),
)]
#[post("/maintenance/{stop_id}/cancellation")]
pub async fn cancel_planned_stop(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<StopCancellation>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    let row = run(&state, &auth, move |db, ctx| {
        stops::cancel(db, ctx, id.into(), &reason)
    })
    .await?;
    state.maintenance.reload(&state.db).await;
    Ok(HttpResponse::Ok().json(PlannedStopDto::of(&row.row, row.caf)?))
}

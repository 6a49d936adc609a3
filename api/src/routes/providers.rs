//! Notices of the service providers a partner means to use (C-art. 14).

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use mcp_domain::provider::Provider;
use mcp_persistence::use_cases::providers::{self, NoticeRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// A service provider, with the five items C-art. 14 asks.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderDto {
    /// Its name (raison sociale).
    #[schema(
        example = "Infogérance Bourgogne SAS",
        min_length = 1,
        max_length = 200
    )]
    pub name: String,
    /// Where it works from.
    #[schema(example = "Dijon, France", min_length = 1, max_length = 200)]
    pub location: String,
    /// That country, ISO 3166-1 alpha-2.
    #[schema(example = "FR", min_length = 2, max_length = 2)]
    pub country: String,
    /// Where the databases it uses are hosted.
    #[schema(example = "Roubaix, France", min_length = 1, max_length = 200)]
    pub database_location: String,
    /// That country, ISO 3166-1 alpha-2.
    #[schema(example = "FR", min_length = 2, max_length = 2)]
    pub database_country: String,
    /// The legal regime its tools fall under.
    #[schema(
        example = "Droit français ; hébergeur certifié HDS",
        min_length = 1,
        max_length = 1000
    )]
    pub legal_regime: String,
    /// The tasks it performs for the partner.
    #[schema(
        example = "Maintenance du logiciel d'instruction des aides sociales",
        min_length = 1,
        max_length = 2000
    )]
    pub tasks: String,
}

impl From<ProviderDto> for Provider {
    fn from(p: ProviderDto) -> Self {
        Self {
            name: p.name,
            location: p.location,
            country: p.country,
            database_location: p.database_location,
            database_country: p.database_country,
            legal_regime: p.legal_regime,
            tasks: p.tasks,
        }
    }
}

impl From<Provider> for ProviderDto {
    fn from(p: Provider) -> Self {
        Self {
            name: p.name,
            location: p.location,
            country: p.country,
            database_location: p.database_location,
            database_country: p.database_country,
            legal_regime: p.legal_regime,
            tasks: p.tasks,
        }
    }
}

/// A notice as the partner files it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "providers": [{
        "name": "Infogérance Bourgogne SAS",
        "location": "Dijon, France",
        "country": "FR",
        "database_location": "Roubaix, France",
        "database_country": "FR",
        "legal_regime": "Droit français ; hébergeur certifié HDS",
        "tasks": "Maintenance du logiciel d'instruction des aides sociales"
    }]
}))]
pub struct ProviderNoticeWrite {
    /// The providers, 1 to 20.
    #[schema(min_items = 1, max_items = 20)]
    pub providers: Vec<ProviderDto>,
    /// The safeguards adopted (RGPD art. 44 ff.): required when a provider or its databases are
    /// outside the European Economic Area in a country without an adequacy decision, refused
    /// otherwise.
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub safeguards: Option<String>,
}

/// An observation of the Caf.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObservationDto {
    /// When it was made.
    pub at: DateTime<Utc>,
    /// What it says.
    pub text: String,
}

/// A notice of service providers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderNoticeDto {
    /// Opaque id.
    pub id: Uuid,
    /// The convention it is given under.
    pub convention_id: Uuid,
    /// The partner.
    pub partner_id: Uuid,
    /// The providers.
    pub providers: Vec<ProviderDto>,
    /// The safeguards for data leaving the protected countries.
    pub safeguards: Option<String>,
    /// When the partner filed it.
    pub filed_at: DateTime<Utc>,
    /// The day the Caf received it, once recorded.
    pub received_on: Option<NaiveDate>,
    /// The earliest day the providers may start: six months after the receipt.
    pub earliest_start_on: Option<NaiveDate>,
    /// The Caf's observations, oldest first.
    pub observations: Vec<ObservationDto>,
}

impl TryFrom<NoticeRow> for ProviderNoticeDto {
    type Error = ApiError;
    fn try_from(n: NoticeRow) -> Result<Self, ApiError> {
        Ok(Self {
            id: n.id.uuid(),
            convention_id: n.convention_id.uuid(),
            partner_id: n.partner_id.uuid(),
            providers: n.providers()?.into_iter().map(Into::into).collect(),
            observations: n
                .observations()?
                .into_iter()
                .map(|o| ObservationDto {
                    at: utc(o.at),
                    text: o.text,
                })
                .collect(),
            safeguards: n.safeguards,
            filed_at: utc(n.filed_at),
            received_on: n.received_on,
            earliest_start_on: n.earliest_start_on,
        })
    }
}

super::page_of!(
    /// The notices given under a convention, on one page.
    ProviderNoticePage,
    ProviderNoticeDto
);

/// The day the Caf received a notice.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "received_on": "2026-12-01" }))]
pub struct NoticeReceipt {
    /// A past day, not before the notice was filed.
    pub received_on: NaiveDate,
}

/// An observation of the Caf on a notice.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "text": "Merci de préciser la durée de conservation des sauvegardes chez le prestataire." }))]
pub struct NoticeObservation {
    /// The observation.
    #[schema(min_length = 1, max_length = 4000)]
    pub text: String,
}

/// Tells the Caf of the service providers the partner means to use under a convention
/// (C-art. 14; the partner's administrators): for each, its name, where it works, where its
/// databases are, the legal regime of its tools and its tasks; and the safeguards when data
/// leave the EU for a country without adequate protection. The Caf's administrators are told.
#[utoipa::path(
    tag = "conventions",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    request_body = ProviderNoticeWrite,
    responses((status = 201, description = "Filed, the Caf told", body = ProviderNoticeDto, headers(("Location" = String, description = "Where the new object is read")))),
    security(("bearer" = [])),
)]
#[post("/conventions/{convention_id}/provider-notices")]
pub async fn file_provider_notice(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<ProviderNoticeWrite>,
) -> Result<HttpResponse, ApiError> {
    let convention = path.into_inner();
    let b = body.into_inner();
    let list: Vec<Provider> = b.providers.into_iter().map(Into::into).collect();
    let row = run(&state, &auth, move |db, ctx| {
        providers::file_notice(db, ctx, convention.into(), &list, b.safeguards.as_deref())
    })
    .await?;
    let dto = ProviderNoticeDto::try_from(row)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/provider-notices/{}", dto.id)))
        .json(dto))
}

/// The notices of providers given under a convention, oldest first.
#[utoipa::path(
    tag = "conventions",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    responses((status = 200, description = "The notices", body = ProviderNoticePage)),
    security(("bearer" = [])),
)]
#[get("/conventions/{convention_id}/provider-notices")]
pub async fn list_provider_notices(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let convention = path.into_inner();
    let rows = run(&state, &auth, move |db, ctx| {
        providers::list_for_convention(db, ctx, convention.into())
    })
    .await?;
    let items = rows
        .into_iter()
        .map(ProviderNoticeDto::try_from)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(ProviderNoticePage::whole(items)))
}

/// One notice of providers.
#[utoipa::path(
    tag = "conventions",
    params(("notice_id" = Uuid, Path, description = "The notice")),
    responses((status = 200, description = "The notice", body = ProviderNoticeDto)),
    security(("bearer" = [])),
)]
#[get("/provider-notices/{notice_id}")]
pub async fn get_provider_notice(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let row = run(&state, &auth, move |db, ctx| {
        providers::get(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(ProviderNoticeDto::try_from(row)?))
}

/// Records, once, the day the Caf received the notice (its administrators): the providers may
/// start six months later at the earliest; the partner's administrators are told that day.
#[utoipa::path(
    tag = "conventions",
    params(("notice_id" = Uuid, Path, description = "The notice")),
    request_body = NoticeReceipt,
    responses((status = 200, description = "Recorded, the partner told", body = ProviderNoticeDto)),
    security(("bearer" = [])),
)]
#[post("/provider-notices/{notice_id}/receipt")]
pub async fn record_provider_notice_receipt(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<NoticeReceipt>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let day = body.into_inner().received_on;
    let row = run(&state, &auth, move |db, ctx| {
        providers::record_receipt(db, ctx, id.into(), day)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ProviderNoticeDto::try_from(row)?))
}

/// Adds an observation of the Caf to a notice (its administrators); the partner's
/// administrators receive it.
#[utoipa::path(
    tag = "conventions",
    params(("notice_id" = Uuid, Path, description = "The notice")),
    request_body = NoticeObservation,
    responses((status = 200, description = "Recorded, the partner told", body = ProviderNoticeDto)),
    security(("bearer" = [])),
)]
#[post("/provider-notices/{notice_id}/observations")]
pub async fn add_provider_notice_observation(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<NoticeObservation>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let text = body.into_inner().text;
    let row = run(&state, &auth, move |db, ctx| {
        providers::observe(db, ctx, id.into(), &text)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ProviderNoticeDto::try_from(row)?))
}

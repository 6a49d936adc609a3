//! Service subscriptions (bulletins d'adhésion) and their quotas.

use actix_web::{get, post, put, web, HttpResponse};
use chrono::{NaiveDate, Utc};
use mcp_domain::subscription::ProfileQuota;
use mcp_persistence::use_cases::subscriptions::{self, NewSubscription, SubscriptionView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::types::{AmendmentInput, ConventionStatus};
use super::{run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// The service a subscription is for.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceRef {
    /// Opaque id.
    pub id: Uuid,
    /// Code.
    #[schema(example = "CDAP")]
    pub code: String,
    /// Name.
    pub name: String,
}

/// A profile opened by the bulletin with its quota.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuotaDto {
    /// Profile id.
    pub profile_id: Uuid,
    /// Profile code.
    #[schema(example = "T13")]
    pub profile: String,
    /// Profile name.
    pub name: String,
    /// Maximum number of distinct people holding the profile.
    #[schema(example = 4)]
    pub max_users: i32,
    /// The Caf-subsidised services the profile is opened for (T2 only; empty otherwise).
    #[schema(example = json!([]))]
    pub subsidised_services: Vec<String>,
}

/// A subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionDto {
    /// Opaque id.
    pub id: Uuid,
    /// Its convention.
    pub convention_id: Uuid,
    /// The service.
    pub service: ServiceRef,
    /// When the service was made available (contract annex 2).
    pub made_available_on: Option<NaiveDate>,
    /// Status of the convention today: the subscription ends with it.
    pub convention_status: ConventionStatus,
    /// Whether the profiles may be used today.
    pub access_open: bool,
    /// The profiles opened and their quotas.
    pub profiles: Vec<QuotaDto>,
    /// Creation instant.
    pub created_at: chrono::DateTime<Utc>,
    /// Last change.
    pub updated_at: chrono::DateTime<Utc>,
}

impl TryFrom<SubscriptionView> for SubscriptionDto {
    type Error = ApiError;
    fn try_from(v: SubscriptionView) -> Result<Self, ApiError> {
        let s = v.subscription;
        Ok(Self {
            id: s.id.uuid(),
            convention_id: s.convention_id.uuid(),
            service: ServiceRef {
                id: s.service_id.uuid(),
                code: s.service_code,
                name: s.service_name,
            },
            made_available_on: s.made_available_on,
            convention_status: v.convention_status.into(),
            access_open: v.access_open,
            profiles: s
                .quotas
                .into_iter()
                .map(|q| {
                    Ok(QuotaDto {
                        profile_id: q.profile_id.uuid(),
                        profile: q.profile_code,
                        name: q.profile_name,
                        max_users: q.max_users,
                        subsidised_services: q.subsidised_services,
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            created_at: utc(s.created_at),
            updated_at: utc(s.updated_at),
        })
    }
}

/// A line of the bulletin: a profile, and its quota when the bulletin opens it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotaInput {
    /// Profile code in the service.
    #[schema(example = "T13")]
    pub profile: String,
    /// Maximum number of users, 1 to 10 000; null or absent when the bulletin leaves the box
    /// blank: the profile is not opened (and the partner's category does not matter for it).
    #[schema(minimum = 1, maximum = 10000, example = 4)]
    pub max_users: Option<i32>,
    /// For a profile opened only for services the Caf subsidises (T2, « prestataires de
    /// services sociaux »): those services, by name (at least one, 200 characters each);
    /// refused for any other profile.
    #[serde(default)]
    #[schema(example = json!([]))]
    pub subsidised_services: Vec<String>,
}

fn quotas(input: Vec<QuotaInput>) -> Vec<ProfileQuota> {
    input
        .into_iter()
        .map(|q| ProfileQuota::new(q.profile, q.max_users, q.subsidised_services))
        .collect()
}

/// A bulletin d'adhésion. On a signed convention, an `amendment` is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"service": "CDAP", "made_available_on": "2026-12-01", "profiles": [{"profile": "T13", "max_users": 4}, {"profile": "T10", "max_users": null}]}))]
pub struct CreateSubscription {
    /// Service code from the catalogue.
    #[schema(example = "CDAP")]
    pub service: String,
    /// When the service is made available (annex 2).
    pub made_available_on: Option<NaiveDate>,
    /// Profiles opened, each with its quota; each must be eligible for the partner's category.
    #[schema(min_items = 1)]
    pub profiles: Vec<QuotaInput>,
    /// Required once the convention is signed; refused on a draft.
    pub amendment: Option<AmendmentInput>,
}

/// Subscribes a convention to a service, with a quota for every profile opened.
#[utoipa::path(
    tag = "subscriptions",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    request_body = CreateSubscription,
    responses((status = 201, description = "Subscribed", body = SubscriptionDto, headers(("Location" = String, description = "Where the new object is read")))),
    security(("bearer" = [])),
)]
#[post("/conventions/{convention_id}/subscriptions")]
pub async fn create_subscription(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<CreateSubscription>,
) -> Result<HttpResponse, ApiError> {
    let convention_id = path.into_inner();
    let b = body.into_inner();
    let new = NewSubscription {
        service: b.service,
        made_available_on: b.made_available_on,
        profiles: quotas(b.profiles),
    };
    let amendment = b.amendment.map(Into::into);
    let (v, _) = run(&state, &auth, move |db, ctx| {
        subscriptions::create(db, ctx, convention_id.into(), new, amendment)
    })
    .await?;
    let dto = SubscriptionDto::try_from(v)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/subscriptions/{}", dto.id)))
        .json(dto))
}

/// The subscriptions of a convention.
#[utoipa::path(
    tag = "subscriptions",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    responses((status = 200, description = "The subscriptions", body = SubscriptionPage)),
    security(("bearer" = [])),
)]
#[get("/conventions/{convention_id}/subscriptions")]
pub async fn list_subscriptions(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let list = run(&state, &auth, move |db, ctx| {
        subscriptions::list(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(SubscriptionPage::whole(
        list.into_iter()
            .map(SubscriptionDto::try_from)
            .collect::<Result<_, _>>()?,
    )))
}

/// One subscription.
#[utoipa::path(
    tag = "subscriptions",
    params(("subscription_id" = Uuid, Path, description = "The subscription")),
    responses((status = 200, description = "The subscription", body = SubscriptionDto)),
    security(("bearer" = [])),
)]
#[get("/subscriptions/{subscription_id}")]
pub async fn get_subscription(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let v = run(&state, &auth, move |db, ctx| {
        subscriptions::get(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(SubscriptionDto::try_from(v)?))
}

/// The new profiles and quotas of a bulletin. On a signed convention, an `amendment` is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"profiles": [{"profile": "T13", "max_users": 6}], "amendment": {"summary": "Deux agents de plus pour le profil T13", "caf_signed_on": "2026-11-20", "partner_signed_on": "2026-11-18"}}))]
pub struct UpdateQuotas {
    /// The whole list of profiles opened, each with its quota.
    #[schema(min_items = 1)]
    pub profiles: Vec<QuotaInput>,
    /// Required once the convention is signed; refused on a draft.
    pub amendment: Option<AmendmentInput>,
}

/// Replaces a bulletin's profiles and quotas: a quota change is an amendment once signed.
#[utoipa::path(
    tag = "subscriptions",
    params(("subscription_id" = Uuid, Path, description = "The subscription")),
    request_body = UpdateQuotas,
    responses((status = 200, description = "Changed", body = SubscriptionDto)),
    security(("bearer" = [])),
)]
#[put("/subscriptions/{subscription_id}/quotas")]
pub async fn update_quotas(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<UpdateQuotas>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let b = body.into_inner();
    let amendment = b.amendment.map(Into::into);
    let requested = quotas(b.profiles);
    let (v, _) = run(&state, &auth, move |db, ctx| {
        subscriptions::update_quotas(db, ctx, id.into(), requested, amendment)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SubscriptionDto::try_from(v)?))
}

super::page_of!(
    /// The subscriptions, all on one page.
    SubscriptionPage,
    SubscriptionDto
);

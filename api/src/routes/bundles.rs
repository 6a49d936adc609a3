//! Role bundles: profiles a partner's managers give together, all or none.

use actix_web::{get, post, web, HttpResponse};
use chrono::{NaiveDate, Utc};
use mcp_persistence::use_cases::habilitations::{self as habs};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::habilitations::{holder_of, HabilitationDto};
use super::PageQuery;
use super::{run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// A role bundle: profiles given together.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleBundleDto {
    /// Opaque id.
    pub id: Uuid,
    /// The partner.
    pub partner_id: Uuid,
    /// Name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Its profiles.
    pub profile_ids: Vec<Uuid>,
    /// Who designed it.
    pub created_by: Uuid,
    /// When.
    pub created_at: chrono::DateTime<Utc>,
}

impl TryFrom<habs::RoleBundle> for RoleBundleDto {
    type Error = ApiError;
    fn try_from(b: habs::RoleBundle) -> Result<Self, ApiError> {
        Ok(Self {
            id: b.id.uuid(),
            partner_id: b.partner_id.uuid(),
            profile_ids: b.profiles().map_err(ApiError::from)?,
            name: b.name,
            description: b.description,
            created_by: b.created_by.uuid(),
            created_at: utc(b.created_at),
        })
    }
}

/// A role bundle to design.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Instruction FSL", "description": "Profils des instructeurs du Fonds de solidarité logement", "profile_ids": ["4f8fdc96-33f6-52c8-96f9-dbecb9dd46fd"]}))]
pub struct RoleBundleInput {
    /// Name.
    #[schema(min_length = 1, max_length = 100, example = "Instruction FSL")]
    pub name: String,
    /// What it is for.
    #[schema(max_length = 1000)]
    pub description: Option<String>,
    /// The profiles it gives (1 to 20).
    pub profile_ids: Vec<Uuid>,
}

/// Designs a role bundle (the partner's administrators, or a manager of those profiles).
#[utoipa::path(
    tag = "role bundles",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = RoleBundleInput,
    responses((status = 201, description = "Created", body = RoleBundleDto)),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/role-bundles")]
pub async fn create_role_bundle(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<RoleBundleInput>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let partner = path.into_inner();
    let bundle = run(&state, &auth, move |db, ctx| {
        habs::create_bundle(
            db,
            ctx,
            partner.into(),
            &b.name,
            b.description.as_deref(),
            &b.profile_ids,
        )
    })
    .await?;
    Ok(HttpResponse::Created().json(RoleBundleDto::try_from(bundle)?))
}

/// A partner's role bundles.
#[utoipa::path(
    tag = "role bundles",
    params(("partner_id" = Uuid, Path, description = "The partner"), PageQuery),
    responses((status = 200, description = "Its role bundles, a page", body = RoleBundlePage)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/role-bundles")]
pub async fn list_role_bundles(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page.request()?;
    let partner = path.into_inner();
    let bs = run(&state, &auth, move |db, ctx| {
        habs::list_bundles(db, ctx, partner.into(), &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(RoleBundlePage::of(bs, RoleBundleDto::try_from)?))
}

/// Granting a role bundle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"account_id": "01a20810-0000-7000-8000-0000000000a1", "group_id": null, "mission_id": "01a20810-0000-7000-8000-000000000001", "ends_on": null}))]
pub struct BundleGrantInput {
    /// The person (or give `group_id`).
    pub account_id: Option<Uuid>,
    /// The group (or give `account_id`).
    pub group_id: Option<Uuid>,
    /// The convention mission served.
    pub mission_id: Uuid,
    /// Last day, for a temporary mission.
    pub ends_on: Option<NaiveDate>,
}

/// Grants every profile of a role bundle to one holder: all or none, each within its quota.
#[utoipa::path(
    tag = "role bundles",
    params(("role_bundle_id" = Uuid, Path, description = "The role bundle")),
    request_body = BundleGrantInput,
    responses((status = 201, description = "Granted", body = Vec<HabilitationDto>)),
    security(("bearer" = [])),
)]
#[post("/role-bundles/{role_bundle_id}/grants")]
pub async fn grant_role_bundle(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<BundleGrantInput>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let holder = holder_of(b.account_id, b.group_id)?;
    let id = path.into_inner();
    let hs = run(&state, &auth, move |db, ctx| {
        habs::grant_bundle(db, ctx, id.into(), holder, b.mission_id.into(), b.ends_on)
    })
    .await?;
    Ok(HttpResponse::Created().json(
        hs.into_iter()
            .map(HabilitationDto::try_from)
            .collect::<Result<Vec<_>, _>>()?,
    ))
}

super::page_of!(
    /// A page of role bundles.
    RoleBundlePage,
    RoleBundleDto
);

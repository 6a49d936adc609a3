//! How quotas are used: per partner, across a Caf, and who holds one profile.

use actix_web::{get, web, HttpResponse};
use mcp_persistence::use_cases::habilitations::{self as habs, QuotaLine};
use mcp_persistence::use_cases::staff::Group;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::auth::AccountDto;
use super::{run, stored_id};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// How one profile's quota is used.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuotaUseDto {
    /// The partner.
    pub partner_id: Uuid,
    /// Its name.
    pub partner_name: String,
    /// The convention.
    pub convention_id: Uuid,
    /// The subscription.
    pub subscription_id: Uuid,
    /// The profile.
    pub profile_id: Uuid,
    /// Its code.
    #[schema(example = "T13")]
    pub profile_code: String,
    /// Its name.
    pub profile_name: String,
    /// The quota: distinct people who may hold it.
    pub max_users: u32,
    /// Distinct people holding it, directly or through groups, suspended included.
    pub used: u32,
    /// Seats left.
    pub left: u32,
    /// People beyond the quota after the Caf lowered it: to be resolved by the partner; new
    /// grants are refused until then.
    pub over_by: u32,
}

impl TryFrom<QuotaLine> for QuotaUseDto {
    type Error = ApiError;
    fn try_from(l: QuotaLine) -> Result<Self, ApiError> {
        Ok(Self {
            partner_id: l.partner_id.uuid(),
            partner_name: l.partner_name,
            convention_id: l.convention_id.uuid(),
            subscription_id: l.subscription_id.uuid(),
            profile_id: l.profile_id.uuid(),
            profile_code: l.profile_code,
            profile_name: l.profile_name,
            max_users: l.usage.max_users,
            used: l.usage.used,
            left: l.usage.left(),
            over_by: l.usage.over_by(),
        })
    }
}

super::page_of!(
    /// A page of quota use, one line per subscription and profile.
    QuotaUsePage,
    QuotaUseDto
);

fn quota_dto(lines: Vec<QuotaLine>) -> Result<Vec<QuotaUseDto>, ApiError> {
    lines.into_iter().map(QuotaUseDto::try_from).collect()
}

/// A partner's quota use, profile by profile: the whole list on one page (a partner subscribes to
/// a handful of profiles).
#[utoipa::path(
    tag = "quotas",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    responses((status = 200, description = "Quota use", body = QuotaUsePage)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/quota-use")]
pub async fn get_partner_quota_use(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let lines = run(&state, &auth, move |db, ctx| {
        habs::quota_use(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(QuotaUsePage::whole(quota_dto(lines)?)))
}

/// Filter of the Caf's quota overview.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CafQuotaQuery {
    /// Only the profiles held by more people than their quota allows.
    pub over_quota: Option<bool>,
    /// Lines per page, 1 to 200 (default 50); a page ends at a partner's last line.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page, as given (400 `invalid_cursor` otherwise).
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

/// Quota use across a Caf's partners (Caf administrators, the Cnaf).
#[utoipa::path(
    tag = "quotas",
    params(("caf_id" = Uuid, Path, description = "The Caf"), CafQuotaQuery),
    responses((status = 200, description = "Quota use by partner and profile", body = QuotaUsePage)),
    security(("bearer" = [])),
)]
#[get("/cafs/{caf_id}/quota-use")]
pub async fn get_caf_quota_use(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<CafQuotaQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let over = query.over_quota.unwrap_or(false);
    let page = super::page_request(query.limit, query.cursor.clone())?;
    let lines = run(&state, &auth, move |db, ctx| {
        habs::caf_quota_use(db, ctx, id.into(), over, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(QuotaUsePage::of(lines, QuotaUseDto::try_from)?))
}

/// A group named where a hold comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupRef {
    /// The group.
    pub id: Uuid,
    /// Its name.
    pub name: String,
}

pub(super) fn group_ref(g: &Group) -> Result<GroupRef, ApiError> {
    Ok(GroupRef {
        id: g.id.uuid(),
        name: g.name.clone(),
    })
}

/// One way a person holds a profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldThrough {
    /// The habilitation.
    pub habilitation_id: Uuid,
    /// The group it comes through; absent when given to the person directly.
    pub group: Option<GroupRef>,
}

/// A person holding a profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileHolderDto {
    /// The person.
    pub account: AccountDto,
    /// How they hold it.
    pub through: Vec<HoldThrough>,
}

/// The holders of a profile, with the quota.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldersDto {
    /// The quota use of the profile (one line per subscription that includes it).
    pub quota: Vec<QuotaUseDto>,
    /// The people holding it.
    pub holders: Vec<ProfileHolderDto>,
}

/// The people holding one profile at a partner, and how (directly or through which group).
#[utoipa::path(
    tag = "quotas",
    params(("partner_id" = Uuid, Path, description = "The partner"), ("profile_id" = Uuid, Path, description = "The profile")),
    responses((status = 200, description = "Holders and quota", body = HoldersDto)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/profiles/{profile_id}/holders")]
pub async fn list_profile_holders(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (partner, profile) = path.into_inner();
    let (lines, people) = run(&state, &auth, move |db, ctx| {
        habs::holders(db, ctx, partner.into(), profile.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(HoldersDto {
        quota: quota_dto(lines)?,
        holders: people
            .into_iter()
            .map(|p| {
                Ok(ProfileHolderDto {
                    account: AccountDto::from(p.account),
                    through: p
                        .through
                        .iter()
                        .map(|(h, g)| {
                            Ok(HoldThrough {
                                habilitation_id: stored_id(h)?,
                                group: g.as_ref().map(group_ref).transpose()?,
                            })
                        })
                        .collect::<Result<_, ApiError>>()?,
                })
            })
            .collect::<Result<_, ApiError>>()?,
    }))
}

//! Groups of a partner's people, whose members hold every profile the group holds.

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::Utc;
use mcp_persistence::use_cases::staff::{self, Group, Member};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::AccountDto;
use super::PageQuery;
use super::{run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// A group of people of one partner.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDto {
    /// Opaque id.
    pub id: Uuid,
    /// The partner.
    pub partner_id: Uuid,
    /// Name, unique within the partner.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Creation.
    pub created_at: chrono::DateTime<Utc>,
    /// Last change (of its members too).
    pub updated_at: chrono::DateTime<Utc>,
}

impl TryFrom<Group> for GroupDto {
    type Error = ApiError;
    fn try_from(g: Group) -> Result<Self, ApiError> {
        Ok(Self {
            id: g.id.uuid(),
            partner_id: g.partner_id.uuid(),
            name: g.name,
            description: g.description,
            created_at: utc(g.created_at),
            updated_at: utc(g.updated_at),
        })
    }
}

/// A member of a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    /// The person.
    pub account: AccountDto,
    /// When they joined.
    pub added_at: chrono::DateTime<Utc>,
}

impl From<Member> for MemberDto {
    fn from(m: Member) -> Self {
        Self {
            account: AccountDto::from(m.account),
            added_at: utc(m.added_at),
        }
    }
}

/// A group with its members.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDetailDto {
    /// The group.
    #[serde(flatten)]
    pub group: GroupDto,
    /// Its members, by name.
    pub members: Vec<MemberDto>,
}

/// A group to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Accueil social", "description": "Agents d'accueil du CCAS"}))]
pub struct GroupInput {
    /// Name.
    #[schema(min_length = 1, max_length = 100, example = "Accueil social")]
    pub name: String,
    /// What it is for.
    #[schema(max_length = 1000)]
    pub description: Option<String>,
}

/// Creates a group (the partner's administrators, or a manager delegated `groups`).
#[utoipa::path(
    tag = "groups",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = GroupInput,
    responses((status = 201, description = "Created", body = GroupDto, headers(("Location" = String, description = "Where the new object is read")))),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/groups")]
pub async fn create_group(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<GroupInput>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let partner = path.into_inner();
    let g = run(&state, &auth, move |db, ctx| {
        staff::create_group(db, ctx, partner.into(), &b.name, b.description.as_deref())
    })
    .await?;
    let dto = GroupDto::try_from(g)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/groups/{}", dto.id)))
        .json(dto))
}

/// A partner's groups.
#[utoipa::path(
    tag = "groups",
    params(("partner_id" = Uuid, Path, description = "The partner"), PageQuery),
    responses((status = 200, description = "Its groups, a page", body = GroupPage)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/groups")]
pub async fn list_groups(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page.request()?;
    let partner = path.into_inner();
    let gs = run(&state, &auth, move |db, ctx| {
        staff::list_groups(db, ctx, partner.into(), &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(GroupPage::of(gs, GroupDto::try_from)?))
}

/// A group and its members.
#[utoipa::path(
    tag = "groups",
    params(("group_id" = Uuid, Path, description = "The group")),
    responses((status = 200, description = "The group", body = GroupDetailDto)),
    security(("bearer" = [])),
)]
#[get("/groups/{group_id}")]
pub async fn get_group(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (g, members) = run(&state, &auth, move |db, ctx| {
        staff::get_group(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(GroupDetailDto {
        group: GroupDto::try_from(g)?,
        members: members.into_iter().map(MemberDto::from).collect(),
    }))
}

/// A member to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"account_id": "01a20810-0000-7000-8000-0000000000a1"}))]
pub struct MemberInput {
    /// The person.
    pub account_id: Uuid,
}

/// Adds a person to a group: they then hold every profile the group holds, so each quota is
/// checked (`quota_exceeded`), and nobody adds themselves to a habilitated group (`self_grant`).
#[utoipa::path(
    tag = "groups",
    params(("group_id" = Uuid, Path, description = "The group")),
    request_body = MemberInput,
    responses((status = 201, description = "Added", body = MemberDto)),
    security(("bearer" = [])),
)]
#[post("/groups/{group_id}/members")]
pub async fn add_group_member(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<MemberInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let account = body.into_inner().account_id;
    let m = run(&state, &auth, move |db, ctx| {
        staff::add_member(db, ctx, id.into(), account.into())
    })
    .await?;
    Ok(HttpResponse::Created().json(MemberDto::from(m)))
}

/// Removes a person from a group: what they held only through it frees its seats.
#[utoipa::path(
    tag = "groups",
    params(("group_id" = Uuid, Path, description = "The group"), ("account_id" = Uuid, Path, description = "The member")),
    responses((status = 204, description = "Removed")),
    security(("bearer" = [])),
)]
#[delete("/groups/{group_id}/members/{account_id}")]
pub async fn remove_group_member(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (group, account) = path.into_inner();
    run(&state, &auth, move |db, ctx| {
        staff::remove_member(db, ctx, group.into(), account.into())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

super::page_of!(
    /// A page of groups.
    GroupPage,
    GroupDto
);

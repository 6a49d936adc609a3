//! Delegated management: a partner's users, delegations, groups, role bundles and
//! habilitations; the Caf's supervision; the views of quotas and holders.

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{NaiveDate, Utc};
use mcp_domain::habilitation::{HabilitationStatus, Holder};
use mcp_persistence::habilitations::{
    self as habs, GrantRequest, HabilitationFilter, HabilitationView, QuotaLine, StatusChange,
};
use mcp_persistence::staff::{self, DelegationRow, Group, Member};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::auth::AccountDto;
use super::traces::TracePage;
use super::{blocking, page_request, stored_id, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// Who holds a habilitation.
#[derive(Debug, Serialize, ToSchema)]
pub struct HolderDto {
    /// `account` (a person) or `group` (each member holds the profile).
    #[schema(example = "account")]
    pub kind: String,
    /// The account or the group.
    pub id: Uuid,
    /// The person's or the group's name.
    pub name: String,
}

/// A habilitation: holder × profile × the convention mission it serves.
#[derive(Debug, Serialize, ToSchema)]
pub struct HabilitationDto {
    /// Opaque id.
    pub id: Uuid,
    /// The partner.
    pub partner_id: Uuid,
    /// The convention.
    pub convention_id: Uuid,
    /// The mission it serves.
    pub mission_id: Uuid,
    /// The subscription whose quota it uses.
    pub subscription_id: Uuid,
    /// The profile.
    pub profile_id: Uuid,
    /// The profile's code.
    #[schema(example = "T13")]
    pub profile_code: String,
    /// The holder.
    pub holder: HolderDto,
    /// `active`, `suspended` (keeps its seat) or `devalidated` (seat freed, kept six years).
    #[schema(example = "active")]
    pub status: String,
    /// Last day of a temporary mission.
    pub ends_on: Option<NaiveDate>,
    /// Who granted it.
    pub granted_by: Uuid,
    /// When.
    pub granted_at: chrono::DateTime<Utc>,
    /// Whether the Caf suspended it (then only the Caf lifts the suspension).
    pub suspended_by_caf: bool,
    /// Why its status last changed.
    pub status_reason: Option<String>,
    /// When its status last changed.
    pub status_changed_at: Option<chrono::DateTime<Utc>>,
    /// When it was devalidated.
    pub devalidated_at: Option<chrono::DateTime<Utc>>,
    /// The last CDAP consultation served through it, by any of its holders; absent: never used.
    pub last_used_at: Option<chrono::DateTime<Utc>>,
}

impl TryFrom<HabilitationView> for HabilitationDto {
    type Error = ApiError;
    fn try_from(v: HabilitationView) -> Result<Self, ApiError> {
        let h = v.habilitation;
        Ok(Self {
            id: stored_id(&h.id)?,
            partner_id: stored_id(&h.partner_id)?,
            convention_id: stored_id(&h.convention_id)?,
            mission_id: stored_id(&h.mission_id)?,
            subscription_id: stored_id(&h.subscription_id)?,
            profile_id: stored_id(&h.profile_id)?,
            profile_code: v.profile_code,
            holder: HolderDto {
                kind: h.holder_kind,
                id: stored_id(&h.holder_id)?,
                name: v.holder_name,
            },
            status: h.status,
            ends_on: h.ends_on,
            granted_by: stored_id(&h.granted_by)?,
            granted_at: utc(h.granted_at),
            suspended_by_caf: h.suspended_by_caf,
            status_reason: h.status_reason,
            status_changed_at: h.status_changed_at.map(utc),
            devalidated_at: h.devalidated_at.map(utc),
            last_used_at: h.last_used_at.map(utc),
        })
    }
}

/// A page of habilitations.
#[derive(Debug, Serialize, ToSchema)]
pub struct HabilitationPage {
    /// The habilitations.
    pub items: Vec<HabilitationDto>,
    /// Cursor of the next page, absent on the last.
    pub next_cursor: Option<String>,
}

fn holder_of(account_id: Option<Uuid>, group_id: Option<Uuid>) -> Result<Holder, ApiError> {
    match (account_id, group_id) {
        (Some(a), None) => Ok(Holder::Account(a)),
        (None, Some(g)) => Ok(Holder::Group(g)),
        _ => Err(mcp_domain::DomainError::field(
            "account_id",
            "one_holder",
            "give either account_id (a person) or group_id (a group), not both",
        )
        .into()),
    }
}

/// A habilitation to grant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    /// The person to habilitate (or give `group_id`).
    pub account_id: Option<Uuid>,
    /// The group to habilitate: each member holds the profile (or give `account_id`).
    pub group_id: Option<Uuid>,
    /// The profile (see GET /services).
    pub profile_id: Uuid,
    /// The convention mission it serves (see GET /conventions/{id}).
    pub mission_id: Uuid,
    /// Last day, for a temporary mission; it then expires by itself.
    pub ends_on: Option<NaiveDate>,
}

/// Grants a habilitation (the partner's administrators, or a manager delegated that profile),
/// in mode délégué only. Refused with a stable code when the convention does not open access
/// (`convention_not_active`), the profile is not subscribed (`profile_not_subscribed`) or not
/// for this category (`profile_not_eligible`), the quota is reached (`quota_exceeded`), the
/// holder is the caller (`self_grant`), or the contract is centralised (`centralised_mode`).
#[utoipa::path(
    tag = "habilitations",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = GrantInput,
    responses((status = 201, description = "Granted", body = HabilitationDto)),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/habilitations")]
pub async fn grant(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<GrantInput>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let req = GrantRequest {
        holder: holder_of(b.account_id, b.group_id)?,
        profile_id: b.profile_id,
        mission_id: b.mission_id,
        ends_on: b.ends_on,
    };
    let partner = path.into_inner();
    let db = state.db.clone();
    let h = blocking(move || habs::grant(&db, &auth.0, partner, req)).await?;
    let dto = HabilitationDto::try_from(h)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/habilitations/{}", dto.id)))
        .json(dto))
}

/// Status of a habilitation, in filters.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HabilitationStatusDto {
    /// In use.
    Active,
    /// Suspended, keeping its seat.
    Suspended,
    /// Ended for good.
    Devalidated,
}

/// Filters and pagination of a partner's habilitations.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HabilitationQuery {
    /// Only this status.
    pub status: Option<HabilitationStatusDto>,
    /// Only this profile.
    pub profile_id: Option<Uuid>,
    /// Only those held directly by this person.
    pub account_id: Option<Uuid>,
    /// Only those held by this group.
    pub group_id: Option<Uuid>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

/// A partner's habilitations (its managers, the Caf, the Cnaf).
#[utoipa::path(
    tag = "habilitations",
    params(("partner_id" = Uuid, Path, description = "The partner"), HabilitationQuery),
    responses((status = 200, description = "A page of habilitations", body = HabilitationPage)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/habilitations")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<HabilitationQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.limit, q.cursor)?;
    let holder = match (q.account_id, q.group_id) {
        (None, None) => None,
        (a, g) => Some(holder_of(a, g)?),
    };
    let filter = HabilitationFilter {
        status: q.status.map(|s| match s {
            HabilitationStatusDto::Active => HabilitationStatus::Active,
            HabilitationStatusDto::Suspended => HabilitationStatus::Suspended,
            HabilitationStatusDto::Devalidated => HabilitationStatus::Devalidated,
        }),
        profile_id: q.profile_id,
        holder,
    };
    let partner = path.into_inner();
    let db = state.db.clone();
    let p = blocking(move || habs::list(&db, &auth.0, partner, &filter, &page)).await?;
    Ok(HttpResponse::Ok().json(HabilitationPage {
        items: p
            .items
            .into_iter()
            .map(HabilitationDto::try_from)
            .collect::<Result<_, _>>()?,
        next_cursor: p.next_cursor,
    }))
}

/// One habilitation.
#[utoipa::path(
    tag = "habilitations",
    params(("habilitation_id" = Uuid, Path, description = "The habilitation")),
    responses((status = 200, description = "The habilitation", body = HabilitationDto)),
    security(("bearer" = [])),
)]
#[get("/habilitations/{habilitation_id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let db = state.db.clone();
    let h = blocking(move || habs::get(&db, &auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(HabilitationDto::try_from(h)?))
}

/// Why a status changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    /// The reason, kept with the habilitation and in its history.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

async fn change(
    state: web::Data<AppState>,
    auth: Authenticated,
    id: Uuid,
    change: StatusChange,
    reason: String,
) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    let h = blocking(move || habs::change_status(&db, &auth.0, id, change, &reason)).await?;
    Ok(HttpResponse::Ok().json(HabilitationDto::try_from(h)?))
}

/// Suspends a habilitation: it keeps its seat in the quota. The partner's managers do it; the
/// Caf does it as a precaution on any habilitation of its partners (then only the Caf lifts it).
#[utoipa::path(
    tag = "habilitations",
    params(("habilitation_id" = Uuid, Path, description = "The habilitation")),
    request_body = ReasonInput,
    responses((status = 200, description = "Suspended", body = HabilitationDto)),
    security(("bearer" = [])),
)]
#[post("/habilitations/{habilitation_id}/suspension")]
pub async fn suspend(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, ApiError> {
    change(
        state,
        auth,
        path.into_inner(),
        StatusChange::Suspend,
        body.into_inner().reason,
    )
    .await
}

/// Lifts a suspension.
#[utoipa::path(
    tag = "habilitations",
    params(("habilitation_id" = Uuid, Path, description = "The habilitation")),
    request_body = ReasonInput,
    responses((status = 200, description = "Reinstated", body = HabilitationDto)),
    security(("bearer" = [])),
)]
#[post("/habilitations/{habilitation_id}/reinstatement")]
pub async fn reinstate(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, ApiError> {
    change(
        state,
        auth,
        path.into_inner(),
        StatusChange::Reinstate,
        body.into_inner().reason,
    )
    .await
}

/// Devalidates a habilitation for good (the partner's managers): its seat is freed; the record
/// is kept six years.
#[utoipa::path(
    tag = "habilitations",
    params(("habilitation_id" = Uuid, Path, description = "The habilitation")),
    request_body = ReasonInput,
    responses((status = 200, description = "Devalidated", body = HabilitationDto)),
    security(("bearer" = [])),
)]
#[post("/habilitations/{habilitation_id}/devalidation")]
pub async fn devalidate(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, ApiError> {
    change(
        state,
        auth,
        path.into_inner(),
        StatusChange::Devalidate,
        body.into_inner().reason,
    )
    .await
}

/// Every change of a habilitation, oldest first.
#[utoipa::path(
    tag = "habilitations",
    params(("habilitation_id" = Uuid, Path, description = "The habilitation"), super::PageQuery),
    responses((status = 200, description = "Its history", body = TracePage)),
    security(("bearer" = [])),
)]
#[get("/habilitations/{habilitation_id}/history")]
pub async fn history(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<super::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.request()?;
    let id = path.into_inner();
    let db = state.db.clone();
    let p = blocking(move || habs::history(&db, &auth.0, id, &page)).await?;
    Ok(HttpResponse::Ok().json(super::traces::page(p)?))
}

/// A question of the Caf about a habilitation, and the partner's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionDto {
    /// Opaque id.
    pub id: Uuid,
    /// The habilitation.
    pub habilitation_id: Uuid,
    /// The partner.
    pub partner_id: Uuid,
    /// The question.
    pub question: String,
    /// Who asked.
    pub asked_by: Uuid,
    /// When.
    pub asked_at: chrono::DateTime<Utc>,
    /// The answer, once given.
    pub answer: Option<String>,
    /// Who answered.
    pub answered_by: Option<Uuid>,
    /// When.
    pub answered_at: Option<chrono::DateTime<Utc>>,
}

impl TryFrom<habs::Question> for QuestionDto {
    type Error = ApiError;
    fn try_from(q: habs::Question) -> Result<Self, ApiError> {
        Ok(Self {
            id: stored_id(&q.id)?,
            habilitation_id: stored_id(&q.habilitation_id)?,
            partner_id: stored_id(&q.partner_id)?,
            question: q.question,
            asked_by: stored_id(&q.asked_by)?,
            asked_at: utc(q.asked_at),
            answer: q.answer,
            answered_by: q.answered_by.as_deref().map(stored_id).transpose()?,
            answered_at: q.answered_at.map(utc),
        })
    }
}

fn questions_dto(qs: Vec<habs::Question>) -> Result<Vec<QuestionDto>, ApiError> {
    qs.into_iter().map(QuestionDto::try_from).collect()
}

/// A question to ask.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    /// What the Caf wants to know.
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "Pourquoi cet agent d'accueil a-t-il le profil T1 ?"
    )]
    pub question: String,
}

/// The Caf asks the partner why a habilitation was given (S-art. 2.2.1).
#[utoipa::path(
    tag = "habilitations",
    params(("habilitation_id" = Uuid, Path, description = "The habilitation")),
    request_body = QuestionInput,
    responses((status = 201, description = "Asked", body = QuestionDto)),
    security(("bearer" = [])),
)]
#[post("/habilitations/{habilitation_id}/questions")]
pub async fn ask(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<QuestionInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let text = body.into_inner().question;
    let db = state.db.clone();
    let q = blocking(move || habs::ask(&db, &auth.0, id, &text)).await?;
    Ok(HttpResponse::Created().json(QuestionDto::try_from(q)?))
}

/// The questions asked about a habilitation, with their answers.
#[utoipa::path(
    tag = "habilitations",
    params(("habilitation_id" = Uuid, Path, description = "The habilitation")),
    responses((status = 200, description = "Questions and answers", body = Vec<QuestionDto>)),
    security(("bearer" = [])),
)]
#[get("/habilitations/{habilitation_id}/questions")]
pub async fn questions(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let db = state.db.clone();
    let qs = blocking(move || habs::questions(&db, &auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(questions_dto(qs)?))
}

/// The Caf's questions a partner has not answered yet.
#[utoipa::path(
    tag = "habilitations",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    responses((status = 200, description = "Open questions", body = Vec<QuestionDto>)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/habilitation-questions")]
pub async fn open_questions(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let db = state.db.clone();
    let qs = blocking(move || habs::open_questions(&db, &auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(questions_dto(qs)?))
}

/// An answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// The partner's answer.
    #[schema(min_length = 1, max_length = 2000)]
    pub answer: String,
}

/// The partner answers the Caf's question (its administrators, or a manager of that profile).
#[utoipa::path(
    tag = "habilitations",
    params(("question_id" = Uuid, Path, description = "The question")),
    request_body = AnswerInput,
    responses((status = 200, description = "Answered", body = QuestionDto)),
    security(("bearer" = [])),
)]
#[post("/habilitation-questions/{question_id}/answer")]
pub async fn answer(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<AnswerInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let text = body.into_inner().answer;
    let db = state.db.clone();
    let q = blocking(move || habs::answer(&db, &auth.0, id, &text)).await?;
    Ok(HttpResponse::Ok().json(QuestionDto::try_from(q)?))
}

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
            partner_id: stored_id(&l.partner_id)?,
            partner_name: l.partner_name,
            convention_id: stored_id(&l.convention_id)?,
            subscription_id: stored_id(&l.subscription_id)?,
            profile_id: stored_id(&l.profile_id)?,
            profile_code: l.profile_code,
            profile_name: l.profile_name,
            max_users: l.usage.max_users,
            used: l.usage.used,
            left: l.usage.left(),
            over_by: l.usage.over_by(),
        })
    }
}

fn quota_dto(lines: Vec<QuotaLine>) -> Result<Vec<QuotaUseDto>, ApiError> {
    lines.into_iter().map(QuotaUseDto::try_from).collect()
}

/// A partner's quota use, profile by profile.
#[utoipa::path(
    tag = "habilitations",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    responses((status = 200, description = "Quota use", body = Vec<QuotaUseDto>)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/quota-use")]
pub async fn quota_use(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let db = state.db.clone();
    let lines = blocking(move || habs::quota_use(&db, &auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(quota_dto(lines)?))
}

/// Filter of the Caf's quota overview.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CafQuotaQuery {
    /// Only the profiles held by more people than their quota allows.
    pub over_quota: Option<bool>,
}

/// Quota use across a Caf's partners (Caf administrators, the Cnaf).
#[utoipa::path(
    tag = "habilitations",
    params(("caf_id" = Uuid, Path, description = "The Caf"), CafQuotaQuery),
    responses((status = 200, description = "Quota use by partner and profile", body = Vec<QuotaUseDto>)),
    security(("bearer" = [])),
)]
#[get("/cafs/{caf_id}/quota-use")]
pub async fn caf_quota_use(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<CafQuotaQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let over = query.over_quota.unwrap_or(false);
    let db = state.db.clone();
    let lines = blocking(move || habs::caf_quota_use(&db, &auth.0, id, over)).await?;
    Ok(HttpResponse::Ok().json(quota_dto(lines)?))
}

/// A group named where a hold comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupRef {
    /// The group.
    pub id: Uuid,
    /// Its name.
    pub name: String,
}

fn group_ref(g: &Group) -> Result<GroupRef, ApiError> {
    Ok(GroupRef {
        id: stored_id(&g.id)?,
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
    tag = "habilitations",
    params(("partner_id" = Uuid, Path, description = "The partner"), ("profile_id" = Uuid, Path, description = "The profile")),
    responses((status = 200, description = "Holders and quota", body = HoldersDto)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/profiles/{profile_id}/holders")]
pub async fn holders(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (partner, profile) = path.into_inner();
    let db = state.db.clone();
    let (lines, people) = blocking(move || habs::holders(&db, &auth.0, partner, profile)).await?;
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

/// A habilitation a person holds, and where it comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeldDto {
    /// The habilitation.
    pub habilitation: HabilitationDto,
    /// The group it comes through; absent when given to the person directly.
    pub via_group: Option<GroupRef>,
}

/// A person and their habilitations.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonHabilitationsDto {
    /// The person.
    pub account: AccountDto,
    /// Every habilitation they hold or held, directly or through their groups.
    pub habilitations: Vec<HeldDto>,
}

/// A person's habilitations and where each comes from (their managers, the Caf; anyone for
/// their own).
#[utoipa::path(
    tag = "habilitations",
    params(("account_id" = Uuid, Path, description = "The person's account")),
    responses((status = 200, description = "Their habilitations", body = PersonHabilitationsDto)),
    security(("bearer" = [])),
)]
#[get("/accounts/{account_id}/habilitations")]
pub async fn of_person(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let db = state.db.clone();
    let (account, held) = blocking(move || habs::of_person(&db, &auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(PersonHabilitationsDto {
        account: AccountDto::from(account),
        habilitations: held
            .into_iter()
            .map(|h| {
                Ok(HeldDto {
                    habilitation: HabilitationDto::try_from(h.habilitation)?,
                    via_group: h.via_group.as_ref().map(group_ref).transpose()?,
                })
            })
            .collect::<Result<_, ApiError>>()?,
    }))
}

/// A person reached by a habilitation not used lately.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnusedDto {
    /// The habilitation; its `last_used_at` is its last consultation.
    pub habilitation: HabilitationDto,
    /// The person it reaches.
    pub account: AccountDto,
    /// Their last sign-in or token refresh, if ever.
    pub last_seen_at: Option<chrono::DateTime<Utc>>,
}

/// How recent a use must be.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UnusedQuery {
    /// Days without use, 1 to 3650 (default 90).
    #[param(minimum = 1, maximum = 3650)]
    pub days: Option<i64>,
}

/// Habilitations of a Caf's partners not used for `days` days: no consultation served through a
/// CDAP habilitation (never used included); for a group's habilitation, also each member who has
/// not signed in since. One line per person reached.
#[utoipa::path(
    tag = "habilitations",
    params(("caf_id" = Uuid, Path, description = "The Caf"), UnusedQuery),
    responses((status = 200, description = "Unused habilitations", body = Vec<UnusedDto>)),
    security(("bearer" = [])),
)]
#[get("/cafs/{caf_id}/unused-habilitations")]
pub async fn unused(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<UnusedQuery>,
) -> Result<HttpResponse, ApiError> {
    let days = query.days.unwrap_or(90);
    if !(1..=3650).contains(&days) {
        return Err(ApiError::bad_request(
            "invalid_query",
            "days must be between 1 and 3650",
        ));
    }
    let id = path.into_inner();
    let since = auth.0.now - chrono::Duration::days(days);
    let db = state.db.clone();
    let rows = blocking(move || habs::unused(&db, &auth.0, id, since)).await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(|u| {
                Ok(UnusedDto {
                    habilitation: HabilitationDto::try_from(u.habilitation)?,
                    account: AccountDto::from(u.account),
                    last_seen_at: u.last_seen_at.map(utc),
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?,
    ))
}

/// A partner user to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Full name.
    #[schema(min_length = 1, max_length = 200, example = "Julie Martin")]
    pub full_name: String,
    /// Function.
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Conseillère en économie sociale et familiale"
    )]
    pub function_title: String,
    /// Personal, individual e-mail: where the identifier and activation code go.
    #[schema(
        format = "email",
        min_length = 1,
        max_length = 254,
        example = "julie.martin@ccas-lieusaint.fr"
    )]
    pub email: String,
    /// Telephone (required).
    #[schema(example = "01 64 13 55 01")]
    pub phone: Option<String>,
}

/// Creates a user of the partner (its administrators, or a manager delegated `users`). The
/// person receives their identifier and activation code by message; nobody else sees it.
#[utoipa::path(
    tag = "staff",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = NewUser,
    responses((status = 201, description = "Created, pending activation", body = AccountDto)),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let person = mcp_domain::person::Person::new(
        &b.full_name,
        &b.function_title,
        &b.email,
        b.phone.as_deref(),
    )?;
    let partner = path.into_inner();
    let db = state.db.clone();
    let account = blocking(move || staff::create_user(&db, &auth.0, partner, &person)).await?;
    state.outbox.notify_one();
    Ok(HttpResponse::Created().json(AccountDto::from(account)))
}

/// The partner's staff: administrators and users.
#[utoipa::path(
    tag = "staff",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    responses((status = 200, description = "Its staff", body = Vec<AccountDto>)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let partner = path.into_inner();
    let db = state.db.clone();
    let accounts = blocking(move || staff::list_staff(&db, &auth.0, partner)).await?;
    Ok(HttpResponse::Ok().json(
        accounts
            .into_iter()
            .map(AccountDto::from)
            .collect::<Vec<_>>(),
    ))
}

/// Closes the account of someone who left: sessions end, direct habilitations are devalidated
/// (seats freed, records kept), group memberships and delegation end. The partner's
/// administrators or a manager delegated `users` for users; the Caf for anyone of its partners.
#[utoipa::path(
    tag = "staff",
    params(("account_id" = Uuid, Path, description = "The account")),
    request_body = ReasonInput,
    responses((status = 200, description = "Closed", body = AccountDto)),
    security(("bearer" = [])),
)]
#[post("/accounts/{account_id}/closure")]
pub async fn close_account(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    let db = state.db.clone();
    let account = blocking(move || staff::close_account(&db, &auth.0, id, &reason)).await?;
    Ok(HttpResponse::Ok().json(AccountDto::from(account)))
}

/// A management function that can be delegated.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ManagementFunctionDto {
    /// Create users, suspend and close their accounts.
    Users,
    /// Create groups, change their members.
    Groups,
    /// Grant, suspend, devalidate habilitations; design role bundles.
    Habilitations,
}

impl From<ManagementFunctionDto> for mcp_domain::access::ManagementFunction {
    fn from(f: ManagementFunctionDto) -> Self {
        match f {
            ManagementFunctionDto::Users => Self::Users,
            ManagementFunctionDto::Groups => Self::Groups,
            ManagementFunctionDto::Habilitations => Self::Habilitations,
        }
    }
}

impl From<mcp_domain::access::ManagementFunction> for ManagementFunctionDto {
    fn from(f: mcp_domain::access::ManagementFunction) -> Self {
        use mcp_domain::access::ManagementFunction as F;
        match f {
            F::Users => Self::Users,
            F::Groups => Self::Groups,
            F::Habilitations => Self::Habilitations,
        }
    }
}

/// A delegation: what a delegated manager may do.
#[derive(Debug, Serialize, ToSchema)]
pub struct DelegationDto {
    /// Opaque id.
    pub id: Uuid,
    /// The partner.
    pub partner_id: Uuid,
    /// The delegated manager.
    pub account_id: Uuid,
    /// The functions delegated.
    pub functions: Vec<ManagementFunctionDto>,
    /// The profiles whose habilitations they may hand on.
    pub profile_ids: Vec<Uuid>,
    /// The administrator who gave it.
    pub granted_by: Uuid,
    /// When.
    pub granted_at: chrono::DateTime<Utc>,
    /// When it was withdrawn.
    pub withdrawn_at: Option<chrono::DateTime<Utc>>,
    /// Why.
    pub withdrawn_reason: Option<String>,
}

impl TryFrom<DelegationRow> for DelegationDto {
    type Error = ApiError;
    fn try_from(d: DelegationRow) -> Result<Self, ApiError> {
        let domain = d.to_domain().map_err(ApiError::from)?;
        Ok(Self {
            id: stored_id(&d.id)?,
            partner_id: stored_id(&d.partner_id)?,
            account_id: stored_id(&d.account_id)?,
            functions: domain.functions.into_iter().map(Into::into).collect(),
            profile_ids: domain.profiles,
            granted_by: stored_id(&d.granted_by)?,
            granted_at: utc(d.granted_at),
            withdrawn_at: d.withdrawn_at.map(utc),
            withdrawn_reason: d.withdrawn_reason,
        })
    }
}

/// A delegation to give.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegationInput {
    /// The partner user who becomes a delegated manager.
    pub account_id: Uuid,
    /// The functions delegated.
    pub functions: Vec<ManagementFunctionDto>,
    /// The profiles whose habilitations they may hand on (required with `habilitations`).
    #[serde(default)]
    pub profile_ids: Vec<Uuid>,
}

/// Gives a partner user a delegation (the partner's administrators only). One in force per
/// person.
#[utoipa::path(
    tag = "staff",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = DelegationInput,
    responses((status = 201, description = "Given", body = DelegationDto)),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/delegations")]
pub async fn give_delegation(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<DelegationInput>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let functions: Vec<_> = b.functions.iter().map(|f| (*f).into()).collect();
    let partner = path.into_inner();
    let db = state.db.clone();
    let d = blocking(move || {
        staff::give_delegation(
            &db,
            &auth.0,
            partner,
            b.account_id,
            &functions,
            &b.profile_ids,
        )
    })
    .await?;
    Ok(HttpResponse::Created().json(DelegationDto::try_from(d)?))
}

/// A partner's delegations, those in force first.
#[utoipa::path(
    tag = "staff",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    responses((status = 200, description = "Delegations", body = Vec<DelegationDto>)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/delegations")]
pub async fn list_delegations(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let partner = path.into_inner();
    let db = state.db.clone();
    let rows = blocking(move || staff::list_delegations(&db, &auth.0, partner)).await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(DelegationDto::try_from)
            .collect::<Result<Vec<_>, _>>()?,
    ))
}

/// Withdraws a delegation (the partner's administrators): the manager loses those functions on
/// their next request; the habilitations they granted stay.
#[utoipa::path(
    tag = "staff",
    params(("delegation_id" = Uuid, Path, description = "The delegation")),
    request_body = ReasonInput,
    responses((status = 200, description = "Withdrawn", body = DelegationDto)),
    security(("bearer" = [])),
)]
#[post("/delegations/{delegation_id}/withdrawal")]
pub async fn withdraw_delegation(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<ReasonInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    let db = state.db.clone();
    let d = blocking(move || staff::withdraw_delegation(&db, &auth.0, id, &reason)).await?;
    Ok(HttpResponse::Ok().json(DelegationDto::try_from(d)?))
}

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
            id: stored_id(&g.id)?,
            partner_id: stored_id(&g.partner_id)?,
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
    tag = "staff",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = GroupInput,
    responses((status = 201, description = "Created", body = GroupDto)),
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
    let db = state.db.clone();
    let g = blocking(move || {
        staff::create_group(&db, &auth.0, partner, &b.name, b.description.as_deref())
    })
    .await?;
    let dto = GroupDto::try_from(g)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/groups/{}", dto.id)))
        .json(dto))
}

/// A partner's groups.
#[utoipa::path(
    tag = "staff",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    responses((status = 200, description = "Its groups", body = Vec<GroupDto>)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/groups")]
pub async fn list_groups(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let partner = path.into_inner();
    let db = state.db.clone();
    let gs = blocking(move || staff::list_groups(&db, &auth.0, partner)).await?;
    Ok(HttpResponse::Ok().json(
        gs.into_iter()
            .map(GroupDto::try_from)
            .collect::<Result<Vec<_>, _>>()?,
    ))
}

/// A group and its members.
#[utoipa::path(
    tag = "staff",
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
    let db = state.db.clone();
    let (g, members) = blocking(move || staff::get_group(&db, &auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(GroupDetailDto {
        group: GroupDto::try_from(g)?,
        members: members.into_iter().map(MemberDto::from).collect(),
    }))
}

/// A member to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    /// The person.
    pub account_id: Uuid,
}

/// Adds a person to a group: they then hold every profile the group holds, so each quota is
/// checked (`quota_exceeded`), and nobody adds themselves to a habilitated group (`self_grant`).
#[utoipa::path(
    tag = "staff",
    params(("group_id" = Uuid, Path, description = "The group")),
    request_body = MemberInput,
    responses((status = 201, description = "Added", body = MemberDto)),
    security(("bearer" = [])),
)]
#[post("/groups/{group_id}/members")]
pub async fn add_member(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<MemberInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let account = body.into_inner().account_id;
    let db = state.db.clone();
    let m = blocking(move || staff::add_member(&db, &auth.0, id, account)).await?;
    Ok(HttpResponse::Created().json(MemberDto::from(m)))
}

/// Removes a person from a group: what they held only through it frees its seats.
#[utoipa::path(
    tag = "staff",
    params(("group_id" = Uuid, Path, description = "The group"), ("account_id" = Uuid, Path, description = "The member")),
    responses((status = 204, description = "Removed")),
    security(("bearer" = [])),
)]
#[delete("/groups/{group_id}/members/{account_id}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (group, account) = path.into_inner();
    let db = state.db.clone();
    blocking(move || staff::remove_member(&db, &auth.0, group, account)).await?;
    Ok(HttpResponse::NoContent().finish())
}

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
            id: stored_id(&b.id)?,
            partner_id: stored_id(&b.partner_id)?,
            profile_ids: b.profiles().map_err(ApiError::from)?,
            name: b.name,
            description: b.description,
            created_by: stored_id(&b.created_by)?,
            created_at: utc(b.created_at),
        })
    }
}

/// A role bundle to design.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
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
    tag = "habilitations",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    request_body = RoleBundleInput,
    responses((status = 201, description = "Created", body = RoleBundleDto)),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/role-bundles")]
pub async fn create_bundle(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<RoleBundleInput>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let partner = path.into_inner();
    let db = state.db.clone();
    let bundle = blocking(move || {
        habs::create_bundle(
            &db,
            &auth.0,
            partner,
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
    tag = "habilitations",
    params(("partner_id" = Uuid, Path, description = "The partner")),
    responses((status = 200, description = "Its role bundles", body = Vec<RoleBundleDto>)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/role-bundles")]
pub async fn list_bundles(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let partner = path.into_inner();
    let db = state.db.clone();
    let bs = blocking(move || habs::list_bundles(&db, &auth.0, partner)).await?;
    Ok(HttpResponse::Ok().json(
        bs.into_iter()
            .map(RoleBundleDto::try_from)
            .collect::<Result<Vec<_>, _>>()?,
    ))
}

/// Granting a role bundle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
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
    tag = "habilitations",
    params(("role_bundle_id" = Uuid, Path, description = "The role bundle")),
    request_body = BundleGrantInput,
    responses((status = 201, description = "Granted", body = Vec<HabilitationDto>)),
    security(("bearer" = [])),
)]
#[post("/role-bundles/{role_bundle_id}/grants")]
pub async fn grant_bundle(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<BundleGrantInput>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let holder = holder_of(b.account_id, b.group_id)?;
    let id = path.into_inner();
    let db = state.db.clone();
    let hs =
        blocking(move || habs::grant_bundle(&db, &auth.0, id, holder, b.mission_id, b.ends_on))
            .await?;
    Ok(HttpResponse::Created().json(
        hs.into_iter()
            .map(HabilitationDto::try_from)
            .collect::<Result<Vec<_>, _>>()?,
    ))
}

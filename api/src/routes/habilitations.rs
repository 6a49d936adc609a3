//! Delegated management: a partner's users, delegations, groups, role bundles and
//! habilitations; the Caf's supervision; the views of quotas and holders.

use actix_web::{get, post, web, HttpResponse};
use chrono::{NaiveDate, Utc};
use mcp_domain::habilitation::{HabilitationStatus, Holder};
use mcp_persistence::use_cases::habilitations::{
    self as habs, GrantRequest, HabilitationFilter, HabilitationView, StatusChange,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::auth::AccountDto;
use super::quotas::{group_ref, GroupRef};
use super::traces::TracePage;
use super::PageQuery;
use super::{page_request, run, stored_id, utc};
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
            id: h.id.uuid(),
            partner_id: h.partner_id.uuid(),
            convention_id: h.convention_id.uuid(),
            mission_id: h.mission_id.uuid(),
            subscription_id: h.subscription_id.uuid(),
            profile_id: h.profile_id.uuid(),
            profile_code: v.profile_code,
            holder: HolderDto {
                kind: h.holder_kind,
                id: stored_id(&h.holder_id)?,
                name: v.holder_name,
            },
            status: h.status,
            ends_on: h.ends_on,
            granted_by: h.granted_by.uuid(),
            granted_at: utc(h.granted_at),
            suspended_by_caf: h.suspended_by_caf,
            status_reason: h.status_reason,
            status_changed_at: h.status_changed_at.map(utc),
            devalidated_at: h.devalidated_at.map(utc),
            last_used_at: h.last_used_at.map(utc),
        })
    }
}

super::page_of!(
    /// A page of habilitations.
    HabilitationPage,
    HabilitationDto
);

pub(super) fn holder_of(
    account_id: Option<Uuid>,
    group_id: Option<Uuid>,
) -> Result<Holder, ApiError> {
    match (account_id, group_id) {
        (Some(a), None) => Ok(Holder::Account(a)),
        (None, Some(g)) => Ok(Holder::Group(g)),
        _ => Err(mcp_domain::DomainError::field(
            "account_id",
            "one_holder",
            mcp_domain::msg!("indiquez soit account_id (une personne), soit group_id (un groupe), mais pas les deux", "give either account_id (a person) or group_id (a group), not both"),
        )
        .into()),
    }
}

/// A habilitation to grant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"account_id": "01a20810-0000-7000-8000-0000000000a1", "group_id": null, "profile_id": "4f8fdc96-33f6-52c8-96f9-dbecb9dd46fd", "mission_id": "01a20810-0000-7000-8000-000000000001", "ends_on": "2027-06-30"}))]
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
    responses((status = 201, description = "Granted", body = HabilitationDto, headers(("Location" = String, description = "Where the new object is read")))),
    security(("bearer" = [])),
)]
#[post("/partners/{partner_id}/habilitations")]
pub async fn grant_habilitation(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<GrantInput>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let req = GrantRequest {
        holder: holder_of(b.account_id, b.group_id)?,
        profile_id: b.profile_id.into(),
        mission_id: b.mission_id.into(),
        ends_on: b.ends_on,
    };
    let partner = path.into_inner();
    let h = run(&state, &auth, move |db, ctx| {
        habs::grant(db, ctx, partner.into(), req)
    })
    .await?;
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

impl From<HabilitationStatusDto> for HabilitationStatus {
    fn from(s: HabilitationStatusDto) -> Self {
        match s {
            HabilitationStatusDto::Active => HabilitationStatus::Active,
            HabilitationStatusDto::Suspended => HabilitationStatus::Suspended,
            HabilitationStatusDto::Devalidated => HabilitationStatus::Devalidated,
        }
    }
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
    /// The `next_cursor` of the previous page, as given (400 `invalid_cursor` otherwise).
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
pub async fn list_habilitations(
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
        status: q.status.map(Into::into),
        profile_id: q.profile_id.map(Into::into),
        holder,
    };
    let partner = path.into_inner();
    let p = run(&state, &auth, move |db, ctx| {
        habs::list(db, ctx, partner.into(), &filter, &page)
    })
    .await?;
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
pub async fn get_habilitation(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let h = run(&state, &auth, move |db, ctx| habs::get(db, ctx, id.into())).await?;
    Ok(HttpResponse::Ok().json(HabilitationDto::try_from(h)?))
}

/// Why a status changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Agent parti en mutation le 30 novembre"}))]
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
    let h = run(&state, &auth, move |db, ctx| {
        habs::change_status(db, ctx, id.into(), change, &reason)
    })
    .await?;
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
pub async fn suspend_habilitation(
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
pub async fn reinstate_habilitation(
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
pub async fn devalidate_habilitation(
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
pub async fn get_habilitation_history(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<super::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.request()?;
    let id = path.into_inner();
    let p = run(&state, &auth, move |db, ctx| {
        habs::history(db, ctx, id.into(), &page)
    })
    .await?;
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
            id: q.id.uuid(),
            habilitation_id: q.habilitation_id.uuid(),
            partner_id: q.partner_id.uuid(),
            question: q.question,
            asked_by: q.asked_by.uuid(),
            asked_at: utc(q.asked_at),
            answer: q.answer,
            answered_by: q.answered_by.map(|a| a.uuid()),
            answered_at: q.answered_at.map(utc),
        })
    }
}

super::page_of!(
    /// A page of questions.
    QuestionPage,
    QuestionDto
);

/// A question to ask.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"question": "Pourquoi cet agent d'accueil a-t-il le profil T1 ?"}))]
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
pub async fn ask_habilitation_question(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<QuestionInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let text = body.into_inner().question;
    let q = run(&state, &auth, move |db, ctx| {
        habs::ask(db, ctx, id.into(), &text)
    })
    .await?;
    Ok(HttpResponse::Created().json(QuestionDto::try_from(q)?))
}

/// The questions asked about a habilitation, with their answers, oldest first: the whole list on
/// one page.
#[utoipa::path(
    tag = "habilitations",
    params(("habilitation_id" = Uuid, Path, description = "The habilitation")),
    responses((status = 200, description = "Questions and answers", body = QuestionPage)),
    security(("bearer" = [])),
)]
#[get("/habilitations/{habilitation_id}/questions")]
pub async fn list_habilitation_questions(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let qs = run(&state, &auth, move |db, ctx| {
        habs::questions(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(QuestionPage::whole(
        qs.into_iter()
            .map(QuestionDto::try_from)
            .collect::<Result<_, _>>()?,
    )))
}

/// The Caf's questions a partner has not answered yet.
#[utoipa::path(
    tag = "habilitations",
    params(("partner_id" = Uuid, Path, description = "The partner"), PageQuery),
    responses((status = 200, description = "A page of open questions", body = QuestionPage)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/habilitation-questions")]
pub async fn list_open_habilitation_questions(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let page = page.request()?;
    let qs = run(&state, &auth, move |db, ctx| {
        habs::open_questions(db, ctx, id.into(), &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(QuestionPage::of(qs, QuestionDto::try_from)?))
}

/// An answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"answer": "Instruction des dossiers FSL : l'agent reçoit les demandes d'aide au logement."}))]
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
pub async fn answer_habilitation_question(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<AnswerInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let text = body.into_inner().answer;
    let q = run(&state, &auth, move |db, ctx| {
        habs::answer(db, ctx, id.into(), &text)
    })
    .await?;
    Ok(HttpResponse::Ok().json(QuestionDto::try_from(q)?))
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
pub async fn list_account_habilitations(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (account, held) = run(&state, &auth, move |db, ctx| {
        habs::of_person(db, ctx, id.into())
    })
    .await?;
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
    /// Lines per page, 1 to 200 (default 50); a page ends at a habilitation's last line, so a
    /// group's members are never split.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page, as given (400 `invalid_cursor` otherwise).
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

super::page_of!(
    /// A page of unused habilitations, one line per person reached.
    UnusedPage,
    UnusedDto
);

/// Habilitations of a Caf's partners not used for `days` days: no consultation served through a
/// CDAP habilitation (never used included); for a group's habilitation, also each member who has
/// not signed in since. One line per person reached.
#[utoipa::path(
    tag = "habilitations",
    params(("caf_id" = Uuid, Path, description = "The Caf"), UnusedQuery),
    responses((status = 200, description = "Unused habilitations", body = UnusedPage)),
    security(("bearer" = [])),
)]
#[get("/cafs/{caf_id}/unused-habilitations")]
pub async fn list_unused_habilitations(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<UnusedQuery>,
) -> Result<HttpResponse, ApiError> {
    let days = query.days.unwrap_or(90);
    if !(1..=3650).contains(&days) {
        return Err(ApiError::bad_request(
            "invalid_query",
            mcp_domain::msg!(
                "days doit être compris entre 1 et 3650",
                "days must be between 1 and 3650"
            ),
        ));
    }
    let page = super::page_request(query.limit, query.cursor.clone())?;
    let id = path.into_inner();
    let since = auth.0.now - chrono::Duration::days(days);
    let rows = run(&state, &auth, move |db, ctx| {
        habs::unused(db, ctx, id.into(), since, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(UnusedPage::of(rows, |u| {
        Ok::<_, ApiError>(UnusedDto {
            habilitation: HabilitationDto::try_from(u.habilitation)?,
            account: AccountDto::from(u.account),
            last_seen_at: u.last_seen_at.map(utc),
        })
    })?))
}

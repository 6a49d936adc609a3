//! The reverse review of habilitations (revue inverse, S-art. 2.2.2): campaigns opened by the
//! Caf or the schedule, decided by the partner's principal administrator, completed into a report
//! the Caf receives; and the annual review of a partner (bilan, C-art. 16).

use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use chrono::{NaiveDate, Utc};
use mcp_domain::review::check_verdict;
use mcp_persistence::use_cases::reviews::{
    self, CampaignFilter, CampaignView, Counts, ItemView, StoredReport,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::habilitations::HolderDto;
use super::{page_request, run, stored_id, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// How a campaign's items stand.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountsDto {
    /// Every item.
    pub items: usize,
    /// Awaiting a decision.
    pub pending: usize,
    /// Confirmed.
    pub confirmed: usize,
    /// Removed in the review (devalidated at once).
    pub removed: usize,
    /// Ended otherwise during the campaign: no decision needed.
    pub ended: usize,
}

impl From<Counts> for CountsDto {
    fn from(c: Counts) -> Self {
        Self {
            items: c.items,
            pending: c.pending,
            confirmed: c.confirmed,
            removed: c.removed,
            ended: c.ended,
        }
    }
}

/// A reverse-review campaign: one partner, one year.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignDto {
    /// Opaque id.
    pub id: Uuid,
    /// The Caf.
    pub caf_id: Uuid,
    /// The partner.
    pub partner_id: Uuid,
    /// Its name.
    pub partner_name: String,
    /// The convention opening access when the campaign opened.
    pub convention_id: Uuid,
    /// Its number.
    pub convention_number: String,
    /// The year reviewed.
    #[schema(example = 2027)]
    pub year: i32,
    /// `open` or `completed`.
    #[schema(example = "open")]
    pub status: String,
    /// When it opened.
    pub opened_at: chrono::DateTime<Utc>,
    /// The Caf administrator who opened it; absent when the schedule did.
    pub opened_by: Option<Uuid>,
    /// The day it is due.
    pub due_on: NaiveDate,
    /// Still open after its due day, today.
    pub overdue: bool,
    /// When the Caf was told it is overdue (once).
    pub overdue_notified_at: Option<chrono::DateTime<Utc>>,
    /// When the principal administrator completed it.
    pub completed_at: Option<chrono::DateTime<Utc>>,
    /// Who completed it.
    pub completed_by: Option<Uuid>,
    /// SHA-256 of the report's canonical JSON, hex, once completed.
    pub report_sha256: Option<String>,
    /// How its items stand.
    pub counts: CountsDto,
}

impl TryFrom<CampaignView> for CampaignDto {
    type Error = ApiError;
    fn try_from(v: CampaignView) -> Result<Self, ApiError> {
        let c = v.campaign;
        Ok(Self {
            id: c.id.uuid(),
            caf_id: c.caf_id.uuid(),
            partner_id: c.partner_id.uuid(),
            partner_name: v.partner_name,
            convention_id: c.convention_id.uuid(),
            convention_number: v.convention_number,
            year: c.year,
            status: c.status,
            opened_at: utc(c.opened_at),
            opened_by: c.opened_by.map(|a| a.uuid()),
            due_on: c.due_on,
            overdue: v.overdue,
            overdue_notified_at: c.overdue_notified_at.map(utc),
            completed_at: c.completed_at.map(utc),
            completed_by: c.completed_by.map(|a| a.uuid()),
            report_sha256: c.report_digest,
            counts: v.counts.into(),
        })
    }
}

fn campaigns_dto(vs: Vec<CampaignView>) -> Result<Vec<CampaignDto>, ApiError> {
    vs.into_iter().map(CampaignDto::try_from).collect()
}

super::page_of!(
    /// A page of campaigns.
    CampaignPage,
    CampaignDto
);

/// One habilitation under review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDto {
    /// Opaque id.
    pub id: Uuid,
    /// The habilitation.
    pub habilitation_id: Uuid,
    /// Its holder, named as at opening.
    pub holder: HolderDto,
    /// The profile.
    pub profile_id: Uuid,
    /// Its code.
    #[schema(example = "T13")]
    pub profile_code: String,
    /// The convention mission it serves.
    pub mission_id: Uuid,
    /// The mission's label.
    pub mission_label: String,
    /// When it was granted.
    pub granted_at: chrono::DateTime<Utc>,
    /// Last day of a temporary mission.
    pub ends_on: Option<NaiveDate>,
    /// `active` or `suspended` when the campaign opened.
    pub status_at_opening: String,
    /// The habilitation's status now.
    pub status: String,
    /// Its last CDAP consultation; absent: never used.
    pub last_used_at: Option<chrono::DateTime<Utc>>,
    /// `pending`, `confirmed`, `removed`, or `ended` (the habilitation ended otherwise during
    /// the campaign: nothing to decide).
    #[schema(example = "pending")]
    pub state: String,
    /// Who decided.
    pub decided_by: Option<Uuid>,
    /// Their name.
    pub decided_by_name: Option<String>,
    /// When.
    pub decided_at: Option<chrono::DateTime<Utc>>,
    /// The reason of a removal, or the comment of a confirmation.
    pub reason: Option<String>,
    /// When an ended item's habilitation ended.
    pub ended_at: Option<chrono::DateTime<Utc>>,
}

impl TryFrom<ItemView> for ItemDto {
    type Error = ApiError;
    fn try_from(v: ItemView) -> Result<Self, ApiError> {
        let i = v.item;
        let ended = v.state == mcp_domain::review::ItemState::Ended;
        Ok(Self {
            id: i.id.uuid(),
            habilitation_id: i.habilitation_id.uuid(),
            holder: HolderDto {
                kind: i.holder_kind,
                id: stored_id(&i.holder_id)?,
                name: i.holder_name,
            },
            profile_id: i.profile_id.uuid(),
            profile_code: i.profile_code,
            mission_id: i.mission_id.uuid(),
            mission_label: i.mission_label,
            granted_at: utc(i.granted_at),
            ends_on: i.ends_on,
            status_at_opening: i.status_at_opening,
            status: v.habilitation_status,
            last_used_at: v.last_used_at.map(utc),
            state: v.state.code().into(),
            decided_by: i.decided_by.map(|a| a.uuid()),
            decided_by_name: v.decided_by_name,
            decided_at: i.decided_at.map(utc),
            reason: i.reason,
            ended_at: if ended {
                v.devalidated_at.map(utc)
            } else {
                None
            },
        })
    }
}

/// A campaign and its items.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignDetailDto {
    /// The campaign.
    pub campaign: CampaignDto,
    /// Every habilitation in force when it opened, in grant order.
    pub items: Vec<ItemDto>,
}

/// The year's campaigns to open.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"year": 2027, "due_on": "2027-03-31"}))]
pub struct OpenInput {
    /// The current year.
    #[schema(example = 2027)]
    pub year: i32,
    /// The day the partners must have completed their review by (today at the earliest, within
    /// a year).
    pub due_on: NaiveDate,
}

/// What opening did, partner by partner.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningDto {
    /// Campaigns opened now.
    pub opened: Vec<CampaignDto>,
    /// Campaigns that already existed for that year (left as they were).
    pub existing: Vec<CampaignDto>,
    /// Partners with no convention opening access today: no campaign.
    pub skipped_partners: Vec<Uuid>,
}

/// Opens the year's reverse-review campaigns for every partner of the Caf with a convention
/// opening access (the Caf's administrators). Each campaign lists every habilitation of the
/// partner in force now; its principal administrator is told. Idempotent: a partner's campaign
/// for the year that already exists is returned under `existing`, never opened twice.
#[utoipa::path(
    tag = "reviews",
    params(("caf_id" = Uuid, Path, description = "The Caf")),
    request_body = OpenInput,
    responses((status = 200, description = "Opened and existing campaigns", body = OpeningDto)),
    security(("bearer" = [])),
)]
#[post("/cafs/{caf_id}/review-campaigns")]
pub async fn open_review_campaign(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    body: web::Json<OpenInput>,
) -> Result<HttpResponse, ApiError> {
    let caf = path.into_inner();
    let OpenInput { year, due_on } = body.into_inner();
    let o = run(&state, &auth, move |db, ctx| {
        reviews::open(db, ctx, caf.into(), year, due_on)
    })
    .await?;
    state.outbox.notify_one();
    Ok(HttpResponse::Ok().json(OpeningDto {
        opened: campaigns_dto(o.opened)?,
        existing: campaigns_dto(o.existing)?,
        skipped_partners: o.skipped_partners.iter().map(|p| p.uuid()).collect(),
    }))
}

/// Filters and pagination of a Caf's campaigns.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CafCampaignQuery {
    /// Only this year.
    pub year: Option<i32>,
    /// Only the campaigns overdue today (`true`), or those not overdue (`false`).
    pub overdue: Option<bool>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page, as given (400 `invalid_cursor` otherwise).
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

/// The Caf's campaigns, in opening order (its administrators, the Cnaf), each with `overdue`
/// computed for today.
#[utoipa::path(
    tag = "reviews",
    params(("caf_id" = Uuid, Path, description = "The Caf"), CafCampaignQuery),
    responses((status = 200, description = "Campaigns", body = CampaignPage)),
    security(("bearer" = [])),
)]
#[get("/cafs/{caf_id}/review-campaigns")]
pub async fn list_caf_review_campaigns(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<CafCampaignQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = page_request(q.limit, q.cursor)?;
    let filter = CampaignFilter {
        year: q.year,
        overdue: q.overdue,
    };
    let caf = path.into_inner();
    let p = run(&state, &auth, move |db, ctx| {
        reviews::for_caf(db, ctx, caf.into(), filter, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(CampaignPage {
        items: campaigns_dto(p.items)?,
        next_cursor: p.next_cursor,
    }))
}

/// A partner's campaigns, latest first (its administrators, its Caf, the Cnaf).
#[utoipa::path(
    tag = "reviews",
    params(("partner_id" = Uuid, Path, description = "The partner"), super::PageQuery),
    responses((status = 200, description = "Campaigns", body = CampaignPage)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/review-campaigns")]
pub async fn list_partner_review_campaigns(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<super::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.request()?;
    let partner = path.into_inner();
    let p = run(&state, &auth, move |db, ctx| {
        reviews::for_partner(db, ctx, partner.into(), &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(CampaignPage {
        items: campaigns_dto(p.items)?,
        next_cursor: p.next_cursor,
    }))
}

/// A campaign with its items and where each stands.
#[utoipa::path(
    tag = "reviews",
    params(("campaign_id" = Uuid, Path, description = "The campaign")),
    responses((status = 200, description = "The campaign", body = CampaignDetailDto)),
    security(("bearer" = [])),
)]
#[get("/review-campaigns/{campaign_id}")]
pub async fn get_review_campaign(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (c, items) = run(&state, &auth, move |db, ctx| {
        reviews::get(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(CampaignDetailDto {
        campaign: c.try_into()?,
        items: items
            .into_iter()
            .map(ItemDto::try_from)
            .collect::<Result<_, _>>()?,
    }))
}

/// A decision on one habilitation under review.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "removed", "reason": "Agent parti en mutation"}))]
pub struct DecisionInput {
    /// `confirmed` (kept) or `removed` (devalidated at once).
    #[schema(example = "removed")]
    pub decision: String,
    /// Required for a removal; an optional comment for a confirmation.
    #[schema(max_length = 2000, example = "Agent parti en mutation")]
    pub reason: Option<String>,
}

/// The partner's principal administrator confirms or removes one habilitation under review
/// (not the deputy, nor delegated managers: `principal_administrator_only`). A removal
/// devalidates the habilitation at once (seat freed, record kept, traced); a confirmed item may
/// still be removed while the campaign is open. Refused once the campaign is completed
/// (`review_campaign_completed`) or when the habilitation ended otherwise (`review_item_ended`).
#[utoipa::path(
    tag = "reviews",
    params(
        ("campaign_id" = Uuid, Path, description = "The campaign"),
        ("item_id" = Uuid, Path, description = "The item"),
    ),
    request_body = DecisionInput,
    responses((status = 200, description = "The item as decided", body = ItemDto)),
    security(("bearer" = [])),
)]
#[post("/review-campaigns/{campaign_id}/items/{item_id}/decision")]
pub async fn decide_review_item(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<DecisionInput>,
) -> Result<HttpResponse, ApiError> {
    let (campaign, item) = path.into_inner();
    let b = body.into_inner();
    let verdict = check_verdict(&b.decision, b.reason.as_deref())?;
    let v = run(&state, &auth, move |db, ctx| {
        reviews::decide(db, ctx, campaign.into(), item.into(), &verdict)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ItemDto::try_from(v)?))
}

/// The principal administrator completes the campaign once every item is decided or ended
/// (`review_incomplete` otherwise): the report is produced, its SHA-256 kept, and the Caf's
/// administrators receive it. Nothing changes afterwards.
#[utoipa::path(
    tag = "reviews",
    params(("campaign_id" = Uuid, Path, description = "The campaign")),
    responses((status = 200, description = "Completed", body = CampaignDto)),
    security(("bearer" = [])),
)]
#[post("/review-campaigns/{campaign_id}/completion")]
pub async fn complete_review_campaign(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let c = run(&state, &auth, move |db, ctx| {
        reviews::complete(db, ctx, id.into())
    })
    .await?;
    state.outbox.notify_one();
    Ok(HttpResponse::Ok().json(CampaignDto::try_from(c)?))
}

/// A digest.
#[derive(Debug, Serialize, ToSchema)]
pub struct DigestDto {
    /// The algorithm.
    #[schema(example = "SHA-256")]
    pub algorithm: String,
    /// What was hashed.
    #[schema(example = "RFC 8785 canonical JSON of `report`")]
    pub input: String,
    /// The digest, hex.
    pub value: String,
}

/// A campaign's report, with its digest.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    /// The report: `document`, `campaign_id`, `year`, `caf`, `partner`, `convention`,
    /// `opened_at`, `opened_by`, `due_on`, `completed_at`, `completed_by`, `items` (each with its
    /// habilitation, holder, profile, mission, grant, statuses, last use, `decision`,
    /// `decided_by`, `decided_at`, `reason`, `ended_at`) and `counts`. Its members are written in
    /// canonical order, as hashed.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
    /// SHA-256 of the report's canonical JSON (members sorted, no whitespace), as stored at
    /// completion and sent to the Caf.
    pub digest: DigestDto,
}

fn digest_dto(stored: &StoredReport) -> DigestDto {
    DigestDto {
        algorithm: "SHA-256".into(),
        input: "RFC 8785 canonical JSON of `report`".into(),
        value: stored.digest.clone(),
    }
}

/// A completed campaign's report as JSON (the Caf's administrators, the partner's, the Cnaf);
/// `review_campaign_open` (409) before completion.
#[utoipa::path(
    tag = "reviews",
    params(("campaign_id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The report and its digest", body = ReportDto),
        (status = 409, description = "Not completed yet", body = crate::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/review-campaigns/{campaign_id}/report")]
pub async fn get_review_report(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let stored = run(&state, &auth, move |db, ctx| {
        reviews::report(db, ctx, id.into())
    })
    .await?;
    let report: serde_json::Value =
        serde_json::from_str(&stored.canonical).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(ReportDto {
        digest: digest_dto(&stored),
        report,
    }))
}

/// The same report, printable (HTML, in French); `review_campaign_open` (409) before
/// completion.
#[utoipa::path(
    tag = "reviews",
    params(("campaign_id" = Uuid, Path, description = "The campaign")),
    responses(
        (status = 200, description = "The printable report", content_type = "text/html", body = String),
        (status = 409, description = "Not completed yet", body = crate::problem::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/review-campaigns/{campaign_id}/report.html")]
pub async fn get_review_report_html(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let stored = run(&state, &auth, move |db, ctx| {
        reviews::report(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .body(crate::review_page::render(&stored.report, &stored.digest)))
}

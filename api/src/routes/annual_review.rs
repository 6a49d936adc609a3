//! The annual review of a partner (bilan, C-art. 16), from records that outlive the traces.

use actix_web::{get, web, HttpResponse};
use chrono::Utc;
use mcp_persistence::use_cases::reviews::{self, AnnualReview, CafSuspension};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::habilitations::{HabilitationDto, QuestionDto};
use super::quotas::QuotaUseDto;
use super::reviews::CampaignDto;
use super::{run, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// Consultations of one month.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthDto {
    /// `YYYY-MM`.
    #[schema(example = "2027-03")]
    pub month: String,
    /// Files served.
    pub consultations: i64,
}

/// Consultations for one mission of a profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissionConsultationsDto {
    /// The mission.
    pub mission_id: Uuid,
    /// Its label.
    pub mission_label: String,
    /// Files served over the year.
    pub consultations: i64,
    /// Month by month (months without any left out).
    pub by_month: Vec<MonthDto>,
}

/// Consultations with one profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileConsultationsDto {
    /// The profile.
    pub profile_id: Uuid,
    /// Its code.
    #[schema(example = "T13")]
    pub profile_code: String,
    /// Files served over the year.
    pub consultations: i64,
    /// By mission.
    pub missions: Vec<MissionConsultationsDto>,
}

/// Consultations over the year.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationsDto {
    /// Files served over the year, every profile.
    pub total: i64,
    /// By profile.
    pub by_profile: Vec<ProfileConsultationsDto>,
}

/// A precautionary suspension by the Caf.
#[derive(Debug, Serialize, ToSchema)]
pub struct CafSuspensionDto {
    /// Opaque id.
    pub id: Uuid,
    /// The habilitation.
    pub habilitation_id: Uuid,
    /// Why.
    pub reason: String,
    /// The Caf administrator (absent for suspensions recorded before they were kept apart).
    pub suspended_by: Option<Uuid>,
    /// When.
    pub suspended_at: chrono::DateTime<Utc>,
    /// Who lifted it.
    pub lifted_by: Option<Uuid>,
    /// When.
    pub lifted_at: Option<chrono::DateTime<Utc>>,
    /// Why.
    pub lift_reason: Option<String>,
}

impl TryFrom<CafSuspension> for CafSuspensionDto {
    type Error = ApiError;
    fn try_from(s: CafSuspension) -> Result<Self, ApiError> {
        Ok(Self {
            id: s.id.uuid(),
            habilitation_id: s.habilitation_id.uuid(),
            reason: s.reason,
            suspended_by: s.suspended_by.map(|a| a.uuid()),
            suspended_at: utc(s.suspended_at),
            lifted_by: s.lifted_by.map(|a| a.uuid()),
            lifted_at: s.lifted_at.map(utc),
            lift_reason: s.lift_reason,
        })
    }
}

/// The Caf's supervision during the year.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupervisionDto {
    /// Questions asked about the partner's habilitations (S-art. 2.2.1).
    pub questions: Vec<QuestionDto>,
    /// Precautionary suspensions.
    pub caf_suspensions: Vec<CafSuspensionDto>,
}

/// The annual review of a partner (bilan, C-art. 16).
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnualReviewDto {
    /// The partner.
    pub partner_id: Uuid,
    /// Its name.
    pub partner_name: String,
    /// Its SIRET.
    pub siret: String,
    /// The year.
    #[schema(example = 2027)]
    pub year: i32,
    /// Per profile: people habilitated now against the quota.
    pub profiles: Vec<QuotaUseDto>,
    /// Files served over the year, per profile and mission (kept beyond the traces' six
    /// months).
    pub consultations: ConsultationsDto,
    /// Habilitations in force at some moment of the year never used for a consultation.
    pub never_used: Vec<HabilitationDto>,
    /// The Caf's supervision during the year.
    pub supervision: SupervisionDto,
    /// The year's reverse review, if opened.
    pub review_campaign: Option<CampaignDto>,
}

impl TryFrom<AnnualReview> for AnnualReviewDto {
    type Error = ApiError;
    fn try_from(a: AnnualReview) -> Result<Self, ApiError> {
        let by_profile = a
            .consultations
            .into_iter()
            .map(|p| {
                Ok(ProfileConsultationsDto {
                    profile_id: p.profile_id.uuid(),
                    profile_code: p.profile_code,
                    consultations: p.consultations,
                    missions: p
                        .missions
                        .into_iter()
                        .map(|m| {
                            Ok(MissionConsultationsDto {
                                mission_id: m.mission_id.uuid(),
                                mission_label: m.mission_label,
                                consultations: m.consultations,
                                by_month: m
                                    .by_month
                                    .into_iter()
                                    .map(|(month, consultations)| MonthDto {
                                        month,
                                        consultations,
                                    })
                                    .collect(),
                            })
                        })
                        .collect::<Result<_, ApiError>>()?,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok(Self {
            partner_id: a.partner.id.uuid(),
            partner_name: a.partner.name,
            siret: a.partner.siret,
            year: a.year,
            profiles: a
                .quotas
                .into_iter()
                .map(QuotaUseDto::try_from)
                .collect::<Result<_, _>>()?,
            consultations: ConsultationsDto {
                total: by_profile.iter().map(|p| p.consultations).sum(),
                by_profile,
            },
            never_used: a
                .never_used
                .into_iter()
                .map(HabilitationDto::try_from)
                .collect::<Result<_, _>>()?,
            supervision: SupervisionDto {
                questions: a
                    .questions
                    .into_iter()
                    .map(QuestionDto::try_from)
                    .collect::<Result<_, _>>()?,
                caf_suspensions: a
                    .caf_suspensions
                    .into_iter()
                    .map(CafSuspensionDto::try_from)
                    .collect::<Result<_, _>>()?,
            },
            review_campaign: a.campaign.map(CampaignDto::try_from).transpose()?,
        })
    }
}

/// The year of an annual review.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AnnualReviewQuery {
    /// The year, 2000 to 9999 (default: the current year).
    #[param(minimum = 2000, maximum = 9999)]
    pub year: Option<i32>,
}

/// The annual review of a partner (bilan, C-art. 16; the Caf's administrators, the partner's,
/// the Cnaf): per profile, people habilitated now against the quota; consultations per profile
/// and mission over the year; habilitations in force during the year never used; the Caf's
/// questions and precautionary suspensions of the year; the year's reverse review.
#[utoipa::path(
    tag = "annual review",
    params(("partner_id" = Uuid, Path, description = "The partner"), AnnualReviewQuery),
    responses((status = 200, description = "The annual review", body = AnnualReviewDto)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/annual-review")]
pub async fn get_annual_review(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    query: web::Query<AnnualReviewQuery>,
) -> Result<HttpResponse, ApiError> {
    use chrono::Datelike;
    let year = query.year.unwrap_or_else(|| auth.0.today().year());
    if !(2000..=9999).contains(&year) {
        return Err(ApiError::bad_request(
            "invalid_query",
            mcp_domain::msg!(
                "year doit être compris entre 2000 et 9999",
                "year must be between 2000 and 9999"
            ),
        ));
    }
    let partner = path.into_inner();
    let a = run(&state, &auth, move |db, ctx| {
        reviews::annual_review(db, ctx, partner.into(), year)
    })
    .await?;
    Ok(HttpResponse::Ok().json(AnnualReviewDto::try_from(a)?))
}

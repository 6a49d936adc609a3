//! A convention's amendments (avenants, C-art. 17.3): each with the documents as they were
//! before and as it made them.

use actix_web::{get, web, HttpResponse};
use chrono::{NaiveDate, Utc};
use mcp_persistence::use_cases::conventions::{self, Amendment};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::run;
use super::utc;
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// An amendment (avenant), with the version it replaced and the one it made.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmendmentDto {
    /// Opaque id.
    pub id: Uuid,
    /// Number: 1, 2, …
    pub number: i32,
    /// Part changed: `missions`, `signatories`, `contract`, `subscription`.
    pub subject: String,
    /// What it changes.
    pub summary: String,
    /// Caf's signature.
    pub caf_signed_on: NaiveDate,
    /// Partner's signature.
    pub partner_signed_on: NaiveDate,
    /// The documents as they were before (missions, contract, subscriptions).
    #[schema(value_type = Object)]
    pub previous_version: serde_json::Value,
    /// The documents as this amendment made them.
    #[schema(value_type = Object)]
    pub new_version: serde_json::Value,
    /// The account that recorded it.
    pub recorded_by: Uuid,
    /// When it was recorded.
    pub created_at: chrono::DateTime<Utc>,
}

impl TryFrom<Amendment> for AmendmentDto {
    type Error = ApiError;
    fn try_from(a: Amendment) -> Result<Self, ApiError> {
        Ok(Self {
            id: a.id.uuid(),
            number: a.number,
            subject: a.subject,
            summary: a.summary,
            caf_signed_on: a.caf_signed_on,
            partner_signed_on: a.partner_signed_on,
            previous_version: serde_json::from_str(&a.previous_version)
                .map_err(ApiError::internal)?,
            new_version: serde_json::from_str(&a.new_version).map_err(ApiError::internal)?,
            recorded_by: a.recorded_by.uuid(),
            created_at: utc(a.created_at),
        })
    }
}

/// The amendments of a convention, in order, each with the version it replaced.
#[utoipa::path(
    tag = "conventions",
    params(("convention_id" = Uuid, Path, description = "The convention")),
    responses((status = 200, description = "The amendments", body = AmendmentPage)),
    security(("bearer" = [])),
)]
#[get("/conventions/{convention_id}/amendments")]
pub async fn list_amendments(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let list = run(&state, &auth, move |db, ctx| {
        conventions::amendments(db, ctx, id.into())
    })
    .await?;
    Ok(HttpResponse::Ok().json(AmendmentPage::whole(
        list.into_iter()
            .map(AmendmentDto::try_from)
            .collect::<Result<_, _>>()?,
    )))
}

super::page_of!(
    /// The amendments, all on one page.
    AmendmentPage,
    AmendmentDto
);

//! Reading traces (Cnaf operators, for now; the readers of each perimeter come with the
//! traceability work).

use actix_web::{get, web, HttpResponse};
use chrono::Utc;
use mcp_persistence::trace::{Trace, TraceFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{blocking, page_request, stored_id, utc};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// One traced action.
#[derive(Debug, Serialize, ToSchema)]
pub struct TraceDto {
    /// Opaque id, time-ordered.
    pub id: Uuid,
    /// When.
    pub occurred_at: chrono::DateTime<Utc>,
    /// The `X-Request-Id` of the request.
    pub request_id: Option<String>,
    /// The person who acted.
    pub actor_account_id: Option<Uuid>,
    /// Their role.
    pub actor_role: Option<String>,
    /// Their organisation's kind: `cnaf`, `caf`.
    pub organisation_kind: Option<String>,
    /// Their organisation.
    pub organisation_id: Option<Uuid>,
    /// What was done: `partner.created`, `auth.login`…
    #[schema(example = "partner.created")]
    pub action: String,
    /// Kind of object.
    pub target_type: Option<String>,
    /// The object.
    pub target_id: Option<Uuid>,
    /// The Caf whose perimeter the object is in.
    pub caf_id: Option<Uuid>,
    /// The partner software that acted for the person, if any.
    pub client_id: Option<Uuid>,
    /// `success` or `denied`.
    pub outcome: String,
    /// What changed.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

fn opt_uuid(s: Option<String>) -> Option<Uuid> {
    s.and_then(|s| Uuid::parse_str(&s).ok())
}

impl TryFrom<Trace> for TraceDto {
    type Error = ApiError;
    fn try_from(t: Trace) -> Result<Self, ApiError> {
        Ok(Self {
            id: stored_id(&t.id)?,
            occurred_at: utc(t.occurred_at),
            request_id: t.request_id,
            actor_account_id: opt_uuid(t.actor_account_id),
            actor_role: t.actor_role,
            organisation_kind: t.organisation_kind,
            organisation_id: opt_uuid(t.organisation_id),
            action: t.action,
            target_type: t.target_type,
            target_id: opt_uuid(t.target_id),
            caf_id: opt_uuid(t.caf_id),
            client_id: opt_uuid(t.client_id),
            outcome: t.outcome,
            detail: serde_json::from_str(&t.detail).map_err(ApiError::internal)?,
        })
    }
}

/// A page of traces.
#[derive(Debug, Serialize, ToSchema)]
pub struct TracePage {
    /// The traces, oldest first.
    pub items: Vec<TraceDto>,
    /// Cursor of the next page, absent on the last.
    pub next_cursor: Option<String>,
}

/// Filters and pagination of traces.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TraceQuery {
    /// Only traces about this object.
    pub target_id: Option<Uuid>,
    /// Only traces by this person.
    pub actor_account_id: Option<Uuid>,
    /// Only this action.
    pub action: Option<String>,
    /// Only this request.
    pub request_id: Option<String>,
    /// Only actions made through this partner software.
    pub client_id: Option<Uuid>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

/// Traces of actions, oldest first.
#[utoipa::path(
    tag = "traces",
    params(TraceQuery),
    responses((status = 200, description = "A page of traces", body = TracePage)),
    security(("bearer" = [])),
)]
#[get("/traces")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Authenticated,
    q: web::Query<TraceQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let page = page_request(q.limit, q.cursor)?;
    let filter = TraceFilter {
        target_id: q.target_id,
        actor_account_id: q.actor_account_id,
        action: q.action,
        request_id: q.request_id,
        client_id: q.client_id,
    };
    let db = state.db.clone();
    let p = blocking(move || mcp_persistence::trace::read(&db, &auth.0, &filter, &page)).await?;
    Ok(HttpResponse::Ok().json(self::page(p)?))
}

/// Shapes a page of traces.
pub fn page(
    p: mcp_persistence::Page<mcp_persistence::trace::Trace>,
) -> Result<TracePage, ApiError> {
    Ok(TracePage {
        items: p
            .items
            .into_iter()
            .map(TraceDto::try_from)
            .collect::<Result<_, _>>()?,
        next_cursor: p.next_cursor,
    })
}

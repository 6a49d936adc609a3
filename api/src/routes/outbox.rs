//! Messages to people that could not be delivered: what the Cnaf's operators see and queue
//! again.

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use mcp_persistence::use_cases::outbox::{self, SetAside};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{run, stored_id, utc, PageQuery};
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// A message set aside after its last attempt. Its body is never shown: it may carry a
/// one-time code.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "01a20810-0000-7000-8000-0000000000d1", "recipient": "julie.martin@ccas-lieusaint.fr", "subject": "Votre compte Mon Compte Partenaire", "created_at": "2026-12-01T08:00:00Z", "attempts": 10, "last_error": "relay refused: 550 mailbox unavailable", "set_aside_at": "2026-12-01T11:03:30Z"}))]
pub struct SetAsideDto {
    /// Opaque id.
    pub id: Uuid,
    /// Who it is for.
    pub recipient: String,
    /// Its subject.
    pub subject: String,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// Attempts made.
    pub attempts: i32,
    /// What the mail relay or folder said the last time.
    pub last_error: Option<String>,
    /// When it was set aside.
    pub set_aside_at: Option<DateTime<Utc>>,
}

impl TryFrom<SetAside> for SetAsideDto {
    type Error = ApiError;
    fn try_from(m: SetAside) -> Result<Self, ApiError> {
        Ok(Self {
            id: stored_id(&m.id)?,
            recipient: m.recipient,
            subject: m.subject,
            created_at: utc(m.created_at),
            attempts: m.attempts,
            last_error: m.last_error,
            set_aside_at: m.set_aside_at.map(utc),
        })
    }
}

super::page_of!(
    /// A page of messages set aside.
    SetAsidePage,
    SetAsideDto
);

/// The messages to people that the mail relay or folder kept refusing: after ten attempts over
/// about three hours, a message is set aside instead of being tried forever (Cnaf operators).
#[utoipa::path(
    tag = "operations",
    params(PageQuery),
    responses((status = 200, description = "A page of messages set aside", body = SetAsidePage)),
    security(("bearer" = [])),
)]
#[get("/outbox/set-aside")]
pub async fn list_set_aside_messages(
    state: web::Data<AppState>,
    auth: Authenticated,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page.request()?;
    let p = run(&state, &auth, move |db, ctx| {
        outbox::set_aside(db, ctx, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(SetAsidePage::of(p, SetAsideDto::try_from)?))
}

/// Queues a message set aside again, its attempts starting over (once the relay is repaired);
/// traced (Cnaf operators).
#[utoipa::path(
    tag = "operations",
    params(("message_id" = Uuid, Path, description = "The message")),
    responses((status = 200, description = "Queued again", body = SetAsideDto)),
    security(("bearer" = [])),
)]
#[post("/outbox/{message_id}/retry")]
pub async fn retry_message(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let m = run(&state, &auth, move |db, ctx| outbox::retry(db, ctx, id)).await?;
    state.outbox.notify_one();
    Ok(HttpResponse::Ok().json(SetAsideDto::try_from(m)?))
}

//! A partner's staff: users created by its managers, and closing the account of someone who left.

use actix_web::{get, post, web, HttpResponse};
use mcp_persistence::use_cases::staff::{self};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::AccountDto;
use super::cafs::AccountPage;
use super::habilitations::ReasonInput;
use super::run;
use super::PageQuery;
use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// A partner user to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"full_name": "Julie Martin", "function_title": "Conseillère en économie sociale et familiale", "email": "julie.martin@ccas-lieusaint.fr", "phone": "01 64 13 55 01"}))]
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
pub async fn create_partner_user(
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
    let account = run(&state, &auth, move |db, ctx| {
        staff::create_user(db, ctx, partner.into(), &person)
    })
    .await?;
    state.outbox.notify_one();
    Ok(HttpResponse::Created().json(AccountDto::from(account)))
}

/// The partner's staff: administrators and users.
#[utoipa::path(
    tag = "staff",
    params(("partner_id" = Uuid, Path, description = "The partner"), PageQuery),
    responses((status = 200, description = "A page of its staff", body = AccountPage)),
    security(("bearer" = [])),
)]
#[get("/partners/{partner_id}/users")]
pub async fn list_partner_users(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<Uuid>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let partner = path.into_inner();
    let page = page.request()?;
    let accounts = run(&state, &auth, move |db, ctx| {
        staff::list_staff(db, ctx, partner.into(), &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(AccountPage::of(accounts, |a| {
        Ok::<_, ApiError>(AccountDto::from(a))
    })?))
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
    let account = run(&state, &auth, move |db, ctx| {
        staff::close_account(db, ctx, id.into(), &reason)
    })
    .await?;
    Ok(HttpResponse::Ok().json(AccountDto::from(account)))
}

//! HTTP routes under `/api/v1`: each module reads the request, calls one use case, and shapes
//! the response. No business rule lives here.

pub mod auth;
pub mod cafs;
pub mod catalogue;
pub mod cdap;
pub mod conventions;
pub mod habilitations;
pub mod oauth;
pub mod partners;
pub mod requests;
pub mod reviews;
pub mod subscriptions;
pub mod traces;
pub mod types;

use actix_web::web;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::problem::ApiError;

/// Runs a use case on the blocking pool: diesel is synchronous.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> mcp_persistence::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    web::block(f)
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
}

/// A stored identifier, read back (a stored one that does not parse is an internal error).
pub fn stored_id(s: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(s).map_err(ApiError::internal)
}

/// A stored UTC instant, as RFC 3339.
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Pagination of lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[param(max_length = 64)]
    pub cursor: Option<String>,
}

impl PageQuery {
    /// Checks the bounds and gives the persistence request.
    pub fn request(&self) -> Result<mcp_persistence::PageRequest, ApiError> {
        page_request(self.limit, self.cursor.clone())
    }
}

/// Checks page bounds.
pub fn page_request(
    limit: Option<i64>,
    cursor: Option<String>,
) -> Result<mcp_persistence::PageRequest, ApiError> {
    if let Some(l) = limit {
        if !(1..=mcp_persistence::page::MAX_LIMIT).contains(&l) {
            return Err(ApiError::bad_request(
                "invalid_query",
                "limit must be between 1 and 200",
            ));
        }
    }
    if cursor.as_deref().is_some_and(|c| c.len() > 64) {
        return Err(ApiError::bad_request(
            "invalid_query",
            "cursor is not one this service gave",
        ));
    }
    Ok(mcp_persistence::PageRequest { limit, cursor })
}

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope(crate::openapi::BASE_PATH)
            .service(auth::login)
            .service(auth::activate)
            .service(auth::request_password_reset)
            .service(auth::confirm_password_reset)
            .service(auth::commitment)
            .service(crate::jwks)
            .service(auth::refresh)
            .service(auth::logout)
            .service(auth::logout_everywhere)
            .service(auth::me)
            .service(auth::my_sessions)
            .service(auth::end_session)
            .service(auth::change_password)
            .service(auth::enrol_totp)
            .service(auth::confirm_totp)
            .service(auth::remove_totp)
            .service(cafs::suspend)
            .service(cafs::reinstate)
            .service(cafs::end_sessions)
            .service(cafs::require_password_change)
            .service(cafs::set_second_factor_requirement)
            .service(cafs::create)
            .service(cafs::list)
            .service(cafs::get)
            .service(cafs::update)
            .service(cafs::add_administrator)
            .service(cafs::administrators)
            .service(catalogue::list)
            .service(catalogue::get)
            .service(partners::create)
            .service(partners::list)
            .service(partners::get)
            .service(partners::update)
            .service(partners::name_administrator)
            .service(partners::administrators)
            .service(conventions::create)
            .service(conventions::list_for_partner)
            .service(conventions::get)
            .service(conventions::update)
            .service(conventions::sign)
            .service(conventions::complete_rgpd)
            .service(conventions::notify_termination)
            .service(conventions::withdraw_termination)
            .service(conventions::get_contract)
            .service(conventions::update_contract)
            .service(conventions::amendments)
            .service(subscriptions::create)
            .service(subscriptions::list)
            .service(subscriptions::get)
            .service(subscriptions::update_quotas)
            .service(cafs::add_cnaf_auditor)
            .service(cafs::add_caf_auditor)
            .service(cafs::auditors)
            .service(traces::list)
            .service(traces::export)
            .service(traces::verify_chain)
            .service(traces::purges)
            .service(traces::subject_access)
            .service(habilitations::grant)
            .service(habilitations::list)
            .service(habilitations::get)
            .service(habilitations::suspend)
            .service(habilitations::reinstate)
            .service(habilitations::devalidate)
            .service(habilitations::history)
            .service(habilitations::ask)
            .service(habilitations::questions)
            .service(habilitations::open_questions)
            .service(habilitations::answer)
            .service(habilitations::quota_use)
            .service(habilitations::caf_quota_use)
            .service(habilitations::holders)
            .service(habilitations::of_person)
            .service(habilitations::unused)
            .service(habilitations::create_user)
            .service(habilitations::list_users)
            .service(habilitations::close_account)
            .service(habilitations::give_delegation)
            .service(habilitations::list_delegations)
            .service(habilitations::withdraw_delegation)
            .service(habilitations::create_group)
            .service(habilitations::list_groups)
            .service(habilitations::get_group)
            .service(habilitations::add_member)
            .service(habilitations::remove_member)
            .service(habilitations::create_bundle)
            .service(habilitations::list_bundles)
            .service(habilitations::grant_bundle)
            .service(requests::file)
            .service(requests::for_partner)
            .service(requests::inbox)
            .service(requests::get)
            .service(requests::edit)
            .service(requests::submit)
            .service(requests::withdraw)
            .service(requests::request_changes)
            .service(requests::refuse)
            .service(requests::approve)
            .service(requests::escalation_contacts)
            .service(reviews::open)
            .service(reviews::for_caf)
            .service(reviews::for_partner)
            .service(reviews::get)
            .service(reviews::decide)
            .service(reviews::complete)
            .service(reviews::report)
            .service(reviews::report_html)
            .service(reviews::annual_review)
            .service(cdap::import)
            .service(cdap::consult)
            .service(cdap::search)
            .service(oauth::register)
            .service(oauth::list)
            .service(oauth::revoke)
            .service(oauth::approve)
            .service(oauth::authorize_page)
            .service(oauth::authorize_submit)
            .service(oauth::token),
    );
}

//! HTTP routes under `/api/v1`: each module reads the request, calls one use case, and shapes
//! the response. No business rule lives here.

pub mod accounts;
pub mod amendments;
pub mod annual_review;
pub mod auditors;
pub mod auth;
pub mod bundles;
pub mod cafs;
pub mod catalogue;
pub mod cdap;
pub mod conventions;
pub mod delegations;
pub mod documents;
pub mod errors;
pub mod exports;
pub mod groups;
pub mod habilitations;
pub mod incidents;
pub mod maintenance;
pub mod me;
pub mod meetings;
pub mod oauth;
pub mod oauth_token;
pub mod oidc;
pub mod outbox;
pub mod partners;
pub mod providers;
pub mod quotas;
pub mod request_forms;
pub mod requests;
pub mod reviews;
pub mod service_centre;
pub(crate) mod sign_in_cookies;
pub mod software;
pub mod staff;
pub mod subscriptions;
pub mod support;
pub mod trace_integrity;
pub mod traces;
pub mod types;

use actix_web::web;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use mcp_persistence::{Ctx, Database};

use crate::auth::Authenticated;
use crate::problem::ApiError;
use crate::state::AppState;

/// Runs a use case that no authenticated person asked for (sign-in, activation, the token
/// endpoint) on the blocking pool: diesel is synchronous.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> mcp_persistence::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    web::block(f)
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)
}

/// Runs a use case for the authenticated caller on the blocking pool (diesel is synchronous),
/// through the runner that traces what the rules refuse. Every authenticated route calls its use
/// case this way.
pub async fn run<T: Send + 'static>(
    state: &web::Data<AppState>,
    auth: &Authenticated,
    use_case: impl FnOnce(&Database, &Ctx) -> mcp_persistence::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let db = state.db.clone();
    let ctx = auth.0.clone();
    blocking(move || mcp_persistence::use_cases::run(&db, &ctx, use_case)).await
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
    /// The `next_cursor` of the previous page, as given (400 `invalid_cursor` otherwise).
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
                mcp_domain::msg!(
                    "limit doit être compris entre 1 et 200",
                    "limit must be between 1 and 200"
                ),
            ));
        }
    }
    // Cursors are the id of the last item of a page: anything else was not given here.
    if cursor
        .as_deref()
        .is_some_and(|c| uuid::Uuid::parse_str(c).is_err())
    {
        return Err(ApiError::bad_request(
            "invalid_cursor",
            mcp_domain::msg!("ce curseur n'a pas été donné par le service : redemandez la première page, sans curseur", "this cursor is not one this service gave: ask for the first page again, without it"),
        ));
    }
    Ok(mcp_persistence::PageRequest { limit, cursor })
}

/// Declares the page type of a list: `{items, next_cursor}`, the one shape of every list.
macro_rules! page_of {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            /// The items of this page.
            pub items: Vec<$item>,
            /// Cursor of the next page, absent on the last.
            pub next_cursor: Option<String>,
        }

        impl $name {
            /// Shapes a page of the store's items.
            pub fn of<T, E>(
                page: mcp_persistence::Page<T>,
                item: impl FnMut(T) -> Result<$item, E>,
            ) -> Result<Self, E> {
                Ok(Self {
                    items: page.items.into_iter().map(item).collect::<Result<_, _>>()?,
                    next_cursor: page.next_cursor,
                })
            }

            /// A list that always comes whole, on one page.
            pub fn whole(items: Vec<$item>) -> Self {
                Self {
                    items,
                    next_cursor: None,
                }
            }
        }
    };
}
pub(crate) use page_of;

/// A refusal an operation lists: a domain code by its `ErrorCode` variant, or one of the HTTP
/// layer's (`problem::layer_codes`) by its text.
macro_rules! refusal {
    ($code:ident) => {
        mcp_domain::ErrorCode::$code.as_str()
    };
    ($code:literal) => {
        $code
    };
}

/// What a secured operation asks of the token that calls it: the function its use case
/// authorizes, whose scope (`Function::scope`) software acting for the person must have been
/// granted; or only a valid token, whatever its scopes (ending the session it acts in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Function(mcp_domain::access::Function),
    AnyToken,
}

impl Needs {
    /// The scope software acting for a person needs; `None` when it needs none or may not call
    /// the operation at all (`software_may_call` tells them apart).
    pub fn scope(self) -> Option<mcp_domain::access::Scope> {
        match self {
            Needs::Function(f) => f.scope(),
            Needs::AnyToken => None,
        }
    }

    /// Whether software acting for a person may call the operation at all.
    pub fn software_may_call(self) -> bool {
        match self {
            Needs::Function(f) => f.scope().is_some(),
            Needs::AnyToken => true,
        }
    }
}

/// What an operation needs, written `(Function)` or `(any)` in the list of operations.
macro_rules! needs {
    (optional) => {
        None
    };
    (optional $needs:ident) => {
        Some(needs!($needs))
    };
    (any) => {
        Needs::AnyToken
    };
    ($function:ident) => {
        Needs::Function(mcp_domain::access::Function::$function)
    };
}

/// Lists every operation once: the macro both registers the handler and adds its documentation
/// to the contract, so that a route cannot be served undocumented or documented unserved. Each
/// secured operation says, in parentheses, the function its use case authorizes (so the
/// contract gives the OAuth scope software needs for it), and lists, in brackets, the refusals
/// its use case can give beyond those of the HTTP layer; the contract declares them as the
/// `code` enum of its problem responses, and every answer of the integration suite is checked
/// against it (and every success of a software token against the scope declared).
macro_rules! operations {
    ($( $($segment:ident)::+ $(( $needs:ident ))? $([ $($code:tt),* $(,)? ])? ),* $(,)?) => {
        /// The documented paths of every operation.
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($( $($segment)::+ ),*))]
        pub struct Operations;

        /// Registers every route, in the order the list gives (actix matches in that order).
        pub fn configure(cfg: &mut web::ServiceConfig) {
            cfg.service(web::scope(crate::openapi::BASE_PATH)$(.service($($segment)::+))*);
        }

        /// The refusals an operation lists, by its operationId (its handler's name).
        pub fn refusals(operation_id: &str) -> &'static [&'static str] {
            const TABLE: &[(&str, &[&str])] = &[$(
                (stringify!($($segment)::+), &[$($(refusal!($code)),*)?]),
            )*];
            TABLE
                .iter()
                .find(|(path, _)| path.rsplit("::").next().map(str::trim) == Some(operation_id))
                .map(|(_, codes)| *codes)
                .unwrap_or(&[])
        }

        /// What a secured operation needs of its token, by its operationId; `None` for a
        /// public operation.
        pub fn needs(operation_id: &str) -> Option<Needs> {
            const TABLE: &[(&str, Option<Needs>)] = &[$(
                (stringify!($($segment)::+), needs!(optional $($needs)?)),
            )*];
            TABLE
                .iter()
                .find(|(path, _)| path.rsplit("::").next().map(str::trim) == Some(operation_id))
                .and_then(|(_, needs)| *needs)
        }
    };
}

operations!(
    auth::login ["otp_required", "too_many_attempts", "unauthenticated", "service_busy"],
    auth::activate_account [ActivationRefused, "service_busy"],
    auth::request_password_reset,
    auth::confirm_password_reset [ResetRefused, "too_many_attempts", "service_busy"],
    auth::get_commitment,
    crate::get_jwks,
    auth::refresh_session [RefreshRefused, "unauthenticated"],
    auth::logout (any) ["unauthenticated"],
    me::logout_everywhere (ManageOwnAccount),
    me::get_me (ReadOwnAccount),
    me::list_my_sessions (ManageOwnAccount),
    me::end_my_session (ManageOwnAccount),
    me::change_my_password (ManageOwnAccount) ["too_many_attempts", "service_busy"],
    me::enrol_totp (ManageOwnAccount) [TotpAlreadyEnrolled],
    me::confirm_totp (ManageOwnAccount) [NoPendingEnrolment],
    me::remove_totp (ManageOwnAccount) [NoPendingEnrolment, "service_busy"],
    accounts::suspend_account (SuperviseStaff) [AccountStatusConflict, AdministratorUntouchable, OwnAccount],
    accounts::reinstate_account (SuperviseStaff) [AccountStatusConflict, AdministratorUntouchable, OwnAccount],
    accounts::end_account_sessions (SuperviseStaff) [AdministratorUntouchable, OwnAccount],
    accounts::require_password_change (SuperviseStaff) [AccountStatusConflict, AdministratorUntouchable, OwnAccount],
    cafs::set_second_factor_requirement (ManageCafSecurity),
    cafs::create_caf (ManageCafs) [CafAlreadyRegistered],
    cafs::list_cafs (ReadCaf),
    cafs::get_caf (ReadCaf),
    cafs::update_caf (ManageCafs) [CafAlreadyRegistered],
    cafs::add_caf_administrator (ManageCafAdministrators),
    cafs::list_caf_administrators (ReadCaf),
    catalogue::list_services (ReadCatalogue),
    catalogue::get_service (ReadCatalogue),
    catalogue::get_profile (ReadCatalogue),
    catalogue::add_profile (ManageCatalogue) [ProfileCodeTaken],
    catalogue::change_profile (ManageCatalogue),
    errors::list_error_codes,
    providers::file_provider_notice (DeclareProviders) [ConventionTerminated],
    providers::list_provider_notices (ReadRequests),
    providers::get_provider_notice (ReadRequests),
    providers::record_provider_notice_receipt (ManagePartners) [NoticeAlreadyReceived],
    providers::add_provider_notice_observation (ManagePartners),
    incidents::report_security_incident (ReportIncidents),
    incidents::list_security_incidents (ReadRequests),
    incidents::get_security_incident (ReadRequests),
    incidents::record_incident_measure (ReportIncidents) [IncidentClosed],
    incidents::suspend_incident_accesses (HandleIncidents) [IncidentClosed],
    incidents::close_security_incident (HandleIncidents) [IncidentClosed],
    service_centre::get_partner_service_centre (ReadPartners) [ConventionNotActive],
    support::file_support_request (FileSupportRequests) [ConventionNotActive],
    support::list_partner_support_requests (FileSupportRequests),
    support::list_caf_support_requests (AnswerSupportRequests),
    support::list_caf_escalations (AnswerSupportRequests),
    support::get_support_request (FileSupportRequests),
    support::post_support_message (FileSupportRequests) [SupportRequestClosed],
    support::take_support_request (AnswerSupportRequests) [SupportRequestClosed, SupportRequestStatusConflict],
    support::route_support_request (AnswerSupportRequests) [SupportRequestClosed, SupportRequestStatusConflict],
    support::resolve_support_request (AnswerSupportRequests) [SupportRequestClosed, SupportRequestStatusConflict],
    support::close_support_request (AnswerSupportRequests) [SupportRequestClosed],
    support::flag_support_request_urgent (FileSupportRequests) [SupportRequestClosed],
    service_centre::add_service_centre_agent (ManageServiceCentreAgents),
    service_centre::list_service_centre_agents (ManageServiceCentreAgents),
    meetings::plan_meeting (HoldMeetings),
    meetings::list_meetings (ReadReviews),
    meetings::get_meeting (ReadReviews),
    meetings::record_meeting_held (HoldMeetings) [MeetingStepDone],
    meetings::write_meeting_minutes (HoldMeetings) [MeetingNotHeld, MeetingStepDone, NotYourMinutes],
    meetings::validate_meeting_minutes (HoldMeetings) [MeetingStepDone, MinutesNotWritten],
    documents::attach_document (ManagePartners),
    documents::list_documents (ReadPartners),
    documents::download_document (ReadPartners),
    maintenance::list_planned_stops,
    maintenance::declare_planned_stop (DeclareStops),
    maintenance::cancel_planned_stop (DeclareStops) [StopOver],
    partners::create_partner (ManagePartners) [PartnerAlreadyRegistered],
    partners::list_partners (ReadPartners),
    partners::get_partner (ReadPartners),
    partners::update_partner (ManagePartners) [CategoryConflictsWithSubscriptions, PartnerAlreadyRegistered],
    partners::name_partner_administrator (ManagePartners) [AdministratorAlreadyNamed, PersonAlreadyHasAccount],
    partners::list_partner_administrators (ReadPartners),
    partners::take_over_partner_management (SuperviseHabilitations) [ManagementAlreadyTakenOver],
    partners::hand_back_partner_management (SuperviseHabilitations) [ManagementNotTakenOver],
    conventions::create_convention (ManagePartners) [ConventionNumberTaken],
    conventions::list_partner_conventions (ReadPartners),
    conventions::get_convention (ReadPartners),
    conventions::update_convention (ManagePartners) [AmendmentRequired, ConcurrentAmendment, ConventionNumberTaken, ConventionTerminated],
    conventions::sign_convention (ManagePartners) [ConventionAlreadySigned, ConventionTerminated],
    conventions::complete_rgpd_formalities (ManagePartners) [ConventionNotSigned, ConventionTerminated, RgpdAlreadyCompleted],
    conventions::notify_termination (ManagePartners) [ConventionNotSigned, ConventionTerminated, TerminationAlreadyNotified],
    conventions::withdraw_termination (ManagePartners) [ConventionTerminated, NoTerminationPending],
    conventions::get_service_contract (ReadPartners),
    conventions::update_service_contract (ManagePartners) [AmendmentRequired, ConcurrentAmendment, ConventionTerminated],
    amendments::list_amendments (ReadPartners),
    subscriptions::create_subscription (ManagePartners) [AlreadySubscribed, AmendmentRequired, CategoryConflictsWithSubscriptions, ConcurrentAmendment, ConventionTerminated, ProfileNotEligible],
    subscriptions::list_subscriptions (ReadPartners),
    subscriptions::get_subscription (ReadPartners),
    subscriptions::update_quotas (ManagePartners) [AmendmentRequired, ConcurrentAmendment, ConventionTerminated, ProfileNotEligible],
    auditors::add_cnaf_auditor (ManageAuditors),
    auditors::add_caf_auditor (ManageAuditors),
    auditors::list_auditors (ManageAuditors),
    traces::list_traces (ReadTraces),
    traces::export_traces (ReadTraces),
    trace_integrity::verify_trace_chain (VerifyTraces),
    trace_integrity::list_trace_checkpoints (VerifyTraces),
    trace_integrity::list_retention_purges (VerifyTraces),
    traces::produce_subject_access (ProduceSubjectAccess),
    habilitations::grant_habilitation (ManageHabilitations) [AdministratorRightsByCaf, AdministratorUntouchable, AlreadyHabilitated, CentralisedMode, ConventionNotActive, DelegatedToPartner, ProfileNotDelegated, ProfileNotEligible, ProfileNotSubscribed, QuotaExceeded, SelfGrant],
    habilitations::list_habilitations (ReadHabilitations),
    exports::export_habilitations (ReadHabilitations),
    habilitations::get_habilitation (ReadHabilitations),
    habilitations::suspend_habilitation (ManageHabilitations) [AdministratorRightsByCaf, AdministratorUntouchable, DelegatedToPartner, HabilitationStatusConflict, ProfileNotDelegated, SelfGrant],
    habilitations::reinstate_habilitation (ManageHabilitations) [AdministratorRightsByCaf, AdministratorUntouchable, ConventionNotActive, DelegatedToPartner, HabilitationStatusConflict, ProfileNotDelegated, QuotaExceeded, SelfGrant, SuspendedByCaf],
    habilitations::devalidate_habilitation (ManageHabilitations) [AdministratorRightsByCaf, AdministratorUntouchable, DelegatedToPartner, HabilitationStatusConflict, ProfileNotDelegated, SelfGrant],
    habilitations::get_habilitation_history (ReadHabilitations),
    habilitations::ask_habilitation_question (SuperviseHabilitations),
    habilitations::list_habilitation_questions (ReadHabilitations),
    habilitations::list_open_habilitation_questions (ReadHabilitations),
    habilitations::answer_habilitation_question (ManageHabilitations) [QuestionAnswered],
    quotas::get_partner_quota_use (ReadHabilitations),
    quotas::get_caf_quota_use (ReadHabilitations),
    quotas::list_profile_holders (ReadHabilitations),
    habilitations::list_account_habilitations (ReadHabilitations),
    habilitations::list_unused_habilitations (ReadHabilitations),
    staff::create_partner_user (ManageUsers) [CentralisedMode, PersonAlreadyHasAccount],
    staff::list_partner_users (ReadHabilitations),
    exports::export_partner_users (ReadHabilitations),
    staff::close_account (SuperviseStaff) [AccountStatusConflict, AdministratorUntouchable, OwnAccount],
    delegations::give_delegation (ManageDelegations) [CentralisedMode, DelegationInForce, OwnAccount, ProfileNotSubscribed],
    delegations::list_delegations (ReadHabilitations),
    delegations::withdraw_delegation (ManageDelegations) [DelegationWithdrawn],
    groups::create_group (ManageGroups) [CentralisedMode, GroupNameTaken],
    groups::list_groups (ReadHabilitations),
    groups::get_group (ReadHabilitations),
    groups::add_group_member (ManageGroups) [AdministratorRightsByCaf, AlreadyMember, CentralisedMode, ConventionNotActive, DelegatedToPartner, ProfileNotDelegated, QuotaExceeded, SelfGrant],
    groups::remove_group_member (ManageGroups) [AdministratorRightsByCaf, DelegatedToPartner, ProfileNotDelegated],
    bundles::create_role_bundle (ManageHabilitations) [CentralisedMode, ProfileNotEligible, ProfileNotSubscribed, RoleBundleNameTaken],
    bundles::list_role_bundles (ReadHabilitations),
    bundles::grant_role_bundle (ManageHabilitations) [AdministratorRightsByCaf, AdministratorUntouchable, AlreadyHabilitated, CentralisedMode, ConventionNotActive, DelegatedToPartner, ProfileNotDelegated, ProfileNotEligible, ProfileNotSubscribed, QuotaExceeded, SelfGrant],
    requests::file_request (FileRequests) [CentralisedMode, ConventionNotActive, DelegatedMode, PersonAlreadyHasAccount, ProfileNotEligible, ProfileNotSubscribed, QuotaExceeded],
    requests::list_partner_requests (ReadRequests),
    requests::list_caf_requests (ReadRequests),
    requests::get_request (ReadRequests),
    requests::edit_request (FileRequests) [CentralisedMode, ConventionNotActive, DelegatedMode, PersonAlreadyHasAccount, ProfileNotEligible, ProfileNotSubscribed, QuotaExceeded, RequestStatusConflict],
    requests::submit_request (FileRequests) [ConventionNotActive, ProfileNotEligible, ProfileNotSubscribed, QuotaExceeded, RequestStatusConflict],
    requests::withdraw_request (FileRequests) [RequestStatusConflict],
    requests::return_request_for_changes (DecideRequests) [RequestStatusConflict],
    requests::refuse_request (DecideRequests) [RequestStatusConflict],
    requests::approve_request (DecideRequests) [AdministratorAlreadyNamed, AlreadyHabilitated, ConventionNotActive, PersonAlreadyHasAccount, ProfileNotEligible, ProfileNotSubscribed, QuotaExceeded, RequestStatusConflict],
    requests::list_escalation_contacts (ReadRequests),
    reviews::open_review_campaign (OpenReviews),
    reviews::list_caf_review_campaigns (ReadReviews),
    reviews::list_partner_review_campaigns (ReadReviews),
    reviews::get_review_campaign (ReadReviews),
    reviews::decide_review_item (ReviewHabilitations) [PrincipalAdministratorOnly, ReviewCampaignCompleted, ReviewItemConfirmed, ReviewItemEnded, ReviewItemRemoved],
    reviews::complete_review_campaign (ReviewHabilitations) [PrincipalAdministratorOnly, ReviewCampaignCompleted, ReviewIncomplete],
    reviews::get_review_report (ReadReviews) [ReviewCampaignOpen],
    reviews::get_review_report_html (ReadReviews) [ReviewCampaignOpen],
    annual_review::get_annual_review (ReadReviews),
    cdap::import_beneficiary_files (ImportFiles),
    cdap::consult_beneficiary_file (ConsultFiles) [ConventionNotActive, NotHabilitated],
    cdap::search_beneficiary_files (ConsultFiles) [ConventionNotActive, IdentitySearchNotAllowed, NotHabilitated],
    outbox::list_set_aside_messages (SuperviseDelivery),
    outbox::retry_message (SuperviseDelivery),
    software::register_client_application (ManagePartners),
    software::list_client_applications (ReadPartners),
    software::revoke_client_application (ManagePartners) [ClientRevoked],
    software::approve_client_application (ManagePartners) [ClientNotPending, ClientRevoked],
    oauth::show_authorization_page,
    oauth::submit_authorization ["service_busy"],
    oauth_token::issue_token ["service_busy"],
    oidc::get_openid_configuration,
    oidc::get_userinfo (any) ["unauthenticated"],
    oidc::post_userinfo (any) ["unauthenticated"],
    oidc::revoke_token ["service_busy"],
    oidc::introspect_token ["service_busy"],
    oidc::end_session ["service_busy"],
    oidc::end_session_posted ["service_busy"],
);

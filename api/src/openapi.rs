//! The OpenAPI document, generated from the code; `openapi.yaml` at the repository root is this
//! document, checked in, and a test fails when they differ.

use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{Modify, OpenApi};

use crate::problem::{Problem, ProblemField};
use crate::routes::{
    self, auth, cafs, catalogue, cdap, conventions, habilitations, oauth, partners, requests,
    reviews, subscriptions, traces, types,
};

/// Where the versioned API is mounted.
pub const BASE_PATH: &str = "/api/v1";

/// The contract's version: changes only when the contract does, not with the crate's version.
pub const API_VERSION: &str = "1.0.0";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Mon Compte Partenaire",
        version = "1.0.0",
        description = "API of « Mon Compte Partenaire », the secure space through which a Caf lets its partners \
(communes, CCAS, départements, social landlords, hospitals…) manage who among their staff may consult \
beneficiaries' files, and consult them.\n\n\
Every request but login and activation carries `Authorization: Bearer <token>` for a person's account. \
Errors are RFC 9457 `application/problem+json` documents with a stable `code`. \
Identifiers are opaque UUIDs; lists are paginated with `limit` and `cursor` → `next_cursor`. \
Every response carries `X-Request-Id` (taken from the request when given), kept in the traces.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
    ),
    paths(
        auth::login, crate::jwks, auth::refresh, auth::logout, auth::logout_everywhere, auth::activate, auth::request_password_reset, auth::confirm_password_reset, auth::commitment, auth::me, auth::my_sessions, auth::end_session, auth::change_password, auth::enrol_totp, auth::confirm_totp, auth::remove_totp,
        cafs::create, cafs::list, cafs::get, cafs::update, cafs::add_administrator, cafs::administrators, cafs::suspend, cafs::reinstate, cafs::end_sessions, cafs::require_password_change, cafs::set_second_factor_requirement,
        catalogue::list, catalogue::get,
        partners::create, partners::list, partners::get, partners::update, partners::name_administrator, partners::administrators,
        conventions::create, conventions::list_for_partner, conventions::get, conventions::update,
        conventions::sign, conventions::complete_rgpd, conventions::notify_termination,
        conventions::withdraw_termination, conventions::get_contract, conventions::update_contract,
        conventions::amendments,
        subscriptions::create, subscriptions::list, subscriptions::get, subscriptions::update_quotas,
        cafs::add_cnaf_auditor,
        cafs::add_caf_auditor,
        cafs::auditors,
        traces::list,
        traces::export,
        traces::verify_chain,
        traces::purges,
        traces::subject_access,
        habilitations::create_user, habilitations::list_users, habilitations::close_account,
        habilitations::give_delegation, habilitations::list_delegations, habilitations::withdraw_delegation,
        habilitations::create_group, habilitations::list_groups, habilitations::get_group, habilitations::add_member, habilitations::remove_member,
        habilitations::grant, habilitations::list, habilitations::get, habilitations::suspend, habilitations::reinstate, habilitations::devalidate, habilitations::history,
        habilitations::ask, habilitations::questions, habilitations::open_questions, habilitations::answer,
        habilitations::create_bundle, habilitations::list_bundles, habilitations::grant_bundle,
        habilitations::quota_use, habilitations::holders, habilitations::of_person, habilitations::caf_quota_use, habilitations::unused,
        requests::file, requests::for_partner, requests::inbox, requests::get, requests::edit, requests::submit,
        requests::withdraw, requests::request_changes, requests::refuse, requests::approve, requests::escalation_contacts,
        reviews::open, reviews::for_caf, reviews::for_partner, reviews::get, reviews::decide, reviews::complete,
        reviews::report, reviews::report_html, reviews::annual_review,
        cdap::import, cdap::consult, cdap::search,
        oauth::register, oauth::list, oauth::revoke, oauth::approve, oauth::authorize_page, oauth::authorize_submit, oauth::token,
    ),
    components(schemas(Problem, ProblemField, types::PartnerCategory)),
    modifiers(&Conventions),
    servers((url = "/", description = "This service")),
    tags(
        (name = "auth", description = "Login, activation, your account"),
        (name = "cafs", description = "Cafs and their administrators (registered by the Cnaf)"),
        (name = "catalogue", description = "Services and their profiles"),
        (name = "partners", description = "Partners, identified by SIRET"),
        (name = "conventions", description = "Conventions d'accès, their life, contract and amendments"),
        (name = "subscriptions", description = "Bulletins d'adhésion: services and quotas per profile"),
        (name = "traces", description = "Traces of every action"),
        (name = "staff", description = "A partner's users, delegated managers and groups (mode délégué)"),
        (name = "requests", description = "Requests to the Caf (annex-3 forms): habilitate, remove access, change an administrator; the Caf's inbox"),
        (name = "reviews", description = "Reverse review of habilitations (revue inverse): yearly campaigns, the principal administrator's decisions, the report sent to the Caf; the annual review (bilan)"),
        (name = "cdap", description = "CDAP: beneficiaries' files loaded by the Caf, consulted through a profile's view"),
        (name = "habilitations", description = "Habilitations within quotas, role bundles, the Caf's supervision, quota views"),
        (name = "partner software", description = "Partner software acting for a person: registration, OAuth 2.0 authorization code with PKCE, tokens"),
    ),
)]
struct ApiDoc;

/// Adds what every operation shares: the bearer scheme, and the problem responses each kind of
/// operation can give, so that the document lists them without each handler repeating them.
struct Conventions;

fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

impl Modify for Conventions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("JWT")
                        .build(),
                ),
            );
        }
        // Handlers are declared relative to the `/api/v1` scope they are mounted in.
        let paths = std::mem::take(&mut openapi.paths.paths);
        openapi.paths.paths = paths
            .into_iter()
            .map(|(path, item)| (format!("{BASE_PATH}{path}"), item))
            .collect();
        for (path, item) in openapi.paths.paths.iter_mut() {
            let has_path_id = path.contains('{');
            let ops: [(&mut Option<Operation>, bool); 5] = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
                (&mut item.delete, true),
            ];
            for (op, mutation) in ops {
                let Some(op) = op.as_mut() else { continue };
                let secured = op.security.is_some();
                let has_body = op.request_body.is_some();
                let mut add = |status: &str, description: &str| {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| problem(description));
                };
                add(
                    "400",
                    "Malformed request: unreadable JSON, unknown field, invalid query",
                );
                if secured {
                    add(
                        "401",
                        "Missing, invalid or expired access token, or inactive account",
                    );
                    add("403", "Your role does not include this function");
                }
                if has_path_id {
                    add("404", "No such object within your reach");
                }
                if has_body {
                    add("413", "Body larger than the limit");
                    add("415", "Body is not application/json");
                    add(
                        "422",
                        "A field is invalid or a rule refuses the change (see `code` and `errors`)",
                    );
                }
                if mutation && secured {
                    add("409", "The object's current state forbids the change");
                }
                add("500", "Internal error (logged)");
            }
        }
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = API_VERSION.to_string();
    let _ = routes::configure; // the paths above are the routes registered there
    doc
}

/// The methods the API serves on a concrete path (`/api/v1/partners/0192…`), read from the
/// document itself so that it cannot drift from the routes.
pub fn allowed_methods(path: &str) -> Vec<&'static str> {
    type Templates = Vec<(Vec<String>, Vec<&'static str>)>;
    static TEMPLATES: std::sync::OnceLock<Templates> = std::sync::OnceLock::new();
    let templates = TEMPLATES.get_or_init(|| {
        document()
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ];
                (
                    template.split('/').map(str::to_string).collect(),
                    methods
                        .into_iter()
                        .filter(|(_, on)| *on)
                        .map(|(m, _)| m)
                        .collect(),
                )
            })
            .collect()
    });
    let segments: Vec<&str> = path.split('/').collect();
    templates
        .iter()
        .find(|(t, _)| {
            t.len() == segments.len()
                && t.iter()
                    .zip(&segments)
                    .all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()))
        })
        .map(|(_, m)| m.clone())
        .unwrap_or_default()
}

/// The document as YAML, as checked in at the repository root.
pub fn yaml() -> String {
    document().to_yaml().expect("the document serialises")
}

#[cfg(test)]
mod tests {
    #[test]
    fn allowed_methods_follow_the_document() {
        assert_eq!(super::allowed_methods("/api/v1/partners"), ["GET", "POST"]);
        assert_eq!(
            super::allowed_methods("/api/v1/partners/0192a0b0-0000-7000-8000-000000000000"),
            ["GET", "PUT"]
        );
        assert_eq!(
            super::allowed_methods("/api/v1/conventions/x/termination/withdrawal"),
            ["POST"]
        );
        assert!(super::allowed_methods("/api/v1/partners//").is_empty());
        assert!(super::allowed_methods("/api/v1/nothing").is_empty());
    }

    #[test]
    fn checked_in_openapi_yaml_matches_the_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");
        let checked_in = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            checked_in == super::yaml(),
            "openapi.yaml differs from the document the code generates: run `make openapi` and commit it"
        );
    }
}

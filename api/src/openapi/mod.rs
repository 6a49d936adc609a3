//! The OpenAPI document, generated from the code; `openapi.yaml` at the repository root is this
//! document, checked in, and a test fails when they differ.

use std::collections::{BTreeMap, BTreeSet};
use utoipa::openapi::path::Operation;

use crate::problem::Applies;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::RefOr;
use utoipa::{Modify, OpenApi};

use crate::problem::{Problem, ProblemField};
use crate::routes::{self, types};

mod responses;
use responses::{
    declare_headers, declare_idempotency_key, default_description, partner_software, problem,
    restrict_codes, shared_headers,
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
        contact(name = "Cnaf — Mon Compte Partenaire"),
    ),
    components(schemas(
        Problem,
        ProblemField,
        types::PartnerCategory,
        routes::habilitations::HabilitationStatusDto
    )),
    servers((url = "/", description = "This service")),
    tags(
        (name = "auth", description = "Login, activation, forgotten passwords, refresh and logout"),
        (name = "me", description = "Your own account: who you are, your sessions, password and second factor"),
        (name = "cafs", description = "Cafs and their administrators (registered by the Cnaf)"),
        (name = "accounts", description = "Supervision of accounts: suspension, reinstatement, sessions, password change"),
        (name = "auditors", description = "Auditors of the Cnaf and of the Cafs, who read traces"),
        (name = "catalogue", description = "Services and their profiles"),
        (name = "partners", description = "Partners, identified by SIRET"),
        (name = "conventions", description = "Conventions d'accès, their life, contract and amendments"),
        (name = "subscriptions", description = "Bulletins d'adhésion: services and quotas per profile"),
        (name = "staff", description = "A partner's users (mode délégué) and closing accounts"),
        (name = "delegations", description = "What a partner's administrators hand on to delegated managers"),
        (name = "groups", description = "Groups of a partner's people, whose members hold the group's habilitations"),
        (name = "habilitations", description = "Habilitations: grants within quotas, suspension, devalidation, the Caf's questions"),
        (name = "role bundles", description = "Profiles given together, all or none"),
        (name = "quotas", description = "How quotas are used: per partner, across a Caf, holders of a profile"),
        (name = "requests", description = "Requests to the Caf (annex-3 forms): habilitate, remove access, change an administrator; the Caf's inbox"),
        (name = "reviews", description = "Reverse review of habilitations (revue inverse): yearly campaigns, the principal administrator's decisions, the report sent to the Caf"),
        (name = "annual review", description = "The annual review of a partner (bilan, C-art. 16)"),
        (name = "cdap", description = "CDAP: beneficiaries' files loaded by the Caf, consulted through a profile's view"),
        (name = "traces", description = "Traces of every action and refusal, by perimeter; chain verification; retention"),
        (name = "operations", description = "Running the service: messages to people that could not be delivered"),
        (name = "support", description = "The Caf service centre (contract art. 3): requests filed by the partner's support structure, followed by the centre's agents, and the escalation (art. 3.3)"),
        (name = "maintenance", description = "Planned stops: national maintenance (the Cnaf) and a Caf's own operations, announced to partners; public list"),
        (name = "partner software", description = "Partner software acting for a person: registration and approval"),
        (name = "oauth", description = "OAuth 2.0 authorization code with PKCE, and tokens for partner software"),
    ),
)]
struct ApiDoc;

/// Adds what every operation shares: the bearer scheme, and the problem responses each kind of
/// operation can give, so that the document lists them without each handler repeating them.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            shared_headers(c);
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("JWT")
                        .build(),
                ),
            );
            c.add_security_scheme("partner_software", partner_software());
            response_examples(c);
        }
        // Handlers are declared relative to the `/api/v1` scope they are mounted in.
        let paths = std::mem::take(&mut openapi.paths.paths);
        openapi.paths.paths = paths
            .into_iter()
            .map(|(path, item)| (format!("{BASE_PATH}{path}"), item))
            .collect();
        for (path, item) in openapi.paths.paths.iter_mut() {
            let has_path_id = path.contains('{');
            let ops: [(&mut Option<Operation>, bool, bool); 5] = [
                (&mut item.get, false, false),
                (&mut item.post, true, true),
                (&mut item.put, true, false),
                (&mut item.patch, true, false),
                (&mut item.delete, true, false),
            ];
            for (op, mutation, post) in ops {
                let Some(op) = op.as_mut() else { continue };
                let secured = op.security.is_some();
                let id = op.operation_id.clone().unwrap_or_default();
                if secured {
                    // A person's token, or partner software's acting for a person with the
                    // scope of the operation's function (none asked where any token will do).
                    let needs = crate::routes::needs(&id);
                    if let Some(needs) = needs.filter(|n| n.software_may_call()) {
                        op.security
                            .get_or_insert_with(Vec::new)
                            .push(SecurityRequirement::new(
                                "partner_software",
                                needs.scope().map(|s| s.code()),
                            ));
                    }
                } else {
                    // Public: said explicitly, so that no tool assumes a default scheme.
                    op.security = Some(vec![]);
                }
                split_summary(op);
                let has_body = op.request_body.is_some();
                let paged = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p, RefOr::T(p) if p.name == "cursor"));
                // Retried POSTs of a person's token carry a key (imports are idempotent by
                // content and stream their body).
                let idempotent = post
                    && secured
                    && !matches!(id.as_str(), "import_beneficiary_files" | "attach_document");
                if idempotent {
                    declare_idempotency_key(op);
                }
                let applies = |a: Applies| match a {
                    Applies::Every => true,
                    Applies::Secured => secured,
                    Applies::WithBody => has_body,
                    Applies::WithPathId => has_path_id,
                    Applies::Paged => paged,
                    Applies::Idempotent => idempotent,
                    Applies::WhenListed => false,
                };
                // The codes each status may carry: the HTTP layer's that concern the operation,
                // and the refusals it lists.
                let layer = crate::problem::layer_codes();
                let mut codes: BTreeMap<u16, BTreeSet<&str>> = BTreeMap::new();
                for l in &layer {
                    if applies(l.applies) {
                        codes.entry(l.status).or_default().insert(l.code);
                    }
                }
                for code in routes::refusals(&id) {
                    let status = mcp_domain::ErrorCode::from_code(code)
                        .map(|c| c.status())
                        .or_else(|| layer.iter().find(|l| l.code == *code).map(|l| l.status))
                        .unwrap_or_else(|| panic!("{id} lists `{code}`, which is no code"));
                    codes.entry(status).or_default().insert(code);
                }
                if mutation && secured {
                    codes.entry(409).or_default();
                }
                for (status, codes) in codes {
                    let response = op
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| problem(default_description(status)));
                    restrict_codes(response, &codes);
                }
                declare_headers(op, idempotent);
            }
        }
    }
}

/// A short `summary` (the doc's first sentence) and the whole doc as `description`, for
/// explorers and generated clients that show the one as a title and the other as help.
fn split_summary(op: &mut Operation) {
    if op.description.is_some() {
        return;
    }
    let Some(doc) = op.summary.take() else { return };
    let first = first_sentence(&doc)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    op.summary = Some(title(&first).trim_end_matches('.').to_string());
    op.description = Some(doc);
}

/// A title from a long sentence: up to its first colon, dash or semicolon outside brackets
/// ("Tokens for partner software acting for a person: exchanges a code…" → "Tokens for partner
/// software acting for a person"); a short sentence as it is.
fn title(sentence: &str) -> &str {
    const SHORT: usize = 100;
    if sentence.len() <= SHORT {
        return sentence;
    }
    // Who may call it, in brackets at the end, is in the description.
    let trimmed = sentence.trim_end_matches('.');
    if let Some(open) = trimmed.strip_suffix(')').and_then(|t| t.rfind(" (")) {
        if trimmed[open..].matches('(').count() == trimmed[open..].matches(')').count() {
            return title(&sentence[..open]);
        }
    }
    let mut depth = 0i32;
    for (i, c) in sentence.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            _ if depth == 0 => {
                let rest = &sentence[i..];
                if rest.starts_with(": ") || rest.starts_with(" — ") || rest.starts_with("; ") {
                    return &sentence[..i];
                }
            }
            _ => {}
        }
    }
    sentence
}

/// The first sentence of a text: up to the first full stop followed by a capital letter, a
/// backtick or the end (not the one of an abbreviation such as "S-art. 2.2.2" or "e.g.").
fn first_sentence(text: &str) -> &str {
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('.') {
        let rest = text[i + 1..].trim_start();
        let ends = rest.is_empty()
            || (bytes.get(i + 1).is_some_and(|b| b.is_ascii_whitespace())
                && rest
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c == '`' || c == '«'));
        let word = text[..i]
            .rsplit(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or("");
        // "S-art. 5", "e.g." are not ends; "(S-art. 2.2.2)." is.
        let closes = word.ends_with(')');
        let abbreviation =
            !closes && (word.ends_with("art") || word.len() <= 2 || word.contains('.'));
        if ends && !abbreviation {
            return &text[..=i];
        }
    }
    text
}

/// Gives each response schema the example recorded from a real answer of the suite
/// (`examples.json`, written by `make examples`), unless the schema carries its own.
fn response_examples(c: &mut utoipa::openapi::Components) {
    static EXAMPLES: &str = include_str!("examples.json");
    let examples: std::collections::BTreeMap<String, serde_json::Value> =
        serde_json::from_str(EXAMPLES).expect("examples.json is a map of schema names to examples");
    for (name, example) in examples {
        use utoipa::openapi::schema::Schema;
        let slot = match c.schemas.get_mut(&name) {
            Some(utoipa::openapi::RefOr::T(Schema::Object(o))) => &mut o.example,
            Some(utoipa::openapi::RefOr::T(Schema::AllOf(a))) => &mut a.example,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(example);
        }
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(routes::Operations::openapi());
    Conventions.modify(&mut doc);
    doc.info.version = API_VERSION.to_string();
    doc
}

/// What the service reads of its own document while it serves: the document as JSON, the
/// methods of each path template and the operationIds.
struct Contract {
    json: actix_web::web::Bytes,
    templates: Vec<(Vec<String>, Vec<&'static str>)>,
    /// The operationId of each (method, path template).
    ids: std::collections::HashMap<(String, String), String>,
}

/// The contract, built once per process and shared by every worker: the tree utoipa builds
/// weighs tens of MiB, so it is read once, kept as JSON and two tables, and dropped.
fn contract() -> &'static Contract {
    static CONTRACT: std::sync::OnceLock<Contract> = std::sync::OnceLock::new();
    CONTRACT.get_or_init(|| {
        let doc = document();
        let mut templates = vec![];
        let mut ids = std::collections::HashMap::new();
        for (template, item) in &doc.paths.paths {
            let ops = [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("PATCH", &item.patch),
                ("DELETE", &item.delete),
            ];
            let mut methods = vec![];
            for (method, op) in ops {
                let Some(op) = op else { continue };
                methods.push(method);
                if let Some(id) = &op.operation_id {
                    ids.insert((method.to_string(), template.clone()), id.clone());
                }
            }
            templates.push((template.split('/').map(str::to_string).collect(), methods));
        }
        let json = serde_json::to_vec(&doc)
            .expect("the document serialises")
            .into();
        drop(doc);
        give_back_freed_memory();
        Contract {
            json,
            templates,
            ids,
        }
    })
}

/// Returns to the system the heap the allocator keeps after a large structure is dropped
/// (glibc keeps freed pages for reuse; the document's tree leaves tens of MiB behind).
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free pages of glibc's heap; it touches no live memory.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The document as JSON (built once).
pub fn json() -> actix_web::web::Bytes {
    contract().json.clone()
}

/// The methods the API serves on a concrete path (`/api/v1/partners/0192…`), read from the
/// document itself so that it cannot drift from the routes.
pub fn allowed_methods(path: &str) -> Vec<&'static str> {
    let templates = &contract().templates;
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

/// The operationId of the operation served at a route template (`POST`,
/// `/api/v1/partners/{partner_id}/habilitations` → `grant_habilitation`), read from the document.
pub fn operation_id(method: &str, template: &str) -> Option<&'static str> {
    contract()
        .ids
        .get(&(method.to_string(), template.to_string()))
        .map(String::as_str)
}

/// The document as YAML, as checked in at the repository root.
pub fn yaml() -> String {
    document().to_yaml().expect("the document serialises")
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    fn operations() -> Vec<(String, String, serde_json::Value)> {
        let doc = serde_json::to_value(super::document()).unwrap();
        let mut out = vec![];
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                out.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
        out
    }

    #[test]
    fn a_summary_is_the_first_sentence() {
        use super::first_sentence;
        assert_eq!(
            first_sentence("Closes the account: sessions end.\nThe Caf may too."),
            "Closes the account: sessions end."
        );
        assert_eq!(
            first_sentence("Manages habilitations (S-art. 2.2.2) of staff. Only administrators."),
            "Manages habilitations (S-art. 2.2.2) of staff."
        );
        assert_eq!(
            first_sentence("Reads files, e.g. a CDAP one. `numero` is asked."),
            "Reads files, e.g. a CDAP one."
        );
        assert_eq!(first_sentence("No full stop"), "No full stop");
        let long = "Tokens for partner software acting for a person: exchanges a code (with its \
                    PKCE verifier: S256), a refresh token, or the person's own credentials.";
        assert_eq!(
            super::title(long),
            "Tokens for partner software acting for a person"
        );
        assert_eq!(super::title("One partner."), "One partner.");
    }

    /// Explorers show the summary as a title and the description as help; tools assume a
    /// default security scheme where an operation says none.
    #[test]
    fn every_operation_has_a_title_a_description_and_explicit_security() {
        for (method, path, op) in operations() {
            let summary = op["summary"].as_str().unwrap_or_default();
            assert!(
                !summary.is_empty() && !summary.contains('\n'),
                "{method} {path}: {summary:?}"
            );
            assert!(
                op["description"]
                    .as_str()
                    .is_some_and(|d| d.len() >= summary.len()),
                "{method} {path} has no description"
            );
            assert!(
                op["security"].is_array(),
                "{method} {path}: security unsaid"
            );
        }
    }

    /// Every secured operation says what its token needs, so that software asks for the scope
    /// it will be refused without: the scope of its function where software may call it, no
    /// `partner_software` requirement where only a person's own token is accepted.
    #[test]
    fn every_secured_operation_gives_the_scope_software_needs() {
        let mut person_only = 0;
        for (method, path, op) in operations() {
            let id = op["operationId"].as_str().unwrap();
            let security = op["security"].as_array().unwrap();
            let needs = crate::routes::needs(id);
            if security.is_empty() {
                assert_eq!(
                    needs, None,
                    "{method} {path} is public yet declares a function"
                );
                continue;
            }
            let needs = needs.unwrap_or_else(|| {
                panic!("{method} {path}: `({{Function}})` missing in routes::operations!")
            });
            let software = security.iter().find_map(|s| s.get("partner_software"));
            match (needs.software_may_call(), software) {
                (true, Some(scopes)) => {
                    let want: Vec<_> = needs.scope().map(|s| s.code()).into_iter().collect();
                    assert_eq!(scopes, &serde_json::json!(want), "{method} {path}");
                }
                (false, None) => person_only += 1,
                (may, found) => panic!("{method} {path}: software {may}, declared {found:?}"),
            }
        }
        // Traces, reviews, one's own account and the national operations are people's work.
        assert!(person_only > 10, "{person_only}");
    }

    /// Clients read `X-Request-Id` to quote it and `Retry-After` to wait: both are declared
    /// where the service sends them; a database outage's 503 is a possible answer of every
    /// operation.
    #[test]
    fn response_headers_and_outages_are_declared() {
        for (method, path, op) in operations() {
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("503"), "{method} {path}: no 503");
            for (status, response) in responses {
                let headers = &response["headers"];
                assert_eq!(
                    headers["X-Request-Id"]["$ref"], "#/components/headers/X-Request-Id",
                    "{method} {path} {status}: X-Request-Id undeclared"
                );
                if status == "429" {
                    assert!(
                        headers["Retry-After"]["$ref"].is_string(),
                        "{method} {path}"
                    );
                }
            }
        }
    }

    /// Generated clients name their functions after operationIds, and the explorer finds the
    /// operation to call by it: each must be unique, and say what it does (`verb_noun`).
    #[test]
    fn operation_ids_are_unique_and_say_what_they_do() {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (method, path, op) in operations() {
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            let words: Vec<&str> = id.split('_').collect();
            assert!(
                !id.is_empty()
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                    && words.iter().all(|w| !w.is_empty()),
                "{method} {path}: operationId {id:?} is not snake_case"
            );
            assert!(
                words.len() >= 2 || ["login", "logout"].contains(&id.as_str()),
                "{method} {path}: operationId {id:?} should be verb_noun"
            );
            if let Some(other) = seen.insert(id.clone(), format!("{method} {path}")) {
                panic!("operationId {id:?} is used by {other} and {method} {path}");
            }
            assert!(
                op["tags"].as_array().is_some_and(|t| t.len() == 1),
                "{method} {path}: one tag"
            );
        }
    }

    /// Every `$ref` of the document names a schema the document holds.
    #[test]
    fn every_reference_resolves() {
        let doc = serde_json::to_value(super::document()).unwrap();
        let defined: BTreeSet<String> = doc["components"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(kind, named)| {
                named
                    .as_object()
                    .into_iter()
                    .flat_map(move |m| m.keys().map(move |k| format!("#/components/{kind}/{k}")))
            })
            .collect();
        fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(r) = m.get("$ref").and_then(|r| r.as_str()) {
                        out.push(r.to_string());
                    }
                    m.values().for_each(|v| refs(v, out));
                }
                serde_json::Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let mut found = vec![];
        refs(&doc, &mut found);
        assert!(!found.is_empty());
        let missing: BTreeSet<&String> = found.iter().filter(|r| !defined.contains(*r)).collect();
        assert!(
            missing.is_empty(),
            "references to components the document lacks: {missing:?}"
        );
    }

    #[test]
    fn operations_are_found_by_route() {
        assert_eq!(
            super::operation_id("POST", "/api/v1/partners/{partner_id}/habilitations"),
            Some("grant_habilitation")
        );
        assert_eq!(
            super::operation_id("GET", "/api/v1/partners"),
            Some("list_partners")
        );
        assert_eq!(super::operation_id("DELETE", "/api/v1/partners"), None);
    }

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

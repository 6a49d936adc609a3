//! The parts every operation shares in the contract: problem responses and the codes they
//! carry, the headers, the security schemes, the `Idempotency-Key` parameter.

use std::collections::BTreeSet;

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::SecurityScheme;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

use super::BASE_PATH;

pub(super) fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
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

/// Partner software acting for a person (S-art. 2.3): the authorization code flow with PKCE
/// (S256). In the explorer, "Authorize" signs a person in with the `client_id` of software
/// registered with the explorer's `…/swagger-ui/oauth2-redirect.html` as redirect URI.
pub(super) fn partner_software() -> SecurityScheme {
    use mcp_domain::access::Scope;
    use utoipa::openapi::security::{AuthorizationCode, Flow, OAuth2, Scopes};
    let scopes = Scopes::from_iter(
        Scope::ALL
            .iter()
            .map(|s| (s.code(), crate::routes::oauth::scope_label(*s))),
    );
    SecurityScheme::OAuth2(OAuth2::with_description(
        [Flow::AuthorizationCode(AuthorizationCode::new(
            format!("{BASE_PATH}/oauth/authorize"),
            format!("{BASE_PATH}/oauth/token"),
            scopes,
        ))],
        "Partner software acting for a named person: authorization code with PKCE (S256), the \
         person signing in and consenting on the service's page. Each operation's security names \
         the scope of its function (registry:read for reading the registry, habilitations:write \
         for managing people and rights, cdap:read for consulting files…); a token without it is \
         answered 403 `forbidden`. An operation whose security does not name this scheme \
         (traces, reviews, one's own password, sessions and second factor, national operations) \
         accepts only a person's own token.",
    ))
}

/// The `Idempotency-Key` header parameter of a POST, and the header that marks a replay.
pub(super) fn declare_idempotency_key(op: &mut Operation) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::Required;
    let parameter = ParameterBuilder::new()
        .name(crate::idempotency::HEADER)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes a retry safe: the same key with the same request within 24 hours gets the \
             first answer again (marked `Idempotent-Replayed: true`) without doing the work \
             twice; the same key with another request is 422 `idempotency_key_reused`. Keys \
             belong to the token's account. A UUID per intended action is the usual choice.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(crate::idempotency::MAX_KEY_LEN))
                .pattern(Some("^[!-~]+$"))
                .examples([serde_json::json!("0192e4c8-7a6b-7c3d-9e2f-1a2b3c4d5e6f")]),
        ))
        .build();
    op.parameters
        .get_or_insert_with(Vec::new)
        .push(RefOr::T(parameter));
}

/// What a problem response of `status` means, when the handler does not say it itself.
pub(super) fn default_description(status: u16) -> &'static str {
    match status {
        400 => "Malformed request: unreadable JSON, unknown field, invalid query or cursor",
        401 => "Missing, invalid or expired access token, or inactive account",
        403 => "Your role does not include this function, or a rule reserves it to someone else",
        404 => "No such object within your reach",
        409 => "The object's current state forbids the change",
        413 => "Body larger than the limit",
        415 => "Body is not application/json",
        422 => "A field is invalid or a rule refuses the change (see `code` and `errors`)",
        429 => "Too many attempts: wait for `Retry-After` seconds",
        500 => "Internal error (logged)",
        503 => "The database is unavailable: nothing was done, try again shortly",
        _ => "Refused (see `code`)",
    }
}

/// Declares on a problem response the codes it may carry: the `Problem` schema with an `enum` on
/// `code`, so that a generated client knows every code an operation can answer. Responses of
/// another kind (the token endpoint's RFC 6749 errors) are left as they are.
pub(super) fn restrict_codes(
    response: &mut RefOr<utoipa::openapi::Response>,
    codes: &BTreeSet<&str>,
) {
    use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Type};
    let RefOr::T(response) = response else {
        return;
    };
    let Some(RefOr::T(content)) = response.content.get_mut("application/problem+json") else {
        return;
    };
    if codes.is_empty() {
        return;
    }
    let enumerated = ObjectBuilder::new().property(
        "code",
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(codes.iter().copied()))
            .description(Some("The codes this answer may carry (docs/ERRORS.md)")),
    );
    content.schema = Some(RefOr::T(
        AllOfBuilder::new()
            .item(Ref::from_schema_name("Problem"))
            .item(enumerated)
            .into(),
    ));
}

/// The headers responses carry: `X-Request-Id` on every one (kept in the traces: quote it to
/// the service centre), `Retry-After` on 429 and 503; declared once in `components.headers`.
pub(super) fn declare_headers(op: &mut Operation, op_is_post_with_key: bool) {
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        let named = |name: &str| RefOr::Ref(Ref::new(format!("#/components/headers/{name}")));
        response
            .headers
            .insert(REQUEST_ID.into(), named(REQUEST_ID));
        if status.starts_with('2') && op_is_post_with_key {
            response.headers.insert(REPLAYED.into(), named(REPLAYED));
        }
        if status == "429" || status == "503" {
            response
                .headers
                .insert(RETRY_AFTER.into(), named(RETRY_AFTER));
        }
        if status == "429" {
            for h in [RATE_LIMIT, RATE_LIMIT_POLICY] {
                response.headers.insert(h.into(), named(h));
            }
        }
    }
}

const REQUEST_ID: &str = "X-Request-Id";
const RETRY_AFTER: &str = "Retry-After";
const REPLAYED: &str = crate::idempotency::REPLAYED;
const RATE_LIMIT: &str = "RateLimit";
const RATE_LIMIT_POLICY: &str = "RateLimit-Policy";

/// The headers [`declare_headers`] names.
pub(super) fn shared_headers(components: &mut utoipa::openapi::Components) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let header = |ty: Type, description: &str| {
        RefOr::T(
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(ty).build()))
                .description(Some(description))
                .build(),
        )
    };
    components.headers.insert(
        REQUEST_ID.into(),
        header(
            Type::String,
            "The request's id (the one sent, when acceptable), kept in the traces: quote it to the service centre",
        ),
    );
    components.headers.insert(
        RETRY_AFTER.into(),
        header(Type::Integer, "Seconds to wait before trying again"),
    );
    components.headers.insert(
        RATE_LIMIT.into(),
        header(
            Type::String,
            "What is left of the request budget (IETF RateLimit fields): `\"account\";r=<requests left>;t=<seconds to the next window>`; on every answer to a person's token",
        ),
    );
    components.headers.insert(
        RATE_LIMIT_POLICY.into(),
        header(
            Type::String,
            "The request budget: `\"account\";q=<requests>;w=60` (or `\"software\"` for partner software's)",
        ),
    );
    components.headers.insert(
        REPLAYED.into(),
        header(
            Type::String,
            "`true` when this is the first answer to the request's Idempotency-Key, given again",
        ),
    );
}

//! The catalogue of the codes the HTTP layer gives around the use cases, and the whole
//! catalogue `docs/ERRORS.md` holds.

use mcp_domain::ErrorCode;

/// Which operations a code given by the HTTP layer (not by a use case) concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    /// Every operation.
    Every,
    /// Every operation that needs a person's token.
    Secured,
    /// Every operation that reads a body.
    WithBody,
    /// Every operation whose path names an object.
    WithPathId,
    /// Every list (a `cursor` parameter).
    Paged,
    /// Every POST that takes an `Idempotency-Key`.
    Idempotent,
    /// Only the operations that list it among their refusals.
    WhenListed,
}

/// A code the HTTP layer gives around the use cases.
#[derive(Debug, Clone, Copy)]
pub struct LayerCode {
    /// The code.
    pub code: &'static str,
    /// Its HTTP status.
    pub status: u16,
    /// The operations it concerns.
    pub applies: Applies,
    /// What it means.
    pub meaning: &'static str,
    /// What the client should do.
    pub todo: &'static str,
}

/// The codes the HTTP layer gives around the use cases, with their status and the operations
/// they concern; the use cases' own are the domain's `ErrorCode`s, listed per operation in
/// `routes::operations!`. The contract declares, on each problem response, the union.
pub fn layer_codes() -> Vec<LayerCode> {
    use Applies::*;
    let c = |code, status, applies, meaning, todo| LayerCode {
        code,
        status,
        applies,
        meaning,
        todo,
    };
    vec![
        c(
            "malformed_json",
            400,
            WithBody,
            "The body is not JSON",
            "Send a JSON object.",
        ),
        c(
            "invalid_body",
            400,
            WithBody,
            "The body does not match the operation's schema (unknown field, wrong type)",
            "Read `detail`, correct the body as the contract describes it.",
        ),
        c(
            "unreadable_body",
            400,
            WithBody,
            "The body could not be read",
            "Send it again.",
        ),
        c(
            "invalid_query",
            400,
            Every,
            "A query parameter is unknown or invalid",
            "Read `detail`; the contract lists each operation's parameters.",
        ),
        c(
            "invalid_cursor",
            400,
            Paged,
            "This cursor was not given by the service",
            "Ask for the first page again, without a cursor.",
        ),
        c(
            "invalid_idempotency_key",
            400,
            Idempotent,
            "The Idempotency-Key is not 1 to 255 visible ASCII characters",
            "Send a UUID.",
        ),
        c(
            "invalid_request",
            400,
            WhenListed,
            "The form is invalid",
            "Send the form as application/x-www-form-urlencoded with its fields.",
        ),
        c(
            "unauthenticated",
            401,
            Secured,
            "Missing, invalid or expired token, inactive account, or wrong credentials",
            "Refresh the session or sign in again.",
        ),
        c(
            "otp_required",
            401,
            WhenListed,
            "This account signs in with a second factor",
            "Send the 6-digit code of the authenticator app in `otp`.",
        ),
        c(
            ErrorCode::Forbidden.as_str(),
            403,
            Secured,
            ErrorCode::Forbidden.title_en(),
            "Ask whoever manages your rights; do not retry.",
        ),
        c(
            ErrorCode::PasswordChangeRequired.as_str(),
            403,
            Secured,
            ErrorCode::PasswordChangeRequired.title_en(),
            "Change the password (`POST /me/password`) first.",
        ),
        c(
            ErrorCode::SecondFactorRequired.as_str(),
            403,
            Secured,
            ErrorCode::SecondFactorRequired.title_en(),
            "Enrol an authenticator app (`POST /me/totp`) first.",
        ),
        c(
            ErrorCode::NotFound.as_str(),
            404,
            WithPathId,
            ErrorCode::NotFound.title_en(),
            "Check the identifier; an object outside your perimeter answers the same.",
        ),
        c(
            "idempotency_key_in_progress",
            409,
            Idempotent,
            "The first request with this Idempotency-Key is still being served; this one did nothing",
            "Retry a moment later with the same key: you will get the first answer.",
        ),
        c(
            "payload_too_large",
            413,
            WithBody,
            "The body is larger than the limit",
            "Send less (imports: split the file).",
        ),
        c(
            "unsupported_media_type",
            415,
            WithBody,
            "The body's content type is not the operation's",
            "Send `Content-Type: application/json` (imports: application/x-ndjson).",
        ),
        c(
            ErrorCode::ValidationFailed.as_str(),
            422,
            Every,
            ErrorCode::ValidationFailed.title_en(),
            "Correct the fields listed in `errors` and send again.",
        ),
        c(
            "idempotency_key_reused",
            422,
            Idempotent,
            "This Idempotency-Key was used for another request; nothing was done",
            "Use a new key for a new request.",
        ),
        c(
            "rate_limited",
            429,
            Secured,
            "More requests this minute than the account's (or the software's) budget",
            "Wait for `Retry-After` seconds; the `RateLimit` header of each answer says what is left.",
        ),
        c(
            "too_many_attempts",
            429,
            WhenListed,
            "Too many failed attempts for this identifier or address",
            "Wait for `Retry-After` seconds.",
        ),
        c(
            "internal_error",
            500,
            Every,
            "An internal error occurred; it was logged",
            "Quote `X-Request-Id` to the service centre.",
        ),
        c(
            "database_unavailable",
            503,
            Every,
            "The database is unavailable; nothing was done",
            "Wait for `Retry-After` seconds and try again.",
        ),
        c(
            "maintenance",
            503,
            Every,
            "The service is stopped for a planned national maintenance; nothing was done",
            "Wait for `Retry-After` seconds (the end of the stop); `GET /maintenance` lists the stops.",
        ),
        c(
            "service_busy",
            503,
            WhenListed,
            "Every password-checking worker is busy and the queue is full; nothing was done",
            "Wait for `Retry-After` seconds and try again.",
        ),
    ]
}

/// The whole catalogue of codes, as `docs/ERRORS.md` holds it: the use cases' refusals, then
/// the HTTP layer's own.
pub fn catalogue() -> String {
    let mut out = ErrorCode::catalogue();
    out.push_str(
        "\n## Codes of the HTTP layer\n\n\
         Given before or around a use case (reading the request, the token, the database). Each \
         operation of `openapi.yaml` declares, on every problem response, the `enum` of the \
         codes it can carry: these where they apply, and the refusals of its use case.\n\n\
         | code | status | meaning | what to do |\n|---|---|---|---|\n",
    );
    for c in layer_codes() {
        if ErrorCode::from_code(c.code).is_some() {
            continue;
        }
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            c.code, c.status, c.meaning, c.todo
        ));
    }
    out
}

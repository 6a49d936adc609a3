//! The two cookies of the software's sign-in page, both HttpOnly and SameSite=Strict, scoped to
//! the page's path:
//!
//! - `mcp_form`, a random value given with the page: the form carries `jeton`, the SHA-256 of
//!   that value and of the authorization request it was shown for. A form posted from another
//!   site (login CSRF) comes without the cookie, a form forged for another request has the wrong
//!   `jeton`: both are refused before any credential is looked at. Nothing is kept on the
//!   server.
//! - `mcp_device`, the device token of the last person who signed in on this browser (OWASP's
//!   device cookie): their next sign-in here is not held back by others' failures.

use actix_web::cookie::{time::Duration, Cookie, SameSite};
use actix_web::HttpRequest;
use sha2::{Digest, Sha256};

use super::oauth::AuthorizeParams;

const FORM_COOKIE: &str = "mcp_form";
const DEVICE_COOKIE: &str = "mcp_device";
const PATH: &str = "/api/v1/oauth/authorize";

fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    cookie_at(PATH, name, value, secure)
}

fn cookie_at(
    path: &'static str,
    name: &'static str,
    value: String,
    secure: bool,
) -> Cookie<'static> {
    Cookie::build(name, value)
        .path(path)
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish()
}

/// Whether the request reached the service over HTTPS (directly or as its proxy says).
pub(crate) fn secure(req: &HttpRequest) -> bool {
    req.connection_info().scheme() == "https"
}

/// The form cookie's value for the page about to be shown: the browser's, if it has a
/// well-formed one (so that two tabs signing in at once both work), else a new one — and, when
/// new, the cookie to set.
pub(crate) fn form_secret(req: &HttpRequest) -> (String, Option<Cookie<'static>>) {
    form_secret_at(req, PATH)
}

/// [`form_secret`] for the pages under `path` (the account pages' forms).
pub(crate) fn form_secret_at(
    req: &HttpRequest,
    path: &'static str,
) -> (String, Option<Cookie<'static>>) {
    match req.cookie(FORM_COOKIE).map(|c| c.value().to_string()) {
        Some(v) if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) => (v, None),
        _ => {
            let v = mcp_persistence::credentials::random_secret();
            (
                v.clone(),
                Some(cookie_at(path, FORM_COOKIE, v, secure(req))),
            )
        }
    }
}

/// The `jeton` of the form shown for `p` to the browser holding `secret`.
pub(crate) fn form_token(secret: &str, p: &AuthorizeParams) -> String {
    form_token_of(
        secret,
        &[
            &p.response_type,
            &p.client_id,
            &p.redirect_uri,
            &p.scope,
            &p.state,
            &p.code_challenge,
            &p.code_challenge_method,
            &p.nonce,
        ]
        .map(|v| v.as_deref().unwrap_or("")),
    )
}

/// The `jeton` of a form shown to the browser holding `secret` for `values` (the page's own
/// path, for the account pages).
pub(crate) fn form_token_of(secret: &str, values: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(secret.as_bytes());
    for v in values {
        // Each value framed by its length: no two requests give one input.
        h.update((v.len() as u64).to_be_bytes());
        h.update(v.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Whether a posted form carries the `jeton` of the page shown for its request to this browser;
/// gives the browser's form secret when it does.
pub(crate) fn form_checked(req: &HttpRequest, jeton: &str, p: &AuthorizeParams) -> Option<String> {
    let secret = req.cookie(FORM_COOKIE)?.value().to_string();
    mcp_domain::text::constant_time_eq(form_token(&secret, p).as_bytes(), jeton.as_bytes())
        .then_some(secret)
}

/// [`form_checked`] for a form shown for `values`.
pub(crate) fn form_checked_of(req: &HttpRequest, jeton: &str, values: &[&str]) -> Option<String> {
    let secret = req.cookie(FORM_COOKIE)?.value().to_string();
    mcp_domain::text::constant_time_eq(form_token_of(&secret, values).as_bytes(), jeton.as_bytes())
        .then_some(secret)
}

/// The device token the browser kept, if any.
pub(crate) fn device_token(req: &HttpRequest) -> Option<String> {
    req.cookie(DEVICE_COOKIE).map(|c| c.value().to_string())
}

/// The cookie that keeps a device token for [`DEVICE_VALIDITY_DAYS`].
///
/// [`DEVICE_VALIDITY_DAYS`]: mcp_persistence::store::devices::DEVICE_VALIDITY_DAYS
pub(crate) fn device_cookie(token: String, secure: bool) -> Cookie<'static> {
    let mut c = cookie(DEVICE_COOKIE, token, secure);
    c.set_max_age(Duration::days(
        mcp_persistence::store::devices::DEVICE_VALIDITY_DAYS,
    ));
    c
}

//! Gives partner software the tokens of a session acting for a person.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::use_cases::sessions::{
    self, Client, Credentials, Issued, Purpose, Refusal, SignedIn, Throttles, Welcome,
};
use mcp_domain::access::Software;
use mcp_domain::vocabulary::{OAuthError, SessionEnd};

use super::*;

/// What the software presents (RFC 6749 §4.1.3, §6, §4.3), its parameters already read.
#[derive(Debug, Clone, Copy)]
pub enum Grant<'a> {
    /// A code of the person's consent, with the S256 challenge of the verifier presented.
    AuthorizationCode {
        /// The code.
        code: &'a str,
        /// The redirect URI it was issued for.
        redirect_uri: &'a str,
        /// BASE64URL(SHA-256(code_verifier)).
        challenge_of_verifier: &'a str,
    },
    /// A refresh token of a session of this software.
    RefreshToken(&'a str),
    /// The person's own credentials, and the scopes asked (all registered ones when none).
    Password {
        /// The person's identifier and password.
        credentials: Credentials<'a>,
        /// Space-separated scopes asked.
        scope: Option<&'a str>,
    },
}

/// The tokens of a session for the software and, when the person granted `openid` in the
/// authorization code flow, how they signed in, for the `id_token`.
#[derive(Debug)]
pub struct Exchanged {
    /// The session's tokens.
    pub issued: Issued,
    /// For the `id_token`.
    pub authentication: Option<Authentication>,
}

/// A refusal, as RFC 6749 §5.2 words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRefusal {
    /// The `error`.
    pub error: OAuthError,
    /// The `error_description`.
    pub description: &'static str,
}

const CODE_REFUSED: &str = "this code is unknown, used, expired, or not issued to this software";

fn refused<T>(
    error: OAuthError,
    description: &'static str,
) -> Result<std::result::Result<T, TokenRefusal>> {
    Ok(Err(TokenRefusal { error, description }))
}

/// Gives the software `client_id` the tokens of a session acting for a person: by spending a
/// code (the session opens in the same transaction; a code tried once stays spent), by
/// rotating a refresh token of one of its sessions (a reused one ends the session), or — only
/// where the Caf allowed it for this software — by signing the person in with their own
/// credentials, throttled and traced as every sign-in.
pub fn exchange_token(
    db: &Database,
    ctx: &Ctx,
    client_id: &str,
    grant: Grant<'_>,
    client: &Client,
    throttles: Throttles,
) -> Result<std::result::Result<Exchanged, TokenRefusal>> {
    let app = if client_id.len() <= 64 {
        approved(db, client_id)?
    } else {
        None
    };
    let Some(app) = app else {
        return refused(OAuthError::InvalidClient, "unknown or revoked client_id");
    };
    let app_id = app.client_uuid()?;
    match grant {
        Grant::AuthorizationCode {
            code,
            redirect_uri,
            challenge_of_verifier,
        } => db.write(|conn| {
            let spent = spend_code(
                conn,
                ctx.now,
                code,
                app.id,
                redirect_uri,
                challenge_of_verifier,
            )?;
            let (account, identifier, scopes, authentication) = match spent {
                Spent::Fresh(account, identifier, scopes, a) => (account, identifier, scopes, a),
                Spent::Reused(session) => {
                    // Intercepted: whatever was issued from it stops working (RFC 6749 §4.1.2).
                    if let Some(session) = session {
                        sessions::end_by_id(conn, ctx, session, SessionEnd::CodeReuse)?;
                    }
                    return refused(OAuthError::InvalidGrant, CODE_REFUSED);
                }
                Spent::Invalid => return refused(OAuthError::InvalidGrant, CODE_REFUSED),
            };
            let authentication = scopes
                .contains(&mcp_domain::access::Scope::Openid)
                .then_some(authentication);
            let software = Software {
                client_id: app_id,
                scopes,
            };
            let issued = sessions::open(conn, ctx, &account, &identifier, client, Some(&software))?;
            link_code_to_session(conn, code, issued.session_id)?;
            Ok(Ok(Exchanged {
                issued,
                authentication,
            }))
        }),
        Grant::RefreshToken(token) => {
            match sessions::refresh(db, ctx, token.trim(), Some(app_id)) {
                Ok(issued) => Ok(Ok(Exchanged {
                    issued,
                    authentication: None,
                })),
                Err(Error::Domain(_)) => refused(
                    OAuthError::InvalidGrant,
                    "this refresh token does not open a session of this software",
                ),
                Err(e) => Err(e),
            }
        }
        Grant::Password { .. } if !app.password_grant => refused(
            OAuthError::UnauthorizedClient,
            "this software may not present people's credentials",
        ),
        Grant::Password { credentials, scope } => {
            let Ok(scopes) = mcp_domain::software::granted_scopes(scope, &app.scope_list()) else {
                return refused(
                    OAuthError::InvalidScope,
                    "a scope asked for is not registered for this software",
                );
            };
            let software = Software {
                client_id: app_id,
                scopes,
            };
            let purpose = Purpose::SoftwareSession(&app, &software);
            match sessions::login(db, ctx, credentials, client, throttles, purpose)? {
                Ok(Welcome {
                    signed_in: SignedIn::Session(issued),
                    ..
                }) => Ok(Ok(Exchanged {
                    issued,
                    authentication: None,
                })),
                Ok(Welcome {
                    signed_in: SignedIn::Code(_),
                    ..
                }) => Err(Error::Corrupt("a session was asked for".into())),
                Err(Refusal::Throttled(_)) => refused(
                    OAuthError::InvalidGrant,
                    "too many failed attempts: try again later",
                ),
                Err(Refusal::OtpRequired) => refused(
                    OAuthError::InvalidGrant,
                    "this person uses a second factor: use the authorization code flow",
                ),
                Err(Refusal::Refused | Refusal::OtherOrganisation) => {
                    refused(OAuthError::InvalidGrant, "wrong identifier or password")
                }
            }
        }
    }
}

//! Gives partner software the tokens of a session acting for a person.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::use_cases::sessions::{
    self, Client, Credentials, Issued, Purpose, Refusal, SignedIn, Throttles, Welcome,
};
use mcp_domain::access::Software;
use mcp_domain::vocabulary::{OAuthError, SessionEnd};
use mcp_domain::{msg, Message};

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
    /// What went wrong: its English is the `error_description`, in ASCII as RFC 6749 §5.2
    /// requires; its French is for a person reading the problem's `detail`.
    pub description: Message,
}

fn code_refused() -> Message {
    msg!(
        "ce code est inconnu, déjà utilisé, expiré, ou n'a pas été délivré à ce logiciel",
        "this code is unknown, used, expired, or not issued to this software"
    )
}

fn refused<T>(
    error: OAuthError,
    description: Message,
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
        return refused(OAuthError::InvalidClient, unknown_client());
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
                    return refused(OAuthError::InvalidGrant, code_refused());
                }
                Spent::Invalid => return refused(OAuthError::InvalidGrant, code_refused()),
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
                    msg!(
                        "ce jeton de renouvellement n'ouvre pas de session de ce logiciel",
                        "this refresh token does not open a session of this software"
                    ),
                ),
                Err(e) => Err(e),
            }
        }
        Grant::Password { .. } if !app.password_grant => refused(
            OAuthError::UnauthorizedClient,
            msg!(
                "ce logiciel n'est pas autorisé à présenter les identifiants des personnes",
                "this software may not present people's credentials"
            ),
        ),
        Grant::Password { credentials, scope } => {
            let Ok(scopes) = mcp_domain::software::granted_scopes(scope, &app.scope_list()) else {
                return refused(OAuthError::InvalidScope, unregistered_scope());
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
                    msg!(
                        "trop de tentatives échouées : réessayez plus tard",
                        "too many failed attempts: try again later"
                    ),
                ),
                Err(Refusal::OtpRequired) => refused(
                    OAuthError::InvalidGrant,
                    msg!(
                        "cette personne utilise un second facteur : passez par le flux du code d'autorisation",
                        "this person uses a second factor: use the authorization code flow"
                    ),
                ),
                Err(Refusal::Refused | Refusal::OtherOrganisation) => {
                    refused(
                    OAuthError::InvalidGrant,
                    msg!(
                        "identifiant ou mot de passe incorrect",
                        "wrong identifier or password"
                    ),
                )
                }
            }
        }
    }
}

/// The refusal of a `client_id` that names no approved software.
pub fn unknown_client() -> Message {
    msg!(
        "ce logiciel est inconnu, ou son autorisation a été retirée",
        "unknown or revoked client_id"
    )
}

/// The refusal of a scope the software was not registered for.
pub fn unregistered_scope() -> Message {
    msg!(
        "une portée demandée n'est pas enregistrée pour ce logiciel",
        "a scope asked for is not registered for this software"
    )
}

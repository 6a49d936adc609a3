//! Partner software acting for a person: registration by the Caf, the OAuth 2.0 authorization
//! code flow with PKCE (the person signs in on a page served here, so the software never sees
//! the password). The token endpoint is in `oauth_token`.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use mcp_domain::access::Scope;
use mcp_domain::software::{error_description_acceptable, granted_scopes};
use mcp_domain::vocabulary::OAuthError;
use mcp_domain::{msg, Message};
use mcp_persistence::use_cases::clients::{self, ClientApplication};
use mcp_persistence::use_cases::sessions::{self, Refusal, SignedIn, Welcome};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::{client, throttles};
use super::blocking;
use super::sign_in_cookies as cookies;
use crate::pages::{escape, from_this_service, obsolete_browser, page};
use crate::problem::ApiError;
use crate::state::AppState;

/// The parameters of an authorization request (RFC 6749 §4.1.1, RFC 7636).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeParams {
    /// Must be `code`.
    pub response_type: Option<String>,
    /// The software's `client_id`.
    pub client_id: Option<String>,
    /// One of its registered redirect URIs, exactly.
    pub redirect_uri: Option<String>,
    /// Scopes asked, space-separated; all the registered ones when absent.
    pub scope: Option<String>,
    /// Opaque value returned unchanged to the software.
    pub state: Option<String>,
    /// PKCE challenge: BASE64URL(SHA-256(code_verifier)).
    pub code_challenge: Option<String>,
    /// Must be `S256`.
    pub code_challenge_method: Option<String>,
    /// OpenID Connect: returned unchanged in the `id_token` (scope `openid`).
    pub nonce: Option<String>,
}

/// The sign-in form: the request's parameters, and the person's credentials.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(flatten)]
    request: AuthorizeParams,
    identifiant: String,
    mot_de_passe: String,
    #[serde(default)]
    code: Option<String>,
    /// The form token of the page (see `sign_in_cookies`).
    #[serde(default)]
    jeton: String,
}

/// A request whose software and redirect URI were checked: errors may now go back to it.
struct Checked {
    app: ClientApplication,
    redirect_uri: String,
    scopes: Vec<Scope>,
    state: Option<String>,
    code_challenge: String,
    /// The Caf that registered the software, and the partner it belongs to.
    names: (String, String),
    nonce: Option<String>,
}

/// Where an authorization request went wrong.
enum Invalid {
    /// The software or the redirect URI cannot be trusted: say so here, redirect nowhere.
    Here(&'static str),
    /// Tell the software, at its redirect URI (RFC 6749 §4.1.2.1).
    Back {
        redirect_uri: String,
        state: Option<String>,
        error: OAuthError,
        /// Its English is the `error_description` (ASCII, RFC 6749 §4.1.2.1).
        description: Message,
    },
}

fn check_request(
    db: &mcp_persistence::Database,
    p: &AuthorizeParams,
) -> Result<Result<Checked, Invalid>, ApiError> {
    let Some(app) = p
        .client_id
        .as_deref()
        .filter(|c| c.len() <= 64)
        .map(|c| clients::approved(db, c))
        .transpose()?
        .flatten()
    else {
        return Ok(Err(Invalid::Here(
            "Ce logiciel n'est pas enregistré, ou son autorisation a été retirée.",
        )));
    };
    let Some(redirect_uri) = p
        .redirect_uri
        .clone()
        .filter(|r| app.redirect_uri_list().contains(r))
    else {
        return Ok(Err(Invalid::Here(
            "L'adresse de retour demandée n'est pas celle enregistrée pour ce logiciel.",
        )));
    };
    let back = |error, description| {
        Ok(Err(Invalid::Back {
            redirect_uri: redirect_uri.clone(),
            state: p.state.clone(),
            error,
            description,
        }))
    };
    if p.response_type.as_deref() != Some("code") {
        return back(
            OAuthError::UnsupportedResponseType,
            msg!(
                "response_type doit valoir code",
                "response_type must be code"
            ),
        );
    }
    let challenge = p.code_challenge.clone().unwrap_or_default();
    if p.code_challenge_method.as_deref() != Some("S256") || challenge.len() != 43 {
        return back(
            OAuthError::InvalidRequest,
            msg!(
                "PKCE est exigé : code_challenge (S256) et code_challenge_method=S256",
                "PKCE is required: code_challenge (S256) and code_challenge_method=S256"
            ),
        );
    }
    if p.nonce.as_ref().is_some_and(|n| n.len() > 255) {
        return back(
            OAuthError::InvalidRequest,
            msg!(
                "le nonce dépasse 255 caractères",
                "nonce is longer than 255 characters"
            ),
        );
    }
    let Ok(scopes) = granted_scopes(p.scope.as_deref(), &app.scope_list()) else {
        return back(OAuthError::InvalidScope, clients::unregistered_scope());
    };
    let names = clients::names(db, &app)?;
    Ok(Ok(Checked {
        names,
        app,
        redirect_uri,
        scopes,
        state: p.state.clone(),
        code_challenge: challenge,
        nonce: p.nonce.clone().filter(|n| !n.is_empty()),
    }))
}

pub(crate) fn scope_label(s: Scope) -> &'static str {
    match s {
        Scope::Profile => "connaître votre identité (nom, fonction, organisation)",
        Scope::RegistryRead => "consulter, en votre nom, les informations de votre organisation (conventions, services souscrits)",
        Scope::RegistryWrite => "modifier, en votre nom, les informations que vos fonctions vous permettent de modifier",
        Scope::HabilitationsRead => "consulter, en votre nom, les utilisateurs, groupes et habilitations de votre organisation",
        Scope::HabilitationsWrite => "gérer, en votre nom, les utilisateurs, groupes et habilitations que vos fonctions vous permettent de gérer",
        Scope::CdapRead => "consulter, en votre nom, les dossiers d'allocataires que votre habilitation vous permet de consulter",
        Scope::Openid => "savoir que c'est vous qui vous connectez (votre identifiant stable sur Mon Compte Partenaire)",
    }
}

fn origin(uri: &str) -> String {
    let scheme_end = uri.find("://").map_or(0, |i| i + 3);
    let end = uri[scheme_end..]
        .find('/')
        .map_or(uri.len(), |i| scheme_end + i);
    uri[..end].to_string()
}

fn sign_in_page(
    config: &crate::config::Config,
    c: &Checked,
    p: &AuthorizeParams,
    jeton: &str,
    error: Option<&str>,
    identifier: &str,
) -> HttpResponse {
    let jeton = format!("<input type=\"hidden\" name=\"jeton\" value=\"{jeton}\">\n");
    let hidden: String = std::iter::once(jeton)
        .chain(
            [
                ("response_type", p.response_type.as_deref()),
                ("client_id", p.client_id.as_deref()),
                ("redirect_uri", p.redirect_uri.as_deref()),
                ("scope", p.scope.as_deref()),
                ("state", p.state.as_deref()),
                ("code_challenge", p.code_challenge.as_deref()),
                ("code_challenge_method", p.code_challenge_method.as_deref()),
                ("nonce", p.nonce.as_deref()),
            ]
            .iter()
            .filter_map(|(k, v)| {
                v.map(|v| {
                    format!(
                        "<input type=\"hidden\" name=\"{k}\" value=\"{}\">\n",
                        escape(v)
                    )
                })
            }),
        )
        .collect();
    let scopes: String = c
        .scopes
        .iter()
        .map(|s| format!("<li>{}</li>\n", scope_label(*s)))
        .collect();
    let error_block = error
        .map(|e| {
            format!(
                "<div class=\"erreur\" role=\"alert\" id=\"erreur\"><p>{}</p></div>\n",
                escape(e)
            )
        })
        .unwrap_or_default();
    let described = if error.is_some() {
        " aria-describedby=\"erreur\""
    } else {
        ""
    };
    let body = format!(
        "<p class=\"organisme\">{caf}</p>\n<h1>Connexion à Mon Compte Partenaire</h1>\n\
<p>Le logiciel <strong>{name}</strong> de {partner} demande à agir en votre nom pour :</p>\n<ul>\n{scopes}</ul>\n\
<p class=\"aide\">Saisissez vos identifiants ici, sur Mon Compte Partenaire : le logiciel ne les verra pas. \
Chacune de ses actions sera tracée à votre nom.</p>\n\
{error_block}\
<form method=\"post\" action=\"/api/v1/oauth/authorize\">\n{hidden}\
<label for=\"identifiant\">Identifiant</label>\n<input id=\"identifiant\" name=\"identifiant\" autocomplete=\"username\" required value=\"{identifier}\"{described}>\n\
<label for=\"mot_de_passe\">Mot de passe</label>\n<input id=\"mot_de_passe\" name=\"mot_de_passe\" type=\"password\" autocomplete=\"current-password\" required{described}>\n\
<label for=\"code\">Code de votre application d'authentification <span class=\"aide\">(si vous en utilisez une)</span></label>\n\
<input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" pattern=\"[0-9]{{6}}\">\n\
<button type=\"submit\">Se connecter et autoriser</button>\n</form>\n\
<p><a href=\"{forgotten}\">Mot de passe oublié ?</a> · <a href=\"{activation}\">Activer mon compte</a></p>\n",
        name = escape(&c.app.name),
        identifier = escape(identifier),
        caf = escape(&c.names.0),
        partner = escape(&c.names.1),
        forgotten = mcp_domain::links::FORGOTTEN_PASSWORD_PATH,
        activation = mcp_domain::links::ACTIVATION_PATH,
    );
    page(
        config,
        actix_web::http::StatusCode::OK,
        // What went wrong is the first thing a screen reader says of the page again (RGAA 8.6).
        if error.is_some() {
            "Erreur — Connexion"
        } else {
            "Connexion"
        },
        &body,
        Some(&origin(&c.redirect_uri)),
    )
}

pub(crate) fn redirect_back(redirect_uri: &str, params: &[(&str, &str)]) -> HttpResponse {
    let query: String = params
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let sep = match (query.is_empty(), redirect_uri.contains('?')) {
        (true, _) => "",
        (false, true) => "&",
        (false, false) => "?",
    };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("{redirect_uri}{sep}{query}")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn invalid(config: &crate::config::Config, i: Invalid) -> HttpResponse {
    match i {
        Invalid::Here(message) => page(
            config,
            actix_web::http::StatusCode::BAD_REQUEST,
            "Demande refusée",
            &format!("<h1>Demande refusée</h1>\n<p role=\"alert\">{}</p>\n<p>Revenez au logiciel et signalez le problème à votre administrateur.</p>\n", escape(message)),
            None,
        ),
        Invalid::Back { redirect_uri, state, error, description } => {
            debug_assert!(error_description_acceptable(description.en()), "{description}");
            let mut params = vec![("error", error.code()), ("error_description", description.en())];
            if let Some(s) = state.as_deref() {
                params.push(("state", s));
            }
            redirect_back(&redirect_uri, &params)
        }
    }
}

/// The sign-in page of the authorization code flow (HTML, in French). PKCE (S256) is required.
#[utoipa::path(
    tag = "oauth",
    params(AuthorizeParams),
    responses(
        (status = 200, description = "The sign-in page", content_type = "text/html"),
        (status = 303, description = "Back to the software with an error (RFC 6749 §4.1.2.1)"),
        (status = 403, description = "The browser is obsolete (older than the configured minimum, or Internet Explorer): a page saying so in French", content_type = "text/html"),
    ),
)]
#[get("/oauth/authorize")]
pub async fn show_authorization_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<AuthorizeParams>,
) -> Result<HttpResponse, ApiError> {
    if let Some(refused) = obsolete_browser(&req, &state.config) {
        return Ok(refused);
    }
    let p = q.into_inner();
    let db = state.db.clone();
    let params = p.clone();
    let checked = blocking(move || {
        check_request(&db, &params).map_err(|e| mcp_persistence::Error::Unavailable(e.to_string()))
    })
    .await?;
    Ok(match checked {
        Ok(c) => {
            let (secret, new_cookie) = cookies::form_secret(&req);
            let mut page = sign_in_page(
                &state.config,
                &c,
                &p,
                &cookies::form_token(&secret, &p),
                None,
                "",
            );
            if let Some(cookie) = new_cookie {
                page.add_cookie(&cookie).map_err(ApiError::internal)?;
            }
            page
        }
        Err(i) => invalid(&state.config, i),
    })
}

/// Signs the person in and, on success, sends the software back a single-use code.
#[utoipa::path(
    tag = "oauth",
    request_body(content_type = "application/x-www-form-urlencoded", content = Object, description = "The sign-in page's form (a person's browser sends it, not software): the request's parameters, with identifiant, mot_de_passe, code and the page's jeton", example = json!({"response_type": "code", "client_id": "01a20810-0000-7000-8000-0000000000c1", "redirect_uri": "https://logiciel.ville-lieusaint.fr/retour", "scope": "profile habilitations:read", "state": "af0ifjsldkj", "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256", "identifiant": "K7M2-Q9XD", "mot_de_passe": "Lieusaint-Accueil-2026", "jeton": "c2f1e0d9b8a7"})),
    responses(
        (status = 303, description = "Back to the software with `code` and `state`"),
        (status = 200, description = "The page again, with what went wrong", content_type = "text/html"),
        (status = 403, description = "Sent from another site than this service's page (login CSRF), or from an obsolete browser", content_type = "text/html"),
    ),
)]
#[post("/oauth/authorize")]
pub async fn submit_authorization(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, ApiError> {
    if let Some(refused) = obsolete_browser(&req, &state.config) {
        return Ok(refused);
    }
    let form = form.into_inner();
    let form_secret = cookies::form_checked(&req, &form.jeton, &form.request);
    if !from_this_service(&req) || form_secret.is_none() {
        return Ok(page(
            &state.config,
            actix_web::http::StatusCode::FORBIDDEN,
            "Demande refusée",
            "<h1>Demande refusée</h1>\n<p role=\"alert\">Ce formulaire n'a pas été envoyé depuis la page de connexion du service (il vient d'un autre site, ou la page a été ouverte dans un autre navigateur) : il n'est pas pris en compte.</p>\n<p>Revenez au logiciel et recommencez la connexion.</p>\n",
            None,
        ));
    }
    let form_secret = form_secret.unwrap_or_default();
    let ctx = crate::auth::without_person(&req);
    let net = client(&req);
    let device = cookies::device_token(&req);
    let secure = cookies::secure(&req);
    let st = state.clone();
    let outcome = web::block(move || -> Result<Submitted, ApiError> {
        let c = match check_request(&st.db, &form.request)? {
            Ok(c) => c,
            Err(i) => return Ok(Submitted::Invalid(i)),
        };
        let identifier = form.identifiant.trim().to_uppercase();
        let credentials = sessions::Credentials {
            identifier: &identifier,
            password: &form.mot_de_passe,
            otp: form.code.as_deref().map(str::trim).filter(|c| !c.is_empty()),
            device_token: device.as_deref(),
        };
        let consent = clients::Consent {
            redirect_uri: &c.redirect_uri,
            scopes: &c.scopes,
            code_challenge: &c.code_challenge,
            nonce: c.nonce.as_deref(),
        };
        let purpose = sessions::Purpose::Code(&c.app, consent);
        let signed_in = sessions::login(&st.db, &ctx, credentials, &net, throttles(&st.config), purpose)?;
        let message = match signed_in {
            Ok(Welcome { signed_in: SignedIn::Code(code), device_token }) => {
                let mut params = vec![("code".to_string(), code)];
                if let Some(s) = c.state.clone() {
                    params.push(("state".to_string(), s));
                }
                return Ok(Submitted::Redirect(c.redirect_uri, params, device_token));
            }
            Ok(Welcome { signed_in: SignedIn::Session(_), .. }) => {
                return Err(ApiError::internal("a code was asked for"))
            }
            Err(Refusal::OtherOrganisation) => "Ce logiciel appartient à une autre organisation que la vôtre : vous ne pouvez pas l'autoriser.".to_string(),
            Err(Refusal::Refused) => "Identifiant, mot de passe ou code incorrect.".to_string(),
            Err(Refusal::OtpRequired) => "Saisissez aussi le code de votre application d'authentification.".to_string(),
            Err(Refusal::Throttled(secs)) => format!(
                "Trop de tentatives : réessayez dans {}.",
                mcp_domain::text::wait_in_french(u64::try_from(secs).unwrap_or(0))
            ),
        };
        Ok(Submitted::Again(Box::new(c), form.request, message, identifier))
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(match outcome {
        Submitted::Invalid(i) => invalid(&state.config, i),
        Submitted::Redirect(uri, params, device_token) => {
            let params: Vec<(&str, &str)> = params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let mut response = redirect_back(&uri, &params);
            response
                .add_cookie(&cookies::device_cookie(device_token, secure))
                .map_err(ApiError::internal)?;
            response
        }
        Submitted::Again(c, request, message, identifier) => {
            let jeton = cookies::form_token(&form_secret, &request);
            sign_in_page(
                &state.config,
                &c,
                &request,
                &jeton,
                Some(&message),
                &identifier,
            )
        }
    })
}

/// What a sign-in form led to, built into a response off the blocking pool.
enum Submitted {
    Invalid(Invalid),
    Redirect(String, Vec<(String, String)>, String),
    Again(Box<Checked>, AuthorizeParams, String, String),
}

//! The pages people use on their own account, in French, served beside the sign-in page:
//! activation (the commitment and the password policy shown, the password chosen with the code
//! received), the forgotten password (a code asked for) and the new password (chosen with that
//! code). Each form carries the page's `jeton` (a cookie-bound token, as the sign-in page's) and
//! is refused from another site; the use cases are those of the API.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use mcp_domain::links::{ACTIVATION_PATH, FORGOTTEN_PASSWORD_PATH, NEW_PASSWORD_PATH};
use mcp_domain::DomainError;
use mcp_persistence::use_cases::accounts;
use serde::Deserialize;

use crate::pages::{escape, from_this_service, obsolete_browser, page};
use crate::problem::ApiError;
use crate::routes::sign_in_cookies as cookies;
use crate::state::AppState;

/// Where the account pages' form cookie is sent.
const COOKIE_PATH: &str = "/compte";

/// An identifier given in a link or a form, as accounts store it.
fn identifier_of(raw: &str) -> String {
    raw.trim().to_uppercase().chars().take(64).collect()
}

/// The identifier a link fills in.
#[derive(Debug, Deserialize)]
pub struct Prefilled {
    #[serde(default)]
    identifiant: String,
}

/// The activation form.
#[derive(Debug, Deserialize)]
pub struct ActivationForm {
    identifiant: String,
    code: String,
    mot_de_passe: String,
    confirmation: String,
    #[serde(default)]
    engagement: Option<String>,
    #[serde(default)]
    jeton: String,
}

/// The forgotten-password form.
#[derive(Debug, Deserialize)]
pub struct ForgottenForm {
    identifiant: String,
    #[serde(default)]
    jeton: String,
}

/// The new-password form.
#[derive(Debug, Deserialize)]
pub struct NewPasswordForm {
    identifiant: String,
    code: String,
    mot_de_passe: String,
    confirmation: String,
    #[serde(default)]
    jeton: String,
}

/// A form page: the form token set up for `path`, the cookie added when new.
fn form_page(
    req: &HttpRequest,
    path: &'static str,
    build: impl FnOnce(&str) -> HttpResponse,
) -> Result<HttpResponse, ApiError> {
    let (secret, new_cookie) = cookies::form_secret_at(req, COOKIE_PATH);
    let mut response = build(&cookies::form_token_of(&secret, &[path]));
    if let Some(cookie) = new_cookie {
        response.add_cookie(&cookie).map_err(ApiError::internal)?;
    }
    Ok(response)
}

/// The refusal of a form that did not come from this service's own page.
fn foreign_form(state: &AppState) -> HttpResponse {
    page(
        &state.config,
        StatusCode::FORBIDDEN,
        "Demande refusée",
        "<h1>Demande refusée</h1>\n<p role=\"alert\">Ce formulaire n'a pas été envoyé depuis une page du service (il vient d'un autre site, ou la page a été ouverte dans un autre navigateur) : il n'est pas pris en compte.</p>\n<p>Rouvrez le lien reçu par message et recommencez.</p>\n",
        None,
    )
}

/// The refusal of a form posted for `path`, if it gets one: from an obsolete browser, or not
/// from this service's own page (another site, or no form cookie matching its `jeton`).
fn refused(req: &HttpRequest, state: &AppState, jeton: &str, path: &str) -> Option<HttpResponse> {
    if let Some(page) = obsolete_browser(req, &state.config) {
        return Some(page);
    }
    let genuine = from_this_service(req) && cookies::form_checked_of(req, jeton, &[path]).is_some();
    (!genuine).then(|| foreign_form(state))
}

/// What the page says when the two passwords typed differ.
const MISMATCH: &str = "Les deux mots de passe saisis diffèrent : saisissez le même deux fois.";

/// What a refusal says to the person: each invalid field's message, or the refusal's title.
fn said(e: &DomainError) -> String {
    match e {
        DomainError::Validation(errors) => errors
            .iter()
            .map(|f| f.message.fr().to_string())
            .collect::<Vec<_>>()
            .join(" ; "),
        other => other.error_code().title_fr().to_string(),
    }
}

fn throttled(secs: i64) -> String {
    format!(
        "Trop de tentatives : réessayez dans {}.",
        mcp_domain::text::wait_in_french(u64::try_from(secs).unwrap_or(0))
    )
}

fn error_block(error: Option<&str>) -> String {
    error
        .map(|e| {
            format!(
                "<div class=\"erreur\" role=\"alert\" id=\"erreur\"><p>{}</p></div>\n",
                escape(e)
            )
        })
        .unwrap_or_default()
}

/// The title of a form page: what went wrong is the first thing a screen reader says of it.
fn titled(title: &str, error: Option<&str>) -> String {
    if error.is_some() {
        format!("Erreur — {title}")
    } else {
        title.to_string()
    }
}

fn password_fields(policy: &str) -> String {
    format!(
        "<label for=\"mot_de_passe\">Mot de passe choisi</label>\n\
<p class=\"aide\" id=\"politique\">Votre mot de passe : {policy}.</p>\n\
<input id=\"mot_de_passe\" name=\"mot_de_passe\" type=\"password\" autocomplete=\"new-password\" required aria-describedby=\"politique\">\n\
<label for=\"confirmation\">Le même mot de passe, une seconde fois</label>\n\
<input id=\"confirmation\" name=\"confirmation\" type=\"password\" autocomplete=\"new-password\" required>\n",
        policy = escape(policy),
    )
}

/// The password policy that applies to the account `identifier` names (the default one for an
/// identifier that names none).
async fn policy_for(state: &AppState, identifier: &str) -> Result<String, ApiError> {
    let db = state.db.clone();
    let identifier = identifier.to_string();
    let today = crate::auth::now().date();
    let rules =
        crate::routes::blocking(move || accounts::sign_in_rules_for(&db, &identifier, today))
            .await?;
    Ok(rules.password_policy.in_french())
}

fn activation_page(
    state: &AppState,
    jeton: &str,
    identifier: &str,
    policy: &str,
    error: Option<&str>,
) -> HttpResponse {
    let body = format!(
        "<h1>Activer mon compte</h1>\n\
<p>Saisissez l'identifiant et le code d'activation reçus par message, prenez connaissance de vos engagements et choisissez votre mot de passe.</p>\n\
{error}<form method=\"post\" action=\"{ACTIVATION_PATH}\">\n\
<input type=\"hidden\" name=\"jeton\" value=\"{jeton}\">\n\
<label for=\"identifiant\">Identifiant</label>\n<input id=\"identifiant\" name=\"identifiant\" autocomplete=\"username\" required value=\"{identifier}\">\n\
<label for=\"code\">Code d'activation</label>\n<input id=\"code\" name=\"code\" autocomplete=\"one-time-code\" required spellcheck=\"false\">\n\
{passwords}\
<h2>Vos engagements</h2>\n<p id=\"engagement-texte\">{commitment}</p>\n\
<p class=\"aide\">Les agents des partenaires de la Caf doivent accepter ces engagements pour activer leur compte.</p>\n\
<label for=\"engagement\"><input type=\"checkbox\" id=\"engagement\" name=\"engagement\" value=\"oui\" aria-describedby=\"engagement-texte\" style=\"display:inline;width:auto;margin-right:.5rem\">J'ai lu ces engagements et je les accepte</label>\n\
<button type=\"submit\">Activer mon compte</button>\n</form>\n",
        error = error_block(error),
        identifier = escape(identifier),
        passwords = password_fields(policy),
        commitment = escape(mcp_domain::commitment::TEXT),
    );
    page(
        &state.config,
        StatusCode::OK,
        &titled("Activer mon compte", error),
        &body,
        None,
    )
}

fn done_page(state: &AppState, title: &str, text: &str) -> HttpResponse {
    page(
        &state.config,
        StatusCode::OK,
        title,
        &format!("<h1>{title}</h1>\n<p role=\"status\">{text}</p>\n"),
        None,
    )
}

/// The activation page, its identifier filled in from the message's link.
#[get("/compte/activation")]
pub async fn show_activation(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<Prefilled>,
) -> Result<HttpResponse, ApiError> {
    if let Some(refused) = obsolete_browser(&req, &state.config) {
        return Ok(refused);
    }
    let identifier = identifier_of(&q.identifiant);
    let policy = policy_for(&state, &identifier).await?;
    form_page(&req, ACTIVATION_PATH, |jeton| {
        activation_page(&state, jeton, &identifier, &policy, None)
    })
}

/// Activates the account with the code received and the password chosen.
#[post("/compte/activation")]
pub async fn submit_activation(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<ActivationForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    if let Some(refused) = refused(&req, &state, &form.jeton, ACTIVATION_PATH) {
        return Ok(refused);
    }
    let identifier = identifier_of(&form.identifiant);
    let again = |error: String, policy: String| {
        let jeton = form.jeton.clone();
        let identifier = identifier.clone();
        let state = state.clone();
        move || activation_page(&state, &jeton, &identifier, &policy, Some(&error))
    };
    if form.mot_de_passe != form.confirmation {
        let policy = policy_for(&state, &identifier).await?;
        return Ok(again(MISMATCH.into(), policy)());
    }
    let ctx = crate::auth::without_person(&req);
    let db = state.db.clone();
    let (id, code, password) = (
        identifier.clone(),
        form.code.trim().to_string(),
        form.mot_de_passe.clone(),
    );
    let accepted = form.engagement.as_deref() == Some("oui");
    let outcome =
        web::block(move || accounts::activate(&db, &ctx, &id, &code, &password, accepted))
            .await
            .map_err(ApiError::internal)?;
    match outcome {
        Ok(_) => Ok(done_page(
            &state,
            "Compte activé",
            "Votre compte est activé. Connectez-vous depuis le logiciel de votre organisme, avec votre identifiant et le mot de passe que vous venez de choisir.",
        )),
        Err(mcp_persistence::Error::Domain(e)) => {
            let policy = policy_for(&state, &identifier).await?;
            Ok(again(said(&e), policy)())
        }
        Err(mcp_persistence::Error::Throttled(secs)) => {
            let policy = policy_for(&state, &identifier).await?;
            Ok(again(throttled(secs), policy)())
        }
        Err(e) => Err(e.into()),
    }
}

fn forgotten_page(state: &AppState, jeton: &str, error: Option<&str>) -> HttpResponse {
    let body = format!(
        "<h1>Mot de passe oublié</h1>\n\
<p>Saisissez votre identifiant : un code à usage unique, valable 30 minutes, sera envoyé à l'adresse électronique de votre compte.</p>\n\
{error}<form method=\"post\" action=\"{FORGOTTEN_PASSWORD_PATH}\">\n\
<input type=\"hidden\" name=\"jeton\" value=\"{jeton}\">\n\
<label for=\"identifiant\">Identifiant</label>\n<input id=\"identifiant\" name=\"identifiant\" autocomplete=\"username\" required>\n\
<button type=\"submit\">Recevoir un code</button>\n</form>\n",
        error = error_block(error),
    );
    page(
        &state.config,
        StatusCode::OK,
        &titled("Mot de passe oublié", error),
        &body,
        None,
    )
}

/// The forgotten-password page.
#[get("/compte/mot-de-passe-oublie")]
pub async fn show_forgotten_password(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if let Some(refused) = obsolete_browser(&req, &state.config) {
        return Ok(refused);
    }
    form_page(&req, FORGOTTEN_PASSWORD_PATH, |jeton| {
        forgotten_page(&state, jeton, None)
    })
}

/// Asks for a reset code; the answer is the same whether the identifier names an account.
#[post("/compte/mot-de-passe-oublie")]
pub async fn submit_forgotten_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<ForgottenForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    if let Some(refused) = refused(&req, &state, &form.jeton, FORGOTTEN_PASSWORD_PATH) {
        return Ok(refused);
    }
    let identifier = identifier_of(&form.identifiant);
    let ctx = crate::auth::without_person(&req);
    let db = state.db.clone();
    let id = identifier.clone();
    crate::routes::blocking(move || accounts::request_password_reset(&db, &ctx, &id)).await?;
    state.outbox.notify_one();
    Ok(done_page(
        &state,
        "Code envoyé",
        &format!(
            "Si cet identifiant correspond à un compte actif, un code à usage unique vient d'être envoyé à son adresse électronique ; il est valable 30 minutes. Saisissez-le sur la page <a href=\"{NEW_PASSWORD_PATH}?identifiant={}\">Choisir un nouveau mot de passe</a>, dont le message donne aussi le lien.",
            escape(&identifier)
        ),
    ))
}

fn new_password_page(
    state: &AppState,
    jeton: &str,
    identifier: &str,
    policy: &str,
    error: Option<&str>,
) -> HttpResponse {
    let body = format!(
        "<h1>Choisir un nouveau mot de passe</h1>\n\
<p>Saisissez le code reçu par message et votre nouveau mot de passe. Toutes vos sessions ouvertes prendront fin.</p>\n\
{error}<form method=\"post\" action=\"{NEW_PASSWORD_PATH}\">\n\
<input type=\"hidden\" name=\"jeton\" value=\"{jeton}\">\n\
<label for=\"identifiant\">Identifiant</label>\n<input id=\"identifiant\" name=\"identifiant\" autocomplete=\"username\" required value=\"{identifier}\">\n\
<label for=\"code\">Code reçu par message</label>\n<input id=\"code\" name=\"code\" autocomplete=\"one-time-code\" required spellcheck=\"false\">\n\
{passwords}<button type=\"submit\">Enregistrer le nouveau mot de passe</button>\n</form>\n\
<p><a href=\"{FORGOTTEN_PASSWORD_PATH}\">Recevoir un nouveau code</a></p>\n",
        error = error_block(error),
        identifier = escape(identifier),
        passwords = password_fields(policy),
    );
    page(
        &state.config,
        StatusCode::OK,
        &titled("Choisir un nouveau mot de passe", error),
        &body,
        None,
    )
}

/// The page where a new password is chosen with the code received.
#[get("/compte/nouveau-mot-de-passe")]
pub async fn show_new_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<Prefilled>,
) -> Result<HttpResponse, ApiError> {
    if let Some(refused) = obsolete_browser(&req, &state.config) {
        return Ok(refused);
    }
    let identifier = identifier_of(&q.identifiant);
    let policy = policy_for(&state, &identifier).await?;
    form_page(&req, NEW_PASSWORD_PATH, |jeton| {
        new_password_page(&state, jeton, &identifier, &policy, None)
    })
}

/// Sets the new password with the code received.
#[post("/compte/nouveau-mot-de-passe")]
pub async fn submit_new_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<NewPasswordForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    if let Some(refused) = refused(&req, &state, &form.jeton, NEW_PASSWORD_PATH) {
        return Ok(refused);
    }
    let identifier = identifier_of(&form.identifiant);
    let policy = policy_for(&state, &identifier).await?;
    let again =
        |error: &str| new_password_page(&state, &form.jeton, &identifier, &policy, Some(error));
    if form.mot_de_passe != form.confirmation {
        return Ok(again(MISMATCH));
    }
    let ctx = crate::auth::without_person(&req);
    let db = state.db.clone();
    let throttle = state.config.identifier_throttle;
    let (id, code, password) = (
        identifier.clone(),
        form.code.trim().to_string(),
        form.mot_de_passe.clone(),
    );
    let outcome =
        web::block(move || accounts::reset_password(&db, &ctx, &id, &code, &password, throttle))
            .await
            .map_err(ApiError::internal)?;
    match outcome {
        Ok(accounts::Reset::Done(_)) => Ok(done_page(
            &state,
            "Mot de passe changé",
            "Votre nouveau mot de passe est enregistré et vos sessions ouvertes ont pris fin. Connectez-vous depuis le logiciel de votre organisme avec ce mot de passe.",
        )),
        Ok(accounts::Reset::Throttled(secs)) | Err(mcp_persistence::Error::Throttled(secs)) => {
            Ok(again(&throttled(secs)))
        }
        Err(mcp_persistence::Error::Domain(e)) => Ok(again(&said(&e))),
        Err(e) => Err(e.into()),
    }
}

//! HTTP API of « Mon Compte Partenaire » on actix-web: routes under `/api/v1`, authentication,
//! problem+json errors, the OpenAPI document and its offline explorer.

pub mod access_log;
pub mod account_pages;
pub mod auth;
pub mod budget;
pub mod client_address;
pub mod config;
pub mod csv;
pub mod demo;
pub mod idempotency;
pub mod lang;
pub mod legal_pages;
pub mod logging;
pub mod mail;
pub mod maintenance;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod problem;
pub mod request_id;
pub mod review_page;
pub mod routes;
pub mod state;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{get, middleware, web, App, HttpResponse, HttpServer};
use mcp_persistence::Database;

use crate::auth::TokenKeys;
use crate::config::Config;
use crate::problem::ApiError;
use crate::state::AppState;

/// Opens (and migrates) the database and loads the token keys.
pub fn prepare(config: Config) -> Result<AppState, String> {
    // The mail relay's URL is checked before the database is touched: a bad setting stops the
    // start with nothing created or migrated.
    let mail = Arc::from(mail::transport(&config)?);
    let db = Database::open_with(
        &config.database_url,
        config.pool_size,
        std::time::Duration::from_secs(config.database_timeout_secs),
    )
    .map_err(|e| e.to_string())?
    .with_links(config.links());
    let now = auth::now();
    let keys =
        mcp_persistence::use_cases::keys::ensure_and_load(&db, now).map_err(|e| e.to_string())?;
    Ok(AppState {
        maintenance: maintenance::Calendar::load(&db).map_err(|e| e.to_string())?,
        documents: Arc::new(mcp_persistence::use_cases::documents::InDatabase),
        metrics: metrics::Metrics::new(),
        mail,
        keys: TokenKeys::from_stored(&keys, now, config.token_ttl_seconds)?,
        db,
        config,
        outbox: Arc::new(tokio::sync::Notify::new()),
        local_counts: Default::default(),
    })
}

#[get("/health")]
async fn health(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "status": "ok",
        "database": match state.db.engine() { mcp_persistence::Engine::Sqlite => "sqlite", mcp_persistence::Engine::Postgres => "postgresql" },
        "api_version": openapi::API_VERSION,
    }))
}

/// Readiness: whether this instance can serve now, its database answering (load balancers and
/// orchestrators take it out of rotation while it says 503).
#[get("/ready")]
async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let db = state.db.clone();
    match web::block(move || db.ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().json(serde_json::json!({"status": "ready"})),
        _ => HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "5"))
            .json(serde_json::json!({"status": "not_ready", "database": "unavailable"})),
    }
}

#[get("/api/v1/openapi.json")]
async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(openapi::json())
}

/// The public keys that verify access tokens (RFC 7517), for software that checks tokens itself.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "JSON Web Key Set", content_type = "application/jwk-set+json", body = Object)),
)]
#[get("/auth/jwks.json")]
pub async fn get_jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/jwk-set+json")
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(state.keys.jwks())
}

/// What the explorer's pages may load and who may frame them: only this service, nobody. Its
/// scripts and styles are files of this service; React sets inline styles, and icons are
/// `data:` images.
const EXPLORER_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

async fn explorer_policy(
    req: actix_web::dev::ServiceRequest,
    next: middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let explorer = req.path().starts_with("/swagger-ui");
    let mut res = next.call(req).await?;
    if explorer {
        use actix_web::http::header::{HeaderValue, CONTENT_SECURITY_POLICY, X_FRAME_OPTIONS};
        let headers = res.headers_mut();
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(EXPLORER_POLICY),
        );
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    Ok(res)
}

#[get("/swagger-ui")]
async fn explorer_redirect() -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header(("Location", "/swagger-ui/"))
        .finish()
}

async fn unmatched(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    let allowed = openapi::allowed_methods(req.path());
    if allowed.is_empty() {
        Err(ApiError::new(
            actix_web::http::StatusCode::NOT_FOUND,
            "not_found",
            mcp_domain::msg!("aucune ressource à cette adresse", "no such resource"),
        ))
    } else {
        Err(ApiError::method_not_allowed(&allowed))
    }
}

/// Builds the server on a bound listener, and starts the outbox delivery beside it.
pub fn server(state: AppState, listener: TcpListener) -> std::io::Result<Server> {
    let data = web::Data::new(state.clone());
    let workers = state.config.workers;
    let max_body = state.config.max_body_bytes;
    // The contract, built before the workers start rather than by each of them.
    openapi::json();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(max_body)
                    .error_handler(problem::json_error),
            )
            .app_data(web::QueryConfig::default().error_handler(problem::query_error))
            .app_data(
                web::FormConfig::default()
                    .limit(max_body)
                    .error_handler(problem::form_error),
            )
            .app_data(web::PathConfig::default().error_handler(problem::path_error))
            .wrap(middleware::from_fn(idempotency::once))
            .wrap(middleware::from_fn(budget::limit))
            .wrap(middleware::from_fn(maintenance::closed_during_stops))
            .wrap(middleware::from_fn(explorer_policy))
            .wrap(middleware::from_fn(request_id::assign))
            .wrap(
                middleware::DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("Referrer-Policy", "no-referrer"))
                    // Answers name people or carry secrets: no copy on a shared computer or a
                    // proxy. A response meant for caching says so itself (the JWKS).
                    .add(("Cache-Control", "no-store")),
            )
            .wrap(access_log::logger())
            .wrap(middleware::from_fn(metrics::measure))
            // Outermost: every answer, refusals of the layers above included, in the language
            // asked (problem titles, files).
            .wrap(middleware::from_fn(lang::in_asked_language))
            .service(health)
            .service(ready)
            .service(metrics::serve_metrics)
            .service(account_pages::show_activation)
            .service(account_pages::submit_activation)
            .service(account_pages::show_forgotten_password)
            .service(account_pages::submit_forgotten_password)
            .service(account_pages::show_new_password)
            .service(account_pages::submit_new_password)
            .service(legal_pages::legal_notice)
            .service(legal_pages::personal_data)
            .service(legal_pages::accessibility)
            .service(openapi_json)
            .route(
                "/.well-known/openid-configuration",
                web::get().to(routes::oidc::openid_configuration_at_root),
            )
            .service(explorer_redirect)
            .service(
                // The explorer reads the document at its route (built once), and never sends
                // it to swagger.io's online validator.
                utoipa_swagger_ui::SwaggerUi::new("/swagger-ui/{_:.*}")
                    .config(
                        utoipa_swagger_ui::Config::new(["/api/v1/openapi.json"])
                            .validator_url("none"),
                    )
                    // "Authorize" with partner software: the code flow with PKCE.
                    .oauth(
                        utoipa_swagger_ui::oauth::Config::new()
                            .use_pkce_with_authorization_code_grant(true)
                            .app_name("Mon Compte Partenaire"),
                    ),
            )
            .configure(routes::configure)
            .default_service(web::to(unmatched))
    })
    .workers(workers)
    // SIGTERM: stop accepting, let requests in flight finish within the drain time.
    .shutdown_timeout(state.config.shutdown_drain_secs)
    .listen(listener)?
    .run();
    actix_web::rt::spawn(deliver_outbox(state.clone()));
    actix_web::rt::spawn(forget_budgets(state.clone()));
    actix_web::rt::spawn(rotate_keys(state.clone()));
    actix_web::rt::spawn(expire_habilitations(state.clone()));
    actix_web::rt::spawn(purge_expired(state.clone()));
    actix_web::rt::spawn(reload_stops(state.clone()));
    actix_web::rt::spawn(schedule_reviews(state));
    Ok(server)
}

/// Reads the national stops again every few seconds, for those declared or cancelled through
/// another instance.
async fn reload_stops(state: AppState) {
    let mut every = tokio::time::interval(Duration::from_secs(maintenance::RELOAD_SECS));
    loop {
        every.tick().await;
        state.maintenance.reload(&state.db).await;
    }
}

/// The reverse-review schedule: at start, then every hour, opens the year's campaigns of partners
/// that have none (from 1 January) and tells each Caf once of its overdue campaigns. Instances
/// may run it together: opening is unique per partner and year, and an overdue campaign is
/// flagged in the transaction that sends the message.
async fn schedule_reviews(state: AppState) {
    loop {
        let db = state.db.clone();
        match web::block(move || {
            mcp_persistence::use_cases::reviews::run_schedule(&db, auth::now())
        })
        .await
        {
            Ok(Ok(run)) => {
                if run.opened > 0 || run.overdue_notified > 0 {
                    log::info!(
                        "reverse review: {} campaign(s) opened, {} overdue campaign(s) notified",
                        run.opened,
                        run.overdue_notified
                    );
                    state.outbox.notify_one();
                }
            }
            Ok(Err(e)) => log::error!("reverse review schedule: {e}"),
            Err(e) => log::error!("reverse review schedule: {e}"),
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

/// Devalidates temporary habilitations past their last day and those of conventions whose
/// termination took effect, closes the accounts whose removal takes effect that day, and
/// announces the temporary ones ending within
/// `MCP_END_REMINDER_DAYS`, and opens the service-centre escalations due: at start, then every ten minutes, so that an end date takes effect
/// within minutes of midnight UTC, on whichever instance.
async fn expire_habilitations(state: AppState) {
    use mcp_persistence::use_cases::{accounts, habilitations};
    loop {
        let db = state.db.clone();
        let n = job_step("habilitation expiry", move || {
            habilitations::expire_due(&db, auth::now())
        })
        .await;
        if n > 0 {
            log::info!(
                "habilitations: {n} habilitation(s) ended (temporary, or convention terminated)"
            );
        }
        let (db, days) = (state.db.clone(), state.config.end_reminder_days);
        let n = job_step("habilitation end reminders", move || {
            habilitations::remind_ending(&db, auth::now(), days)
        })
        .await;
        if n > 0 {
            log::info!("habilitations: {n} coming end(s) announced");
            state.outbox.notify_one();
        }
        let db = state.db.clone();
        let n = job_step("scheduled closures", move || {
            mcp_persistence::use_cases::staff::close_due(&db, auth::now())
        })
        .await;
        if n > 0 {
            log::info!("accounts: {n} closed, their removal taking effect today");
        }
        let (db, days) = (state.db.clone(), state.config.password_reminder_days);
        let n = job_step("password expiry reminders", move || {
            accounts::remind_password_expiry(&db, auth::now(), days)
        })
        .await;
        if n > 0 {
            log::info!("accounts: {n} person(s) told their password expires soon");
            state.outbox.notify_one();
        }
        let db = state.db.clone();
        let n = job_step("service-centre escalations", move || {
            mcp_persistence::use_cases::support::escalate_due(&db, auth::now())
        })
        .await;
        if n > 0 {
            log::info!("service centre: {n} escalation(s) opened for want of an answer");
            state.outbox.notify_one();
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}

/// Runs one step of a scheduled job off the async workers; logs why it failed, if it did, and
/// gives how many things it handled (none when it failed: the next round tries again).
async fn job_step(
    what: &'static str,
    step: impl FnOnce() -> mcp_persistence::Result<usize> + Send + 'static,
) -> usize {
    match web::block(step).await {
        Ok(Ok(n)) => n,
        Ok(Err(e)) => {
            log::error!("{what}: {e}");
            0
        }
        Err(e) => {
            log::error!("{what}: {e}");
            0
        }
    }
}

/// The JWS type of a signed trace checkpoint.
pub const TRACE_CHECKPOINT_TYPE: &str = "trace-checkpoint+jwt";

/// Applies retention (S-art. 5.3) at start, then every six hours: traces older than six months
/// and habilitations devalidated more than six years ago go, with evidence of what went; on
/// PostgreSQL the coming months' partitions of traces are created ahead. Each run then takes a
/// signed checkpoint of every chain's end.
async fn purge_expired(state: AppState) {
    loop {
        let db = state.db.clone();
        match web::block(move || mcp_persistence::use_cases::retention::purge_due(&db, auth::now()))
            .await
        {
            Ok(Ok(Some(p))) => log::info!(
                "retention: {} trace(s), {} habilitation(s) purged",
                p.traces_purged,
                p.habilitations_purged
            ),
            Ok(Err(e)) => log::error!("retention: {e}"),
            Err(e) => log::error!("retention: {e}"),
            _ => {}
        }
        // Then a signed checkpoint of every chain's end; its digest goes to the log too, out
        // of the database's reach.
        let db = state.db.clone();
        let keys = state.keys.clone();
        match web::block(move || {
            mcp_persistence::use_cases::trace::take_checkpoint(&db, auth::now(), |statement| {
                let (key_id, jws) = keys.sign_statement(TRACE_CHECKPOINT_TYPE, statement)?;
                Ok(mcp_persistence::use_cases::trace::Signed { key_id, jws })
            })
        })
        .await
        {
            Ok(Ok(c)) => log::info!(
                "traces: checkpoint {} of {} chain(s), digest {}",
                c.id,
                c.chains,
                c.digest
            ),
            Ok(Err(e)) => log::error!("trace checkpoint: {e}"),
            Err(e) => log::error!("trace checkpoint: {e}"),
        }
        // The answers kept for retried POSTs go after their 24 hours.
        let db = state.db.clone();
        match web::block(move || {
            mcp_persistence::use_cases::idempotency::forget_expired(&db, auth::now())
        })
        .await
        {
            Ok(Ok(n)) if n > 0 => log::info!("idempotency: {n} expired key(s) forgotten"),
            Ok(Err(e)) => log::error!("idempotency: {e}"),
            _ => {}
        }
        tokio::time::sleep(Duration::from_secs(6 * 3600)).await;
    }
}

/// Every minute, forgets the request budgets of the minutes that are over (PostgreSQL; SQLite
/// keeps them in memory).
async fn forget_budgets(state: AppState) {
    if state.db.engine() != mcp_persistence::Engine::Postgres {
        return;
    }
    loop {
        tokio::time::sleep(Duration::from_secs(60)).await;
        let db = state.db.clone();
        let before = mcp_domain::budget::window_start(auth::now());
        if let Ok(Err(e)) =
            web::block(move || mcp_persistence::use_cases::budgets::forget_expired(&db, before))
                .await
        {
            log::error!("request budgets: {e}");
        }
    }
}

/// Reloads the token keys every minute: rotates them when due, and picks up a rotation made by
/// another instance.
async fn rotate_keys(state: AppState) {
    loop {
        tokio::time::sleep(Duration::from_secs(60)).await;
        let db = state.db.clone();
        let now = auth::now();
        match web::block(move || mcp_persistence::use_cases::keys::ensure_and_load(&db, now)).await
        {
            Ok(Ok(keys)) => {
                if let Err(e) = state.keys.replace(&keys, now) {
                    log::error!("token keys: {e}");
                }
            }
            Ok(Err(e)) => log::error!("token keys: {e}"),
            Err(e) => log::error!("token keys: {e}"),
        }
    }
}

/// Delivers queued messages when woken, and every few seconds in case a wake was missed.
async fn deliver_outbox(state: AppState) {
    loop {
        let s = state.clone();
        let r = web::block(move || {
            mcp_persistence::use_cases::outbox::deliver_pending(&s.db, s.mail.as_ref(), auth::now())
        })
        .await;
        match r {
            Ok(Ok(n)) if n > 0 => log::info!(
                "outbox: {n} message(s) delivered to {}",
                state.mail.describe()
            ),
            Ok(Err(e)) => log::error!("outbox: {e}"),
            _ => {}
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), state.outbox.notified()).await;
    }
}

/// A server running on its own thread, for tests and tools.
pub struct Running {
    /// Its base URL.
    pub base_url: String,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Starts a server on `127.0.0.1` on a free port; its messages link to that port unless
    /// `config` names a public address.
    pub fn start(mut config: Config) -> Result<Self, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        config.bind = format!("127.0.0.1:{port}");
        let state = prepare(config)?;
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let sys = actix_web::rt::System::new();
            sys.block_on(async move {
                let srv = server(state, listener).expect("server builds");
                tx.send(srv.handle()).expect("handle sent");
                let _ = srv.await;
            });
        });
        let handle = rx.recv().map_err(|e| e.to_string())?;
        Ok(Self {
            base_url: format!("http://127.0.0.1:{port}"),
            handle,
            thread: Some(thread),
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let h = self.handle.clone();
        actix_web::rt::System::new().block_on(h.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

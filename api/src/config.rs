//! Configuration, read from the environment (and command-line flags of `mcp`).

use std::path::PathBuf;

/// Settings of one instance.
#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://…` for PostgreSQL; otherwise a SQLite file path.
    pub database_url: String,
    /// Address to listen on.
    pub bind: String,
    /// Where the outbox writes `.eml` files.
    pub mail_dir: PathBuf,
    /// Sender of messages.
    pub mail_from: String,
    /// A mail relay for the outbox (`smtp://host:587?tls=required`, `smtps://user:pw@host`);
    /// messages go to `mail_dir` as `.eml` files when unset.
    pub smtp_url: Option<String>,
    /// The address people and software reach this service at (`MCP_PUBLIC_URL`, such as
    /// `https://mon-compte-partenaire.caf.fr`): the OpenID Connect issuer is it followed by
    /// `/api/v1`. When unset, the address each request was sent to.
    pub public_url: Option<String>,
    /// Connections in the pool.
    pub pool_size: u32,
    /// Lifetime of access tokens, in seconds.
    pub token_ttl_seconds: i64,
    /// Largest accepted JSON body, in bytes.
    pub max_body_bytes: usize,
    /// HTTP worker threads.
    pub workers: usize,
    /// Throttling of failed logins per typed identifier.
    pub identifier_throttle: mcp_domain::throttle::ThrottlePolicy,
    /// Throttling of failed logins per source address.
    pub source_throttle: mcp_domain::throttle::ThrottlePolicy,
    /// How many days ahead the holder and the manager of a temporary habilitation are told it
    /// ends (`MCP_END_REMINDER_DAYS`, 1 to 90).
    pub end_reminder_days: u32,
    /// How many days ahead a person is told that their password expires under their contract
    /// (`MCP_PASSWORD_REMINDER_DAYS`, 1 to 60).
    pub password_reminder_days: u32,
    /// Proxies whose `Forwarded` / `X-Forwarded-For` headers name the client
    /// (`MCP_TRUSTED_PROXIES`); none by default: the TCP peer is the client.
    pub trusted_proxies: crate::client_address::TrustedProxies,
    /// Seconds a request waits for a database connection before it is answered 503
    /// `database_unavailable` (`MCP_DATABASE_TIMEOUT_SECONDS`, 1 to 60, default 5).
    pub database_timeout_secs: u64,
    /// Seconds requests in flight get to finish after SIGTERM before the process stops
    /// (`MCP_SHUTDOWN_DRAIN_SECONDS`, 1 to 600, default 30).
    pub shutdown_drain_secs: u64,
    /// Requests an account may send per minute (`MCP_REQUESTS_PER_MINUTE`, default 1200).
    pub requests_per_minute: u32,
    /// Requests one partner's software may send per minute, all the people it acts for
    /// together (`MCP_SOFTWARE_REQUESTS_PER_MINUTE`, default 6000).
    pub software_requests_per_minute: u32,
    /// How log lines are written (`MCP_LOG_FORMAT`: `text`, the default, or `json`).
    pub log_format: crate::logging::LogFormat,
    /// The oldest browser versions the sign-in page accepts (`MCP_MINIMUM_BROWSERS`, e.g.
    /// `chrome=120,edge=120,firefox=128,safari=16`; the families not named keep their default:
    /// Chrome and Edge 109, Firefox 115, Safari 15). Internet Explorer is always refused.
    pub minimum_browsers: mcp_domain::browser::Minimums,
    /// The address people's browsers reach the service at, which messages link to
    /// (`MCP_PUBLIC_URL`, e.g. `https://partenaires.caf.fr`; `http://` + `MCP_BIND` by default).
    pub links: mcp_domain::links::Links,
    /// Who runs the service, as the pages' footer and legal notices name them
    /// (`MCP_OPERATOR_NAME`; the Cnaf by default).
    pub operator_name: String,
    /// Where people write about their personal data and the service's accessibility
    /// (`MCP_OPERATOR_CONTACT`, an e-mail address).
    pub operator_contact: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "./data/mcp.db".into(),
            bind: "127.0.0.1:8080".into(),
            mail_dir: PathBuf::from("./data/mail"),
            mail_from: "Mon Compte Partenaire <ne-pas-repondre@mon-compte-partenaire.invalid>"
                .into(),
            smtp_url: None,
            public_url: None,
            pool_size: 8,
            token_ttl_seconds: 900,
            max_body_bytes: 64 * 1024,
            workers: 2,
            identifier_throttle: mcp_domain::throttle::ThrottlePolicy::IDENTIFIER,
            source_throttle: mcp_domain::throttle::ThrottlePolicy::SOURCE,
            trusted_proxies: Default::default(),
            end_reminder_days: 15,
            password_reminder_days: 7,
            database_timeout_secs: 5,
            shutdown_drain_secs: 30,
            requests_per_minute: 1200,
            software_requests_per_minute: 6000,
            log_format: crate::logging::LogFormat::Text,
            minimum_browsers: Default::default(),
            links: Default::default(),
            operator_name: "Caisse nationale des allocations familiales (Cnaf)".into(),
            operator_contact: "dpd@mon-compte-partenaire.invalid".into(),
        }
    }
}

impl Config {
    /// Defaults overridden by `MCP_*` environment variables.
    pub fn from_env() -> Result<Self, String> {
        let mut c = Self::default();
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        // A number out of its range is refused, never bent into it: the operator learns at
        // start that the setting is not what they think.
        let ranged = |name: &str, v: String, lo: u64, hi: u64| {
            let n = v
                .parse::<u64>()
                .map_err(|_| format!("{name} must be a positive number, got {v:?}"))?;
            if (lo..=hi).contains(&n) {
                Ok(n)
            } else {
                Err(format!("{name} must be {lo} to {hi}, got {n}"))
            }
        };
        if let Some(v) = var("MCP_DATABASE_URL") {
            mcp_persistence::Engine::of(&v).map_err(|e| format!("MCP_DATABASE_URL: {e}"))?;
            c.database_url = v;
        }
        if let Some(v) = var("MCP_BIND") {
            c.bind = v;
        }
        if let Some(v) = var("MCP_MAIL_DIR") {
            c.mail_dir = PathBuf::from(v);
        }
        if let Some(v) = var("MCP_MAIL_FROM") {
            c.mail_from = v;
        }
        if let Some(v) = var("MCP_SMTP_URL") {
            c.smtp_url = Some(v);
        }
        if let Some(v) = var("MCP_POOL_SIZE") {
            c.pool_size = ranged("MCP_POOL_SIZE", v, 1, 256)? as u32;
        }
        if let Some(v) = var("MCP_TOKEN_TTL_SECONDS") {
            c.token_ttl_seconds = ranged("MCP_TOKEN_TTL_SECONDS", v, 60, 3600)? as i64;
        }
        if let Some(v) = var("MCP_MAX_BODY_BYTES") {
            c.max_body_bytes = ranged("MCP_MAX_BODY_BYTES", v, 1024, 16 * 1024 * 1024)? as usize;
        }
        if let Some(v) = var("MCP_END_REMINDER_DAYS") {
            c.end_reminder_days = ranged("MCP_END_REMINDER_DAYS", v, 1, 90)? as u32;
        }
        if let Some(v) = var("MCP_PASSWORD_REMINDER_DAYS") {
            c.password_reminder_days = ranged("MCP_PASSWORD_REMINDER_DAYS", v, 1, 60)? as u32;
        }
        if let Some(v) = var("MCP_DATABASE_TIMEOUT_SECONDS") {
            c.database_timeout_secs = ranged("MCP_DATABASE_TIMEOUT_SECONDS", v, 1, 60)?;
        }
        if let Some(v) = var("MCP_SHUTDOWN_DRAIN_SECONDS") {
            c.shutdown_drain_secs = ranged("MCP_SHUTDOWN_DRAIN_SECONDS", v, 1, 600)?;
        }
        for (name, slot) in [
            ("MCP_REQUESTS_PER_MINUTE", &mut c.requests_per_minute),
            (
                "MCP_SOFTWARE_REQUESTS_PER_MINUTE",
                &mut c.software_requests_per_minute,
            ),
        ] {
            if let Some(v) = var(name) {
                *slot = ranged(name, v, 10, 1_000_000)? as u32;
            }
        }
        if let Some(v) = var("MCP_TRUSTED_PROXIES") {
            c.trusted_proxies = crate::client_address::TrustedProxies::parse(&v)?;
        }
        if let Some(v) = var("MCP_LOG_FORMAT") {
            c.log_format = crate::logging::LogFormat::parse(&v)?;
        }
        if let Some(v) = var("MCP_MINIMUM_BROWSERS") {
            c.minimum_browsers = mcp_domain::browser::Minimums::parse(&v)
                .map_err(|e| format!("MCP_MINIMUM_BROWSERS: {e}"))?;
        }
        c.links = match var("MCP_PUBLIC_URL") {
            Some(v) => {
                mcp_domain::links::Links::parse(&v).map_err(|e| format!("MCP_PUBLIC_URL {e}"))?
            }
            None => mcp_domain::links::Links::parse(&format!("http://{}", c.bind))
                .map_err(|e| format!("MCP_BIND {e}"))?,
        };
        if let Some(v) = var("MCP_OPERATOR_NAME") {
            c.operator_name = v.trim().to_string();
        }
        if let Some(v) = var("MCP_OPERATOR_CONTACT") {
            let v = v.trim();
            if !v.contains('@') || v.contains(char::is_whitespace) {
                return Err(format!(
                    "MCP_OPERATOR_CONTACT must be an e-mail address, got {v:?}"
                ));
            }
            c.operator_contact = v.to_string();
        }
        if let Some(v) = var("MCP_WORKERS") {
            c.workers = ranged("MCP_WORKERS", v, 1, 64)? as usize;
        }
        Ok(c)
    }
}

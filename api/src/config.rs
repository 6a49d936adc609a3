//! Configuration: each setting an `MCP_*` environment variable (or the `mcp` flag of the same
//! name), parsed and checked by clap before anything is opened. `mcp --help` lists them all
//! with their defaults. A wrong value stops the start with one line naming the variable; a
//! variable set but empty counts as unset.

use std::path::PathBuf;

use clap::{ArgMatches, Args, Command, FromArgMatches};
use mcp_domain::links::Links;

/// Settings of one instance.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// The database: a `postgres://…` URL for PostgreSQL, otherwise a SQLite file path
    /// (`sqlite://` is optional).
    #[arg(long, env = "MCP_DATABASE_URL", global = true, default_value = "./data/mcp.db",
          value_parser = database_url)]
    pub database_url: String,
    /// Address to listen on.
    #[arg(
        long,
        env = "MCP_BIND",
        global = true,
        default_value = "127.0.0.1:8080"
    )]
    pub bind: String,
    /// Where the outbox writes `.eml` files when no mail relay is set.
    #[arg(
        long,
        env = "MCP_MAIL_DIR",
        global = true,
        default_value = "./data/mail"
    )]
    pub mail_dir: PathBuf,
    /// Sender of messages.
    #[arg(
        long,
        env = "MCP_MAIL_FROM",
        global = true,
        default_value = "Mon Compte Partenaire <ne-pas-repondre@mon-compte-partenaire.invalid>"
    )]
    pub mail_from: String,
    /// A mail relay for the outbox (`smtp://host:587?tls=required`, `smtps://user:pw@host`);
    /// messages go to the mail folder as `.eml` files when unset.
    #[arg(long, env = "MCP_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The address people's browsers and partner software reach the service at, behind any
    /// proxy (such as `https://partenaires.caf.fr`): messages link to its pages and the OpenID
    /// Connect issuer is it followed by `/api/v1`. When unset, `http://` followed by the bind
    /// address for links, and the address each request was sent to for the issuer.
    #[arg(long, env = "MCP_PUBLIC_URL", global = true, value_parser = public_url)]
    pub public_url: Option<Links>,
    /// Connections in the database pool (1 to 256).
    #[arg(long, env = "MCP_POOL_SIZE", global = true, default_value_t = 8,
          value_parser = within::<u32>(1, 256))]
    pub pool_size: u32,
    /// Lifetime of access tokens, in seconds (60 to 3600).
    #[arg(long, env = "MCP_TOKEN_TTL_SECONDS", global = true, default_value_t = 900,
          value_parser = within::<i64>(60, 3600))]
    pub token_ttl_seconds: i64,
    /// Largest accepted JSON body, in bytes (1024 to 16777216).
    #[arg(long, env = "MCP_MAX_BODY_BYTES", global = true, default_value_t = 64 * 1024,
          value_parser = within::<usize>(1024, 16 * 1024 * 1024))]
    pub max_body_bytes: usize,
    /// HTTP worker threads (1 to 64).
    #[arg(long, env = "MCP_WORKERS", global = true, default_value_t = 2,
          value_parser = within::<usize>(1, 64))]
    pub workers: usize,
    /// Throttling of failed logins per typed identifier.
    #[arg(skip = mcp_domain::throttle::ThrottlePolicy::IDENTIFIER)]
    pub identifier_throttle: mcp_domain::throttle::ThrottlePolicy,
    /// Throttling of failed logins per source address.
    #[arg(skip = mcp_domain::throttle::ThrottlePolicy::SOURCE)]
    pub source_throttle: mcp_domain::throttle::ThrottlePolicy,
    /// How many days ahead the holder and the manager of a temporary habilitation are told it
    /// ends (1 to 90).
    #[arg(long, env = "MCP_END_REMINDER_DAYS", global = true, default_value_t = 15,
          value_parser = within::<u32>(1, 90))]
    pub end_reminder_days: u32,
    /// How many days ahead a person is told that their password expires under their contract
    /// (1 to 60).
    #[arg(long, env = "MCP_PASSWORD_REMINDER_DAYS", global = true, default_value_t = 7,
          value_parser = within::<u32>(1, 60))]
    pub password_reminder_days: u32,
    /// Proxies whose `Forwarded` / `X-Forwarded-For` headers name the client: addresses or
    /// CIDR blocks, separated by commas. None by default: the TCP peer is the client.
    #[arg(long, env = "MCP_TRUSTED_PROXIES", global = true, default_value = "",
          hide_default_value = true, value_parser = trusted_proxies)]
    pub trusted_proxies: crate::client_address::TrustedProxies,
    /// Seconds a request waits for a database connection before it is answered 503
    /// `database_unavailable` (1 to 60).
    #[arg(long, env = "MCP_DATABASE_TIMEOUT_SECONDS", global = true, default_value_t = 5,
          value_parser = within::<u64>(1, 60))]
    pub database_timeout_secs: u64,
    /// Seconds requests in flight get to finish after SIGTERM before the process stops
    /// (1 to 600).
    #[arg(long, env = "MCP_SHUTDOWN_DRAIN_SECONDS", global = true, default_value_t = 30,
          value_parser = within::<u64>(1, 600))]
    pub shutdown_drain_secs: u64,
    /// Requests an account may send per minute (10 to 1000000).
    #[arg(long, env = "MCP_REQUESTS_PER_MINUTE", global = true, default_value_t = 1200,
          value_parser = within::<u32>(10, 1_000_000))]
    pub requests_per_minute: u32,
    /// Requests one partner's software may send per minute, all the people it acts for
    /// together (10 to 1000000).
    #[arg(long, env = "MCP_SOFTWARE_REQUESTS_PER_MINUTE", global = true, default_value_t = 6000,
          value_parser = within::<u32>(10, 1_000_000))]
    pub software_requests_per_minute: u32,
    /// How log lines are written: `text` or `json` (one object per line, with the request id).
    #[arg(long, env = "MCP_LOG_FORMAT", global = true, default_value = "text",
          value_parser = crate::logging::LogFormat::parse)]
    pub log_format: crate::logging::LogFormat,
    /// The oldest browser versions the sign-in page accepts, such as
    /// `chrome=120,edge=120,firefox=128,safari=16`; the families not named keep their default:
    /// Chrome and Edge 109, Firefox 115, Safari 15. Internet Explorer is always refused.
    #[arg(long, env = "MCP_MINIMUM_BROWSERS", global = true, default_value = "",
          hide_default_value = true, value_parser = minimum_browsers)]
    pub minimum_browsers: mcp_domain::browser::Minimums,
    /// Who runs the service, as the pages' footer and legal notices name them.
    #[arg(long, env = "MCP_OPERATOR_NAME", global = true, value_parser = trimmed,
          default_value = "Caisse nationale des allocations familiales (Cnaf)")]
    pub operator_name: String,
    /// Where people write about their personal data and the service's accessibility (an
    /// e-mail address).
    #[arg(long, env = "MCP_OPERATOR_CONTACT", global = true, value_parser = email,
          default_value = "dpd@mon-compte-partenaire.invalid")]
    pub operator_contact: String,
}

impl Default for Config {
    /// The default written on each setting, whatever the environment says.
    fn default() -> Self {
        let command = Self::augment_args(Command::new("mcp")).mut_args(|a| a.env(None));
        let matches = command
            .try_get_matches_from(["mcp"])
            .expect("the defaults are valid settings");
        Self::from_arg_matches(&matches).expect("the defaults are valid settings")
    }
}

impl Config {
    /// The settings from the `MCP_*` environment variables, the defaults for those unset.
    pub fn from_env() -> Result<Self, String> {
        let command = Self::augment_args(Command::new("mcp")).mut_args(unset_when_empty);
        let matches = command
            .clone()
            .try_get_matches_from(["mcp"])
            .map_err(|e| refusal(&e, &command))?;
        Self::from_matches(&matches, &command)
    }

    /// The settings of a command line parsed by `command` (which holds [`Config`]'s args).
    pub fn from_matches(matches: &ArgMatches, command: &Command) -> Result<Self, String> {
        Self::from_arg_matches(matches).map_err(|e| refusal(&e, command))
    }

    /// The address messages link to: the public address, or `http://` and the bind address.
    pub fn links(&self) -> Links {
        self.public_url
            .clone()
            .unwrap_or_else(|| Links::parse(&format!("http://{}", self.bind)).unwrap_or_default())
    }
}

/// A setting whose variable is set but blank counts as unset (`MCP_SMTP_URL=` in a compose
/// file means no relay), as the service always read them.
pub fn unset_when_empty(arg: clap::Arg) -> clap::Arg {
    let blank = arg
        .get_env()
        .and_then(std::env::var_os)
        .is_some_and(|v| v.to_string_lossy().trim().is_empty());
    if blank {
        arg.env(None)
    } else {
        arg
    }
}

/// The one line that says why the settings were refused: the variable's name and what is wrong
/// with its value, which is not repeated when it may hold a secret (a database or relay URL).
pub fn refusal(e: &clap::Error, command: &Command) -> String {
    use clap::error::{ContextKind, ContextValue};
    let named = match e.get(ContextKind::InvalidArg) {
        // Rendered as `--pool-size <POOL_SIZE>`.
        Some(ContextValue::String(rendered)) => command
            .get_arguments()
            .find(|a| {
                let flag = rendered.split_whitespace().next().unwrap_or_default();
                a.get_long()
                    .is_some_and(|l| flag.strip_prefix("--") == Some(l))
            })
            .and_then(|a| a.get_env())
            .map(|env| env.to_string_lossy().into_owned())
            .unwrap_or_else(|| rendered.clone()),
        _ => String::new(),
    };
    match std::error::Error::source(e) {
        Some(why) if !named.is_empty() => format!("{named}: {why}"),
        _ => e
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_string(),
    }
}

/// A whole number from `lo` to `hi`: out of range is refused, never bent into range, so the
/// operator learns at start that the setting is not what they think.
fn within<T>(lo: u64, hi: u64) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync
where
    T: TryFrom<u64> + Clone + Send + Sync + 'static,
{
    move |v: &str| {
        let n = v
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("must be a whole number from {lo} to {hi}, got {v:?}"))?;
        if !(lo..=hi).contains(&n) {
            return Err(format!("must be {lo} to {hi}, got {n}"));
        }
        T::try_from(n).map_err(|_| format!("must be {lo} to {hi}, got {n}"))
    }
}

fn database_url(v: &str) -> Result<String, String> {
    mcp_persistence::Engine::of(v).map(|_| v.to_string())
}

fn public_url(v: &str) -> Result<Links, String> {
    Links::parse(v)
}

fn trusted_proxies(v: &str) -> Result<crate::client_address::TrustedProxies, String> {
    crate::client_address::TrustedProxies::parse(v)
}

fn minimum_browsers(v: &str) -> Result<mcp_domain::browser::Minimums, String> {
    mcp_domain::browser::Minimums::parse(v)
}

fn trimmed(v: &str) -> Result<String, String> {
    Ok(v.trim().to_string())
}

fn email(v: &str) -> Result<String, String> {
    let v = v.trim();
    if !v.contains('@') || v.contains(char::is_whitespace) {
        return Err(format!("must be an e-mail address, got {v:?}"));
    }
    Ok(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The settings of a command line (flags take precedence over the environment).
    fn parsed(args: &[&str]) -> Result<Config, String> {
        let command = Config::augment_args(Command::new("mcp"));
        let mut line = vec!["mcp"];
        line.extend_from_slice(args);
        let matches = command
            .clone()
            .try_get_matches_from(line)
            .map_err(|e| refusal(&e, &command))?;
        Config::from_matches(&matches, &command)
    }

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let c = Config::default();
        assert_eq!(c.database_url, "./data/mcp.db");
        assert_eq!((c.pool_size, c.workers, c.token_ttl_seconds), (8, 2, 900));
        assert_eq!(c.minimum_browsers, Default::default());
        assert_eq!(c.trusted_proxies, Default::default());
        assert_eq!(c.public_url, None);
        assert_eq!(c.links().base(), "http://127.0.0.1:8080");
    }

    #[test]
    fn a_wrong_value_is_refused_in_one_line_naming_its_variable() {
        let said = parsed(&["--pool-size", "0"]).unwrap_err();
        assert_eq!(said, "MCP_POOL_SIZE: must be 1 to 256, got 0");
        let said = parsed(&["--workers", "deux"]).unwrap_err();
        assert_eq!(
            said,
            "MCP_WORKERS: must be a whole number from 1 to 64, got \"deux\""
        );
        // A URL that may hold a password is not repeated.
        let said = parsed(&["--database-url", "mysql://root:secret@db/mcp"]).unwrap_err();
        assert!(
            said.starts_with("MCP_DATABASE_URL: a mysql:// database"),
            "{said}"
        );
        assert!(!said.contains("secret"), "{said}");
    }

    #[test]
    fn the_public_address_is_where_messages_link() {
        let c = parsed(&["--public-url", "https://partenaires.caf.example/"]).unwrap();
        assert_eq!(c.links().base(), "https://partenaires.caf.example");
        assert!(parsed(&["--public-url", "partenaires.caf.example"]).is_err());
    }
}

//! `mcp`: runs the service, migrates its database, creates the first national operator, prints
//! the OpenAPI document.

use std::net::TcpListener;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use mcp_api::config::Config;
use mcp_domain::person::Person;
use mcp_persistence::{Ctx, Database};

#[derive(Parser)]
#[command(name = "mcp", version, about = "« Mon Compte Partenaire » API service")]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the HTTP service (the default). Its settings are the MCP_* variables listed by
    /// `mcp --help`.
    Serve,
    /// Creates or upgrades the database schema, then exits.
    Migrate,
    /// Creates the first national (Cnaf) operator and prints their one-time activation code,
    /// once, to this console.
    Bootstrap {
        /// Full name.
        #[arg(long)]
        full_name: String,
        /// Function.
        #[arg(long, default_value = "Opérateur national")]
        function_title: String,
        /// Individual e-mail.
        #[arg(long)]
        email: String,
        /// Telephone.
        #[arg(long)]
        phone: Option<String>,
    },
    /// Writes a consistent copy of the SQLite database to a new file while the service runs
    /// (PostgreSQL: use pg_dump or pg_basebackup, see the README).
    Backup {
        /// The file to write; it must not exist.
        path: std::path::PathBuf,
    },
    /// Seeds a demo world on an empty database and prints who can sign in, with their
    /// passwords: a national operator, a Caf and its administrator, a partner in mode délégué
    /// with a habilitated CDAP agent, a partner in mode centralisé, synthetic beneficiary files.
    /// Refused on a database that holds any account.
    Seed {
        /// Required: the world is invented, and its passwords are printed.
        #[arg(long)]
        demo: bool,
    },
    /// Prints the OpenAPI document (YAML).
    Openapi,
    /// Prints the catalogue of error codes (Markdown), as checked in at docs/ERRORS.md.
    ErrorCodes,
    /// Writes synthetic beneficiary files, one JSON per line, for development and benchmarks
    /// (POST them to /api/v1/cafs/{caf_id}/beneficiary-files/import). Never real people.
    GenerateFiles {
        /// How many files.
        #[arg(long, default_value_t = 1000)]
        count: u64,
        /// First numéro allocataire.
        #[arg(long, default_value_t = 1)]
        first: u64,
        /// Seed: the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("mcp: {message}");
    std::process::exit(1)
}

fn main() {
    let command = Cli::command().mut_args(mcp_api::config::unset_when_empty);
    let matches = command.clone().try_get_matches().unwrap_or_else(|e| {
        use clap::error::ErrorKind::{InvalidValue, ValueValidation};
        match e.kind() {
            ValueValidation | InvalidValue => fail(mcp_api::config::refusal(&e, &command)),
            _ => e.exit(),
        }
    });
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let config = cli.config;
    mcp_api::logging::init(config.log_format, "info");
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => print!("{}", mcp_api::openapi::yaml()),
        Command::ErrorCodes => print!("{}", mcp_api::problem::catalogue()),
        Command::GenerateFiles { count, first, seed } => {
            use std::io::Write;
            let today = chrono::Utc::now().date_naive();
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for n in first..first.saturating_add(count) {
                let file = mcp_domain::cdap::synthetic(n, seed, today);
                let line = serde_json::to_string(&file).expect("plain data");
                if writeln!(out, "{line}").is_err() {
                    break;
                }
            }
            let _ = out.flush();
        }
        Command::Seed { demo } => {
            if !demo {
                fail("seed only makes the demo world: mcp seed --demo");
            }
            let db = Database::open(&config.database_url, 1).unwrap_or_else(|e| fail(e));
            let ctx = Ctx::without_person(
                format!("console-demo-{}", uuid::Uuid::new_v4()),
                mcp_api::auth::now(),
            );
            let world =
                mcp_persistence::use_cases::demo::seed(&db, &ctx).unwrap_or_else(|e| match e {
                    mcp_persistence::Error::Domain(d) => fail(format!(
                        "monde de démonstration refusé : {}",
                        d.message().fr()
                    )),
                    e => fail(e),
                });
            print!("{}", mcp_api::demo::describe(&world, &config.bind));
        }
        Command::Backup { path } => {
            let db = Database::open(&config.database_url, 1).unwrap_or_else(|e| fail(e));
            db.backup_to(&path).unwrap_or_else(|e| fail(e));
            println!("backup written to {}", path.display());
        }
        Command::Migrate => {
            Database::open(&config.database_url, 1).unwrap_or_else(|e| fail(e));
            println!("database is up to date");
        }
        Command::Bootstrap {
            full_name,
            function_title,
            email,
            phone,
        } => {
            let person = Person::new(&full_name, &function_title, &email, phone.as_deref())
                .unwrap_or_else(|e| fail(e));
            let db = Database::open(&config.database_url, 1).unwrap_or_else(|e| fail(e));
            let ctx = Ctx::without_person(
                format!("console-{}", uuid::Uuid::new_v4()),
                mcp_api::auth::now(),
            );
            let (account, activation) =
                mcp_persistence::use_cases::accounts::bootstrap_cnaf_operator(&db, &ctx, &person)
                    .unwrap_or_else(|e| fail(e));
            println!("National operator created for {}.", account.full_name);
            println!("  identifier:      {}", account.identifier);
            println!("  activation code: {}", activation.secret);
            println!(
                "  expires:         {} UTC",
                activation.expires_at.format("%Y-%m-%d %H:%M")
            );
            println!(
                "This code is shown once and stored only as a hash. Choose the password with:"
            );
            println!("  POST /api/v1/auth/activate {{\"identifier\", \"activation_code\", \"password\"}}");
        }
        Command::Serve => {
            let bind = config.bind.clone();
            let listener = TcpListener::bind(&bind)
                .unwrap_or_else(|e| fail(format!("cannot listen on {bind}: {e}")));
            let state = mcp_api::prepare(config).unwrap_or_else(|e| fail(e));
            log::info!("listening on http://{bind} — API explorer at http://{bind}/swagger-ui/");
            actix_web::rt::System::new()
                .block_on(async move { mcp_api::server(state, listener)?.await })
                .unwrap_or_else(|e| fail(e));
        }
    }
}

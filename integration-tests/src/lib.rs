//! Test harness: a real server on a loopback port over a fresh database (a SQLite file, or a
//! PostgreSQL database created for the test and dropped after), and an HTTP client that speaks
//! to it as municipal software would.

use std::path::PathBuf;
use std::time::Duration;

use mcp_api::config::Config;
use mcp_api::Running;
use mcp_persistence::db::{create_postgres_database, drop_postgres_database, sibling_database_url};
use mcp_persistence::{Ctx, Database};
use reqwest::blocking::Client;
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

pub mod contract;

/// The database engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Embedded SQLite file.
    Sqlite,
    /// The local PostgreSQL server.
    Postgres,
}

/// Where the PostgreSQL server is: `MCP_TEST_POSTGRES_URL`, or the local one.
pub fn postgres_admin_url() -> String {
    std::env::var("MCP_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Generates one `#[test]` per engine for each scenario function taking an [`Engine`].
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name($crate::Engine::Sqlite) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name($crate::Engine::Postgres) } )*
        }
    };
}

/// A fresh database of one engine, removed when dropped.
pub struct TestDb {
    /// Its URL.
    pub url: String,
    dir: PathBuf,
    pg_name: Option<String>,
}

impl TestDb {
    /// Creates it.
    pub fn new(engine: Engine) -> Self {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let dir = std::env::temp_dir().join(format!("mcp-test-{tag}"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        match engine {
            Engine::Sqlite => Self {
                url: dir.join("mcp.db").display().to_string(),
                dir,
                pg_name: None,
            },
            Engine::Postgres => {
                let name = format!("mcp_test_{tag}");
                create_postgres_database(&postgres_admin_url(), &name).unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL at {} is needed by the tests: {e}",
                        postgres_admin_url()
                    )
                });
                Self {
                    url: sibling_database_url(&postgres_admin_url(), &name),
                    dir,
                    pg_name: Some(name),
                }
            }
        }
    }

    /// A scratch folder beside it.
    pub fn dir(&self) -> &PathBuf {
        &self.dir
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            let _ = drop_postgres_database(&postgres_admin_url(), name);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A response, read.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// Body as JSON (`Null` when empty or not JSON).
    pub body: Value,
}

impl Reply {
    /// The problem's `code`, for error replies.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// The invalid fields a validation failure names, as (field, code), in order (none when
    /// it is no validation failure).
    pub fn field_errors(&self) -> Vec<(&str, &str)> {
        self.body["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["field"].as_str().unwrap_or(""),
                    e["code"].as_str().unwrap_or(""),
                )
            })
            .collect()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `id` field.
    pub fn id(&self) -> String {
        self.body["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {self:?}"))
            .to_string()
    }
}

/// A running service over a fresh database.
pub struct TestEnv {
    /// The engine.
    pub engine: Engine,
    /// Direct access to the same database, as the `mcp` console commands have.
    pub db: Database,
    /// Where the outbox writes messages.
    pub mail_dir: PathBuf,
    server: Option<Server>,
    base_url: String,
    client: Client,
    auditor: std::sync::OnceLock<String>,
    // Dropped last: the server must stop before its database goes.
    _test_db: TestDb,
}

/// The service under test: in this process, or a real process the test may kill.
enum Server {
    // Held for its drop, which stops the server.
    #[allow(dead_code)]
    InProcess(Running),
    Process {
        child: std::sync::Mutex<std::process::Child>,
        exe: PathBuf,
        env: Vec<(String, String)>,
    },
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Server::Process { child, .. } = self {
            let child = child.get_mut().unwrap_or_else(|p| p.into_inner());
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        self.server.take();
    }
}

/// Starts the service binary `exe` with `env`, and waits for it to answer.
fn spawn_service(exe: &PathBuf, env: &[(String, String)], base_url: &str) -> std::process::Child {
    let mut child = std::process::Command::new(exe)
        .envs(env.iter().cloned())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("service process starts");
    let client = Client::new();
    for _ in 0..400 {
        if client
            .get(format!("{base_url}/health"))
            .send()
            .is_ok_and(|r| r.status().is_success())
        {
            return child;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the service exited: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("the service did not answer at {base_url}");
}

/// A second process of a service started with [`TestEnv::start_process`], killed when dropped.
pub struct OtherProcess {
    child: std::process::Child,
    /// Where it listens.
    pub base_url: String,
}

impl OtherProcess {
    /// Its process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for OtherProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TestEnv {
    /// Starts a server on a fresh database of `engine`.
    pub fn start(engine: Engine) -> Self {
        Self::start_with(engine, |_| {})
    }

    /// Starts a server, adjusting its configuration first.
    pub fn start_with(engine: Engine, adjust: impl FnOnce(&mut Config)) -> Self {
        let test_db = TestDb::new(engine);
        let mail_dir = test_db.dir().join("mail");
        let mut config = Config {
            database_url: test_db.url.clone(),
            mail_dir: mail_dir.clone(),
            pool_size: 8,
            workers: 2,
            // Scenarios send far more than a person would; the budget test sets its own.
            requests_per_minute: 1_000_000,
            software_requests_per_minute: 1_000_000,
            ..Config::default()
        };
        adjust(&mut config);
        let server = Running::start(config).expect("server starts");
        let base_url = server.base_url.clone();
        Self::around(
            engine,
            test_db,
            mail_dir,
            base_url,
            Server::InProcess(server),
        )
    }

    /// The harness around a started server.
    fn around(
        engine: Engine,
        test_db: TestDb,
        mail_dir: PathBuf,
        base_url: String,
        server: Server,
    ) -> Self {
        let db = Database::open(&test_db.url, 2).expect("database opens");
        Self {
            engine,
            db,
            mail_dir,
            base_url,
            server: Some(server),
            client: Client::builder()
                .timeout(Duration::from_secs(60))
                // The server closes a connection idle for 5 s (actix's keep-alive): a client
                // that reused one as it closed would see the request fail, a race seen after a
                // test waited for a message. Idle connections are dropped before that.
                .pool_idle_timeout(Duration::from_secs(2))
                .build()
                .expect("client"),
            auditor: std::sync::OnceLock::new(),
            _test_db: test_db,
        }
    }

    /// Starts the service as a separate process (the binary `exe`, configured through its
    /// `MCP_*` environment as in production), on a fresh database of `engine`.
    pub fn start_process(engine: Engine, exe: &str) -> Self {
        let test_db = TestDb::new(engine);
        let mail_dir = test_db.dir().join("mail");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let base_url = format!("http://127.0.0.1:{port}");
        let env: Vec<(String, String)> = [
            ("MCP_DATABASE_URL", test_db.url.clone()),
            ("MCP_BIND", format!("127.0.0.1:{port}")),
            ("MCP_MAIL_DIR", mail_dir.display().to_string()),
            ("MCP_POOL_SIZE", "8".into()),
            ("MCP_WORKERS", "2".into()),
            ("MCP_SHUTDOWN_DRAIN_SECONDS", "20".into()),
            ("MCP_REQUESTS_PER_MINUTE", "1000000".into()),
            ("RUST_LOG", "error".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let exe = PathBuf::from(exe);
        let child = spawn_service(&exe, &env, &base_url);
        let server = Server::Process {
            child: std::sync::Mutex::new(child),
            exe,
            env,
        };
        Self::around(engine, test_db, mail_dir, base_url, server)
    }

    /// The service's process id, when it runs as a process of its own.
    pub fn process_id(&self) -> Option<u32> {
        match self.server.as_ref() {
            Some(Server::Process { child, .. }) => {
                Some(child.lock().unwrap_or_else(|p| p.into_inner()).id())
            }
            _ => None,
        }
    }

    /// Starts another process of the same service (same binary, same configuration, same
    /// database) on a port of its own, as a second instance behind a load balancer; it stops
    /// when the returned handle is dropped.
    pub fn another_process(&self) -> OtherProcess {
        let Some(Server::Process { exe, env, .. }) = self.server.as_ref() else {
            panic!("only a service started with start_process has a configuration to share");
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let base_url = format!("http://127.0.0.1:{port}");
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| match k.as_str() {
                "MCP_BIND" => (k.clone(), format!("127.0.0.1:{port}")),
                _ => (k.clone(), v.clone()),
            })
            .collect();
        OtherProcess {
            child: spawn_service(exe, &env, &base_url),
            base_url,
        }
    }

    /// Kills the service process with SIGKILL (no shutdown, no flush), then starts it again on
    /// the same database and port.
    pub fn kill_and_restart(&self) {
        let Some(Server::Process { child, exe, env }) = self.server.as_ref() else {
            panic!("only a service started with start_process can be killed");
        };
        let mut child = child.lock().unwrap_or_else(|p| p.into_inner());
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        *child = spawn_service(exe, env, &self.base_url);
    }

    /// Sends SIGTERM to the service process and waits for it to stop (at most `within`);
    /// returns its exit status. Start it again with [`Self::restart`].
    pub fn terminate(&self, within: Duration) -> std::process::ExitStatus {
        let Some(Server::Process { child, .. }) = self.server.as_ref() else {
            panic!("only a service started with start_process can be terminated");
        };
        let mut child = child.lock().unwrap_or_else(|p| p.into_inner());
        std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill -TERM");
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the service did not stop within {within:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts the service process again on the same database and port, after [`Self::terminate`].
    pub fn restart(&self) {
        let Some(Server::Process { child, exe, env }) = self.server.as_ref() else {
            panic!("only a service started with start_process can be restarted");
        };
        let mut child = child.lock().unwrap_or_else(|p| p.into_inner());
        *child = spawn_service(exe, env, &self.base_url);
    }

    /// The database's URL (to start another instance on it).
    pub fn database_url(&self) -> &str {
        &self._test_db.url
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends a request; `token` is a bearer token, `body` JSON.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        self.try_call(method, path, token, body)
            .expect("request sent and answered")
    }

    /// [`Self::call`], `None` when no answer came back (the connection broke: a killed server).
    pub fn try_call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Option<Reply> {
        let url = format!("{}{}", self.base_url(), path);
        let mut req = self.client.request(method.parse().expect("method"), url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let reply = Self::read(req.send().ok()?);
        contract::check(method, path, token, &reply);
        Some(reply)
    }

    /// Sends a raw request, for malformed input.
    pub fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let url = format!("{}{}", self.base_url(), path);
        let mut req = self
            .client
            .request(method.parse().expect("method"), url)
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let reply = Self::read(req.send().expect("request sent"));
        contract::check(method, path, token, &reply);
        reply
    }

    /// The underlying client, for custom headers.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A GET whose answer is a file (CSV, JSON lines), asked in `language`
    /// (`Accept-Language`): its status, content type and text.
    pub fn text(&self, path: &str, token: &str, language: &str) -> (u16, String, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base_url()))
            .bearer_auth(token)
            .header("accept-language", language)
            .send()
            .expect("request sent");
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, ct, r.text().expect("text"))
    }

    /// Reads a response.
    pub fn read(resp: reqwest::blocking::Response) -> Reply {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    /// GET.
    pub fn get(&self, path: &str, token: &str) -> Reply {
        self.call("GET", path, Some(token), None)
    }

    /// POST JSON.
    pub fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call("POST", path, Some(token), Some(&body))
    }

    /// PUT JSON.
    pub fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call("PUT", path, Some(token), Some(&body))
    }

    /// PATCH JSON.
    pub fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call("PATCH", path, Some(token), Some(&body))
    }

    /// Logs in; panics unless it succeeds.
    pub fn login(&self, identifier: &str, password: &str) -> String {
        let r = self.call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&json!({"identifier": identifier, "password": password})),
        );
        assert_eq!(r.status, 200, "login of {identifier}: {r:?}");
        r.body["access_token"].as_str().expect("token").to_string()
    }

    /// Creates the first Cnaf operator as the console does, activates it, and logs in.
    pub fn cnaf_operator(&self) -> String {
        let person = mcp_domain::person::Person::new(
            "Nadia Cnaf",
            "Opératrice nationale",
            "nadia@cnaf.example",
            None,
        )
        .unwrap();
        let ctx = Ctx {
            principal: None,
            request_id: "console".into(),
            now: mcp_api::auth::now(),
            asked: None,
        };
        let (account, activation) =
            mcp_persistence::use_cases::accounts::bootstrap_cnaf_operator(&self.db, &ctx, &person)
                .expect("bootstrap");
        self.activate(&account.identifier, &activation.secret, PASSWORD);
        self.login(&account.identifier, PASSWORD)
    }

    /// Activates an account; panics unless it succeeds.
    pub fn activate(&self, identifier: &str, code: &str, password: &str) {
        let r = self.call(
            "POST",
            "/api/v1/auth/activate",
            None,
            Some(&json!({"identifier": identifier, "activation_code": code, "password": password, "accept_commitment": true})),
        );
        assert_eq!(r.status, 200, "activation: {r:?}");
    }

    /// The person registered under `identifier` reads the message delivered to `email`,
    /// activates their account with its code, and logs in; returns their token.
    pub fn activate_from_mail(&self, identifier: &str, email: &str) -> String {
        let code = field_after(
            &self.mail_to(email),
            "Votre code d'activation, à usage unique : ",
        );
        self.activate(identifier, &code, PASSWORD);
        self.login(identifier, PASSWORD)
    }

    /// Registers a Caf; returns its id.
    pub fn caf(&self, cnaf: &str, code: &str) -> String {
        let r = self.post(
            "/api/v1/cafs",
            cnaf,
            json!({"code": code, "name": format!("Caf {code}"), "address": "1 rue de la Caf", "director_name": "Le Directeur"}),
        );
        assert_eq!(r.status, 201, "{r:?}");
        r.id()
    }

    /// Whether the outbox delivered to `email` a message containing `marker`, waiting up to five
    /// seconds for it.
    pub fn delivered(&self, email: &str, marker: &str) -> bool {
        (0..200).any(|_| {
            let found = std::fs::read_dir(&self.mail_dir).is_ok_and(|d| {
                d.flatten().any(|e| {
                    std::fs::read_to_string(e.path()).is_ok_and(|t| {
                        t.contains(&format!("To: {email}\r\n")) && t.contains(marker)
                    })
                })
            });
            if !found {
                std::thread::sleep(Duration::from_millis(25));
            }
            found
        })
    }

    /// Waits for a message delivered to `email` that contains `marker`, and returns its text.
    pub fn mail_with(&self, email: &str, marker: &str) -> String {
        assert!(
            self.delivered(email, marker),
            "no message to {email} with {marker:?}"
        );
        std::fs::read_dir(&self.mail_dir)
            .unwrap()
            .flatten()
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .find(|t| t.contains(&format!("To: {email}\r\n")) && t.contains(marker))
            .expect("delivered")
    }

    /// Waits for the message the outbox delivers to `email`, and returns its text.
    pub fn mail_to(&self, email: &str) -> String {
        for _ in 0..200 {
            if let Ok(entries) = std::fs::read_dir(&self.mail_dir) {
                for e in entries.flatten() {
                    let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                    if e.path().extension().is_some_and(|x| x == "eml")
                        && text.contains(&format!("To: {email}\r\n"))
                    {
                        return text;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("no message delivered to {email}");
    }

    /// Registers an administrator of a Caf, who activates their account from the message they
    /// received, and logs in; returns their token.
    pub fn caf_admin(&self, cnaf: &str, caf_id: &str, email: &str) -> String {
        let r = self.post(
            &format!("/api/v1/cafs/{caf_id}/administrators"),
            cnaf,
            json!({"full_name": "Anne Martin", "function_title": "Administratrice", "email": email}),
        );
        assert_eq!(r.status, 201, "{r:?}");
        self.activate_from_mail(r.body["identifier"].as_str().unwrap(), email)
    }

    /// Names a partner administrator, who activates their account from the message they
    /// received, and logs in; returns their token.
    pub fn partner_admin(
        &self,
        caf_admin: &str,
        partner_id: &str,
        rank: &str,
        email: &str,
    ) -> String {
        // A name of their own, from the address: "claire@…" is Claire Dupont, "paul@…" Paul
        // Dupont (four eyes take namesakes for one person).
        let local = email.split('@').next().unwrap_or(email);
        let full_name = format!("{}{} Dupont", local[..1].to_uppercase(), &local[1..]);
        let r = self.post(
            &format!("/api/v1/partners/{partner_id}/administrators"),
            caf_admin,
            json!({"rank": rank, "full_name": full_name, "function_title": "Responsable", "email": email}),
        );
        assert_eq!(r.status, 201, "{r:?}");
        self.activate_from_mail(r.body["identifier"].as_str().unwrap(), email)
    }

    /// Drafts, signs and completes a convention `number` of `partner` with one mission and CDAP's
    /// T13 profile with a quota of `t13_quota`; returns (mission id, T13 profile id).
    pub fn active_convention(
        &self,
        caf_admin: &str,
        partner: &str,
        number: &str,
        t13_quota: u32,
    ) -> (String, String) {
        let (mission, profiles) =
            self.active_convention_with(caf_admin, partner, number, &[("T13", t13_quota)]);
        (mission, profiles[0].clone())
    }

    /// Drafts, signs and completes a convention `number` of `partner` with one mission and the
    /// CDAP profiles given with their quotas; returns (mission id, the profiles' ids in order).
    pub fn active_convention_with(
        &self,
        caf_admin: &str,
        partner: &str,
        number: &str,
        profiles: &[(&str, u32)],
    ) -> (String, Vec<String>) {
        self.active_convention_under(caf_admin, partner, number, profiles, Value::Null)
    }

    /// The same, under the service contract `contract` (as `POST …/conventions` takes it:
    /// contacts, password policy…).
    pub fn active_convention_under(
        &self,
        caf_admin: &str,
        partner: &str,
        number: &str,
        profiles: &[(&str, u32)],
        contract: Value,
    ) -> (String, Vec<String>) {
        let day = |offset: i64| {
            (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
        };
        let r = self.post(
            &format!("/api/v1/partners/{partner}/conventions"),
            caf_admin,
            json!({"number": number, "missions": ["Instruction des dossiers FSL"], "contract": contract}),
        );
        assert_eq!(r.status, 201, "{r:?}");
        let conv = r.id();
        let mission = r.body["missions"][0]["id"].as_str().unwrap().to_string();
        let quotas: Vec<Value> = profiles
            .iter()
            .map(|(p, n)| json!({"profile": p, "max_users": n}))
            .collect();
        let sub = self.post(
            &format!("/api/v1/conventions/{conv}/subscriptions"),
            caf_admin,
            json!({"service": "CDAP", "profiles": quotas}),
        );
        assert_eq!(sub.status, 201, "{sub:?}");
        let ids: Vec<String> = sub.body["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["profile_id"].as_str().unwrap().to_string())
            .collect();
        let r = self.post(
            &format!("/api/v1/conventions/{conv}/signature"),
            caf_admin,
            json!({"partner_signed_on": day(-10), "caf_signed_on": day(-9)}),
        );
        assert_eq!(r.status, 200, "{r:?}");
        let r = self.post(
            &format!("/api/v1/conventions/{conv}/rgpd-completion"),
            caf_admin,
            json!({"completed_on": day(-1)}),
        );
        assert_eq!(r.body["access_open"], true, "{r:?}");
        (mission, ids)
    }

    /// Registers a partner; returns its id.
    pub fn partner(&self, caf_admin: &str, siret: &str, category: &str) -> String {
        let r = self.post("/api/v1/partners", caf_admin, partner_body(siret, category));
        assert_eq!(r.status, 201, "{r:?}");
        r.id()
    }

    /// Registers an auditor (of the Cnaf without `caf_id`), who activates their account from the
    /// message they received and logs in; returns their token.
    pub fn new_auditor(&self, cnaf: &str, caf_id: Option<&str>, email: &str) -> String {
        let path = match caf_id {
            Some(c) => format!("/api/v1/cafs/{c}/auditors"),
            None => "/api/v1/auditors".into(),
        };
        let r = self.post(
            &path,
            cnaf,
            json!({"full_name": "Odile Contrôle", "function_title": "Auditrice", "email": email}),
        );
        assert_eq!(r.status, 201, "{r:?}");
        self.activate_from_mail(r.body["identifier"].as_str().unwrap(), email)
    }

    /// A Cnaf auditor's token, registered by `cnaf` on first use: the reader of every trace.
    pub fn auditor(&self, cnaf: &str) -> String {
        self.auditor
            .get_or_init(|| self.new_auditor(cnaf, None, "odile.audit@cnaf.example"))
            .clone()
    }

    /// Every trace `token` may read with `query` (`&action=…&target_id=…`), following the
    /// cursors to the last page.
    pub fn all_traces(&self, token: &str, query: &str) -> Vec<Value> {
        let mut out = vec![];
        let mut cursor = String::new();
        loop {
            let r = self.get(&format!("/api/v1/traces?limit=200{query}{cursor}"), token);
            assert_eq!(r.status, 200, "{r:?}");
            out.extend(r.body["items"].as_array().unwrap().iter().cloned());
            match r.body["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => return out,
            }
        }
    }

    /// The traces about an object, as a Cnaf auditor reads them.
    pub fn traces_of(&self, cnaf: &str, target_id: &str) -> Vec<Value> {
        let auditor = self.auditor(cnaf);
        let r = self.get(
            &format!("/api/v1/traces?target_id={target_id}&limit=200"),
            &auditor,
        );
        assert_eq!(r.status, 200, "{r:?}");
        r.body["items"].as_array().cloned().unwrap_or_default()
    }
}

/// The password every test account chooses.
pub const PASSWORD: &str = "Lieusaint#Fsl-2026";

/// A partner's registration body.
pub fn partner_body(siret: &str, category: &str) -> Value {
    json!({
        "siret": siret,
        "name": "CCAS de Lieusaint",
        "address": "Place Emile Zola, 77127 Lieusaint",
        "representative_name": "Michel Bisson",
        "representative_title": "Président",
        "category": category,
    })
}

/// The text following `label` on its line.
pub fn field_after(text: &str, label: &str) -> String {
    let start = text
        .find(label)
        .unwrap_or_else(|| panic!("{label:?} not in {text}"))
        + label.len();
    text[start..]
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

/// Valid SIRETs (Luhn), distinct.
/// A SIRET with a valid Luhn key, distinct for each `n`, for tests that need more than
/// [`SIRETS`].
pub fn siret(n: usize) -> String {
    let body = format!("{:013}", 1_000_000_000_000u64 + n as u64);
    (0..10)
        .map(|d| format!("{body}{d}"))
        .find(|s| mcp_domain::siret::Siret::parse("siret", s).is_ok())
        .expect("one key digit fits")
}

pub const SIRETS: [&str; 4] = [
    "21770251200013",
    "73282932000074",
    "44306184100047",
    "26770001100013",
];

//! The access log: what operators keep for weeks outside the traces' retention and readers
//! must name no beneficiary (no numéro allocataire, no name, no birth date) and no secret.

use std::sync::{Mutex, OnceLock};

use mcp_integration_tests::{on_both_engines, Engine, TestEnv};

on_both_engines!(
    the_access_log_names_no_beneficiary,
    metrics_count_requests_by_route_template_never_by_path,
);

#[test]
fn a_fresh_sqlite_database_opens_without_an_error_logged() {
    // Every pooled connection switches the new file to WAL at once: none may fail on the lock
    // another holds (each waits for it instead).
    let capture = captured();
    for _ in 0..3 {
        let env = TestEnv::start(Engine::Sqlite);
        assert_eq!(env.get("/api/v1/me", "").status, 401);
    }
    let locked: Vec<String> = capture
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("database is locked"))
        .cloned()
        .collect();
    assert!(locked.is_empty(), "{locked:?}");
}

/// Keeps every line logged by this test binary.
struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        if let Ok(mut lines) = self.0.lock() {
            lines.push(format!("{} {}", record.target(), record.args()));
        }
    }
    fn flush(&self) {}
}

fn captured() -> &'static Capture {
    static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(vec![]))));
        log::set_logger(capture).expect("one logger for this binary");
        log::set_max_level(log::LevelFilter::Info);
        capture
    })
}

fn the_access_log_names_no_beneficiary(engine: Engine) {
    let capture = captured();
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let mission = uuid::Uuid::new_v4();
    let asked = [
        format!("/api/v1/cdap/files/1969071?mission_id={mission}"),
        format!("/api/v1/cdap/files?mission_id={mission}&last_name=Laurent&first_name=Sophie&birth_date=1969-07-10"),
        "/api/v1/partners?siret=21770284000014".to_string(),
    ];
    let mut ids = vec![];
    for path in &asked {
        let r = env.call("GET", path, Some(&cnaf), None);
        ids.push(r.header("x-request-id").to_string());
    }
    // The server logs each request when its response is sent.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let lines: Vec<String> = capture
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|l| ids.iter().any(|id| l.contains(id.as_str())))
        .cloned()
        .collect();
    assert_eq!(
        lines.len(),
        asked.len(),
        "each request logged once: {lines:#?}"
    );
    for secret in [
        "1969071",
        "Laurent",
        "Sophie",
        "1969-07-10",
        "21770284000014",
    ] {
        assert!(
            lines.iter().all(|l| !l.contains(secret)),
            "{secret} in the access log: {lines:#?}"
        );
    }
    // What operators need is still there: the route and the status.
    assert!(lines[0].contains("GET /api/v1/cdap/files/"), "{}", lines[0]);
    assert!(
        lines.iter().all(|l| l.contains(" 40") || l.contains(" 20")),
        "{lines:#?}"
    );
}

#[test]
fn json_logs_are_one_object_a_line() {
    // `MCP_LOG_FORMAT=json`: what a log collector reads, every line an object with its time,
    // level and message; the access log in it names the route, never the query.
    use std::io::Read;
    let dir = std::env::temp_dir().join(format!("mcp-logs-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_serve"))
        .current_dir(&dir)
        .env("MCP_DATABASE_URL", dir.join("mcp.db"))
        .env("MCP_BIND", format!("127.0.0.1:{port}"))
        .env("MCP_MAIL_DIR", dir.join("mail"))
        .env("MCP_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let client = reqwest::blocking::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let up = (0..400).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        client
            .get(format!("{base}/health"))
            .send()
            .is_ok_and(|r| r.status().is_success())
    });
    let asked = client
        .get(format!("{base}/api/v1/partners?siret=21770284000014"))
        .send()
        .map(|r| r.headers()["x-request-id"].to_str().unwrap().to_string());
    std::thread::sleep(std::time::Duration::from_millis(200));
    child.kill().unwrap();
    child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(up, "the service did not answer: {stderr}");
    let request_id = asked.unwrap();
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(lines.len() > 2, "{stderr}");
    for l in &lines {
        assert!(
            l["time"].as_str().is_some_and(|t| t.ends_with('Z'))
                && l["level"].is_string()
                && l["message"].is_string(),
            "{l}"
        );
    }
    let access: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["message"].as_str().unwrap().contains(&request_id))
        .collect();
    assert_eq!(access.len(), 1, "{stderr}");
    let message = access[0]["message"].as_str().unwrap();
    assert!(message.contains("GET /api/v1/partners?…"), "{message}");
    assert!(!message.contains("21770284000014"), "{message}");
}

/// `/metrics` in Prometheus's text format: requests by route template and status, latency,
/// the pool, the outbox and throttled sign-ins — and no path value, identifier or file number
/// as a label.
fn metrics_count_requests_by_route_template_never_by_path(engine: Engine) {
    let env = TestEnv::start_with(engine, |c| {
        c.identifier_throttle.free_failures = 1;
    });
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "251");
    assert_eq!(env.get(&format!("/api/v1/cafs/{caf}"), &cnaf).status, 200);
    for _ in 0..6 {
        env.call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(
                &serde_json::json!({"identifier": "ZZZZ-ZZZZ", "password": "Faux-mot-de-passe-1"}),
            ),
        );
    }
    let r = env
        .client()
        .get(format!("{}/metrics", env.base_url()))
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = r.text().unwrap();
    assert!(!text.contains(&caf), "a path value became a label");
    assert!(!text.contains("ZZZZ"), "an identifier became a label");
    let families = prometheus_families(&text);
    let family = |name: &str, kind: &str| -> &Vec<serde_json::Value> {
        let f = families
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no family {name} in {text}"));
        assert_eq!(f["type"], kind, "{name}");
        assert!(!f["help"].as_str().unwrap().is_empty(), "{name} has a HELP");
        f["samples"].as_array().unwrap()
    };
    let caf_route = |s: &serde_json::Value| {
        s["labels"]["route"] == "/api/v1/cafs/{caf_id}" && s["labels"]["method"] == "GET"
    };
    let reads: Vec<_> = family("mcp_http_requests", "counter")
        .iter()
        .filter(|s| caf_route(s))
        .collect();
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert_eq!(reads[0]["name"], "mcp_http_requests_total");
    assert_eq!(reads[0]["labels"]["status"], "200");
    assert_eq!(reads[0]["value"], 1.0);
    let latency: Vec<_> = family("mcp_http_request_duration_seconds", "histogram")
        .iter()
        .filter(|s| caf_route(s))
        .collect();
    let count = latency
        .iter()
        .find(|s| s["name"] == "mcp_http_request_duration_seconds_count")
        .unwrap();
    assert_eq!(count["value"], 1.0, "{latency:?}");
    let infinite = latency
        .iter()
        .find(|s| s["labels"]["le"] == "+Inf")
        .unwrap();
    assert_eq!(infinite["value"], 1.0, "{latency:?}");
    let throttled = &family("mcp_sign_ins_throttled", "counter")[0];
    assert!(throttled["value"].as_f64().unwrap() >= 1.0, "{throttled}");
    for gauge in [
        "mcp_db_pool_connections",
        "mcp_db_pool_idle_connections",
        "mcp_db_pool_max_connections",
        "mcp_outbox_waiting_messages",
    ] {
        assert_eq!(family(gauge, "gauge").len(), 1, "{gauge}");
    }
    let max = family("mcp_db_pool_max_connections", "gauge")[0]["value"]
        .as_f64()
        .unwrap();
    assert!(max >= 1.0, "{max}");
}

/// The metric families of a Prometheus text, as prometheus_client's parser reads them
/// (tools/prometheus): a text it refuses fails the test.
fn prometheus_families(text: &str) -> Vec<serde_json::Value> {
    use std::io::Write;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tools/prometheus/run.sh");
    let mut child = std::process::Command::new(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the Prometheus parser runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

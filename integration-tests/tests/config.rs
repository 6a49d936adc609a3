//! A service started with a wrong setting stops at once, says which setting and why, and
//! leaves nothing behind: no file taken for a database, no database created or migrated.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn start_with(dir: &std::path::Path, settings: &[(&str, &str)]) -> (bool, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_serve"))
        .current_dir(dir)
        .env("MCP_BIND", format!("127.0.0.1:{port}"))
        .env("MCP_MAIL_DIR", dir.join("mail"))
        .envs(settings.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // A service that took the setting is serving: it is stopped and counted as started.
    let deadline = Instant::now() + Duration::from_secs(20);
    let stopped = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (stopped.is_none_or(|s| s.success()), stderr)
}

fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_wrong_setting_stops_the_start_and_leaves_nothing_behind() {
    let dir = std::env::temp_dir().join(format!("mcp-config-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("mcp.db");
    let db = db.to_str().unwrap();
    let cases: [(&[(&str, &str)], &str); 7] = [
        // Another engine's URL is not a file name.
        (&[("MCP_DATABASE_URL", "mysql://x@y/z")], "MCP_DATABASE_URL"),
        // Out of range is refused, never bent into range.
        (
            &[("MCP_DATABASE_URL", db), ("MCP_POOL_SIZE", "0")],
            "MCP_POOL_SIZE: must be 1 to 256, got 0",
        ),
        (
            &[("MCP_DATABASE_URL", db), ("MCP_WORKERS", "500")],
            "MCP_WORKERS: must be 1 to 64, got 500",
        ),
        (
            &[("MCP_DATABASE_URL", db), ("MCP_TOKEN_TTL_SECONDS", "86400")],
            "MCP_TOKEN_TTL_SECONDS: must be 60 to 3600, got 86400",
        ),
        (
            &[("MCP_DATABASE_URL", db), ("MCP_LOG_FORMAT", "xml")],
            "MCP_LOG_FORMAT: must be text or json",
        ),
        (
            &[
                ("MCP_DATABASE_URL", db),
                ("MCP_MINIMUM_BROWSERS", "netscape=4"),
            ],
            "the families are chrome, edge, firefox and safari",
        ),
        // A mail relay that cannot be reached as written is found before the database is
        // created and migrated.
        (
            &[("MCP_DATABASE_URL", db), ("MCP_SMTP_URL", "smtpx:/relay")],
            "MCP_SMTP_URL",
        ),
    ];
    for (settings, says) in cases {
        let (started, stderr) = start_with(&dir, settings);
        assert!(!started, "{settings:?} started");
        assert!(stderr.contains(says), "{settings:?}: {stderr}");
        assert!(
            entries(&dir).is_empty(),
            "{settings:?} left {:?}",
            entries(&dir)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The public address people and software reach the service at (`MCP_PUBLIC_URL`, behind a
/// proxy) is the OpenID Connect issuer, whatever host a request was sent to.
#[test]
fn the_public_address_is_the_issuer() {
    let dir = std::env::temp_dir().join(format!("mcp-config-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_serve"))
        .current_dir(&dir)
        .env("MCP_BIND", format!("127.0.0.1:{port}"))
        .env("MCP_MAIL_DIR", dir.join("mail"))
        .env("MCP_DATABASE_URL", dir.join("mcp.db"))
        .env("MCP_PUBLIC_URL", "https://partenaires.caf.example/")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let client = reqwest::blocking::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("{base}/health")).send().is_err() {
        assert!(Instant::now() < deadline, "the service did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let discovery: serde_json::Value = client
        .get(format!("{base}/.well-known/openid-configuration"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        discovery["issuer"], "https://partenaires.caf.example/api/v1",
        "{discovery}"
    );
}

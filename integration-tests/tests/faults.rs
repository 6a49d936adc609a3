//! Faults the service must survive without losing what it acknowledged: the database going away
//! under load and coming back.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcp_integration_tests::{postgres_admin_url, Engine, TestEnv, SIRETS};

/// A TCP relay between the service and PostgreSQL that the test can cut: while it is down, every
/// open connection is broken and new ones are closed at once, as when the server stops.
struct Relay {
    port: u16,
    down: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Relay {
    fn to(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (d, o) = (Arc::clone(&down), Arc::clone(&open));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if d.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let mut registry = o.lock().unwrap();
                registry.push(client.try_clone().unwrap());
                registry.push(server.try_clone().unwrap());
                drop(registry);
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 16 * 1024];
                        loop {
                            match from.read(&mut buf) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => {
                                    if to.write_all(&buf[..n]).is_err() {
                                        break;
                                    }
                                }
                            }
                        }
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        Self { port, down, open }
    }

    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

#[test]
fn a_database_outage_is_answered_503_and_survived() {
    let admin = postgres_admin_url();
    let upstream = admin
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("127.0.0.1:5432")
        .to_string();
    let relay = Relay::to(upstream.clone());
    let port = relay.port;
    let env = TestEnv::start_with(Engine::Postgres, |c| {
        c.database_url = c
            .database_url
            .replace(&upstream, &format!("127.0.0.1:{port}"));
        c.database_timeout_secs = 2;
    });
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let before = env.partner(&admin, SIRETS[0], "ccas");
    assert_eq!(env.call("GET", "/ready", None, None).status, 200);

    // Load all along: four clients reading while the database goes and comes back.
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let load: Vec<_> = (0..4)
            .map(|_| {
                let (env, admin, before, stop) = (&env, &admin, &before, &stop);
                s.spawn(move || {
                    let mut seen = vec![];
                    while !stop.load(Ordering::SeqCst) {
                        let started = Instant::now();
                        let r = env.get(&format!("/api/v1/partners/{before}"), admin);
                        seen.push((r.status, r.code().to_string(), started.elapsed()));
                    }
                    seen
                })
            })
            .collect();
        outage(&env, &relay, &admin, &before);
        stop.store(true, Ordering::SeqCst);
        for answers in load.into_iter().map(|h| h.join().unwrap()) {
            for (status, code, took) in answers {
                assert!(
                    status == 200 || (status == 503 && code == "database_unavailable"),
                    "{status} {code}"
                );
                assert!(took < Duration::from_secs(8), "{took:?}");
            }
        }
    });
}

/// Cuts the database, checks what clients meet, restores it and checks the service is back.
fn outage(env: &TestEnv, relay: &Relay, admin: &str, before: &str) {
    relay.cut();
    // Every request fails fast and says when to come back; none hangs, none is a 500.
    for _ in 0..3 {
        let started = Instant::now();
        let r = env.get(&format!("/api/v1/partners/{before}"), admin);
        assert_eq!((r.status, r.code()), (503, "database_unavailable"), "{r:?}");
        assert_eq!(r.header("retry-after"), "5");
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{:?}",
            started.elapsed()
        );
        let r = env.post(
            "/api/v1/partners",
            admin,
            mcp_integration_tests::partner_body(SIRETS[1], "ccas"),
        );
        assert_eq!((r.status, r.code()), (503, "database_unavailable"), "{r:?}");
    }
    let ready = env.call("GET", "/ready", None, None);
    assert_eq!(
        (ready.status, ready.body["status"].as_str()),
        (503, Some("not_ready"))
    );
    assert_eq!(
        env.call("GET", "/health", None, None).status,
        200,
        "alive all along"
    );

    relay.restore();
    // Back by itself, without a restart; what was acknowledged before is there.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = env.get(&format!("/api/v1/partners/{before}"), admin);
        if r.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "not recovered: {r:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(env.call("GET", "/ready", None, None).status, 200);
    let r = env.post(
        "/api/v1/partners",
        admin,
        mcp_integration_tests::partner_body(SIRETS[1], "ccas"),
    );
    assert_eq!(r.status, 201, "{r:?}");
}

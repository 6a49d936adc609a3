//! Faults the service must survive without losing what it acknowledged: the database going away
//! under load and coming back.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcp_integration_tests::{on_both_engines, postgres_admin_url, Engine, TestEnv, SIRETS};
use serde_json::{json, Value};

on_both_engines!(
    a_backup_taken_while_serving_restores_whole,
    a_retried_creation_is_done_once,
    a_crash_under_load_loses_nothing_acknowledged,
    a_refused_message_is_retried_then_set_aside,
    sigterm_lets_requests_in_flight_finish,
    a_runaway_client_is_slowed_down_alone
);

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

/// POSTs `body` to `path` with an `Idempotency-Key`.
fn post_with_key(
    env: &TestEnv,
    path: &str,
    token: &str,
    key: &str,
    body: &Value,
) -> (u16, Value, String, String) {
    let r = env
        .client()
        .post(format!("{}{path}", env.base_url()))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .unwrap();
    let reply = TestEnv::read(r);
    (
        reply.status,
        reply.body.clone(),
        reply.header("idempotent-replayed").to_string(),
        reply.header("location").to_string(),
    )
}

fn a_retried_creation_is_done_once(engine: Engine) {
    // Town-hall software retries after a timeout: the same key and body create one account and
    // send one activation code, and the retry reads the first answer.
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let partner = env.partner(&admin, SIRETS[0], "ccas");
    let principal = env.partner_admin(&admin, &partner, "principal", "claire@ccas.example");
    let path = format!("/api/v1/partners/{partner}/users");
    let julie = json!({"full_name": "Julie Martin", "function_title": "Conseillère ESF", "email": "julie.martin@ccas.example", "phone": "01 64 13 55 01"});
    let key = "0192e4c8-7a6b-7c3d-9e2f-1a2b3c4d5e6f";
    let (status, first, replayed, location) = post_with_key(&env, &path, &principal, key, &julie);
    assert_eq!((status, replayed.as_str()), (201, ""), "{first}");
    let (status, again, replayed, location_again) =
        post_with_key(&env, &path, &principal, key, &julie);
    assert_eq!((status, replayed.as_str()), (201, "true"));
    assert_eq!(again, first);
    assert_eq!(location_again, location);
    let staff = env.get(&path, &principal);
    let julies = staff.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["email"] == "julie.martin@ccas.example")
        .count();
    assert_eq!(julies, 1, "one account");
    // One activation code sent: the first message arrives, and no second one follows.
    env.mail_to("julie.martin@ccas.example");
    std::thread::sleep(Duration::from_millis(500));
    let sent = std::fs::read_dir(&env.mail_dir)
        .unwrap()
        .flatten()
        .filter(|e| {
            std::fs::read_to_string(e.path())
                .is_ok_and(|t| t.contains("To: julie.martin@ccas.example\r\n"))
        })
        .count();
    assert_eq!(sent, 1, "one code sent");

    // The same key for another request: refused, nothing done.
    let marc = json!({"full_name": "Marc Petit", "function_title": "Agent d'accueil", "email": "marc.petit@ccas.example", "phone": "01 64 13 55 02"});
    let (status, body, _, _) = post_with_key(&env, &path, &principal, key, &marc);
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("idempotency_key_reused")),
        "{body}"
    );
    // A refusal is an answer too: replayed as it was.
    let twice = "0192e4c8-7a6b-7c3d-9e2f-00000000000b";
    let (status, body, _, _) = post_with_key(&env, &path, &principal, twice, &julie);
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("person_already_has_account"))
    );
    let (status, _, replayed, _) = post_with_key(&env, &path, &principal, twice, &julie);
    assert_eq!((status, replayed.as_str()), (409, "true"));
    // A malformed body is not kept: corrected, the same key does the work.
    let fixed = "0192e4c8-7a6b-7c3d-9e2f-00000000000c";
    let (status, _, _, _) = post_with_key(&env, &path, &principal, fixed, &json!({"full_name": 3}));
    assert_eq!(status, 400);
    let (status, _, replayed, _) = post_with_key(&env, &path, &principal, fixed, &marc);
    assert_eq!((status, replayed.as_str()), (201, ""));
    // Keys belong to an account: the Caf's administrator's same key is another key.
    let (status, body, replayed, _) = post_with_key(
        &env,
        "/api/v1/partners",
        &admin,
        key,
        &mcp_integration_tests::partner_body(SIRETS[1], "ccas"),
    );
    assert_eq!((status, replayed.as_str()), (201, ""), "{body}");
    // A key that is not one.
    let (status, body, _, _) = post_with_key(&env, &path, &principal, "une clé", &julie);
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_idempotency_key"))
    );

    // Eight retries at once of one new request: one account; every answer is the creation or
    // says the first one is being served.
    let lea = json!({"full_name": "Léa Bernard", "function_title": "Instructrice", "email": "lea.bernard@ccas.example", "phone": "01 64 13 55 03"});
    let burst = "0192e4c8-7a6b-7c3d-9e2f-0000000000bb";
    let answers: Vec<(u16, Value)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..8)
            .map(|_| {
                let (env, path, principal, lea) = (&env, &path, &principal, &lea);
                s.spawn(move || {
                    let (status, body, _, _) = post_with_key(env, path, principal, burst, lea);
                    (status, body)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let created: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b)
        .collect();
    assert!(!created.is_empty(), "{answers:?}");
    assert!(
        created.iter().all(|b| b["id"] == created[0]["id"]),
        "{answers:?}"
    );
    assert!(
        answers
            .iter()
            .all(|(s, b)| *s == 201 || (*s == 409 && b["code"] == "idempotency_key_in_progress")),
        "{answers:?}"
    );
    let staff = env.get(&path, &principal);
    let leas = staff.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["email"] == "lea.bernard@ccas.example")
        .count();
    assert_eq!(leas, 1);
}

/// What the clients were told was done.
#[derive(Default)]
struct Acknowledged {
    users: Vec<String>,
    habilitations: Vec<String>,
    consultations: usize,
    members_added: usize,
    members_removed: usize,
}

fn a_crash_under_load_loses_nothing_acknowledged(engine: Engine) {
    // Twelve clients create people, grant them a profile far beyond its quota, move them in and
    // out of a group holding that profile, consult files and refresh their sessions; the process is killed (SIGKILL) at a random moment, three times.
    // After each
    // restart on the same database, with no repair: what was acknowledged is there with its
    // trace, the quota held, and the chain of traces is intact.
    let env = TestEnv::start_process(engine, env!("CARGO_BIN_EXE_serve"));
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let partner = env.partner(&admin, SIRETS[0], "ccas");
    let (mission, t13) = env.active_convention(&admin, &partner, "761-2026-0001", 3);
    let principal = env.partner_admin(&admin, &partner, "principal", "claire@ccas.example");
    // Files to consult, and an agent habilitated to consult them (one seat of the three).
    let today = chrono::Utc::now().date_naive();
    let files: String = (1..=20u64)
        .map(|n| {
            serde_json::to_string(&mcp_domain::cdap::synthetic(1_000_000 + n, 3, today)).unwrap()
                + "\n"
        })
        .collect();
    let r = env.raw(
        "POST",
        &format!("/api/v1/cafs/{caf}/beneficiary-files/import"),
        Some(&admin),
        Some("application/x-ndjson"),
        files.into_bytes(),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let r = env.post(
        &format!("/api/v1/partners/{partner}/users"),
        &principal,
        json!({"full_name": "Léa Bernard", "function_title": "Instructrice FSL", "email": "lea@ccas.example", "phone": "01 64 13 55 03"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let lea_id = r.id();
    let lea = env.activate_from_mail(r.body["identifier"].as_str().unwrap(), "lea@ccas.example");
    let r = env.post(
        &format!("/api/v1/partners/{partner}/habilitations"),
        &principal,
        json!({"account_id": lea_id, "profile_id": t13, "mission_id": mission}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    // A group holding T13: its members count against the same quota.
    let r = env.post(
        &format!("/api/v1/partners/{partner}/groups"),
        &principal,
        json!({"name": "Accueil", "description": "Agents d'accueil"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let group = r.id();
    let r = env.post(
        &format!("/api/v1/partners/{partner}/habilitations"),
        &principal,
        json!({"group_id": group, "profile_id": t13, "mission_id": mission}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    // People created, and those among them granted T13 themselves (whom the group costs no seat).
    let known_users = Mutex::new(Vec::<String>::new());
    let holders = Mutex::new(Vec::<String>::new());
    let login = env.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"identifier": env.get("/api/v1/me", &principal).body["identifier"], "password": mcp_integration_tests::PASSWORD})),
    );
    assert_eq!(login.status, 200, "{login:?}");
    let mut refresh_token = login.body["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut acknowledged = Acknowledged::default();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for round in 0..3 {
        let stop = AtomicBool::new(false);
        let acks = Mutex::new(Acknowledged::default());
        let refresh = Mutex::new(refresh_token.clone());
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let kill_after = Duration::from_millis(400 + seed % 1200);
        std::thread::scope(|s| {
            for client in 0..12 {
                let (env, principal, partner, mission, t13) =
                    (&env, &principal, &partner, &mission, &t13);
                let (stop, acks, refresh, lea) = (&stop, &acks, &refresh, &lea);
                let (group, known_users, holders) = (&group, &known_users, &holders);
                s.spawn(move || {
                    let mut n = 0;
                    while !stop.load(Ordering::SeqCst) {
                        n += 1;
                        if client % 4 == 1 && n % 2 == 0 {
                            // Group memberships: in and out, within the quota.
                            // Now a holder (no new seat), now anyone (a seat, if one is left).
                            let pool = if n % 4 == 0 { holders } else { known_users };
                            let Some(user) = ({
                                let users = pool.lock().unwrap();
                                (!users.is_empty()).then(|| users[n % users.len()].clone())
                            }) else {
                                continue;
                            };
                            let added = env.try_call(
                                "POST",
                                &format!("/api/v1/groups/{group}/members"),
                                Some(principal),
                                Some(&json!({"account_id": user})),
                            );
                            if added.is_some_and(|r| r.status == 201) {
                                acks.lock().unwrap().members_added += 1;
                                let removed = env.try_call(
                                    "DELETE",
                                    &format!("/api/v1/groups/{group}/members/{user}"),
                                    Some(principal),
                                    None,
                                );
                                if removed.is_some_and(|r| r.status == 204) {
                                    acks.lock().unwrap().members_removed += 1;
                                }
                            }
                            continue;
                        }
                        if client % 4 == 2 {
                            // Consultations, each traced in its own transaction.
                            let numero = 1_000_001 + (n + client) % 20;
                            let r = env.try_call(
                                "GET",
                                &format!("/api/v1/cdap/files/{numero}?mission_id={mission}"),
                                Some(lea),
                                None,
                            );
                            if r.is_some_and(|r| r.status == 200) {
                                acks.lock().unwrap().consultations += 1;
                            }
                            continue;
                        }
                        if client % 4 == 3 {
                            // Refreshes of one session: each answer replaces the token.
                            let token = refresh.lock().unwrap().clone();
                            let r = env.try_call(
                                "POST",
                                "/api/v1/auth/refresh",
                                None,
                                Some(&json!({"refresh_token": token})),
                            );
                            if let Some(r) = r.filter(|r| r.status == 200) {
                                *refresh.lock().unwrap() =
                                    r.body["refresh_token"].as_str().unwrap().to_string();
                            }
                            continue;
                        }
                        let email = format!("agent-{round}-{client}-{n}@ccas.example");
                        let r = env.try_call(
                            "POST",
                            &format!("/api/v1/partners/{partner}/users"),
                            Some(principal),
                            Some(&json!({"full_name": format!("Agent {round} {client} {n}"), "function_title": "Agent", "email": email, "phone": "01 64 13 55 00"})),
                        );
                        let Some(r) = r.filter(|r| r.status == 201) else {
                            continue;
                        };
                        let user = r.id();
                        acks.lock().unwrap().users.push(user.clone());
                        known_users.lock().unwrap().push(user.clone());
                        let r = env.try_call(
                            "POST",
                            &format!("/api/v1/partners/{partner}/habilitations"),
                            Some(principal),
                            Some(&json!({"account_id": user, "profile_id": t13, "mission_id": mission})),
                        );
                        if let Some(r) = r.filter(|r| r.status == 201) {
                            acks.lock().unwrap().habilitations.push(r.id());
                            holders.lock().unwrap().push(user.clone());
                        }
                    }
                });
            }
            std::thread::sleep(kill_after);
            env.kill_and_restart();
            stop.store(true, Ordering::SeqCst);
        });
        let acks = acks.into_inner().unwrap();
        acknowledged.users.extend(acks.users);
        acknowledged.habilitations.extend(acks.habilitations);
        acknowledged.consultations += acks.consultations;
        acknowledged.members_added += acks.members_added;
        acknowledged.members_removed += acks.members_removed;
        refresh_token = refresh.into_inner().unwrap();
        check_after_crash(&env, &cnaf, &admin, &partner, &acknowledged);
        let auditor = env.auditor(&cnaf);
        // Every membership change acknowledged was traced with it.
        let group_traces = env.all_traces(&auditor, &format!("&target_id={group}"));
        for (action, acknowledged) in [
            ("group.member_added", acknowledged.members_added),
            ("group.member_removed", acknowledged.members_removed),
        ] {
            let traced = group_traces
                .iter()
                .filter(|t| t["action"] == action && t["outcome"] == "success")
                .count();
            assert!(
                traced >= acknowledged,
                "{action}: {traced} traced, {acknowledged} acknowledged"
            );
        }
        // Every consultation served was traced (the trace is written with it).
        let traced = env
            .all_traces(
                &auditor,
                &format!("&action=cdap.file_consulted&actor_account_id={lea_id}"),
            )
            .iter()
            .filter(|t| t["outcome"] == "success")
            .count();
        assert!(
            traced >= acknowledged.consultations,
            "{traced} consultations traced, {} served",
            acknowledged.consultations
        );
    }
    assert!(!acknowledged.users.is_empty(), "the load did something");
    assert!(
        acknowledged.habilitations.len() <= 2,
        "never beyond the quota of 3 (Léa holds one seat)"
    );
    assert!(acknowledged.consultations > 0, "files were consulted");
    assert!(acknowledged.members_added > 0, "the group changed");
}

fn check_after_crash(
    env: &TestEnv,
    cnaf: &str,
    caf_admin: &str,
    partner: &str,
    acknowledged: &Acknowledged,
) {
    let auditor = env.auditor(cnaf);
    // Where the object a creation trace names is read.
    let object = |action: &str, id: &str| match action {
        "partner_user.created" => format!("/api/v1/accounts/{id}/habilitations"),
        _ => format!("/api/v1/habilitations/{id}"),
    };
    // Every acknowledged person and habilitation exists, with the trace of its creation.
    for (id, action) in acknowledged
        .users
        .iter()
        .map(|u| (u, "partner_user.created"))
        .chain(
            acknowledged
                .habilitations
                .iter()
                .map(|h| (h, "habilitation.granted")),
        )
    {
        let path = object(action, id);
        assert_eq!(env.get(&path, caf_admin).status, 200, "{path}");
        let traces = env.traces_of(cnaf, id);
        assert!(
            traces.iter().any(|t| t["action"] == action),
            "{id} without its {action} trace: {traces:?}"
        );
    }
    // No trace of a creation without its object.
    for action in ["partner_user.created", "habilitation.granted"] {
        for t in env.all_traces(&auditor, &format!("&action={action}")) {
            if t["outcome"] != "success" {
                continue;
            }
            let id = t["target_id"].as_str().unwrap();
            assert_eq!(
                env.get(&object(action, id), caf_admin).status,
                200,
                "{action} {id}"
            );
        }
    }
    // The quota held.
    let quota = env.get(&format!("/api/v1/partners/{partner}/quota-use"), caf_admin);
    for line in quota.body["items"].as_array().unwrap() {
        assert!(
            line["used"].as_u64() <= line["max_users"].as_u64(),
            "{line}"
        );
    }
    // The chain is intact.
    let report = env.post("/api/v1/traces/chain-verification", &auditor, json!({}));
    assert_eq!(report.status, 200, "{report:?}");
    assert_eq!(report.body["intact"], true, "{}", report.body);
}

/// A restored PostgreSQL database, dropped at the end of the test.
struct RestoredPg(String);

impl Drop for RestoredPg {
    fn drop(&mut self) {
        let _ = mcp_persistence::db::drop_postgres_database(&postgres_admin_url(), &self.0);
    }
}

fn run(program: &str, args: &[&str]) {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn a_backup_taken_while_serving_restores_whole(engine: Engine) {
    // A backup taken while people keep working — `mcp backup` on SQLite, the README's
    // `pg_dump --format=custom` on PostgreSQL — restored and served on its own, has whole
    // objects with their traces and a chain that verifies.
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let partner = env.partner(&admin, SIRETS[0], "ccas");
    let principal = env.partner_admin(&admin, &partner, "principal", "claire@ccas.example");
    let auditor = env.auditor(&cnaf);
    let path = env.mail_dir.with_file_name("backup.db");
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let writer = s.spawn(|| {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) || n < 5 {
                n += 1;
                let r = env.post(
                    &format!("/api/v1/partners/{partner}/users"),
                    &principal,
                    json!({"full_name": format!("Agent {n} Martin"), "function_title": "Agent", "email": format!("agent{n}@ccas.example"), "phone": "01 64 13 55 00"}),
                );
                assert_eq!(r.status, 201, "{r:?}");
            }
            n
        });
        std::thread::sleep(Duration::from_millis(100));
        match engine {
            Engine::Sqlite => env.db.backup_to(&path).expect("backup"),
            Engine::Postgres => run(
                "pg_dump",
                &[
                    "--format=custom",
                    &format!("--file={}", path.display()),
                    env.database_url(),
                ],
            ),
        }
        stop.store(true, Ordering::SeqCst);
        assert!(writer.join().unwrap() >= 5);
    });
    let mut _restored_pg = None;
    let url = match engine {
        Engine::Sqlite => {
            assert!(
                env.db.backup_to(&path).is_err(),
                "a backup never overwrites"
            );
            path.display().to_string()
        }
        Engine::Postgres => {
            assert!(
                env.db.backup_to(&path).is_err(),
                "PostgreSQL is backed up with its own tools"
            );
            let name = format!("mcp_restored_{}", uuid::Uuid::new_v4().simple());
            let admin = postgres_admin_url();
            mcp_persistence::db::create_postgres_database(&admin, &name).unwrap();
            _restored_pg = Some(RestoredPg(name.clone()));
            let url = mcp_persistence::db::sibling_database_url(&admin, &name);
            run(
                "pg_restore",
                &[
                    "--no-owner",
                    &format!("--dbname={url}"),
                    &path.display().to_string(),
                ],
            );
            url
        }
    };

    // Restored: a server on the copy. Token keys and sessions are in it, so the same tokens
    // still sign people in.
    let restored = TestEnv::start_with(engine, |c| c.database_url = url);
    let report = restored.post("/api/v1/traces/chain-verification", &auditor, json!({}));
    assert_eq!(report.status, 200, "{report:?}");
    assert_eq!(report.body["intact"], true, "{}", report.body);
    assert!(
        report.body["verified"].as_i64().unwrap() > 10,
        "{}",
        report.body
    );
    let staff = restored.get(
        &format!("/api/v1/partners/{partner}/users?limit=200"),
        &principal,
    );
    let people = staff.body["items"].as_array().unwrap().clone();
    let created = restored.get(
        "/api/v1/traces?action=partner_user.created&limit=200",
        &auditor,
    );
    let traced: Vec<&str> = created.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target_id"].as_str().unwrap())
        .collect();
    // Every person in the copy has the trace of their creation, and every such trace its person.
    let agents: Vec<&str> = people
        .iter()
        .filter(|p| p["role"] == "partner_user")
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(!agents.is_empty());
    let mut a = agents.clone();
    let mut t = traced.clone();
    a.sort();
    t.sort();
    assert_eq!(a, t);
}

/// A mail relay that refuses everything.
struct Refusing;

impl mcp_persistence::use_cases::outbox::Transport for Refusing {
    fn send(&self, m: &mcp_persistence::use_cases::outbox::Outgoing) -> Result<(), String> {
        Err(format!("550 mailbox unavailable: {}", m.to))
    }
    fn describe(&self) -> String {
        "a refusing relay".into()
    }
}

fn a_refused_message_is_retried_then_set_aside(engine: Engine) {
    // The mail folder cannot be written: the action that queues a message is acknowledged at
    // once; the message is tried again with backoff, then set aside for the Cnaf, who queues it
    // again once the relay is repaired. Nothing is lost, and its body (a one-time code) is never
    // shown.
    let not_a_folder =
        std::env::temp_dir().join(format!("mcp-not-a-folder-{}", uuid::Uuid::new_v4()));
    std::fs::write(&not_a_folder, b"a file where the mail folder should be").unwrap();
    let blocked = not_a_folder.clone();
    let env = TestEnv::start_with(engine, move |c| c.mail_dir = blocked);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let started = Instant::now();
    let r = env.post(
        &format!("/api/v1/cafs/{caf}/administrators"),
        &cnaf,
        json!({"full_name": "Anne Martin", "function_title": "Administratrice", "email": "anne.martin@caf76.example"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the action never waits for the mail"
    );

    // Time passes: each round tries what is due, and backs off.
    let mut now = chrono::Utc::now().naive_utc();
    for _ in 0..12 {
        now += chrono::Duration::hours(2);
        mcp_persistence::use_cases::outbox::deliver_pending(&env.db, &Refusing, now).unwrap();
    }
    let aside = env.get("/api/v1/outbox/set-aside", &cnaf);
    assert_eq!(aside.status, 200, "{aside:?}");
    let items = aside.body["items"].as_array().unwrap();
    let message = items
        .iter()
        .find(|m| m["recipient"] == "anne.martin@caf76.example")
        .unwrap_or_else(|| panic!("{aside:?}"))
        .clone();
    assert!(message["attempts"].as_i64().unwrap() >= 10, "{message}");
    assert!(
        message.get("body").is_none(),
        "the body may carry a code: {message}"
    );
    assert!(
        !message["last_error"]
            .as_str()
            .unwrap()
            .contains("anne.martin"),
        "{message}"
    );
    // Set aside: no longer tried.
    let before = message["attempts"].clone();
    mcp_persistence::use_cases::outbox::deliver_pending(
        &env.db,
        &Refusing,
        now + chrono::Duration::days(1),
    )
    .unwrap();
    let again = env.get("/api/v1/outbox/set-aside", &cnaf);
    assert_eq!(again.body["items"][0]["attempts"], before);
    // The relay repaired: queued again by the Cnaf, then delivered.
    let id = message["id"].as_str().unwrap().to_string();
    let r = env.post(&format!("/api/v1/outbox/{id}/retry"), &cnaf, json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    let r = env.post(&format!("/api/v1/outbox/{id}/retry"), &cnaf, json!({}));
    assert_eq!(
        (r.status, r.code()),
        (404, "not_found"),
        "no longer set aside"
    );
    let working = mcp_api::mail::MailFolder {
        dir: env.mail_dir.clone(),
        from: "Mon Compte Partenaire <ne-pas-repondre@mcp.example>"
            .parse()
            .unwrap(),
    };
    let deliver = |at: chrono::NaiveDateTime| {
        mcp_persistence::use_cases::outbox::deliver_pending(&env.db, &working, at).unwrap()
    };
    assert!(deliver(now + chrono::Duration::days(2)) >= 1);
    assert!(
        env.delivered("anne.martin@caf76.example", "Subject:"),
        "delivered in the end"
    );

    // An auditor (whose code comes through the repaired folder) sees the retry traced, and is
    // not one who may see the messages set aside.
    let r = env.post(
        "/api/v1/auditors",
        &cnaf,
        json!({"full_name": "Odile Contrôle", "function_title": "Auditrice", "email": "odile@cnaf.example"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    deliver(now + chrono::Duration::days(3));
    let auditor =
        env.activate_from_mail(r.body["identifier"].as_str().unwrap(), "odile@cnaf.example");
    let traces = env.get(&format!("/api/v1/traces?target_id={id}"), &auditor);
    assert!(
        traces.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["action"] == "message.retried"),
        "{traces:?}"
    );
    let r = env.get("/api/v1/outbox/set-aside", &auditor);
    assert_eq!((r.status, r.code()), (403, "forbidden"));
    let _ = std::fs::remove_file(&not_a_folder);
}

fn sigterm_lets_requests_in_flight_finish(engine: Engine) {
    // An import is running when the service is told to stop (a deployment): it finishes and is
    // answered, the process then exits cleanly, and after a restart every file is there.
    let env = TestEnv::start_process(engine, env!("CARGO_BIN_EXE_serve"));
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let today = chrono::Utc::now().date_naive();
    let lines = 3000u64;
    let body: String = (1..=lines)
        .map(|n| {
            serde_json::to_string(&mcp_domain::cdap::synthetic(1_000_000 + n, 7, today)).unwrap()
                + "\n"
        })
        .collect();
    let answer = std::thread::scope(|s| {
        let import = s.spawn(|| {
            env.client()
                .post(format!(
                    "{}/api/v1/cafs/{caf}/beneficiary-files/import",
                    env.base_url()
                ))
                .bearer_auth(&admin)
                .header("content-type", "application/x-ndjson")
                .body(body.clone())
                .send()
                .map(|r| (TestEnv::read(r), Instant::now()))
        });
        std::thread::sleep(Duration::from_millis(150));
        let told_to_stop = Instant::now();
        let status = env.terminate(Duration::from_secs(25));
        assert!(status.success(), "clean exit after the drain: {status}");
        (import.join().unwrap(), told_to_stop)
    });
    let (answer, told_to_stop) = answer;
    let (answer, answered_at) = answer.expect("the import in flight was answered");
    assert!(
        answered_at > told_to_stop,
        "the import was still running when SIGTERM came"
    );
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["lines"], lines, "{answer:?}");
    assert_eq!(answer.body["rejected"], 0, "{answer:?}");
    // Stopped: nobody is served any more.
    assert!(env.try_call("GET", "/health", None, None).is_none());
    env.restart();
    // Every file of the acknowledged import is there: importing it again changes nothing.
    let again = env.raw(
        "POST",
        &format!("/api/v1/cafs/{caf}/beneficiary-files/import"),
        Some(&admin),
        Some("application/x-ndjson"),
        body.into_bytes(),
    );
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.body["unchanged"], lines, "{again:?}");
}

fn a_runaway_client_is_slowed_down_alone(engine: Engine) {
    // Town-hall software stuck in a loop: past its account's budget of the minute it is told to
    // wait, with what the IETF headers say; another account is not affected. On PostgreSQL two
    // instances share one budget.
    let env = TestEnv::start_with(engine, |c| c.requests_per_minute = 30);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let other = env.caf_admin(&cnaf, &caf, "b@caf.example");
    let second = (engine == Engine::Postgres).then(|| {
        let mut config = mcp_api::config::Config {
            database_url: env.database_url().to_string(),
            mail_dir: env.mail_dir.clone(),
            ..Default::default()
        };
        config.requests_per_minute = 30;
        mcp_api::Running::start(config).expect("a second instance")
    });
    let base = |i: usize| match (&second, i % 2) {
        (Some(s), 1) => s.base_url.clone(),
        _ => env.base_url().to_string(),
    };
    let get = |i: usize, token: &str| {
        let r = env
            .client()
            .get(format!("{}/api/v1/cafs/{caf}", base(i)))
            .bearer_auth(token)
            .send()
            .unwrap();
        TestEnv::read(r)
    };
    let mut refused = None;
    let mut last_left = i64::MAX;
    // The budget is the calendar minute's: should the run cross into the next minute, the count
    // starts again there (once).
    let mut window_began = 0;
    for i in 0..70 {
        let r = get(i, &admin);
        if r.status == 429 {
            refused = Some((i, r));
            break;
        }
        assert_eq!(r.status, 200, "{r:?}");
        // "account";r=<left>;t=<seconds>
        let state = r.header("ratelimit").to_string();
        let left: i64 = state
            .split(";r=")
            .nth(1)
            .and_then(|s| s.split(';').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("RateLimit header: {state:?}"));
        if left >= last_left {
            assert_eq!(
                window_began, 0,
                "a second new window within one run: {state}"
            );
            window_began = i;
        }
        last_left = left;
        assert_eq!(r.header("ratelimit-policy"), "\"account\";q=30;w=60");
    }
    let (at, r) = refused.expect("refused past the budget");
    // The setup spent some of the minute's budget already; the budget is one for both instances.
    assert!(at - window_began <= 30, "refused after {at} requests");
    assert_eq!(r.code(), "rate_limited", "{r:?}");
    let wait: i64 = r.header("retry-after").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(r.header("ratelimit"), format!("\"account\";r=0;t={wait}"));
    // Another account is not slowed down.
    assert_eq!(get(1, &other).status, 200);
}

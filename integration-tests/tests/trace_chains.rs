//! The chains of traces, one per perimeter: where each action is sealed, what a forged or cut
//! chain shows, the signed checkpoints of the chains' ends, and (PostgreSQL) that two
//! partners' actions never wait on each other's chain.

use std::time::Duration;

use mcp_integration_tests::{on_both_engines, Engine, TestEnv, SIRETS};
use mcp_persistence::Database;
use serde_json::{json, Value};

on_both_engines!(
    each_action_is_sealed_in_its_perimeters_chain,
    a_trace_forged_into_another_perimeters_chain_shows,
    a_signed_checkpoint_shows_a_chain_cut_after_it,
);

struct World {
    env: TestEnv,
    cnaf: String,
    caf: String,
    caf_admin: String,
    p1: String,
    p1_admin: String,
    p2: String,
    p2_admin: String,
}

fn world(env: TestEnv) -> World {
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "771");
    let caf_admin = env.caf_admin(&cnaf, &caf, "anne@caf77.example");
    let p1 = env.partner(&caf_admin, SIRETS[0], "ccas");
    let p2 = env.partner(&caf_admin, SIRETS[1], "commune");
    let p1_admin = env.partner_admin(&caf_admin, &p1, "principal", "claire@ccas.example");
    let p2_admin = env.partner_admin(&caf_admin, &p2, "principal", "rose@mairie.example");
    World {
        env,
        cnaf,
        caf,
        caf_admin,
        p1,
        p1_admin,
        p2,
        p2_admin,
    }
}

fn create_user(env: &TestEnv, partner: &str, admin: &str, email: &str) -> String {
    let r = env.post(
        &format!("/api/v1/partners/{partner}/users"),
        admin,
        json!({"full_name": "Julie Morel", "function_title": "Assistante sociale", "email": email, "phone": "01 64 13 55 00"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    r.id()
}

fn verify(env: &TestEnv, auditor: &str) -> Value {
    let r = env.post("/api/v1/traces/chain-verification", auditor, json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    r.body
}

/// Runs `statements` in one transaction, around the database's guards.
fn bypass(env: &TestEnv, statements: &[String]) {
    let mut all: Vec<String> = match env.engine {
        Engine::Sqlite => vec![
            "DROP TRIGGER IF EXISTS traces_append_only".into(),
            "DROP TRIGGER IF EXISTS traces_purge_only".into(),
        ],
        Engine::Postgres => vec!["SET LOCAL session_replication_role = replica".into()],
    };
    all.extend(statements.iter().cloned());
    sql(&env.db, &all);
}

fn sql(db: &Database, statements: &[String]) {
    db.write(|conn| {
        for s in statements {
            diesel::RunQueryDsl::execute(diesel::sql_query(s.as_str()), conn)?;
        }
        Ok(())
    })
    .unwrap();
}

/// The end of a chain, or one of its traces' position and hash.
#[derive(diesel::QueryableByName)]
struct End {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    last_seq: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    last_hash: String,
}

fn end_of(env: &TestEnv, chain: &str) -> End {
    env.db
        .read(|c| {
            Ok(diesel::RunQueryDsl::get_result(
                diesel::sql_query(format!(
                    "SELECT last_seq, last_hash FROM trace_chains WHERE chain = '{chain}'"
                )),
                c,
            )?)
        })
        .unwrap()
}

fn each_action_is_sealed_in_its_perimeters_chain(engine: Engine) {
    let w = world(TestEnv::start(engine));
    let env = &w.env;
    let u1 = create_user(env, &w.p1, &w.p1_admin, "julie@ccas.example");
    let u2 = create_user(env, &w.p2, &w.p2_admin, "marc@mairie.example");
    let auditor = env.auditor(&w.cnaf);
    let chain_of = |target: &str| -> Vec<String> {
        env.traces_of(&w.cnaf, target)
            .iter()
            .map(|t| t["chain"].as_str().unwrap().to_string())
            .collect()
    };
    // What a partner's staff do, and what is done to the partner, is in the partner's chain;
    // the Caf's own objects in the Caf's; the Cnaf's own in the national one.
    assert!(chain_of(&u1)
        .iter()
        .all(|c| *c == format!("partner:{}", w.p1)));
    assert!(chain_of(&u2)
        .iter()
        .all(|c| *c == format!("partner:{}", w.p2)));
    assert!(chain_of(&w.p1).contains(&format!("partner:{}", w.p1)));
    assert!(chain_of(&w.caf)
        .iter()
        .all(|c| *c == format!("caf:{}", w.caf)));
    let verified = verify(env, &auditor);
    assert_eq!(verified["intact"], true, "{verified}");
    let checks = env.all_traces(&auditor, "&action=traces.chain_verified");
    assert_eq!(checks[0]["chain"], "national");
    // Each chain numbers its own traces from 1, without a gap.
    let everything = env.all_traces(&auditor, "");
    let mut by_chain: std::collections::BTreeMap<&str, Vec<i64>> = Default::default();
    for t in &everything {
        by_chain
            .entry(t["chain"].as_str().unwrap())
            .or_default()
            .push(t["seq"].as_i64().unwrap());
    }
    assert!(by_chain.len() >= 4, "{by_chain:?}");
    for (chain, mut seqs) in by_chain {
        seqs.sort();
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "{chain}");
    }
    // The caf admin's action on a partner goes to that partner's chain, not the Caf's.
    let r = env.get(&format!("/api/v1/partners/{}/users", w.p1), &w.caf_admin);
    assert_eq!(r.status, 200, "{r:?}");
}

fn a_trace_forged_into_another_perimeters_chain_shows(engine: Engine) {
    let w = world(TestEnv::start(engine));
    let env = &w.env;
    let u1 = create_user(env, &w.p1, &w.p1_admin, "julie@ccas.example");
    create_user(env, &w.p2, &w.p2_admin, "marc@mairie.example");
    let auditor = env.auditor(&w.cnaf);
    // Someone holding the database copies a trace of P1 to the end of P2's chain, with a hash
    // that links: the chain's links hold, but the trace is not in its perimeter's chain.
    let original = env
        .traces_of(&w.cnaf, &u1)
        .into_iter()
        .find(|t| t["action"] == "partner_user.created")
        .expect("the creation is traced");
    let chain = format!("partner:{}", w.p2);
    let head = end_of(env, &chain);
    let mut forged: mcp_persistence::use_cases::trace::Trace = env
        .db
        .read(|c| {
            Ok(diesel::RunQueryDsl::get_result(
                diesel::sql_query(format!(
                    "SELECT * FROM traces WHERE id = '{}'",
                    original["id"].as_str().unwrap()
                )),
                c,
            )?)
        })
        .unwrap();
    forged.id = uuid::Uuid::now_v7().to_string();
    let seq = head.last_seq + 1;
    let hash = forged.link_after(&head.last_hash, seq);
    let insert = format!(
        "INSERT INTO traces (id, occurred_at, request_id, actor_account_id, actor_role, \
         organisation_kind, organisation_id, action, target_type, target_id, caf_id, outcome, \
         detail, client_id, partner_id, file_number, seq, hash, chain) \
         SELECT '{}', occurred_at, request_id, actor_account_id, actor_role, organisation_kind, \
         organisation_id, action, target_type, target_id, caf_id, outcome, detail, client_id, \
         partner_id, file_number, {seq}, '{hash}', '{chain}' FROM traces WHERE id = '{}'",
        forged.id,
        original["id"].as_str().unwrap()
    );
    bypass(
        env,
        &[
            insert,
            format!(
                "UPDATE trace_chains SET last_seq = {seq}, last_hash = '{hash}' WHERE chain = '{chain}'"
            ),
        ],
    );
    let report = verify(env, &auditor);
    assert_eq!(report["intact"], false, "{report}");
    assert_eq!(report["broken"][0]["chain"], chain.as_str(), "{report}");
    assert_eq!(report["broken"][0]["seq"], seq);
    assert_eq!(report["broken"][0]["reason"], "misplaced");
    assert_eq!(report["broken"][0]["trace_id"], forged.id.as_str());
}

fn a_signed_checkpoint_shows_a_chain_cut_after_it(engine: Engine) {
    let w = world(TestEnv::start_process(engine, env!("CARGO_BIN_EXE_serve")));
    let env = &w.env;
    create_user(env, &w.p1, &w.p1_admin, "julie@ccas.example");
    create_user(env, &w.p1, &w.p1_admin, "marc@ccas.example");
    let auditor = env.auditor(&w.cnaf);
    // Only the Cnaf's auditors read checkpoints (the refusal is traced in P1's chain).
    let r = env.get("/api/v1/traces/checkpoints", &w.p1_admin);
    assert_eq!(r.status, 403, "{r:?}");
    // The retention job takes a checkpoint at each start (then every six hours).
    env.terminate(Duration::from_secs(30));
    env.restart();
    let checkpoint = (0..100)
        .find_map(|_| {
            let r = env.get("/api/v1/traces/checkpoints", &auditor);
            assert_eq!(r.status, 200, "{r:?}");
            let items = r.body["items"].as_array().unwrap().clone();
            if items.len() >= 2 {
                return Some(items[0].clone());
            }
            std::thread::sleep(Duration::from_millis(100));
            None
        })
        .expect("a checkpoint at restart");
    assert!(checkpoint["chains"].as_i64().unwrap() >= 4, "{checkpoint}");
    // Its statement is signed with a published key: anyone can check it outside the service.
    let jwks = env.call("GET", "/api/v1/auth/jwks.json", None, None);
    let key = jwks.body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == checkpoint["key_id"])
        .expect("the signing key is published");
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(key.clone()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    let signed = jsonwebtoken::decode::<Value>(
        checkpoint["signature"].as_str().unwrap(),
        &jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap(),
        &validation,
    )
    .expect("the signature checks");
    assert_eq!(signed.claims["digest"], checkpoint["digest"]);
    assert_eq!(signed.claims["checkpoint_id"], checkpoint["id"]);
    let header = jsonwebtoken::decode_header(checkpoint["signature"].as_str().unwrap()).unwrap();
    assert_eq!(header.typ.as_deref(), Some("trace-checkpoint+jwt"));
    // Nor is a checkpoint an access token.
    let r = env.get("/api/v1/me", checkpoint["signature"].as_str().unwrap());
    assert_eq!(r.status, 401, "{r:?}");
    let report = verify(env, &auditor);
    assert_eq!(report["intact"], true, "{report}");
    assert_eq!(report["checkpoint_id"], checkpoint["id"]);

    // Someone holding the database cuts P1's chain back by its last trace, end included: the
    // links that remain hold, but the checkpoint saw a longer chain.
    let chain = format!("partner:{}", w.p1);
    let ends: Vec<End> = env
        .db
        .read(|c| {
            Ok(diesel::RunQueryDsl::load(
                diesel::sql_query(format!(
                    "SELECT seq AS last_seq, hash AS last_hash FROM traces \
                     WHERE chain = '{chain}' ORDER BY seq DESC LIMIT 2"
                )),
                c,
            )?)
        })
        .unwrap();
    let (last, previous) = (&ends[0], &ends[1]);
    bypass(
        env,
        &[
            format!(
                "DELETE FROM traces WHERE chain = '{chain}' AND seq = {}",
                last.last_seq
            ),
            format!(
                "UPDATE trace_chains SET last_seq = {}, last_hash = '{}' WHERE chain = '{chain}'",
                previous.last_seq, previous.last_hash
            ),
        ],
    );
    let report = verify(env, &auditor);
    assert_eq!(report["intact"], false, "{report}");
    assert_eq!(report["broken"][0]["chain"], chain.as_str(), "{report}");
    assert_eq!(report["broken"][0]["reason"], "checkpoint_mismatch");
    assert_eq!(report["broken"][0]["seq"], last.last_seq);
}

mod postgres_only {
    #[test]
    fn two_partners_never_wait_on_each_others_chain() {
        super::two_partners_never_wait_on_each_others_chain();
    }
}

/// While a transaction holds the end of P1's chain (as a sealer does between sealing and
/// commit), P2's traced actions go through; P1's wait for it, and then go through too.
fn two_partners_never_wait_on_each_others_chain() {
    use diesel::{Connection, RunQueryDsl};
    let w = world(TestEnv::start(Engine::Postgres));
    let env = &w.env;
    // Both chains exist.
    create_user(env, &w.p1, &w.p1_admin, "julie@ccas.example");
    create_user(env, &w.p2, &w.p2_admin, "marc@mairie.example");
    let mut holder = diesel::PgConnection::establish(env.database_url()).unwrap();
    diesel::sql_query("BEGIN").execute(&mut holder).unwrap();
    diesel::sql_query(format!(
        "SELECT last_seq FROM trace_chains WHERE chain = 'partner:{}' FOR UPDATE",
        w.p1
    ))
    .execute(&mut holder)
    .unwrap();

    let p1_waiting = std::thread::scope(|s| {
        let p1 = s.spawn(|| create_user(env, &w.p1, &w.p1_admin, "paul@ccas.example"));
        // P2's actions are sealed in P2's chain: they do not wait for P1's.
        for n in 0..5 {
            create_user(env, &w.p2, &w.p2_admin, &format!("agent{n}@mairie.example"));
        }
        std::thread::sleep(Duration::from_millis(300));
        let waiting = !p1.is_finished();
        diesel::sql_query("ROLLBACK").execute(&mut holder).unwrap();
        p1.join()
            .expect("P1's creation goes through once the chain is free");
        waiting
    });
    assert!(p1_waiting, "P1's action waits for its own chain's end");
    let auditor = env.auditor(&w.cnaf);
    let report = verify(env, &auditor);
    assert_eq!(report["intact"], true, "{report}");
}

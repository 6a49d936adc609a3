//! Traces (S-art. 5.3): who reads which, exports, a person's own traces, the chain of hashes,
//! retention with its evidence.

use chrono::{DateTime, Months, Utc};
use mcp_integration_tests::{on_both_engines, Engine, TestEnv, SIRETS};
use mcp_persistence::Database;
use serde_json::{json, Value};

on_both_engines!(
    each_reader_sees_their_perimeter_only,
    exports_stream_every_trace_in_reach,
    a_person_gets_their_own_traces_through_their_administrator,
    the_chain_shows_an_edited_or_deleted_trace,
    retention_purges_a_prefix_and_keeps_evidence,
    refusals_are_traced_with_their_code_for_the_perimeter,
);

fn day(offset_days: i64) -> String {
    (Utc::now().date_naive() + chrono::Duration::days(offset_days)).to_string()
}

/// Two Cafs; Caf A has two partners (P1 under an active convention with CDAP T13, P2 without),
/// Caf B one partner. P1's administrators created a user and habilitated them.
struct World {
    env: TestEnv,
    cnaf: String,
    caf_a: String,
    caf_admin_a: String,
    p1: String,
    p1_principal: String,
    p1_deputy: String,
    p1_user: String,
    p1_user_token: String,
    habilitation: String,
    p2: String,
    p2_admin: String,
    p3: String,
}

fn world(engine: Engine) -> World {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf_a = env.caf(&cnaf, "771");
    let caf_b = env.caf(&cnaf, "762");
    let caf_admin_a = env.caf_admin(&cnaf, &caf_a, "anne@caf77.example");
    let caf_admin_b = env.caf_admin(&cnaf, &caf_b, "bruno@caf76.example");
    let p1 = env.partner(&caf_admin_a, SIRETS[0], "ccas");
    let p2 = env.partner(&caf_admin_a, SIRETS[1], "commune");
    let p3 = env.partner(&caf_admin_b, SIRETS[2], "ccas");
    let (mission, t13) = active_convention(&env, &caf_admin_a, &p1);
    let p1_principal = env.partner_admin(&caf_admin_a, &p1, "principal", "claire@ccas.example");
    let p1_deputy = env.partner_admin(&caf_admin_a, &p1, "deputy", "paul@ccas.example");
    let p2_admin = env.partner_admin(&caf_admin_a, &p2, "principal", "rose@mairie.example");
    env.partner_admin(&caf_admin_b, &p3, "principal", "yves@ccas76.example");
    let r = env.post(
        &format!("/api/v1/partners/{p1}/users"),
        &p1_principal,
        json!({"full_name": "Julie Morel", "function_title": "Assistante sociale", "email": "julie@ccas.example", "phone": "01 64 13 55 00"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let p1_user = r.id();
    let p1_user_token =
        env.activate_from_mail(r.body["identifier"].as_str().unwrap(), "julie@ccas.example");
    let r = env.post(
        &format!("/api/v1/partners/{p1}/habilitations"),
        &p1_principal,
        json!({"account_id": p1_user, "profile_id": t13, "mission_id": mission}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    World {
        habilitation: r.id(),
        env,
        cnaf,
        caf_a,
        caf_admin_a,
        p1,
        p1_principal,
        p1_deputy,
        p1_user,
        p1_user_token,
        p2,
        p2_admin,
        p3,
    }
}

/// Drafts, signs and completes a convention subscribing CDAP T13; returns (mission, T13 id).
fn active_convention(env: &TestEnv, caf_admin: &str, partner: &str) -> (String, String) {
    env.active_convention(caf_admin, partner, "771-2026-0042", 4)
}

/// Every trace a reader sees with `query`, following the cursors.
fn all(env: &TestEnv, token: &str, query: &str) -> Vec<Value> {
    env.all_traces(token, query)
}

fn field(traces: &[Value], name: &str) -> Vec<String> {
    traces
        .iter()
        .map(|t| t[name].as_str().unwrap_or("").to_string())
        .collect()
}

fn each_reader_sees_their_perimeter_only(engine: Engine) {
    let w = world(engine);
    let env = &w.env;
    let cnaf_auditor = env.auditor(&w.cnaf);
    let caf_auditor = env.new_auditor(&w.cnaf, Some(&w.caf_a), "odile@caf77.example");

    // The Cnaf's auditors read everything, the three partners included.
    let everything = all(env, &cnaf_auditor, "");
    for p in [&w.p1, &w.p2, &w.p3] {
        assert!(field(&everything, "partner_id").contains(p));
    }

    // A Caf's auditors: their Caf's perimeter, not the other Caf's partner.
    let caf_view = all(env, &caf_auditor, "");
    assert!(!caf_view.is_empty());
    assert!(
        caf_view.iter().all(|t| t["caf_id"] == w.caf_a.as_str()),
        "{caf_view:?}"
    );
    assert!(!field(&caf_view, "partner_id").contains(&w.p3));
    assert!(field(&caf_view, "partner_id").contains(&w.p2));

    // A partner's administrators: what their staff did and what was done to their partner,
    // never another partner's.
    for token in [&w.p1_principal, &w.p1_deputy] {
        let own = all(env, token, "");
        assert!(
            own.iter().all(|t| t["partner_id"] == w.p1.as_str()),
            "{own:?}"
        );
        let actions = field(&own, "action");
        for a in [
            "partner.created",
            "convention.created",
            "partner_administrator.named",
            "partner_user.created",
            "habilitation.granted",
            "auth.login",
        ] {
            assert!(actions.contains(&a.to_string()), "{a} in {actions:?}");
        }
        // The user's own sign-in is in their organisation's traces.
        assert!(own
            .iter()
            .any(|t| t["action"] == "auth.login" && t["actor_account_id"] == w.p1_user.as_str()));
    }
    let p2_view = all(env, &w.p2_admin, "");
    assert!(p2_view.iter().all(|t| t["partner_id"] == w.p2.as_str()));
    assert!(!field(&p2_view, "target_id").contains(&w.habilitation));

    // Filters combine with the perimeter: P2's administrator asking for P1's habilitation or
    // P1's user gets nothing.
    assert!(all(env, &w.p2_admin, &format!("&target_id={}", w.habilitation)).is_empty());
    assert!(all(
        env,
        &w.p2_admin,
        &format!("&actor_account_id={}", w.p1_user)
    )
    .is_empty());
    let by_user = all(
        env,
        &w.p1_principal,
        &format!("&actor_account_id={}", w.p1_user),
    );
    assert!(!by_user.is_empty());
    assert!(by_user
        .iter()
        .all(|t| t["actor_account_id"] == w.p1_user.as_str()));
    let granted = all(env, &cnaf_auditor, "&action=habilitation.granted");
    assert_eq!(field(&granted, "target_id"), vec![w.habilitation.clone()]);

    // Period and order.
    let newest = env.get("/api/v1/traces?order=newest&limit=2", &cnaf_auditor);
    let oldest = env.get("/api/v1/traces?limit=2", &cnaf_auditor);
    assert!(newest.body["items"][0]["id"].as_str() > oldest.body["items"][0]["id"].as_str());
    let first_at = oldest.body["items"][0]["occurred_at"]
        .as_str()
        .unwrap()
        .to_string();
    let before_first: DateTime<Utc> = first_at.parse().unwrap();
    let empty = env.get(
        &format!(
            "/api/v1/traces?to={}",
            urlencode(&before_first.to_rfc3339())
        ),
        &cnaf_auditor,
    );
    assert_eq!(empty.body["items"], json!([]), "{empty:?}");
    let r = env.get(
        &format!(
            "/api/v1/traces?from={0}&to={0}",
            urlencode(&before_first.to_rfc3339())
        ),
        &cnaf_auditor,
    );
    assert_eq!((r.status, r.code()), (400, "invalid_query"));
    let r = env.get("/api/v1/traces?from=yesterday", &cnaf_auditor);
    assert_eq!(r.status, 400);

    // Nobody else reads traces: not the Cnaf's operators, not a Caf's administrators, not a
    // partner user, not software.
    for token in [&w.cnaf, &w.caf_admin_a, &w.p1_user_token] {
        let r = env.get("/api/v1/traces", token);
        assert_eq!(r.status, 403, "{r:?}");
        let r = env.get("/api/v1/traces/export?format=csv", token);
        assert_eq!(r.status, 403, "{r:?}");
    }
    let r = env.post("/api/v1/traces/chain-verification", &caf_auditor, json!({}));
    assert_eq!(r.status, 403, "only the Cnaf's auditors check the chain");
    let r = env.post(
        "/api/v1/traces/chain-verification",
        &w.p1_principal,
        json!({}),
    );
    assert_eq!(r.status, 403);

    // Auditors read, nothing else.
    let r = env.post(
        "/api/v1/partners",
        &cnaf_auditor,
        mcp_integration_tests::partner_body(SIRETS[3], "ccas"),
    );
    assert_eq!(r.status, 403);
    let r = env.post(
        &format!("/api/v1/habilitations/{}/suspension", w.habilitation),
        &caf_auditor,
        json!({"reason": "contrôle"}),
    );
    assert_eq!(r.status, 403, "{r:?}");
    let r = env.get(
        &format!("/api/v1/habilitations/{}/history", w.habilitation),
        &caf_auditor,
    );
    assert_eq!(r.status, 200, "auditors read habilitation history: {r:?}");
    // Only the Cnaf's operators register auditors.
    let r = env.post(
        "/api/v1/auditors",
        &w.caf_admin_a,
        json!({"full_name": "X", "function_title": "Y", "email": "x@caf.example"}),
    );
    assert_eq!(r.status, 403);
    let listed = env.get("/api/v1/auditors", &w.cnaf);
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        2,
        "{listed:?}"
    );

    // Reading is itself traced, in the reader's perimeter.
    let reads = all(env, &w.p1_principal, "&action=traces.read");
    assert!(!reads.is_empty());
    assert!(reads.iter().all(|t| t["partner_id"] == w.p1.as_str()));
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

/// A streamed body: (status, content type, text).
fn text(env: &TestEnv, path: &str, token: &str) -> (u16, String, String) {
    text_in(env, path, token, "fr-FR,fr;q=0.9")
}

fn text_in(env: &TestEnv, path: &str, token: &str, language: &str) -> (u16, String, String) {
    env.text(path, token, language)
}

fn exports_stream_every_trace_in_reach(engine: Engine) {
    let w = world(engine);
    let env = &w.env;
    // Enough traces to take several batches of the export.
    for _ in 0..6 {
        env.get(&format!("/api/v1/partners/{}", w.p1), &w.p1_principal);
    }
    let listed = all(env, &w.p1_principal, "");
    let (status, ct, body) = text(env, "/api/v1/traces/export?format=jsonl", &w.p1_principal);
    assert_eq!(status, 200);
    assert_eq!(ct, "application/x-ndjson");
    let lines: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Everything listed is exported (plus the traces of the listing and the export themselves).
    let exported = field(&lines, "id");
    for id in field(&listed, "id") {
        assert!(exported.contains(&id));
    }
    assert!(lines.iter().all(|t| t["partner_id"] == w.p1.as_str()));
    assert!(
        lines.iter().any(|t| t["action"] == "traces.exported"),
        "traced before the first line"
    );

    let (status, ct, csv) = text(
        env,
        &format!(
            "/api/v1/traces/export?format=csv&actor_account_id={}",
            w.p1_user
        ),
        &w.p1_principal,
    );
    assert_eq!(status, 200);
    assert_eq!(ct, "text/csv; charset=utf-8");
    // As French spreadsheets open it: a byte-order mark (or the accents break), `;` between
    // fields (or everything lands in one column), French headings, French dates.
    let csv = csv
        .strip_prefix('\u{feff}')
        .expect("a UTF-8 byte-order mark first");
    let mut rows = csv.split("\r\n").filter(|l| !l.is_empty());
    assert!(
        rows.next()
            .unwrap()
            .starts_with("\"Identifiant\";\"N° dans la chaîne\";\"Date et heure (UTC)\";"),
        "{csv}"
    );
    let rows: Vec<&str> = rows.collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.contains(&w.p1_user)));
    let when = rows[0].split(';').nth(2).unwrap().trim_matches('"');
    assert!(
        chrono::NaiveDateTime::parse_from_str(when, "%d/%m/%Y %H:%M:%S").is_ok(),
        "{when}"
    );
    // In English on request: commas, English headings, RFC 3339 instants, no mark.
    let (_, _, english) = text_in(
        env,
        &format!(
            "/api/v1/traces/export?format=csv&actor_account_id={}",
            w.p1_user
        ),
        &w.p1_principal,
        "en-GB,en;q=0.8",
    );
    assert!(english.starts_with("id,seq,occurred_at,"), "{english}");

    // The Cnaf's auditors export everything; another partner's administrator none of P1's.
    let (_, _, all_csv) = text(
        env,
        "/api/v1/traces/export?format=csv",
        &env.auditor(&w.cnaf),
    );
    assert!(all_csv.contains(&w.p3));
    let (_, _, p2_csv) = text(env, "/api/v1/traces/export?format=jsonl", &w.p2_admin);
    assert!(!p2_csv.contains(&w.habilitation));
    // Bad formats and filters are refused before anything streams.
    let r = env.get("/api/v1/traces/export?format=xlsx", &w.p1_principal);
    assert_eq!(r.status, 400);
    let r = env.get("/api/v1/traces/export", &w.p1_principal);
    assert_eq!(r.status, 400);
}

fn a_person_gets_their_own_traces_through_their_administrator(engine: Engine) {
    let w = world(engine);
    let env = &w.env;
    env.get("/api/v1/me", &w.p1_user_token);
    let path = format!(
        "/api/v1/partners/{}/staff/{}/subject-access",
        w.p1, w.p1_user
    );
    let r = env.post(&path, &w.p1_deputy, json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["person"]["id"], w.p1_user.as_str());
    let traces = r.body["traces"].as_array().unwrap();
    let actions = field(traces, "action");
    for a in [
        "partner_user.created",
        "account.activated",
        "auth.login",
        "habilitation.granted",
    ] {
        if a == "habilitation.granted" {
            // Granted to the person by someone else: about them, through the habilitation.
            continue;
        }
        assert!(actions.contains(&a.to_string()), "{a} in {actions:?}");
    }
    assert!(traces.iter().all(
        |t| t["actor_account_id"] == w.p1_user.as_str() || t["target_id"] == w.p1_user.as_str()
    ));
    assert!(!r.body.to_string().contains("password\":"), "no secret");

    // The production is traced, about the person, in their partner's perimeter.
    let produced = all(
        env,
        &w.p1_principal,
        "&action=traces.subject_access_produced",
    );
    assert_eq!(field(&produced, "target_id"), vec![w.p1_user.clone()]);

    // Another partner's administrator, the Caf, the person themselves: refused.
    let r = env.post(
        &format!(
            "/api/v1/partners/{}/staff/{}/subject-access",
            w.p2, w.p1_user
        ),
        &w.p2_admin,
        json!({}),
    );
    assert_eq!(r.status, 404, "P1's user is not P2's staff");
    let r = env.post(&path, &w.p2_admin, json!({}));
    assert_eq!(r.status, 404);
    let r = env.post(&path, &w.caf_admin_a, json!({}));
    assert_eq!(r.status, 403);
    let r = env.post(&path, &w.p1_user_token, json!({}));
    assert_eq!(r.status, 403);
}

fn verify(env: &TestEnv, auditor: &str) -> Value {
    let r = env.post("/api/v1/traces/chain-verification", auditor, json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    r.body
}

fn sql(db: &Database, statements: &[&str]) {
    db.write(|conn| {
        for s in statements {
            diesel::RunQueryDsl::execute(diesel::sql_query(*s), conn)?;
        }
        Ok(())
    })
    .unwrap();
}

fn sql_fails(db: &Database, statement: &str) -> String {
    db.write(|conn| {
        diesel::RunQueryDsl::execute(diesel::sql_query(statement), conn)?;
        Ok(())
    })
    .expect_err(statement)
    .to_string()
}

fn the_chain_shows_an_edited_or_deleted_trace(engine: Engine) {
    let w = world(engine);
    let env = &w.env;
    let auditor = env.auditor(&w.cnaf);
    let report = verify(env, &auditor);
    assert_eq!(report["intact"], true, "{report}");
    assert!(report["verified"].as_i64().unwrap() > 20);
    // One chain per perimeter: the national one, each Caf's, each partner's.
    assert!(report["chains"].as_i64().unwrap() >= 6, "{report}");
    let granted = all(env, &auditor, "&action=habilitation.granted");
    let (id, seq) = (
        granted[0]["id"].as_str().unwrap(),
        granted[0]["seq"].as_i64().unwrap(),
    );
    let chain = format!("partner:{}", w.p1);
    assert_eq!(granted[0]["chain"], chain.as_str());
    assert_eq!(granted[0]["hash"].as_str().unwrap().len(), 64);

    // Traces are append-only: the database itself refuses a change or a deletion.
    let update = format!("UPDATE traces SET detail = '{{}}' WHERE id = '{id}'");
    let delete = format!("DELETE FROM traces WHERE id = '{id}'");
    assert!(sql_fails(&env.db, &update).contains("append-only"));
    assert!(sql_fails(&env.db, &delete).contains("retention purge"));

    // Someone with the keys of the database goes around the guard and edits one trace: its
    // chain breaks exactly there, and only its chain.
    let bypass: Vec<String> = match engine {
        Engine::Sqlite => vec![
            "DROP TRIGGER traces_append_only".into(),
            "DROP TRIGGER traces_purge_only".into(),
            update.clone(),
        ],
        Engine::Postgres => vec![
            "SET LOCAL session_replication_role = replica".into(),
            update.clone(),
        ],
    };
    sql(
        &env.db,
        &bypass.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let report = verify(env, &auditor);
    assert_eq!(report["intact"], false);
    assert_eq!(report["broken"].as_array().unwrap().len(), 1, "{report}");
    let broken = &report["broken"][0];
    assert_eq!(broken["chain"], chain.as_str(), "{report}");
    assert_eq!(broken["seq"], seq, "{report}");
    assert_eq!(broken["reason"], "hash_mismatch");
    assert_eq!(broken["trace_id"], id);

    // Deleting a trace instead shows as a missing link.
    let later = seq - 1;
    let delete_later = format!("DELETE FROM traces WHERE chain = '{chain}' AND seq = {later}");
    let restore = format!(
        "UPDATE traces SET detail = '{}' WHERE id = '{id}'",
        granted[0]["detail"].to_string().replace('\'', "''")
    );
    let bypass: Vec<&str> = match engine {
        Engine::Sqlite => vec![&restore, &delete_later],
        Engine::Postgres => vec![
            "SET LOCAL session_replication_role = replica",
            &restore,
            &delete_later,
        ],
    };
    sql(&env.db, &bypass);
    let report = verify(env, &auditor);
    assert_eq!(report["broken"][0]["chain"], chain.as_str(), "{report}");
    assert_eq!(report["broken"][0]["seq"], later, "{report}");
    assert_eq!(report["broken"][0]["reason"], "missing");

    // The checks themselves are traced.
    assert!(all(env, &auditor, "&action=traces.chain_verified").len() >= 3);
}

fn retention_purges_a_prefix_and_keeps_evidence(engine: Engine) {
    let w = world(engine);
    let env = &w.env;
    let auditor = env.auditor(&w.cnaf);
    // This year's reverse review lists the habilitation before it ends.
    let r = env.post(
        &format!("/api/v1/cafs/{}/review-campaigns", w.caf_a),
        &w.caf_admin_a,
        json!({"year": Utc::now().format("%Y").to_string().parse::<i32>().unwrap(), "due_on": day(60)}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let campaign = r.body["opened"][0]["id"].as_str().unwrap().to_string();
    let listed = env.get(
        &format!("/api/v1/review-campaigns/{campaign}"),
        &w.p1_principal,
    );
    assert!(
        listed.body.to_string().contains(&w.habilitation),
        "{listed:?}"
    );
    // Auditors read the review too, and decide nothing in it.
    let r = env.get(&format!("/api/v1/review-campaigns/{campaign}"), &auditor);
    assert_eq!(r.status, 200, "{r:?}");
    let item = listed.body["items"][0]["id"].as_str().unwrap().to_string();
    let r = env.post(
        &format!("/api/v1/review-campaigns/{campaign}/items/{item}/decision"),
        &auditor,
        json!({"decision": "confirmed"}),
    );
    assert_eq!(r.status, 403, "{r:?}");
    // The habilitation ends; its history must outlive the traces.
    let r = env.post(
        &format!("/api/v1/habilitations/{}/devalidation", w.habilitation),
        &w.p1_principal,
        json!({"reason": "départ de l'agent"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let before = all(env, &auditor, "");
    // The boundary: the first trace of the habilitation's devalidation.
    let cut = before
        .iter()
        .position(|t| t["action"] == "habilitation.devalidated")
        .unwrap();
    let cutoff: DateTime<Utc> = before[cut]["occurred_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let now = cutoff.naive_utc() + Months::new(6);
    let cutoff = mcp_domain::trace::traces_expire_before(now);
    let due: Vec<&Value> = before
        .iter()
        .filter(|t| {
            t["occurred_at"]
                .as_str()
                .unwrap()
                .parse::<DateTime<Utc>>()
                .unwrap()
                .naive_utc()
                < cutoff
        })
        .collect();
    assert!(!due.is_empty());

    let purge = mcp_persistence::use_cases::retention::purge_due(&env.db, now)
        .unwrap()
        .expect("something was due");
    assert_eq!(purge.traces_purged, due.len() as i64);
    let due_chains: std::collections::BTreeSet<&str> =
        due.iter().map(|t| t["chain"].as_str().unwrap()).collect();
    assert_eq!(purge.chains_purged, due_chains.len() as i64);
    assert_eq!(
        purge.habilitations_purged, 0,
        "devalidated today: kept six years"
    );

    let after = all(env, &auditor, "");
    let ids = field(&after, "id");
    assert!(due
        .iter()
        .all(|t| !ids.contains(&t["id"].as_str().unwrap().to_string())));
    assert!(
        ids.contains(&before[cut]["id"].as_str().unwrap().to_string()),
        "within retention"
    );
    // The remaining chain checks from the anchor the purge kept.
    let report = verify(env, &auditor);
    assert_eq!(report["intact"], true, "{report}");
    // The evidence: a record and a trace, readable by the Cnaf's auditors only.
    let r = env.get("/api/v1/traces/retention-purges", &auditor);
    assert_eq!(
        r.body["items"][0]["traces_purged"],
        due.len() as i64,
        "{r:?}"
    );
    assert_eq!(
        env.get("/api/v1/traces/retention-purges", &w.p1_principal)
            .status,
        403
    );
    let evidence = all(env, &auditor, "&action=retention.purged");
    assert_eq!(evidence[0]["detail"]["traces_purged"], due.len() as i64);
    // Each cut chain's new anchor is the hash of the last trace it lost, and that evidence
    // sits in the national chain.
    assert_eq!(evidence[0]["chain"], "national");
    let anchors = evidence[0]["detail"]["anchors"].as_array().unwrap();
    assert_eq!(anchors.len(), due_chains.len());
    for a in anchors {
        let last = due
            .iter()
            .filter(|t| t["chain"] == a["chain"])
            .max_by_key(|t| t["seq"].as_i64())
            .unwrap();
        assert_eq!(a["seq"], last["seq"], "{a}");
        assert_eq!(a["hash"], last["hash"], "{a}");
    }
    // Nothing left due at the same instant.
    assert!(
        mcp_persistence::use_cases::retention::purge_due(&env.db, now)
            .unwrap()
            .is_none()
    );

    // The habilitation's history outlives its traces.
    let history = env.get(
        &format!("/api/v1/habilitations/{}/history", w.habilitation),
        &w.p1_principal,
    );
    let actions = field(history.body["items"].as_array().unwrap(), "action");
    assert_eq!(
        actions,
        vec!["habilitation.granted", "habilitation.devalidated"],
        "{history:?}"
    );

    // Seven months later every trace written so far is due, the first purge's own evidence
    // trace included: on PostgreSQL this month's partition goes whole.
    let later = now + Months::new(7);
    let purge = mcp_persistence::use_cases::retention::purge_due(&env.db, later)
        .unwrap()
        .expect("this month's traces are due");
    if engine == Engine::Postgres {
        let month = format!("traces_{}", Utc::now().format("%Y_%m"));
        assert!(
            purge.partitions_dropped.split(',').any(|p| p == month),
            "{purge:?}"
        );
    }
    let report = verify(env, &auditor);
    assert_eq!(report["intact"], true, "{report}");

    // Six years after its devalidation the habilitation goes, with its history.
    let years = later + Months::new(6 * 12);
    let purge = mcp_persistence::use_cases::retention::purge_due(&env.db, years)
        .unwrap()
        .unwrap();
    assert_eq!(purge.habilitations_purged, 1);
    assert_eq!(purge.habilitation_events_purged, 2);
    let r = env.get(
        &format!("/api/v1/habilitations/{}", w.habilitation),
        &w.p1_principal,
    );
    assert_eq!(r.status, 404);
    let report = verify(env, &auditor);
    assert_eq!(report["intact"], true, "{report}");
}

/// What the rules refuse is traced too (S-art. 5.3.1), by the one runner every use case goes
/// through: who, what was asked, the code they got, the request id — and the partner's
/// administrators read it in their perimeter, like the Caf's auditors.
fn refusals_are_traced_with_their_code_for_the_perimeter(engine: Engine) {
    let w = world(engine);
    let env = &w.env;
    // A refused grant: the principal administrator habilitating herself (four eyes).
    let me = env.get("/api/v1/me", &w.p1_principal);
    let principal_id = me.body["id"].as_str().unwrap().to_string();
    let t13 = env.get(
        &format!("/api/v1/habilitations/{}", w.habilitation),
        &w.p1_principal,
    );
    let (t13, mission) = (
        t13.body["profile_id"].as_str().unwrap().to_string(),
        t13.body["mission_id"].as_str().unwrap().to_string(),
    );
    let grant = TestEnv::read(
        env.client()
            .post(format!(
                "{}/api/v1/partners/{}/habilitations",
                env.base_url(),
                w.p1
            ))
            .bearer_auth(&w.p1_principal)
            .header("X-Request-Id", "refused-grant-0001")
            .json(&json!({"account_id": principal_id, "profile_id": t13, "mission_id": mission}))
            .send()
            .expect("request sent"),
    );
    assert_eq!(
        (grant.status, grant.code()),
        (403, "self_grant"),
        "{grant:?}"
    );
    // A refused consultation: a colleague with no CDAP habilitation.
    let r = env.post(
        &format!("/api/v1/partners/{}/users", w.p1),
        &w.p1_principal,
        json!({"full_name": "Marc Petit", "function_title": "Agent d'accueil", "email": "marc@ccas.example", "phone": "01 64 13 55 01"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let colleague = r.id();
    let colleague_token =
        env.activate_from_mail(r.body["identifier"].as_str().unwrap(), "marc@ccas.example");
    let consult = env.get(
        &format!("/api/v1/cdap/files/1000001?mission_id={mission}"),
        &colleague_token,
    );
    assert_eq!(consult.code(), "not_habilitated", "{consult:?}");
    // A refused reading of traces: a plain user.
    let read = env.get("/api/v1/traces", &w.p1_user_token);
    assert_eq!((read.status, read.code()), (403, "forbidden"), "{read:?}");

    let refused = all(
        env,
        &w.p1_principal,
        "&action=operation.refused&order=oldest",
    );
    let summary: Vec<(String, String, String, String)> = refused
        .iter()
        .map(|t| {
            (
                t["actor_account_id"].as_str().unwrap_or("").to_string(),
                t["detail"]["operation"].as_str().unwrap_or("").to_string(),
                t["detail"]["code"].as_str().unwrap_or("").to_string(),
                t["outcome"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let denied = |who: &str, op: &str, code: &str| {
        (
            who.to_string(),
            op.to_string(),
            code.to_string(),
            "denied".to_string(),
        )
    };
    assert_eq!(
        summary,
        [
            denied(&principal_id, "grant_habilitation", "self_grant"),
            denied(&colleague, "consult_beneficiary_file", "not_habilitated"),
            denied(&w.p1_user, "list_traces", "forbidden"),
        ],
        "{refused:#?}"
    );
    let grant_trace = &refused[0];
    assert_eq!(grant_trace["request_id"], "refused-grant-0001");
    assert_eq!(grant_trace["partner_id"], w.p1.as_str());
    assert_eq!(
        grant_trace["target_id"],
        w.p1.as_str(),
        "the partner the route named"
    );
    assert_eq!(
        grant_trace["detail"]["route"],
        "POST /api/v1/partners/{partner_id}/habilitations"
    );
    assert_eq!(grant_trace["detail"]["status"], 403);
    assert_eq!(refused[1]["file_number"], "1000001", "the file asked for");
    assert_eq!(refused[1]["target_type"], "beneficiary_file");
    assert_eq!(refused[2]["detail"]["status"], 403);
    // The same refusals are in the Caf's perimeter, and in no other partner's.
    let caf_auditor = env.new_auditor(&w.cnaf, Some(&w.caf_a), "ines@caf77.example");
    assert_eq!(
        all(env, &caf_auditor, "&action=operation.refused").len(),
        3,
        "the Caf's auditor reads its partners' refusals"
    );
    assert!(
        all(env, &w.p2_admin, "&action=operation.refused").is_empty(),
        "another partner reads none of them"
    );
    // A badly filled input is not a decision about access: not traced as a refusal.
    let bad = env.post(
        &format!("/api/v1/partners/{}/habilitations", w.p1),
        &w.p1_principal,
        json!({"account_id": w.p1_user, "profile_id": t13, "mission_id": mission, "ends_on": "2020-01-01"}),
    );
    assert_eq!(bad.status, 422, "{bad:?}");
    assert_eq!(
        all(env, &w.p1_principal, "&action=operation.refused").len(),
        3
    );
    // A refusal about a habilitation is in the traces, not in the habilitation's history (which
    // outlives the traces and is read by the partner's managers).
    let suspend = env.post(
        &format!("/api/v1/habilitations/{}/suspension", w.habilitation),
        &w.p1_user_token,
        json!({"reason": "essai"}),
    );
    assert_eq!(suspend.status, 403, "{suspend:?}");
    let on_it = all(
        env,
        &w.p1_principal,
        &format!("&action=operation.refused&target_id={}", w.habilitation),
    );
    assert_eq!(on_it.len(), 1, "{on_it:#?}");
    assert_eq!(on_it[0]["target_type"], "habilitation");
    let history = env.get(
        &format!("/api/v1/habilitations/{}/history", w.habilitation),
        &w.p1_principal,
    );
    assert_eq!(history.status, 200, "{history:?}");
    assert!(
        !history.body.to_string().contains("operation.refused"),
        "{history:?}"
    );
    // Actions are a closed list: a filter naming none of them is a mistake, not an empty page.
    let typo = env.get("/api/v1/traces?action=operation.refus", &w.p1_principal);
    assert_eq!(
        (typo.status, typo.code()),
        (400, "invalid_query"),
        "{typo:?}"
    );
    // Every refusal trace is sealed into the chain like any other.
    assert!(
        refused.iter().all(|t| t["hash"].is_string()),
        "{refused:#?}"
    );
}

//! CDAP end to end: the Caf loads files (NDJSON, streamed, idempotent), partner staff consult
//! them through their habilitation's view, each restriction answers 404 like a missing file,
//! and every consultation is traced, also under concurrent load.

use chrono::{Datelike, Months, NaiveDate, Utc};
use mcp_domain::cdap::{synthetic, CmgRequest, Right};
use mcp_integration_tests::{on_both_engines, Engine, Reply, TestEnv, SIRETS};
use serde_json::{json, Value};

on_both_engines!(
    import_is_checked_streamed_and_idempotent,
    each_profile_sees_its_view_and_nothing_else,
    restrictions_answer_like_missing_files,
    every_consultation_is_traced_under_load,
    frontier_funds_find_files_by_identity,
    a_consultation_rests_on_the_habilitation_of_its_mission,
);

fn day(offset_days: i64) -> String {
    (Utc::now().date_naive() + chrono::Duration::days(offset_days)).to_string()
}

fn this_month() -> NaiveDate {
    let t = Utc::now().date_naive();
    NaiveDate::from_ymd_opt(t.year(), t.month(), 1).unwrap()
}

/// F1 (1000001): RSA this month, instructed by I-001, housing aid paid to SIRETS[1], a CMG
/// request. F2 (1000002): RSA thirty months ago only, nothing else.
fn files() -> (String, String) {
    let today = Utc::now().date_naive();
    let mut f1 = synthetic(1_000_001, 3, today);
    f1.rights = vec![
        Right {
            benefit: "RSA".into(),
            month: this_month(),
            amount: 607.75,
            landlord_siret: None,
        },
        Right {
            benefit: "AL".into(),
            month: this_month(),
            amount: 250.0,
            landlord_siret: Some(SIRETS[1].into()),
        },
    ];
    f1.rsa_instructors = vec!["I-001".into()];
    f1.cmg_requests = vec![CmgRequest {
        filed_on: this_month() - Months::new(2),
    }];
    let mut f2 = synthetic(1_000_002, 3, today);
    f2.rights = vec![Right {
        benefit: "RSA".into(),
        month: this_month() - Months::new(30),
        amount: 607.75,
        landlord_siret: None,
    }];
    f2.rsa_instructors = vec!["I-001".into()];
    f2.cmg_requests = vec![];
    (
        serde_json::to_string(&f1).unwrap(),
        serde_json::to_string(&f2).unwrap(),
    )
}

struct World {
    env: TestEnv,
    cnaf: String,
    caf_id: String,
    caf: String,
}

/// A partner of `category` under an active convention subscribing `profiles`, and a user
/// habilitated with each of them; returns (user token, mission id, partner id, administrator
/// token).
fn habilitated(
    w: &World,
    siret: &str,
    category: &str,
    profiles: &[&str],
) -> (String, String, String, String) {
    let env = &w.env;
    let partner = env.partner(&w.caf, siret, category);
    let conv = env.post(
        &format!("/api/v1/partners/{partner}/conventions"),
        &w.caf,
        json!({"number": format!("C-{siret}"), "missions": ["Mission principale", "Seconde mission"]}),
    );
    let (conv_id, mission) = (
        conv.id(),
        conv.body["missions"][0]["id"].as_str().unwrap().to_string(),
    );
    let quotas: Vec<Value> = profiles
        .iter()
        .map(|p| json!({"profile": p, "max_users": 3}))
        .collect();
    let sub = env.post(
        &format!("/api/v1/conventions/{conv_id}/subscriptions"),
        &w.caf,
        json!({"service": "CDAP", "profiles": quotas}),
    );
    assert_eq!(sub.status, 201, "{sub:?}");
    env.post(
        &format!("/api/v1/conventions/{conv_id}/signature"),
        &w.caf,
        json!({"partner_signed_on": day(-10), "caf_signed_on": day(-9)}),
    );
    env.post(
        &format!("/api/v1/conventions/{conv_id}/rgpd-completion"),
        &w.caf,
        json!({"completed_on": day(-1)}),
    );
    let admin = env.partner_admin(
        &w.caf,
        &partner,
        "principal",
        &format!("admin@{siret}.example"),
    );
    let email = format!("agent@{siret}.example");
    let u = env.post(
        &format!("/api/v1/partners/{partner}/users"),
        &admin,
        json!({"full_name": "Agent", "function_title": "Agent", "email": email, "phone": "0102030405"}),
    );
    assert_eq!(u.status, 201, "{u:?}");
    for p in sub.body["profiles"].as_array().unwrap() {
        let r = env.post(
            &format!("/api/v1/partners/{partner}/habilitations"),
            &admin,
            json!({"account_id": u.id(), "profile_id": p["profile_id"], "mission_id": mission}),
        );
        assert_eq!(r.status, 201, "{r:?}");
    }
    let token = env.activate_from_mail(u.body["identifier"].as_str().unwrap(), &email);
    (token, mission, partner, admin)
}

fn world(engine: Engine) -> World {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf_id = env.caf(&cnaf, "771");
    let caf = env.caf_admin(&cnaf, &caf_id, "anne@caf77.example");
    World {
        env,
        cnaf,
        caf_id,
        caf,
    }
}

fn import(w: &World, token: &str, caf_id: &str, body: &str) -> Reply {
    w.env.raw(
        "POST",
        &format!("/api/v1/cafs/{caf_id}/beneficiary-files/import"),
        Some(token),
        Some("application/x-ndjson"),
        body.as_bytes().to_vec(),
    )
}

fn load_files(w: &World) {
    let (f1, f2) = files();
    let r = import(w, &w.caf, &w.caf_id, &format!("{f1}\n{f2}\n"));
    assert_eq!((r.status, &r.body["inserted"]), (200, &json!(2)), "{r:?}");
}

fn consult(w: &World, token: &str, numero: &str, mission: &str, extra: &str) -> Reply {
    w.env.get(
        &format!("/api/v1/cdap/files/{numero}?mission_id={mission}{extra}"),
        token,
    )
}

fn import_is_checked_streamed_and_idempotent(engine: Engine) {
    let w = world(engine);
    let (f1, f2) = files();
    let body = format!("{f1}\n\n{{\"numero\": \"12\"}}\nnot json\n{f2}");
    let r = import(&w, &w.caf, &w.caf_id, &body);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        (&r.body["lines"], &r.body["inserted"], &r.body["rejected"]),
        (&json!(4), &json!(2), &json!(2))
    );
    assert_eq!(r.body["rejections"][0]["line"], 3);
    assert_eq!(r.body["rejections"][1]["line"], 4);
    // The same lines again change nothing; a changed file is updated.
    let r = import(&w, &w.caf, &w.caf_id, &format!("{f1}\n{f2}\n"));
    assert_eq!(
        (&r.body["unchanged"], &r.body["inserted"]),
        (&json!(2), &json!(0))
    );
    let changed = f1.replace("\"city\":\"", "\"city\":\"Nouvelle-");
    let r = import(&w, &w.caf, &w.caf_id, &changed);
    assert_eq!(r.body["updated"], 1, "{r:?}");
    // A line too long is refused without being read whole.
    let long = format!("{{\"numero\": \"{}\"}}\n{f2}\n", "9".repeat(70_000));
    let r = import(&w, &w.caf, &w.caf_id, &long);
    assert_eq!(
        (&r.body["rejected"], &r.body["unchanged"]),
        (&json!(1), &json!(1)),
        "{r:?}"
    );

    // Only the Caf's own administrators load its files, as NDJSON.
    let caf2 = w.env.caf(&w.cnaf, "772");
    let admin2 = w.env.caf_admin(&w.cnaf, &caf2, "b@caf2.example");
    assert_eq!(import(&w, &admin2, &w.caf_id, &f1).status, 404);
    assert_eq!(import(&w, &w.cnaf, &w.caf_id, &f1).status, 403);
    let r = w.env.raw(
        "POST",
        &format!("/api/v1/cafs/{}/beneficiary-files/import", w.caf_id),
        Some(&w.caf),
        Some("application/json"),
        f1.into_bytes(),
    );
    assert_eq!(r.status, 415);
    let traces = w.env.get(
        "/api/v1/traces?action=beneficiary_files.imported",
        &w.env.auditor(&w.cnaf),
    );
    assert_eq!(traces.body["items"].as_array().unwrap().len(), 4);
}

fn each_profile_sees_its_view_and_nothing_else(engine: Engine) {
    let w = world(engine);
    load_files(&w);
    let (agent, mission, _, admin) = habilitated(&w, SIRETS[0], "ccas", &["T13"]);
    let r = consult(&w, &agent, "1000001", &mission, "");
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("cache-control"), "no-store");
    assert_eq!(r.body["profile"], "T13");
    let mut keys: Vec<&str> = r.body["file"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "address",
            "household",
            "identity",
            "numero",
            "quotient_familial",
            "resources",
            "rights"
        ],
        "T13 sees no professional situation, no CMG request, no instructor"
    );
    let first_shown = (this_month() - Months::new(11)).to_string();
    for series in ["resources", "quotient_familial"] {
        let months = r.body["file"][series].as_array().unwrap();
        assert_eq!(months.len(), 12, "twelve months of {series}");
        assert!(months
            .iter()
            .all(|m| m["month"].as_str().unwrap() >= first_shown.as_str()));
    }
    assert!(!r.body.to_string().contains("I-001"));

    // Clumsy and out-of-bounds requests.
    assert_eq!(
        consult(&w, &agent, "1000009", &mission, "").code(),
        "not_found"
    );
    assert_eq!(consult(&w, &agent, "12", &mission, "").status, 422);
    let r = w.env.get("/api/v1/cdap/files/1000001", &agent);
    assert_eq!(r.status, 400, "the mission is required");
    let r = consult(&w, &agent, "1000001", &w.caf_id, "");
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("mission_not_habilitated"))
    );
    assert_eq!(consult(&w, &w.caf, "1000001", &mission, "").status, 403);
    // A file of another Caf does not exist for this partner.
    let caf2 = w.env.caf(&w.cnaf, "772");
    let admin2 = w.env.caf_admin(&w.cnaf, &caf2, "b@caf2.example");
    let (f1, _) = files();
    let other = f1.replace("\"1000001\"", "\"1000003\"");
    assert_eq!(import(&w, &admin2, &caf2, &other).status, 200);
    assert_eq!(consult(&w, &agent, "1000003", &mission, "").status, 404);
    // The partner's administrator holds no habilitation: managing is not consulting.
    let r = consult(&w, &admin, "1000001", &mission, "");
    assert_eq!((r.status, r.code()), (403, "not_habilitated"));
}

fn restrictions_answer_like_missing_files(engine: Engine) {
    let w = world(engine);
    load_files(&w);
    // T10: only its own tenants, and only housing aid.
    let (landlord, m10, _, _) = habilitated(&w, SIRETS[1], "bailleur_social", &["T10"]);
    let r = consult(&w, &landlord, "1000001", &m10, "");
    assert_eq!(r.status, 200, "{r:?}");
    let rights = r.body["file"]["rights"].as_array().unwrap();
    assert!(rights.iter().all(|x| x["benefit"] == "AL") && !rights.is_empty());
    let missing = consult(&w, &landlord, "1000009", &m10, "");
    let restricted = consult(&w, &landlord, "1000002", &m10, "");
    assert_eq!(
        (restricted.status, &restricted.body),
        (404, &missing.body),
        "outside the restriction reads exactly like a missing file"
    );

    // A département agent holding T4 and T18 says which profile a consultation uses.
    let (dept, m4, _, _) = habilitated(&w, SIRETS[2], "departement", &["T4", "T18"]);
    let r = consult(&w, &dept, "1000001", &m4, "");
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("profile_required"))
    );
    let services = w.env.get("/api/v1/services", &dept);
    let id_of = |code: &str| {
        services.body["items"][0]["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["code"] == code)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let t4 = format!("&profile_id={}", id_of("T4"));
    let r = consult(&w, &dept, "1000001", &m4, &t4);
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("instructor_number_required"))
    );
    assert_eq!(
        consult(
            &w,
            &dept,
            "1000001",
            &m4,
            &format!("{t4}&instructor_number=I-002")
        )
        .status,
        404
    );
    assert_eq!(
        consult(
            &w,
            &dept,
            "1000001",
            &m4,
            &format!("{t4}&instructor_number=I-001")
        )
        .status,
        200
    );
    let t18 = format!("&profile_id={}", id_of("T18"));
    assert_eq!(
        consult(&w, &dept, "1000001", &m4, &t18).status,
        200,
        "RSA this month"
    );
    assert_eq!(
        consult(&w, &dept, "1000002", &m4, &t18).status,
        404,
        "RSA 30 months ago"
    );

    // T21: only files with a CMG request.
    let (pajemploi, m21, _, _) = habilitated(&w, SIRETS[3], "pajemploi", &["T21"]);
    assert_eq!(consult(&w, &pajemploi, "1000001", &m21, "").status, 200);
    assert_eq!(consult(&w, &pajemploi, "1000002", &m21, "").status, 404);
}

fn every_consultation_is_traced_under_load(engine: Engine) {
    let w = world(engine);
    load_files(&w);
    let (agent, mission, partner, admin) = habilitated(&w, SIRETS[0], "ccas", &["T13"]);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..20)
            .map(|i| {
                let (w, agent, mission) = (&w, &agent, &mission);
                s.spawn(move || {
                    let numero = if i % 4 == 0 { "1000009" } else { "1000001" };
                    consult(w, agent, numero, mission, "").status
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 15);
    assert_eq!(statuses.iter().filter(|s| **s == 404).count(), 5);
    let traces = w.env.get(
        "/api/v1/traces?action=cdap.file_consulted&limit=200",
        &w.env.auditor(&w.cnaf),
    );
    let items = traces.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 20, "one trace per consultation, served or not");
    let me = w.env.get("/api/v1/me", &agent).id();
    for t in items {
        assert_eq!(t["actor_account_id"], json!(me));
        assert_eq!(t["organisation_id"], json!(partner));
        assert_eq!(t["detail"]["profile"], "T13");
        assert_eq!(t["detail"]["mission_id"], json!(mission));
    }
    assert_eq!(
        items.iter().filter(|t| t["outcome"] == "success").count(),
        15
    );
    // The habilitation records its last use, in the consultations' transactions.
    let hab = items[0]["detail"]["habilitation_id"].as_str().unwrap();
    let h = w.env.get(&format!("/api/v1/habilitations/{hab}"), &admin);
    assert!(h.body["last_used_at"].is_string(), "{h:?}");
}

fn frontier_funds_find_files_by_identity(engine: Engine) {
    let w = world(engine);
    load_files(&w);
    let (f1, _) = files();
    let f1: Value = serde_json::from_str(&f1).unwrap();
    let (last, first, born) = (
        f1["identity"]["last_name"].as_str().unwrap().to_lowercase(),
        f1["identity"]["first_name"].as_str().unwrap().to_string(),
        f1["identity"]["birth_date"].as_str().unwrap().to_string(),
    );
    let (fund, mission, _, _) = habilitated(&w, SIRETS[3], "caisse_frontaliere", &["T20"]);
    let search = |token: &str, query: &str| {
        w.env.get(
            &format!("/api/v1/cdap/files?mission_id={mission}&{query}"),
            token,
        )
    };
    let r = search(
        &fund,
        &format!("last_name={last}&birth_date={born}&first_name={first}"),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["numero"], "1000001");
    assert_eq!(items[0]["profile"], "T20");
    // The bulletin: T20 lets the fund "vérifier si une nouvelle adresse a déjà été communiquée
    // auprès de la Caf" — the address is in its view; resources are not.
    assert_eq!(
        items[0]["file"]["address"], f1["address"],
        "T20 sees the address it checks"
    );
    assert!(items[0]["file"].get("resources").is_none(), "{items:?}");
    let r = search(&fund, &format!("last_name={last}&birth_date=1900-01-01"));
    assert_eq!(r.body["items"], json!([]));
    let r = search(&fund, "last_name=&birth_date=1900-01-01");
    assert_eq!(r.status, 422);
    // A T13 agent consults by numéro only.
    let (agent, m13, _, _) = habilitated(&w, SIRETS[0], "ccas", &["T13"]);
    let r = w.env.get(
        &format!("/api/v1/cdap/files?mission_id={m13}&last_name={last}&birth_date={born}"),
        &agent,
    );
    assert_eq!((r.status, r.code()), (403, "identity_search_not_allowed"));
    let traces = w.env.get(
        "/api/v1/traces?action=cdap.file_consulted",
        &w.env.auditor(&w.cnaf),
    );
    assert_eq!(
        traces.body["items"].as_array().unwrap().len(),
        2,
        "the file found and the search that found nothing"
    );
}

/// A consultation cites the mission it serves, and rests on the habilitation given for that
/// mission (C-art. 8): another mission of the convention is refused. The same profile held
/// directly and through a group is one view, not an ambiguity.
fn a_consultation_rests_on_the_habilitation_of_its_mission(engine: Engine) {
    let w = world(engine);
    load_files(&w);
    let env = &w.env;
    let (token, mission, partner, admin) = habilitated(&w, SIRETS[0], "ccas", &["T13"]);
    let conventions = env.get(&format!("/api/v1/partners/{partner}/conventions"), &admin);
    let missions = conventions.body["items"][0]["missions"]
        .as_array()
        .unwrap()
        .clone();
    let other_mission = missions[1]["id"].as_str().unwrap().to_string();
    assert_ne!(other_mission, mission);
    let t13 = env
        .get(&format!("/api/v1/partners/{partner}/habilitations"), &admin)
        .body["items"][0]["profile_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(consult(&w, &token, "1000001", &mission, "").status, 200);
    let r = consult(&w, &token, "1000001", &other_mission, "");
    assert_eq!(
        (
            r.status,
            r.body["errors"][0]["field"].as_str(),
            r.body["errors"][0]["code"].as_str()
        ),
        (422, Some("mission_id"), Some("mission_not_habilitated")),
        "{r:?}"
    );
    // T13 through a group too.
    let me = env.get("/api/v1/me", &token).id();
    let group = env.post(
        &format!("/api/v1/partners/{partner}/groups"),
        &admin,
        json!({"name": "Accueil"}),
    );
    assert_eq!(group.status, 201, "{group:?}");
    let group = group.id();
    let r = env.post(
        &format!("/api/v1/partners/{partner}/habilitations"),
        &admin,
        json!({"group_id": group, "profile_id": t13, "mission_id": mission}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let r = env.post(
        &format!("/api/v1/groups/{group}/members"),
        &admin,
        json!({"account_id": me}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    for extra in ["".to_string(), format!("&profile_id={t13}")] {
        let r = consult(&w, &token, "1000001", &mission, &extra);
        assert_eq!(r.status, 200, "{extra}: {r:?}");
    }
}

//! The life around the contract (S-art. 3–5, C-art. 9.2, 14, 16): planned stops, service
//! providers, security incidents, meetings on the convention, documents.

use chrono::{Duration, SecondsFormat, Utc};
use mcp_integration_tests::{on_both_engines, Engine, TestEnv, SIRETS};
use serde_json::{json, Value};

on_both_engines!(
    planned_stops_are_announced_listed_and_national_maintenance_closes_the_api,
    a_partner_tells_the_caf_of_its_service_providers_six_months_ahead,
    a_security_incident_is_reported_followed_and_closed,
    meetings_on_the_convention_minutes_in_turn_validated_by_both,
    a_conventions_documents_are_whole_pdfs_read_in_its_perimeter,
);

fn at(from_now: Duration) -> String {
    (Utc::now() + from_now).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A partner of the Caf `caf_admin` administers, with CDAP, whose contract names a
/// "responsable services" at `services_manager`; gives the token of its principal
/// administrator, at `admin`.
fn partner_with_contacts(
    env: &TestEnv,
    caf_admin: &str,
    siret: &str,
    number: &str,
    services_manager: &str,
    admin: &str,
) -> String {
    let partner = env.partner(caf_admin, siret, "ccas");
    let contract = json!({"contacts": [
        {"side": "partner", "role": "services_manager", "name": "Paul Leroy", "email": services_manager}
    ]});
    env.active_convention_under(caf_admin, &partner, number, &[("T13", 3)], contract);
    env.partner_admin(caf_admin, &partner, "principal", admin)
}

fn phase_in_list(env: &TestEnv, id: &str) -> Option<Value> {
    let list = env.call("GET", "/api/v1/maintenance", None, None);
    assert_eq!(list.status, 200, "{list:?}");
    list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .map(|s| s["phase"].clone())
}

/// S-art. 3.1 and 4: « Mon Compte Partenaire » is available at all hours except national
/// maintenance; the Caf may plan operations that stop the service, and its service centre tells
/// the partner's "responsable services" of every planned stop.
fn planned_stops_are_announced_listed_and_national_maintenance_closes_the_api(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "911");
    let caf_admin = env.caf_admin(&cnaf, &caf, "anne@caf91.example");
    let other_caf = env.caf(&cnaf, "762");
    let other_admin = env.caf_admin(&cnaf, &other_caf, "marc@caf76.example");
    let partner_admin = partner_with_contacts(
        &env,
        &caf_admin,
        SIRETS[0],
        "911-2026-0001",
        "services@ccas91.example",
        "claire@ccas91.example",
    );
    partner_with_contacts(
        &env,
        &other_admin,
        SIRETS[1],
        "762-2026-0001",
        "services@ccas76.example",
        "paul@ccas76.example",
    );

    // Nobody but the Cnaf and the Cafs declares a stop; a stop is planned ahead, bounded, and
    // names services the catalogue has.
    let body = |start: Duration, end: Duration, services: Value| {
        json!({"starts_at": at(start), "ends_at": at(end), "services": services,
               "description": "Mise à jour de l'annuaire de la Caf"})
    };
    let tomorrow = Duration::days(1);
    let r = env.post(
        "/api/v1/maintenance",
        &partner_admin,
        body(tomorrow, tomorrow + Duration::hours(2), json!([])),
    );
    assert_eq!((r.status, r.code()), (403, "forbidden"), "{r:?}");
    let r = env.post(
        "/api/v1/maintenance",
        &caf_admin,
        body(-Duration::hours(1), Duration::hours(1), json!(["XYZ"])),
    );
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(
        r.field_errors(),
        vec![
            ("starts_at", "not_in_future"),
            ("services[0]", "unknown_service")
        ]
    );
    let r = env.post(
        "/api/v1/maintenance",
        &caf_admin,
        body(tomorrow, tomorrow + Duration::days(4), json!([])),
    );
    assert_eq!(r.field_errors(), vec![("ends_at", "too_long")], "{r:?}");

    // The Caf plans an operation stopping CDAP: its partner's responsable services and
    // administrator are told, in French and Paris time; the other Caf's partner is not.
    let r = env.post(
        "/api/v1/maintenance",
        &caf_admin,
        body(tomorrow, tomorrow + Duration::hours(2), json!(["CDAP"])),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let caf_stop = r.id();
    assert_eq!(r.body["scope"], "caf");
    assert_eq!(r.body["caf"]["code"], "911");
    assert_eq!(r.body["phase"], "upcoming");
    for told in ["services@ccas91.example", "claire@ccas91.example"] {
        assert!(
            env.delivered(told, "(heure de Paris)"),
            "{told} was not told"
        );
    }
    let mail = env.mail_to("services@ccas91.example");
    assert!(mail.contains("La Caf 911 prévoit un arrêt"), "{mail}");
    assert!(mail.contains("Services concernés : CDAP"), "{mail}");
    assert_eq!(
        phase_in_list(&env, &caf_stop),
        Some(json!("upcoming")),
        "public list"
    );

    // Only that Caf cancels it (another Caf does not see it, the Cnaf does not run it), once.
    let cancel = |token: &str| {
        env.post(
            &format!("/api/v1/maintenance/{caf_stop}/cancellation"),
            token,
            json!({"reason": "Opération reportée"}),
        )
    };
    assert_eq!(cancel(&other_admin).status, 404);
    assert_eq!(cancel(&cnaf).status, 403);
    let r = cancel(&caf_admin);
    assert_eq!(
        (r.status, &r.body["phase"]),
        (200, &json!("cancelled")),
        "{r:?}"
    );
    assert_eq!(r.body["cancellation_reason"], "Opération reportée");
    assert!(env.delivered("services@ccas91.example", "Motif : Op"));
    let r = cancel(&caf_admin);
    assert_eq!((r.status, r.code()), (409, "stop_over"), "{r:?}");
    assert_eq!(
        phase_in_list(&env, &caf_stop),
        None,
        "a cancelled stop is not listed"
    );
    let actions: Vec<Value> = env
        .traces_of(&cnaf, &caf_stop)
        .iter()
        .map(|t| t["action"].clone())
        .collect();
    for action in ["stop.declared", "stop.cancelled", "operation.refused"] {
        assert!(actions.contains(&json!(action)), "{action} in {actions:?}");
    }

    // National maintenance, declared by the Cnaf, tells every partner; until it starts the
    // service answers, then everything but the list of stops and the probes answers 503.
    let r = env.post(
        "/api/v1/maintenance",
        &cnaf,
        body(Duration::seconds(3), Duration::hours(1), json!([])),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let national = r.id();
    assert_eq!(env.get("/api/v1/me", &partner_admin).status, 200);
    assert_eq!(
        (r.body["scope"].as_str(), &r.body["caf"]),
        (Some("national"), &Value::Null)
    );
    let starts: chrono::DateTime<Utc> = r.body["starts_at"].as_str().unwrap().parse().unwrap();
    assert!(env.delivered("services@ccas76.example", "La Cnaf prévoit"));
    let wait = starts - Utc::now() + Duration::milliseconds(300);
    std::thread::sleep(wait.to_std().unwrap_or_default());
    for (method, path, token) in [
        ("GET", "/api/v1/me", partner_admin.as_str()),
        ("GET", "/api/v1/partners", caf_admin.as_str()),
        ("POST", "/api/v1/auth/login", ""),
    ] {
        let token = Some(token).filter(|t| !t.is_empty());
        let body = json!({"identifier": "x", "password": "y"});
        let r = env.call(method, path, token, (method == "POST").then_some(&body));
        assert_eq!(
            (r.status, r.code()),
            (503, "maintenance"),
            "{method} {path}: {r:?}"
        );
        let wait: u64 = r.header("retry-after").parse().unwrap();
        assert!((3500..=3600).contains(&wait), "Retry-After {wait}");
    }
    assert_eq!(phase_in_list(&env, &national), Some(json!("current")));
    assert_eq!(env.call("GET", "/health", None, None).status, 200);
    assert!(
        !env.delivered("services@ccas76.example", "La Caf 911"),
        "another Caf's stop told this partner"
    );
}

/// A Caf (251) with a commune under an active convention (`number`, under `contract`) and its
/// principal administrator, and another Caf's administrator who must see none of it.
struct Commune {
    env: TestEnv,
    cnaf: String,
    caf_admin: String,
    other_admin: String,
    partner: String,
    admin: String,
    conv: String,
}

fn a_commune(engine: Engine, number: &str, contract: Value) -> Commune {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "251");
    let caf_admin = env.caf_admin(&cnaf, &caf, "anne@caf25.example");
    let other_caf = env.caf(&cnaf, "392");
    let other_admin = env.caf_admin(&cnaf, &other_caf, "marc@caf39.example");
    let partner = env.partner(&caf_admin, SIRETS[0], "commune");
    env.active_convention_under(&caf_admin, &partner, number, &[("T13", 2)], contract);
    let admin = env.partner_admin(&caf_admin, &partner, "principal", "claire@bavans.example");
    let conv = env
        .get(
            &format!("/api/v1/partners/{partner}/conventions"),
            &caf_admin,
        )
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    Commune {
        env,
        cnaf,
        caf_admin,
        other_admin,
        partner,
        admin,
        conv,
    }
}

/// C-art. 14: a partner that means to use service providers tells the Caf at least six months
/// ahead, with their list, their locations, the databases' locations, the legal regime of their
/// tools and their tasks; outside the EU without adequate protection, the safeguards; the Caf
/// makes its observations.
fn a_partner_tells_the_caf_of_its_service_providers_six_months_ahead(engine: Engine) {
    let Commune {
        env,
        cnaf,
        caf_admin,
        other_admin,
        admin,
        conv,
        ..
    } = a_commune(engine, "251-2026-0007", Value::Null);
    let notices = format!("/api/v1/conventions/{conv}/provider-notices");
    let provider = |database_country: &str| {
        json!({"name": "Infogérance Bourgogne SAS", "location": "Dijon, France", "country": "FR",
               "database_location": "Virginie, États-Unis", "database_country": database_country,
               "legal_regime": "Droit américain (Cloud Act)", "tasks": "Hébergement du logiciel métier"})
    };

    // The partner's administrators tell; the Caf does not file for them.
    let r = env.post(&notices, &caf_admin, json!({"providers": [provider("FR")]}));
    assert_eq!((r.status, r.code()), (403, "forbidden"), "{r:?}");
    // Databases in the United States: the safeguards are owed.
    let r = env.post(&notices, &admin, json!({"providers": [provider("US")]}));
    assert_eq!(r.field_errors(), vec![("safeguards", "required")], "{r:?}");
    let r = env.post(
        &notices,
        &admin,
        json!({"providers": [provider("US")], "safeguards": "Clauses contractuelles types (décision 2021/914), chiffrement des données au repos avec clés détenues en France"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let notice = r.id();
    assert_eq!(r.body["received_on"], Value::Null);
    assert!(env.delivered("anne@caf25.example", "déclare 1 prestataire de services"));
    let one = format!("/api/v1/provider-notices/{notice}");
    assert_eq!(
        env.get(&one, &other_admin).status,
        404,
        "another Caf's partner"
    );

    // The Caf records the day it received the notice, once: six months run from it.
    let today = Utc::now().date_naive();
    let receipt = format!("{one}/receipt");
    let r = env.post(&receipt, &admin, json!({"received_on": today}));
    assert_eq!(r.status, 403, "{r:?}");
    let r = env.post(
        &receipt,
        &caf_admin,
        json!({"received_on": today + Duration::days(1)}),
    );
    assert_eq!(
        r.field_errors(),
        vec![("received_on", "date_in_future")],
        "{r:?}"
    );
    let r = env.post(
        &receipt,
        &caf_admin,
        json!({"received_on": today - Duration::days(1)}),
    );
    assert_eq!(
        r.field_errors(),
        vec![("received_on", "before_filing")],
        "{r:?}"
    );
    let r = env.post(&receipt, &caf_admin, json!({"received_on": today}));
    assert_eq!(r.status, 200, "{r:?}");
    let earliest = today + chrono::Months::new(6);
    assert_eq!(r.body["earliest_start_on"], json!(earliest));
    assert!(env.delivered(
        "claire@bavans.example",
        &format!("partir du {} au plus", earliest.format("%d/%m/%Y"))
    ));
    let r = env.post(&receipt, &caf_admin, json!({"received_on": today}));
    assert_eq!(
        (r.status, r.code()),
        (409, "notice_already_received"),
        "{r:?}"
    );

    // Its observations reach the partner's administrators.
    let r = env.post(
        &format!("{one}/observations"),
        &caf_admin,
        json!({"text": "Précisez la durée de conservation des sauvegardes."}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(env.delivered("claire@bavans.example", "Précisez la durée de conservation"));
    let list = env.get(&notices, &admin);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "{list:?}");
    assert_eq!(
        list.body["items"][0]["observations"][0]["text"],
        "Précisez la durée de conservation des sauvegardes."
    );
    let actions: Vec<Value> = env
        .traces_of(&cnaf, &notice)
        .iter()
        .map(|t| t["action"].clone())
        .collect();
    for action in [
        "provider_notice.filed",
        "provider_notice.received",
        "provider_notice.observed",
    ] {
        assert!(actions.contains(&json!(action)), "{action} in {actions:?}");
    }
}

/// C-art. 9.2: the partner reports to the Caf without delay any security incident in its
/// perimeter that may endanger the data its users reach; S-art. 5.1: the security officers
/// are each other's contacts. The Caf may suspend the accesses concerned as a precaution;
/// both sides record their measures until the Caf closes the incident.
fn a_security_incident_is_reported_followed_and_closed(engine: Engine) {
    let contract = json!({"contacts": [
        {"side": "caf", "role": "security_officer", "name": "RSSI Caf du Doubs", "email": "rssi@caf25.example"},
        {"side": "partner", "role": "security_officer", "name": "Paul Leroy", "email": "rssi@bavans.example"}
    ]});
    let Commune {
        env,
        cnaf,
        caf_admin,
        other_admin,
        partner,
        admin,
        ..
    } = a_commune(engine, "251-2026-0009", contract);
    let r = env.post(
        &format!("/api/v1/partners/{partner}/users"),
        &admin,
        json!({"full_name": "Julie Martin", "function_title": "Travailleuse sociale", "email": "julie@bavans.example", "phone": "03 81 12 34 57"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let julie = r.id();
    let julie_token = env.activate_from_mail(
        r.body["identifier"].as_str().unwrap(),
        "julie@bavans.example",
    );
    let incidents = format!("/api/v1/partners/{partner}/security-incidents");
    let report = |accounts: Value| {
        json!({"nature": "lost_or_stolen_device",
               "description": "Ordinateur portable volé dans un véhicule de service.",
               "detected_at": at(-Duration::hours(2)), "accounts_concerned": accounts})
    };

    // The partner's administrators report; its users and the Caf do not.
    assert_eq!(
        env.post(&incidents, &julie_token, report(json!([]))).status,
        403
    );
    assert_eq!(
        env.post(&incidents, &caf_admin, report(json!([]))).status,
        403
    );
    let r = env.post(&incidents, &admin, report(json!([uuid::Uuid::nil()])));
    assert_eq!(
        r.field_errors(),
        vec![("accounts_concerned[0]", "not_found")],
        "{r:?}"
    );
    let r = env.post(&incidents, &admin, report(json!([julie])));
    assert_eq!(r.status, 201, "{r:?}");
    let incident = r.id();
    assert_eq!(r.body["status"], "open");
    // The Caf's security officer and administrators are told at once; not the partner's.
    for told in ["rssi@caf25.example", "anne@caf25.example"] {
        assert!(env.delivered(told, "poste ou t"), "{told} not told");
    }
    let one = format!("/api/v1/security-incidents/{incident}");
    assert_eq!(env.get(&one, &other_admin).status, 404, "another Caf");

    // The Caf suspends the account concerned as a precaution: its session ends.
    assert_eq!(env.get("/api/v1/me", &julie_token).status, 200);
    let r = env.post(&format!("{one}/suspensions"), &admin, json!({}));
    assert_eq!(r.status, 403, "only the Caf suspends: {r:?}");
    let r = env.post(&format!("{one}/suspensions"), &caf_admin, json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["measures"][0]["side"], "caf");
    assert_eq!(
        env.get("/api/v1/me", &julie_token).status,
        401,
        "session ended"
    );
    assert!(env.delivered(
        "rssi@bavans.example",
        "Suspension par précaution d'un compte"
    ));

    // The partner records its measure; the Caf is told; the Caf closes; nothing more is added.
    let r = env.post(
        &format!("{one}/measures"),
        &admin,
        json!({"text": "Plainte déposée, mots de passe changés."}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(env.delivered("rssi@caf25.example", "Plainte déposée"));
    let close = |token: &str| {
        env.post(
            &format!("{one}/closure"),
            token,
            json!({"summary": "Aucune consultation depuis le poste volé."}),
        )
    };
    assert_eq!(close(&admin).status, 403);
    let r = close(&caf_admin);
    assert_eq!(
        (r.status, &r.body["status"]),
        (200, &json!("closed")),
        "{r:?}"
    );
    assert!(env.delivered("claire@bavans.example", "clôt l'incident"));
    let r = env.post(
        &format!("{one}/measures"),
        &admin,
        json!({"text": "Encore"}),
    );
    assert_eq!((r.status, r.code()), (409, "incident_closed"), "{r:?}");
    let list = env.get(&incidents, &caf_admin);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    let actions: Vec<Value> = env
        .traces_of(&cnaf, &incident)
        .iter()
        .map(|t| t["action"].clone())
        .collect();
    for action in [
        "security_incident.reported",
        "security_incident.accesses_suspended",
        "security_incident.measure_recorded",
        "security_incident.closed",
    ] {
        assert!(actions.contains(&json!(action)), "{action} in {actions:?}");
    }
    let suspended: Vec<Value> = env
        .traces_of(&cnaf, &julie)
        .into_iter()
        .filter(|t| t["action"] == "account.suspended")
        .collect();
    assert_eq!(
        suspended[0]["detail"]["incident"],
        json!(incident),
        "{suspended:?}"
    );
}

/// C-art. 16: the yearly review may be a meeting the Cnaf may attend; on request of either party
/// the parties meet within one month of the request's receipt; after each meeting the minutes
/// are drafted by each party in turn and validated by both within 30 days.
fn meetings_on_the_convention_minutes_in_turn_validated_by_both(engine: Engine) {
    let Commune {
        env,
        cnaf,
        caf_admin,
        other_admin,
        admin,
        conv,
        ..
    } = a_commune(engine, "251-2026-0011", Value::Null);
    let meetings = format!("/api/v1/conventions/{conv}/meetings");
    let today = Utc::now().date_naive();
    assert_eq!(
        env.post(
            &meetings,
            &other_admin,
            json!({"kind": "annual", "planned_on": today})
        )
        .status,
        404
    );
    assert_eq!(
        env.post(
            &meetings,
            &cnaf,
            json!({"kind": "annual", "planned_on": today})
        )
        .status,
        403
    );

    // The partner asks for a meeting: within one month, and the Caf is told.
    let r = env.post(
        &meetings,
        &admin,
        json!({"kind": "on_request", "planned_on": today + chrono::Months::new(1) + Duration::days(1)}),
    );
    assert_eq!(
        r.field_errors(),
        vec![("planned_on", "beyond_one_month")],
        "{r:?}"
    );
    let r = env.post(
        &meetings,
        &admin,
        json!({"kind": "on_request", "planned_on": today}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(
        (r.body["requested_by"].as_str(), &r.body["due_by"]),
        (Some("partner"), &json!(today + chrono::Months::new(1)))
    );
    let first = r.id();
    assert!(env.delivered("anne@caf25.example", "demande une réunion de suivi"));

    // Held with the Cnaf: the Caf drafts the first minutes; the partner cannot.
    let one = format!("/api/v1/meetings/{first}");
    let people = json!([
        {"name": "Anne Martin", "function_title": "Administratrice", "represents": "caf"},
        {"name": "Claire Dupont", "function_title": "Gestionnaire principale", "represents": "partner"},
        {"name": "Léa Roux", "function_title": "Déléguée à la protection des données", "represents": "cnaf"}
    ]);
    let r = env.put(
        &format!("{one}/minutes"),
        &caf_admin,
        json!({"text": "Trop tôt"}),
    );
    assert_eq!((r.status, r.code()), (409, "meeting_not_held"), "{r:?}");
    let r = env.post(
        &format!("{one}/holding"),
        &admin,
        json!({"held_on": today, "attendees": people}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        (
            &r.body["cnaf_attended"],
            &r.body["drafter"],
            &r.body["held_late"]
        ),
        (&json!(true), &json!("caf"), &json!(false))
    );
    assert_eq!(r.body["minutes_due_by"], json!(today + Duration::days(30)));
    let r = env.post(
        &format!("{one}/holding"),
        &admin,
        json!({"held_on": today, "attendees": people}),
    );
    assert_eq!((r.status, r.code()), (409, "meeting_step_done"));
    let r = env.put(
        &format!("{one}/minutes"),
        &admin,
        json!({"text": "Notre compte rendu"}),
    );
    assert_eq!((r.status, r.code()), (403, "not_your_minutes"), "{r:?}");
    let r = env.post(&format!("{one}/minutes/validation"), &admin, json!({}));
    assert_eq!((r.status, r.code()), (409, "minutes_not_written"), "{r:?}");
    let r = env.put(
        &format!("{one}/minutes"),
        &caf_admin,
        json!({"text": "Bilan : quotas respectés."}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(env.delivered("claire@bavans.example", "Validez-le au plus tard le"));
    for token in [&admin, &caf_admin] {
        let r = env.post(&format!("{one}/minutes/validation"), token, json!({}));
        assert_eq!(r.status, 200, "{r:?}");
    }
    let r = env.get(&one, &cnaf);
    assert!(
        r.body["validated_by_caf_at"].is_string() && r.body["validated_by_partner_at"].is_string(),
        "{r:?}"
    );
    assert_eq!(r.body["minutes_late"], false);
    let r = env.post(&format!("{one}/minutes/validation"), &admin, json!({}));
    assert_eq!((r.status, r.code()), (409, "meeting_step_done"));

    // The next meeting's minutes are the partner's to draft.
    let r = env.post(
        &meetings,
        &caf_admin,
        json!({"kind": "annual", "planned_on": today}),
    );
    let second = r.id();
    let r = env.post(
        &format!("/api/v1/meetings/{second}/holding"),
        &caf_admin,
        json!({"held_on": today, "attendees": people}),
    );
    assert_eq!(r.body["drafter"], "partner", "{r:?}");
    assert_eq!(
        env.get(&meetings, &admin).body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let actions: Vec<Value> = env
        .traces_of(&cnaf, &first)
        .iter()
        .map(|t| t["action"].clone())
        .collect();
    for action in [
        "meeting.planned",
        "meeting.held",
        "meeting.minutes_written",
        "meeting.minutes_validated",
    ] {
        assert!(actions.contains(&json!(action)), "{action} in {actions:?}");
    }
}

/// The signed convention, the contract, bulletins, amendments, the authorising deliberation and
/// the RGPD evidence are kept as PDF files with their SHA-256, listed per convention and
/// downloaded by those in its perimeter.
fn a_conventions_documents_are_whole_pdfs_read_in_its_perimeter(engine: Engine) {
    use base64::Engine as _;
    let Commune {
        env,
        cnaf,
        caf_admin,
        other_admin,
        admin,
        conv,
        ..
    } = a_commune(engine, "251-2026-0012", Value::Null);
    let docs = format!("/api/v1/conventions/{conv}/documents");
    let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        .to_vec();
    let sum = mcp_domain::document::sha256_hex(&pdf);
    let body = |kind: &str, bytes: &[u8], sha256: &str, deliberation: Value| {
        json!({"kind": kind, "title": "Délibération autorisant la signature", "file_name": "délibération 2026-114.pdf",
               "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
               "sha256": sha256, "deliberation": deliberation})
    };
    let deliberation = json!({"number": "2026-114", "adopted_on": "2026-11-20",
                              "prefecture_acknowledgement": "025-212500001-20261120-2026_114-DE"});

    // The partner attaches its deliberation, not the signed convention; the file must arrive
    // whole and be a PDF.
    let r = env.post(
        &docs,
        &admin,
        body("signed_convention", &pdf, &sum, Value::Null),
    );
    assert_eq!(r.status, 403, "{r:?}");
    let r = env.post(
        &docs,
        &admin,
        body("deliberation", &pdf, &"0".repeat(64), deliberation.clone()),
    );
    assert_eq!(r.field_errors(), vec![("sha256", "mismatch")], "{r:?}");
    let png = b"\x89PNG\r\n\x1a\n";
    let r = env.post(
        &docs,
        &admin,
        body(
            "deliberation",
            png,
            &mcp_domain::document::sha256_hex(png),
            deliberation.clone(),
        ),
    );
    assert_eq!(r.field_errors(), vec![("content", "not_pdf")], "{r:?}");
    let r = env.post(&docs, &admin, body("deliberation", &pdf, &sum, Value::Null));
    assert_eq!(
        r.field_errors(),
        vec![("deliberation", "required")],
        "{r:?}"
    );
    let r = env.post(
        &docs,
        &admin,
        body("deliberation", &pdf, &sum, deliberation.clone()),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let doc = r.id();
    assert_eq!(
        (r.body["size"].as_u64(), r.body["sha256"].as_str()),
        (Some(pdf.len() as u64), Some(sum.as_str()))
    );
    assert_eq!(r.body["deliberation"]["number"], "2026-114");
    // Sent again (a retry): the same document, nothing twice.
    let r = env.post(
        &docs,
        &admin,
        body("deliberation", &pdf, &sum, deliberation),
    );
    assert_eq!((r.status, r.id()), (200, doc.clone()), "{r:?}");
    // The Caf attaches the signed convention.
    let r = env.post(
        &docs,
        &caf_admin,
        body("signed_convention", &pdf, &sum, Value::Null),
    );
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(
        env.get(&docs, &admin).body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(env.get(&docs, &other_admin).status, 404);

    // Downloaded whole, with its digest, by the perimeter only.
    let url = format!("{}/api/v1/documents/{doc}/content", env.base_url());
    let got = env.client().get(&url).bearer_auth(&admin).send().unwrap();
    assert_eq!(got.status().as_u16(), 200);
    assert_eq!(got.headers()["content-type"], "application/pdf");
    assert_eq!(
        got.headers()["etag"].to_str().unwrap(),
        format!("\"{sum}\"")
    );
    assert!(got.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"d_lib_ration_2026-114.pdf\""));
    assert_eq!(got.bytes().unwrap().to_vec(), pdf);
    let other = env
        .client()
        .get(&url)
        .bearer_auth(&other_admin)
        .send()
        .unwrap();
    assert_eq!(other.status().as_u16(), 404);
    let actions: Vec<Value> = env
        .traces_of(&cnaf, &doc)
        .iter()
        .map(|t| t["action"].clone())
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == json!("document.attached"))
            .count(),
        1,
        "{actions:?}"
    );
}

//! The Caf service centre (S-art. 3) and the escalation procedure (S-art. 3.3), as the Lieusaint
//! contract writes them: the partner's habilitation managers are level-1 support and alone
//! contact the centre, giving the services concerned, the structure, the motive, the user
//! concerned and whom to call back; the centre is open Monday to Friday, 9 h to 16 h; with no
//! answer from the centre *or the partner* within 10 days, or a situation either party deems
//! urgent, the escalation opens and the contacts of both sides are called in the order given.

use chrono::{Duration, Utc};
use mcp_integration_tests::{on_both_engines, Engine, TestEnv, SIRETS};
use serde_json::{json, Value};

on_both_engines!(
    the_partners_support_structure_and_the_service_centre_follow_a_request_to_its_close,
    an_unanswered_or_urgent_request_opens_the_escalation_with_both_sides_contacts,
);

/// A Caf (771) with a commune under the Lieusaint contract's annex 1, its administrator, an
/// agent of its service centre, the commune's principal administrator, and another Caf's
/// administrator who must see none of it.
struct Lieusaint {
    env: TestEnv,
    cnaf: String,
    caf: String,
    caf_admin: String,
    agent: String,
    other_admin: String,
    partner: String,
    admin: String,
    conv: String,
}

fn lieusaint(engine: Engine) -> Lieusaint {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "771");
    let caf_admin = env.caf_admin(&cnaf, &caf, "anne@caf77.example");
    let other_caf = env.caf(&cnaf, "392");
    let other_admin = env.caf_admin(&cnaf, &other_caf, "marc@caf39.example");
    let partner = env.partner(&caf_admin, SIRETS[0], "commune");
    // Annex 1 as Lieusaint's: the service centre's mailbox; the Caf's two local administrators,
    // called in this order (S-art. 3.3); the partner's administrators, one by phone only.
    let contract = json!({"contacts": [
        {"side": "caf", "role": "service_centre", "name": "Guichet unique du centre de services", "email": "guichet@caf77.example"},
        {"side": "caf", "role": "principal_administrator", "name": "Karine Boupies", "phone": "01 64 83 75 18", "email": "karine@caf77.example", "escalation_rank": 2},
        {"side": "caf", "role": "principal_administrator", "name": "Myriam Detournay", "phone": "01 64 83 74 63", "email": "myriam@caf77.example", "escalation_rank": 1},
        {"side": "partner", "role": "principal_administrator", "name": "Véronique Djire", "phone": "01 64 13 55 88"},
        {"side": "partner", "role": "deputy_administrator", "name": "Sandrine Coffi", "phone": "01 64 13 55 76", "email": "s.coffi@lieusaint.example"}
    ]});
    env.active_convention_under(
        &caf_admin,
        &partner,
        "771-2024-0001",
        &[("T13", 2)],
        contract,
    );
    let admin = env.partner_admin(
        &caf_admin,
        &partner,
        "principal",
        "claire@lieusaint.example",
    );
    let conv = env
        .get(
            &format!("/api/v1/partners/{partner}/conventions"),
            &caf_admin,
        )
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let agents = format!("/api/v1/cafs/{caf}/service-centre-agents");
    let person = json!({"full_name": "Julien Agent", "function_title": "Agent du centre de services", "email": "julien@caf77.example"});
    // Another Caf's administrator and a partner's cannot register the Caf's agents.
    assert_eq!(env.post(&agents, &other_admin, person.clone()).status, 404);
    assert_eq!(env.post(&agents, &admin, person.clone()).status, 403);
    let r = env.post(&agents, &caf_admin, person);
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.body["role"], "service_centre_agent", "{r:?}");
    let agent = env.activate_from_mail(
        r.body["identifier"].as_str().unwrap(),
        "julien@caf77.example",
    );
    let listed = env.get(&agents, &caf_admin);
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        1,
        "{listed:?}"
    );
    Lieusaint {
        env,
        cnaf,
        caf,
        caf_admin,
        agent,
        other_admin,
        partner,
        admin,
        conv,
    }
}

fn request_body() -> Value {
    json!({
        "summary": "Accès CDAP impossible pour une travailleuse sociale",
        "description": "Depuis ce matin, Mme Martin reçoit « habilitation suspendue ».",
        "services": ["CDAP"],
        "motive": "access_problem",
        "callback": {"name": "Sandrine Coffi", "phone": "01 64 13 55 76", "email": "s.coffi@lieusaint.example"}
    })
}

fn steps(r: &Value) -> Vec<String> {
    r["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["step"].as_str().unwrap().to_string())
        .collect()
}

fn the_partners_support_structure_and_the_service_centre_follow_a_request_to_its_close(
    engine: Engine,
) {
    let Lieusaint {
        env,
        cnaf,
        caf,
        caf_admin,
        agent,
        other_admin,
        partner,
        admin,
        conv,
        ..
    } = lieusaint(engine);

    // The contract's service centre, as the partner sees it: Lieusaint's hours by default.
    let contract = env.get(&format!("/api/v1/conventions/{conv}/contract"), &admin);
    assert_eq!(
        contract.body["service_centre"],
        json!({"opening_days": ["monday", "tuesday", "wednesday", "thursday", "friday"],
               "opens_at": "09:00:00", "closes_at": "16:00:00", "escalation_delay_days": 10}),
        "{contract:?}"
    );
    let centre = env.get(
        &format!("/api/v1/partners/{partner}/service-centre"),
        &admin,
    );
    assert_eq!(centre.status, 200, "{centre:?}");
    assert_eq!(centre.body["hours"], "du lundi au vendredi de 9 h à 16 h");
    assert_eq!(centre.body["contacts"][0]["email"], "guichet@caf77.example");
    assert!(centre.body["open_now"].is_boolean() && centre.body["next_opening"].is_string());
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(&centre.body["escalation_caf_contacts"]),
        ["Myriam Detournay", "Karine Boupies"]
    );
    assert_eq!(
        names(&centre.body["escalation_partner_contacts"]),
        ["Véronique Djire", "Sandrine Coffi"],
        "no partner contact is ranked: its administrators, in annex-1 order"
    );

    // Only the partner's support structure files: not a user without delegation, not the
    // service centre, not another Caf.
    let filing = format!("/api/v1/partners/{partner}/support-requests");
    let u = env.post(
        &format!("/api/v1/partners/{partner}/users"),
        &admin,
        json!({"full_name": "Agnès Martin", "function_title": "Travailleuse sociale", "email": "agnes@lieusaint.example", "phone": "01 64 13 55 00"}),
    );
    assert_eq!(u.status, 201, "{u:?}");
    let user_id = u.id();
    let user = env.activate_from_mail(
        u.body["identifier"].as_str().unwrap(),
        "agnes@lieusaint.example",
    );
    assert_eq!(env.post(&filing, &user, request_body()).status, 403);
    assert_eq!(env.post(&filing, &agent, request_body()).status, 403);
    assert_eq!(env.post(&filing, &other_admin, request_body()).status, 404);

    // What the contract asks is checked, and a bad request changes nothing.
    let mut bad = request_body();
    bad["services"] = json!(["CDAP", "CDAP", "NOPE"]);
    bad["callback"]["phone"] = json!("rappelez-moi");
    bad["user_concerned_id"] = json!("0193a5e1-4d2c-7b3a-9e8f-1a2b3c4d5e6f");
    let r = env.post(&filing, &admin, bad);
    assert_eq!(r.status, 422, "{r:?}");
    let mut fields: Vec<&str> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "callback.phone",
            "services[1]",
            "services[2]",
            "user_concerned_id"
        ]
    );
    assert_eq!(env.get(&filing, &admin).body["items"], json!([]));

    // Filed: the service centre's mailbox and its agents are told; the centre is to answer
    // within the contract's ten days.
    let mut body = request_body();
    body["user_concerned_id"] = json!(user_id);
    let r = env.post(&filing, &admin, body);
    assert_eq!(r.status, 201, "{r:?}");
    let id = r.id();
    assert_eq!(
        r.header("location"),
        format!("/api/v1/support-requests/{id}")
    );
    assert_eq!(r.body["status"], "open");
    assert_eq!(r.body["waiting_on"], "caf");
    assert_eq!(r.body["user_concerned_id"], json!(user_id));
    let filed = chrono::DateTime::parse_from_rfc3339(r.body["filed_at"].as_str().unwrap()).unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(r.body["escalation_due_at"].as_str().unwrap())
        .unwrap();
    assert_eq!(due - filed, Duration::days(10));
    assert_eq!(steps(&r.body), ["filed"]);
    for to in ["guichet@caf77.example", "julien@caf77.example"] {
        assert!(
            env.delivered(to, "saisit le centre de services Caf"),
            "{to} not told"
        );
    }
    let one = format!("/api/v1/support-requests/{id}");
    assert_eq!(env.get(&one, &other_admin).status, 404);
    assert_eq!(env.get(&one, &user).status, 403);
    assert_eq!(env.get(&one, &agent).status, 200);

    // A delegated manager is the partner's level-1 support too: once delegated, the user files.
    let d = env.post(
        &format!("/api/v1/partners/{partner}/delegations"),
        &admin,
        json!({"account_id": user_id, "functions": ["users"]}),
    );
    assert_eq!(d.status, 201, "{d:?}");
    let r = env.post(&filing, &user, request_body());
    assert_eq!(r.status, 201, "{r:?}");
    let closed = env.post(
        &format!("/api/v1/support-requests/{}/closure", r.id()),
        &agent,
        json!({"text": "Doublon de la demande précédente."}),
    );
    assert_eq!(closed.body["status"], "closed", "{closed:?}");

    // The agent takes it (taking is no answer: the centre's delay runs on), then asks.
    let r = env.post(&format!("{one}/taking"), &agent, json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["status"], "taken");
    assert_eq!(r.body["waiting_on"], "caf");
    assert!(r.body["assigned_to"].is_string());
    assert!(env.delivered("claire@lieusaint.example", "prend en charge"));
    // A partner cannot take its own request.
    assert_eq!(
        env.post(&format!("{one}/taking"), &admin, json!({})).status,
        403
    );
    let r = env.post(
        &format!("{one}/messages"),
        &agent,
        json!({"text": "Quel est l'identifiant de Mme Martin ?", "awaits_reply": true}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["waiting_on"], "partner");
    assert!(env.delivered("s.coffi@lieusaint.example", "Quel est l'identifiant"));
    let r = env.post(
        &format!("{one}/messages"),
        &admin,
        json!({"text": "Son identifiant est AB12-CD34."}),
    );
    assert_eq!(r.body["waiting_on"], "caf", "{r:?}");
    assert!(env.delivered("julien@caf77.example", "AB12-CD34"));

    // Routed, resolved; the partner comes back, which reopens it; closed for good.
    let r = env.post(
        &format!("{one}/routing"),
        &agent,
        json!({"text": "Pôle habilitations de la Caf"}),
    );
    assert_eq!(
        (r.status, r.body["status"].clone()),
        (200, json!("routed")),
        "{r:?}"
    );
    assert_eq!(r.body["routed_to"], "Pôle habilitations de la Caf");
    let r = env.post(
        &format!("{one}/resolution"),
        &caf_admin,
        json!({"text": "Habilitation réactivée ; Mme Martin consulte de nouveau."}),
    );
    assert_eq!(
        (r.status, r.body["status"].clone()),
        (200, json!("resolved")),
        "{r:?}"
    );
    assert!(r.body["waiting_on"].is_null() && r.body["escalation_due_at"].is_null());
    let again = env.post(
        &format!("{one}/resolution"),
        &agent,
        json!({"text": "Encore"}),
    );
    assert_eq!(again.status, 409, "{again:?}");
    assert_eq!(again.code(), "support_request_status_conflict");
    let r = env.post(
        &format!("{one}/messages"),
        &admin,
        json!({"text": "Le problème revient cet après-midi."}),
    );
    assert_eq!(r.body["status"], "taken", "{r:?}");
    // A body the contract does not describe is refused and changes nothing.
    let bad = env.post(&format!("{one}/closure"), &agent, json!({"texte": "Clos"}));
    assert_eq!(bad.status, 400, "{bad:?}");
    assert_eq!(env.get(&one, &agent).body["status"], "taken");
    let r = env.post(&format!("{one}/closure"), &agent, json!({}));
    assert_eq!(
        (r.status, r.body["status"].clone()),
        (200, json!("closed")),
        "{r:?}"
    );
    let late = env.post(
        &format!("{one}/messages"),
        &admin,
        json!({"text": "Encore ?"}),
    );
    assert_eq!((late.status, late.code()), (409, "support_request_closed"));
    assert_eq!(
        steps(&env.get(&one, &admin).body),
        ["filed", "taken", "message", "message", "routed", "resolved", "message", "closed"]
    );

    // The Caf's list, by status and partner; the request's traces name each step.
    let listed = env.get(
        &format!("/api/v1/cafs/{caf}/support-requests?status=closed&partner_id={partner}"),
        &agent,
    );
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        2,
        "{listed:?}"
    );
    let open = env.get(
        &format!("/api/v1/cafs/{caf}/support-requests?status=open"),
        &agent,
    );
    assert_eq!(open.body["items"], json!([]), "{open:?}");
    assert_eq!(
        env.get(
            &format!("/api/v1/cafs/{caf}/support-requests"),
            &other_admin
        )
        .status,
        404
    );
    let actions: Vec<String> = env
        .traces_of(&cnaf, &id)
        .iter()
        .map(|t| t["action"].as_str().unwrap().to_string())
        .collect();
    assert!(
        actions.contains(&"support_request.filed".to_string()),
        "{actions:?}"
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "support_request.step")
            .count(),
        7,
        "{actions:?}"
    );
}

fn an_unanswered_or_urgent_request_opens_the_escalation_with_both_sides_contacts(engine: Engine) {
    let Lieusaint {
        env,
        caf,
        caf_admin,
        agent,
        partner,
        admin,
        conv,
        ..
    } = lieusaint(engine);
    let filing = format!("/api/v1/partners/{partner}/support-requests");
    let escalations = format!("/api/v1/cafs/{caf}/escalations");
    let r = env.post(&filing, &admin, request_body());
    assert_eq!(r.status, 201, "{r:?}");
    let one = format!("/api/v1/support-requests/{}", r.id());
    let r = env.post(
        &format!("{one}/messages"),
        &agent,
        json!({"text": "Pouvez-vous nous envoyer une capture d'écran ?", "awaits_reply": true}),
    );
    assert_eq!(r.body["waiting_on"], "partner", "{r:?}");

    // Nine days on, nothing; past ten days without the partner's answer, the escalation opens,
    // once, and both sides' contacts are told in the contract's order.
    let sweep = |days: i64| {
        mcp_persistence::use_cases::support::escalate_due(
            &env.db,
            Utc::now().naive_utc() + Duration::days(days),
        )
        .unwrap()
    };
    assert_eq!(sweep(9), 0);
    assert_eq!(env.get(&escalations, &agent).body["items"], json!([]));
    assert_eq!(sweep(11), 1);
    assert_eq!(sweep(12), 0, "an escalation opens once");
    let open = env.get(&escalations, &agent);
    assert_eq!(open.status, 200, "{open:?}");
    let e = &open.body["items"][0]["escalation"];
    assert_eq!(e["cause"], "no_answer_from_partner", "{open:?}");
    assert_eq!(e["caf_contacts"][0]["name"], "Myriam Detournay");
    assert_eq!(e["caf_contacts"][1]["name"], "Karine Boupies");
    assert_eq!(e["partner_contacts"][0]["name"], "Véronique Djire");
    for to in [
        "myriam@caf77.example",
        "karine@caf77.example",
        "s.coffi@lieusaint.example",
    ] {
        assert!(env.delivered(to, "procédure d'escalade"), "{to} not told");
    }
    let text = env.mail_to("myriam@caf77.example");
    let first = text.find("Myriam Detournay").unwrap();
    assert!(first < text.find("Karine Boupies").unwrap(), "{text}");
    // The partner's administrators see it on their request; resolving it ends the escalation.
    assert_eq!(
        env.get(&one, &admin).body["escalation"]["cause"],
        "no_answer_from_partner"
    );
    let r = env.post(
        &format!("{one}/resolution"),
        &agent,
        json!({"text": "Réglé par téléphone."}),
    );
    assert!(r.body["escalation"].is_null(), "{r:?}");
    assert_eq!(env.get(&escalations, &caf_admin).body["items"], json!([]));

    // A situation the partner deems urgent opens it at once.
    let mut urgent = request_body();
    urgent["urgent"] = json!(true);
    let r = env.post(&filing, &admin, urgent);
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.body["escalation"]["cause"], "urgent_for_partner", "{r:?}");
    assert_eq!(steps(&r.body), ["filed", "escalated"]);
    // The Caf may deem another urgent, saying why.
    let r = env.post(&filing, &admin, request_body());
    let third = format!("/api/v1/support-requests/{}", r.id());
    let no_reason = env.post(&format!("{third}/urgency"), &agent, json!({}));
    assert_eq!(no_reason.status, 422, "{no_reason:?}");
    let r = env.post(
        &format!("{third}/urgency"),
        &agent,
        json!({"text": "Plus aucun agent du CCAS ne consulte."}),
    );
    assert_eq!(r.body["escalation"]["cause"], "urgent_for_caf", "{r:?}");
    assert_eq!(
        env.get(&escalations, &agent).body["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // A contract may set no delay (Bavans): then only urgency opens the escalation. Terms no
    // one could use are refused.
    let contract = format!("/api/v1/conventions/{conv}/contract");
    let day = Utc::now().date_naive().to_string();
    let amendment =
        json!({"summary": "Centre de services", "caf_signed_on": day, "partner_signed_on": day});
    let r = env.put(
        &contract,
        &caf_admin,
        json!({"service_centre": {"opening_days": [], "opens_at": "16:00", "closes_at": "09:00", "escalation_delay_days": 0}, "amendment": amendment}),
    );
    assert_eq!(r.status, 422, "{r:?}");
    let mut fields: Vec<&str> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "service_centre.closes_at",
            "service_centre.escalation_delay_days",
            "service_centre.opening_days"
        ]
    );
    let r = env.put(
        &contract,
        &caf_admin,
        json!({"service_centre": {"opening_days": ["monday", "thursday"], "opens_at": "08:30", "closes_at": "12:00", "escalation_delay_days": null}, "amendment": amendment}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let centre = env.get(
        &format!("/api/v1/partners/{partner}/service-centre"),
        &admin,
    );
    assert_eq!(
        centre.body["hours"],
        "le lundi et le jeudi de 8 h 30 à 12 h"
    );
    let r = env.post(&filing, &admin, request_body());
    assert_eq!(r.status, 201, "{r:?}");
    assert!(r.body["escalation_due_at"].is_null(), "{r:?}");
    assert_eq!(sweep(400), 0);

    // A close and a partner's message at the same instant follow one another: either the
    // message comes first and the request ends closed, or it comes after and is refused;
    // never a closed request reopened.
    for _ in 0..4 {
        let r = env.post(&filing, &admin, request_body());
        let one = format!("/api/v1/support-requests/{}", r.id());
        let (closed, written) = std::thread::scope(|s| {
            let close = s.spawn(|| env.post(&format!("{one}/closure"), &agent, json!({})));
            let write = s.spawn(|| {
                env.post(
                    &format!("{one}/messages"),
                    &admin,
                    json!({"text": "Une précision."}),
                )
            });
            (close.join().unwrap(), write.join().unwrap())
        });
        assert_eq!(closed.status, 200, "{closed:?}");
        assert!([200, 409].contains(&written.status), "{written:?}");
        let now = env.get(&one, &admin).body;
        assert_eq!(now["status"], "closed", "{now:?}");
        assert_eq!(steps(&now).last().unwrap(), "closed", "{now:?}");
    }
}

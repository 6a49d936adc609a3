//! Requests to the Caf (mode centralisé, and administrator changes in both modes): every kind
//! through every state, the quota reserved by pending requests, concurrent approvals, the Caf's
//! inbox and escalation, and the reach of each side.

use chrono::Utc;
use mcp_integration_tests::{on_both_engines, Engine, TestEnv, PASSWORD, SIRETS};
use serde_json::{json, Value};

on_both_engines!(
    a_habilitation_request_through_every_state,
    pending_requests_reserve_their_seats_and_approvals_never_overrun,
    removing_access_and_lost_credentials,
    administrators_change_through_the_caf_in_both_modes,
    inbox_escalation_and_reach,
    every_kind_is_sent_back_refused_and_withdrawn_alike,
    a_request_for_someone_with_an_account_adds_to_it,
    an_agent_named_administrator_keeps_their_account,
    the_forms_name_a_person_as_annex_3_does,
    a_removal_takes_effect_on_its_date_with_a_box_per_person,
    one_services_access_is_removed_and_the_account_stays,
    a_change_of_rights_gives_a_profile_and_takes_one_away,
);

fn day(offset_days: i64) -> String {
    (Utc::now().date_naive() + chrono::Duration::days(offset_days)).to_string()
}

struct World {
    env: TestEnv,
    cnaf: String,
    caf_id: String,
    caf: String,
    partner: String,
    convention: String,
    subscription: String,
    mission: String,
    t13: String,
    admin: String,
    admin_id: String,
    deputy: String,
    deputy_id: String,
}

/// A CCAS under an active convention in `mode`, subscribing T13 with a quota of 2, with its two
/// administrators.
fn world(engine: Engine, mode: &str) -> World {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf_id = env.caf(&cnaf, "771");
    let caf = env.caf_admin(&cnaf, &caf_id, "anne@caf77.example");
    let partner = env.partner(&caf, SIRETS[0], "ccas");
    let conv = env.post(
        &format!("/api/v1/partners/{partner}/conventions"),
        &caf,
        json!({"number": "771-2026-0007", "missions": ["Instruction des dossiers FSL"],
               "contract": {"management_mode": mode, "contacts": [
                   {"side": "caf", "role": "service_centre", "name": "Centre de services de la Caf", "email": "centre.services@caf77.example"},
                   {"side": "partner", "role": "principal_administrator", "name": "Claire Dupont", "email": "claire@ccas.example"}]}}),
    );
    assert_eq!(conv.status, 201, "{conv:?}");
    let convention = conv.id();
    let mission = conv.body["missions"][0]["id"].as_str().unwrap().to_string();
    let sub = env.post(
        &format!("/api/v1/conventions/{convention}/subscriptions"),
        &caf,
        json!({"service": "CDAP", "profiles": [{"profile": "T13", "max_users": 2}]}),
    );
    assert_eq!(sub.status, 201, "{sub:?}");
    let t13 = sub.body["profiles"][0]["profile_id"]
        .as_str()
        .unwrap()
        .to_string();
    env.post(
        &format!("/api/v1/conventions/{convention}/signature"),
        &caf,
        json!({"partner_signed_on": day(-10), "caf_signed_on": day(-9)}),
    );
    let r = env.post(
        &format!("/api/v1/conventions/{convention}/rgpd-completion"),
        &caf,
        json!({"completed_on": day(-1)}),
    );
    assert_eq!(r.body["access_open"], true, "{r:?}");
    let admin = env.partner_admin(&caf, &partner, "principal", "claire@ccas.example");
    let deputy = env.partner_admin(&caf, &partner, "deputy", "paul@ccas.example");
    let admin_id = env.get("/api/v1/me", &admin).id();
    let deputy_id = env.get("/api/v1/me", &deputy).id();
    World {
        env,
        cnaf,
        caf_id,
        caf,
        partner,
        convention,
        subscription: sub.id(),
        mission,
        t13,
        admin,
        admin_id,
        deputy,
        deputy_id,
    }
}

impl World {
    fn habilitate(&self, email: &str) -> Value {
        json!({"kind": "habilitate", "first_name": "Agent", "last_name": email, "function_title": "Conseillère ESF",
               "email": email, "landline": "01 64 13 55 01", "profile_id": self.t13, "mission_id": self.mission,
               "signatory": {"full_name": "Michel DURAND", "function_title": "Président du CCAS"}})
    }

    fn file(&self, token: &str, form: Value) -> mcp_integration_tests::Reply {
        self.env.post(
            &format!("/api/v1/partners/{}/requests", self.partner),
            token,
            form,
        )
    }

    fn step(&self, token: &str, id: &str, step: &str, body: Value) -> mcp_integration_tests::Reply {
        self.env
            .post(&format!("/api/v1/requests/{id}/{step}"), token, body)
    }

    /// Someone habilitated through an approved request, who activated their account: (their
    /// account, their habilitation, their token).
    fn habilitated(&self, email: &str) -> (String, String, String) {
        let id = self.sent(self.habilitate(email));
        let r = self.step(&self.caf, &id, "approval", json!({}));
        assert_eq!(r.status, 200, "{r:?}");
        let result = |k: &str| r.body["result"][k].as_str().unwrap().to_string();
        let token = self.env.activate_from_mail(&result("identifier"), email);
        (result("account_id"), result("habilitation_id"), token)
    }

    /// Files and sends a request; returns its id.
    fn sent(&self, form: Value) -> String {
        let r = self.file(&self.admin, form);
        assert_eq!(r.status, 201, "{r:?}");
        let id = r.id();
        let r = self.step(&self.admin, &id, "submission", json!({}));
        assert_eq!(r.status, 200, "{r:?}");
        id
    }

    fn used(&self) -> Value {
        let r = self.env.get(
            &format!("/api/v1/partners/{}/quota-use", self.partner),
            &self.caf,
        );
        r.body["items"][0]["used"].clone()
    }
}

/// The messages delivered to `email` that contain `marker`, waiting for one to arrive.
fn messages_to(env: &TestEnv, email: &str, marker: &str) -> Vec<String> {
    for _ in 0..200 {
        let found: Vec<String> = std::fs::read_dir(&env.mail_dir)
            .map(|d| {
                d.flatten()
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .filter(|t| t.contains(&format!("To: {email}\r\n")) && t.contains(marker))
                    .collect()
            })
            .unwrap_or_default();
        if !found.is_empty() {
            return found;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    vec![]
}

fn a_habilitation_request_through_every_state(engine: Engine) {
    let w = world(engine, "centralise");
    let env = &w.env;
    // The partner cannot grant by itself in this mode; it files a request.
    let r = env.post(
        &format!("/api/v1/partners/{}/habilitations", w.partner),
        &w.admin,
        json!({"account_id": w.deputy_id, "profile_id": w.t13, "mission_id": w.mission}),
    );
    assert_eq!((r.status, r.code()), (409, "centralised_mode"));

    let mut form = w.habilitate("julie@ccas.example");
    let r = w.file(&w.admin, form.clone());
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["form"]["email"], "julie@ccas.example");
    let id = r.id();
    // Checked when filed: a profile the partner did not subscribe to is refused at once.
    let mut wrong = form.clone();
    wrong["profile_id"] = json!(w.mission);
    let r = w.file(&w.admin, wrong);
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("unknown_profile"))
    );
    let r = w.file(&w.admin, json!({"kind": "habilitate", "first_name": "X"}));
    assert_eq!(r.status, 400, "incomplete form: {r:?}");

    form["mobile"] = json!("06 12 34 56 78");
    let r = env.put(&format!("/api/v1/requests/{id}"), &w.admin, form.clone());
    assert_eq!(r.body["form"]["mobile"], "06 12 34 56 78", "{r:?}");
    assert_eq!(
        w.step(&w.caf, &id, "approval", json!({})).code(),
        "request_status_conflict",
        "a draft is not approved"
    );
    let r = w.step(&w.admin, &id, "submission", json!({}));
    assert_eq!(r.body["status"], "submitted", "{r:?}");
    assert_eq!(r.body["escalation_due"], false);
    let r = env.put(&format!("/api/v1/requests/{id}"), &w.admin, form.clone());
    assert_eq!(
        (r.status, r.code()),
        (409, "request_status_conflict"),
        "sent: no more edits"
    );

    let r = w.step(&w.caf, &id, "return-for-changes", json!({"reason": ""}));
    assert_eq!(r.status, 422, "a reason is required");
    let r = w.step(
        &w.caf,
        &id,
        "return-for-changes",
        json!({"reason": "Préciser la fonction"}),
    );
    assert_eq!(r.body["status"], "changes_requested", "{r:?}");
    assert!(
        !messages_to(env, "claire@ccas.example", "Préciser la fonction").is_empty(),
        "the partner is told"
    );
    form["function_title"] = json!("Conseillère en économie sociale et familiale");
    let r = env.put(&format!("/api/v1/requests/{id}"), &w.admin, form);
    assert_eq!(r.status, 200, "{r:?}");
    w.step(&w.admin, &id, "submission", json!({}));

    let r = w.step(&w.admin, &id, "approval", json!({}));
    assert_eq!(r.status, 403, "the partner does not approve");
    let r = w.step(&w.caf, &id, "approval", json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["status"], "approved");
    let identifier = r.body["result"]["identifier"].as_str().unwrap().to_string();
    let habilitation = r.body["result"]["habilitation_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !r.body.to_string().contains("activation_code"),
        "the approver never holds the code"
    );
    // The person activates from what they received, and holds the profile.
    let token = env.activate_from_mail(&identifier, "julie@ccas.example");
    let mine = env.get(
        &format!(
            "/api/v1/accounts/{}/habilitations",
            env.get("/api/v1/me", &token).id()
        ),
        &token,
    );
    assert_eq!(
        mine.body["habilitations"][0]["habilitation"]["id"],
        json!(habilitation)
    );
    assert_eq!(w.used(), 1);
    let r = w.step(&w.caf, &id, "approval", json!({}));
    assert_eq!((r.status, r.code()), (409, "request_status_conflict"));
    let steps: Vec<String> = env
        .traces_of(&w.cnaf, &id)
        .iter()
        .map(|t| t["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        steps,
        [
            "request.filed",
            "request.edited",
            "operation.refused",
            "request.submitted",
            "operation.refused",
            "request.changes_requested",
            "request.edited",
            "request.submitted",
            "operation.refused",
            "request.approved",
            "operation.refused"
        ]
    );

    // Refused, with a reason; withdrawn, once.
    let refused = w.sent(w.habilitate("marc@ccas.example"));
    let r = w.step(
        &w.caf,
        &refused,
        "refusal",
        json!({"reason": "Profil non justifié"}),
    );
    assert_eq!((r.status, &r.body["status"]), (200, &json!("refused")));
    assert_eq!(r.body["reason"], "Profil non justifié");
    let draft = w.file(&w.admin, w.habilitate("lea@ccas.example")).id();
    let r = w.step(
        &w.deputy,
        &draft,
        "withdrawal",
        json!({"reason": "Doublon"}),
    );
    assert_eq!(r.body["status"], "withdrawn", "{r:?}");
    let r = w.step(
        &w.deputy,
        &draft,
        "withdrawal",
        json!({"reason": "Doublon"}),
    );
    assert_eq!((r.status, r.code()), (409, "request_status_conflict"));
    assert_eq!(w.used(), 1, "refused and withdrawn requests hold no seat");
}

fn pending_requests_reserve_their_seats_and_approvals_never_overrun(engine: Engine) {
    let w = world(engine, "centralise");
    let env = &w.env;
    let first = w.sent(w.habilitate("a@ccas.example"));
    let second = w.sent(w.habilitate("b@ccas.example"));
    // Quota 2: two requests awaiting the Caf fill it.
    let third = w.file(&w.admin, w.habilitate("c@ccas.example")).id();
    let r = w.step(&w.admin, &third, "submission", json!({}));
    assert_eq!((r.status, r.code()), (409, "quota_exceeded"), "{r:?}");

    // The Caf lowers the quota to 1 meanwhile; two approvals race: exactly one succeeds.
    let r = env.put(
        &format!("/api/v1/subscriptions/{}/quotas", w.subscription),
        &w.caf,
        json!({"profiles": [{"profile": "T13", "max_users": 1}],
               "amendment": {"summary": "Quota T13 ramené à 1", "caf_signed_on": day(0), "partner_signed_on": day(0)}}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let replies: Vec<(u16, String)> = std::thread::scope(|s| {
        let hs: Vec<_> = [&first, &second]
            .into_iter()
            .map(|id| {
                let w = &w;
                s.spawn(move || {
                    let r = w.step(&w.caf, id, "approval", json!({}));
                    (r.status, r.code().to_string())
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        replies.iter().filter(|(s, _)| *s == 200).count(),
        1,
        "{replies:?}"
    );
    assert!(replies
        .iter()
        .any(|(s, c)| *s == 409 && c == "quota_exceeded"));
    assert_eq!(w.used(), 1);
    let staff = env.get(&format!("/api/v1/partners/{}/users", w.partner), &w.caf);
    assert_eq!(
        staff.body["items"].as_array().unwrap().len(),
        3,
        "no account was left behind by the failed approval"
    );
}

fn removing_access_and_lost_credentials(engine: Engine) {
    let w = world(engine, "centralise");
    let env = &w.env;
    let id = w.sent(w.habilitate("julie@ccas.example"));
    let r = w.step(&w.caf, &id, "approval", json!({}));
    let (identifier, account, habilitation) = (
        r.body["result"]["identifier"].as_str().unwrap().to_string(),
        r.body["result"]["account_id"].as_str().unwrap().to_string(),
        r.body["result"]["habilitation_id"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let token = env.activate_from_mail(&identifier, "julie@ccas.example");
    assert_eq!(env.get("/api/v1/me", &token).status, 200);

    let r = w.file(
        &w.admin,
        json!({"kind": "remove_access", "people": [{"account_id": w.deputy_id}], "reason": "x"}),
    );
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("administrator")),
        "administrators are replaced, not removed"
    );
    let removal = w.sent(json!({"kind": "remove_access", "people": [{"account_id": account, "lost_or_stolen": true}], "reason": "Téléphone volé"}));
    assert_eq!(
        env.get("/api/v1/me", &token).status,
        401,
        "lost credentials stop working as soon as the request is sent"
    );
    let login = || {
        env.call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&json!({"identifier": identifier, "password": PASSWORD})),
        )
    };
    assert_eq!(
        login().status,
        401,
        "nor does the password: whoever holds it cannot open a new session"
    );
    assert_eq!(
        env.get(&format!("/api/v1/habilitations/{habilitation}"), &w.admin)
            .body["status"],
        "active",
        "the Caf has not decided yet"
    );
    let r = w.step(&w.caf, &removal, "approval", json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["result"]["closed_account_ids"], json!([account]));
    let h = env.get(&format!("/api/v1/habilitations/{habilitation}"), &w.admin);
    assert_eq!(h.body["status"], "devalidated", "kept, devalidated");
    assert_eq!(w.used(), 0);
    let r = env.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"identifier": identifier, "password": PASSWORD})),
    );
    assert_eq!(r.status, 401);
}

fn administrators_change_through_the_caf_in_both_modes(engine: Engine) {
    let w = world(engine, "delegue");
    let env = &w.env;
    // In mode délégué the partner habilitates itself…
    let r = w.file(&w.admin, w.habilitate("julie@ccas.example"));
    assert_eq!((r.status, r.code()), (409, "delegated_mode"));
    // …but administrators change only through the Caf.
    let form = |replaced: &str| {
        json!({"kind": "change_administrator", "rank": "deputy", "replaced_account_id": replaced,
               "first_name": "Lucie", "last_name": "Bernard", "function_title": "Directrice adjointe", "email": "lucie@ccas.example",
               "mobile": "06 71 20 33 48", "signatory": {"full_name": "Michel DURAND", "function_title": "Président du CCAS"}})
    };
    let r = w.file(&w.admin, form(&w.admin_id));
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("not_that_administrator"))
    );
    let id = w.sent(form(&w.deputy_id));
    let r = w.step(&w.caf, &id, "approval", json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["result"]["replaced_account_id"], json!(w.deputy_id));
    assert_eq!(
        env.get("/api/v1/me", &w.deputy).status,
        401,
        "the old deputy is out"
    );
    let lucie = env.activate_from_mail(
        r.body["result"]["identifier"].as_str().unwrap(),
        "lucie@ccas.example",
    );
    let me = env.get("/api/v1/me", &lucie);
    assert_eq!(
        (&me.body["role"], &me.body["administrator_rank"]),
        (&json!("partner_administrator"), &json!("deputy"))
    );
}

fn inbox_escalation_and_reach(engine: Engine) {
    let w = world(engine, "centralise");
    let env = &w.env;
    let id = w.sent(w.habilitate("julie@ccas.example"));
    let draft = w.file(&w.admin, w.habilitate("marc@ccas.example")).id();
    // Another Caf and another partner see nothing of it.
    let caf2 = env.caf(&w.cnaf, "772");
    let caf2_admin = env.caf_admin(&w.cnaf, &caf2, "b@caf2.example");
    let other = env.partner(&w.caf, SIRETS[1], "ccas");
    let other_admin = env.partner_admin(&w.caf, &other, "principal", "o@other.example");
    for token in [&caf2_admin, &other_admin] {
        assert_eq!(
            env.get(&format!("/api/v1/requests/{id}"), token).status,
            404
        );
    }
    assert_eq!(w.step(&caf2_admin, &id, "approval", json!({})).status, 404);
    assert_eq!(
        env.get(&format!("/api/v1/cafs/{}/requests", w.caf_id), &caf2_admin)
            .status,
        404
    );
    assert_eq!(
        w.file(&w.caf, w.habilitate("x@ccas.example")).status,
        403,
        "the Caf decides, the partner files"
    );
    assert_eq!(
        env.post(
            &format!("/api/v1/partners/{other}/requests"),
            &w.admin,
            w.habilitate("y@ccas.example")
        )
        .status,
        404
    );

    // The inbox: only sent requests are waiting; after ten days unanswered, flagged.
    let inbox = env.get(
        &format!("/api/v1/cafs/{}/requests?status=submitted", w.caf_id),
        &w.caf,
    );
    assert_eq!(inbox.status, 200, "{inbox:?}");
    let items = inbox.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], json!(id));
    assert_eq!(items[0]["escalation_due"], false);
    let days_ago = |n: i64| {
        (Utc::now().naive_utc() - chrono::Duration::days(n))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    // Sent eleven days ago, under the contract's ten days.
    let (eleven_days_ago, one_day_ago) = (days_ago(11), days_ago(1));
    env.db
        .write(|c| {
            Ok(diesel::RunQueryDsl::execute(
                diesel::sql_query(format!(
                    "UPDATE habilitation_requests SET submitted_at = '{eleven_days_ago}', escalation_due_at = '{one_day_ago}' WHERE id = '{id}'"
                )),
                c,
            )?)
        })
        .unwrap();
    let due = env.get(
        &format!("/api/v1/cafs/{}/requests?escalation_due=true", w.caf_id),
        &w.caf,
    );
    let items = due.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{due:?}");
    assert_eq!(
        (&items[0]["escalation_due"], &items[0]["waiting_days"]),
        (&json!(true), &json!(11))
    );
    let mine = env.get(
        &format!("/api/v1/partners/{}/requests", w.partner),
        &w.admin,
    );
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 2);
    assert!(mine.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == json!(draft)));
    let contacts = env.get(
        &format!("/api/v1/partners/{}/escalation-contacts", w.partner),
        &w.admin,
    );
    assert_eq!(
        contacts.body,
        json!({"items": [{"side": "caf", "role": "service_centre", "name": "Centre de services de la Caf", "email": "centre.services@caf77.example", "phone": null, "escalation_rank": null}], "next_cursor": null})
    );
    let r = env.get(
        &format!("/api/v1/cafs/{}/requests?status=lost", w.caf_id),
        &w.caf,
    );
    assert_eq!(r.status, 400);
    let _ = &w.convention;
}

fn every_kind_is_sent_back_refused_and_withdrawn_alike(engine: Engine) {
    let w = world(engine, "centralise");
    let env = &w.env;
    let approved = w.sent(w.habilitate("julie@ccas.example"));
    let julie = w.step(&w.caf, &approved, "approval", json!({})).body["result"]["account_id"]
        .as_str()
        .unwrap()
        .to_string();
    let forms = [
        json!({"kind": "remove_access", "people": [{"account_id": julie}], "reason": "Départ"}),
        json!({"kind": "change_administrator", "rank": "deputy", "replaced_account_id": w.deputy_id,
               "first_name": "Lucie", "last_name": "Bernard", "function_title": "Directrice adjointe", "email": "lucie@ccas.example",
               "mobile": "06 71 20 33 48", "signatory": {"full_name": "Michel DURAND", "function_title": "Président du CCAS"}}),
    ];
    for form in forms {
        let kind = form["kind"].as_str().unwrap().to_string();
        // Sent back, edited, sent again, refused.
        let id = w.sent(form.clone());
        let r = w.step(
            &w.caf,
            &id,
            "return-for-changes",
            json!({"reason": "À préciser"}),
        );
        assert_eq!(r.body["status"], "changes_requested", "{kind}: {r:?}");
        let r = env.put(&format!("/api/v1/requests/{id}"), &w.admin, form.clone());
        assert_eq!(r.status, 200, "{kind}: {r:?}");
        let r = w.step(&w.admin, &id, "submission", json!({}));
        assert_eq!(r.body["status"], "submitted", "{kind}: {r:?}");
        let r = w.step(&w.caf, &id, "refusal", json!({"reason": "Non justifié"}));
        assert_eq!(r.body["status"], "refused", "{kind}: {r:?}");
        assert_eq!(
            w.step(&w.admin, &id, "withdrawal", json!({"reason": "x"}))
                .status,
            409
        );
        // Withdrawn while awaiting the Caf: nothing happens.
        let id = w.sent(form);
        let r = w.step(
            &w.admin,
            &id,
            "withdrawal",
            json!({"reason": "Erreur de saisie"}),
        );
        assert_eq!(r.body["status"], "withdrawn", "{kind}: {r:?}");
        assert_eq!(w.step(&w.caf, &id, "approval", json!({})).status, 409);
    }
    // Nothing was carried out by refused or withdrawn requests.
    assert_eq!(env.get("/api/v1/me", &w.deputy).status, 200);
    assert_eq!(w.used(), 1);
    let kind_changed = env.put(
        &format!("/api/v1/requests/{approved}"),
        &w.admin,
        json!({"kind": "remove_access", "people": [{"account_id": julie}], "reason": "x"}),
    );
    assert_eq!(kind_changed.status, 409, "an approved request is closed");
}

/// In mode centralisé too, one person has one account: a request for someone who already has
/// one habilitates that account; once it is closed, nothing of theirs survives.
fn a_request_for_someone_with_an_account_adds_to_it(engine: Engine) {
    let w = world(engine, "centralise");
    let env = &w.env;
    let approve = |form: Value| {
        let id = w.sent(form);
        w.step(&w.caf, &id, "approval", json!({}))
    };
    let r = approve(w.habilitate("julie@ccas.example"));
    assert_eq!(r.status, 200, "{r:?}");
    let account = r.body["result"]["account_id"].as_str().unwrap().to_string();
    assert_eq!(r.body["result"]["existing_account"], false);
    let identifier = r.body["result"]["identifier"].as_str().unwrap().to_string();
    env.activate_from_mail(&identifier, "julie@ccas.example");
    let accounts_of_julie = || {
        env.get(&format!("/api/v1/partners/{}/users", w.partner), &w.admin)
            .body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| {
                a["email"]
                    .as_str()
                    .unwrap()
                    .eq_ignore_ascii_case("julie@ccas.example")
            })
            .filter(|a| a["status"] != "disabled")
            .count()
    };
    // The same profile again, her address written otherwise: she holds it — no second account.
    let mut again = w.habilitate("Julie@CCAS.example");
    again["first_name"] = json!("Julie");
    again["last_name"] = json!("Martin");
    let r = approve(again.clone());
    assert_eq!((r.status, r.code()), (409, "already_habilitated"), "{r:?}");
    assert_eq!(accounts_of_julie(), 1);
    // Another profile, opened by amendment: her account is habilitated for it.
    let r = env.put(
        &format!("/api/v1/subscriptions/{}/quotas", w.subscription),
        &w.caf,
        json!({"profiles": [{"profile": "T13", "max_users": 2}, {"profile": "T1", "max_users": 1}],
               "amendment": {"summary": "Ouverture du profil T1", "caf_signed_on": day(0), "partner_signed_on": day(0)}}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let t1 = r.body["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["profile"] == "T1")
        .unwrap()["profile_id"]
        .clone();
    again["profile_id"] = t1;
    let r = approve(again);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["result"]["account_id"], json!(account));
    assert_eq!(r.body["result"]["existing_account"], true);
    assert_eq!(accounts_of_julie(), 1);

    // Her removal closes the one account: nothing of hers survives.
    let r = approve(
        json!({"kind": "remove_access", "people": [{"account_id": account}], "reason": "Départ"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(accounts_of_julie(), 0);
    // A new request for her after that gives her a new account.
    let r = approve(w.habilitate("julie@ccas.example"));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["result"]["existing_account"], false);
}

/// Naming as administrator someone who already works for the partner makes their account the
/// administrator's: one person, one account — no second account, no second code.
fn an_agent_named_administrator_keeps_their_account(engine: Engine) {
    let w = world(engine, "delegue");
    let env = &w.env;
    let r = env.post(
        &format!("/api/v1/partners/{}/users", w.partner),
        &w.admin,
        json!({"full_name": "Lucie Bernard", "function_title": "Conseillère", "email": "lucie@ccas.example", "phone": "01 64 13 55 09"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let lucie_id = r.id();
    let lucie =
        env.activate_from_mail(r.body["identifier"].as_str().unwrap(), "lucie@ccas.example");
    let id = w.sent(json!({"kind": "change_administrator", "rank": "deputy", "replaced_account_id": w.deputy_id,
        "first_name": "Lucie", "last_name": "Bernard", "function_title": "Directrice adjointe", "email": "Lucie@CCAS.example",
        "landline": "01 64 13 55 09", "signatory": {"full_name": "Michel DURAND", "function_title": "Président du CCAS"}}));
    let r = w.step(&w.caf, &id, "approval", json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["result"]["account_id"], json!(lucie_id), "{r:?}");
    // Her own session, her own password: she is the deputy now.
    let me = env.get("/api/v1/me", &lucie);
    assert_eq!(
        (
            &me.body["id"],
            &me.body["role"],
            &me.body["administrator_rank"]
        ),
        (
            &json!(lucie_id),
            &json!("partner_administrator"),
            &json!("deputy")
        ),
        "{me:?}"
    );
    let staff = env.get(&format!("/api/v1/partners/{}/users", w.partner), &w.admin);
    let lucies = staff.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| {
            a["email"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("lucie@ccas.example")
        })
        .count();
    assert_eq!(lucies, 1, "{staff:?}");
    // Naming her again, as principal, is a conflict: she is an administrator already.
    let r = env.post(
        &format!("/api/v1/partners/{}/administrators", w.partner),
        &w.caf,
        json!({"rank": "principal", "full_name": "Lucie Bernard", "function_title": "Directrice", "email": "lucie@ccas.example"}),
    );
    assert_eq!(r.status, 409, "{r:?}");
}

fn the_forms_name_a_person_as_annex_3_does(engine: Engine) {
    // The individual request form: "Prénom" and "NOM" apart, a landline or a mobile (at least
    // one), who signs for the partner; its heading gives the convention's number. The account
    // it creates names the person "Prénom NOM" and keeps the number given.
    let w = world(engine, "centralise");
    let env = &w.env;
    let mut form = w.habilitate("julie@ccas.example");
    form["first_name"] = json!("Julie");
    form["last_name"] = json!("Martin");
    form["landline"] = json!(null);
    let r = w.file(&w.admin, form.clone());
    assert_eq!(
        (
            r.status,
            r.body["errors"][0]["field"].as_str(),
            r.body["errors"][0]["code"].as_str()
        ),
        (422, Some("landline"), Some("phone_required")),
        "{r:?}"
    );
    let mut unsigned = form.clone();
    unsigned.as_object_mut().unwrap().remove("signatory");
    assert_eq!(
        w.file(&w.admin, unsigned).status,
        400,
        "the form is signed for the partner"
    );
    let mut blank_signatory = form.clone();
    blank_signatory["mobile"] = json!("06 12 34 56 78");
    blank_signatory["signatory"]["function_title"] = json!(" ");
    let r = w.file(&w.admin, blank_signatory);
    assert_eq!(
        (r.status, r.body["errors"][0]["field"].as_str()),
        (422, Some("signatory.function_title")),
        "{r:?}"
    );
    let listed = env.get(
        &format!("/api/v1/partners/{}/requests", w.partner),
        &w.admin,
    );
    assert_eq!(
        listed.body["items"],
        json!([]),
        "the refusals filed nothing"
    );

    form["mobile"] = json!("06 12 34 56 78");
    // The service fills the number in from the mission, whatever is sent.
    form["convention_number"] = json!("999");
    let r = w.file(&w.admin, form);
    assert_eq!(r.status, 201, "{r:?}");
    let id = r.id();
    let filed = &r.body["form"];
    assert_eq!(
        (
            &filed["first_name"],
            &filed["last_name"],
            &filed["landline"],
            &filed["mobile"],
            &filed["convention_number"]
        ),
        (
            &json!("Julie"),
            &json!("Martin"),
            &Value::Null,
            &json!("06 12 34 56 78"),
            &json!("771-2026-0007")
        ),
        "{r:?}"
    );
    assert_eq!(filed["signatory"]["function_title"], "Président du CCAS");
    let r = w.step(&w.admin, &id, "submission", json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    let inbox = env.get(&format!("/api/v1/requests/{id}"), &w.caf);
    assert_eq!(inbox.body["form"]["convention_number"], "771-2026-0007");
    let r = w.step(&w.caf, &id, "approval", json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    let julie = r.body["result"]["account_id"].as_str().unwrap().to_string();
    let users = env.get(
        &format!("/api/v1/partners/{}/users?limit=200", w.partner),
        &w.caf,
    );
    let account = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == julie.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (account["full_name"].as_str(), account["phone"].as_str()),
        (Some("Julie MARTIN"), Some("06 12 34 56 78"))
    );

    // The administrator-change form alike.
    let r = w.file(
        &w.admin,
        json!({"kind": "change_administrator", "rank": "deputy", "replaced_account_id": w.deputy_id,
               "first_name": "Lucie", "last_name": "", "function_title": "Directrice adjointe",
               "email": "lucie@ccas.example",
               "signatory": {"full_name": "Michel DURAND", "function_title": "Président du CCAS"}}),
    );
    let errs = r.field_errors();
    assert_eq!(
        (r.status, errs),
        (
            422,
            vec![("last_name", "required"), ("landline", "phone_required")]
        ),
        "{r:?}"
    );
}

fn a_removal_takes_effect_on_its_date_with_a_box_per_person(engine: Engine) {
    // The removal form: one "perte ou vol" box per person, and "à compter du" the first day
    // without access. Approved ahead of that day, the accounts close that day; until then the
    // people keep their access (but lost credentials stop at once).
    let w = world(engine, "centralise");
    let env = &w.env;
    let (julie, _, julie_token) = w.habilitated("julie@ccas.example");
    let (marc, _, marc_token) = w.habilitated("marc@ccas.example");
    let far = json!({"kind": "remove_access", "people": [{"account_id": marc}],
                     "effective_on": day(400), "reason": "Départ"});
    let r = w.file(&w.admin, far);
    assert_eq!(
        (
            r.status,
            r.body["errors"][0]["field"].as_str(),
            r.body["errors"][0]["code"].as_str()
        ),
        (422, Some("effective_on"), Some("too_far_ahead")),
        "{r:?}"
    );
    let removal = w.sent(json!({"kind": "remove_access", "effective_on": day(1),
        "people": [{"account_id": julie, "lost_or_stolen": true}, {"account_id": marc}],
        "reason": "Fin de mission le 2 au soir"}));
    assert_eq!(
        env.get("/api/v1/me", &julie_token).status,
        401,
        "her box was ticked"
    );
    assert_eq!(
        env.get("/api/v1/me", &marc_token).status,
        200,
        "his was not"
    );
    let r = w.step(&w.caf, &removal, "approval", json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["result"]["closes_on"], day(1));
    assert_eq!(
        r.body["result"]["closing_account_ids"],
        json!([julie, marc])
    );
    assert_eq!(r.body["result"]["closed_account_ids"], json!([]));
    assert_eq!(
        env.get("/api/v1/me", &marc_token).status,
        200,
        "until the day"
    );
    let status = |account: &str| {
        env.get(
            &format!("/api/v1/partners/{}/users?limit=200", w.partner),
            &w.caf,
        )
        .body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == account)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status(&marc), "active");
    // The day comes: the job closes both accounts, once.
    let now = Utc::now().naive_utc();
    let close_due = |at| mcp_persistence::use_cases::staff::close_due(&env.db, at).unwrap();
    assert_eq!(close_due(now), 0);
    assert_eq!(close_due(now + chrono::Duration::days(1)), 2);
    assert_eq!(close_due(now + chrono::Duration::days(2)), 0);
    assert_eq!(
        (status(&julie), status(&marc)),
        (json!("disabled"), json!("disabled"))
    );
    assert_eq!(env.get("/api/v1/me", &marc_token).status, 401);
    assert_eq!(
        w.used(),
        0,
        "their habilitations were devalidated, seats freed"
    );
    let traces = env.traces_of(&w.cnaf, &marc);
    let scheduled = traces
        .iter()
        .find(|t| t["action"] == "account.closure_scheduled")
        .unwrap_or_else(|| panic!("{traces:?}"));
    assert_eq!(scheduled["detail"]["closes_on"], day(1));
    let closed = traces
        .iter()
        .find(|t| t["action"] == "account.closed")
        .unwrap();
    assert!(
        closed["actor_account_id"].is_null(),
        "carried out by the service"
    );
    assert_eq!(closed["detail"]["reason"], "Fin de mission le 2 au soir");
}

fn a_change_of_rights_gives_a_profile_and_takes_one_away(engine: Engine) {
    // Mode centralisé: the partner asks the Caf to change what an existing user may do (a
    // change of function): a profile given, one taken away, or both.
    let w = world(engine, "centralise");
    let env = &w.env;
    let r = env.put(
        &format!("/api/v1/subscriptions/{}/quotas", w.subscription),
        &w.caf,
        json!({"profiles": [{"profile": "T13", "max_users": 2}, {"profile": "T1", "max_users": 1}],
               "amendment": {"summary": "Ouverture du profil T1", "caf_signed_on": day(0), "partner_signed_on": day(0)}}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let t1 = r.body["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["profile"] == "T1")
        .unwrap()["profile_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (julie, julie_t13, julie_token) = w.habilitated("julie@ccas.example");
    let change = |add: Value, remove: Value| {
        json!({"kind": "change_rights", "account_id": julie, "add": add, "remove_profile_id": remove,
               "reason": "Devient assistante sociale", "signatory": {"full_name": "Michel DURAND", "function_title": "Président du CCAS"}})
    };
    let refused = |form: Value| {
        let r = w.file(&w.admin, form);
        assert_eq!(r.status, 422, "{r:?}");
        r.field_errors()
            .into_iter()
            .map(|(f, c)| (f.to_string(), c.to_string()))
            .collect::<Vec<_>>()
    };
    let give = |profile: &str| json!({"profile_id": profile, "mission_id": w.mission});
    let pair = |f: &str, c: &str| vec![(f.to_string(), c.to_string())];
    assert_eq!(
        refused(change(Value::Null, Value::Null)),
        pair("add", "required")
    );
    assert_eq!(
        refused(change(Value::Null, json!(t1))),
        pair("remove_profile_id", "not_held")
    );
    assert_eq!(
        refused(change(give(&w.t13), Value::Null)),
        pair("add.profile_id", "already_held")
    );
    assert_eq!(
        refused(change(give(&w.t13), json!(w.t13))),
        pair("remove_profile_id", "same_profile")
    );
    let r = w.file(
        &w.admin,
        json!({"kind": "change_rights", "account_id": w.deputy_id, "add": give(&t1),
               "reason": "x", "signatory": {"full_name": "Michel DURAND", "function_title": "Président"}}),
    );
    assert_eq!(r.field_errors(), [("account_id", "administrator")], "{r:?}");

    // T1 given, T13 taken away, in one approval.
    let id = w.sent(change(give(&t1), json!(w.t13)));
    let r = env.get(&format!("/api/v1/requests/{id}"), &w.admin);
    assert_eq!(
        r.body["form"]["convention_number"], "771-2026-0007",
        "{r:?}"
    );
    let r = w.step(&w.caf, &id, "approval", json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.body["result"]["devalidated_habilitation_ids"],
        json!([julie_t13])
    );
    let given = r.body["result"]["habilitation_id"]
        .as_str()
        .unwrap()
        .to_string();
    let h = env.get(&format!("/api/v1/habilitations/{given}"), &w.admin);
    assert_eq!(
        (
            h.body["status"].as_str(),
            h.body["profile_id"].as_str(),
            h.body["holder"]["id"].as_str()
        ),
        (Some("active"), Some(t1.as_str()), Some(julie.as_str())),
        "{h:?}"
    );
    let h = env.get(&format!("/api/v1/habilitations/{julie_t13}"), &w.admin);
    assert_eq!(h.body["status"], "devalidated");
    let used = env.get(&format!("/api/v1/partners/{}/quota-use", w.partner), &w.caf);
    let used_of = |code: &str| {
        used.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["profile_code"] == code)
            .map(|q| q["used"].clone())
    };
    assert_eq!(
        (used_of("T13"), used_of("T1")),
        (Some(json!(0)), Some(json!(1))),
        "{used:?}"
    );
    assert_eq!(
        env.get("/api/v1/me", &julie_token).status,
        200,
        "her account stays"
    );
    let traces = env.traces_of(&w.cnaf, &julie_t13);
    assert!(
        traces
            .iter()
            .any(|t| t["action"] == "habilitation.devalidated"),
        "{traces:?}"
    );
    // T1's one seat is hers now: a second person cannot be given it.
    let (marc, _, _) = w.habilitated("marc@ccas.example");
    let r = w.file(
        &w.admin,
        json!({"kind": "change_rights", "account_id": marc, "add": give(&t1),
               "reason": "Renfort", "signatory": {"full_name": "Michel DURAND", "function_title": "Président"}}),
    );
    assert_eq!(r.status, 201, "a draft reserves nothing: {r:?}");
    let r = w.step(&w.admin, &r.id(), "submission", json!({}));
    assert_eq!((r.status, r.code()), (409, "quota_exceeded"), "{r:?}");
}

fn one_services_access_is_removed_and_the_account_stays(engine: Engine) {
    // "Suppression de l'accès au service": the person's habilitations of that service end (on
    // the removal's eve when its day is still to come), their account stays for the others.
    let w = world(engine, "centralise");
    let env = &w.env;
    let (julie, julie_cdap, julie_token) = w.habilitated("julie@ccas.example");
    let removal = |service: &str, effective_on: Value| {
        json!({"kind": "remove_access", "people": [{"account_id": julie}], "service": service,
               "effective_on": effective_on, "reason": "Change de service au 1er"})
    };
    let r = w.file(&w.admin, removal("AFAS", Value::Null));
    assert_eq!(
        (
            r.status,
            r.body["errors"][0]["field"].as_str(),
            r.body["errors"][0]["code"].as_str()
        ),
        (422, Some("service"), Some("unknown_service")),
        "{r:?}"
    );
    let id = w.sent(removal("CDAP", json!(day(1))));
    let r = w.step(&w.caf, &id, "approval", json!({}));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        (
            &r.body["result"]["habilitations_ending"],
            &r.body["result"]["habilitations_ended"],
            &r.body["result"]["last_day"]
        ),
        (&json!(1), &json!(0), &json!(day(0))),
        "{r:?}"
    );
    let h = env.get(&format!("/api/v1/habilitations/{julie_cdap}"), &w.admin);
    assert_eq!(
        (h.body["status"].as_str(), h.body["ends_on"].as_str()),
        (Some("active"), Some(day(0).as_str()))
    );
    // The day comes: the expiry job ends it; her account stays.
    let now = Utc::now().naive_utc();
    let expired = mcp_persistence::use_cases::habilitations::expire_due(
        &env.db,
        now + chrono::Duration::days(1),
    )
    .unwrap();
    assert_eq!(expired, 1);
    let h = env.get(&format!("/api/v1/habilitations/{julie_cdap}"), &w.admin);
    assert_eq!(h.body["status"], "devalidated");
    assert_eq!(
        env.get("/api/v1/me", &julie_token).status,
        200,
        "her account stays"
    );
    assert_eq!(w.used(), 0);
    let traces = env.traces_of(&w.cnaf, &julie_cdap);
    assert!(
        traces.iter().any(|t| t["action"] == "habilitation.end_set"),
        "{traces:?}"
    );
    // Nothing left to remove there.
    let r = w.file(&w.admin, removal("CDAP", Value::Null));
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("no_access_to_service")),
        "{r:?}"
    );
    // At once when no day is given.
    let (marc, marc_cdap, marc_token) = w.habilitated("marc@ccas.example");
    let id = w.sent(json!({"kind": "remove_access", "people": [{"account_id": marc}], "service": "CDAP", "reason": "Mutation"}));
    let r = w.step(&w.caf, &id, "approval", json!({}));
    assert_eq!(r.body["result"]["habilitations_ended"], 1, "{r:?}");
    let h = env.get(&format!("/api/v1/habilitations/{marc_cdap}"), &w.admin);
    assert_eq!(h.body["status"], "devalidated");
    assert_eq!(env.get("/api/v1/me", &marc_token).status, 200);
}

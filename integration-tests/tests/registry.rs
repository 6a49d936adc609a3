//! The registry end to end: Cafs, administrators, partners, conventions and their life,
//! contracts, subscriptions, amendments, and the traces of it all.

use chrono::{Months, Utc};
use mcp_integration_tests::{on_both_engines, siret, Engine, TestEnv, SIRETS};
use serde_json::json;

on_both_engines!(
    a_bulletin_line_left_blank_opens_nothing,
    convention_life_from_draft_to_termination,
    amendments_keep_every_previous_version,
    catalogue_lists_cdap_and_its_profiles,
    subscriptions_follow_the_catalogue_and_the_category,
    each_social_security_body_gets_the_profiles_the_bulletin_names_for_it,
    t2_opens_only_for_the_services_the_caf_subsidises,
    the_cnaf_edits_the_catalogue,
    breach_termination_and_withdrawal,
    activation_and_login,
    duplicate_siret_under_concurrent_requests,
    partner_staff_activate_under_their_contract_and_commitment,
    a_cursor_the_service_did_not_give_is_refused,
    wrong_codes_tell_nothing_of_which_identifiers_exist,
    an_amendment_changes_only_the_terms_it_names,
    convention_numbers_as_printed_each_caf_its_own,
    annex_one_as_the_contracts_write_it,
    a_convention_signed_on_29_february_runs_whole_years,
    the_readme_first_steps_work_as_written,
);

fn day(offset_days: i64) -> String {
    (Utc::now().date_naive() + chrono::Duration::days(offset_days)).to_string()
}

fn a_convention_signed_on_29_february_runs_whole_years(engine: Engine) {
    // A year from 29 February ends on 28 February (no 29th: the last day of the month, as
    // art. 641 of the code de procédure civile counts a term in years); the next term starts on
    // 1 March, and on 29 February again in a leap year.
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "anne@caf76.example");
    let partner = env.partner(&admin, SIRETS[0], "ccas");
    let r = env.post(
        &format!("/api/v1/partners/{partner}/conventions"),
        &admin,
        json!({"number": "761-2024-0229", "missions": ["Instruction des dossiers FSL"]}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let conv = r.id();
    let signed = env.post(
        &format!("/api/v1/conventions/{conv}/signature"),
        &admin,
        json!({"partner_signed_on": "2024-02-20", "caf_signed_on": "2024-02-29"}),
    );
    assert_eq!(signed.status, 200, "{signed:?}");
    assert_eq!(signed.body["effective_since"], "2024-02-29");
    // The terms, as the calendar has them.
    let terms = [
        (1, "2024-02-29", "2025-02-28"),
        (2, "2025-03-01", "2026-02-28"),
        (3, "2026-03-01", "2027-02-28"),
        (4, "2027-03-01", "2028-02-28"),
        (5, "2028-02-29", "2029-02-28"),
        (6, "2029-03-01", "2030-02-28"),
    ];
    let today = day(0);
    let (n, starts, ends) = terms
        .iter()
        .find(|(_, s, e)| *s <= today.as_str() && today.as_str() <= *e)
        .expect("this test knows the terms until 2030");
    assert_eq!(
        signed.body["current_term"],
        json!({"number": n, "starts_on": starts, "ends_on": ends}),
        "{signed:?}"
    );
}

fn convention_life_from_draft_to_termination(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "anne@caf76.example");
    let partner = env.partner(&admin, SIRETS[0], "ccas");

    let r = env.post(
        &format!("/api/v1/partners/{partner}/conventions"),
        &admin,
        json!({
            "number": "761-2026-0042",
            "missions": ["Instruction des dossiers FSL", "Accompagnement social"],
            "contract": {"contacts": [{"side": "partner", "role": "principal_administrator", "name": "Claire Dupont", "email": "claire@ccas.example"}]}
        }),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let conv = r.id();
    assert_eq!(r.body["status"], "draft");
    assert_eq!(r.body["access_open"], false);
    assert_eq!(
        r.body["caf_signatory"], "Le Directeur",
        "defaults to the Caf's director"
    );
    assert_eq!(
        r.body["partner_signatory"], "Michel Bisson",
        "defaults to the representative"
    );
    assert_eq!(r.body["missions"].as_array().unwrap().len(), 2);

    let contract = env.get(&format!("/api/v1/conventions/{conv}/contract"), &admin);
    assert_eq!(
        contract.body["management_mode"], "delegue",
        "délégué by default"
    );
    assert_eq!(
        contract.body["password_policy"],
        json!({"kind": "characters", "min_length": 12, "min_classes": 4, "max_age_days": null})
    );

    let sub = env.post(
        &format!("/api/v1/conventions/{conv}/subscriptions"),
        &admin,
        json!({"service": "CDAP", "profiles": [{"profile": "T13", "max_users": 4}]}),
    );
    assert_eq!(sub.status, 201, "{sub:?}");
    assert_eq!(sub.body["access_open"], false);
    assert_eq!(sub.body["profiles"][0]["profile"], "T13");
    assert_eq!(sub.body["profiles"][0]["max_users"], 4);

    // Signed by both: takes effect at the later signature, but no access before RGPD.
    let signed = env.post(
        &format!("/api/v1/conventions/{conv}/signature"),
        &admin,
        json!({"partner_signed_on": day(-10), "caf_signed_on": day(-8)}),
    );
    assert_eq!(signed.status, 200, "{signed:?}");
    assert_eq!(signed.body["status"], "signed");
    assert_eq!(signed.body["effective_since"], day(-8));
    assert_eq!(signed.body["access_open"], false);
    assert_eq!(signed.body["current_term"]["number"], 1);
    let again = env.post(
        &format!("/api/v1/conventions/{conv}/signature"),
        &admin,
        json!({"partner_signed_on": day(-1), "caf_signed_on": day(-1)}),
    );
    assert_eq!(
        (again.status, again.code()),
        (409, "convention_already_signed")
    );

    let active = env.post(
        &format!("/api/v1/conventions/{conv}/rgpd-completion"),
        &admin,
        json!({"completed_on": day(-1)}),
    );
    assert_eq!(active.status, 200, "{active:?}");
    assert_eq!(active.body["status"], "active");
    assert_eq!(active.body["access_open"], true);
    let sub_id = sub.id();
    assert_eq!(
        env.get(&format!("/api/v1/subscriptions/{sub_id}"), &admin)
            .body["access_open"],
        true
    );

    // Unilateral termination: never less than three months after receipt.
    let received = Utc::now().date_naive() - chrono::Duration::days(2);
    let t = env.post(
        &format!("/api/v1/conventions/{conv}/termination"),
        &admin,
        json!({"kind": "unilateral", "initiated_by": "partner", "received_on": received.to_string(), "requested_on": day(5), "reason": "Fin du dispositif"}),
    );
    assert_eq!(t.status, 200, "{t:?}");
    assert_eq!(t.body["status"], "termination_notified");
    assert_eq!(
        t.body["access_open"], true,
        "access stays open during the notice"
    );
    let expected = received
        .checked_add_months(Months::new(3))
        .unwrap()
        .to_string();
    assert_eq!(t.body["termination"]["effective_on"], expected);

    // Every step is traced, with the request's id.
    let traces = env.traces_of(&cnaf, &conv);
    let actions: Vec<&str> = traces
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "convention.created",
            "convention.signed",
            "operation.refused",
            "convention.rgpd_completed",
            "convention.termination_notified"
        ]
    );
    assert!(traces.iter().all(|t| t["actor_role"] == "caf_administrator"
        && t["organisation_kind"] == "caf"
        && t["caf_id"] == caf.as_str()));
    assert!(traces
        .iter()
        .all(|t| t["request_id"].as_str().is_some_and(|r| !r.is_empty())));
}

fn amendments_keep_every_previous_version(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "770");
    let admin = env.caf_admin(&cnaf, &caf, "admin@caf77.example");
    let partner = env.partner(&admin, SIRETS[0], "ccas");
    let conv = env
        .post(
            &format!("/api/v1/partners/{partner}/conventions"),
            &admin,
            json!({"number": "770-1", "missions": ["FSL"]}),
        )
        .id();
    let sub = env
        .post(
            &format!("/api/v1/conventions/{conv}/subscriptions"),
            &admin,
            json!({"service": "CDAP", "profiles": [{"profile": "T13", "max_users": 4}]}),
        )
        .id();

    // A draft changes freely, and refuses an amendment.
    let r = env.put(
        &format!("/api/v1/subscriptions/{sub}/quotas"),
        &admin,
        json!({"profiles": [{"profile": "T13", "max_users": 5}]}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let amendment = json!({"summary": "Quota T13 porté à 6", "caf_signed_on": day(0), "partner_signed_on": day(0)});
    let r = env.put(
        &format!("/api/v1/subscriptions/{sub}/quotas"),
        &admin,
        json!({"profiles": [{"profile": "T13", "max_users": 6}], "amendment": amendment}),
    );
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("amendment_on_draft"))
    );
    assert!(env
        .get(&format!("/api/v1/conventions/{conv}/amendments"), &admin)
        .body["items"]
        .as_array()
        .unwrap()
        .is_empty());

    env.post(
        &format!("/api/v1/conventions/{conv}/signature"),
        &admin,
        json!({"partner_signed_on": day(-3), "caf_signed_on": day(-3)}),
    );

    // Signed: a change without an amendment is refused and changes nothing.
    let r = env.put(
        &format!("/api/v1/subscriptions/{sub}/quotas"),
        &admin,
        json!({"profiles": [{"profile": "T13", "max_users": 6}]}),
    );
    assert_eq!((r.status, r.code()), (422, "amendment_required"));
    assert_eq!(
        env.get(&format!("/api/v1/subscriptions/{sub}"), &admin)
            .body["profiles"][0]["max_users"],
        5
    );

    let r = env.put(
        &format!("/api/v1/subscriptions/{sub}/quotas"),
        &admin,
        json!({"profiles": [{"profile": "T13", "max_users": 6}, {"profile": "T1", "max_users": 2}], "amendment": amendment}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let r = env.put(
        &format!("/api/v1/conventions/{conv}/contract"),
        &admin,
        json!({"management_mode": "centralise", "amendment": {"summary": "Passage en gestion centralisée", "caf_signed_on": day(0), "partner_signed_on": day(0)}}),
    );
    assert_eq!(
        (r.status, &r.body["management_mode"]),
        (200, &json!("centralise")),
        "{r:?}"
    );
    let r = env.patch(
        &format!("/api/v1/conventions/{conv}"),
        &admin,
        json!({"missions": ["FSL", "Accompagnement"], "amendment": {"summary": "Nouvelle mission", "caf_signed_on": day(0), "partner_signed_on": day(0)}}),
    );
    assert_eq!((r.status, &r.body["version"]), (200, &json!(3)), "{r:?}");

    let list = env
        .get(&format!("/api/v1/conventions/{conv}/amendments"), &admin)
        .body;
    let list = list["items"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(
        list.iter()
            .map(|a| a["number"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(
        list.iter()
            .map(|a| a["subject"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["subscription", "contract", "missions"]
    );
    assert_eq!(
        list[0]["previous_version"]["subscriptions"][0]["profiles"],
        json!([{"profile": "T13", "max_users": 5}])
    );
    assert_eq!(
        list[0]["new_version"]["subscriptions"][0]["profiles"],
        json!([{"profile": "T1", "max_users": 2}, {"profile": "T13", "max_users": 6}])
    );
    assert_eq!(
        list[1]["previous_version"]["contract"]["management_mode"],
        "delegue"
    );
    assert_eq!(
        list[1]["new_version"]["contract"]["management_mode"],
        "centralise"
    );
    assert_eq!(list[2]["previous_version"]["missions"], json!(["FSL"]));
    assert_eq!(
        list[2]["new_version"]["missions"],
        json!(["FSL", "Accompagnement"])
    );
    // Missions kept keep their id.
    let missions = env.get(&format!("/api/v1/conventions/{conv}"), &admin).body["missions"].clone();
    assert_eq!(missions[0]["label"], "FSL");

    // A terminated convention is closed to change.
    env.post(
        &format!("/api/v1/conventions/{conv}/termination"),
        &admin,
        json!({"kind": "breach", "initiated_by": "caf", "received_on": day(-2), "reason": "x"}),
    );
    let sub_after = env.get(&format!("/api/v1/subscriptions/{sub}"), &admin);
    assert_eq!(sub_after.body["convention_status"], "termination_notified");
}

fn catalogue_lists_cdap_and_its_profiles(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let r = env.get("/api/v1/services", &cnaf);
    assert_eq!(r.status, 200);
    let cdap = &r.body["items"][0];
    assert_eq!(cdap["code"], "CDAP");
    let codes: Vec<&str> = cdap["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "T1", "T2", "T4", "T5", "T6", "T8", "T9", "T10", "T11", "T12", "T13", "T14", "T15",
            "T16", "T18", "T19", "T20", "T21", "T22"
        ]
    );
    let t10 = cdap["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "T10")
        .unwrap();
    assert_eq!(t10["eligible_categories"], json!(["bailleur_social"]));
    assert!(t10["restriction"].as_str().unwrap().contains("locataires"));
    let id = cdap["id"].as_str().unwrap();
    assert_eq!(
        env.get(&format!("/api/v1/services/{id}"), &cnaf).body["code"],
        "CDAP"
    );
    assert_eq!(
        env.get(&format!("/api/v1/services/{}", uuid::Uuid::new_v4()), &cnaf)
            .status,
        404
    );
    // What each profile sees of a file, as the catalogue holds it: a partner chooses the
    // profile its agents need without reading the migrations.
    let service = env.get(&format!("/api/v1/services/{id}"), &cnaf).body;
    let profile = |code: &str| {
        service["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["code"] == code)
            .unwrap()["view"]
            .clone()
    };
    assert_eq!(
        profile("T13"),
        json!({
            "sections": ["identity", "address", "household", "resources", "quotient_familial", "rights"],
            "months": 12,
            "benefits": [],
            "restriction": null,
            "identity_search": false
        })
    );
    let t10 = profile("T10");
    assert_eq!(
        (&t10["restriction"], &t10["benefits"], &t10["months"]),
        (&json!("own_tenants"), &json!(["AL"]), &json!(24))
    );
    assert_eq!(profile("T14")["identity_search"], true);
    assert_eq!(
        r.body["items"][0]["profiles"][0]["view"],
        profile("T1"),
        "the list shows them too"
    );
}

fn each_social_security_body_gets_the_profiles_the_bulletin_names_for_it(engine: Engine) {
    // The bulletin opens T6 to the CPAM and CGSS, T8 to the special schemes (Urssaf, CMSA,
    // Enim…), T14 to the CDC and Enim, T21 to Pajemploi, T1 to the Carsat and MSA, T13 to the
    // bodies managing a FSL (GIP): a CPAM cannot be given T21, nor Pajemploi T6.
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "251");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf25.example");
    let opened = |siret: &str, category: &str, number: &str| -> Vec<(String, String)> {
        let partner = env.partner(&admin, siret, category);
        let conv = env
            .post(
                &format!("/api/v1/partners/{partner}/conventions"),
                &admin,
                json!({"number": number, "missions": ["Accès aux droits"]}),
            )
            .id();
        let all = ["T1", "T6", "T8", "T13", "T14", "T21"];
        let profiles: Vec<_> = all
            .iter()
            .map(|p| json!({"profile": p, "max_users": 1}))
            .collect();
        let r = env.post(
            &format!("/api/v1/conventions/{conv}/subscriptions"),
            &admin,
            json!({"service": "CDAP", "profiles": profiles}),
        );
        assert_eq!(r.status, 422, "{category} {r:?}");
        let refused: Vec<String> = r
            .field_errors()
            .into_iter()
            .map(|(f, _)| f.to_string())
            .collect();
        all.iter()
            .enumerate()
            .filter(|(i, _)| !refused.contains(&format!("profiles[{i}].profile")))
            .map(|(_, p)| (category.to_string(), p.to_string()))
            .collect()
    };
    let pairs = |c: &str, ps: &[&str]| -> Vec<(String, String)> {
        ps.iter().map(|p| (c.to_string(), p.to_string())).collect()
    };
    assert_eq!(opened(&siret(0), "cpam", "C-1"), pairs("cpam", &["T6"]));
    assert_eq!(
        opened(&siret(1), "pajemploi", "C-2"),
        pairs("pajemploi", &["T21"])
    );
    assert_eq!(
        opened(&siret(2), "enim", "C-3"),
        pairs("enim", &["T8", "T14"])
    );
    assert_eq!(opened(&siret(3), "msa", "C-4"), pairs("msa", &["T1", "T8"]));
    assert_eq!(
        opened(&siret(4), "gestionnaire_fsl", "C-5"),
        pairs("gestionnaire_fsl", &["T13"])
    );
    assert_eq!(
        opened(&siret(5), "organisme_securite_sociale", "C-6"),
        Vec::<(String, String)>::new(),
        "the catch-all kind opens nothing the bulletin does not name"
    );
}

fn the_cnaf_edits_the_catalogue(engine: Engine) {
    // DOMAIN §3: the catalogue is data the Cnaf edits. Bavans' bulletin opens T19 to a commune,
    // which the seeded catalogue does not list.
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "253");
    let admin = env.caf_admin(&cnaf, &caf, "c@caf25.example");
    let partner = env.partner(&admin, SIRETS[0], "commune");
    let conv = env
        .post(
            &format!("/api/v1/partners/{partner}/conventions"),
            &admin,
            json!({"number": "GC 131", "missions": ["Contrôle du RSA"]}),
        )
        .id();
    let bulletin = json!({"service": "CDAP", "profiles": [{"profile": "T19", "max_users": 1}]});
    let subscriptions = format!("/api/v1/conventions/{conv}/subscriptions");
    let r = env.post(&subscriptions, &admin, bulletin.clone());
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(
        r.field_errors(),
        [("profiles[0].profile", "profile_not_eligible")]
    );

    let services = env.get("/api/v1/services", &admin);
    let cdap = services.body["items"][0].clone();
    let service = cdap["id"].as_str().unwrap().to_string();
    let t19 = cdap["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "T19")
        .unwrap()
        .clone();
    let profile = format!(
        "/api/v1/services/{service}/profiles/{}",
        t19["id"].as_str().unwrap()
    );
    assert_eq!(env.get(&profile, &admin).body, t19);
    // What GET gives is what PUT takes, once the id is left out.
    let mut entry = t19.clone();
    entry.as_object_mut().unwrap().remove("id");
    entry["eligible_categories"]
        .as_array_mut()
        .unwrap()
        .push(json!("commune"));

    // Only the Cnaf writes the catalogue.
    let r = env.put(&profile, &admin, entry.clone());
    assert_eq!(r.status, 403, "{r:?}");
    // A faulty entry changes nothing.
    let mut bad = entry.clone();
    bad["code"] = json!("T23");
    bad["view"]["sections"] = json!(["identity", "salary"]);
    bad["view"]["months"] = json!(0);
    let r = env.put(&profile, &cnaf, bad);
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(
        r.field_errors(),
        [
            ("view.sections[1]", "unknown_section"),
            ("view.months", "out_of_range")
        ]
    );
    let mut renamed = entry.clone();
    renamed["code"] = json!("T23");
    let r = env.put(&profile, &cnaf, renamed);
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(r.field_errors(), [("code", "immutable")]);
    let mut viewless = entry.clone();
    viewless.as_object_mut().unwrap().remove("view");
    let r = env.put(&profile, &cnaf, viewless);
    assert_eq!(r.field_errors(), [("view", "required")], "{r:?}");
    assert_eq!(env.get(&profile, &admin).body, t19);
    let r = env.put(
        &format!(
            "/api/v1/services/{service}/profiles/{}",
            uuid::Uuid::new_v4()
        ),
        &cnaf,
        entry.clone(),
    );
    assert_eq!(r.status, 404, "{r:?}");

    let r = env.put(&profile, &cnaf, entry.clone());
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["eligible_categories"], entry["eligible_categories"]);
    assert_eq!(r.body["view"], t19["view"]);
    let r = env.post(&subscriptions, &admin, bulletin);
    assert_eq!(r.status, 201, "{r:?}");
    let traces = env.traces_of(&cnaf, t19["id"].as_str().unwrap());
    let changed = traces
        .iter()
        .find(|t| t["action"] == "catalogue.profile_changed")
        .expect("the change is traced");
    assert_eq!(
        changed["detail"]["before"]["eligible_categories"],
        t19["eligible_categories"]
    );
    assert_eq!(
        changed["detail"]["after"]["eligible_categories"],
        entry["eligible_categories"]
    );

    // A new profile, at the end of the list; its code is the service's once.
    let mut t23 = entry.clone();
    t23["code"] = json!("T23");
    t23["name"] = json!("Profil d'essai");
    t23["view"] = json!({"sections": ["quotient_familial", "identity"], "months": 6});
    let profiles = format!("/api/v1/services/{service}/profiles");
    let r = env.post(&profiles, &cnaf, t23.clone());
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(
        r.body["view"],
        json!({"sections": ["identity", "quotient_familial"], "months": 6, "benefits": [], "restriction": null, "identity_search": false})
    );
    assert_eq!(env.get(r.header("location"), &admin).body, r.body);
    let listed = env.get(&format!("/api/v1/services/{service}"), &admin);
    assert_eq!(
        listed.body["profiles"].as_array().unwrap().last().unwrap()["code"],
        "T23"
    );
    let r = env.post(&profiles, &cnaf, t23);
    assert_eq!(r.status, 409, "{r:?}");
    assert_eq!(r.code(), "profile_code_taken");
}

fn t2_opens_only_for_the_services_the_caf_subsidises(engine: Engine) {
    // Bulletin: T2 "ne peut pas être attribué dans le cas d'avantages qui ne bénéficient pas de
    // subventions d'action de la part de la Caf": the line opening it names those services.
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "252");
    let admin = env.caf_admin(&cnaf, &caf, "b@caf25.example");
    let partner = env.partner(&admin, SIRETS[0], "commune");
    let conv = env
        .post(
            &format!("/api/v1/partners/{partner}/conventions"),
            &admin,
            json!({"number": "T2-1", "missions": ["Tarification des accueils de loisirs"]}),
        )
        .id();
    let path = format!("/api/v1/conventions/{conv}/subscriptions");
    let r = env.post(
        &path,
        &admin,
        json!({"service": "CDAP", "profiles": [{"profile": "T2", "max_users": 2}, {"profile": "T13", "max_users": 1, "subsidised_services": ["Accueil de loisirs"]}]}),
    );
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(
        r.field_errors(),
        [
            ("profiles[0].subsidised_services", "required"),
            ("profiles[1].subsidised_services", "not_applicable")
        ]
    );
    assert_eq!(
        env.get(&path, &admin).body["items"],
        json!([]),
        "nothing written"
    );
    let r = env.post(
        &path,
        &admin,
        json!({"service": "CDAP", "profiles": [{"profile": "T2", "max_users": 2, "subsidised_services": [" Accueil de loisirs sans hébergement ", "Multi-accueil"]}, {"profile": "T13", "max_users": 1}]}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let lines = &r.body["profiles"];
    assert_eq!(lines[0]["profile"], "T2");
    assert_eq!(
        lines[0]["subsidised_services"],
        json!(["Accueil de loisirs sans hébergement", "Multi-accueil"])
    );
    assert_eq!(lines[1]["subsidised_services"], json!([]));
    let sub = r.id();
    assert_eq!(
        env.get(&format!("/api/v1/subscriptions/{sub}"), &admin)
            .body["profiles"],
        *lines
    );
    let catalogue = env.get("/api/v1/services", &admin).body;
    let t2 = catalogue["items"][0]["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "T2")
        .unwrap()
        .clone();
    assert_eq!(t2["subsidised_only"], true);
}

fn subscriptions_follow_the_catalogue_and_the_category(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "771");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let landlord = env.partner(&admin, SIRETS[1], "bailleur_social");
    let conv = env
        .post(
            &format!("/api/v1/partners/{landlord}/conventions"),
            &admin,
            json!({"number": "771-7", "missions": ["Tiers payant"]}),
        )
        .id();
    let path = format!("/api/v1/conventions/{conv}/subscriptions");
    let r = env.post(&path, &admin, json!({"service": "CDAP", "profiles": [{"profile": "T13", "max_users": 2}, {"profile": "T3", "max_users": 1}, {"profile": "T10", "max_users": 0}]}));
    assert_eq!(r.status, 422, "{r:?}");
    let errs = r.field_errors();
    assert_eq!(
        errs,
        [
            ("profiles[0].profile", "profile_not_eligible"),
            ("profiles[1].profile", "unknown_profile"),
            ("profiles[2].max_users", "invalid_quota")
        ]
    );
    let r = env.post(
        &path,
        &admin,
        json!({"service": "AFAS", "profiles": [{"profile": "T10", "max_users": 3}]}),
    );
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("unknown_service"))
    );
    // Refusals wrote nothing.
    assert!(env.get(&path, &admin).body["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!env
        .traces_of(&cnaf, &conv)
        .iter()
        .any(|t| t["action"] == "subscription.created"));

    let r = env.post(&path, &admin, json!({"service": "CDAP", "made_available_on": "2026-12-01", "profiles": [{"profile": "T10", "max_users": 3}]}));
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.body["made_available_on"], "2026-12-01");
    let r = env.post(
        &path,
        &admin,
        json!({"service": "CDAP", "profiles": [{"profile": "T10", "max_users": 3}]}),
    );
    assert_eq!((r.status, r.code()), (409, "already_subscribed"));
}

fn breach_termination_and_withdrawal(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "772");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let partner = env.partner(&admin, SIRETS[0], "departement");
    let conv = env
        .post(
            &format!("/api/v1/partners/{partner}/conventions"),
            &admin,
            json!({"number": "772-1", "missions": ["RSA"]}),
        )
        .id();
    let p = |s: &str| format!("/api/v1/conventions/{conv}/{s}");

    let r = env.post(
        &p("termination"),
        &admin,
        json!({"kind": "breach", "initiated_by": "caf", "received_on": day(0), "reason": "x"}),
    );
    assert_eq!((r.status, r.code()), (409, "convention_not_signed"));
    env.post(
        &p("signature"),
        &admin,
        json!({"partner_signed_on": day(-90), "caf_signed_on": day(-90)}),
    );
    env.post(
        &p("rgpd-completion"),
        &admin,
        json!({"completed_on": day(-80)}),
    );

    let r = env.post(&p("termination"), &admin, json!({"kind": "breach", "initiated_by": "caf", "received_on": day(-5), "requested_on": day(30), "reason": "x"}));
    assert_eq!(
        (r.status, r.body["errors"][0]["field"].as_str()),
        (422, Some("requested_on"))
    );
    let r = env.post(&p("termination"), &admin, json!({"kind": "breach", "initiated_by": "caf", "received_on": day(1), "reason": "Mise en demeure"}));
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("date_in_future"))
    );

    let received = Utc::now().date_naive() - chrono::Duration::days(5);
    let r = env.post(&p("termination"), &admin, json!({"kind": "breach", "initiated_by": "caf", "received_on": received.to_string(), "reason": "Mise en demeure restée sans effet"}));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.body["termination"]["effective_on"],
        received
            .checked_add_months(Months::new(1))
            .unwrap()
            .to_string()
    );
    let r = env.post(&p("termination"), &admin, json!({"kind": "unilateral", "initiated_by": "partner", "received_on": day(0), "reason": "x"}));
    assert_eq!((r.status, r.code()), (409, "termination_already_notified"));

    let r = env.post(
        &p("termination/withdrawal"),
        &admin,
        json!({"reason": "Manquement corrigé dans le mois"}),
    );
    assert_eq!(
        (r.status, &r.body["status"]),
        (200, &json!("active")),
        "{r:?}"
    );
    assert!(r.body["termination"].is_null());
    let r = env.post(
        &p("termination/withdrawal"),
        &admin,
        json!({"reason": "again"}),
    );
    assert_eq!((r.status, r.code()), (409, "no_termination_pending"));

    // A notice received over a month ago has already terminated the convention.
    let r = env.post(&p("termination"), &admin, json!({"kind": "breach", "initiated_by": "caf", "received_on": day(-40), "reason": "Manquement"}));
    assert_eq!((r.status, &r.body["status"]), (200, &json!("terminated")));
    assert_eq!(r.body["access_open"], false);
    assert!(r.body["current_term"].is_null());
    let r = env.patch(&format!("/api/v1/conventions/{conv}"), &admin, json!({"missions": ["x"], "amendment": {"summary": "s", "caf_signed_on": day(0), "partner_signed_on": day(0)}}));
    assert_eq!((r.status, r.code()), (409, "convention_terminated"));
    let r = env.post(
        &p("termination/withdrawal"),
        &admin,
        json!({"reason": "too late"}),
    );
    assert_eq!((r.status, r.code()), (409, "convention_terminated"));
}

fn activation_and_login(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "773");
    let r = env.post(
        &format!("/api/v1/cafs/{caf}/administrators"),
        &cnaf,
        json!({"full_name": "Paul", "function_title": "Admin", "email": "paul@caf.example"}),
    );
    assert_eq!(r.status, 201);
    assert_eq!(r.body["status"], "pending_activation");
    let body = r.body.to_string();
    let identifier = r.body["identifier"].as_str().unwrap().to_string();
    let mail = env.mail_to("paul@caf.example");
    let code =
        mcp_integration_tests::field_after(&mail, "Votre code d'activation, à usage unique : ");
    assert!(
        !body.contains(&code),
        "the creator never sees the activation code"
    );

    // A pending account cannot log in.
    let login = |pw: &str| {
        env.call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&json!({"identifier": identifier, "password": pw})),
        )
    };
    assert_eq!(login(mcp_integration_tests::PASSWORD).status, 401);

    let activate = |code: &str, pw: &str| {
        env.call(
            "POST",
            "/api/v1/auth/activate",
            None,
            Some(&json!({"identifier": identifier, "activation_code": code, "password": pw})),
        )
    };
    let r = activate(&code, "short");
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("password_too_short"))
    );
    let r = activate("0000", mcp_integration_tests::PASSWORD);
    assert_eq!((r.status, r.code()), (422, "activation_refused"));
    let r = activate(&code, mcp_integration_tests::PASSWORD);
    assert_eq!(r.status, 200, "{r:?}");
    let r = activate(&code, mcp_integration_tests::PASSWORD);
    assert_eq!(
        (r.status, r.code()),
        (422, "activation_refused"),
        "single use"
    );

    // The code is erased from the outbox once delivered: only the mail folder had it.
    let wrong = login("Wrong#Password-1");
    let unknown = env.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"identifier": "ZZZZ-ZZZZ", "password": "Wrong#Password-1"})),
    );
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert_eq!(
        wrong.body, unknown.body,
        "same answer for a wrong password and an unknown identifier"
    );
    assert!(wrong.header("www-authenticate").starts_with("Bearer"));
    let token = login(mcp_integration_tests::PASSWORD).body["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let me = env.get("/api/v1/me", &token);
    assert_eq!(
        (me.status, &me.body["role"], &me.body["caf_id"]),
        (200, &json!("caf_administrator"), &json!(caf))
    );
    assert!(!me.body.to_string().contains("hash"));

    let account = me.id();
    let traces = env.traces_of(&cnaf, &account);
    let seen: Vec<(&str, &str)> = traces
        .iter()
        .map(|t| {
            (
                t["action"].as_str().unwrap(),
                t["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("caf_administrator.created", "success"),
            ("auth.login", "denied"),
            ("account.activated", "success"),
            ("auth.login", "denied"),
            ("auth.login", "success"),
        ]
    );
    assert_eq!(
        traces[4]["actor_account_id"],
        account.as_str(),
        "a login is the person's own action"
    );
}

fn duplicate_siret_under_concurrent_requests(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "774");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..12)
            .map(|_| {
                s.spawn(|| {
                    env.post(
                        "/api/v1/partners",
                        &admin,
                        mcp_integration_tests::partner_body(SIRETS[2], "commune"),
                    )
                    .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        11,
        "{statuses:?}"
    );
    let list = env.get(&format!("/api/v1/partners?siret={}", SIRETS[2]), &admin);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);

    // The same SIRET under another Caf is another partner.
    let caf2 = env.caf(&cnaf, "775");
    let admin2 = env.caf_admin(&cnaf, &caf2, "b@caf.example");
    env.partner(&admin2, SIRETS[2], "commune");
}

/// A CCAS whose signed contract asks a seven-word passphrase, and its principal administrator
/// (claire@ccas.example) just named: (the Cnaf operator's token, the naming reply).
fn passphrase_partner(env: &TestEnv) -> (String, mcp_integration_tests::Reply) {
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let partner = env.partner(&admin, SIRETS[0], "ccas");
    let conv = env
        .post(
            &format!("/api/v1/partners/{partner}/conventions"),
            &admin,
            json!({"number": "761-9", "missions": ["FSL"], "contract": {"password_policy": {"kind": "passphrase", "min_words": 7}}}),
        )
        .id();
    env.post(
        &format!("/api/v1/conventions/{conv}/signature"),
        &admin,
        json!({"partner_signed_on": day(-2), "caf_signed_on": day(-2)}),
    );
    let r = env.post(
        &format!("/api/v1/partners/{partner}/administrators"),
        &admin,
        json!({"rank": "principal", "full_name": "Claire", "function_title": "Responsable", "email": "claire@ccas.example"}),
    );
    (cnaf, r)
}

fn partner_staff_activate_under_their_contract_and_commitment(engine: Engine) {
    let env = TestEnv::start(engine);
    let (cnaf, r) = passphrase_partner(&env);
    let identifier = r.body["identifier"].as_str().unwrap().to_string();
    let code = mcp_integration_tests::field_after(
        &env.mail_to("claire@ccas.example"),
        "Votre code d'activation, à usage unique : ",
    );
    let activate = |password: &str, accept: bool| {
        env.call(
            "POST",
            "/api/v1/auth/activate",
            None,
            Some(&json!({"identifier": identifier, "activation_code": code, "password": password, "accept_commitment": accept})),
        )
    };
    let passphrase = "le conseil municipal vote le budget du fonds solidarité";
    let r = activate(mcp_integration_tests::PASSWORD, true);
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("password_too_short")),
        "the contract asks a passphrase"
    );
    let r = activate(passphrase, false);
    assert_eq!(
        (
            r.status,
            r.body["errors"][0]["field"].as_str(),
            r.body["errors"][0]["code"].as_str()
        ),
        (422, Some("accept_commitment"), Some("commitment_required"))
    );
    let text = env.call("GET", "/api/v1/auth/commitment", None, None);
    let words = text.body["text"].as_str().unwrap();
    // What the individual form has the person sign (annex 3; C-art. 11): the missions, the
    // professional secrecy and its penalty, and the departure to report.
    for part in [
        "missions",
        "secret professionnel",
        "226-13",
        "départ",
        "fin de ma mission",
    ] {
        assert!(words.contains(part), "{part}: {words}");
    }
    let r = activate(passphrase, true);
    assert_eq!(r.status, 200, "{r:?}");
    env.login(&identifier, passphrase);
    let traces = env
        .get(
            &format!(
                "/api/v1/traces?action=account.activated&target_id={}",
                r.id()
            ),
            &env.auditor(&cnaf),
        )
        .body["items"]
        .clone();
    assert_eq!(
        traces[0]["detail"]["commitment_version"],
        text.body["version"]
    );
}

fn a_cursor_the_service_did_not_give_is_refused(engine: Engine) {
    // A mistyped or truncated cursor must not read as "no more items".
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "anne@caf76.example");
    let partner = env.partner(&admin, SIRETS[0], "ccas");
    let auditor = env.auditor(&cnaf);
    for (path, token) in [
        ("/api/v1/partners?cursor=page-2".to_string(), &admin),
        ("/api/v1/cafs?cursor=zzz".to_string(), &cnaf),
        (
            format!("/api/v1/partners/{partner}/habilitations?cursor=0190"),
            &admin,
        ),
        (
            "/api/v1/traces?cursor=%27%20OR%201%3D1".to_string(),
            &auditor,
        ),
    ] {
        let r = env.get(&path, token);
        assert_eq!(
            (r.status, r.code()),
            (400, "invalid_cursor"),
            "{path}: {r:?}"
        );
        assert_eq!(r.header("content-type"), "application/problem+json");
    }
    // The cursors it gives work.
    env.partner(&admin, SIRETS[1], "ccas");
    let first = env.get("/api/v1/partners?limit=1", &admin);
    let cursor = first.body["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_string();
    let second = env.get(&format!("/api/v1/partners?limit=1&cursor={cursor}"), &admin);
    assert_eq!(second.status, 200, "{second:?}");
    assert_eq!(second.body["items"].as_array().unwrap().len(), 1);
    assert_ne!(second.body["items"][0]["id"], first.body["items"][0]["id"]);
}

fn wrong_codes_tell_nothing_of_which_identifiers_exist(engine: Engine) {
    // A partner's contract asks a passphrase, which the default policy refuses: were the policy
    // checked before the code, a wrong code would get one answer for this partner's people and
    // another for identifiers that do not exist.
    let env = TestEnv::start(engine);
    let (_, r) = passphrase_partner(&env);
    let claire = r.body["identifier"].as_str().unwrap().to_string();
    let passphrase = "le conseil municipal vote le budget du fonds solidarité";
    let answer = |path: &str, body: serde_json::Value| {
        let r = env.call("POST", path, None, Some(&body));
        (r.status, r.code().to_string(), r.body["errors"].clone())
    };
    let activation = |who: &str| {
        answer(
            "/api/v1/auth/activate",
            json!({"identifier": who, "activation_code": "0000", "password": passphrase, "accept_commitment": true}),
        )
    };
    let known = activation(&claire);
    assert_eq!(known, activation("ZZZZ-ZZZZ"), "activation");
    assert_eq!((known.0, known.1.as_str()), (422, "activation_refused"));

    let code = mcp_integration_tests::field_after(
        &env.mail_to("claire@ccas.example"),
        "Votre code d'activation, à usage unique : ",
    );
    let r = env.call(
        "POST",
        "/api/v1/auth/activate",
        None,
        Some(&json!({"identifier": claire, "activation_code": code, "password": passphrase, "accept_commitment": true})),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let reset = |who: &str| {
        answer(
            "/api/v1/auth/password-reset/confirmation",
            json!({"identifier": who, "reset_code": "0000", "password": format!("{passphrase} encore")}),
        )
    };
    let known = reset(&claire);
    assert_eq!(known, reset("ZZZZ-ZZZZ"), "reset");
    assert_eq!((known.0, known.1.as_str()), (422, "reset_refused"));
}

/// An amendment that changes one term of the contract changes that one: the password policy,
/// the annex-1 contacts, the second factor and the e-mail domains left out keep their value.
fn an_amendment_changes_only_the_terms_it_names(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "anne@caf76.example");
    let partner = env.partner(&admin, SIRETS[0], "ccas");
    let policy =
        json!({"kind": "characters", "min_length": 10, "min_classes": 3, "max_age_days": 90});
    let contacts = json!([
        {"side": "partner", "role": "principal_administrator", "name": "Claire Dupont", "email": "claire@ccas.example"},
        {"side": "caf", "role": "service_centre", "name": "Centre de services", "email": "centre@caf76.example"}
    ]);
    let r = env.post(
        &format!("/api/v1/partners/{partner}/conventions"),
        &admin,
        json!({"number": "761-2026-0050", "missions": ["FSL"],
               "contract": {"password_policy": policy, "contacts": contacts, "second_factor_required": true, "email_domains": ["ccas.example"]}}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let conv = r.id();
    let r = env.post(
        &format!("/api/v1/conventions/{conv}/signature"),
        &admin,
        json!({"partner_signed_on": day(-10), "caf_signed_on": day(-9)}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let path = format!("/api/v1/conventions/{conv}/contract");
    let before = env.get(&path, &admin).body;
    let r = env.put(
        &path,
        &admin,
        json!({"management_mode": "centralise",
               "amendment": {"summary": "Passage en mode centralisé", "caf_signed_on": day(0), "partner_signed_on": day(0)}}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["management_mode"], "centralise");
    for term in [
        "password_policy",
        "contacts",
        "second_factor_required",
        "email_domains",
    ] {
        assert_eq!(r.body[term], before[term], "{term} kept");
    }
    assert_eq!(
        r.body["version"],
        json!(before["version"].as_i64().unwrap() + 1)
    );
    // Named, a term changes — to an empty list too.
    let r = env.put(
        &path,
        &admin,
        json!({"email_domains": [],
               "amendment": {"summary": "Toute adresse", "caf_signed_on": day(0), "partner_signed_on": day(0)}}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["email_domains"], json!([]));
    assert_eq!(r.body["management_mode"], "centralise");
    assert_eq!(r.body["contacts"], before["contacts"]);
}

/// Convention numbers as the Cafs print them, each Caf numbering its own.
fn convention_numbers_as_printed_each_caf_its_own(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let (caf_a, caf_b) = (env.caf(&cnaf, "761"), env.caf(&cnaf, "771"));
    let admin_a = env.caf_admin(&cnaf, &caf_a, "anne@caf76.example");
    let admin_b = env.caf_admin(&cnaf, &caf_b, "bruno@caf77.example");
    let partner_a = env.partner(&admin_a, SIRETS[0], "ccas");
    let partner_b = env.partner(&admin_b, SIRETS[1], "commune");
    let draft = |admin: &str, partner: &str, number: &str| {
        env.post(
            &format!("/api/v1/partners/{partner}/conventions"),
            admin,
            json!({"number": number, "missions": ["FSL"]}),
        )
    };
    for (number, stored) in [
        ("2023-267 701 647", "2023-267 701 647"),
        ("GC   130", "GC 130"),
    ] {
        let r = draft(&admin_a, &partner_a, number);
        assert_eq!(
            (r.status, r.body["number"].as_str()),
            (201, Some(stored)),
            "{r:?}"
        );
    }
    // "24/2025" in two Cafs: two conventions.
    assert_eq!(draft(&admin_a, &partner_a, "24/2025").status, 201);
    assert_eq!(draft(&admin_b, &partner_b, "24/2025").status, 201);
    // Twice in one Caf, however spaced: the second is refused.
    let r = draft(&admin_a, &partner_a, "GC 130");
    assert_eq!(
        (r.status, r.code()),
        (409, "convention_number_taken"),
        "{r:?}"
    );
    let r = draft(&admin_b, &partner_b, "24/2025");
    assert_eq!(
        (r.status, r.code()),
        (409, "convention_number_taken"),
        "{r:?}"
    );
    let r = draft(&admin_a, &partner_a, "24;2025");
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("invalid_convention_number")),
        "{r:?}"
    );
}

/// Annex 1 as the real contracts fill it: the Doubs contract's four Caf administrators, an
/// administrator with a telephone and no e-mail (Lieusaint), the "Responsable Mon Compte
/// Partenaire" and the partner's "responsable services"; but one security officer per side.
fn annex_one_as_the_contracts_write_it(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "251");
    let admin = env.caf_admin(&cnaf, &caf, "anne@caf25.example");
    let partner = env.partner(&admin, SIRETS[0], "commune");
    let person = |side: &str, role: &str, name: &str, email: Option<&str>, phone: Option<&str>| json!({"side": side, "role": role, "name": name, "email": email, "phone": phone});
    let contacts = json!([
        person(
            "caf",
            "principal_administrator",
            "Sophie Vernier",
            Some("s.vernier@caf25.example"),
            None
        ),
        person(
            "caf",
            "principal_administrator",
            "Marc Jeannin",
            Some("m.jeannin@caf25.example"),
            None
        ),
        person(
            "caf",
            "deputy_administrator",
            "Lucie Bourgeois",
            Some("l.bourgeois@caf25.example"),
            None
        ),
        person(
            "caf",
            "deputy_administrator",
            "Hugo Roussel",
            None,
            Some("03 81 00 00 00")
        ),
        person(
            "caf",
            "mon_compte_partenaire_manager",
            "Julien Marchand",
            Some("j.marchand@caf25.example"),
            None
        ),
        person(
            "caf",
            "security_officer",
            "RSSI Caf du Doubs",
            Some("rssi@caf25.example"),
            None
        ),
        person(
            "partner",
            "principal_administrator",
            "Claire Dupont",
            None,
            Some("03 81 12 34 56")
        ),
        person(
            "partner",
            "services_manager",
            "Paul Leroy",
            Some("p.leroy@bavans.example"),
            None
        ),
        person(
            "partner",
            "security_officer",
            "Paul Leroy",
            Some("p.leroy@bavans.example"),
            None
        ),
    ]);
    let draft = |contacts: &serde_json::Value, number: &str| {
        env.post(
            &format!("/api/v1/partners/{partner}/conventions"),
            &admin,
            json!({"number": number, "missions": ["Accès aux données"], "contract": {"contacts": contacts}}),
        )
    };
    let r = draft(&contacts, "GC 130");
    assert_eq!(r.status, 201, "{r:?}");
    let contract = env.get(&format!("/api/v1/conventions/{}/contract", r.id()), &admin);
    assert_eq!(contract.body["contacts"].as_array().unwrap().len(), 9);
    assert_eq!(contract.body["contacts"][3]["email"], json!(null));
    // Two security officers for the partner, or a contact nobody can reach: refused.
    let mut twice = contacts.as_array().unwrap().clone();
    twice.push(person(
        "partner",
        "security_officer",
        "Autre",
        Some("autre@bavans.example"),
        None,
    ));
    let r = draft(&json!(twice), "GC 131");
    assert_eq!(
        (
            r.status,
            r.body["errors"][0]["field"].as_str(),
            r.body["errors"][0]["code"].as_str()
        ),
        (422, Some("contacts[9].role"), Some("duplicate_role")),
        "{r:?}"
    );
    let unreachable = json!([person(
        "partner",
        "it_manager",
        "Service informatique",
        None,
        None
    )]);
    let r = draft(&unreachable, "GC 132");
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("contact_unreachable")),
        "{r:?}"
    );
}

fn the_readme_first_steps_work_as_written(engine: Engine) {
    // The README's activation and login bodies, sent as written (only the identifier and the
    // one-time code are the reader's own): a newcomer copying them gets in.
    let readme = include_str!("../../README.md");
    let bodies: Vec<serde_json::Value> = readme
        .lines()
        .filter_map(|l| l.trim().strip_prefix("-d '"))
        .filter_map(|l| l.split("'").next())
        .map(|j| serde_json::from_str(j).expect("the README's bodies are JSON"))
        .collect();
    let activation = bodies
        .iter()
        .find(|b| b.get("activation_code").is_some())
        .expect("an activation body")
        .clone();
    let login = bodies
        .iter()
        .find(|b| b.get("activation_code").is_none() && b.get("password").is_some())
        .expect("a login body")
        .clone();
    let env = TestEnv::start(engine);
    let person = mcp_domain::person::Person::new(
        "Nadia Martin",
        "Opératrice",
        "nadia.martin@cnaf.example",
        None,
    )
    .unwrap();
    let ctx = mcp_persistence::Ctx::without_person("console", mcp_api::auth::now());
    let (account, code) =
        mcp_persistence::use_cases::accounts::bootstrap_cnaf_operator(&env.db, &ctx, &person)
            .unwrap();
    let mut body = activation;
    body["identifier"] = json!(account.identifier);
    body["activation_code"] = json!(code.secret);
    let r = env.call("POST", "/api/v1/auth/activate", None, Some(&body));
    assert_eq!(r.status, 200, "the README's activation: {r:?}");
    let mut body = login;
    body["identifier"] = json!(account.identifier);
    let r = env.call("POST", "/api/v1/auth/login", None, Some(&body));
    assert_eq!(r.status, 200, "the README's login: {r:?}");
    assert!(r.body["access_token"].is_string());
}

fn a_bulletin_line_left_blank_opens_nothing(engine: Engine) {
    // Bulletins print every profile of the service with a box for the number of users; a box
    // left blank opens nothing, so it is neither refused (even for a profile the partner's
    // category may not hold) nor subscribed. A bulletin must still open one profile.
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "771");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let landlord = env.partner(&admin, SIRETS[1], "bailleur_social");
    let convention = |number: &str| {
        env.post(
            &format!("/api/v1/partners/{landlord}/conventions"),
            &admin,
            json!({"number": number, "missions": ["Tiers payant"]}),
        )
        .id()
    };
    let conv = convention("771-8");
    let path = format!("/api/v1/conventions/{conv}/subscriptions");
    let r = env.post(
        &path,
        &admin,
        json!({"service": "CDAP", "profiles": [
            {"profile": "T10", "max_users": 3},
            {"profile": "T13", "max_users": null},
            {"profile": "T1"}
        ]}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let opened: Vec<&str> = r.body["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["profile"].as_str().unwrap())
        .collect();
    assert_eq!(opened, ["T10"], "{r:?}");
    let sub = r.id();
    // Quotas changed on the draft: the T10 box emptied, T13 still blank: nothing left open.
    let r = env.put(
        &format!("/api/v1/subscriptions/{sub}/quotas"),
        &admin,
        json!({"profiles": [{"profile": "T10", "max_users": null}, {"profile": "T13", "max_users": null}]}),
    );
    assert_eq!(
        (
            r.status,
            r.body["errors"][0]["field"].as_str(),
            r.body["errors"][0]["code"].as_str()
        ),
        (422, Some("profiles"), Some("required")),
        "{r:?}"
    );
    let kept = env.get(&format!("/api/v1/subscriptions/{sub}"), &admin);
    assert_eq!(
        kept.body["profiles"][0]["max_users"], 3,
        "the refusal changed nothing"
    );
    // A blank line is still checked for what it names.
    let r = env.post(
        &format!("/api/v1/conventions/{}/subscriptions", convention("771-9")),
        &admin,
        json!({"service": "CDAP", "profiles": [{"profile": "T10", "max_users": 1}, {"profile": "T99", "max_users": null}, {"profile": "T10"}]}),
    );
    let errs = r.field_errors();
    assert_eq!(
        (r.status, errs),
        (
            422,
            vec![
                ("profiles[1].profile", "unknown_profile"),
                ("profiles[2].profile", "duplicate_profile")
            ]
        ),
        "{r:?}"
    );
}

//! Delegated management end to end: users, delegations, groups, habilitations within quotas
//! (also under concurrent requests), four eyes, expiry, the Caf's supervision, the views.

use chrono::{Datelike, Utc};
use mcp_integration_tests::{on_both_engines, Engine, TestEnv, SIRETS};
use serde_json::{json, Value};

on_both_engines!(
    administrators_export_their_users_and_habilitations,
    partner_manages_its_habilitations,
    quota_holds_under_concurrent_grants,
    quota_holds_under_concurrent_group_additions,
    delegated_managers_hand_on_only_what_was_delegated,
    caf_supervises_and_takes_management_back,
    temporary_habilitations_expire,
    role_bundles_grant_all_or_nothing,
    who_may_do_what,
    outsiders_are_told_nothing_exists,
    names_nobody_can_read_are_refused,
    one_person_one_account,
    accounts_within_the_partners_email_domains,
    a_terminated_convention_ends_its_habilitations,
    a_profile_withdrawn_from_the_bulletin_ends_its_habilitations,
    the_caf_manages_the_administrators_habilitations,
    the_caf_takes_management_back_without_an_amendment,
    the_end_of_a_temporary_habilitation_is_announced,
    a_temporary_profile_is_granted_with_its_end,
);

fn day(offset_days: i64) -> String {
    (Utc::now().date_naive() + chrono::Duration::days(offset_days)).to_string()
}

/// A Caf, one of its partners (a CCAS) under an active convention subscribing CDAP with T13
/// (quota 4) and T1 (quota 2), and the partner's two administrators.
struct Partner {
    env: TestEnv,
    cnaf: String,
    caf_id: String,
    caf_admin: String,
    id: String,
    convention: String,
    subscription: String,
    mission: String,
    t13: String,
    t1: String,
    principal: String,
    principal_id: String,
    deputy: String,
    deputy_id: String,
}

impl Partner {
    fn new(engine: Engine) -> Self {
        let env = TestEnv::start(engine);
        let cnaf = env.cnaf_operator();
        let caf_id = env.caf(&cnaf, "771");
        let caf_admin = env.caf_admin(&cnaf, &caf_id, "anne@caf77.example");
        let id = env.partner(&caf_admin, SIRETS[0], "ccas");
        let (convention, subscription, mission, t13, t1) =
            active_convention(&env, &caf_admin, &id, "771-2026-0001");
        let principal = env.partner_admin(&caf_admin, &id, "principal", "claire@ccas.example");
        let deputy = env.partner_admin(&caf_admin, &id, "deputy", "paul@ccas.example");
        let principal_id = me(&env, &principal);
        let deputy_id = me(&env, &deputy);
        Self {
            env,
            cnaf,
            caf_id,
            caf_admin,
            id,
            convention,
            subscription,
            mission,
            t13,
            t1,
            principal,
            principal_id,
            deputy,
            deputy_id,
        }
    }

    /// A partner user created by `manager`; returns their account id.
    fn user(&self, manager: &str, email: &str) -> String {
        let r = self.env.post(
            &format!("/api/v1/partners/{}/users", self.id),
            manager,
            json!({"full_name": format!("Agent {email}"), "function_title": "Agent d'accueil", "email": email, "phone": "01 64 13 55 00"}),
        );
        assert_eq!(r.status, 201, "{r:?}");
        assert_eq!(r.body["role"], "partner_user");
        assert!(
            r.body.get("activation_code").is_none() && r.body.get("password").is_none(),
            "no code in the reply"
        );
        r.id()
    }

    /// A partner user who activates their account and logs in; returns (id, token).
    fn user_who_logs_in(&self, manager: &str, email: &str) -> (String, String) {
        let r = self.env.post(
            &format!("/api/v1/partners/{}/users", self.id),
            manager,
            json!({"full_name": format!("Agent {email}"), "function_title": "Travailleur social", "email": email, "phone": "01 64 13 55 02"}),
        );
        assert_eq!(r.status, 201, "{r:?}");
        let token = self
            .env
            .activate_from_mail(r.body["identifier"].as_str().unwrap(), email);
        (r.id(), token)
    }

    fn grant(&self, token: &str, holder: Value, profile: &str) -> mcp_integration_tests::Reply {
        let mut body = json!({"profile_id": profile, "mission_id": self.mission});
        for (k, v) in holder.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.env.post(
            &format!("/api/v1/partners/{}/habilitations", self.id),
            token,
            body,
        )
    }

    fn quota(&self, token: &str, code: &str) -> Value {
        let r = self
            .env
            .get(&format!("/api/v1/partners/{}/quota-use", self.id), token);
        assert_eq!(r.status, 200, "{r:?}");
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["profile_code"] == code)
            .cloned()
            .unwrap()
    }
}

fn me(env: &TestEnv, token: &str) -> String {
    env.get("/api/v1/me", token).id()
}

/// Drafts, signs and completes a convention with CDAP T13 (4) and T1 (2); returns (convention,
/// subscription, first mission, T13 id, T1 id).
fn active_convention(
    env: &TestEnv,
    caf_admin: &str,
    partner: &str,
    number: &str,
) -> (String, String, String, String, String) {
    let r = env.post(
        &format!("/api/v1/partners/{partner}/conventions"),
        caf_admin,
        json!({"number": number, "missions": ["Instruction des dossiers FSL", "Accompagnement social"]}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let conv = r.id();
    let mission = r.body["missions"][0]["id"].as_str().unwrap().to_string();
    let sub = env.post(
        &format!("/api/v1/conventions/{conv}/subscriptions"),
        caf_admin,
        json!({"service": "CDAP", "profiles": [{"profile": "T13", "max_users": 4}, {"profile": "T1", "max_users": 2}]}),
    );
    assert_eq!(sub.status, 201, "{sub:?}");
    let profile_id = |code: &str| {
        sub.body["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["profile"] == code)
            .unwrap()["profile_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (t13, t1) = (profile_id("T13"), profile_id("T1"));
    let r = env.post(
        &format!("/api/v1/conventions/{conv}/signature"),
        caf_admin,
        json!({"partner_signed_on": day(-10), "caf_signed_on": day(-9)}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let r = env.post(
        &format!("/api/v1/conventions/{conv}/rgpd-completion"),
        caf_admin,
        json!({"completed_on": day(-1)}),
    );
    assert_eq!(r.body["access_open"], true, "{r:?}");
    (conv, sub.id(), mission, t13, t1)
}

fn actions(env: &TestEnv, cnaf: &str, target: &str) -> Vec<String> {
    env.traces_of(cnaf, target)
        .iter()
        .map(|t| t["action"].as_str().unwrap().to_string())
        .collect()
}

fn partner_manages_its_habilitations(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    let julie = p.user(&p.principal, "julie@ccas.example");
    env.mail_to("julie@ccas.example");

    let r = p.grant(&p.principal, json!({"account_id": julie}), &p.t13);
    assert_eq!(r.status, 201, "{r:?}");
    let hab = r.id();
    assert_eq!(r.body["status"], "active");
    assert_eq!(r.body["profile_code"], "T13");
    assert_eq!(r.body["holder"]["name"], "Agent julie@ccas.example");
    let q = p.quota(&p.principal, "T13");
    assert_eq!(
        (&q["max_users"], &q["used"], &q["left"], &q["over_by"]),
        (&json!(4), &json!(1), &json!(3), &json!(0))
    );

    // The same profile twice for one holder is a conflict, not a second seat.
    let again = p.grant(&p.deputy, json!({"account_id": julie}), &p.t13);
    assert_eq!((again.status, again.code()), (409, "already_habilitated"));

    // Four eyes: nobody habilitates themselves; the other administrator does.
    let own = p.grant(&p.principal, json!({"account_id": p.principal_id}), &p.t13);
    assert_eq!((own.status, own.code()), (403, "self_grant"), "{own:?}");
    assert_eq!(
        own.body["title"], "Nul ne s'habilite soi-même",
        "the code's own title, in French"
    );
    let english: Value = p
        .env
        .client()
        .post(format!(
            "{}/api/v1/partners/{}/habilitations",
            p.env.base_url(),
            p.id
        ))
        .bearer_auth(&p.principal)
        .header("accept-language", "en-GB,en;q=0.9")
        .json(&json!({"account_id": p.principal_id, "profile_id": p.t13, "mission_id": p.mission}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        (english["code"].as_str(), english["title"].as_str()),
        (Some("self_grant"), Some("Nobody habilitates themselves")),
        "in English on request, the code unchanged"
    );
    // Nor does the other administrator: the administrators' rights are the Caf's (S-art. 2.2.2).
    let by_deputy = p.grant(&p.deputy, json!({"account_id": p.principal_id}), &p.t13);
    assert_eq!(
        (by_deputy.status, by_deputy.code()),
        (403, "administrator_rights_by_caf"),
        "{by_deputy:?}"
    );
    let by_caf = p.grant(&p.caf_admin, json!({"account_id": p.principal_id}), &p.t13);
    assert_eq!(by_caf.status, 201, "{by_caf:?}");

    // Clumsy input: both holders, an unknown mission, a profile not subscribed, bad JSON.
    let both = p.grant(
        &p.principal,
        json!({"account_id": julie, "group_id": julie}),
        &p.t13,
    );
    assert_eq!(
        (both.status, both.body["errors"][0]["code"].as_str()),
        (422, Some("one_holder"))
    );
    let r = env.post(
        &format!("/api/v1/partners/{}/habilitations", p.id),
        &p.principal,
        json!({"account_id": julie, "profile_id": p.t13, "mission_id": p.t13}),
    );
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("unknown_mission"))
    );
    let services = env.get("/api/v1/services", &p.principal);
    let t4 = services.body["items"][0]["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "T4")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = p.grant(&p.principal, json!({"account_id": julie}), &t4);
    assert_eq!((r.status, r.code()), (422, "profile_not_subscribed"));
    let r = env.raw(
        "POST",
        &format!("/api/v1/partners/{}/habilitations", p.id),
        Some(&p.principal),
        Some("application/json"),
        b"{\"account_id\": ".to_vec(),
    );
    assert_eq!(r.status, 400);

    // A group: its members all hold what it holds, within the quota of distinct people.
    let g = env.post(
        &format!("/api/v1/partners/{}/groups", p.id),
        &p.principal,
        json!({"name": "Accueil social", "description": "Agents d'accueil"}),
    );
    assert_eq!(g.status, 201, "{g:?}");
    let group = g.id();
    let marc = p.user(&p.principal, "marc@ccas.example");
    let lea = p.user(&p.principal, "lea@ccas.example");
    for who in [&julie, &marc] {
        let r = env.post(
            &format!("/api/v1/groups/{group}/members"),
            &p.principal,
            json!({"account_id": who}),
        );
        assert_eq!(r.status, 201, "{r:?}");
    }
    let r = p.grant(&p.principal, json!({"group_id": group}), &p.t1);
    assert_eq!(r.status, 201, "{r:?}");
    let group_hab = r.id();
    assert_eq!(p.quota(&p.principal, "T1")["used"], 2);
    // T1's quota is 2: a third member would be a third holder.
    let r = env.post(
        &format!("/api/v1/groups/{group}/members"),
        &p.principal,
        json!({"account_id": lea}),
    );
    assert_eq!((r.status, r.code()), (409, "quota_exceeded"), "{r:?}");
    assert_eq!(
        env.get(&format!("/api/v1/groups/{group}"), &p.principal)
            .body["members"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "nothing changed"
    );
    // Julie already holds T13 directly; through the group she holds T1.
    let mine = env.get(
        &format!("/api/v1/accounts/{julie}/habilitations"),
        &p.deputy,
    );
    assert_eq!(mine.status, 200, "{mine:?}");
    let held = mine.body["habilitations"].as_array().unwrap();
    assert_eq!(held.len(), 2);
    assert!(held
        .iter()
        .any(|h| h["habilitation"]["profile_code"] == "T13" && h["via_group"].is_null()));
    assert!(held
        .iter()
        .any(|h| h["habilitation"]["profile_code"] == "T1"
            && h["via_group"]["name"] == "Accueil social"));
    let holders = env.get(
        &format!("/api/v1/partners/{}/profiles/{}/holders", p.id, p.t1),
        &p.principal,
    );
    assert_eq!(holders.body["holders"].as_array().unwrap().len(), 2);
    assert_eq!(holders.body["quota"][0]["left"], 0);

    // Removing a member frees the seat; a suspended habilitation keeps its seat; a
    // devalidated one frees it and stays readable.
    let r = env.call(
        "DELETE",
        &format!("/api/v1/groups/{group}/members/{marc}"),
        Some(&p.principal),
        None,
    );
    assert_eq!(r.status, 204, "{r:?}");
    assert_eq!(p.quota(&p.principal, "T1")["used"], 1);
    let r = env.post(
        &format!("/api/v1/habilitations/{hab}/suspension"),
        &p.principal,
        json!({"reason": "Congé long"}),
    );
    assert_eq!(
        (r.status, &r.body["status"]),
        (200, &json!("suspended")),
        "{r:?}"
    );
    assert_eq!(
        p.quota(&p.principal, "T13")["used"],
        2,
        "still holds a seat"
    );
    let r = env.post(
        &format!("/api/v1/habilitations/{hab}/devalidation"),
        &p.principal,
        json!({"reason": "Départ"}),
    );
    assert_eq!(r.body["status"], "devalidated", "{r:?}");
    assert!(r.body["devalidated_at"].is_string());
    assert_eq!(p.quota(&p.principal, "T13")["used"], 1);
    let r = env.post(
        &format!("/api/v1/habilitations/{hab}/suspension"),
        &p.principal,
        json!({"reason": "?"}),
    );
    assert_eq!((r.status, r.code()), (409, "habilitation_status_conflict"));
    let history = env.get(
        &format!("/api/v1/habilitations/{hab}/history"),
        &p.principal,
    );
    let steps: Vec<&str> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "habilitation.granted",
            "habilitation.suspended",
            "habilitation.devalidated"
        ]
    );
    let devalidated = env.get(
        &format!("/api/v1/partners/{}/habilitations?status=devalidated", p.id),
        &p.principal,
    );
    assert_eq!(devalidated.body["items"].as_array().unwrap().len(), 1);

    // Closing Julie's account (she left) ends what she held and her memberships.
    let r = env.post(
        &format!("/api/v1/accounts/{julie}/closure"),
        &p.deputy,
        json!({"reason": "Mutation"}),
    );
    assert_eq!(
        (r.status, &r.body["status"]),
        (200, &json!("disabled")),
        "{r:?}"
    );
    assert_eq!(p.quota(&p.principal, "T1")["used"], 0);
    assert_eq!(
        env.get(&format!("/api/v1/habilitations/{group_hab}"), &p.principal)
            .body["status"],
        "active",
        "the group's habilitation stays"
    );
    let r = p.grant(&p.principal, json!({"account_id": julie}), &p.t13);
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("account_closed"))
    );
    assert!(actions(env, &p.cnaf, &julie).contains(&"account.closed".to_string()));
}

fn quota_holds_under_concurrent_grants(engine: Engine) {
    let p = Partner::new(engine);
    let people: Vec<String> = (0..30)
        .map(|i| p.user(&p.principal, &format!("agent{i}@ccas.example")))
        .collect();
    let replies: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = people
            .iter()
            .map(|who| {
                let p = &p;
                s.spawn(move || {
                    let r = p.grant(&p.principal, json!({"account_id": who}), &p.t13);
                    (r.status, r.code().to_string())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let granted = replies.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(granted, 4, "{replies:?}");
    assert!(
        replies
            .iter()
            .all(|(s, c)| *s == 201 || (*s == 409 && c == "quota_exceeded")),
        "{replies:?}"
    );
    assert_eq!(p.quota(&p.principal, "T13")["used"], 4);
    let list = p.env.get(
        &format!(
            "/api/v1/partners/{}/habilitations?profile_id={}",
            p.id, p.t13
        ),
        &p.principal,
    );
    assert_eq!(list.body["items"].as_array().unwrap().len(), 4);
}

fn quota_holds_under_concurrent_group_additions(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    // Two groups holding T1 (quota 2); people join both at once, and others are granted
    // directly at the same time: never more than two distinct holders.
    let groups: Vec<String> = ["A", "B"]
        .iter()
        .map(|n| {
            let g = env
                .post(
                    &format!("/api/v1/partners/{}/groups", p.id),
                    &p.principal,
                    json!({"name": n}),
                )
                .id();
            let r = p.grant(&p.principal, json!({"group_id": g}), &p.t1);
            assert_eq!(r.status, 201, "{r:?}");
            g
        })
        .collect();
    let people: Vec<String> = (0..12)
        .map(|i| p.user(&p.principal, &format!("m{i}@ccas.example")))
        .collect();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = people
            .iter()
            .enumerate()
            .map(|(i, who)| {
                let (p, groups) = (&p, &groups);
                s.spawn(move || match i % 3 {
                    2 => p.grant(&p.deputy, json!({"account_id": who}), &p.t1).status,
                    k => {
                        p.env
                            .post(
                                &format!("/api/v1/groups/{}/members", groups[k]),
                                &p.principal,
                                json!({"account_id": who}),
                            )
                            .status
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        2,
        "{statuses:?}"
    );
    assert_eq!(p.quota(&p.principal, "T1")["used"], 2);
}

fn delegated_managers_hand_on_only_what_was_delegated(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    let (manager_id, manager) = p.user_who_logs_in(&p.principal, "marc@ccas.example");

    // Without a delegation, a partner user manages nothing.
    let r = env.post(
        &format!("/api/v1/partners/{}/users", p.id),
        &manager,
        json!({"full_name": "X", "function_title": "Y", "email": "x@ccas.example", "phone": "0102030405"}),
    );
    assert_eq!(r.status, 403, "{r:?}");
    let r = env.get(
        &format!("/api/v1/partners/{}/habilitations", p.id),
        &manager,
    );
    assert_eq!(r.status, 403);

    // Only administrators delegate, and only profiles the partner subscribed to.
    let delegation = json!({"account_id": manager_id, "functions": ["users", "habilitations"], "profile_ids": [p.t13]});
    let path = format!("/api/v1/partners/{}/delegations", p.id);
    let r = env.post(&path, &p.caf_admin, delegation.clone());
    assert_eq!(r.status, 403, "the Caf names administrators, not managers");
    let r = env.post(
        &path,
        &p.principal,
        json!({"account_id": manager_id, "functions": ["habilitations"], "profile_ids": []}),
    );
    assert_eq!(
        (r.status, r.body["errors"][0]["field"].as_str()),
        (422, Some("profile_ids"))
    );
    let r = env.post(
        &path,
        &p.principal,
        json!({"account_id": p.deputy_id, "functions": ["users"]}),
    );
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("not_a_partner_user"))
    );
    let r = env.post(&path, &p.principal, delegation.clone());
    assert_eq!(r.status, 201, "{r:?}");
    let delegation_id = r.id();
    let r = env.post(&path, &p.deputy, delegation);
    assert_eq!((r.status, r.code()), (409, "delegation_in_force"));

    // The manager creates a user and hands on T13, never T1, never to an administrator.
    let (agent, _) = p.user_who_logs_in(&manager, "agent@ccas.example");
    let r = p.grant(&manager, json!({"account_id": agent}), &p.t13);
    assert_eq!(r.status, 201, "{r:?}");
    let r = p.grant(&manager, json!({"account_id": agent}), &p.t1);
    assert_eq!((r.status, r.code()), (403, "profile_not_delegated"));
    let r = p.grant(&manager, json!({"account_id": p.deputy_id}), &p.t13);
    assert_eq!((r.status, r.code()), (403, "administrator_untouchable"));
    let r = p.grant(&manager, json!({"account_id": manager_id}), &p.t13);
    assert_eq!((r.status, r.code()), (403, "self_grant"));
    let r = env.post(
        &format!("/api/v1/accounts/{}/suspension", p.deputy_id),
        &manager,
        json!({"reason": "?"}),
    );
    assert_eq!(r.status, 403, "{r:?}");
    let r = env.post(
        &format!("/api/v1/accounts/{agent}/suspension"),
        &manager,
        json!({"reason": "Absence"}),
    );
    assert_eq!(
        r.status, 200,
        "managing users includes suspending them: {r:?}"
    );
    // Groups were not delegated.
    let r = env.post(
        &format!("/api/v1/partners/{}/groups", p.id),
        &manager,
        json!({"name": "G"}),
    );
    assert_eq!(r.status, 403);

    // Withdrawn: the next request already finds no management function.
    let r = env.post(
        &format!("/api/v1/delegations/{delegation_id}/withdrawal"),
        &p.deputy,
        json!({"reason": "Changement de poste"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body["withdrawn_at"].is_string());
    let other = p.user(&p.principal, "other@ccas.example");
    let r = p.grant(&manager, json!({"account_id": other}), &p.t13);
    assert_eq!(r.status, 403);
    let r = env.post(
        &format!("/api/v1/delegations/{delegation_id}/withdrawal"),
        &p.deputy,
        json!({"reason": "again"}),
    );
    assert_eq!((r.status, r.code()), (409, "delegation_withdrawn"));
}

fn caf_supervises_and_takes_management_back(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    let people: Vec<String> = (0..3)
        .map(|i| p.user(&p.principal, &format!("a{i}@ccas.example")))
        .collect();
    let habs: Vec<String> = people
        .iter()
        .map(|who| {
            let r = p.grant(&p.principal, json!({"account_id": who}), &p.t13);
            assert_eq!(r.status, 201, "{r:?}");
            r.id()
        })
        .collect();
    let (manager_id, _) = p.user_who_logs_in(&p.principal, "marc@ccas.example");
    let r = env.post(
        &format!("/api/v1/partners/{}/delegations", p.id),
        &p.principal,
        json!({"account_id": manager_id, "functions": ["groups"]}),
    );
    assert_eq!(r.status, 201, "{r:?}");

    // The Caf sees every habilitation of its partners and asks why one was given.
    let list = env.get(
        &format!("/api/v1/partners/{}/habilitations", p.id),
        &p.caf_admin,
    );
    assert_eq!(list.body["items"].as_array().unwrap().len(), 3);
    let q = env.post(
        &format!("/api/v1/habilitations/{}/questions", habs[0]),
        &p.caf_admin,
        json!({"question": "Pourquoi ce profil ?"}),
    );
    assert_eq!(q.status, 201, "{q:?}");
    let r = env.post(
        &format!("/api/v1/habilitations/{}/questions", habs[0]),
        &p.principal,
        json!({"question": "?"}),
    );
    assert_eq!(r.status, 403, "the partner answers, the Caf asks");
    let open = env.get(
        &format!("/api/v1/partners/{}/habilitation-questions", p.id),
        &p.principal,
    );
    assert_eq!(open.body["items"].as_array().unwrap().len(), 1);
    let a = env.post(
        &format!("/api/v1/habilitation-questions/{}/answer", q.id()),
        &p.deputy,
        json!({"answer": "Instruction des dossiers FSL"}),
    );
    assert_eq!(a.status, 200, "{a:?}");
    let qs = env.get(
        &format!("/api/v1/habilitations/{}/questions", habs[0]),
        &p.caf_admin,
    );
    assert_eq!(
        qs.body["items"][0]["answer"],
        "Instruction des dossiers FSL"
    );

    // A precautionary suspension by the Caf is lifted by the Caf only.
    let r = env.post(
        &format!("/api/v1/habilitations/{}/suspension", habs[1]),
        &p.caf_admin,
        json!({"reason": "Consultations anormales"}),
    );
    assert_eq!(r.body["suspended_by_caf"], true, "{r:?}");
    let r = env.post(
        &format!("/api/v1/habilitations/{}/reinstatement", habs[1]),
        &p.principal,
        json!({"reason": "Vérifié"}),
    );
    assert_eq!((r.status, r.code()), (409, "suspended_by_caf"));
    let r = env.post(
        &format!("/api/v1/habilitations/{}/devalidation", habs[1]),
        &p.caf_admin,
        json!({"reason": "?"}),
    );
    assert_eq!(
        r.status, 403,
        "in mode délégué the partner devalidates, the Caf suspends"
    );
    let r = env.post(
        &format!("/api/v1/habilitations/{}/reinstatement", habs[1]),
        &p.caf_admin,
        json!({"reason": "Levée après contrôle"}),
    );
    assert_eq!(r.body["status"], "active", "{r:?}");
    // The Caf forces a partner user to change their password.
    let r = env.post(
        &format!("/api/v1/accounts/{}/password-change-requirement", people[2]),
        &p.caf_admin,
        json!({"reason": "Poste partagé"}),
    );
    assert!(r.status < 300, "{r:?}");

    // Lowering the quota below use removes nobody: the excess is reported, grants refused.
    let r = env.put(
        &format!("/api/v1/subscriptions/{}/quotas", p.subscription),
        &p.caf_admin,
        json!({"profiles": [{"profile": "T13", "max_users": 2}, {"profile": "T1", "max_users": 2}],
               "amendment": {"summary": "Quota T13 ramené à 2", "caf_signed_on": day(0), "partner_signed_on": day(0)}}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let q = p.quota(&p.principal, "T13");
    assert_eq!(
        (&q["used"], &q["left"], &q["over_by"]),
        (&json!(3), &json!(0), &json!(1))
    );
    let over = env.get(
        &format!("/api/v1/cafs/{}/quota-use?over_quota=true", p.caf_id),
        &p.caf_admin,
    );
    assert_eq!(over.status, 200, "{over:?}");
    let lines = over.body["items"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(
        (&lines[0]["profile_code"], &lines[0]["partner_id"]),
        (&json!("T13"), &json!(p.id))
    );
    let newcomer = p.user(&p.principal, "new@ccas.example");
    let r = p.grant(&p.principal, json!({"account_id": newcomer}), &p.t13);
    assert_eq!((r.status, r.code()), (409, "quota_exceeded"));
    let unused = env.get(
        &format!("/api/v1/cafs/{}/unused-habilitations?days=30", p.caf_id),
        &p.caf_admin,
    );
    assert_eq!(
        unused.body["items"].as_array().unwrap().len(),
        3,
        "nobody signed in: {unused:?}"
    );

    // Withdrawing the delegation: the contract switches to mode centralisé by amendment;
    // managers lose their functions, habilitations stay.
    let r = env.put(
        &format!("/api/v1/conventions/{}/contract", p.convention),
        &p.caf_admin,
        json!({"management_mode": "centralise", "amendment": {"summary": "Retrait de la délégation", "caf_signed_on": day(0), "partner_signed_on": day(0)}}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let ds = env.get(
        &format!("/api/v1/partners/{}/delegations", p.id),
        &p.principal,
    );
    assert!(ds.body["items"][0]["withdrawn_at"].is_string(), "{ds:?}");
    let r = p.grant(&p.deputy, json!({"account_id": people[0]}), &p.t1);
    assert_eq!((r.status, r.code()), (409, "centralised_mode"), "{r:?}");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("adressez plutôt une demande à la Caf"),
        "{r:?}"
    );
    let r = env.post(
        &format!("/api/v1/partners/{}/groups", p.id),
        &p.principal,
        json!({"name": "G"}),
    );
    assert_eq!((r.status, r.code()), (409, "centralised_mode"));
    for h in &habs {
        assert_eq!(
            env.get(&format!("/api/v1/habilitations/{h}"), &p.principal)
                .body["status"],
            "active"
        );
    }
}

fn temporary_habilitations_expire(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    let who = p.user(&p.principal, "temp@ccas.example");
    let mut body = json!({"account_id": who, "profile_id": p.t13, "mission_id": p.mission, "ends_on": day(-1)});
    let r = env.post(
        &format!("/api/v1/partners/{}/habilitations", p.id),
        &p.principal,
        body.clone(),
    );
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("end_date_in_past"))
    );
    body["ends_on"] = json!(day(1));
    let r = env.post(
        &format!("/api/v1/partners/{}/habilitations", p.id),
        &p.principal,
        body,
    );
    assert_eq!(r.status, 201, "{r:?}");
    let hab = r.id();

    // Tomorrow it still runs; the day after, the job ends it.
    let now = Utc::now().naive_utc();
    assert_eq!(
        mcp_persistence::use_cases::habilitations::expire_due(
            &env.db,
            now + chrono::Duration::days(1)
        )
        .unwrap(),
        0
    );
    assert_eq!(
        mcp_persistence::use_cases::habilitations::expire_due(
            &env.db,
            now + chrono::Duration::days(2)
        )
        .unwrap(),
        1
    );
    let h = env.get(&format!("/api/v1/habilitations/{hab}"), &p.principal);
    assert_eq!(h.body["status"], "devalidated");
    assert!(h.body["status_reason"]
        .as_str()
        .unwrap()
        .contains("temporary mission ended"));
    assert_eq!(p.quota(&p.principal, "T13")["used"], 0);
    let traces = env.traces_of(&p.cnaf, &hab);
    let expired = traces
        .iter()
        .find(|t| t["action"] == "habilitation.expired")
        .unwrap();
    assert!(expired["actor_account_id"].is_null(), "done by the service");
    assert_eq!(
        mcp_persistence::use_cases::habilitations::expire_due(
            &env.db,
            now + chrono::Duration::days(3)
        )
        .unwrap(),
        0,
        "once"
    );
}

fn role_bundles_grant_all_or_nothing(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    let b = env.post(
        &format!("/api/v1/partners/{}/role-bundles", p.id),
        &p.principal,
        json!({"name": "Instruction sociale", "profile_ids": [p.t13, p.t1]}),
    );
    assert_eq!(b.status, 201, "{b:?}");
    let bundle = b.id();
    let r = env.post(
        &format!("/api/v1/partners/{}/role-bundles", p.id),
        &p.principal,
        json!({"name": "Instruction sociale", "profile_ids": [p.t13]}),
    );
    assert_eq!((r.status, r.code()), (409, "role_bundle_name_taken"));
    let grant = |who: &str| {
        env.post(
            &format!("/api/v1/role-bundles/{bundle}/grants"),
            &p.principal,
            json!({"account_id": who, "mission_id": p.mission}),
        )
    };
    let people: Vec<String> = (0..3)
        .map(|i| p.user(&p.principal, &format!("b{i}@ccas.example")))
        .collect();
    for who in &people[..2] {
        let r = grant(who);
        assert_eq!(r.status, 201, "{r:?}");
        assert_eq!(r.body.as_array().unwrap().len(), 2);
    }
    // T1 is full (2): the third person gets neither T1 nor T13.
    let r = grant(&people[2]);
    assert_eq!((r.status, r.code()), (409, "quota_exceeded"));
    assert_eq!(p.quota(&p.principal, "T13")["used"], 2);
    let listed = env.get(
        &format!("/api/v1/partners/{}/role-bundles", p.id),
        &p.deputy,
    );
    assert_eq!(
        listed.body["items"][0]["profile_ids"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

fn who_may_do_what(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    let who = p.user(&p.principal, "x@ccas.example");
    let hab = p
        .grant(&p.principal, json!({"account_id": who}), &p.t13)
        .id();
    let group = env
        .post(
            &format!("/api/v1/partners/{}/groups", p.id),
            &p.principal,
            json!({"name": "G"}),
        )
        .id();
    // Another partner of the same Caf, and another Caf.
    let other = env.partner(&p.caf_admin, SIRETS[1], "ccas");
    let other_admin = env.partner_admin(&p.caf_admin, &other, "principal", "o@other.example");
    let caf2 = env.caf(&p.cnaf, "772");
    let caf2_admin = env.caf_admin(&p.cnaf, &caf2, "b@caf2.example");
    let (_, plain_user) = p.user_who_logs_in(&p.principal, "plain@ccas.example");

    let pid = &p.id;
    // (method, path, body)
    let endpoints: Vec<(&str, String, Option<Value>)> = vec![
        (
            "POST",
            format!("/api/v1/partners/{pid}/habilitations"),
            Some(json!({"account_id": who, "profile_id": p.t1, "mission_id": p.mission})),
        ),
        ("GET", format!("/api/v1/partners/{pid}/habilitations"), None),
        ("GET", format!("/api/v1/habilitations/{hab}"), None),
        ("GET", format!("/api/v1/habilitations/{hab}/history"), None),
        ("GET", format!("/api/v1/partners/{pid}/quota-use"), None),
        ("GET", format!("/api/v1/partners/{pid}/users"), None),
        ("GET", format!("/api/v1/groups/{group}"), None),
        (
            "POST",
            format!("/api/v1/partners/{pid}/groups"),
            Some(json!({"name": "H"})),
        ),
        (
            "POST",
            format!("/api/v1/groups/{group}/members"),
            Some(json!({"account_id": who})),
        ),
        (
            "POST",
            format!("/api/v1/partners/{pid}/users"),
            Some(
                json!({"full_name": "Y", "function_title": "Z", "email": "y@ccas.example", "phone": "0102030405"}),
            ),
        ),
        (
            "POST",
            format!("/api/v1/habilitations/{hab}/suspension"),
            Some(json!({"reason": "r"})),
        ),
        (
            "POST",
            format!("/api/v1/habilitations/{hab}/questions"),
            Some(json!({"question": "q"})),
        ),
        ("GET", format!("/api/v1/cafs/{}/quota-use", p.caf_id), None),
    ];
    // Expected status per caller, endpoint by endpoint (in the order above).
    let expectations: [(&str, &String, [u16; 13]); 5] = [
        // The other partner's administrator: another partner's objects do not exist, whatever
        // is asked of them (no 403 that would tell they do).
        (
            "other partner",
            &other_admin,
            [
                404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404,
            ],
        ),
        // Another Caf's administrator: neither.
        (
            "other caf",
            &caf2_admin,
            [
                404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404,
            ],
        ),
        // The Caf: reads and supervises, does not manage in mode délégué.
        (
            "caf",
            &p.caf_admin,
            [
                403, 200, 200, 200, 200, 200, 200, 403, 403, 403, 200, 201, 200,
            ],
        ),
        // A partner user without a delegation: their partner's management is above them.
        (
            "plain user",
            &plain_user,
            [
                403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403,
            ],
        ),
        // The Cnaf audits, manages nothing of a partner's.
        (
            "cnaf",
            &p.cnaf,
            [
                403, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403, 200,
            ],
        ),
    ];
    for (who_calls, token, expected) in expectations {
        for ((method, path, body), want) in endpoints.iter().zip(expected) {
            let r = env.call(method, path, Some(token), body.as_ref());
            assert_eq!(r.status, want, "{who_calls}: {method} {path}: {r:?}");
        }
    }
    // And the partner's own administrator may do all of it but the Caf's supervision.
    let r = env.get(&format!("/api/v1/partners/{pid}/habilitations"), &p.deputy);
    assert_eq!(r.status, 200);
}

/// Every route that names one of a partner's objects, asked by people of other organisations —
/// another partner's administrator and plain user in the same Caf, another Caf's administrator
/// and one of its partners' administrators — gets the answer a random id gets: 404, with the
/// same code. Nothing tells that the object exists, nor what the caller's role could have done
/// with it (DOMAIN.md §8: what is outside one's reach does not exist).
fn outsiders_are_told_nothing_exists(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    let pid = p.id.clone();
    let (who, _) = p.user_who_logs_in(&p.principal, "x@ccas.example");
    let hab = p
        .grant(&p.principal, json!({"account_id": who}), &p.t13)
        .id();
    let group = env
        .post(
            &format!("/api/v1/partners/{pid}/groups"),
            &p.principal,
            json!({"name": "G"}),
        )
        .id();
    let delegation = env.post(
        &format!("/api/v1/partners/{pid}/delegations"),
        &p.principal,
        json!({"account_id": who, "functions": ["groups"]}),
    );
    assert_eq!(delegation.status, 201, "{delegation:?}");
    let delegation = delegation.id();
    let bundle = env
        .post(
            &format!("/api/v1/partners/{pid}/role-bundles"),
            &p.principal,
            json!({"name": "Instruction", "profile_ids": [p.t13]}),
        )
        .id();
    let question = env
        .post(
            &format!("/api/v1/habilitations/{hab}/questions"),
            &p.caf_admin,
            json!({"question": "Pourquoi ?"}),
        )
        .id();
    let client = env.post(
        &format!("/api/v1/partners/{pid}/client-applications"),
        &p.caf_admin,
        json!({"name": "Logiciel", "redirect_uris": ["https://logiciel.example/retour"], "scopes": "profile"}),
    );
    assert_eq!(client.status, 201, "{client:?}");
    let client = client.body["client_id"].as_str().unwrap().to_string();
    let opened = env.post(
        &format!("/api/v1/cafs/{}/review-campaigns", p.caf_id),
        &p.caf_admin,
        json!({"year": Utc::now().year(), "due_on": day(30)}),
    );
    assert_eq!(opened.status, 200, "{opened:?}");
    let campaign = env
        .get(
            &format!("/api/v1/partners/{pid}/review-campaigns"),
            &p.principal,
        )
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let item = env
        .get(
            &format!("/api/v1/review-campaigns/{campaign}"),
            &p.principal,
        )
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // The outsiders.
    let other = env.partner(&p.caf_admin, SIRETS[1], "ccas");
    let other_admin = env.partner_admin(&p.caf_admin, &other, "principal", "o@other.example");
    let r = env.post(
        &format!("/api/v1/partners/{other}/users"),
        &other_admin,
        json!({"full_name": "Léa Roux", "function_title": "Agent", "email": "lea@other.example", "phone": "01 02 03 04 05"}),
    );
    let other_user =
        env.activate_from_mail(r.body["identifier"].as_str().unwrap(), "lea@other.example");
    let caf2 = env.caf(&p.cnaf, "772");
    let caf2_admin = env.caf_admin(&p.cnaf, &caf2, "b@caf2.example");
    let far = env.partner(&caf2_admin, SIRETS[2], "ccas");
    let far_admin = env.partner_admin(&caf2_admin, &far, "principal", "f@far.example");

    let random = uuid::Uuid::new_v4().to_string();
    let (conv, sub, t13, mission) = (&p.convention, &p.subscription, &p.t13, &p.mission);
    // (method, path with {} for the object, the partner's object, body)
    let routes: Vec<(&str, &str, &str, Value)> = vec![
        ("GET", "/partners/{}", &pid, json!(null)),
        (
            "PUT",
            "/partners/{}",
            &pid,
            mcp_integration_tests::partner_body(SIRETS[0], "ccas"),
        ),
        ("GET", "/partners/{}/administrators", &pid, json!(null)),
        (
            "POST",
            "/partners/{}/administrators",
            &pid,
            json!({"rank": "deputy", "full_name": "X", "function_title": "Y", "email": "z@ccas.example"}),
        ),
        ("GET", "/partners/{}/conventions", &pid, json!(null)),
        (
            "POST",
            "/partners/{}/conventions",
            &pid,
            json!({"number": "771-2026-0099", "missions": ["FSL"]}),
        ),
        ("GET", "/conventions/{}", conv, json!(null)),
        ("GET", "/conventions/{}/amendments", conv, json!(null)),
        ("GET", "/conventions/{}/contract", conv, json!(null)),
        (
            "PUT",
            "/conventions/{}/contract",
            conv,
            json!({"management_mode": "delegue"}),
        ),
        (
            "POST",
            "/conventions/{}/termination",
            conv,
            json!({"kind": "unilateral", "initiated_by": "caf", "received_on": day(0), "reason": "x"}),
        ),
        (
            "POST",
            "/conventions/{}/termination/withdrawal",
            conv,
            json!({"reason": "x"}),
        ),
        ("GET", "/conventions/{}/subscriptions", conv, json!(null)),
        (
            "POST",
            "/conventions/{}/subscriptions",
            conv,
            json!({"service": "CDAP", "profiles": [{"profile": "T2", "max_users": 1}]}),
        ),
        ("GET", "/subscriptions/{}", sub, json!(null)),
        (
            "PUT",
            "/subscriptions/{}/quotas",
            sub,
            json!({"profiles": [{"profile": "T13", "max_users": 9}]}),
        ),
        ("GET", "/partners/{}/users", &pid, json!(null)),
        (
            "POST",
            "/partners/{}/users",
            &pid,
            json!({"full_name": "Y", "function_title": "Z", "email": "y@ccas.example", "phone": "0102030405"}),
        ),
        (
            "POST",
            "/accounts/{}/closure",
            &who,
            json!({"reason": "Mutation"}),
        ),
        (
            "POST",
            "/accounts/{}/suspension",
            &who,
            json!({"reason": "précaution"}),
        ),
        (
            "POST",
            "/accounts/{}/reinstatement",
            &who,
            json!({"reason": "vérifié"}),
        ),
        (
            "POST",
            "/accounts/{}/sessions/revocation",
            &who,
            json!({"reason": "précaution"}),
        ),
        (
            "POST",
            "/accounts/{}/password-change-requirement",
            &who,
            json!({"reason": "Poste partagé"}),
        ),
        ("GET", "/accounts/{}/habilitations", &who, json!(null)),
        ("GET", "/partners/{}/habilitations", &pid, json!(null)),
        (
            "POST",
            "/partners/{}/habilitations",
            &pid,
            json!({"account_id": who, "profile_id": p.t1, "mission_id": mission}),
        ),
        ("GET", "/habilitations/{}", &hab, json!(null)),
        ("GET", "/habilitations/{}/history", &hab, json!(null)),
        ("GET", "/habilitations/{}/questions", &hab, json!(null)),
        (
            "POST",
            "/habilitations/{}/questions",
            &hab,
            json!({"question": "q"}),
        ),
        (
            "POST",
            "/habilitations/{}/suspension",
            &hab,
            json!({"reason": "r"}),
        ),
        (
            "POST",
            "/habilitations/{}/reinstatement",
            &hab,
            json!({"reason": "r"}),
        ),
        (
            "POST",
            "/habilitations/{}/devalidation",
            &hab,
            json!({"reason": "r"}),
        ),
        (
            "GET",
            "/partners/{}/habilitation-questions",
            &pid,
            json!(null),
        ),
        (
            "POST",
            "/habilitation-questions/{}/answer",
            &question,
            json!({"answer": "FSL"}),
        ),
        ("GET", "/partners/{}/groups", &pid, json!(null)),
        ("POST", "/partners/{}/groups", &pid, json!({"name": "H"})),
        ("GET", "/groups/{}", &group, json!(null)),
        (
            "POST",
            "/groups/{}/members",
            &group,
            json!({"account_id": who}),
        ),
        ("GET", "/partners/{}/delegations", &pid, json!(null)),
        (
            "POST",
            "/partners/{}/delegations",
            &pid,
            json!({"account_id": who, "functions": ["users"]}),
        ),
        (
            "POST",
            "/delegations/{}/withdrawal",
            &delegation,
            json!({"reason": "x"}),
        ),
        ("GET", "/partners/{}/role-bundles", &pid, json!(null)),
        (
            "POST",
            "/partners/{}/role-bundles",
            &pid,
            json!({"name": "B", "profile_ids": [t13]}),
        ),
        (
            "POST",
            "/role-bundles/{}/grants",
            &bundle,
            json!({"account_id": who, "mission_id": mission}),
        ),
        ("GET", "/partners/{}/quota-use", &pid, json!(null)),
        ("GET", "/partners/{}/requests", &pid, json!(null)),
        ("GET", "/partners/{}/escalation-contacts", &pid, json!(null)),
        ("GET", "/partners/{}/client-applications", &pid, json!(null)),
        (
            "POST",
            "/partners/{}/client-applications",
            &pid,
            json!({"name": "L", "redirect_uris": ["https://l.example/r"], "scopes": "profile"}),
        ),
        (
            "POST",
            "/client-applications/{}/approval",
            &client,
            json!({}),
        ),
        (
            "POST",
            "/client-applications/{}/revocation",
            &client,
            json!({"reason": "r"}),
        ),
        ("GET", "/partners/{}/review-campaigns", &pid, json!(null)),
        ("GET", "/review-campaigns/{}", &campaign, json!(null)),
        ("GET", "/review-campaigns/{}/report", &campaign, json!(null)),
        (
            "POST",
            "/review-campaigns/{}/completion",
            &campaign,
            json!({}),
        ),
        ("GET", "/partners/{}/annual-review", &pid, json!(null)),
    ];
    let mut routes: Vec<(String, String, String, Value)> = routes
        .into_iter()
        .map(|(m, path, id, body)| (m.to_string(), path.to_string(), id.to_string(), body))
        .collect();
    routes.push((
        "DELETE".into(),
        format!("/groups/{{}}/members/{who}"),
        group.clone(),
        json!(null),
    ));
    routes.push((
        "POST".into(),
        format!("/review-campaigns/{{}}/items/{item}/decision"),
        campaign.clone(),
        json!({"decision": "confirmed"}),
    ));
    routes.push((
        "POST".into(),
        format!("/partners/{{}}/staff/{who}/subject-access"),
        pid.clone(),
        json!({}),
    ));
    routes.push((
        "GET".into(),
        format!("/partners/{{}}/profiles/{t13}/holders"),
        pid.clone(),
        json!(null),
    ));
    let mut wrong = vec![];
    for (caller, token) in [
        ("another partner's administrator", &other_admin),
        ("another partner's user", &other_user),
        ("another Caf's administrator", &caf2_admin),
        ("another Caf's partner administrator", &far_admin),
    ] {
        for (method, path, id, body) in &routes {
            let body = (!body.is_null()).then_some(body);
            let seen = env.call(
                method,
                &format!("/api/v1{}", path.replacen("{}", id, 1)),
                Some(token),
                body,
            );
            let unseen = env.call(
                method,
                &format!("/api/v1{}", path.replacen("{}", &random, 1)),
                Some(token),
                body,
            );
            if (seen.status, seen.code()) != (404, unseen.code()) || unseen.status != 404 {
                wrong.push(format!(
                    "{caller}: {method} {path}: {} {} (random id: {} {})",
                    seen.status,
                    seen.code(),
                    unseen.status,
                    unseen.code()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Nothing was changed by any of it.
    let r = env.get(&format!("/api/v1/habilitations/{hab}"), &p.principal);
    assert_eq!(r.body["status"], "active");
    let _ = &p.deputy_id;
}

/// A name nobody can read — only zero-width, combining or format characters, no letter — or one
/// that reorders itself on screen (bidirectional controls) is refused, whether the manager
/// creates the account or a Caf names an administrator; nothing is created.
fn names_nobody_can_read_are_refused(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    let users = |env: &TestEnv| {
        env.get(&format!("/api/v1/partners/{}/users", p.id), &p.principal)
            .body["items"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = users(env);
    for (i, (name, code)) in [
        ("\u{200B}\u{200C}\u{200D}", "no_visible_character"),
        ("\u{FEFF}\u{2060}\u{00AD}", "no_visible_character"),
        ("\u{0301}\u{0308}\u{0327}", "no_visible_character"),
        ("Anne \u{202E}nitraM", "invalid_characters"),
        ("\u{2067}Paul Leroy\u{2069}", "invalid_characters"),
        ("12 34", "no_letter"),
    ]
    .into_iter()
    .enumerate()
    {
        let r = env.post(
            &format!("/api/v1/partners/{}/users", p.id),
            &p.principal,
            json!({"full_name": name, "function_title": "Agent", "email": format!("n{i}@ccas.example"), "phone": "01 02 03 04 05"}),
        );
        assert_eq!(
            (
                r.status,
                r.body["errors"][0]["field"].as_str(),
                r.body["errors"][0]["code"].as_str()
            ),
            (422, Some("full_name"), Some(code)),
            "{name:?}: {r:?}"
        );
        let r = env.post(
            &format!("/api/v1/partners/{}/administrators", p.id),
            &p.caf_admin,
            json!({"rank": "deputy", "full_name": name, "function_title": "Adjoint", "email": format!("a{i}@ccas.example")}),
        );
        assert_eq!(r.status, 422, "{name:?}: {r:?}");
    }
    assert_eq!(users(env), before, "nothing was created");
    // Accents and combining marks on letters are names like any other.
    let r = env.post(
        &format!("/api/v1/partners/{}/users", p.id),
        &p.principal,
        json!({"full_name": "Zoe\u{0301} N\u{0303}un\u{0303}ez", "function_title": "Agent", "email": "zoe@ccas.example", "phone": "01 02 03 04 05"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
}

/// One person, one account per partner (C-art. 9.2), and four eyes between persons, not
/// accounts: an administrator cannot make herself a second account and habilitate it.
fn one_person_one_account(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    let create = |email: &str, name: &str| {
        env.post(
            &format!("/api/v1/partners/{}/users", p.id),
            &p.principal,
            json!({"full_name": name, "function_title": "Agent", "email": email, "phone": "01 02 03 04 05"}),
        )
    };
    let users = || {
        env.get(&format!("/api/v1/partners/{}/users", p.id), &p.principal)
            .body["items"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = users();
    // The principal administrator (claire@ccas.example) under her own mailbox: refused, however
    // the address is written.
    for email in [
        "claire@ccas.example",
        "Claire@CCAS.example",
        "claire+agent@ccas.example",
    ] {
        let r = create(email, "Agent Double");
        assert_eq!(
            (r.status, r.code()),
            (409, "person_already_has_account"),
            "{email}: {r:?}"
        );
    }
    assert_eq!(users(), before, "nothing created");
    let queued: i64 = env
        .db
        .read(|c| {
            #[derive(diesel::QueryableByName)]
            struct N {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let q = "SELECT COUNT(*) AS n FROM outbox WHERE body LIKE '%Agent Double%'";
            Ok(diesel::RunQueryDsl::get_result::<N>(diesel::sql_query(q), c)?.n)
        })
        .unwrap();
    assert_eq!(queued, 0, "no code sent");
    // Under her own name with another mailbox: the account may exist (namesakes do), but she
    // cannot habilitate it; the other administrator may.
    let claire_name = env.get("/api/v1/me", &p.principal).body["full_name"]
        .as_str()
        .unwrap()
        .to_string();
    let twin = create("c.perso@mail.example", &claire_name.to_uppercase());
    assert_eq!(twin.status, 201, "{twin:?}");
    let twin = twin.id();
    let r = p.grant(&p.principal, json!({"account_id": twin}), &p.t13);
    assert_eq!((r.status, r.code()), (403, "self_grant"), "{r:?}");
    let r = p.grant(&p.deputy, json!({"account_id": twin}), &p.t13);
    assert_eq!(r.status, 201, "{r:?}");

    // The same mailbox twice among users, even at once: one account.
    let first = create("julie@ccas.example", "Julie Martin");
    assert_eq!(first.status, 201, "{first:?}");
    assert_eq!(
        create("JULIE@ccas.example", "Julie M.").code(),
        "person_already_has_account"
    );
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| create("marc@ccas.example", "Marc Lenoir").status))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        (
            statuses.iter().filter(|s| **s == 201).count(),
            statuses.iter().filter(|s| **s == 409).count()
        ),
        (1, 7),
        "{statuses:?}"
    );
    // Once the account is closed, the person may be given a new one.
    let r = env.post(
        &format!("/api/v1/accounts/{}/closure", first.id()),
        &p.principal,
        json!({"reason": "Départ"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(create("julie@ccas.example", "Julie Martin").status, 201);
    // Another partner is another matter: the same person may work for both.
    let other = env.partner(&p.caf_admin, SIRETS[1], "ccas");
    let other_admin = env.partner_admin(&p.caf_admin, &other, "principal", "o@other.example");
    let r = env.post(
        &format!("/api/v1/partners/{other}/users"),
        &other_admin,
        json!({"full_name": "Julie Martin", "function_title": "Agent", "email": "julie@ccas.example", "phone": "01 02 03 04 05"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
}

/// A contract may list the partner's own e-mail domains: accounts of its staff are then created
/// within them, so that credentials go to the organisation's mailboxes.
fn accounts_within_the_partners_email_domains(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    let contract = format!("/api/v1/conventions/{}/contract", p.convention);
    let amendment = json!({"summary": "Domaines de messagerie", "caf_signed_on": day(0), "partner_signed_on": day(0)});
    let r = env.put(
        &contract,
        &p.caf_admin,
        json!({"management_mode": "delegue", "email_domains": ["ccas.example", "x@y"], "amendment": amendment}),
    );
    assert_eq!(
        (
            r.status,
            r.body["errors"][0]["field"].as_str(),
            r.body["errors"][0]["code"].as_str()
        ),
        (422, Some("email_domains[1]"), Some("invalid_domain")),
        "{r:?}"
    );
    let r = env.put(
        &contract,
        &p.caf_admin,
        json!({"management_mode": "delegue", "email_domains": [" @CCAS.example", "ville.example"], "amendment": amendment}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.body["email_domains"],
        json!(["ccas.example", "ville.example"])
    );
    assert_eq!(
        env.get(&contract, &p.principal).body["email_domains"],
        json!(["ccas.example", "ville.example"])
    );
    let create = |email: &str| {
        env.post(
            &format!("/api/v1/partners/{}/users", p.id),
            &p.principal,
            json!({"full_name": format!("Agent {email}"), "function_title": "Agent", "email": email, "phone": "01 02 03 04 05"}),
        )
    };
    for outside in [
        "lea@gmail.example",
        "lea@evilccas.example",
        "lea@ccas.example.evil.example",
    ] {
        let r = create(outside);
        assert_eq!(
            (
                r.status,
                r.body["errors"][0]["field"].as_str(),
                r.body["errors"][0]["code"].as_str()
            ),
            (422, Some("email"), Some("email_outside_partner_domains")),
            "{outside}: {r:?}"
        );
    }
    for inside in ["lea@ccas.example", "marc@services.ville.example"] {
        assert_eq!(create(inside).status, 201, "{inside}");
    }
}

/// When a convention's termination takes effect, its habilitations are devalidated — direct
/// and group ones — so that their six-year retention starts (S-art. 5.3.2); not before.
fn a_terminated_convention_ends_its_habilitations(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    let who = p.user(&p.principal, "x@ccas.example");
    let direct = p
        .grant(&p.principal, json!({"account_id": who}), &p.t13)
        .id();
    let group = env
        .post(
            &format!("/api/v1/partners/{}/groups", p.id),
            &p.principal,
            json!({"name": "G"}),
        )
        .id();
    let by_group = p
        .grant(&p.principal, json!({"group_id": group}), &p.t1)
        .id();
    let r = env.post(
        &format!("/api/v1/conventions/{}/termination", p.convention),
        &p.caf_admin,
        json!({"kind": "unilateral", "initiated_by": "caf", "received_on": day(0), "reason": "Fin du partenariat"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let effective = chrono::NaiveDate::parse_from_str(
        r.body["termination"]["effective_on"].as_str().unwrap(),
        "%Y-%m-%d",
    )
    .unwrap();
    let at = |d: chrono::NaiveDate| d.and_hms_opt(0, 5, 0).unwrap();
    let run = |d| mcp_persistence::use_cases::habilitations::expire_due(&env.db, at(d)).unwrap();
    let status = |h: &str| {
        env.get(&format!("/api/v1/habilitations/{h}"), &p.caf_admin)
            .body["status"]
            .clone()
    };
    // Notified, not yet in effect: access and habilitations stay.
    assert_eq!(run(effective - chrono::Duration::days(1)), 0);
    assert_eq!(status(&direct), "active");
    // The day it takes effect: both devalidated, once.
    assert_eq!(run(effective), 2);
    assert_eq!(run(effective), 0);
    for h in [&direct, &by_group] {
        assert_eq!(status(h), "devalidated", "{h}");
        let traces = env.traces_of(&p.cnaf, h);
        let ended = traces
            .iter()
            .find(|t| t["action"] == "habilitation.convention_ended")
            .unwrap_or_else(|| panic!("{traces:?}"));
        assert!(ended["actor_account_id"].is_null(), "done by the service");
    }
}

/// A profile withdrawn from the bulletin by amendment takes its habilitations with it
/// (devalidated, kept); the others stay.
fn a_profile_withdrawn_from_the_bulletin_ends_its_habilitations(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    let who = p.user(&p.principal, "x@ccas.example");
    let t13 = p
        .grant(&p.principal, json!({"account_id": who}), &p.t13)
        .id();
    let t1 = p
        .grant(&p.principal, json!({"account_id": who}), &p.t1)
        .id();
    let r = env.put(
        &format!("/api/v1/subscriptions/{}/quotas", p.subscription),
        &p.caf_admin,
        json!({"profiles": [{"profile": "T13", "max_users": 4}],
               "amendment": {"summary": "Retrait du profil T1", "caf_signed_on": day(0), "partner_signed_on": day(0)}}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let status = |h: &str| {
        env.get(&format!("/api/v1/habilitations/{h}"), &p.caf_admin)
            .body
            .clone()
    };
    let ended = status(&t1);
    assert_eq!(ended["status"], "devalidated", "{ended:?}");
    assert!(
        ended["status_reason"].as_str().unwrap().contains("T1"),
        "{ended:?}"
    );
    assert_eq!(status(&t13)["status"], "active");
    // And T1 cannot be granted any more.
    let r = p.grant(&p.principal, json!({"account_id": who}), &p.t1);
    assert_eq!(r.status, 422, "{r:?}");
}

/// The administrators' own habilitations are managed by the Caf's administrator only (S-art.
/// 2.2.2) — so a partner with a single administrator can be habilitated too; everyone else's by
/// the partner in mode délégué, and by the Caf once management is its own.
fn the_caf_manages_the_administrators_habilitations(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    let h = p.grant(&p.caf_admin, json!({"account_id": p.deputy_id}), &p.t1);
    assert_eq!(h.status, 201, "{h:?}");
    let h = h.id();
    let step = |token: &str, h: &str, step: &str| {
        env.post(
            &format!("/api/v1/habilitations/{h}/{step}"),
            token,
            json!({"reason": "Départ"}),
        )
    };
    let r = step(&p.principal, &h, "devalidation");
    assert_eq!(
        (r.status, r.code()),
        (403, "administrator_rights_by_caf"),
        "{r:?}"
    );
    let r = step(&p.principal, &h, "suspension");
    assert_eq!(
        (r.status, r.code()),
        (403, "administrator_rights_by_caf"),
        "{r:?}"
    );
    // An administrator cannot reach them through a group either.
    let group = env
        .post(
            &format!("/api/v1/partners/{}/groups", p.id),
            &p.principal,
            json!({"name": "G"}),
        )
        .id();
    assert_eq!(
        p.grant(&p.principal, json!({"group_id": group}), &p.t13)
            .status,
        201
    );
    let r = env.post(
        &format!("/api/v1/groups/{group}/members"),
        &p.principal,
        json!({"account_id": p.deputy_id}),
    );
    assert_eq!(
        (r.status, r.code()),
        (403, "administrator_rights_by_caf"),
        "{r:?}"
    );
    // The Caf devalidates it; it does not manage the partner's users in mode délégué.
    let r = step(&p.caf_admin, &h, "devalidation");
    assert_eq!(r.status, 200, "{r:?}");
    let who = p.user(&p.principal, "x@ccas.example");
    let r = p.grant(&p.caf_admin, json!({"account_id": who}), &p.t13);
    assert_eq!((r.status, r.code()), (403, "delegated_to_partner"), "{r:?}");
    let mine = p
        .grant(&p.principal, json!({"account_id": who}), &p.t13)
        .id();
    let r = step(&p.caf_admin, &mine, "devalidation");
    assert_eq!((r.status, r.code()), (403, "delegated_to_partner"), "{r:?}");
    // Once the Caf takes management back (mode centralisé), it grants and devalidates itself.
    let r = env.put(
        &format!("/api/v1/conventions/{}/contract", p.convention),
        &p.caf_admin,
        json!({"management_mode": "centralise", "amendment": {"summary": "Reprise de la gestion", "caf_signed_on": day(0), "partner_signed_on": day(0)}}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let r = step(&p.caf_admin, &mine, "devalidation");
    assert_eq!(r.status, 200, "{r:?}");
    let r = p.grant(&p.caf_admin, json!({"account_id": who}), &p.t1);
    assert_eq!(r.status, 201, "{r:?}");
}

/// "Supprimer la délégation et reprendre la main" (S-art. 2.2.1) is the Caf's own supervision
/// act: no amendment, no partner signature. Delegations end, the Caf grants and devalidates, the
/// partner files requests — until the Caf gives management back.
fn the_caf_takes_management_back_without_an_amendment(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    let (manager_id, manager) = p.user_who_logs_in(&p.principal, "marc@ccas.example");
    let r = env.post(
        &format!("/api/v1/partners/{}/delegations", p.id),
        &p.principal,
        json!({"account_id": manager_id, "functions": ["users"]}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let who = p.user(&p.principal, "x@ccas.example");
    let takeover = format!("/api/v1/partners/{}/management-takeover", p.id);
    // Not the partner's to take, nor the Cnaf's.
    assert_eq!(
        env.post(&takeover, &p.principal, json!({"reason": "x"}))
            .status,
        403
    );
    assert_eq!(
        env.post(&takeover, &p.cnaf, json!({"reason": "x"})).status,
        403
    );
    let r = env.post(
        &takeover,
        &p.caf_admin,
        json!({"reason": "Habilitations non justifiées"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body["management_taken_over_at"].is_string(), "{r:?}");
    assert_eq!(
        r.body["management_takeover_reason"],
        "Habilitations non justifiées"
    );
    assert_eq!(
        env.post(&takeover, &p.caf_admin, json!({"reason": "x"}))
            .code(),
        "management_already_taken_over"
    );
    // The contract did not change; the partner is managed as in mode centralisé.
    let contract = env.get(
        &format!("/api/v1/conventions/{}/contract", p.convention),
        &p.caf_admin,
    );
    assert_eq!(contract.body["management_mode"], "delegue");
    let r = p.grant(&p.principal, json!({"account_id": who}), &p.t13);
    assert_eq!((r.status, r.code()), (409, "centralised_mode"), "{r:?}");
    let r = env.post(
        &format!("/api/v1/partners/{}/users", p.id),
        &manager,
        json!({"full_name": "Y", "function_title": "Z", "email": "y@ccas.example", "phone": "0102030405"}),
    );
    assert_eq!(r.status, 403, "the delegation was withdrawn: {r:?}");
    let h = p.grant(&p.caf_admin, json!({"account_id": who}), &p.t13);
    assert_eq!(h.status, 201, "{h:?}");
    let r = env.post(
        &format!("/api/v1/habilitations/{}/devalidation", h.id()),
        &p.caf_admin,
        json!({"reason": "Non justifiée"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    // The administrators were told; the act is traced.
    assert!(
        env.delivered("claire@ccas.example", "gestion des habilitations")
            && env.delivered("paul@ccas.example", "gestion des habilitations"),
        "both administrators are told"
    );
    let traces = env.traces_of(&p.cnaf, &p.id);
    assert!(
        traces
            .iter()
            .any(|t| t["action"] == "partner.management_taken_over"),
        "{traces:?}"
    );
    // Given back: the partner manages again.
    let back = format!("{takeover}/withdrawal");
    let r = env.post(
        &back,
        &p.caf_admin,
        json!({"reason": "Justifications reçues"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body["management_taken_over_at"].is_null());
    assert_eq!(
        env.post(&back, &p.caf_admin, json!({"reason": "x"})).code(),
        "management_not_taken_over"
    );
    let r = p.grant(&p.principal, json!({"account_id": who}), &p.t13);
    assert_eq!(r.status, 201, "{r:?}");
}

/// The holder of a temporary habilitation and the manager who granted it are told, once,
/// fifteen days (the default) before it ends.
fn the_end_of_a_temporary_habilitation_is_announced(engine: Engine) {
    let p = Partner::new(engine);
    let env = &p.env;
    let (who, _) = p.user_who_logs_in(&p.principal, "lea@ccas.example");
    let ends_on = Utc::now().date_naive() + chrono::Duration::days(20);
    let r = p.grant(
        &p.principal,
        json!({"account_id": who, "ends_on": ends_on.to_string()}),
        &p.t13,
    );
    assert_eq!(r.status, 201, "{r:?}");
    let hab = r.id();
    let now = Utc::now().naive_utc();
    let remind =
        |at| mcp_persistence::use_cases::habilitations::remind_ending(&env.db, at, 15).unwrap();
    assert_eq!(remind(now), 0, "twenty days ahead: not yet");
    assert_eq!(remind(now + chrono::Duration::days(6)), 1);
    assert_eq!(remind(now + chrono::Duration::days(7)), 0, "once");
    let date = ends_on.format("%d/%m/%Y").to_string();
    assert!(
        env.delivered("lea@ccas.example", &date),
        "the holder is told"
    );
    assert!(
        env.delivered("claire@ccas.example", &date),
        "the manager who granted it is told"
    );
    let traces = env.traces_of(&p.cnaf, &hab);
    assert!(
        traces
            .iter()
            .any(|t| t["action"] == "habilitation.end_reminded"),
        "{traces:?}"
    );
}

fn a_temporary_profile_is_granted_with_its_end(engine: Engine) {
    // T16 (Dalo / Ccapex) is opened "temporarily" (bulletin): a habilitation to it says until
    // when, or is refused; the catalogue says which profiles are so.
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "771");
    let admin = env.caf_admin(&cnaf, &caf, "anne@caf77.example");
    let partner = env.partner(&admin, SIRETS[1], "commission_mediation_logement");
    let (mission, profiles) =
        env.active_convention_with(&admin, &partner, "771-2026-0016", &[("T16", 2)]);
    let t16 = profiles[0].clone();
    let manager = env.partner_admin(&admin, &partner, "principal", "claire@comed77.example");
    let r = env.post(
        &format!("/api/v1/partners/{partner}/users"),
        &manager,
        json!({"full_name": "Karim Benali", "function_title": "Rapporteur", "email": "karim@comed77.example", "phone": "01 64 13 55 03"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let who = r.id();

    let services = env.get("/api/v1/services", &manager);
    let profiles = services.body["items"][0]["profiles"].as_array().unwrap();
    let temporary: Vec<&str> = profiles
        .iter()
        .filter(|p| p["temporary"] == true)
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(temporary, ["T16"]);

    let path = format!("/api/v1/partners/{partner}/habilitations");
    let mut body = json!({"account_id": who, "profile_id": t16, "mission_id": mission});
    let r = env.post(&path, &manager, body.clone());
    assert_eq!(
        (
            r.status,
            r.body["errors"][0]["field"].as_str(),
            r.body["errors"][0]["code"].as_str()
        ),
        (422, Some("ends_on"), Some("end_date_required")),
        "{r:?}"
    );
    let held = env.get(&format!("/api/v1/accounts/{who}/habilitations"), &manager);
    assert_eq!(
        held.body["habilitations"],
        json!([]),
        "the refusal granted nothing"
    );
    body["ends_on"] = json!(day(90));
    let r = env.post(&path, &manager, body);
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.body["ends_on"], day(90));
}

fn administrators_export_their_users_and_habilitations(engine: Engine) {
    // The partner's administrators keep their users and habilitations in a spreadsheet: the file
    // opens as is in French Excel (mark, `;`, French headings, labels and dates), in English on
    // request; only those who read the partner's habilitations get it, and it is traced.
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "anne@caf.example");
    let partner = env.partner(&admin, SIRETS[0], "ccas");
    let (mission, profiles) =
        env.active_convention_with(&admin, &partner, "761-2026-0042", &[("T13", 2)]);
    let manager = env.partner_admin(&admin, &partner, "principal", "claire@ccas.example");
    let r = env.post(
        &format!("/api/v1/partners/{partner}/users"),
        &manager,
        json!({"full_name": "Hélène d'Arcy", "function_title": "Conseillère ESF; accueil", "email": "helene@ccas.example", "phone": "01 64 13 55 09"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let helene = r.id();
    let r = env.post(
        &format!("/api/v1/partners/{partner}/habilitations"),
        &manager,
        json!({"account_id": helene, "profile_id": profiles[0], "mission_id": mission}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let today = chrono::Utc::now().format("%d/%m/%Y").to_string();

    let users = format!("/api/v1/partners/{partner}/users/export");
    let (status, ct, file) = env.text(&users, &manager, "fr-FR,fr;q=0.9");
    assert_eq!(
        (status, ct.as_str()),
        (200, "text/csv; charset=utf-8"),
        "{file}"
    );
    let file = file
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark first");
    let lines: Vec<&str> = file.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(
        lines[0].starts_with("\"Identifiant\";\"Nom et prénom\";\"Fonction\";\"Rôle\""),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines.len(),
        3,
        "the principal administrator and Hélène: {file}"
    );
    let line = lines.iter().find(|l| l.contains("Hélène d'Arcy")).unwrap();
    for part in [
        "\"Conseillère ESF; accueil\"",
        "\"Utilisateur\"",
        "\"En attente d'activation\"",
        "\"helene@ccas.example\"",
    ] {
        assert!(line.contains(part), "{part}: {line}");
    }
    assert!(
        line.contains(&format!("\"{today} ")),
        "a French date: {line}"
    );
    assert!(
        file.contains("\"Administrateur principal\";\"claire@ccas.example\""),
        "{file}"
    );
    let (_, _, english) = env.text(&users, &manager, "en");
    assert!(
        english.starts_with("identifier,full_name,function_title,role,email,phone,status"),
        "{english}"
    );
    assert!(
        english.contains("\"partner_user\",\"helene@ccas.example\""),
        "{english}"
    );
    assert!(english.contains("\"pending_activation\""), "{english}");

    let habilitations = format!("/api/v1/partners/{partner}/habilitations/export");
    let (status, _, file) = env.text(&habilitations, &manager, "fr");
    assert_eq!(status, 200, "{file}");
    let line = file
        .split("\r\n")
        .find(|l| l.contains("Hélène d'Arcy"))
        .unwrap_or_else(|| panic!("{file}"));
    assert!(
        line.starts_with(&format!(
            "\"Hélène d'Arcy\";\"Personne\";\"T13\";\"Active\";\"{today} "
        )),
        "{line}"
    );
    let (_, _, none) = env.text(
        &format!("{habilitations}?status=devalidated"),
        &manager,
        "fr",
    );
    assert_eq!(
        none.split("\r\n").filter(|l| !l.is_empty()).count(),
        1,
        "headings only: {none}"
    );
    let r = env.get(&format!("{habilitations}?status=gone"), &manager);
    assert_eq!(r.status, 400, "{r:?}");

    // Another partner's administrator is told nothing exists.
    let other = env.partner(&admin, SIRETS[1], "commune");
    let outsider = env.partner_admin(&admin, &other, "principal", "marc@commune.example");
    for path in [&users, &habilitations] {
        let r = env.get(path, &outsider);
        assert_eq!((r.status, r.code()), (404, "not_found"), "{path}");
    }
    // The Caf exports too; every export is traced in the partner's perimeter.
    assert_eq!(env.text(&users, &admin, "fr").0, 200);
    let auditor = env.auditor(&cnaf);
    let done = |action: &str| -> Vec<Value> {
        env.all_traces(&auditor, &format!("&action={action}"))
            .into_iter()
            .filter(|t| t["outcome"] == "success")
            .collect()
    };
    let staff = done("partner.staff_exported");
    assert_eq!(staff.len(), 3, "{staff:?}");
    assert!(staff.iter().all(|t| t["partner_id"] == partner.as_str()));
    assert!(staff.iter().any(|t| t["detail"]["lines"] == 2));
    let habs = done("partner.habilitations_exported");
    assert_eq!(habs.len(), 2, "{habs:?}");
    assert!(
        habs.iter()
            .any(|t| t["detail"]["lines"] == 0 && t["detail"]["status"] == "devalidated"),
        "{habs:?}"
    );
}

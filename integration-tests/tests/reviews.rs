//! The reverse review of habilitations end to end (S-art. 2.2.2): campaigns opened by the Caf
//! or the schedule, decided by the principal administrator alone, completed into a report the
//! Caf receives and can check against its digest; overdue campaigns flagged once; and the annual
//! review's figures (C-art. 16) after real consultations.

use chrono::{Datelike, NaiveDate, Utc};
use mcp_domain::cdap::synthetic;
use mcp_integration_tests::{on_both_engines, Engine, Reply, TestEnv, SIRETS};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

on_both_engines!(
    a_full_campaign,
    only_the_principal_administrator_reviews,
    overdue_campaigns_are_flagged_once,
    the_schedule_opens_each_campaign_once,
    the_annual_review_counts_what_happened,
);

fn day(offset_days: i64) -> String {
    (Utc::now().date_naive() + chrono::Duration::days(offset_days)).to_string()
}

fn this_year() -> i32 {
    Utc::now().date_naive().year()
}

/// A Caf and its administrator.
struct Caf {
    env: TestEnv,
    cnaf: String,
    id: String,
    admin: String,
}

impl Caf {
    fn new(engine: Engine) -> Self {
        let env = TestEnv::start(engine);
        let cnaf = env.cnaf_operator();
        let id = env.caf(&cnaf, "771");
        let admin = env.caf_admin(&cnaf, &id, "anne@caf77.example");
        Self {
            env,
            cnaf,
            id,
            admin,
        }
    }

    /// A partner (a CCAS) under a convention signed `signed_days_ago` days ago, opening access,
    /// subscribing CDAP T13 (4) and T1 (2), with its principal administrator (and its deputy
    /// when `deputy` names their address).
    fn partner(&self, siret: &str, signed_days_ago: i64, admin: &str) -> Partner {
        let env = &self.env;
        let id = env.partner(&self.admin, siret, "ccas");
        let r = env.post(
            &format!("/api/v1/partners/{id}/conventions"),
            &self.admin,
            json!({"number": format!("771-{siret}"), "missions": ["Instruction des dossiers FSL", "Accompagnement social"]}),
        );
        assert_eq!(r.status, 201, "{r:?}");
        let conv = r.id();
        let mission = r.body["missions"][0]["id"].as_str().unwrap().to_string();
        let sub = env.post(
            &format!("/api/v1/conventions/{conv}/subscriptions"),
            &self.admin,
            json!({"service": "CDAP", "profiles": [{"profile": "T13", "max_users": 4}, {"profile": "T1", "max_users": 2}]}),
        );
        assert_eq!(sub.status, 201, "{sub:?}");
        let profile = |code: &str| {
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
        let r = env.post(
            &format!("/api/v1/conventions/{conv}/signature"),
            &self.admin,
            json!({"partner_signed_on": day(-signed_days_ago), "caf_signed_on": day(-signed_days_ago + 1)}),
        );
        assert_eq!(r.status, 200, "{r:?}");
        let r = env.post(
            &format!("/api/v1/conventions/{conv}/rgpd-completion"),
            &self.admin,
            json!({"completed_on": day(-signed_days_ago + 2)}),
        );
        assert_eq!(r.body["access_open"], true, "{r:?}");
        let principal = env.partner_admin(&self.admin, &id, "principal", admin);
        let principal_id = env.get("/api/v1/me", &principal).id();
        Partner {
            id,
            convention: conv,
            mission,
            t13: profile("T13"),
            t1: profile("T1"),
            principal,
            principal_id,
        }
    }

    /// Opens this year's campaigns of the Caf, due in 30 days.
    fn open(&self) -> Reply {
        let r = self.env.post(
            &format!("/api/v1/cafs/{}/review-campaigns", self.id),
            &self.admin,
            json!({"year": this_year(), "due_on": day(30)}),
        );
        assert_eq!(r.status, 200, "{r:?}");
        r
    }

    /// A partner user created by `manager`; returns their account id.
    fn user(&self, p: &Partner, manager: &str, name: &str, email: &str) -> String {
        let r = self.env.post(
            &format!("/api/v1/partners/{}/users", p.id),
            manager,
            json!({"full_name": name, "function_title": "Agent", "email": email, "phone": "01 64 13 55 00"}),
        );
        assert_eq!(r.status, 201, "{r:?}");
        r.id()
    }

    /// A partner user who activates their account and logs in; returns (id, token).
    fn user_who_logs_in(&self, p: &Partner, manager: &str, email: &str) -> (String, String) {
        let r = self.env.post(
            &format!("/api/v1/partners/{}/users", p.id),
            manager,
            json!({"full_name": format!("Agent {email}"), "function_title": "Travailleur social", "email": email, "phone": "01 64 13 55 02"}),
        );
        assert_eq!(r.status, 201, "{r:?}");
        let token = self
            .env
            .activate_from_mail(r.body["identifier"].as_str().unwrap(), email);
        (r.id(), token)
    }

    fn grant(&self, p: &Partner, token: &str, holder: Value, profile: &str) -> String {
        let mut body = json!({"profile_id": profile, "mission_id": p.mission});
        for (k, v) in holder.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = self.env.post(
            &format!("/api/v1/partners/{}/habilitations", p.id),
            token,
            body,
        );
        assert_eq!(r.status, 201, "{r:?}");
        r.id()
    }

    fn used(&self, p: &Partner, code: &str) -> u64 {
        let r = self.env.get(
            &format!("/api/v1/partners/{}/quota-use", p.id),
            &p.principal,
        );
        assert_eq!(r.status, 200, "{r:?}");
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["profile_code"] == code)
            .unwrap()["used"]
            .as_u64()
            .unwrap()
    }

    fn decide(&self, token: &str, campaign: &str, item: &str, body: Value) -> Reply {
        self.env.post(
            &format!("/api/v1/review-campaigns/{campaign}/items/{item}/decision"),
            token,
            body,
        )
    }

    /// The messages delivered to `email` whose text contains `needle`, waiting for the outbox.
    fn mails(&self, email: &str, needle: &str, at_least: usize) -> Vec<String> {
        let mut found = vec![];
        for _ in 0..400 {
            found = std::fs::read_dir(&self.env.mail_dir)
                .map(|entries| {
                    entries
                        .flatten()
                        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                        .map(|e| as_read(&std::fs::read(e.path()).unwrap_or_default()))
                        .filter(|t| t.contains(&format!("To: {email}\r\n")) && t.contains(needle))
                        .collect()
                })
                .unwrap_or_default();
            if found.len() >= at_least {
                return found;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        found
    }

    /// GET a text page (in French, the default); returns (status, content type, body).
    fn page(&self, path: &str, token: &str) -> (u16, String, String) {
        self.env.text(path, token, "fr")
    }
}

struct Partner {
    id: String,
    convention: String,
    mission: String,
    t13: String,
    t1: String,
    principal: String,
    principal_id: String,
}

fn item_of<'a>(campaign: &'a Value, habilitation: &str) -> &'a Value {
    campaign["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["habilitation_id"] == habilitation)
        .unwrap_or_else(|| panic!("no item for {habilitation} in {campaign}"))
}

/// JSON written canonically (members sorted, no whitespace), as RFC 8785 does for this content:
/// written here independently of the service.
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let members: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&m[k])))
                .collect();
            format!("{{{}}}", members.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

fn actions(env: &TestEnv, cnaf: &str, target: &str) -> Vec<String> {
    env.traces_of(cnaf, target)
        .iter()
        .map(|t| t["action"].as_str().unwrap().to_string())
        .collect()
}

fn a_full_campaign(engine: Engine) {
    let caf = Caf::new(engine);
    let env = &caf.env;
    let p = caf.partner(SIRETS[0], 10, "claire@ccas.example");
    let deputy = env.partner_admin(&caf.admin, &p.id, "deputy", "paul@ccas.example");
    let julie = caf.user(&p, &p.principal, "Julie Martin", "julie@ccas.example");
    let marc = caf.user(
        &p,
        &p.principal,
        "Marc O'Neil & <Fils>",
        "marc@ccas.example",
    );
    let lea = caf.user(&p, &p.principal, "Léa Petit", "lea@ccas.example");
    let g = env.post(
        &format!("/api/v1/partners/{}/groups", p.id),
        &p.principal,
        json!({"name": "Accueil social"}),
    );
    let group = g.id();
    let r = env.post(
        &format!("/api/v1/groups/{group}/members"),
        &p.principal,
        json!({"account_id": lea}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let hab_julie = caf.grant(&p, &p.principal, json!({"account_id": julie}), &p.t13);
    let hab_marc = caf.grant(&p, &p.principal, json!({"account_id": marc}), &p.t13);
    let hab_group = caf.grant(&p, &p.principal, json!({"group_id": group}), &p.t1);
    assert_eq!(caf.used(&p, "T13"), 2);

    // The Caf opens the year's campaigns; opening again opens nothing more.
    let r = caf.open();
    assert_eq!(r.body["opened"].as_array().unwrap().len(), 1, "{r:?}");
    assert!(r.body["existing"].as_array().unwrap().is_empty());
    let opened = &r.body["opened"][0];
    let campaign = opened["id"].as_str().unwrap().to_string();
    assert_eq!(
        (&opened["partner_id"], &opened["year"], &opened["status"]),
        (&json!(p.id), &json!(this_year()), &json!("open"))
    );
    assert_eq!(opened["convention_id"], json!(p.convention));
    assert_eq!(opened["counts"]["items"], 3);
    assert_eq!(opened["counts"]["pending"], 3);
    assert_eq!(opened["overdue"], false);
    let again = caf.open();
    assert!(again.body["opened"].as_array().unwrap().is_empty());
    assert_eq!(again.body["existing"][0]["id"], json!(campaign));

    // Lists: the Caf's, filtered; the partner's.
    let list = env.get(
        &format!(
            "/api/v1/cafs/{}/review-campaigns?year={}",
            caf.id,
            this_year()
        ),
        &caf.admin,
    );
    assert_eq!(list.status, 200, "{list:?}");
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    let overdue = env.get(
        &format!("/api/v1/cafs/{}/review-campaigns?overdue=true", caf.id),
        &caf.cnaf,
    );
    assert!(
        overdue.body["items"].as_array().unwrap().is_empty(),
        "{overdue:?}"
    );
    let mine = env.get(
        &format!("/api/v1/partners/{}/review-campaigns", p.id),
        &p.principal,
    );
    assert_eq!(mine.body["items"][0]["id"], json!(campaign), "{mine:?}");

    // The campaign lists every habilitation in force, named; the principal was told.
    let c = env.get(
        &format!("/api/v1/review-campaigns/{campaign}"),
        &p.principal,
    );
    assert_eq!(c.status, 200, "{c:?}");
    assert_eq!(c.body["items"].as_array().unwrap().len(), 3);
    let j = item_of(&c.body, &hab_julie);
    assert_eq!(
        (
            &j["holder"]["name"],
            &j["holder"]["kind"],
            &j["profile_code"]
        ),
        (&json!("Julie Martin"), &json!("account"), &json!("T13"))
    );
    assert_eq!(j["mission_label"], "Instruction des dossiers FSL");
    assert_eq!(
        (&j["status"], &j["state"]),
        (&json!("active"), &json!("pending"))
    );
    assert!(j["last_used_at"].is_null() && j["granted_at"].is_string());
    assert_eq!(
        item_of(&c.body, &hab_group)["holder"]["name"],
        "Accueil social"
    );
    let item = |h: &str| item_of(&c.body, h)["id"].as_str().unwrap().to_string();
    let (item_julie, item_marc, item_group) = (item(&hab_julie), item(&hab_marc), item(&hab_group));
    assert_eq!(
        caf.mails("claire@ccas.example", "revue inverse", 1).len(),
        1,
        "the principal administrator is told of the campaign"
    );

    // Decisions: the deputy may read but not decide.
    let r = env.get(&format!("/api/v1/review-campaigns/{campaign}"), &deputy);
    assert_eq!(r.status, 200);
    let r = caf.decide(
        &deputy,
        &campaign,
        &item_julie,
        json!({"decision": "confirmed"}),
    );
    assert_eq!((r.status, r.code()), (403, "principal_administrator_only"));
    let r = caf.decide(
        &p.principal,
        &campaign,
        &item_julie,
        json!({"decision": "confirmed"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["state"], "confirmed");
    assert_eq!(r.body["decided_by"], json!(p.principal_id));
    assert_eq!(r.body["decided_by_name"], "Claire Dupont");
    let r = env.post(
        &format!("/api/v1/review-campaigns/{campaign}/completion"),
        &p.principal,
        json!({}),
    );
    assert_eq!((r.status, r.code()), (409, "review_incomplete"), "{r:?}");

    // A removal needs a reason, and devalidates at once: the seat is freed, history kept.
    let r = caf.decide(
        &p.principal,
        &campaign,
        &item_marc,
        json!({"decision": "removed"}),
    );
    assert_eq!(
        (r.status, r.body["errors"][0]["field"].as_str()),
        (422, Some("reason")),
        "{r:?}"
    );
    let r = caf.decide(
        &p.principal,
        &campaign,
        &item_marc,
        json!({"decision": "kept"}),
    );
    assert_eq!(r.status, 422);
    let reason = "Parti en mutation <script>alert(1)</script>";
    let r = caf.decide(
        &p.principal,
        &campaign,
        &item_marc,
        json!({"decision": "removed", "reason": reason}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        (&r.body["state"], &r.body["status"]),
        (&json!("removed"), &json!("devalidated"))
    );
    let h = env.get(&format!("/api/v1/habilitations/{hab_marc}"), &p.principal);
    assert_eq!(h.body["status"], "devalidated");
    assert!(h.body["status_reason"]
        .as_str()
        .unwrap()
        .contains("revue inverse"));
    assert_eq!(caf.used(&p, "T13"), 1, "the seat is freed");
    let history = env.get(
        &format!("/api/v1/habilitations/{hab_marc}/history"),
        &p.principal,
    );
    let steps: Vec<&str> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["habilitation.granted", "habilitation.devalidated"]);
    let r = caf.decide(
        &p.principal,
        &campaign,
        &item_marc,
        json!({"decision": "confirmed"}),
    );
    assert_eq!((r.status, r.code()), (409, "review_item_removed"));

    // The group's habilitation ends otherwise during the campaign: nothing to decide.
    let r = env.post(
        &format!("/api/v1/habilitations/{hab_group}/devalidation"),
        &deputy,
        json!({"reason": "Groupe dissous"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let c = env.get(&format!("/api/v1/review-campaigns/{campaign}"), &caf.admin);
    let ended = item_of(&c.body, &hab_group);
    assert_eq!(ended["state"], "ended");
    assert!(ended["ended_at"].is_string());
    assert_eq!(c.body["campaign"]["counts"]["pending"], 0);
    let r = caf.decide(
        &p.principal,
        &campaign,
        &item_group,
        json!({"decision": "confirmed"}),
    );
    assert_eq!((r.status, r.code()), (409, "review_item_ended"));

    // Completed: the report is final, its digest kept, the Caf told.
    let r = env.post(
        &format!("/api/v1/review-campaigns/{campaign}/completion"),
        &deputy,
        json!({}),
    );
    assert_eq!((r.status, r.code()), (403, "principal_administrator_only"));
    let done = env.post(
        &format!("/api/v1/review-campaigns/{campaign}/completion"),
        &p.principal,
        json!({}),
    );
    assert_eq!(done.status, 200, "{done:?}");
    assert_eq!(done.body["status"], "completed");
    assert_eq!(done.body["completed_by"], json!(p.principal_id));
    let digest = done.body["report_sha256"].as_str().unwrap().to_string();
    assert_eq!(digest.len(), 64);
    let r = caf.decide(
        &p.principal,
        &campaign,
        &item_julie,
        json!({"decision": "removed", "reason": "Trop tard"}),
    );
    assert_eq!((r.status, r.code()), (409, "review_campaign_completed"));
    let r = env.post(
        &format!("/api/v1/review-campaigns/{campaign}/completion"),
        &p.principal,
        json!({}),
    );
    assert_eq!((r.status, r.code()), (409, "review_campaign_completed"));

    // The report, as the Caf reads it: every item with its decision, and a digest anyone can
    // recompute from the canonical JSON.
    let rep = env.get(
        &format!("/api/v1/review-campaigns/{campaign}/report"),
        &caf.admin,
    );
    assert_eq!(rep.status, 200, "{rep:?}");
    assert_eq!(rep.body["digest"]["algorithm"], "SHA-256");
    assert_eq!(rep.body["digest"]["value"], json!(digest));
    let report = &rep.body["report"];
    assert_eq!(
        hex::encode(Sha256::digest(canonical(report).as_bytes())),
        digest,
        "the digest is the SHA-256 of the canonical report"
    );
    assert_eq!(
        report["counts"],
        json!({"items": 3, "confirmed": 1, "removed": 1, "ended": 1})
    );
    assert_eq!(report["year"], this_year());
    assert_eq!(report["partner"]["siret"], SIRETS[0]);
    assert_eq!(report["caf"]["code"], "771");
    assert_eq!(report["convention"]["number"], format!("771-{}", SIRETS[0]));
    assert_eq!(report["completed_by"]["full_name"], "Claire Dupont");
    assert_eq!(report["opened_by"]["full_name"], "Anne Martin");
    assert_eq!(report["due_on"], day(30));
    let by_hab = |h: &str| {
        report["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["habilitation_id"] == h)
            .unwrap()
            .clone()
    };
    let removed = by_hab(&hab_marc);
    assert_eq!(
        (&removed["decision"], &removed["reason"]),
        (&json!("removed"), &json!(reason))
    );
    assert_eq!(removed["decided_by"]["account_id"], json!(p.principal_id));
    assert!(removed["decided_at"].is_string());
    assert_eq!(removed["holder"]["name"], "Marc O'Neil & <Fils>");
    assert_eq!(by_hab(&hab_julie)["decision"], "confirmed");
    let ended = by_hab(&hab_group);
    assert_eq!(
        (&ended["decision"], &ended["decided_by"]),
        (&json!("ended"), &Value::Null)
    );
    assert!(ended["ended_at"].is_string());
    // The partner's administrators and the Cnaf read it too.
    assert_eq!(
        env.get(
            &format!("/api/v1/review-campaigns/{campaign}/report"),
            &deputy
        )
        .status,
        200
    );

    // Printable, with every value escaped.
    let (status, content_type, html) = caf.page(
        &format!("/api/v1/review-campaigns/{campaign}/report.html"),
        &caf.cnaf,
    );
    assert_eq!(status, 200, "{html}");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(html.contains("Revue inverse des habilitations"));
    assert!(html.contains(&digest));
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("Marc O&#39;Neil &amp; &lt;Fils&gt;"));

    // The Caf's administrator received the report's summary and digest.
    let mail = caf.mails("anne@caf77.example", &digest, 1);
    assert_eq!(mail.len(), 1, "one message to the Caf");
    assert!(mail[0].contains("/report.html"));

    let steps = actions(env, &caf.cnaf, &campaign);
    for expected in [
        "review_campaign.opened",
        "review_item.confirmed",
        "review_item.removed",
        "review_campaign.completed",
    ] {
        assert!(steps.contains(&expected.to_string()), "{steps:?}");
    }
    let c = env.get(&format!("/api/v1/review-campaigns/{campaign}"), &caf.cnaf);
    assert_eq!(c.body["campaign"]["report_sha256"], json!(digest));
}

fn only_the_principal_administrator_reviews(engine: Engine) {
    let caf = Caf::new(engine);
    let env = &caf.env;
    let p = caf.partner(SIRETS[0], 10, "claire@ccas.example");
    let deputy = env.partner_admin(&caf.admin, &p.id, "deputy", "paul@ccas.example");
    let julie = caf.user(&p, &p.principal, "Julie Martin", "julie@ccas.example");
    caf.grant(&p, &p.principal, json!({"account_id": julie}), &p.t13);
    let (manager_id, manager) = caf.user_who_logs_in(&p, &p.principal, "marc@ccas.example");
    let r = env.post(
        &format!("/api/v1/partners/{}/delegations", p.id),
        &p.principal,
        json!({"account_id": manager_id, "functions": ["users", "habilitations"], "profile_ids": [p.t13]}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let (_, plain) = caf.user_who_logs_in(&p, &p.principal, "plain@ccas.example");
    let other = caf.partner(SIRETS[1], 10, "olga@other.example");
    let agent = caf.user(&other, &other.principal, "Agent", "agent@other.example");
    caf.grant(
        &other,
        &other.principal,
        json!({"account_id": agent}),
        &other.t13,
    );
    let caf2 = env.caf(&caf.cnaf, "772");
    let caf2_admin = env.caf_admin(&caf.cnaf, &caf2, "b@caf2.example");

    // Opening is the Caf's, within its own perimeter, for its current year.
    let body = json!({"year": this_year(), "due_on": day(30)});
    let path = format!("/api/v1/cafs/{}/review-campaigns", caf.id);
    assert_eq!(env.post(&path, &caf.cnaf, body.clone()).status, 403);
    assert_eq!(env.post(&path, &p.principal, body.clone()).status, 403);
    assert_eq!(env.post(&path, &caf2_admin, body.clone()).status, 404);
    let r = env.post(
        &path,
        &caf.admin,
        json!({"year": this_year() - 1, "due_on": day(30)}),
    );
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("review_year_not_current"))
    );
    let r = env.post(
        &path,
        &caf.admin,
        json!({"year": this_year(), "due_on": day(-1)}),
    );
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("due_on_in_past"))
    );
    let opened = caf.open();
    assert_eq!(opened.body["opened"].as_array().unwrap().len(), 2);
    let campaign_of = |partner: &str| {
        opened.body["opened"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["partner_id"] == partner)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (mine, theirs) = (campaign_of(&p.id), campaign_of(&other.id));
    let item = |token: &str, campaign: &str| {
        env.get(&format!("/api/v1/review-campaigns/{campaign}"), token)
            .body["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (my_item, their_item) = (item(&p.principal, &mine), item(&other.principal, &theirs));
    let confirm = json!({"decision": "confirmed"});

    // Deciding: the principal administrator only.
    for (who, token, status, code) in [
        ("deputy", &deputy, 403, "principal_administrator_only"),
        (
            "delegated manager",
            &manager,
            403,
            "principal_administrator_only",
        ),
        ("partner user", &plain, 403, "principal_administrator_only"),
        ("caf", &caf.admin, 403, "forbidden"),
        ("cnaf", &caf.cnaf, 403, "forbidden"),
        ("other partner", &other.principal, 404, "not_found"),
        ("other caf", &caf2_admin, 404, "not_found"),
    ] {
        let r = caf.decide(token, &mine, &my_item, confirm.clone());
        assert_eq!((r.status, r.code()), (status, code), "{who}: {r:?}");
    }
    // An item of another campaign is not in this one.
    let r = caf.decide(&p.principal, &mine, &their_item, confirm.clone());
    assert_eq!(r.status, 404, "{r:?}");
    let r = caf.decide(&p.principal, &theirs, &their_item, confirm.clone());
    assert_eq!(r.status, 404, "{r:?}");
    let r = env.post(
        &format!("/api/v1/review-campaigns/{theirs}/completion"),
        &p.principal,
        json!({}),
    );
    assert_eq!(r.status, 404);
    // No report before completion.
    let r = env.get(
        &format!("/api/v1/review-campaigns/{mine}/report"),
        &caf.admin,
    );
    assert_eq!((r.status, r.code()), (409, "review_campaign_open"));

    // Reading: the partner's administrators, its Caf, the Cnaf; nobody else learns of it.
    let pid = &p.id;
    let reads = [
        format!("/api/v1/review-campaigns/{mine}"),
        format!("/api/v1/partners/{pid}/review-campaigns"),
        format!("/api/v1/partners/{pid}/annual-review"),
        format!("/api/v1/cafs/{}/review-campaigns", caf.id),
    ];
    // Expected status per caller, read by read (in the order above).
    let expectations: [(&str, &String, [u16; 4]); 8] = [
        ("principal", &p.principal, [200, 200, 200, 404]),
        ("deputy", &deputy, [200, 200, 200, 404]),
        ("delegated manager", &manager, [403, 403, 403, 403]),
        ("partner user", &plain, [403, 403, 403, 403]),
        ("caf", &caf.admin, [200, 200, 200, 200]),
        ("cnaf", &caf.cnaf, [200, 200, 200, 200]),
        ("other partner", &other.principal, [404, 404, 404, 404]),
        ("other caf", &caf2_admin, [404, 404, 404, 404]),
    ];
    for (who, token, expected) in expectations {
        for (path, want) in reads.iter().zip(expected) {
            let r = env.get(path, token);
            assert_eq!(r.status, want, "{who}: GET {path}: {r:?}");
        }
    }
}

fn overdue_campaigns_are_flagged_once(engine: Engine) {
    let caf = Caf::new(engine);
    let env = &caf.env;
    // A convention in force for more than two years.
    let p = caf.partner(SIRETS[0], 800, "claire@ccas.example");
    let julie = caf.user(&p, &p.principal, "Julie Martin", "julie@ccas.example");
    caf.grant(&p, &p.principal, json!({"account_id": julie}), &p.t13);
    let last_year = this_year() - 1;
    let at = |y: i32, m: u32, d: u32| {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(3, 0, 0)
            .unwrap()
    };

    // Last year, on 2 January, the schedule opened the campaign, due 31 March.
    let run =
        mcp_persistence::use_cases::reviews::run_schedule(&env.db, at(last_year, 1, 2)).unwrap();
    assert_eq!((run.opened, run.overdue_notified), (1, 0));
    let list = env.get(
        &format!("/api/v1/cafs/{}/review-campaigns?year={last_year}", caf.id),
        &caf.admin,
    );
    let c = &list.body["items"][0];
    assert_eq!(c["due_on"], format!("{last_year}-03-31"), "{list:?}");
    assert!(c["opened_by"].is_null(), "opened by the schedule");
    assert_eq!(c["overdue"], true, "overdue against today");
    let campaign = c["id"].as_str().unwrap().to_string();
    let overdue = |flag: bool| {
        env.get(
            &format!("/api/v1/cafs/{}/review-campaigns?overdue={flag}", caf.id),
            &caf.admin,
        )
        .body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(overdue(true), vec![campaign.clone()]);
    assert!(overdue(false).is_empty());

    // On 31 March it is not overdue yet; on 1 April the Caf is told, once.
    let run =
        mcp_persistence::use_cases::reviews::run_schedule(&env.db, at(last_year, 3, 31)).unwrap();
    assert_eq!((run.opened, run.overdue_notified), (0, 0));
    let run =
        mcp_persistence::use_cases::reviews::run_schedule(&env.db, at(last_year, 4, 1)).unwrap();
    assert_eq!((run.opened, run.overdue_notified), (0, 1));
    let mail = caf.mails("anne@caf77.example", "en retard", 1);
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].contains(&format!("31/03/{last_year}")),
        "{}",
        mail[0]
    );
    let run =
        mcp_persistence::use_cases::reviews::run_schedule(&env.db, at(last_year, 4, 2)).unwrap();
    assert_eq!(run.overdue_notified, 0, "once");
    let c = env.get(&format!("/api/v1/review-campaigns/{campaign}"), &caf.admin);
    assert!(c.body["campaign"]["overdue_notified_at"].is_string());
    let traces = env.traces_of(&caf.cnaf, &campaign);
    let flagged = traces
        .iter()
        .find(|t| t["action"] == "review_campaign.overdue_notified")
        .unwrap();
    assert!(flagged["actor_account_id"].is_null(), "done by the service");

    // Completed late, it is no longer overdue.
    let item = c.body["items"][0]["id"].as_str().unwrap().to_string();
    let r = caf.decide(
        &p.principal,
        &campaign,
        &item,
        json!({"decision": "confirmed", "reason": "Instructrice FSL"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let r = env.post(
        &format!("/api/v1/review-campaigns/{campaign}/completion"),
        &p.principal,
        json!({}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["overdue"], false);
    assert!(overdue(true).is_empty());
    assert_eq!(overdue(false), [campaign]);
    assert_eq!(
        caf.mails("anne@caf77.example", "en retard", 1).len(),
        1,
        "nothing more about it"
    );
}

fn the_schedule_opens_each_campaign_once(engine: Engine) {
    let caf = Caf::new(engine);
    let env = &caf.env;
    let opened_by_caf = caf.partner(SIRETS[0], 10, "claire@ccas.example");
    caf.open();
    let later = caf.partner(SIRETS[1], 10, "olga@other.example");
    // A partner whose convention is only a draft gets no campaign.
    let draft = env.partner(&caf.admin, SIRETS[2], "ccas");
    let r = env.post(
        &format!("/api/v1/partners/{draft}/conventions"),
        &caf.admin,
        json!({"number": "771-draft", "missions": ["Mission"]}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let third = caf.partner(SIRETS[3], 10, "tom@third.example");

    // Several instances run the schedule at once: each partner gets one campaign.
    let now = Utc::now().naive_utc();
    let runs: Vec<usize> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    mcp_persistence::use_cases::reviews::run_schedule(&env.db, now)
                        .unwrap()
                        .opened
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(runs.iter().sum::<usize>(), 2, "{runs:?}");
    assert_eq!(
        mcp_persistence::use_cases::reviews::run_schedule(&env.db, now)
            .unwrap()
            .opened,
        0
    );
    let count = |partner: &str| {
        env.get(
            &format!("/api/v1/partners/{partner}/review-campaigns"),
            &caf.admin,
        )
        .body["items"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count(&opened_by_caf.id), 1);
    assert_eq!(count(&later.id), 1);
    assert_eq!(count(&third.id), 1);
    assert_eq!(count(&draft), 0);
    let mine = env.get(
        &format!("/api/v1/partners/{}/review-campaigns", later.id),
        &later.principal,
    );
    let c = &mine.body["items"][0];
    assert!(c["opened_by"].is_null());
    assert_eq!(
        c["due_on"],
        mcp_domain::review::scheduled_due_on(this_year(), now.date()).to_string()
    );
    // The Caf opening afterwards finds them all.
    let r = caf.open();
    assert!(r.body["opened"].as_array().unwrap().is_empty(), "{r:?}");
    assert_eq!(r.body["existing"].as_array().unwrap().len(), 3);
    assert_eq!(r.body["skipped_partners"], json!([draft]));
}

fn the_annual_review_counts_what_happened(engine: Engine) {
    let caf = Caf::new(engine);
    let env = &caf.env;
    let p = caf.partner(SIRETS[0], 10, "claire@ccas.example");
    let today = Utc::now().date_naive();
    let files: Vec<String> = [1_000_001u64, 1_000_002]
        .iter()
        .map(|n| serde_json::to_string(&synthetic(*n, 3, today)).unwrap())
        .collect();
    let r = env.raw(
        "POST",
        &format!("/api/v1/cafs/{}/beneficiary-files/import", caf.id),
        Some(&caf.admin),
        Some("application/x-ndjson"),
        files.join("\n").into_bytes(),
    );
    assert_eq!(r.body["inserted"], 2, "{r:?}");
    let (_, agent) = caf.user_who_logs_in(&p, &p.principal, "agent@ccas.example");
    let agent_id = env.get("/api/v1/me", &agent).id();
    let used = caf.grant(&p, &p.principal, json!({"account_id": agent_id}), &p.t13);
    let idle = caf.user(&p, &p.principal, "Léa Petit", "lea@ccas.example");
    let unused = caf.grant(&p, &p.principal, json!({"account_id": idle}), &p.t1);

    // Nine files served (six of them at once), one not found (not counted).
    let consult = |numero: &str| {
        env.get(
            &format!("/api/v1/cdap/files/{numero}?mission_id={}", p.mission),
            &agent,
        )
        .status
    };
    for n in ["1000001", "1000002", "1000001"] {
        assert_eq!(consult(n), 200);
    }
    assert_eq!(consult("1000009"), 404);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..6).map(|_| s.spawn(|| consult("1000002"))).collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let h = env.get(&format!("/api/v1/habilitations/{used}"), &p.principal);
    assert!(h.body["last_used_at"].is_string(), "{h:?}");

    // The Caf's supervision: a question, a precautionary suspension lifted.
    let r = env.post(
        &format!("/api/v1/habilitations/{unused}/questions"),
        &caf.admin,
        json!({"question": "Pourquoi ce profil ?"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let r = env.post(
        &format!("/api/v1/habilitations/{unused}/suspension"),
        &caf.admin,
        json!({"reason": "Jamais utilisée"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let r = env.post(
        &format!("/api/v1/habilitations/{unused}/reinstatement"),
        &caf.admin,
        json!({"reason": "Expliquée par le partenaire"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    caf.open();

    let path = format!(
        "/api/v1/partners/{}/annual-review?year={}",
        p.id,
        this_year()
    );
    let a = env.get(&path, &caf.admin);
    assert_eq!(a.status, 200, "{a:?}");
    let a = a.body;
    assert_eq!(
        (&a["partner_id"], &a["year"]),
        (&json!(p.id), &json!(this_year()))
    );
    let quota = |code: &str| {
        a["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["profile_code"] == code)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        (&quota("T13")["used"], &quota("T13")["max_users"]),
        (&json!(1), &json!(4))
    );
    assert_eq!(
        (&quota("T1")["used"], &quota("T1")["max_users"]),
        (&json!(1), &json!(2))
    );
    assert_eq!(a["consultations"]["total"], 9, "{a}");
    let t13 = &a["consultations"]["by_profile"][0];
    assert_eq!(
        (&t13["profile_code"], &t13["consultations"]),
        (&json!("T13"), &json!(9))
    );
    assert_eq!(
        t13["missions"][0]["mission_label"],
        "Instruction des dossiers FSL"
    );
    assert_eq!(
        t13["missions"][0]["by_month"],
        json!([{"month": mcp_domain::review::month_key(today), "consultations": 9}])
    );
    let never: Vec<&str> = a["never_used"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(never, [unused.as_str()]);
    assert_eq!(
        a["supervision"]["questions"][0]["question"],
        "Pourquoi ce profil ?"
    );
    let s = &a["supervision"]["caf_suspensions"];
    assert_eq!(s.as_array().unwrap().len(), 1, "{s}");
    assert_eq!(
        (&s[0]["habilitation_id"], &s[0]["reason"]),
        (&json!(unused), &json!("Jamais utilisée"))
    );
    assert_eq!(
        s[0]["suspended_by"],
        json!(env.get("/api/v1/me", &caf.admin).id())
    );
    assert_eq!(s[0]["lift_reason"], "Expliquée par le partenaire");
    assert!(s[0]["lifted_at"].is_string());
    assert_eq!(a["review_campaign"]["status"], "open");
    assert_eq!(a["review_campaign"]["counts"]["items"], 2);

    // Last year: nothing happened, nothing was held.
    let last = env.get(
        &format!(
            "/api/v1/partners/{}/annual-review?year={}",
            p.id,
            this_year() - 1
        ),
        &p.principal,
    );
    assert_eq!(last.status, 200, "{last:?}");
    assert_eq!(last.body["consultations"]["total"], 0);
    assert!(last.body["never_used"].as_array().unwrap().is_empty());
    assert!(last.body["review_campaign"].is_null());
    let r = env.get(
        &format!("/api/v1/partners/{}/annual-review?year=1999", p.id),
        &caf.admin,
    );
    assert_eq!((r.status, r.code()), (400, "invalid_query"));

    // The unused view agrees: the habilitation consulted through is not listed.
    let r = env.get(
        &format!("/api/v1/cafs/{}/unused-habilitations?days=30", caf.id),
        &caf.admin,
    );
    let listed: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["habilitation"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [unused.as_str()], "{r:?}");
}

/// A message as its reader sees it: recipient, subject decoded (RFC 2047), body decoded.
fn as_read(raw: &[u8]) -> String {
    use mailparse::MailHeaderMap;
    let Ok(mail) = mailparse::parse_mail(raw) else {
        return String::new();
    };
    let header = |k: &str| mail.headers.get_first_value(k).unwrap_or_default();
    format!(
        "To: {}\r\nSubject: {}\r\n\r\n{}",
        header("To"),
        header("Subject"),
        mail.get_body().unwrap_or_default()
    )
}

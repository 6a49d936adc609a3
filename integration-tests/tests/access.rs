//! Who reaches what: role × endpoint × own or other Caf. Another Caf's objects do not exist for
//! a Caf administrator (404); a function above one's role is refused (403); without a valid
//! token nothing is reachable (401).

use mcp_integration_tests::{on_both_engines, partner_body, Engine, TestEnv, PASSWORD, SIRETS};
use serde_json::{json, Value};

on_both_engines!(
    authorization_matrix,
    tokens_are_checked_on_every_request,
    partner_administrators_reach_their_partner_only,
    a_password_to_change_comes_before_anything_else,
    a_contract_can_require_a_second_factor,
    a_caf_can_require_a_second_factor,
    writes_on_objects_out_of_reach_answer_as_missing_ones,
);

struct World {
    env: TestEnv,
    cnaf: String,
    admin_a: String,
    admin_b: String,
    caf_a: String,
    caf_b: String,
    partner_a: String,
    conv_a: String,
    sub_a: String,
}

fn world(engine: Engine) -> World {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf_a = env.caf(&cnaf, "761");
    let caf_b = env.caf(&cnaf, "762");
    let admin_a = env.caf_admin(&cnaf, &caf_a, "a@caf761.example");
    let admin_b = env.caf_admin(&cnaf, &caf_b, "b@caf762.example");
    let partner_a = env.partner(&admin_a, SIRETS[0], "ccas");
    let conv_a = env
        .post(
            &format!("/api/v1/partners/{partner_a}/conventions"),
            &admin_a,
            json!({"number": "761-A", "missions": ["FSL"]}),
        )
        .id();
    let sub_a = env
        .post(
            &format!("/api/v1/conventions/{conv_a}/subscriptions"),
            &admin_a,
            json!({"service": "CDAP", "profiles": [{"profile": "T13", "max_users": 4}]}),
        )
        .id();
    World {
        env,
        cnaf,
        admin_a,
        admin_b,
        caf_a,
        caf_b,
        partner_a,
        conv_a,
        sub_a,
    }
}

fn authorization_matrix(engine: Engine) {
    let w = world(engine);
    let env = &w.env;
    let (p, c, s) = (&w.partner_a, &w.conv_a, &w.sub_a);
    let amendment_free_quota = json!({"profiles": [{"profile": "T13", "max_users": 3}]});
    // (method, path, body, expected for: Cnaf, admin of Caf A, admin of Caf B)
    let table: Vec<(&str, String, Value, [u16; 3])> = vec![
        (
            "POST",
            "/api/v1/cafs".into(),
            json!({"code": "763", "name": "Caf", "address": "x", "director_name": "d"}),
            [201, 403, 403],
        ),
        ("GET", "/api/v1/cafs".into(), Value::Null, [200, 200, 200]),
        (
            "GET",
            format!("/api/v1/cafs/{}", w.caf_a),
            Value::Null,
            [200, 200, 404],
        ),
        (
            "PUT",
            format!("/api/v1/cafs/{}", w.caf_a),
            json!({"code": "761", "name": "Caf de Seine-Maritime", "address": "Rouen", "director_name": "Nouvelle directrice"}),
            // Another Caf's administrator: hidden (404), not forbidden, as a random id is.
            [200, 403, 404],
        ),
        (
            "POST",
            format!("/api/v1/cafs/{}/administrators", w.caf_a),
            json!({"full_name": "X", "function_title": "Y", "email": "x@caf.example"}),
            [201, 403, 404],
        ),
        (
            "GET",
            format!("/api/v1/cafs/{}/administrators", w.caf_a),
            Value::Null,
            [200, 200, 404],
        ),
        (
            "GET",
            "/api/v1/services".into(),
            Value::Null,
            [200, 200, 200],
        ),
        (
            "POST",
            "/api/v1/partners".into(),
            partner_body(SIRETS[1], "commune"),
            [403, 201, 201],
        ),
        (
            "GET",
            format!("/api/v1/partners/{p}"),
            Value::Null,
            [200, 200, 404],
        ),
        (
            "PUT",
            format!("/api/v1/partners/{p}"),
            partner_body(SIRETS[0], "ccas"),
            [403, 200, 404],
        ),
        (
            "GET",
            format!("/api/v1/partners/{p}/conventions"),
            Value::Null,
            [200, 200, 404],
        ),
        (
            "POST",
            format!("/api/v1/partners/{p}/conventions"),
            json!({"number": "X-1", "missions": ["m"]}),
            [403, 201, 404],
        ),
        (
            "GET",
            format!("/api/v1/conventions/{c}"),
            Value::Null,
            [200, 200, 404],
        ),
        (
            "PATCH",
            format!("/api/v1/conventions/{c}"),
            json!({"partner_signatory": "Mme Y"}),
            [403, 200, 404],
        ),
        (
            "GET",
            format!("/api/v1/conventions/{c}/contract"),
            Value::Null,
            [200, 200, 404],
        ),
        (
            "PUT",
            format!("/api/v1/conventions/{c}/contract"),
            json!({"management_mode": "delegue"}),
            [403, 200, 404],
        ),
        (
            "GET",
            format!("/api/v1/conventions/{c}/amendments"),
            Value::Null,
            [200, 200, 404],
        ),
        (
            "GET",
            format!("/api/v1/conventions/{c}/subscriptions"),
            Value::Null,
            [200, 200, 404],
        ),
        (
            "GET",
            format!("/api/v1/subscriptions/{s}"),
            Value::Null,
            [200, 200, 404],
        ),
        (
            "PUT",
            format!("/api/v1/subscriptions/{s}/quotas"),
            amendment_free_quota,
            [403, 200, 404],
        ),
        (
            "POST",
            format!("/api/v1/conventions/{c}/termination/withdrawal"),
            json!({"reason": "x"}),
            [403, 409, 404],
        ),
        (
            "POST",
            format!("/api/v1/conventions/{c}/signature"),
            json!({"partner_signed_on": "2026-01-05", "caf_signed_on": "2026-01-05"}),
            [403, 200, 404],
        ),
        (
            "POST",
            format!("/api/v1/conventions/{c}/rgpd-completion"),
            json!({"completed_on": "2026-01-06"}),
            [403, 200, 404],
        ),
        (
            "POST",
            format!("/api/v1/conventions/{c}/termination"),
            json!({"kind": "unilateral", "initiated_by": "caf", "received_on": "2026-02-01", "reason": "x"}),
            [403, 200, 404],
        ),
        ("GET", "/api/v1/traces".into(), Value::Null, [403, 403, 403]),
        ("GET", "/api/v1/me".into(), Value::Null, [200, 200, 200]),
    ];
    // The other Caf's administrator goes first: their refusals must leave nothing behind for
    // the owner's calls that follow.
    let callers = [(2, &w.admin_b), (0, &w.cnaf), (1, &w.admin_a)];
    for (method, path, body, expected) in &table {
        for (i, token) in callers {
            let body = if body.is_null() { None } else { Some(body) };
            let r = env.call(method, path, Some(token), body);
            assert_eq!(r.status, expected[i], "caller #{i} {method} {path}: {r:?}");
            if r.status == 404 {
                assert_eq!(r.code(), "not_found");
                assert_eq!(
                    r.body["detail"], "aucun objet de ce nom dans votre périmètre",
                    "a hidden object looks like a missing one"
                );
            }
            if r.status == 403 {
                assert_eq!(r.code(), "forbidden");
            }
        }
    }
    // A Caf administrator lists only their own Caf and its partners; the Cnaf sees all.
    let ids = |r: mcp_integration_tests::Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(env.get("/api/v1/cafs", &w.admin_b)),
        vec![w.caf_b.clone()]
    );
    assert_eq!(ids(env.get("/api/v1/cafs", &w.cnaf)).len(), 3);
    let partners_b = env.get("/api/v1/partners", &w.admin_b);
    assert!(partners_b.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["caf_id"] == w.caf_b.as_str()));
    assert_eq!(
        env.get(&format!("/api/v1/partners?caf_id={}", w.caf_a), &w.admin_b)
            .body["items"],
        json!([])
    );
    assert_eq!(ids(env.get("/api/v1/partners", &w.cnaf)).len(), 3);
    // Refused calls changed nothing: only the owner's changes are traced on the convention as
    // done; every other call on it is traced as refused.
    let traces = env.traces_of(&w.cnaf, &w.conv_a);
    let (refused, done): (Vec<&Value>, Vec<&Value>) = traces
        .iter()
        .partition(|t| t["action"] == "operation.refused");
    assert!(!done.is_empty() && !refused.is_empty());
    assert!(done.iter().all(|t| t["outcome"] == "success"
        && t["actor_role"] == "caf_administrator"
        && t["organisation_id"] == w.caf_a.as_str()));
    assert!(
        refused.iter().all(|t| t["outcome"] == "denied"
            && t["detail"]["code"].is_string()
            && t["detail"]["route"]
                .as_str()
                .unwrap()
                .contains("/conventions/{convention_id}")),
        "{refused:#?}"
    );
}

fn tokens_are_checked_on_every_request(engine: Engine) {
    let w = world(engine);
    let env = &w.env;
    let path = format!("/api/v1/partners/{}", w.partner_a);
    let no_token = env.call("GET", &path, None, None);
    assert_eq!((no_token.status, no_token.code()), (401, "unauthenticated"));
    assert!(no_token.header("www-authenticate").starts_with("Bearer"));
    for bad in [
        "garbage",
        "a.b.c",
        &format!("{}x", w.admin_a),
        "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.e30.",
    ] {
        let r = env.call("GET", &path, Some(bad), None);
        assert_eq!(r.status, 401, "{bad}");
    }
    // A token signed with another key, even well-formed, is refused.
    let forged = mcp_api::auth::TokenKeys::ephemeral(900)
        .issue(
            uuid::Uuid::new_v4().into(),
            uuid::Uuid::new_v4().into(),
            None,
        )
        .unwrap();
    assert_eq!(env.call("GET", &path, Some(&forged), None).status, 401);
    // Valid token, then the account is disabled: refused on the very next request.
    assert_eq!(env.get(&path, &w.admin_a).status, 200);
    let me = env.get("/api/v1/me", &w.admin_a).id();
    w.env
        .db
        .write(|c| {
            Ok(diesel::RunQueryDsl::execute(
                diesel::sql_query(format!(
                    "UPDATE accounts SET status = 'disabled' WHERE id = '{me}'"
                )),
                c,
            )?)
        })
        .unwrap();
    let r = env.get(&path, &w.admin_a);
    assert_eq!((r.status, r.code()), (401, "unauthenticated"));
}

fn partner_administrators_reach_their_partner_only(engine: Engine) {
    let w = world(engine);
    let env = &w.env;
    let p = &w.partner_a;
    let other_partner = env.partner(&w.admin_a, SIRETS[3], "commune");
    let path = format!("/api/v1/partners/{p}/administrators");
    let body = |rank: &str, email: &str| json!({"rank": rank, "full_name": "X", "function_title": "Y", "email": email});
    assert_eq!(
        env.post(&path, &w.cnaf, body("principal", "x@p.example"))
            .status,
        403
    );
    assert_eq!(
        env.post(&path, &w.admin_b, body("principal", "x@p.example"))
            .status,
        404
    );
    let principal = env.partner_admin(&w.admin_a, p, "principal", "claire@ccas.example");
    let r = env.post(&path, &w.admin_a, body("principal", "other@ccas.example"));
    assert_eq!((r.status, r.code()), (409, "administrator_already_named"));
    let deputy = env.partner_admin(&w.admin_a, p, "deputy", "paul@ccas.example");
    let listed = env.get(&path, &w.admin_a).body;
    let ranks: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["administrator_rank"].as_str().unwrap())
        .collect();
    assert_eq!(ranks, ["principal", "deputy"]);
    let me = env.get("/api/v1/me", &principal).body;
    assert_eq!(
        (me["role"].as_str(), me["partner_id"].as_str()),
        (Some("partner_administrator"), Some(p.as_str()))
    );

    for token in [&principal, &deputy] {
        let ids: Vec<String> = env.get("/api/v1/partners", token).body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids, vec![p.clone()], "only their own partner");
        // (method, path, expected)
        let table: Vec<(&str, String, u16)> = vec![
            ("GET", format!("/api/v1/partners/{p}"), 200),
            ("GET", format!("/api/v1/partners/{p}/conventions"), 200),
            ("GET", format!("/api/v1/conventions/{}", w.conv_a), 200),
            ("GET", format!("/api/v1/subscriptions/{}", w.sub_a), 200),
            ("GET", format!("/api/v1/partners/{other_partner}"), 404),
            ("GET", format!("/api/v1/cafs/{}", w.caf_a), 403),
            ("GET", "/api/v1/traces".into(), 200),
            ("GET", "/api/v1/services".into(), 200),
        ];
        for (method, path, expected) in &table {
            let r = env.call(method, path, Some(token), None);
            assert_eq!(r.status, *expected, "{method} {path}: {r:?}");
        }
        let r = env.put(
            &format!("/api/v1/partners/{p}"),
            token,
            partner_body(SIRETS[0], "ccas"),
        );
        assert_eq!(r.status, 403, "the Caf manages the registry");
        let r = env.post("/api/v1/partners", token, partner_body(SIRETS[2], "ccas"));
        assert_eq!(r.status, 403);
    }
    let traces = env
        .get(
            "/api/v1/traces?action=partner_administrator.named",
            &env.auditor(&w.cnaf),
        )
        .body["items"]
        .clone();
    assert_eq!(traces.as_array().unwrap().len(), 2);
    assert!(
        !traces.to_string().contains("usage unique"),
        "no activation code in traces"
    );
}

fn a_password_to_change_comes_before_anything_else(engine: Engine) {
    let w = world(engine);
    let env = &w.env;
    let p = &w.partner_a;
    // A contract whose passwords last 30 days.
    let r = env.put(
        &format!("/api/v1/conventions/{}/contract", w.conv_a),
        &w.admin_a,
        json!({"management_mode": "delegue", "password_policy": {"kind": "characters", "min_length": 12, "min_classes": 4, "max_age_days": 30}}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    env.post(
        &format!("/api/v1/conventions/{}/signature", w.conv_a),
        &w.admin_a,
        json!({"partner_signed_on": "2026-01-05", "caf_signed_on": "2026-01-05"}),
    );
    let token = env.partner_admin(&w.admin_a, p, "principal", "claire@ccas.example");
    let me = env.get("/api/v1/me", &token).body;
    let (account, identifier) = (
        me["id"].as_str().unwrap().to_string(),
        me["identifier"].as_str().unwrap().to_string(),
    );
    let login = |password: &str| {
        env.call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&json!({"identifier": identifier, "password": password})),
        )
    };
    assert_eq!(login(PASSWORD).body["password_change_required"], false);

    // Required by the Caf: on the very next request, only the person's own account is reachable.
    let r = env.post(
        &format!("/api/v1/accounts/{account}/password-change-requirement"),
        &w.admin_b,
        json!({"reason": "x"}),
    );
    assert_eq!(r.status, 404);
    let r = env.post(
        &format!("/api/v1/accounts/{account}/password-change-requirement"),
        &w.admin_a,
        json!({"reason": "Compromission suspectée"}),
    );
    assert_eq!(r.status, 204);
    let r = env.get(&format!("/api/v1/partners/{p}"), &token);
    assert_eq!((r.status, r.code()), (403, "password_change_required"));
    assert_eq!(env.get("/api/v1/me", &token).status, 200);
    assert_eq!(login(PASSWORD).body["password_change_required"], true);
    let r = env.post(
        "/api/v1/me/password",
        &token,
        json!({"current_password": PASSWORD, "new_password": "Nouveau#Secret-2026"}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        env.get(&format!("/api/v1/partners/{p}"), &token).status,
        200
    );
    assert_eq!(
        login("Nouveau#Secret-2026").body["password_change_required"],
        false
    );

    // Past the contract's maximum age, the login itself requires the change.
    let old = (chrono::Utc::now() - chrono::Duration::days(31))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    env.db
        .write(|c| {
            Ok(diesel::RunQueryDsl::execute(
                diesel::sql_query(format!(
                    "UPDATE accounts SET password_changed_at = '{old}' WHERE id = '{account}'"
                )),
                c,
            )?)
        })
        .unwrap();
    let r = login("Nouveau#Secret-2026");
    assert_eq!(
        (r.status, &r.body["password_change_required"]),
        (200, &json!(true))
    );
    let fresh = r.body["access_token"].as_str().unwrap();
    assert_eq!(env.get(&format!("/api/v1/partners/{p}"), fresh).status, 403);
    let reasons: Vec<String> = env
        .traces_of(&w.cnaf, &account)
        .iter()
        .filter(|t| t["action"] == "account.password_change_required")
        .map(|t| t["detail"]["reason"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        reasons,
        [
            "Compromission suspectée",
            "the password is older than the contract allows"
        ]
    );
}

fn a_contract_can_require_a_second_factor(engine: Engine) {
    let w = world(engine);
    let env = &w.env;
    let p = &w.partner_a;
    let r = env.put(
        &format!("/api/v1/conventions/{}/contract", w.conv_a),
        &w.admin_a,
        json!({"management_mode": "delegue", "second_factor_required": true}),
    );
    assert_eq!(
        (r.status, &r.body["second_factor_required"]),
        (200, &json!(true)),
        "{r:?}"
    );
    env.post(
        &format!("/api/v1/conventions/{}/signature", w.conv_a),
        &w.admin_a,
        json!({"partner_signed_on": "2026-01-05", "caf_signed_on": "2026-01-05"}),
    );
    let token = env.partner_admin(&w.admin_a, p, "principal", "claire@ccas.example");
    let identifier = env.get("/api/v1/me", &token).body["identifier"]
        .as_str()
        .unwrap()
        .to_string();
    let login = env.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"identifier": identifier, "password": PASSWORD})),
    );
    assert_eq!(login.body["second_factor_enrolment_required"], true);
    let r = env.get(&format!("/api/v1/partners/{p}"), &token);
    assert_eq!((r.status, r.code()), (403, "second_factor_required"));

    let enrolment = env.call("POST", "/api/v1/me/totp", Some(&token), None);
    assert_eq!(enrolment.status, 201);
    let secret = totp_rs::Secret::Encoded(enrolment.body["secret"].as_str().unwrap().to_string())
        .to_bytes()
        .unwrap();
    let device = totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        secret,
        None,
        identifier.clone(),
    );
    let now = chrono::Utc::now().timestamp() as u64;
    let r = env.post(
        "/api/v1/me/totp/confirmation",
        &token,
        json!({"code": device.generate(now)}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        env.get(&format!("/api/v1/partners/{p}"), &token).status,
        200,
        "enrolled: the restriction is lifted"
    );
    let r = env.call("POST", "/api/v1/auth/login", None, Some(&json!({"identifier": identifier, "password": PASSWORD, "otp": device.generate(now + 30)})));
    assert_eq!(
        (r.status, &r.body["second_factor_enrolment_required"]),
        (200, &json!(false))
    );
    let traces = env
        .get(
            "/api/v1/traces?action=account.second_factor_required",
            &env.auditor(&w.cnaf),
        )
        .body["items"]
        .clone();
    assert_eq!(traces.as_array().unwrap().len(), 1);
}

fn a_caf_can_require_a_second_factor(engine: Engine) {
    let w = world(engine);
    let env = &w.env;
    let partner_admin =
        env.partner_admin(&w.admin_a, &w.partner_a, "principal", "claire@ccas.example");
    let path = format!("/api/v1/cafs/{}/second-factor-requirement", w.caf_a);
    let on = json!({"required": true});
    assert_eq!(
        env.put(&path, &w.admin_b, on.clone()).status,
        404,
        "another Caf's"
    );
    assert_eq!(env.put(&path, &partner_admin, on.clone()).status, 403);
    let r = env.put(&path, &w.admin_a, json!({"required": "yes"}));
    assert_eq!(r.status, 400, "{r:?}");

    let r = env.put(&path, &w.admin_a, on);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["caf"]["second_factor_required"], true);
    assert_eq!(
        r.body["accounts_restricted"], 2,
        "the Caf's administrator and its partner's"
    );
    // At once, on the next request, for both; the other Caf is untouched.
    for token in [&w.admin_a, &partner_admin] {
        let r = env.get(&format!("/api/v1/partners/{}", w.partner_a), token);
        assert_eq!(
            (r.status, r.code()),
            (403, "second_factor_required"),
            "{r:?}"
        );
        assert_eq!(
            env.get("/api/v1/me", token).status,
            200,
            "their own account stays theirs"
        );
    }
    assert_eq!(env.get("/api/v1/partners", &w.admin_b).status, 200);
    // A new login keeps the requirement.
    let identifier = env.get("/api/v1/me", &partner_admin).body["identifier"]
        .as_str()
        .unwrap()
        .to_string();
    let login = env.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"identifier": identifier, "password": PASSWORD})),
    );
    assert_eq!(
        login.body["second_factor_enrolment_required"], true,
        "{login:?}"
    );

    // The Cnaf lifts it; the next login finds nothing left to require.
    let r = env.put(&path, &w.cnaf, json!({"required": false}));
    assert_eq!(r.status, 200, "{r:?}");
    let login = env.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"identifier": identifier, "password": PASSWORD})),
    );
    assert_eq!(login.body["second_factor_enrolment_required"], false);
    let token = login.body["access_token"].as_str().unwrap();
    assert_eq!(
        env.get(&format!("/api/v1/partners/{}", w.partner_a), token)
            .status,
        200
    );
    let traces = env.get(
        "/api/v1/traces?action=caf.second_factor_requirement_changed",
        &env.auditor(&w.cnaf),
    );
    assert_eq!(traces.body["items"].as_array().unwrap().len(), 2);
}

fn writes_on_objects_out_of_reach_answer_as_missing_ones(engine: Engine) {
    // Whatever one may not do to another organisation's object, the answer is the one a random
    // id gets: nothing tells that it exists, nor (for an account) what role it holds.
    let w = world(engine);
    let env = &w.env;
    let admin_a = env.get("/api/v1/me", &w.admin_a).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let other_partner = env.partner(&w.admin_a, SIRETS[1], "ccas");
    let padm = env.partner_admin(&w.admin_a, &w.partner_a, "principal", "claire@ccas.example");
    let other_padm = env.partner_admin(
        &w.admin_a,
        &other_partner,
        "principal",
        "paul@ccas2.example",
    );
    let other_padm_id = env.get("/api/v1/me", &other_padm).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let random = uuid::Uuid::new_v4().to_string();
    let answer = |method: &str, path: String, token: &str, body: serde_json::Value| {
        let r = env.call(method, &path, Some(token), Some(&body));
        (r.status, r.code().to_string())
    };
    let partner = |id: &str| {
        (
            "PUT",
            format!("/api/v1/partners/{id}"),
            mcp_integration_tests::partner_body(SIRETS[1], "ccas"),
        )
    };
    let suspension = |id: &str| {
        (
            "POST",
            format!("/api/v1/accounts/{id}/suspension"),
            json!({"reason": "précaution"}),
        )
    };
    // (caller, the other organisation's object, the same request on a random id)
    for (token, real, missing) in [
        (&padm, partner(&other_partner), partner(&random)),
        (&padm, suspension(&admin_a), suspension(&random)),
        (&padm, suspension(&other_padm_id), suspension(&random)),
        (&w.admin_b, partner(&w.partner_a), partner(&random)),
        (&w.admin_b, suspension(&other_padm_id), suspension(&random)),
    ] {
        let seen = answer(real.0, real.1.clone(), token, real.2.clone());
        let unseen = answer(missing.0, missing.1, token, missing.2);
        assert_eq!(seen, unseen, "{} {}", real.0, real.1);
        assert_eq!(seen.0, 404);
    }
}

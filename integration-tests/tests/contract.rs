//! The HTTP contract as a clumsy or hostile client meets it: every error is a problem document
//! with a stable code, never a 500; the OpenAPI document and its explorer are served offline.

use mcp_integration_tests::{on_both_engines, partner_body, Engine, TestEnv, SIRETS};
use serde_json::json;

on_both_engines!(
    bad_input_gets_a_problem_and_changes_nothing,
    request_ids_are_echoed_and_traced,
    documentation_is_served_offline,
    personal_data_is_never_cached,
    every_list_pages_alike
);

fn bad_input_gets_a_problem_and_changes_nothing(engine: Engine) {
    let env = TestEnv::start_with(engine, |c| c.max_body_bytes = 16 * 1024);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let json_ct = Some("application/json");
    // (what, reply, expected status, expected code)
    let cases = vec![
        ("malformed JSON", env.raw("POST", "/api/v1/partners", Some(&admin), json_ct, b"{\"siret\": ".to_vec()), 400, "malformed_json"),
        ("not an object", env.raw("POST", "/api/v1/partners", Some(&admin), json_ct, b"[1,2]".to_vec()), 400, "invalid_body"),
        ("empty body", env.raw("POST", "/api/v1/partners", Some(&admin), json_ct, vec![]), 400, "malformed_json"),
        ("unknown field", env.post("/api/v1/partners", &admin, json!({"siret": SIRETS[0], "name": "x", "address": "x", "representative_name": "x", "category": "ccas", "is_admin": true})), 400, "invalid_body"),
        ("unknown category", env.post("/api/v1/partners", &admin, partner_body(SIRETS[0], "mairie")), 400, "invalid_body"),
        ("wrong type", env.post("/api/v1/partners", &admin, json!({"siret": 21770251200013u64, "name": "x", "address": "x", "representative_name": "x", "category": "ccas"})), 400, "invalid_body"),
        ("text/plain", env.raw("POST", "/api/v1/partners", Some(&admin), Some("text/plain"), partner_body(SIRETS[0], "ccas").to_string().into_bytes()), 415, "unsupported_media_type"),
        ("no content type", env.raw("POST", "/api/v1/partners", Some(&admin), None, partner_body(SIRETS[0], "ccas").to_string().into_bytes()), 415, "unsupported_media_type"),
        ("huge body", env.raw("POST", "/api/v1/partners", Some(&admin), json_ct, format!("{{\"name\": \"{}\"}}", "x".repeat(100_000)).into_bytes()), 413, "payload_too_large"),
        ("bad SIRET key", env.post("/api/v1/partners", &admin, partner_body("21770251200014", "ccas")), 422, "validation_failed"),
        ("bad date", env.post(&format!("/api/v1/partners/{}/conventions", uuid::Uuid::new_v4()), &admin, json!({"number": "1", "missions": ["m"], "contract": {"password_policy": {"kind": "characters", "min_length": 4, "min_classes": 1}}})), 422, "validation_failed"),
        ("path not a UUID", env.get("/api/v1/partners/1", &admin), 404, "not_found"),
        ("unknown object", env.get(&format!("/api/v1/partners/{}", uuid::Uuid::new_v4()), &admin), 404, "not_found"),
        ("unknown route", env.get("/api/v1/nothing-here", &admin), 404, "not_found"),
        ("undeclared method", env.call("DELETE", &format!("/api/v1/partners/{}", uuid::Uuid::new_v4()), Some(&admin), None), 405, "method_not_allowed"),
        ("limit too large", env.get("/api/v1/partners?limit=100000", &admin), 400, "invalid_query"),
        ("limit not a number", env.get("/api/v1/partners?limit=ten", &admin), 400, "invalid_query"),
        ("unknown query parameter", env.get("/api/v1/partners?sirett=1", &admin), 400, "invalid_query"),
        ("SQL in a filter", env.get("/api/v1/partners?siret=%27%20OR%201%3D1%20--", &admin), 200, ""),
    ];
    for (what, r, status, code) in cases {
        assert_eq!(r.status, status, "{what}: {r:?}");
        assert_eq!(r.code(), code, "{what}: {r:?}");
        if status >= 400 {
            assert_eq!(
                r.header("content-type"),
                "application/problem+json",
                "{what}"
            );
            assert_eq!(r.body["status"], status, "{what}");
            assert_eq!(r.body["type"], format!("urn:mcp:problem:{code}"), "{what}");
            assert!(
                r.body["title"].as_str().is_some_and(|t| !t.is_empty()),
                "{what}"
            );
        }
    }
    let r = env.call("TRACE", "/api/v1/partners", Some(&admin), None);
    assert_eq!((r.status, r.header("allow")), (405, "GET, POST"));
    // A validation failure names each field.
    let r = env.post("/api/v1/partners", &admin, json!({"siret": "123", "name": "", "address": "x", "representative_name": "x", "category": "ccas"}));
    assert_eq!(
        r.field_errors(),
        [("siret", "invalid_siret"), ("name", "required")]
    );
    // None of it created anything.
    assert_eq!(env.get("/api/v1/partners", &admin).body["items"], json!([]));
    let created = env.get("/api/v1/traces?action=partner.created", &env.auditor(&cnaf));
    assert_eq!(created.body["items"], json!([]));
}

fn request_ids_are_echoed_and_traced(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let resp = env
        .client()
        .post(format!("{}/api/v1/partners", env.base_url()))
        .bearer_auth(&admin)
        .header("X-Request-Id", "lieusaint-logiciel-0001")
        .json(&partner_body(SIRETS[0], "ccas"))
        .send()
        .unwrap();
    let r = TestEnv::read(resp);
    assert_eq!(r.status, 201);
    assert_eq!(r.header("x-request-id"), "lieusaint-logiciel-0001");
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    let traces = env.get(
        "/api/v1/traces?request_id=lieusaint-logiciel-0001",
        &env.auditor(&cnaf),
    );
    assert_eq!(traces.body["items"][0]["action"], "partner.created");
    assert_eq!(traces.body["items"][0]["target_id"], r.id().as_str());
    // A request id that is not a sensible token is replaced, and errors carry one too.
    let resp = env
        .client()
        .get(format!("{}/api/v1/me", env.base_url()))
        .header("X-Request-Id", "<script>")
        .send()
        .unwrap();
    let r = TestEnv::read(resp);
    assert_eq!(r.status, 401);
    assert!(!r.header("x-request-id").is_empty() && r.header("x-request-id") != "<script>");
    // Pagination walks everything exactly once.
    for s in &SIRETS[1..] {
        env.partner(&admin, s, "commune");
    }
    let mut seen = vec![];
    let mut cursor = String::new();
    loop {
        let page = env.get(&format!("/api/v1/partners?limit=1{cursor}"), &admin);
        seen.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["siret"].as_str().unwrap().to_string()),
        );
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    let mut expected: Vec<String> = SIRETS.iter().map(|s| s.to_string()).collect();
    seen.sort();
    expected.sort();
    assert_eq!(seen, expected);
}

fn documentation_is_served_offline(engine: Engine) {
    let env = TestEnv::start(engine);
    let doc = env.call("GET", "/api/v1/openapi.json", None, None);
    assert_eq!(doc.status, 200);
    assert_eq!(doc.body["info"]["version"], "1.0.0");
    assert!(doc.body["paths"]["/api/v1/partners"]["post"].is_object());
    assert!(doc.body["components"]["securitySchemes"]["bearer"].is_object());
    let redirect = env
        .client()
        .get(format!("{}/swagger-ui", env.base_url()))
        .send()
        .unwrap();
    assert_eq!(
        redirect.url().path(),
        "/swagger-ui/",
        "followed the redirect"
    );
    let page = redirect.text().unwrap();
    assert!(page.contains("swagger-ui"), "the explorer page");
    // Its scripts come from this service, not from a CDN.
    assert!(!page.contains("https://"), "no external asset in the page");
    let bundle = env
        .client()
        .get(format!(
            "{}/swagger-ui/swagger-ui-bundle.js",
            env.base_url()
        ))
        .send()
        .unwrap();
    assert_eq!(bundle.status(), 200);
    let init = env
        .client()
        .get(format!(
            "{}/swagger-ui/swagger-initializer.js",
            env.base_url()
        ))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        init.contains("/api/v1/openapi.json"),
        "the explorer loads this service's document"
    );
    // It sends the document to no outside validator, whatever the host name it is served under.
    assert!(
        init.replace(char::is_whitespace, "")
            .contains(r#""validatorUrl":"none""#),
        "the online validator is off: {init}"
    );
    // And it may be framed by no other site, nor load anything from elsewhere.
    let explorer = env
        .client()
        .get(format!("{}/swagger-ui/", env.base_url()))
        .send()
        .unwrap();
    let csp = explorer.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
    assert_eq!(explorer.headers()["x-frame-options"], "DENY");
    let health = env.call("GET", "/health", None, None);
    assert_eq!(health.body["status"], "ok");
    // The catalogue of error codes, for software: the domain's and the HTTP layer's.
    let codes = env.call("GET", "/api/v1/error-codes", None, None);
    assert_eq!(codes.status, 200, "{codes:?}");
    let items = codes.body["items"].as_array().unwrap();
    let find = |code: &str| items.iter().find(|c| c["code"] == code).cloned();
    let quota = find("quota_exceeded").expect("quota_exceeded");
    assert_eq!(quota["status"], 409);
    assert_eq!(quota["title_fr"], "Le quota de ce profil est atteint");
    assert_eq!(
        find("invalid_cursor").expect("invalid_cursor")["layer"],
        true
    );
    let documented =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/ERRORS.md")).unwrap();
    assert_eq!(documented.matches("\n| `").count(), items.len());
}

fn personal_data_is_never_cached(engine: Engine) {
    // A shared computer at a town hall, or a proxy between it and the service, must keep no
    // copy of a person's data or of a secret.
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let partner = env.partner(&admin, SIRETS[0], "ccas");
    let auditor = env.auditor(&cnaf);
    for (path, token) in [
        ("/api/v1/me".to_string(), &admin),
        ("/api/v1/me/sessions".to_string(), &admin),
        (format!("/api/v1/partners/{partner}/users"), &admin),
        (format!("/api/v1/partners/{partner}"), &admin),
        ("/api/v1/traces".to_string(), &auditor),
        ("/api/v1/traces/export?format=csv".to_string(), &auditor),
        (
            "/api/v1/partners/00000000-0000-0000-0000-000000000000".to_string(),
            &admin,
        ),
    ] {
        let r = env.get(&path, token);
        assert_eq!(r.header("cache-control"), "no-store", "{path}: {r:?}");
    }
    // What is public and the same for everyone may be cached.
    let jwks = env.call("GET", "/api/v1/auth/jwks.json", None, None);
    assert_eq!(jwks.header("cache-control"), "public, max-age=300");
}

/// Follows `next_cursor` from the first page of `path` (which may carry a query) with pages of
/// `limit`; returns each page's size and every item's id.
fn pages(env: &TestEnv, path: &str, token: &str, limit: usize) -> (Vec<usize>, Vec<String>) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let (mut sizes, mut ids, mut cursor) = (vec![], vec![], None::<String>);
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
            None => format!("{path}{sep}limit={limit}"),
        };
        let r = env.get(&url, token);
        assert_eq!(r.status, 200, "{url}: {r:?}");
        let items = r.body["items"].as_array().expect("items").clone();
        sizes.push(items.len());
        ids.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_string()));
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return (sizes, ids),
        }
        assert!(sizes.len() < 50, "{path}: the pages never end");
    }
}

fn every_list_pages_alike(engine: Engine) {
    // Integrators write one pager: every list answers `{items, next_cursor}`, takes `limit` and
    // `cursor`, and refuses a cursor it did not give.
    let env = TestEnv::start(engine);
    let doc = env.call("GET", "/api/v1/openapi.json", None, None).body;
    let mut lists = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let Some(schema) =
            ops["get"]["responses"]["200"]["content"]["application/json"].get("schema")
        else {
            continue;
        };
        assert_ne!(schema["type"], "array", "{path} answers a bare array");
        if let Some(name) = schema["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .filter(|n| n.ends_with("Page"))
        {
            let props = &doc["components"]["schemas"][name]["properties"];
            assert!(
                props["items"]["type"] == "array" && props.get("next_cursor").is_some(),
                "{name}"
            );
            lists += 1;
        }
    }
    assert!(lists >= 25, "{lists} lists");

    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let partner = env.partner(&admin, SIRETS[0], "ccas");
    let principal = env.partner_admin(&admin, &partner, "principal", "claire@ccas.example");
    for i in 0..6 {
        let r = env.post(
            &format!("/api/v1/partners/{partner}/users"),
            &principal,
            json!({"full_name": format!("Agent {i} Martin"), "function_title": "Agent d'accueil", "email": format!("agent{i}@ccas.example"), "phone": "01 64 13 55 00"}),
        );
        assert_eq!(r.status, 201, "{r:?}");
    }
    for name in ["Accueil", "Instruction", "Direction"] {
        let r = env.post(
            &format!("/api/v1/partners/{partner}/groups"),
            &principal,
            json!({"name": name, "description": "Service"}),
        );
        assert_eq!(r.status, 201, "{r:?}");
    }
    // Seven people (the administrator and six agents), three by three: nobody twice, nobody
    // left out, and the pages end.
    let users = format!("/api/v1/partners/{partner}/users");
    let (sizes, ids) = pages(&env, &users, &principal, 3);
    assert_eq!(sizes, [3, 3, 1]);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 7);
    let whole = env.get(&users, &principal);
    assert_eq!(whole.body["items"].as_array().unwrap().len(), 7);
    assert!(whole.body["next_cursor"].is_null());
    let (sizes, _) = pages(
        &env,
        &format!("/api/v1/partners/{partner}/groups"),
        &principal,
        2,
    );
    assert_eq!(sizes, [2, 1]);

    // A cursor this service did not give, and a limit out of bounds, on every kind of list.
    for path in [
        users.clone(),
        format!("/api/v1/partners/{partner}/groups"),
        format!("/api/v1/partners/{partner}/delegations"),
        format!("/api/v1/partners/{partner}/requests"),
        format!("/api/v1/partners/{partner}/role-bundles"),
        format!("/api/v1/partners/{partner}/client-applications"),
        format!("/api/v1/partners/{partner}/habilitation-questions"),
        format!("/api/v1/cafs/{caf}/requests?status=submitted"),
        format!("/api/v1/cafs/{caf}/unused-habilitations?days=30"),
        format!("/api/v1/cafs/{caf}/quota-use"),
        "/api/v1/me/sessions".to_string(),
    ] {
        let token = if path.contains("/cafs/") || path.contains("/me/") {
            &admin
        } else {
            &principal
        };
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = env.get(&format!("{path}{sep}cursor=page-2"), token);
        assert_eq!(
            (r.status, r.code()),
            (400, "invalid_cursor"),
            "{path}: {r:?}"
        );
        let r = env.get(&format!("{path}{sep}limit=0"), token);
        assert_eq!(
            (r.status, r.code()),
            (400, "invalid_query"),
            "{path}: {r:?}"
        );
        let r = env.get(&path, token);
        assert_eq!(r.status, 200, "{path}: {r:?}");
        assert!(r.body["items"].is_array(), "{path}: {r:?}");
    }
}

fn reply(status: u16, code: &str) -> mcp_integration_tests::Reply {
    mcp_integration_tests::Reply {
        status,
        headers: Default::default(),
        body: json!({"code": code}),
    }
}

#[test]
fn every_operation_declares_the_codes_it_answers() {
    // The contract lists, per operation and status, the codes a client may meet: the grant's
    // 409 names the quota, its 403 the rules that reserve it to someone else.
    let check = mcp_integration_tests::contract::check;
    check(
        "POST",
        "/api/v1/partners/p/habilitations",
        None,
        &reply(409, "quota_exceeded"),
    );
    check(
        "POST",
        "/api/v1/partners/p/habilitations",
        None,
        &reply(403, "self_grant"),
    );
    check(
        "GET",
        "/api/v1/partners/p/users?limit=2",
        None,
        &reply(400, "invalid_cursor"),
    );
    check(
        "POST",
        "/api/v1/auth/login",
        None,
        &reply(401, "otp_required"),
    );
    // And the suite's check does fail on a code an operation does not declare.
    for (method, path, status, code) in [
        (
            "POST",
            "/api/v1/partners/p/habilitations",
            409,
            "caf_already_registered",
        ),
        ("GET", "/api/v1/partners/p/users", 409, "quota_exceeded"),
        ("GET", "/api/v1/partners", 404, "not_found"),
    ] {
        let r = reply(status, code);
        let refused = std::panic::catch_unwind(|| check(method, path, None, &r));
        assert!(refused.is_err(), "{method} {path} {status} {code}");
    }
}

#[test]
fn a_software_tokens_success_is_checked_against_the_scope_declared() {
    // What the document tells software to ask for is what the suite sees the service accept:
    // a success of a token carrying `scope` on an operation that needs another scope, or that
    // only a person's own token may call, fails the check.
    let check = mcp_integration_tests::contract::check;
    let token = |scope: &str| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &json!({"sub": "a", "scope": scope}),
            &jsonwebtoken::EncodingKey::from_secret(b"test"),
        )
        .unwrap()
    };
    // (No body: nothing to record as an example under `make examples`.)
    let ok = mcp_integration_tests::Reply {
        status: 200,
        headers: Default::default(),
        body: serde_json::Value::Null,
    };
    let reader = token("registry:read profile");
    check("GET", "/api/v1/partners", Some(&reader), &ok);
    check("GET", "/api/v1/me", Some(&reader), &ok);
    for (method, path) in [
        ("GET", "/api/v1/partners/p/habilitations"),
        ("GET", "/api/v1/traces"),
    ] {
        let refused = std::panic::catch_unwind(|| check(method, path, Some(&reader), &ok));
        assert!(refused.is_err(), "{method} {path}");
    }
    // A person's own token (no `scope`) reaches everything its role allows.
    let person = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": "a"}),
        &jsonwebtoken::EncodingKey::from_secret(b"test"),
    )
    .unwrap();
    check("GET", "/api/v1/traces", Some(&person), &ok);
}

#[test]
fn every_request_body_has_an_example() {
    // What the explorer pre-fills and a generated client documents: a realistic body, checked
    // against its schema by Redocly (tools/contract/redocly.yaml).
    let doc = serde_json::to_value(mcp_api::openapi::document()).unwrap();
    let schema_of = |v: &serde_json::Value| match v["$ref"].as_str() {
        Some(r) => doc["components"]["schemas"][r.rsplit('/').next().unwrap()].clone(),
        None => v.clone(),
    };
    let mut missing = vec![];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(content) = op["requestBody"]["content"].as_object() else {
                continue;
            };
            for media in content.values() {
                let schema = schema_of(&media["schema"]);
                let examples_all = schema["oneOf"]
                    .as_array()
                    .is_some_and(|alts| alts.iter().all(|a| !schema_of(a)["example"].is_null()));
                if schema["example"].is_null() && media["example"].is_null() && !examples_all {
                    missing.push(format!("{method} {path}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "request bodies without an example: {missing:?}"
    );
}

#[test]
fn every_response_schema_has_an_example() {
    // What a generated client documents and the explorer shows before anyone calls: a real
    // answer of the suite (`make examples`), checked against its schema by Redocly, so that an
    // example that no longer matches what the service answers fails `make test`.
    let doc = serde_json::to_value(mcp_api::openapi::document()).unwrap();
    let mut missing = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(responses) = op["responses"].as_object() else {
                continue;
            };
            for (status, response) in responses {
                if !status.starts_with('2') {
                    continue;
                }
                let Some(r) = response["content"]["application/json"]["schema"]["$ref"].as_str()
                else {
                    continue;
                };
                let name = r.rsplit('/').next().unwrap();
                if doc["components"]["schemas"][name]["example"].is_null() {
                    missing.insert(format!("{name} ({method} {path} {status})"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "response schemas without an example (run `make examples`, or drive the operation in a \
         test): {missing:?}"
    );
}

//! OpenID Connect: a relying party written with authlib (tools/oidc/flow.py) signs a person in
//! through discovery, the code flow with PKCE and a nonce, checks the id_token against the
//! JWKS, reads userinfo, introspects, revokes and logs out; and what the service refuses.

use mcp_integration_tests::{on_both_engines, Engine, Reply, TestEnv, PASSWORD, SIRETS};
use reqwest::blocking::Client;
use serde_json::{json, Value};

on_both_engines!(
    an_openid_client_signs_a_person_in_and_out,
    what_the_openid_endpoints_refuse,
);

const REDIRECT: &str = "http://127.0.0.1:9/retour";

struct World {
    env: TestEnv,
    cnaf: String,
    person: String,
    client_id: String,
    other_client_id: String,
    http: Client,
}

fn world(engine: Engine) -> World {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let caf_admin = env.caf_admin(&cnaf, &caf, "admin@caf.example");
    let partner = env.partner(&caf_admin, SIRETS[0], "ccas");
    let person_token = env.partner_admin(&caf_admin, &partner, "principal", "claire@ccas.example");
    let person = env.get("/api/v1/me", &person_token).body["identifier"]
        .as_str()
        .unwrap()
        .to_string();
    let register = |name: &str| {
        let r = env.post(
            &format!("/api/v1/partners/{partner}/client-applications"),
            &caf_admin,
            json!({"name": name, "redirect_uris": [REDIRECT], "scopes": "profile registry:read"}),
        );
        assert_eq!(r.status, 201, "{r:?}");
        r.body["client_id"].as_str().unwrap().to_string()
    };
    let (client_id, other_client_id) = (register("Logiciel social"), register("Autre logiciel"));
    let http = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .unwrap();
    World {
        env,
        cnaf,
        person,
        client_id,
        other_client_id,
        http,
    }
}

/// Runs the relying party (`mode`: `full` or `tokens`); gives its last line of output.
fn relying_party(w: &World, mode: &str) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tools/oidc/run.sh");
    let out = std::process::Command::new(script)
        .args([
            w.env.base_url(),
            &w.client_id,
            REDIRECT,
            &w.person,
            PASSWORD,
            mode,
        ])
        .output()
        .expect("the relying party runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.lines().last().unwrap_or_default().to_string()
}

fn form(w: &World, path: &str, fields: &[(&str, &str)]) -> Reply {
    TestEnv::read(
        w.http
            .post(format!("{}{path}", w.env.base_url()))
            .form(fields)
            .send()
            .unwrap(),
    )
}

fn an_openid_client_signs_a_person_in_and_out(engine: Engine) {
    let w = world(engine);
    assert_eq!(relying_party(&w, "full"), "ok");

    // The revocation and the logout ended the sessions, each traced as the person's action
    // through the software, with its reason.
    let ends: Vec<Value> = w
        .env
        .all_traces(&w.env.auditor(&w.cnaf), "&action=auth.session_revoked")
        .into_iter()
        .filter(|t| t["client_id"] == w.client_id.as_str())
        .collect();
    let reasons: Vec<&str> = ends
        .iter()
        .map(|t| t["detail"]["reason"].as_str().unwrap_or_default())
        .collect();
    assert!(reasons.contains(&"revoked_by_software"), "{ends:?}");
    assert!(reasons.contains(&"logout"), "{ends:?}");
    for t in &ends {
        assert!(!t["actor_account_id"].is_null(), "names the person: {t}");
    }
}

fn what_the_openid_endpoints_refuse(engine: Engine) {
    let w = world(engine);
    let env = &w.env;
    let root = env
        .client()
        .get(format!(
            "{}/.well-known/openid-configuration",
            env.base_url()
        ))
        .send()
        .unwrap()
        .json::<Value>()
        .unwrap();
    let meta = env.get("/api/v1/.well-known/openid-configuration", "");
    assert_eq!(meta.status, 200);
    assert_eq!(root, meta.body, "the same document at the root");
    assert_eq!(
        meta.body["token_endpoint_auth_methods_supported"],
        json!(["none"])
    );

    let line = relying_party(&w, "tokens");
    let out: Value = serde_json::from_str(&line).expect("the tokens, as JSON");
    let token = &out["token"];
    let (access, refresh, id_token) = (
        token["access_token"].as_str().unwrap(),
        token["refresh_token"].as_str().unwrap(),
        token["id_token"].as_str().unwrap(),
    );

    // The id_token is no access token, wherever it is presented.
    let info = env.get("/api/v1/oauth/userinfo", access);
    assert_eq!(info.status, 200, "{info:?}");
    assert_eq!(info.body["sub"], out["sub"]);
    for path in ["/api/v1/oauth/userinfo", "/api/v1/me"] {
        let r = env.get(path, id_token);
        assert_eq!(r.status, 401, "{path}: {r:?}");
        assert!(r.header("www-authenticate").starts_with("Bearer"), "{r:?}");
    }
    let r = env.get("/api/v1/oauth/userinfo", "");
    assert_eq!(r.status, 401);
    assert!(r.header("www-authenticate").starts_with("Bearer"));
    // A person's own token is no software's: userinfo is not for it.
    let own = env.login(&w.person, PASSWORD);
    assert_eq!(env.get("/api/v1/oauth/userinfo", &own).status, 403);

    // Bad client credentials: refused, and nothing done.
    for path in ["/api/v1/oauth/introspect", "/api/v1/oauth/revoke"] {
        for client in ["", "00000000-0000-0000-0000-000000000000"] {
            let r = form(&w, path, &[("client_id", client), ("token", refresh)]);
            assert_eq!(r.status, 401, "{path} {client}: {r:?}");
            assert_eq!(r.body["error"], "invalid_client");
        }
        let r = form(&w, path, &[("client_id", &w.client_id)]);
        assert_eq!(r.status, 400);
        assert_eq!(r.body["error"], "invalid_request");
    }
    // Another software learns nothing of the tokens, and revokes none.
    for t in [access, refresh, id_token, "inconnu"] {
        let r = form(
            &w,
            "/api/v1/oauth/introspect",
            &[("client_id", &w.other_client_id), ("token", t)],
        );
        assert_eq!((r.status, &r.body), (200, &json!({"active": false})));
        let r = form(
            &w,
            "/api/v1/oauth/revoke",
            &[("client_id", &w.other_client_id), ("token", t)],
        );
        assert_eq!(r.status, 200);
    }
    let r = form(
        &w,
        "/api/v1/oauth/introspect",
        &[("client_id", &w.client_id), ("token", access)],
    );
    assert_eq!(r.body["active"], true, "still active: {r:?}");
    // An id_token is not introspected as a token of the session either.
    let r = form(
        &w,
        "/api/v1/oauth/introspect",
        &[("client_id", &w.client_id), ("token", id_token)],
    );
    assert_eq!(r.body, json!({"active": false}));

    // Logout: only to a registered address, only with an id_token of this service.
    let logout = |query: &[(&str, &str)]| {
        w.http
            .get(format!("{}/api/v1/oauth/logout", env.base_url()))
            .query(query)
            .send()
            .unwrap()
    };
    let r = logout(&[
        ("id_token_hint", id_token),
        ("post_logout_redirect_uri", "https://ailleurs.example/"),
    ]);
    assert_eq!(r.status().as_u16(), 400);
    let html = r.text().unwrap();
    assert!(html.contains("<html lang=\"fr\">") && html.contains("adresse de retour"));
    let r = logout(&[("id_token_hint", access)]);
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(env.get("/api/v1/oauth/userinfo", access).status, 200);
    // The logout endpoint takes a form as well (RP-Initiated Logout 1.0 §2: GET and POST).
    let posted = |fields: &[(&str, &str)]| {
        w.http
            .post(format!("{}/api/v1/oauth/logout", env.base_url()))
            .form(fields)
            .send()
            .unwrap()
    };
    let r = posted(&[
        ("id_token_hint", id_token),
        ("post_logout_redirect_uri", "https://ailleurs.example/"),
    ]);
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(env.get("/api/v1/oauth/userinfo", access).status, 200);
    let r = posted(&[("id_token_hint", id_token)]);
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().unwrap().contains("Vous êtes déconnecté"));
    assert_eq!(env.get("/api/v1/oauth/userinfo", access).status, 401);
}

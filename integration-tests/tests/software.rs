//! Partner software acting for a person: the Caf registers it, the person signs in on the page
//! this service serves (the software never sees the password), the software exchanges the code
//! with its PKCE verifier, and every token and trace names both the person and the software.

use mcp_integration_tests::{on_both_engines, Engine, Reply, TestEnv, PASSWORD, SIRETS};
use reqwest::blocking::Client;
use serde_json::{json, Value};

on_both_engines!(
    one_softwares_budget_is_shared_by_everyone_it_acts_for,
    authorization_code_flow_with_pkce,
    a_code_presented_again_ends_the_session_it_opened,
    the_sign_in_form_is_refused_from_another_site,
    password_grant_only_where_allowed,
    partners_submit_software_for_approval,
    the_sign_in_page_says_how_long_to_wait_in_french,
    each_operation_asks_the_scope_the_document_gives,
    the_sign_in_page_refuses_obsolete_browsers,
);

const REDIRECT: &str = "http://127.0.0.1:9/retour";
// A verifier and its S256 challenge, computed independently (Python's hashlib and base64).
const VERIFIER: &str = "dBjftJeZ4CVP-mJ92ZFE5rXxKyK5e8hYkmgUnj7Hr2CSnbOq3IDf5ZnNt0ZfkE4c";
const CHALLENGE: &str = "2jzs6ECqHtPx7d3TqHgu2M6BgWQcm7zqkbDht-mjDb8";

struct World {
    env: TestEnv,
    cnaf: String,
    caf_admin: String,
    partner: String,
    person: String,
    outsider: String,
    browser: Client,
}

fn world(engine: Engine) -> World {
    world_with(engine, |_| {})
}

fn world_with(engine: Engine, adjust: impl FnOnce(&mut mcp_api::config::Config)) -> World {
    let env = TestEnv::start_with(engine, adjust);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let caf_admin = env.caf_admin(&cnaf, &caf, "admin@caf.example");
    let partner = env.partner(&caf_admin, SIRETS[0], "ccas");
    let other = env.partner(&caf_admin, SIRETS[1], "commune");
    let person_token = env.partner_admin(&caf_admin, &partner, "principal", "claire@ccas.example");
    let outsider_token = env.partner_admin(&caf_admin, &other, "principal", "marc@commune.example");
    let id = |t: &str| {
        env.get("/api/v1/me", t).body["identifier"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (person, outsider) = (id(&person_token), id(&outsider_token));
    let browser = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // Dropped before the server's 5 s keep-alive closes them (see TestEnv's client).
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .unwrap();
    World {
        env,
        cnaf,
        caf_admin,
        partner,
        person,
        outsider,
        browser,
    }
}

fn register(w: &World, body: Value) -> Reply {
    w.env.post(
        &format!("/api/v1/partners/{}/client-applications", w.partner),
        &w.caf_admin,
        body,
    )
}

fn authorize_query(client_id: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut q: Vec<(String, String)> = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("scope", "profile registry:read"),
        ("state", "etat-42"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        q.retain(|(qk, _)| qk != k);
        if !v.is_empty() {
            q.push((k.to_string(), v.to_string()));
        }
    }
    q
}

fn get_page(w: &World, query: &[(String, String)]) -> reqwest::blocking::Response {
    w.browser
        .get(format!("{}/api/v1/oauth/authorize", w.env.base_url()))
        .query(query)
        .send()
        .unwrap()
}

/// What a browser holds after showing the sign-in page for `query`: the form cookie
/// (`name=value`) and the form's `jeton`.
fn page_form(w: &World, query: &[(String, String)]) -> (String, String) {
    let page = get_page(w, query);
    assert_eq!(page.status().as_u16(), 200);
    let cookie = page.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("mcp_form="), "{cookie}");
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/v1/oauth/authorize",
    ] {
        assert!(cookie.contains(attribute), "{attribute}: {cookie}");
    }
    let cookie = cookie.split(';').next().unwrap().to_string();
    let html = page.text().unwrap();
    let jeton = html
        .split("name=\"jeton\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form carries its token")
        .to_string();
    (cookie, jeton)
}

/// Posts the sign-in form of `query`, with `cookie` and `jeton` as a browser would send them.
fn post_form(
    w: &World,
    query: &[(String, String)],
    (cookie, jeton): (&str, &str),
    identifier: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> reqwest::blocking::Response {
    let mut form = query.to_vec();
    form.push(("identifiant".into(), identifier.into()));
    form.push(("mot_de_passe".into(), password.into()));
    form.push(("code".into(), String::new()));
    form.push(("jeton".into(), jeton.into()));
    let mut req = w
        .browser
        .post(format!("{}/api/v1/oauth/authorize", w.env.base_url()))
        .form(&form);
    if !cookie.is_empty() {
        req = req.header("cookie", cookie);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().unwrap()
}

/// Shows the sign-in page, then signs in on it.
fn sign_in(
    w: &World,
    client_id: &str,
    identifier: &str,
    password: &str,
) -> reqwest::blocking::Response {
    let query = authorize_query(client_id, &[]);
    let (cookie, jeton) = page_form(w, &query);
    post_form(w, &query, (&cookie, &jeton), identifier, password, &[])
}

fn code_from(resp: &reqwest::blocking::Response) -> String {
    assert_eq!(resp.status().as_u16(), 303);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with(&format!("{REDIRECT}?code=")),
        "{location}"
    );
    assert!(location.ends_with("&state=etat-42"), "{location}");
    location
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string()
}

fn token(w: &World, form: &[(&str, &str)]) -> Reply {
    TestEnv::read(
        w.browser
            .post(format!("{}/api/v1/oauth/token", w.env.base_url()))
            .form(form)
            .send()
            .unwrap(),
    )
}

fn authorization_code_flow_with_pkce(engine: Engine) {
    let w = world(engine);
    let env = &w.env;
    let r = register(
        &w,
        json!({"name": "Logiciel", "redirect_uris": ["http://logiciel.example/cb"], "scopes": "admin"}),
    );
    assert_eq!(r.status, 422);
    let r = register(
        &w,
        json!({"name": "Logiciel social <b>", "redirect_uris": [REDIRECT], "scopes": "profile registry:read"}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let client_id = r.body["client_id"].as_str().unwrap().to_string();
    assert_eq!(
        env.get(
            &format!("/api/v1/partners/{}/client-applications", w.partner),
            &w.cnaf
        )
        .body["items"][0]["client_id"],
        client_id.as_str()
    );

    // The page: in French, naming the software (escaped), framed by nobody, scripted by nothing.
    let page = get_page(&w, &authorize_query(&client_id, &[]));
    assert_eq!(page.status().as_u16(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    let html = page.text().unwrap();
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("<title>Connexion — Mon Compte Partenaire</title>"));
    assert!(
        html.contains("Logiciel social &lt;b&gt;"),
        "the name is escaped"
    );
    assert!(
        html.contains("<label for=\"mot_de_passe\">")
            && html.contains("autocomplete=\"current-password\"")
    );
    assert!(html.contains(&format!("name=\"code_challenge\" value=\"{CHALLENGE}\"")));
    assert!(!html.contains("<script"), "no script");

    // Untrustworthy requests are refused on the page, never redirected.
    for bad in [
        authorize_query(&uuid::Uuid::new_v4().to_string(), &[]),
        authorize_query(&client_id, &[("redirect_uri", "https://evil.example/cb")]),
    ] {
        let r = get_page(&w, &bad);
        assert_eq!(r.status().as_u16(), 400);
        assert!(r.headers().get("location").is_none());
    }
    // Other mistakes go back to the software, with the state.
    let r = get_page(
        &w,
        &authorize_query(&client_id, &[("code_challenge_method", "plain")]),
    );
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], format!("{REDIRECT}?error=invalid_request&error_description=PKCE%20is%20required%3A%20code_challenge%20%28S256%29%20and%20code_challenge_method%3DS256&state=etat-42").as_str());
    let r = get_page(
        &w,
        &authorize_query(&client_id, &[("scope", "registry:write")]),
    );
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .contains("error=invalid_scope"));

    // Wrong password, or a person of another partner: the page again, with the reason.
    let r = sign_in(&w, &client_id, &w.person, "Wrong#Password-1");
    assert_eq!(r.status().as_u16(), 200);
    let again = r.text().unwrap();
    assert!(again.contains("role=\"alert\""));
    // The title says it first, for whoever hears the page before reading it (RGAA 8.6).
    assert!(
        again.contains("<title>Erreur — Connexion — Mon Compte Partenaire</title>"),
        "{again}"
    );
    let r = sign_in(&w, &client_id, &w.outsider, PASSWORD);
    assert!(r.text().unwrap().contains("autre organisation"));

    // The right person: a code, exchanged once, with the right verifier only. The browser
    // keeps a device token for this person's next sign-in, out of reach of scripts and of
    // other sites.
    let signed_in = sign_in(&w, &client_id, &w.person, PASSWORD);
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("mcp_device="), "{cookie}");
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/v1/oauth/authorize",
        "Max-Age=15552000",
    ] {
        assert!(cookie.contains(attribute), "{attribute}: {cookie}");
    }
    let code = code_from(&signed_in);
    let exchange = |code: &str, verifier: &str| {
        token(
            &w,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &client_id),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", verifier),
            ],
        )
    };
    let r = exchange(&code, &"x".repeat(64));
    assert_eq!(
        (r.status, r.body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let r = exchange(&code, VERIFIER);
    assert_eq!(
        (r.status, r.body["error"].as_str()),
        (400, Some("invalid_grant")),
        "a code tried once is spent"
    );
    let code = code_from(&sign_in(&w, &client_id, &w.person, PASSWORD));
    let tokens = exchange(&code, VERIFIER);
    assert_eq!(tokens.status, 200, "{tokens:?}");
    let access = tokens.body["access_token"].as_str().unwrap().to_string();
    let claims: Value = jsonwebtoken::dangerous::insecure_decode(&access)
        .unwrap()
        .claims;
    assert_eq!(
        claims["azp"],
        client_id.as_str(),
        "the token names the software"
    );
    assert_eq!(claims["scope"], "profile registry:read");
    assert_eq!(
        claims["sub"],
        env.get("/api/v1/me", &access).body["id"],
        "and the person"
    );

    // The software does what the person granted, nothing more.
    assert_eq!(
        env.get(&format!("/api/v1/partners/{}", w.partner), &access)
            .status,
        200
    );
    let r = env.post(
        "/api/v1/me/password",
        &access,
        json!({"current_password": PASSWORD, "new_password": "Another#Secret-2026"}),
    );
    assert_eq!(r.status, 403, "never the person's own security");
    assert_eq!(
        env.call("POST", "/api/v1/me/totp", Some(&access), None)
            .status,
        403
    );
    assert_eq!(
        env.get("/api/v1/me/sessions", &access).status,
        403,
        "nor the person's sessions (addresses, devices)"
    );

    // Refresh through the token endpoint, bound to this software.
    let refresh = tokens.body["refresh_token"].as_str().unwrap().to_string();
    let r = token(
        &w,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &uuid::Uuid::new_v4().to_string()),
            ("refresh_token", &refresh),
        ],
    );
    assert_eq!(
        (r.status, r.body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let r = token(
        &w,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("refresh_token", &refresh),
        ],
    );
    assert_eq!(r.status, 200, "{r:?}");
    let r = token(
        &w,
        &[
            ("grant_type", "password"),
            ("client_id", &client_id),
            ("username", &w.person),
            ("password", PASSWORD),
        ],
    );
    assert_eq!(r.body["error"], "unauthorized_client");

    // Traces name the person and the software.
    let traces = env
        .get(
            &format!("/api/v1/traces?client_id={client_id}&limit=200"),
            &env.auditor(&w.cnaf),
        )
        .body["items"]
        .clone();
    let actions: Vec<&str> = traces
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    // The software's three attempts at the person's own security were refused, and traced.
    assert_eq!(
        actions,
        [
            "oauth.consent_given",
            "oauth.consent_given",
            "auth.login",
            "operation.refused",
            "operation.refused",
            "operation.refused",
            "auth.refresh"
        ]
    );
    assert!(traces
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["actor_role"] == "partner_administrator"
            && t["organisation_id"] == w.partner.as_str()));

    // Revoked: its sessions end at once, and nobody can sign in to it.
    let r = env.post(
        &format!("/api/v1/client-applications/{client_id}/revocation"),
        &w.caf_admin,
        json!({"reason": "Contrat terminé"}),
    );
    assert_eq!((r.status, &r.body["status"]), (200, &json!("revoked")));
    assert_eq!(env.get("/api/v1/me", &access).status, 401);
    assert_eq!(
        get_page(&w, &authorize_query(&client_id, &[]))
            .status()
            .as_u16(),
        400
    );
}

fn password_grant_only_where_allowed(engine: Engine) {
    let w = world(engine);
    let r = register(
        &w,
        json!({"name": "Logiciel de la mairie", "redirect_uris": [REDIRECT], "scopes": "registry:read", "password_grant": true}),
    );
    assert_eq!(r.status, 201);
    let client_id = r.body["client_id"].as_str().unwrap().to_string();
    let grant = |user: &str, pw: &str, scope: Option<&str>| {
        let mut form = vec![
            ("grant_type", "password"),
            ("client_id", client_id.as_str()),
            ("username", user),
            ("password", pw),
        ];
        if let Some(s) = scope {
            form.push(("scope", s));
        }
        token(&w, &form)
    };
    // RFC 6749 §5.2: error_description in ASCII, for the software's developers; the problem
    // document's title and detail for a person, French unless English is asked.
    let wrong = grant(&w.person, "Wrong#Password-1", None);
    assert_eq!(wrong.body["error"], "invalid_grant");
    assert_eq!(
        wrong.body["error_description"],
        "wrong identifier or password"
    );
    assert_eq!(wrong.body["title"], "La demande de jeton est refusée");
    assert_eq!(
        wrong.body["detail"],
        "identifiant ou mot de passe incorrect"
    );
    let english = TestEnv::read(
        w.browser
            .post(format!("{}/api/v1/oauth/token", w.env.base_url()))
            .header("accept-language", "en")
            .form(&[
                ("grant_type", "password"),
                ("client_id", client_id.as_str()),
                ("username", w.person.as_str()),
                ("password", "Wrong#Password-2"),
            ])
            .send()
            .unwrap(),
    );
    assert_eq!(english.body["error"], "invalid_grant");
    assert_eq!(english.body["title"], "The token request was refused");
    assert_eq!(english.body["detail"], "wrong identifier or password");
    assert_eq!(
        english.body["error_description"],
        wrong.body["error_description"]
    );
    assert_eq!(
        grant(&w.outsider, PASSWORD, None).body["error"],
        "invalid_grant",
        "another partner's person"
    );
    assert_eq!(
        grant(&w.person, PASSWORD, Some("registry:write")).body["error"],
        "invalid_scope"
    );
    let r = grant(&w.person, PASSWORD, None);
    assert_eq!(r.status, 200, "{r:?}");
    let access = r.body["access_token"].as_str().unwrap();
    assert_eq!(
        w.env
            .get(&format!("/api/v1/partners/{}", w.partner), access)
            .status,
        200
    );
    assert_eq!(
        w.env.get("/api/v1/me", access).status,
        403,
        "profile was not granted"
    );
    let r = TestEnv::read(
        w.browser
            .post(format!("{}/api/v1/oauth/token", w.env.base_url()))
            .json(&json!({"grant_type": "password"}))
            .send()
            .unwrap(),
    );
    assert_eq!((r.status, r.code()), (415, "unsupported_media_type"));
    let r = token(&w, &[("client_id", &client_id)]);
    assert_eq!(
        (r.status, r.code()),
        (400, "invalid_request"),
        "grant_type missing"
    );
    let r = token(
        &w,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
        ],
    );
    assert_eq!(
        r.body["error"], "unsupported_grant_type",
        "software never gets a token of its own"
    );
}

fn partners_submit_software_for_approval(engine: Engine) {
    let w = world(engine);
    let env = &w.env;
    let admin = env.login(&w.person, PASSWORD);
    let outsider = env.login(&w.outsider, PASSWORD);
    let body = json!({"name": "Logiciel du CCAS", "redirect_uris": [REDIRECT], "scopes": "profile registry:read"});
    let path = format!("/api/v1/partners/{}/client-applications", w.partner);
    assert_eq!(
        env.post(&path, &outsider, body.clone()).status,
        404,
        "another partner's"
    );
    let r = env.post(&path, &admin, body);
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.body["status"], "pending_approval");
    let client = r.body["client_id"].as_str().unwrap().to_string();

    // Nobody signs in to it before the Caf approves it.
    let page = get_page(&w, &authorize_query(&client, &[]));
    assert_ne!(page.status(), 200);
    let r = env.post(
        &format!("/api/v1/client-applications/{client}/approval"),
        &admin,
        json!({}),
    );
    assert_eq!(
        r.status, 403,
        "the partner does not approve its own software"
    );

    let r = env.post(
        &format!("/api/v1/client-applications/{client}/approval"),
        &w.caf_admin,
        json!({}),
    );
    assert_eq!(
        (r.status, &r.body["status"]),
        (200, &json!("approved")),
        "{r:?}"
    );
    assert_eq!(get_page(&w, &authorize_query(&client, &[])).status(), 200);
    let again = env.post(
        &format!("/api/v1/client-applications/{client}/approval"),
        &w.caf_admin,
        json!({}),
    );
    assert_eq!((again.status, again.code()), (409, "client_not_pending"));
    let actions: Vec<String> = env
        .traces_of(&w.cnaf, &client)
        .iter()
        .map(|t| t["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        actions,
        [
            "client_application.submitted",
            "operation.refused",
            "client_application.approved",
            "operation.refused"
        ]
    );
}

fn a_code_presented_again_ends_the_session_it_opened(engine: Engine) {
    // RFC 6749 §4.1.2: a code used twice was intercepted; the tokens issued from it are revoked.
    let w = world(engine);
    let env = &w.env;
    let r = register(
        &w,
        json!({"name": "Logiciel social", "redirect_uris": [REDIRECT], "scopes": "profile registry:read"}),
    );
    let client_id = r.body["client_id"].as_str().unwrap().to_string();
    let code = code_from(&sign_in(&w, &client_id, &w.person, PASSWORD));
    let exchange = || {
        token(
            &w,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &client_id),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
    };
    let tokens = exchange();
    assert_eq!(tokens.status, 200, "{tokens:?}");
    let access = tokens.body["access_token"].as_str().unwrap().to_string();
    assert_eq!(env.get("/api/v1/me", &access).status, 200);
    let again = exchange();
    assert_eq!(
        (again.status, again.body["error"].as_str()),
        (400, Some("invalid_grant")),
        "a code works once"
    );
    assert_eq!(
        env.get("/api/v1/me", &access).status,
        401,
        "the session born of the code is over"
    );
    let refreshed = token(
        &w,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            (
                "refresh_token",
                tokens.body["refresh_token"].as_str().unwrap(),
            ),
        ],
    );
    assert_eq!(refreshed.body["error"], "invalid_grant");
}

fn the_sign_in_form_is_refused_from_another_site(engine: Engine) {
    // Login CSRF: a page elsewhere must not submit the form with its own credentials and have
    // the person's software bound to the attacker's account.
    let w = world(engine);
    let r = register(
        &w,
        json!({"name": "Logiciel social", "redirect_uris": [REDIRECT], "scopes": "profile registry:read"}),
    );
    let client_id = r.body["client_id"].as_str().unwrap().to_string();
    let query = authorize_query(&client_id, &[]);
    let (cookie, jeton) = page_form(&w, &query);
    let post = |headers: &[(&str, &str)]| {
        post_form(&w, &query, (&cookie, &jeton), &w.person, PASSWORD, headers)
    };
    let refused = |r: reqwest::blocking::Response, what: &str| {
        assert_eq!(r.status().as_u16(), 403, "{what}");
        assert!(r.headers().get("location").is_none(), "no code for {what}");
        assert!(r.text().unwrap().contains("Demande refusée"), "{what}");
    };
    let logins = || {
        w.env
            .get(
                "/api/v1/traces?action=auth.login&limit=200",
                &w.env.auditor(&w.cnaf),
            )
            .body["items"]
            .as_array()
            .unwrap()
            .len()
    };
    let logins_before = logins();
    // A site that has no page of ours has neither the cookie (SameSite=Strict: a cross-site
    // POST never carries it) nor the token, even when the browser sends no Origin.
    refused(
        post_form(&w, &query, ("", ""), &w.person, PASSWORD, &[]),
        "no cookie, no token",
    );
    refused(
        post_form(&w, &query, ("", &jeton), &w.person, PASSWORD, &[]),
        "a token without its cookie",
    );
    refused(
        post_form(&w, &query, (&cookie, "0000"), &w.person, PASSWORD, &[]),
        "a wrong token",
    );
    // The token of one authorization request does not sign in for another (another state,
    // another redirect, another challenge).
    let other = authorize_query(&client_id, &[("state", "etat-de-l-attaquant")]);
    refused(
        post_form(&w, &other, (&cookie, &jeton), &w.person, PASSWORD, &[]),
        "the token of another request",
    );
    for headers in [
        &[("Origin", "https://attaquant.example")][..],
        &[("Origin", "null")][..],
        &[("Sec-Fetch-Site", "cross-site")][..],
    ] {
        refused(post(headers), &format!("{headers:?}"));
    }
    // None of these were sign-in attempts: nothing was counted against the person.
    assert_eq!(logins(), logins_before);
    // From the page itself, as a browser sends it: signed in.
    let own = w.env.base_url().trim_end_matches('/').to_string();
    let r = post(&[("Origin", own.as_str()), ("Sec-Fetch-Site", "same-origin")]);
    assert_eq!(r.status().as_u16(), 303);
    assert!(code_from(&r).len() > 20);
}

fn one_softwares_budget_is_shared_by_everyone_it_acts_for(engine: Engine) {
    // A partner's software stuck in a loop, acting for two people: past the software's budget
    // of the minute both are told to wait (429, Retry-After, the IETF headers naming the
    // software's policy), while each person's own direct token still works.
    let w = world_with(engine, |c| c.software_requests_per_minute = 12);
    let deputy = w
        .env
        .partner_admin(&w.caf_admin, &w.partner, "deputy", "paul@ccas.example");
    let deputy_id = w.env.get("/api/v1/me", &deputy).body["identifier"]
        .as_str()
        .unwrap()
        .to_string();
    let r = register(
        &w,
        json!({"name": "Logiciel de la mairie", "redirect_uris": [REDIRECT], "scopes": "registry:read", "password_grant": true}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let client_id = r.body["client_id"].as_str().unwrap().to_string();
    let through = |user: &str| {
        let r = token(
            &w,
            &[
                ("grant_type", "password"),
                ("client_id", client_id.as_str()),
                ("username", user),
                ("password", PASSWORD),
            ],
        );
        assert_eq!(r.status, 200, "{r:?}");
        r.body["access_token"].as_str().unwrap().to_string()
    };
    let tokens = [through(&w.person), through(&deputy_id)];
    let path = format!("/api/v1/partners/{}", w.partner);
    let mut refused = None;
    for i in 0..30 {
        let r = w.env.get(&path, &tokens[i % 2]);
        if r.status == 429 {
            refused = Some((i, r));
            break;
        }
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(
            r.header("ratelimit-policy"),
            "\"software\";q=12;w=60",
            "{r:?}"
        );
    }
    let (at, r) = refused.expect("refused past the software's budget");
    assert!(at <= 12, "refused after {at} requests");
    assert_eq!(r.code(), "rate_limited", "{r:?}");
    let wait: i64 = r.header("retry-after").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(r.header("ratelimit"), format!("\"software\";r=0;t={wait}"));
    // The other person acting through the same software is refused too: the budget is the
    // software's, not the person's.
    let other = w.env.get(&path, &tokens[(at + 1) % 2]);
    assert_eq!(other.status, 429, "{other:?}");
    // The same person signed in directly is not slowed down.
    assert_eq!(w.env.get(&path, &deputy).status, 200);
}

fn the_sign_in_page_says_how_long_to_wait_in_french(engine: Engine) {
    // Past the free failures each wrong password costs a second here: the page says
    // "réessayez dans 1 seconde", not "1 secondes".
    let w = world_with(engine, |c| {
        c.identifier_throttle.base_delay_secs = 1;
        c.identifier_throttle.max_delay_secs = 1;
    });
    let r = register(
        &w,
        json!({"name": "Logiciel social", "redirect_uris": [REDIRECT], "scopes": "profile registry:read"}),
    );
    let client_id = r.body["client_id"].as_str().unwrap().to_string();
    let mut waits = vec![];
    for _ in 0..20 {
        let page = sign_in(&w, &client_id, &w.person, "Wrong#Password-1")
            .text()
            .unwrap();
        if let Some(rest) = page.split("Trop de tentatives : ").nth(1) {
            waits.push(rest.split('<').next().unwrap().to_string());
        }
    }
    assert!(!waits.is_empty(), "never throttled");
    for wait in &waits {
        assert_eq!(wait, "réessayez dans 1 seconde.");
    }
}

/// Bavans S-art. 2.1: connections from obsolete, insecure browsers are refused. The sign-in
/// page says so in French to a browser older than the configured minimum (and to Internet
/// Explorer), shows nothing to sign in with, and its form refuses such a browser too; an up to
/// date browser signs in.
fn the_sign_in_page_refuses_obsolete_browsers(engine: Engine) {
    let w = world_with(engine, |c| {
        c.minimum_browsers = mcp_domain::browser::Minimums::parse("firefox=128").unwrap();
    });
    let r = register(
        &w,
        json!({"name": "Logiciel social", "redirect_uris": [REDIRECT], "scopes": "profile registry:read"}),
    );
    let client_id = r.body["client_id"].as_str().unwrap().to_string();
    let query = authorize_query(&client_id, &[]);
    let url = format!("{}/api/v1/oauth/authorize", w.env.base_url());
    let as_browser = |agent: &str| {
        w.browser
            .get(&url)
            .query(&query)
            .header("user-agent", agent)
            .send()
            .unwrap()
    };
    for (agent, says) in [
        (
            "Mozilla/5.0 (Windows NT 6.1; rv:115.0) Gecko/20100101 Firefox/115.0",
            "Votre navigateur (Firefox 115) est trop ancien",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Trident/7.0; rv:11.0) like Gecko",
            "Votre navigateur (Internet Explorer) n&#39;est plus maintenu",
        ),
    ] {
        let page = as_browser(agent);
        assert_eq!(page.status().as_u16(), 403, "{agent}");
        let html = page.text().unwrap();
        assert!(html.contains("<title>Navigateur trop ancien"), "{html}");
        assert!(html.contains(says), "{html}");
        assert!(!html.contains("mot_de_passe"), "no form to sign in with");
    }
    // Its form, posted anyway, is refused the same way.
    let (cookie, jeton) = page_form(&w, &query);
    let old = [(
        "user-agent",
        "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0",
    )];
    let r = post_form(&w, &query, (&cookie, &jeton), &w.person, PASSWORD, &old);
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().unwrap().contains("Firefox 128 ou plus récent"));
    // Up to date, the same person signs in.
    let current = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    assert_eq!(as_browser(current).status().as_u16(), 200);
    let r = post_form(
        &w,
        &query,
        (&cookie, &jeton),
        &w.person,
        PASSWORD,
        &[("user-agent", current)],
    );
    assert_eq!(r.status().as_u16(), 303, "{:?}", r.text());
}

/// The scope the document gives each operation is the one the service asks: software granted
/// that scope alone is let in, software granted every other scope is refused 403 `forbidden`,
/// and the operations only a person's own token may call refuse software whatever its scopes.
fn each_operation_asks_the_scope_the_document_gives(engine: Engine) {
    let w = world(engine);
    let all =
        "profile registry:read registry:write habilitations:read habilitations:write cdap:read";
    let r = register(
        &w,
        json!({"name": "Logiciel RH de la mairie", "redirect_uris": [REDIRECT], "scopes": all, "password_grant": true}),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let client_id = r.body["client_id"].as_str().unwrap().to_string();
    let token_with = |scopes: &[&str]| {
        let scope = scopes.join(" ");
        let r = token(
            &w,
            &[
                ("grant_type", "password"),
                ("client_id", &client_id),
                ("username", &w.person),
                ("password", PASSWORD),
                ("scope", &scope),
            ],
        );
        assert_eq!(r.status, 200, "{scope}: {r:?}");
        r.body["access_token"].as_str().unwrap().to_string()
    };
    let doc = serde_json::to_value(mcp_api::openapi::document()).unwrap();
    let declared = |template: &str| -> Option<Vec<String>> {
        doc["paths"][template]["get"]["security"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|s| s.get("partner_software"))
            .map(|scopes| {
                scopes
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect()
            })
    };
    let everything: Vec<&str> = all.split(' ').collect();
    let every_token = token_with(&everything);
    let p = &w.partner;
    let mut person_only = 0;
    for (template, path) in [
        ("/api/v1/me", "/api/v1/me".to_string()),
        ("/api/v1/services", "/api/v1/services".to_string()),
        (
            "/api/v1/partners/{partner_id}",
            format!("/api/v1/partners/{p}"),
        ),
        (
            "/api/v1/partners/{partner_id}/conventions",
            format!("/api/v1/partners/{p}/conventions"),
        ),
        (
            "/api/v1/partners/{partner_id}/users",
            format!("/api/v1/partners/{p}/users"),
        ),
        (
            "/api/v1/partners/{partner_id}/habilitations",
            format!("/api/v1/partners/{p}/habilitations"),
        ),
        (
            "/api/v1/partners/{partner_id}/requests",
            format!("/api/v1/partners/{p}/requests"),
        ),
        (
            "/api/v1/partners/{partner_id}/groups",
            format!("/api/v1/partners/{p}/groups"),
        ),
        (
            "/api/v1/partners/{partner_id}/review-campaigns",
            format!("/api/v1/partners/{p}/review-campaigns"),
        ),
        ("/api/v1/me/sessions", "/api/v1/me/sessions".to_string()),
        ("/api/v1/traces", "/api/v1/traces".to_string()),
    ] {
        let Some(scopes) = declared(template) else {
            // Only a person's own token: software is refused whatever it was granted.
            let r = w.env.get(&path, &every_token);
            assert_eq!((r.status, r.code()), (403, "forbidden"), "{path}");
            person_only += 1;
            continue;
        };
        let own: Vec<&str> = scopes.iter().map(String::as_str).collect();
        let r = w.env.get(&path, &token_with(&own));
        assert_eq!(r.status, 200, "{path} with {own:?}: {r:?}");
        let others: Vec<&str> = everything
            .iter()
            .copied()
            .filter(|s| !own.contains(s))
            .collect();
        let r = w.env.get(&path, &token_with(&others));
        assert_eq!(
            (r.status, r.code()),
            (403, "forbidden"),
            "{path} without {own:?}"
        );
    }
    assert_eq!(
        person_only, 3,
        "reviews, one's own sessions and traces are people's work"
    );
}

//! Sessions: refresh tokens rotate on every use, a reused one ends the whole session, logout and
//! "log out everywhere" take effect on the very next request, and each step is traced.

use mcp_integration_tests::{on_both_engines, Engine, TestEnv, PASSWORD};
use serde_json::{json, Value};

on_both_engines!(
    refresh_rotates_and_reuse_ends_the_session,
    logout_takes_effect_at_once,
    failed_logins_are_throttled_alike_for_known_and_unknown_identifiers,
    parallel_guesses_get_no_more_answers_than_sequential_ones,
    parallel_wrong_codes_and_current_passwords_are_counted_in_turn,
    one_refresh_token_presented_twenty_times_at_once_rotates_once,
    anyone_can_verify_an_access_token_with_the_published_keys,
    password_change_ends_the_other_sessions,
    a_suspended_administrator_is_out_at_once,
    the_caf_ends_a_persons_sessions_without_suspending_them,
    partner_staff_are_told_before_their_password_expires,
    a_second_factor_guards_the_login,
    a_forgotten_password_is_reset_with_a_code_sent_to_the_person,
    people_behind_one_address_are_not_locked_out_by_a_guesser,
    forwarding_headers_are_believed_only_from_trusted_proxies,
);

fn login(env: &TestEnv, identifier: &str) -> Value {
    let r = env.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"identifier": identifier, "password": PASSWORD})),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("cache-control"), "no-store");
    r.body
}

fn refresh(env: &TestEnv, token: &Value) -> mcp_integration_tests::Reply {
    env.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(&json!({"refresh_token": token})),
    )
}

fn identifier(env: &TestEnv, token: &str) -> String {
    env.get("/api/v1/me", token).body["identifier"]
        .as_str()
        .unwrap()
        .to_string()
}

fn refresh_rotates_and_reuse_ends_the_session(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let me = identifier(&env, &cnaf);
    let first = login(&env, &me);
    let session = first["session_id"].clone();

    let second = refresh(&env, &first["refresh_token"]);
    assert_eq!(second.status, 200, "{second:?}");
    assert_eq!(second.body["session_id"], session, "same session");
    assert_ne!(
        second.body["refresh_token"], first["refresh_token"],
        "rotated"
    );
    let third = refresh(&env, &second.body["refresh_token"]);
    assert_eq!(third.status, 200);
    let access = third.body["access_token"].as_str().unwrap().to_string();
    assert_eq!(env.get("/api/v1/me", &access).status, 200);

    // The first token comes back (a copy was kept): the whole session ends.
    let reused = refresh(&env, &first["refresh_token"]);
    assert_eq!((reused.status, reused.code()), (401, "unauthenticated"));
    assert_eq!(
        refresh(&env, &third.body["refresh_token"]).status,
        401,
        "the latest token of the session is dead too"
    );
    assert_eq!(
        env.get("/api/v1/me", &access).status,
        401,
        "and so are its access tokens"
    );
    // Other sessions of the same person are untouched.
    assert_eq!(env.get("/api/v1/me", &cnaf).status, 200);

    for garbage in [json!("nope"), json!(""), json!("a".repeat(128))] {
        assert_eq!(refresh(&env, &garbage).status, 401);
    }
    let r = env.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(&json!({"refresh_token": "x", "extra": 1})),
    );
    assert_eq!(r.status, 400);

    let session_id = session.as_str().unwrap();
    let traces = env.traces_of(&cnaf, session_id);
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
            ("auth.refresh", "success"),
            ("auth.refresh", "success"),
            ("auth.session_revoked", "denied")
        ]
    );
    assert_eq!(traces[2]["detail"]["reason"], "refresh_token_reuse");
}

fn logout_takes_effect_at_once(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let me = identifier(&env, &cnaf);
    let laptop = login(&env, &me);
    let phone = login(&env, &me);
    let laptop_token = laptop["access_token"].as_str().unwrap();
    let phone_token = phone["access_token"].as_str().unwrap();

    let sessions = env.get("/api/v1/me/sessions", laptop_token);
    assert_eq!(sessions.status, 200);
    let list = sessions.body["items"].as_array().unwrap();
    assert_eq!(
        list.len(),
        3,
        "the bootstrap login, the laptop and the phone"
    );
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(list
        .iter()
        .any(|s| s["id"] == laptop["session_id"] && s["current"] == true));

    // Logout ends the laptop's session only, before its token expires.
    let r = env.call("POST", "/api/v1/auth/logout", Some(laptop_token), None);
    assert_eq!(r.status, 204);
    assert_eq!(env.get("/api/v1/me", laptop_token).status, 401);
    assert_eq!(refresh(&env, &laptop["refresh_token"]).status, 401);
    assert_eq!(env.get("/api/v1/me", phone_token).status, 200);

    // Another person's session does not exist for me.
    let other = mcp_integration_tests::TestEnv::read(
        env.client()
            .delete(format!(
                "{}/api/v1/me/sessions/{}",
                env.base_url(),
                uuid::Uuid::new_v4()
            ))
            .bearer_auth(phone_token)
            .send()
            .unwrap(),
    );
    assert_eq!(other.status, 404);
    // Ending a session from the list.
    let bootstrap_session = env.get("/api/v1/me/sessions", phone_token).body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = TestEnv::read(
        env.client()
            .delete(format!(
                "{}/api/v1/me/sessions/{bootstrap_session}",
                env.base_url()
            ))
            .bearer_auth(phone_token)
            .send()
            .unwrap(),
    );
    assert_eq!(r.status, 204);
    assert_eq!(
        env.get("/api/v1/me", &cnaf).status,
        401,
        "the bootstrap login's token died with its session"
    );

    // Log out everywhere.
    let tablet = login(&env, &me);
    let r = env.call(
        "POST",
        "/api/v1/auth/logout-everywhere",
        Some(phone_token),
        None,
    );
    assert_eq!((r.status, &r.body["sessions_ended"]), (200, &json!(2)));
    assert_eq!(env.get("/api/v1/me", phone_token).status, 401);
    assert_eq!(
        env.get("/api/v1/me", tablet["access_token"].as_str().unwrap())
            .status,
        401
    );
    let fresh = login(&env, &me);
    let fresh_token = fresh["access_token"].as_str().unwrap();
    let traces = env
        .get(
            "/api/v1/traces?action=auth.session_revoked&limit=200",
            &env.auditor(fresh_token),
        )
        .body["items"]
        .clone();
    let reasons: Vec<&str> = traces
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["detail"]["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        [
            "logout",
            "ended_by_owner",
            "logout_everywhere",
            "logout_everywhere"
        ]
    );
}

fn failed_logins_are_throttled_alike_for_known_and_unknown_identifiers(engine: Engine) {
    // A long first delay, so that no slowness of the machine lets an attempt through.
    let env = TestEnv::start_with(engine, |c| c.identifier_throttle.base_delay_secs = 600);
    let cnaf = env.cnaf_operator();
    let me = identifier(&env, &cnaf);
    let attempt = |who: &str, password: &str| {
        env.call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&json!({"identifier": who, "password": password})),
        )
    };
    for who in [me.as_str(), "ZZZZ-ZZZZ"] {
        for i in 0..6 {
            let r = attempt(who, "Not-The-Password-1");
            assert_eq!(r.status, 401, "{who} attempt {i}: {r:?}");
        }
        // Even the right password waits now: the guesser cannot tell.
        let r = attempt(who, PASSWORD);
        assert_eq!(
            (r.status, r.code()),
            (429, "too_many_attempts"),
            "{who}: {r:?}"
        );
        let wait: i64 = r.header("retry-after").parse().unwrap();
        assert!((590..=600).contains(&wait), "{wait}");
        assert_eq!(r.header("content-type"), "application/problem+json");
    }
    // Another identifier from the same address is not held back by these failures.
    let caf = env.caf(&cnaf, "761");
    let other = env.caf_admin(&cnaf, &caf, "a@caf.example");
    assert_eq!(env.get("/api/v1/me", &other).status, 200);
    let throttled = env
        .get(
            "/api/v1/traces?action=auth.login&limit=200",
            &env.auditor(&cnaf),
        )
        .body["items"]
        .clone();
    let reasons: Vec<&str> = throttled
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["detail"]["reason"].as_str())
        .collect();
    assert_eq!(reasons.iter().filter(|r| **r == "throttled").count(), 2);
    assert_eq!(
        reasons
            .iter()
            .filter(|r| **r == "wrong_credentials")
            .count(),
        12
    );
}

fn parallel_guesses_get_no_more_answers_than_sequential_ones(engine: Engine) {
    // Forty guesses sent at once, on a known and on an unknown identifier: the throttle counts
    // them as if they came one after the other, so only the free failures and the one that
    // starts the delay get an answer about the password; every other one waits (429).
    let env = TestEnv::start_with(engine, |c| c.identifier_throttle.base_delay_secs = 600);
    let cnaf = env.cnaf_operator();
    let me = identifier(&env, &cnaf);
    for who in [me.as_str(), "ZZZZ-ZZZZ"] {
        let replies: Vec<(u16, String)> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..40)
                .map(|i| {
                    let env = &env;
                    s.spawn(move || {
                        let r = env.call(
                            "POST",
                            "/api/v1/auth/login",
                            None,
                            Some(&json!({"identifier": who, "password": format!("Guess-{i}-Wrong!")})),
                        );
                        (r.status, r.code().to_string())
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let checked = replies.iter().filter(|(s, _)| *s == 401).count();
        let waited = replies
            .iter()
            .filter(|(s, c)| *s == 429 && c == "too_many_attempts")
            .count();
        assert_eq!((checked, waited), (6, 34), "{who}: {replies:?}");
        // The right password, afterwards, waits too.
        let r = env.call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&json!({"identifier": who, "password": PASSWORD})),
        );
        assert_eq!(r.status, 429, "{who}: {r:?}");
    }
    // Each guess is traced once, with what it was told.
    let traces = env
        .get(
            "/api/v1/traces?action=auth.login&limit=200",
            &env.auditor(&cnaf),
        )
        .body["items"]
        .clone();
    let reasons: Vec<&str> = traces
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["detail"]["reason"].as_str())
        .collect();
    let count = |reason: &str| reasons.iter().filter(|r| **r == reason).count();
    assert_eq!(
        (count("wrong_credentials"), count("throttled")),
        (12, 70),
        "{reasons:?}"
    );
}

/// Sends `send` twenty times at once; the statuses and codes of the answers.
fn twenty_at_once(
    send: impl Fn(usize) -> mcp_integration_tests::Reply + Sync,
) -> Vec<(u16, String)> {
    std::thread::scope(|s| {
        let send = &send;
        let hs: Vec<_> = (0..20)
            .map(|i| {
                s.spawn(move || {
                    let r = send(i);
                    let code = match r.body["errors"][0]["code"].as_str() {
                        Some(field_code) => field_code.to_string(),
                        None => r.code().to_string(),
                    };
                    (r.status, code)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn parallel_wrong_codes_and_current_passwords_are_counted_in_turn(engine: Engine) {
    // A wrong reset code and a wrong current password count as failed sign-ins of the
    // identifier: sent at once, they get no more answers than sent in turn.
    let env = TestEnv::start_with(engine, |c| c.identifier_throttle.base_delay_secs = 600);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let anne = env.caf_admin(&cnaf, &caf, "anne@caf76.example");
    let replies = twenty_at_once(|i| {
        env.post(
            "/api/v1/me/password",
            &anne,
            json!({"current_password": format!("Wrong-{i}-Password!"), "new_password": "Another#Secret-2026"}),
        )
    });
    let count = |replies: &[(u16, String)], status: u16, code: &str| {
        replies
            .iter()
            .filter(|(s, c)| *s == status && c == code)
            .count()
    };
    assert_eq!(
        (
            count(&replies, 422, "wrong_password"),
            count(&replies, 429, "too_many_attempts")
        ),
        (6, 14),
        "{replies:?}"
    );

    let bruno = env.caf_admin(&cnaf, &caf, "bruno@caf76.example");
    let id = identifier(&env, &bruno);
    let r = env.call(
        "POST",
        "/api/v1/auth/password-reset",
        None,
        Some(&json!({"identifier": id})),
    );
    assert_eq!(r.status, 202);
    let replies = twenty_at_once(|i| {
        env.call(
            "POST",
            "/api/v1/auth/password-reset/confirmation",
            None,
            Some(&json!({"identifier": id, "reset_code": format!("{i:06}"), "password": "Un nouveau mot de passe 2026 !"})),
        )
    });
    assert_eq!(
        (
            count(&replies, 422, "reset_refused"),
            count(&replies, 429, "too_many_attempts")
        ),
        (6, 14),
        "{replies:?}"
    );
}

fn one_refresh_token_presented_twenty_times_at_once_rotates_once(engine: Engine) {
    // A copied refresh token raced against its owner: exactly one presentation rotates it, the
    // others are reuse, which ends the session — tokens of the one that won included.
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let me = identifier(&env, &cnaf);
    let first = login(&env, &me);
    let replies: Vec<(u16, Value)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..20)
            .map(|_| {
                let (env, token) = (&env, &first["refresh_token"]);
                s.spawn(move || {
                    let r = refresh(env, token);
                    (r.status, r.body)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let won: Vec<&Value> = replies
        .iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(
        won.len(),
        1,
        "{:?}",
        replies.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    assert!(replies.iter().all(|(s, _)| *s == 200 || *s == 401));
    let access = won[0]["access_token"].as_str().unwrap();
    assert_eq!(
        env.get("/api/v1/me", access).status,
        401,
        "the session is over"
    );
    assert_eq!(refresh(&env, &won[0]["refresh_token"]).status, 401);
}

fn anyone_can_verify_an_access_token_with_the_published_keys(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let jwks = env.call("GET", "/api/v1/auth/jwks.json", None, None);
    assert_eq!(jwks.status, 200);
    assert_eq!(jwks.header("content-type"), "application/jwk-set+json");
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks.body.clone()).unwrap();
    let header = jsonwebtoken::decode_header(&cnaf).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::EdDSA);
    let jwk = set
        .find(header.kid.as_deref().unwrap())
        .expect("the token's key is published");
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    v.set_audience(&["mcp-api"]);
    v.set_issuer(&["mon-compte-partenaire"]);
    let data = jsonwebtoken::decode::<Value>(
        &cnaf,
        &jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap(),
        &v,
    )
    .unwrap();
    assert_eq!(data.claims["sub"], env.get("/api/v1/me", &cnaf).body["id"]);
    assert!(data.claims["sid"].is_string());
    assert!(
        !jwks.body.to_string().contains("\"d\""),
        "no private key material"
    );
}

fn password_change_ends_the_other_sessions(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let me = identifier(&env, &cnaf);
    let other = login(&env, &me)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let change = |current: &str, new: &str| {
        env.post(
            "/api/v1/me/password",
            &cnaf,
            json!({"current_password": current, "new_password": new}),
        )
    };
    let r = change("Wrong-Password-11", "Another#Secret-2026");
    assert_eq!(
        (r.status, r.body["errors"][0]["field"].as_str()),
        (422, Some("current_password"))
    );
    let r = change(PASSWORD, "weak");
    assert_eq!(
        (
            r.status,
            r.body["errors"][0]["field"].as_str(),
            r.body["errors"][0]["code"].as_str()
        ),
        (422, Some("new_password"), Some("password_too_short"))
    );
    let r = change(PASSWORD, PASSWORD);
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("password_unchanged"))
    );
    assert_eq!(
        env.get("/api/v1/me", &other).status,
        200,
        "refusals changed nothing"
    );

    let r = change(PASSWORD, "Another#Secret-2026");
    assert_eq!(
        (r.status, &r.body["sessions_ended"]),
        (200, &json!(1)),
        "{r:?}"
    );
    assert_eq!(
        env.get("/api/v1/me", &cnaf).status,
        200,
        "this session goes on"
    );
    assert_eq!(
        env.get("/api/v1/me", &other).status,
        401,
        "the other one ended"
    );
    let old = env.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"identifier": me, "password": PASSWORD})),
    );
    assert_eq!(old.status, 401);
    env.login(&me, "Another#Secret-2026");
    let traces = env
        .get(
            "/api/v1/traces?action=account.password_changed",
            &env.auditor(&cnaf),
        )
        .body["items"]
        .clone();
    assert_eq!(traces.as_array().unwrap().len(), 1);
    assert!(
        !traces.to_string().contains("Another#Secret"),
        "no secret in traces"
    );
}

fn a_suspended_administrator_is_out_at_once(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let caf2 = env.caf(&cnaf, "762");
    let admin2 = env.caf_admin(&cnaf, &caf2, "b@caf.example");
    let account = env.get("/api/v1/me", &admin).id();
    let identifier = env.get("/api/v1/me", &admin).body["identifier"]
        .as_str()
        .unwrap()
        .to_string();

    let path = format!("/api/v1/accounts/{account}/suspension");
    let r = env.post(&path, &admin2, json!({"reason": "x"}));
    assert_eq!(
        r.status, 404,
        "another Caf's administrator: an account outside their reach, as if missing"
    );
    let r = env.post(&path, &cnaf, json!({"reason": ""}));
    assert_eq!(r.status, 422);
    let r = env.post(
        &format!("/api/v1/accounts/{}/suspension", uuid::Uuid::new_v4()),
        &cnaf,
        json!({"reason": "x"}),
    );
    assert_eq!(r.status, 404);

    let r = env.post(
        &path,
        &cnaf,
        json!({"reason": "Signalement d'usage anormal"}),
    );
    assert_eq!(
        (r.status, &r.body["status"]),
        (200, &json!("suspended")),
        "{r:?}"
    );
    assert_eq!(
        env.get("/api/v1/me", &admin).status,
        401,
        "out on the next request"
    );
    let r = env.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"identifier": identifier, "password": PASSWORD})),
    );
    assert_eq!(r.status, 401);
    let r = env.post(&path, &cnaf, json!({"reason": "again"}));
    assert_eq!((r.status, r.code()), (409, "account_status_conflict"));

    let r = env.post(
        &format!("/api/v1/accounts/{account}/reinstatement"),
        &cnaf,
        json!({"reason": "Vérification faite"}),
    );
    assert_eq!((r.status, &r.body["status"]), (200, &json!("active")));
    env.login(&identifier, PASSWORD);
    let seen: Vec<(String, String)> = env
        .traces_of(&cnaf, &account)
        .iter()
        .map(|t| {
            (
                t["action"].as_str().unwrap().to_string(),
                t["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let tail: Vec<(&str, &str)> = seen[seen.len() - 5..]
        .iter()
        .map(|(a, o)| (a.as_str(), o.as_str()))
        .collect();
    assert_eq!(
        tail,
        [
            ("account.suspended", "success"),
            ("auth.login", "denied"),
            ("operation.refused", "denied"),
            ("account.reinstated", "success"),
            ("auth.login", "success")
        ]
    );
    let revoked = env
        .get(
            "/api/v1/traces?action=auth.session_revoked",
            &env.auditor(&cnaf),
        )
        .body["items"]
        .clone();
    assert_eq!(revoked[0]["detail"]["reason"], "account_suspended");
    assert_eq!(revoked[0]["detail"]["account_id"], account.as_str());
}

fn the_caf_ends_a_persons_sessions_without_suspending_them(engine: Engine) {
    // A partner's agent reports their phone stolen: the Caf ends every session of the account
    // at once; the person keeps their account and signs in again.
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "a@caf.example");
    let partner = env.partner(&admin, "21770251200013", "ccas");
    let agent = env.partner_admin(&admin, &partner, "principal", "claire@ccas-lieusaint.fr");
    let account = env.get("/api/v1/me", &agent).id();
    let me = identifier(&env, &agent);
    let tablet = login(&env, &me);
    let path = format!("/api/v1/accounts/{account}/sessions/revocation");

    // The partner's own administrator does not supervise themselves this way; another Caf
    // does not see the account; a reason is required.
    let caf2 = env.caf(&cnaf, "762");
    let admin2 = env.caf_admin(&cnaf, &caf2, "b@caf.example");
    assert_eq!(env.post(&path, &admin2, json!({"reason": "x"})).status, 404);
    assert_eq!(env.post(&path, &admin, json!({"reason": " "})).status, 422);
    assert_eq!(
        env.get("/api/v1/me", &agent).status,
        200,
        "refusals end nothing"
    );

    let r = env.post(&path, &admin, json!({"reason": "téléphone volé"}));
    assert_eq!(
        (r.status, &r.body["sessions_ended"]),
        (200, &json!(2)),
        "{r:?}"
    );
    assert_eq!(env.get("/api/v1/me", &agent).status, 401);
    assert_eq!(
        env.get("/api/v1/me", tablet["access_token"].as_str().unwrap())
            .status,
        401
    );
    assert_eq!(
        refresh(&env, &tablet["refresh_token"]).status,
        401,
        "nor can a session be refreshed"
    );
    // Not suspended: the person signs in again.
    let again = login(&env, &me);
    assert_eq!(
        env.get("/api/v1/me", again["access_token"].as_str().unwrap())
            .status,
        200
    );
    let traces = env.all_traces(&env.auditor(&cnaf), "&action=account.sessions_ended");
    assert_eq!(traces.len(), 1, "{traces:?}");
    assert_eq!(traces[0]["target_id"], json!(account));
    assert_eq!(
        traces[0]["detail"]["reason"], "téléphone volé",
        "{traces:?}"
    );
}

fn a_second_factor_guards_the_login(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let me = identifier(&env, &cnaf);
    let r = env.call("POST", "/api/v1/me/totp", Some(&cnaf), None);
    assert_eq!(r.status, 201, "{r:?}");
    assert!(r.body["otpauth_uri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/"));
    let secret = totp_rs::Secret::Encoded(r.body["secret"].as_str().unwrap().to_string())
        .to_bytes()
        .unwrap();
    let device =
        totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, secret, None, me.clone());
    let now = chrono::Utc::now().timestamp() as u64;
    let code_at = |offset: i64| device.generate((now as i64 + offset) as u64);

    // Until confirmed, the factor is not asked for.
    let plain = env.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"identifier": me, "password": PASSWORD})),
    );
    assert_eq!(plain.status, 200);
    let r = env.post(
        "/api/v1/me/totp/confirmation",
        &cnaf,
        json!({"code": "000000"}),
    );
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("wrong_otp"))
    );
    // Codes are taken at the test's clock: the server accepts one step either side, so these hold
    // whichever step boundary falls during the test.
    let r = env.post(
        "/api/v1/me/totp/confirmation",
        &cnaf,
        json!({"code": code_at(0)}),
    );
    assert_eq!(
        (r.status, &r.body["confirmed"]),
        (200, &json!(true)),
        "{r:?}"
    );
    let r = env.call("POST", "/api/v1/me/totp", Some(&cnaf), None);
    assert_eq!((r.status, r.code()), (409, "totp_already_enrolled"));

    let attempt = |otp: Option<String>| {
        let mut body = json!({"identifier": me, "password": PASSWORD});
        if let Some(o) = otp {
            body["otp"] = json!(o);
        }
        env.call("POST", "/api/v1/auth/login", None, Some(&body))
    };
    let r = attempt(None);
    assert_eq!((r.status, r.code()), (401, "otp_required"));
    let r = attempt(Some("123456".into()));
    assert_eq!((r.status, r.code()), (401, "unauthenticated"));
    let r = attempt(Some(code_at(0)));
    assert_eq!(r.status, 401, "the confirmation's code was used already");
    let r = attempt(Some(code_at(30)));
    assert_eq!(r.status, 200, "{r:?}");
    let r = attempt(Some(code_at(30)));
    assert_eq!(r.status, 401, "a code works once");
    // A wrong password with a good code tells nothing more than a wrong password.
    let r = env.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"identifier": me, "password": "Wrong#Password-99", "otp": code_at(60)})),
    );
    assert_eq!((r.status, r.code()), (401, "unauthenticated"));

    let r = env.post(
        "/api/v1/me/totp/removal",
        &cnaf,
        json!({"password": "nope"}),
    );
    assert_eq!(
        (r.status, r.body["errors"][0]["code"].as_str()),
        (422, Some("wrong_password"))
    );
    let r = env.post(
        "/api/v1/me/totp/removal",
        &cnaf,
        json!({"password": PASSWORD}),
    );
    assert_eq!(r.status, 204);
    assert_eq!(attempt(None).status, 200);
    let actions: Vec<String> = env
        .traces_of(
            &cnaf,
            env.get("/api/v1/me", &cnaf).body["id"].as_str().unwrap(),
        )
        .iter()
        .filter_map(|t| {
            t["action"]
                .as_str()
                .filter(|a| a.starts_with("account.totp"))
                .map(str::to_string)
        })
        .collect();
    assert_eq!(actions, ["account.totp_enrolled", "account.totp_removed"]);
}

/// The messages delivered to `email` whose text contains `marker`.
fn messages(env: &TestEnv, email: &str, marker: &str) -> Vec<String> {
    std::fs::read_dir(&env.mail_dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .filter(|t| t.contains(&format!("To: {email}\r\n")) && t.contains(marker))
                .collect()
        })
        .unwrap_or_default()
}

fn a_forgotten_password_is_reset_with_a_code_sent_to_the_person(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let token = env.caf_admin(&cnaf, &caf, "anne@caf76.example");
    let id = identifier(&env, &token);
    let ask = |who: &str| {
        env.call(
            "POST",
            "/api/v1/auth/password-reset",
            None,
            Some(&json!({"identifier": who})),
        )
    };
    let known = ask(&id);
    let unknown = ask("ZZZZ-ZZZZ");
    assert_eq!((known.status, unknown.status), (202, 202));
    assert_eq!(known.body, unknown.body, "nothing tells them apart");
    assert_eq!(ask(&id).status, 202);
    const MARKER: &str = "Votre code de réinitialisation, à usage unique : ";
    let mut mail = vec![];
    for _ in 0..200 {
        mail = messages(&env, "anne@caf76.example", MARKER);
        if !mail.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(
        messages(&env, "anne@caf76.example", MARKER).len(),
        1,
        "one code a minute at most"
    );
    let code = mcp_integration_tests::field_after(&mail[0], MARKER);

    let confirm = |code: &str, password: &str| {
        env.call(
            "POST",
            "/api/v1/auth/password-reset/confirmation",
            None,
            Some(&json!({"identifier": id, "reset_code": code, "password": password})),
        )
    };
    let r = confirm("0000", "Un nouveau mot de passe 2026 !");
    assert_eq!((r.status, r.code()), (422, "reset_refused"));
    let r = confirm(&code, "court");
    assert_eq!(r.status, 422, "the policy applies: {r:?}");
    let r = confirm(&code, "Un nouveau mot de passe 2026 !");
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["sessions_ended"], 1);
    assert_eq!(
        env.get("/api/v1/me", &token).status,
        401,
        "the old session is over"
    );
    let r = confirm(&code, "Encore un autre mot de passe 2026 !");
    assert_eq!((r.status, r.code()), (422, "reset_refused"), "used once");
    env.login(&id, "Un nouveau mot de passe 2026 !");
    let actions: Vec<String> = env
        .get(
            "/api/v1/traces?action=account.password_reset_requested",
            &env.auditor(&cnaf),
        )
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["outcome"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions.len(), 3);
    assert_eq!(actions.iter().filter(|o| *o == "success").count(), 1);
    // The reset, and each refused code (wrong, then used), traced with its outcome.
    let mut resets: Vec<String> = env
        .get(
            "/api/v1/traces?action=account.password_reset",
            &env.auditor(&cnaf),
        )
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["outcome"].as_str().unwrap().to_string())
        .collect();
    resets.sort();
    assert_eq!(resets, ["denied", "denied", "success"]);
}

/// `POST /auth/login` as a proxy forwards it for the client at `from`.
fn login_from(
    env: &TestEnv,
    from: &str,
    identifier: &str,
    password: &str,
    device: Option<&str>,
) -> mcp_integration_tests::Reply {
    let mut body = json!({"identifier": identifier, "password": password});
    if let Some(d) = device {
        body["device_token"] = json!(d);
    }
    TestEnv::read(
        env.client()
            .post(format!("{}/api/v1/auth/login", env.base_url()))
            .header("x-forwarded-for", from)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .expect("sent"),
    )
}

/// Behind the service's load balancer (a trusted proxy), a guesser in a town hall — one address
/// for everybody there — holds back that address and the identifiers they guess on, but not a
/// person who signed in from their device before (OWASP's device cookie), nor anyone elsewhere.
fn people_behind_one_address_are_not_locked_out_by_a_guesser(engine: Engine) {
    let env = TestEnv::start_with(engine, |c| {
        c.trusted_proxies = mcp_api::client_address::TrustedProxies::parse("127.0.0.1").unwrap();
        c.source_throttle.free_failures = 5;
        c.source_throttle.base_delay_secs = 600;
        c.identifier_throttle.base_delay_secs = 600;
    });
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let anne = identifier(&env, &env.caf_admin(&cnaf, &caf, "anne@caf.example"));
    let bruno = identifier(&env, &env.caf_admin(&cnaf, &caf, "bruno@caf.example"));
    let town_hall = "198.51.100.7";
    // Anne signs in from the town hall; her device keeps the token it is given.
    let r = login_from(&env, town_hall, &anne, PASSWORD, None);
    assert_eq!(r.status, 200, "{r:?}");
    let device = r.body["device_token"].as_str().unwrap().to_string();
    assert_eq!(device.len(), 64);
    // A guesser in the same town hall: on unknown identifiers, then on Anne's.
    for i in 0..6 {
        let r = login_from(
            &env,
            town_hall,
            &format!("ZZZZ-ZZ{i:02}"),
            "Devine-1234",
            None,
        );
        assert!(matches!(r.status, 401 | 429), "{r:?}");
    }
    for _ in 0..6 {
        login_from(&env, town_hall, &anne, "Devine-1234", None);
    }
    // The town hall's address is held back for who has no device token: Bruno, first time here.
    let r = login_from(&env, town_hall, &bruno, PASSWORD, None);
    assert_eq!((r.status, r.code()), (429, "too_many_attempts"), "{r:?}");
    // Anne, from her device, is not.
    let r = login_from(&env, town_hall, &anne, PASSWORD, Some(&device));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.body["device_token"],
        json!(device),
        "the device keeps its token"
    );
    // Her token is hers: presented with another identifier it is nothing.
    let r = login_from(&env, town_hall, &bruno, PASSWORD, Some(&device));
    assert_eq!(r.status, 429, "{r:?}");
    // Bruno elsewhere is not held back by the town hall's guesser.
    let r = login_from(&env, "203.0.113.4", &bruno, PASSWORD, None);
    assert_eq!(r.status, 200, "{r:?}");
    // A device token gets no more guesses than an identifier: six, then a wait.
    let bruno_device = r.body["device_token"].as_str().unwrap().to_string();
    for i in 0..6 {
        let r = login_from(
            &env,
            "203.0.113.4",
            &bruno,
            "Devine-1234",
            Some(&bruno_device),
        );
        assert_eq!(r.status, 401, "guess {i}: {r:?}");
    }
    let r = login_from(&env, "203.0.113.4", &bruno, PASSWORD, Some(&bruno_device));
    assert_eq!(r.status, 429, "{r:?}");
    // The sessions list the address the proxy named.
    let token = login_from(&env, "203.0.113.9", &anne, PASSWORD, Some(&device)).body
        ["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let sessions = env.get("/api/v1/me/sessions", &token);
    assert!(
        sessions.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["source"] == "203.0.113.9"),
        "{sessions:?}"
    );
}

/// Without trusted proxies (the default), forwarding headers are what the sender wrote: they are
/// ignored, and a guesser changing them at every attempt is still one address.
fn forwarding_headers_are_believed_only_from_trusted_proxies(engine: Engine) {
    let env = TestEnv::start_with(engine, |c| {
        c.source_throttle.free_failures = 5;
        c.source_throttle.base_delay_secs = 600;
    });
    let cnaf = env.cnaf_operator();
    let me = identifier(&env, &cnaf);
    for i in 0..6 {
        let r = login_from(
            &env,
            &format!("198.51.100.{i}"),
            &format!("ZZZZ-ZZ{i:02}"),
            "x",
            None,
        );
        assert_eq!(r.status, 401, "{r:?}");
    }
    let r = login_from(&env, "198.51.100.99", &me, PASSWORD, None);
    assert_eq!((r.status, r.code()), (429, "too_many_attempts"), "{r:?}");
}

fn partner_staff_are_told_before_their_password_expires(engine: Engine) {
    // A contract that renews passwords every 30 days: a week ahead the person is told, once,
    // with the date; a Caf administrator (no such contract) is told nothing.
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "761");
    let admin = env.caf_admin(&cnaf, &caf, "anne@caf76.example");
    let partner = env.partner(&admin, mcp_integration_tests::SIRETS[0], "ccas");
    let today = chrono::Utc::now().date_naive().to_string();
    let conv = env.post(
        &format!("/api/v1/partners/{partner}/conventions"),
        &admin,
        json!({"number": "761-30", "missions": ["FSL"], "contract": {"password_policy": {"kind": "characters", "min_length": 12, "min_classes": 4, "max_age_days": 30}}}),
    );
    assert_eq!(conv.status, 201, "{conv:?}");
    let r = env.post(
        &format!("/api/v1/conventions/{}/signature", conv.id()),
        &admin,
        json!({"partner_signed_on": today, "caf_signed_on": today}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let claire = env.partner_admin(&admin, &partner, "principal", "claire@ccas.example");
    let account = env.get("/api/v1/me", &claire).id();
    let now = chrono::Utc::now().naive_utc();
    let remind =
        |at| mcp_persistence::use_cases::accounts::remind_password_expiry(&env.db, at, 7).unwrap();
    assert_eq!(
        remind(now + chrono::Duration::days(22)),
        0,
        "eight days ahead: not yet"
    );
    assert_eq!(remind(now + chrono::Duration::days(24)), 1);
    assert_eq!(
        remind(now + chrono::Duration::days(25)),
        0,
        "once per password"
    );
    let expires = (now + chrono::Duration::days(30))
        .format("%d/%m/%Y")
        .to_string();
    assert!(
        env.delivered("claire@ccas.example", &format!("expire le {expires}")),
        "told the date"
    );
    assert!(!env.delivered(
        "anne@caf76.example",
        "Votre mot de passe « Mon Compte Partenaire » expire"
    ));
    let traces = env.traces_of(&cnaf, &account);
    assert!(
        traces
            .iter()
            .any(|t| t["action"] == "account.password_expiry_reminded"),
        "{traces:?}"
    );
}

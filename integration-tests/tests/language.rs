//! The texts for a person are French by default and English with `Accept-Language: en`; the
//! machine codes do not change with the language.

use mcp_integration_tests::{on_both_engines, Engine, Reply, TestEnv};

on_both_engines!(texts_are_french_unless_english_is_asked,);

fn send(env: &TestEnv, path: &str, token: &str, ct: &str, body: &str, lang: Option<&str>) -> Reply {
    let mut req = env
        .client()
        .post(format!("{}{path}", env.base_url()))
        .bearer_auth(token)
        .header("content-type", ct)
        .body(body.to_string());
    if let Some(l) = lang {
        req = req.header("accept-language", l);
    }
    TestEnv::read(req.send().expect("request sent"))
}

fn texts_are_french_unless_english_is_asked(engine: Engine) {
    let env = TestEnv::start(engine);
    let cnaf = env.cnaf_operator();
    let caf_id = env.caf(&cnaf, "771");
    let caf = env.caf_admin(&cnaf, &caf_id, "anne@caf77.example");

    // The HTTP layer's own problem: a body that is not JSON.
    let json = "application/json";
    let fr = send(&env, "/api/v1/cafs", &cnaf, json, "{", None);
    let en = send(
        &env,
        "/api/v1/cafs",
        &cnaf,
        json,
        "{",
        Some("en-GB,en;q=0.9"),
    );
    assert_eq!((fr.status, fr.code()), (400, "malformed_json"), "{fr:?}");
    assert_eq!(en.code(), fr.code());
    assert!(
        fr.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("le corps n'est pas un JSON valide"),
        "{fr:?}"
    );
    assert!(
        en.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("the body is not valid JSON"),
        "{en:?}"
    );

    // An import's rejected line.
    let path = format!("/api/v1/cafs/{caf_id}/beneficiary-files/import");
    let line = r#"{"numero": "12"}"#;
    let nd = "application/x-ndjson";
    let fr = send(&env, &path, &caf, nd, line, None);
    let en = send(&env, &path, &caf, nd, line, Some("en"));
    assert_eq!(
        (fr.status, &fr.body["rejected"]),
        (200, &serde_json::json!(1)),
        "{fr:?}"
    );
    let reason = |r: &Reply| {
        r.body["rejections"][0]["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        reason(&fr).starts_with("la ligne n'est pas un dossier allocataire lisible"),
        "{fr:?}"
    );
    assert!(!reason(&en).starts_with("la ligne"), "{en:?}");

    // A refusal of a use case: an object out of reach.
    let get = |lang: &str| {
        TestEnv::read(
            env.client()
                .get(format!(
                    "{}/api/v1/cafs/00000000-0000-4000-8000-000000000000",
                    env.base_url()
                ))
                .bearer_auth(&caf)
                .header("accept-language", lang)
                .send()
                .expect("request sent"),
        )
    };
    let (fr, en) = (get("fr-FR"), get("en"));
    assert_eq!((fr.code(), en.code()), ("not_found", "not_found"), "{fr:?}");
    assert_eq!(
        fr.body["detail"],
        "aucun objet de ce nom dans votre périmètre"
    );
    assert_eq!(en.body["detail"], "no such object within your reach");

    // A field the domain refuses, and a refusal of the registry's state: the same codes, the
    // sentence in the reader's language.
    let bad = r#"{"code": "76", "name": "Caf 76", "address": "1 rue de la Caf", "director_name": "Le Directeur"}"#;
    let fr = send(&env, "/api/v1/cafs", &cnaf, json, bad, None);
    let en = send(&env, "/api/v1/cafs", &cnaf, json, bad, Some("en"));
    assert_eq!(
        (fr.status, fr.field_errors()),
        (422, vec![("code", "invalid_caf_code")]),
        "{fr:?}"
    );
    assert_eq!(en.field_errors(), fr.field_errors());
    assert_eq!(
        fr.body["detail"],
        "code : un numéro de Caf compte trois chiffres (par exemple 761)"
    );
    assert_eq!(
        fr.body["errors"][0]["message"],
        "un numéro de Caf compte trois chiffres (par exemple 761)"
    );
    assert_eq!(
        en.body["detail"],
        "code: a Caf number is three digits (e.g. 761)"
    );
    let again = r#"{"code": "771", "name": "Caf 771", "address": "1 rue de la Caf", "director_name": "Le Directeur"}"#;
    let fr = send(&env, "/api/v1/cafs", &cnaf, json, again, None);
    let en = send(&env, "/api/v1/cafs", &cnaf, json, again, Some("en-US"));
    assert_eq!(
        (fr.status, fr.code()),
        (409, "caf_already_registered"),
        "{fr:?}"
    );
    assert_eq!(en.code(), fr.code());
    assert_eq!(
        fr.body["detail"],
        "une Caf portant ce numéro est déjà enregistrée"
    );
    assert_eq!(
        en.body["detail"],
        "a Caf with this number is already registered"
    );
}

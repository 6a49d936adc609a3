//! `mcp seed --demo`: a newcomer consults a file with what it prints, within a minute; it is
//! refused on a database that holds anyone.

use mcp_integration_tests::{on_both_engines, Engine, TestEnv};
use mcp_persistence::use_cases::demo;
use mcp_persistence::Ctx;

on_both_engines!(
    the_demo_world_lets_a_newcomer_consult_a_file,
    the_demo_is_refused_beside_real_people,
);

fn ctx() -> Ctx {
    Ctx::without_person("console-demo", mcp_api::auth::now())
}

/// The identifier and password printed on the line of `full_name`.
fn credentials(printed: &str, full_name: &str) -> (String, String) {
    let line = printed
        .lines()
        .find(|l| l.contains(full_name))
        .unwrap_or_else(|| panic!("{full_name} is not printed:\n{printed}"));
    let mut words = line.split_whitespace().rev();
    let password = words.next().unwrap().to_string();
    let identifier = words.next().unwrap().to_string();
    (identifier, password)
}

fn login(env: &TestEnv, (identifier, password): &(String, String)) -> String {
    env.login(identifier, password)
}

fn the_demo_world_lets_a_newcomer_consult_a_file(engine: Engine) {
    let env = TestEnv::start(engine);
    let world = demo::seed(&env.db, &ctx()).expect("the demo on an empty database");
    let printed = mcp_api::demo::describe(&world, "127.0.0.1:8080");

    // The first consultation exactly as printed: the agent's credentials, the file, the mission.
    let julien = login(&env, &credentials(&printed, "Julien Moreau"));
    let consult_line = printed
        .lines()
        .find(|l| l.contains("/api/v1/cdap/files/"))
        .expect("the consultation is printed");
    let path = &consult_line
        [consult_line.find("/api/v1/cdap/files/").unwrap()..consult_line.rfind('\'').unwrap()];
    let r = env.get(path, &julien);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["profile"], "T13");
    assert_eq!(r.body["numero"], world.numeros[0]);

    // Everyone printed signs in with what was printed; the agent without habilitation is
    // refused the same file; the partner in mode centralisé files requests, it does not grant.
    for name in [
        "Nadia Lambert",
        "Anne Lefèvre",
        "Claire Dupont",
        "Paul Girard",
    ] {
        login(&env, &credentials(&printed, name));
    }
    let sophie = login(&env, &credentials(&printed, "Sophie Bernard"));
    assert_eq!(env.get(path, &sophie).status, 403);
    let claire = login(&env, &credentials(&printed, "Claire Dupont"));
    let users = env.get(
        &format!("/api/v1/partners/{}/users", world.delegated_partner_id),
        &claire,
    );
    assert_eq!(users.status, 200, "{users:?}");
    assert_eq!(
        users.body["items"].as_array().unwrap().len(),
        3,
        "{users:?}"
    );
    let paul = login(&env, &credentials(&printed, "Paul Girard"));
    let conventions = env.get(
        &format!(
            "/api/v1/partners/{}/conventions",
            world.centralised_partner_id
        ),
        &paul,
    );
    assert_eq!(conventions.status, 200, "{conventions:?}");
    let contract = env.get(
        &format!(
            "/api/v1/conventions/{}/contract",
            conventions.body["items"][0]["id"].as_str().unwrap()
        ),
        &paul,
    );
    assert_eq!(
        contract.body["management_mode"], "centralise",
        "{contract:?}"
    );

    // Passwords are drawn for each seeding, never the same for two people.
    let passwords: std::collections::BTreeSet<_> =
        world.people.iter().map(|p| &p.password).collect();
    assert_eq!(passwords.len(), world.people.len());
}

fn the_demo_is_refused_beside_real_people(engine: Engine) {
    let env = TestEnv::start(engine);
    // A real operator exists: nothing is seeded beside them.
    let cnaf = env.cnaf_operator();
    let err = demo::seed(&env.db, &ctx()).expect_err("refused");
    match &err {
        mcp_persistence::Error::Domain(d) => {
            assert!(d.message().fr().contains("base vide"), "{err}")
        }
        other => panic!("{other}"),
    }
    let cafs = env.get("/api/v1/cafs", &cnaf);
    assert_eq!(cafs.body["items"].as_array().unwrap().len(), 0, "{cafs:?}");
    // Nor twice.
    let env = TestEnv::start(engine);
    demo::seed(&env.db, &ctx()).expect("first");
    assert!(demo::seed(&env.db, &ctx()).is_err());
}

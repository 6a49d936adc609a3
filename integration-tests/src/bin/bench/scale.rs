//! The registry's reads as it grows to national size: the same reads, through the API, on a
//! hundred partners and then on 50,000 partners of a hundred Cafs holding a million accounts.
//! The rows are copies of rows the service wrote itself through the API (a Caf, a partner, an
//! activated agent), bulk-inserted below it with the identifiers, names and links changed.

use std::time::Instant;

use mcp_integration_tests::{siret, Engine, TestEnv, PASSWORD};
use serde_json::json;

use super::{run, synthetic, Figures};

/// Accounts per synthetic partner.
const PER_PARTNER: usize = 20;
/// Partners per Caf at full size.
const PER_CAF: usize = 500;
/// Cafs at full size (the first is the one the readers belong to).
const CAFS: usize = 100;
/// Partners of the readers' Caf in the first stage.
const FIRST_STAGE: usize = 100;
/// Requests per read and stage.
const REQUESTS: usize = 4000;

/// One registry's size, how long it took to load, and its reads' figures, two runs each.
pub struct Stage {
    pub partners: usize,
    pub accounts: usize,
    /// Rows inserted below the API (indexes maintained), and how long it took.
    pub rows: usize,
    pub load_seconds: f64,
    /// For each read, its two runs.
    pub reads: Vec<[Figures; 2]>,
}

/// A synthetic partner's number: `caf * PER_CAF + rank`.
fn partner_id(n: usize) -> String {
    synthetic(12, n as u128).to_string()
}

fn caf_id(n: usize, real: &str) -> String {
    if n == 0 {
        real.to_string()
    } else {
        synthetic(11, n as u128).to_string()
    }
}

/// A login identifier of the service's form (`XXXX-XXXX`, its alphabet), from a number.
fn identifier(mut n: usize) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut s = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            s.insert(0, '-');
        }
        s.insert(0, ALPHABET[n % ALPHABET.len()] as char);
        n /= ALPHABET.len();
    }
    s
}

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The columns of `table`, in order, as the database describes them.
fn columns(env: &TestEnv, table: &str) -> Vec<String> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Column {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let q = match env.engine {
        Engine::Sqlite => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
        Engine::Postgres => format!(
            "SELECT column_name::text AS name FROM information_schema.columns \
             WHERE table_name = '{table}' AND table_schema = current_schema() \
             ORDER BY ordinal_position"
        ),
    };
    env.db
        .read(|c| Ok(diesel::sql_query(&q).load::<Column>(c)?))
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect()
}

/// Inserts copies of the row `template` of `table`, each with its own text values for the
/// columns `set`; 500 rows a statement, 50 statements a transaction. Gives the rows inserted.
fn copy_rows(
    env: &TestEnv,
    table: &str,
    template: &str,
    set: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> usize {
    use diesel::RunQueryDsl;
    let all = columns(env, table);
    let names = all.join(", ");
    let select: Vec<String> = all
        .iter()
        .map(|c| match set.iter().position(|s| s == c) {
            Some(k) => format!("v.column{}", k + 1),
            None => format!("t.{c}"),
        })
        .collect();
    let head = format!(
        "INSERT INTO {table} ({names}) SELECT {} FROM {table} t, (VALUES ",
        select.join(", ")
    );
    let tail = format!(") AS v WHERE t.id = {}", quoted(template));
    let mut count = 0;
    let mut statements = vec![];
    let mut values: Vec<String> = vec![];
    let flush = |statements: &mut Vec<String>| {
        env.db
            .write(|c| {
                for s in statements.iter() {
                    diesel::sql_query(s).execute(c)?;
                }
                Ok(())
            })
            .expect("rows copied");
        statements.clear();
    };
    for row in rows {
        let row: Vec<String> = row.iter().map(|v| quoted(v)).collect();
        values.push(format!("({})", row.join(",")));
        count += 1;
        if values.len() == 500 {
            statements.push(format!("{head}{}{tail}", values.join(",")));
            values.clear();
            if statements.len() == 50 {
                flush(&mut statements);
            }
        }
    }
    if !values.is_empty() {
        statements.push(format!("{head}{}{tail}", values.join(",")));
    }
    flush(&mut statements);
    count
}

/// Copies the partners `numbers` of the numbering (`caf * PER_CAF + rank`), each with its
/// `PER_PARTNER` accounts; the Cafs are there already.
fn load_partners(
    env: &TestEnv,
    real_caf: &str,
    template_partner: &str,
    template_account: &str,
    numbers: &[usize],
) -> usize {
    let mut rows = copy_rows(
        env,
        "partners",
        template_partner,
        &["id", "caf_id", "siret", "name"],
        numbers.iter().map(|&n| {
            vec![
                partner_id(n),
                caf_id(n / PER_CAF, real_caf),
                siret(10_000 + n),
                format!("Commune n° {n}"),
            ]
        }),
    );
    rows += copy_rows(
        env,
        "accounts",
        template_account,
        &[
            "id",
            "identifier",
            "caf_id",
            "partner_id",
            "full_name",
            "email",
            "email_key",
        ],
        numbers.iter().flat_map(|&n| {
            (0..PER_PARTNER).map(move |a| {
                let k = n * PER_PARTNER + a;
                let email = format!("agent{a}@commune{n}.example");
                vec![
                    synthetic(13, k as u128).to_string(),
                    identifier(k),
                    caf_id(n / PER_CAF, real_caf),
                    partner_id(n),
                    format!("Agent {a} de la commune {n}"),
                    email.clone(),
                    email,
                ]
            })
        }),
    );
    rows
}

/// The rows of `table`.
fn count(env: &TestEnv, table: &str) -> usize {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let q = format!("SELECT COUNT(*) AS n FROM {table}");
    env.db
        .read(|c| Ok(diesel::sql_query(&q).get_result::<Count>(c)?))
        .unwrap()
        .n as usize
}

fn analyze(env: &TestEnv) {
    use diesel::RunQueryDsl;
    env.db
        .write(|c| {
            diesel::sql_query("ANALYZE").execute(c)?;
            Ok(())
        })
        .unwrap();
}

/// A registry and its readers' tokens.
struct World {
    env: TestEnv,
    cnaf: String,
    admin: String,
    person: String,
    rows: usize,
    load_seconds: f64,
}

/// A registry of `partners` synthetic partners (numbered `caf * PER_CAF + rank`, so the first
/// `FIRST_STAGE` are the readers' Caf's) beside the templates the service wrote itself.
fn world(engine: Engine, partners: usize) -> World {
    let env = TestEnv::start_with(engine, |c| {
        c.workers = 2;
        c.pool_size = 16;
    });
    let cnaf = env.cnaf_operator();
    let caf = env.caf(&cnaf, "781");
    let admin = env.caf_admin(&cnaf, &caf, "bench@caf.example");
    let template_partner = env.partner(&admin, &siret(0), "commune");
    let manager = env.partner_admin(&admin, &template_partner, "principal", "p@mairie.example");
    let agent = env.post(
        &format!("/api/v1/partners/{template_partner}/users"),
        &manager,
        json!({"full_name": "Agent Modèle", "function_title": "Agent d'accueil", "email": "modele@mairie.example", "phone": "0164000000"}),
    );
    assert_eq!(agent.status, 201, "{agent:?}");
    let template_account = agent.id();
    env.activate_from_mail(
        agent.body["identifier"].as_str().unwrap(),
        "modele@mairie.example",
    );
    let started = Instant::now();
    let cafs = partners.div_ceil(PER_CAF);
    // The other Cafs, copies of the readers' one.
    let mut rows = copy_rows(
        &env,
        "cafs",
        &caf,
        &["id", "code", "name"],
        (1..cafs).map(|n| {
            vec![
                caf_id(n, &caf),
                format!("{:03}", 100 + n),
                format!("Caf n° {n}"),
            ]
        }),
    );
    let numbers: Vec<usize> = (0..partners).collect();
    rows += load_partners(&env, &caf, &template_partner, &template_account, &numbers);
    analyze(&env);
    let load_seconds = started.elapsed().as_secs_f64();
    eprintln!("  {partners} partners loaded ({rows} rows in {load_seconds:.0} s)");
    let person = env.login(&identifier(7 * PER_PARTNER + 3), PASSWORD);
    World {
        env,
        cnaf,
        admin,
        person,
        rows,
        load_seconds,
    }
}

/// The reads, by name, each a request of the `i`-th client call on a world.
const READS: [&str; 6] = [
    "Caf administrator: GET /partners/{id}",
    "Caf administrator: GET /partners?siret= (one partner by SIRET)",
    "Caf administrator: GET /partners?limit=50 (first page of the Caf's)",
    "Caf administrator: GET /partners/{id}/users (a partner's 20 people)",
    "Cnaf operator: GET /partners?limit=50 (first page of all)",
    "an agent: GET /me",
];

fn read(w: &World, which: usize, i: usize) -> u16 {
    let env = &w.env;
    // The partners read are the first stage's, in both registries.
    let n = (i * 7919) % FIRST_STAGE;
    match which {
        0 => {
            env.get(&format!("/api/v1/partners/{}", partner_id(n)), &w.admin)
                .status
        }
        1 => {
            let r = env.get(
                &format!("/api/v1/partners?siret={}", siret(10_000 + n)),
                &w.admin,
            );
            assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1), "{r:?}");
            r.status
        }
        2 => {
            let r = env.get("/api/v1/partners?limit=50", &w.admin);
            assert_eq!(r.body["items"].as_array().map(Vec::len), Some(50), "{r:?}");
            r.status
        }
        3 => {
            let r = env.get(
                &format!("/api/v1/partners/{}/users", partner_id(n)),
                &w.admin,
            );
            assert_eq!(
                r.body["items"].as_array().map(Vec::len),
                Some(PER_PARTNER),
                "{r:?}"
            );
            r.status
        }
        4 => env.get("/api/v1/partners?limit=50", &w.cnaf).status,
        _ => env.get("/api/v1/me", &w.person).status,
    }
}

/// A small registry and one of national size on one engine, side by side: each read runs on
/// the small one, then on the national one, then again on both (A B A B).
pub fn bench_scale(engine: Engine) -> [Stage; 2] {
    let worlds = [world(engine, FIRST_STAGE), world(engine, CAFS * PER_CAF)];
    let mut runs: [Vec<Vec<Figures>>; 2] = [vec![], vec![]];
    for (which, name) in READS.iter().enumerate() {
        let mut of = [vec![], vec![]];
        for _round in 0..2 {
            for (k, w) in worlds.iter().enumerate() {
                of[k].push(run(name, REQUESTS, |i| read(w, which, i)));
            }
        }
        for k in 0..2 {
            runs[k].push(std::mem::take(&mut of[k]));
        }
    }
    let [small, national] = runs;
    let stage = |w: &World, reads: Vec<Vec<Figures>>| Stage {
        partners: count(&w.env, "partners"),
        accounts: count(&w.env, "accounts"),
        rows: w.rows,
        load_seconds: w.load_seconds,
        reads: reads
            .into_iter()
            .map(|r| {
                let [a, b]: [Figures; 2] = r.try_into().ok().expect("two runs");
                [a, b]
            })
            .collect(),
    };
    [stage(&worlds[0], small), stage(&worlds[1], national)]
}

//! Repository tests on both engines: migrations, atomicity of an action and its trace.

use chrono::Utc;
use diesel::prelude::*;
use mcp_domain::vocabulary::TraceAction;
use mcp_domain::{DomainError, ErrorCode};
use mcp_persistence::db::{
    create_postgres_database, drop_postgres_database, migration_names, sibling_database_url,
};
use mcp_persistence::use_cases::trace::{self, Event, Outcome, TraceFilter};
use mcp_persistence::{Ctx, Database, Engine, Error, PageRequest};

fn admin_url() -> String {
    std::env::var("MCP_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Runs `f` on a fresh database of each engine.
fn on_each_engine(f: impl Fn(&Database)) {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let dir = std::env::temp_dir().join(format!("mcp-repo-{tag}"));
    {
        let db =
            Database::open(&dir.join("mcp.db").display().to_string(), 4).expect("sqlite opens");
        assert_eq!(db.engine(), Engine::Sqlite);
        f(&db);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let name = format!("mcp_repo_{tag}");
    create_postgres_database(&admin_url(), &name).expect("PostgreSQL is needed by the tests");
    {
        let db =
            Database::open(&sibling_database_url(&admin_url(), &name), 4).expect("postgres opens");
        assert_eq!(db.engine(), Engine::Postgres);
        f(&db);
    }
    drop_postgres_database(&admin_url(), &name).unwrap();
}

fn ctx() -> Ctx {
    Ctx {
        principal: None,
        request_id: "test".into(),
        now: Utc::now().naive_utc(),
        asked: None,
    }
}

fn event(action: TraceAction) -> Event {
    Event {
        partner_id: None,
        action,
        target_type: mcp_domain::vocabulary::TargetType::Operation,
        target_id: None,
        caf_id: None,
        outcome: Outcome::Success,
        detail: serde_json::json!({}),
    }
}

fn traces(db: &Database, action: &str) -> usize {
    db.read(|c| {
        trace::list(
            c,
            mcp_domain::access::TracePerimeter::National,
            &TraceFilter {
                action: Some(action.into()),
                ..Default::default()
            },
            &PageRequest::default(),
        )
    })
    .unwrap()
    .items
    .len()
}

#[test]
fn migrations_are_paired_and_the_folders_match() {
    assert_eq!(
        migration_names(Engine::Sqlite),
        migration_names(Engine::Postgres)
    );
    let list = |engine: &str| {
        let mut v: Vec<String> = std::fs::read_dir(format!(
            "{}/../migrations/{engine}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
        v.sort();
        v
    };
    assert_eq!(list("sqlite"), list("postgres"));
    for engine in ["sqlite", "postgres"] {
        for m in list(engine) {
            let dir = format!("{}/../migrations/{engine}/{m}", env!("CARGO_MANIFEST_DIR"));
            assert!(
                std::path::Path::new(&format!("{dir}/up.sql")).exists(),
                "{dir}/up.sql"
            );
            assert!(
                std::path::Path::new(&format!("{dir}/down.sql")).exists(),
                "{dir}/down.sql"
            );
        }
    }
}

#[test]
fn an_action_and_its_trace_commit_together_or_not_at_all() {
    on_each_engine(|db| {
        let ctx = ctx();
        let refused: Result<(), Error> = db.write(|c| {
            trace::record(c, &ctx, event(TraceAction::GroupCreated))?;
            Err(DomainError::rule(
                ErrorCode::OwnAccount,
                mcp_domain::msg!("la règle a dit non", "the rule said no"),
            )
            .into())
        });
        assert!(matches!(
            refused,
            Err(Error::Domain(DomainError::Rule {
                code: ErrorCode::OwnAccount,
                ..
            }))
        ));
        assert_eq!(
            traces(db, TraceAction::GroupCreated.code()),
            0,
            "the trace of a refused action is rolled back"
        );

        // A failing statement after the trace rolls the trace back too.
        let failed: Result<(), Error> = db.write(|c| {
            trace::record(c, &ctx, event(TraceAction::GroupMemberAdded))?;
            diesel::sql_query("INSERT INTO cafs (id) VALUES ('incomplete')").execute(c)?;
            Ok(())
        });
        assert!(matches!(failed, Err(Error::Database(_))));
        assert_eq!(traces(db, TraceAction::GroupMemberAdded.code()), 0);

        db.write(|c| trace::record(c, &ctx, event(TraceAction::GroupMemberRemoved)))
            .unwrap();
        assert_eq!(traces(db, TraceAction::GroupMemberRemoved.code()), 1);
    });
}

#[test]
fn catalogue_is_seeded_and_concurrent_writers_queue() {
    on_each_engine(|db| {
        let profiles: i64 = db
            .read(|c| {
                Ok(
                    diesel::dsl::sql::<diesel::sql_types::BigInt>("SELECT COUNT(*) FROM profiles")
                        .get_result(c)?,
                )
            })
            .unwrap();
        assert_eq!(profiles, 19, "CDAP has 19 profiles (no T3, T7 or T17)");
        // Concurrent writers queue rather than fail.
        std::thread::scope(|s| {
            for i in 0..8 {
                s.spawn(move || {
                    let ctx = ctx();
                    db.write(|c| {
                        trace::record(
                            c,
                            &ctx,
                            event(if i % 2 == 0 {
                                TraceAction::CafCreated
                            } else {
                                TraceAction::CafUpdated
                            }),
                        )
                    })
                    .unwrap();
                });
            }
        });
        assert_eq!(
            traces(db, TraceAction::CafCreated.code()) + traces(db, TraceAction::CafUpdated.code()),
            8
        );
    });
}

/// A relay that is down: every message stays queued.
struct Down;

impl mcp_persistence::use_cases::outbox::Transport for Down {
    fn send(&self, _: &mcp_persistence::use_cases::outbox::Outgoing) -> Result<(), String> {
        Err("connection refused".into())
    }
    fn describe(&self) -> String {
        "a relay that is down".into()
    }
}

#[test]
fn the_outbox_keeps_what_it_could_not_deliver() {
    on_each_engine(|db| {
        let now = Utc::now().naive_utc();
        db.write(|c| {
            mcp_persistence::use_cases::outbox::enqueue(c, now, "a@b.example", "Objet", "code 42")
        })
        .unwrap();
        let pending = |db: &Database| -> i64 {
            db.read(|c| {
                Ok(diesel::sql_query(
                    "SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL AND body <> ''",
                )
                .get_result::<Count>(c)?
                .n)
            })
            .unwrap()
        };
        assert_eq!(
            mcp_persistence::use_cases::outbox::deliver_pending(db, &Down, now).unwrap(),
            0
        );
        assert_eq!(pending(db), 1, "nothing committed is lost");
        let folder = Kept::default();
        // Tried again only once its backoff has passed.
        assert_eq!(
            mcp_persistence::use_cases::outbox::deliver_pending(db, &folder, now).unwrap(),
            0
        );
        let later = now + mcp_domain::delivery::retry_delay(1);
        assert_eq!(
            mcp_persistence::use_cases::outbox::deliver_pending(db, &folder, later).unwrap(),
            1
        );
        assert_eq!(pending(db), 0, "delivered once, body erased");
        let kept = folder.0.lock().unwrap().clone();
        assert_eq!(kept.len(), 1);
        assert!(kept[0].contains("code 42"));
        assert_eq!(
            mcp_persistence::use_cases::outbox::deliver_pending(db, &folder, later).unwrap(),
            0
        );
    });
}

/// A transport that keeps the bodies it was handed.
#[derive(Default)]
struct Kept(std::sync::Mutex<Vec<String>>);

impl mcp_persistence::use_cases::outbox::Transport for Kept {
    fn send(&self, m: &mcp_persistence::use_cases::outbox::Outgoing) -> Result<(), String> {
        self.0.lock().unwrap().push(m.body.clone());
        Ok(())
    }

    fn describe(&self) -> String {
        "kept in memory".into()
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[test]
fn every_cdap_profile_has_its_view_field_by_field() {
    use mcp_domain::cdap::{apply_view, synthetic, Restriction, SECTIONS};
    // (profile, sections, months, benefits, restriction)
    let expected: [(&str, &str, u32, &str, Option<Restriction>); 19] = [
        (
            "T1",
            "identity,address,household,professional,resources,quotient_familial,rights",
            24,
            "",
            None,
        ),
        ("T2", "identity,household,quotient_familial", 12, "", None),
        (
            "T4",
            "identity,address,household,professional,resources,rights",
            24,
            "RSA,PPA",
            Some(Restriction::InstructorNumber),
        ),
        (
            "T5",
            "identity,address,household,professional,rights",
            24,
            "RSA,PPA",
            None,
        ),
        ("T6", "identity,household,resources,rights", 24, "", None),
        ("T8", "identity,household,resources,rights", 24, "", None),
        (
            "T9",
            "identity,address,household,resources,rights",
            24,
            "",
            None,
        ),
        (
            "T10",
            "identity,address,rights",
            24,
            "AL",
            Some(Restriction::OwnTenants),
        ),
        ("T11", "identity,household,resources,rights", 24, "", None),
        ("T12", "identity,household,resources", 12, "", None),
        (
            "T13",
            "identity,address,household,resources,quotient_familial,rights",
            12,
            "",
            None,
        ),
        ("T14", "identity,household", 12, "", None),
        ("T15", "identity,quotient_familial,rights", 12, "RSA", None),
        (
            "T16",
            "identity,address,household,resources,rights",
            12,
            "",
            None,
        ),
        (
            "T18",
            "identity,address,household,professional,resources,rights",
            24,
            "RSA,PPA",
            Some(Restriction::RsaLastTwoYears),
        ),
        (
            "T19",
            "identity,address,household,professional,resources,rights",
            24,
            "RSA,PPA",
            Some(Restriction::RsaLastTwoYears),
        ),
        (
            "T20",
            // The address too: the fund checks whether a new one was given to the Caf.
            "identity,address,household,professional,rights",
            24,
            "",
            None,
        ),
        (
            "T21",
            "identity,household,cmg_requests,rights",
            24,
            "CMG",
            Some(Restriction::CmgRequest),
        ),
        (
            "T22",
            "identity,address,household,resources,rights",
            12,
            "",
            None,
        ),
    ];
    on_each_engine(|db| {
        let views = mcp_persistence::use_cases::cdap::views(db).unwrap();
        assert_eq!(views.len(), expected.len(), "one view per CDAP profile");
        let today = Utc::now().date_naive();
        let file = synthetic(1, 1, today);
        for ((code, view), (want_code, sections, months, benefits, restriction)) in
            views.iter().zip(expected)
        {
            assert_eq!(code, want_code);
            assert_eq!(view.sections.join(","), sections, "{code}");
            assert!(view.sections.iter().all(|s| SECTIONS.contains(&s.as_str())));
            assert_eq!(
                (view.months, view.benefits.join(",")),
                (months, benefits.to_string()),
                "{code}"
            );
            assert_eq!(view.restriction, restriction, "{code}");
            assert_eq!(
                view.identity_search,
                matches!(code.as_str(), "T14" | "T20"),
                "{code}"
            );
            // Applied, the view shows the numéro and its sections, nothing else.
            let shown = apply_view(&file, view, today);
            let mut keys: Vec<&str> = shown
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            keys.sort();
            let mut want: Vec<&str> = sections.split(',').chain(["numero"]).collect();
            want.sort();
            assert_eq!(keys, want, "{code}");
        }
    });
}

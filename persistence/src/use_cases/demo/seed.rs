//! Seeds a demo world on an empty database, through the same use cases the API calls, each as
//! the person whose function it is: a national operator, a Caf with its administrator, a partner
//! in mode délégué (CDAP T13 subscribed, an administrator, a habilitated agent, an agent without
//! habilitation), a partner in mode centralisé, and synthetic beneficiary files.

use chrono::{Duration, NaiveDateTime};
use mcp_domain::access::Principal;
use mcp_domain::caf::CafData;
use mcp_domain::contract::{ManagementMode, PasswordPolicy};
use mcp_domain::habilitation::Holder;
use mcp_domain::ids::{CafId, MissionId, PartnerId};
use mcp_domain::partner::PartnerData;
use mcp_domain::person::Person;
use mcp_domain::subscription::ProfileQuota;
use mcp_domain::{DomainError, ErrorCode};
use rand::Rng;

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::store::accounts::Account;
use crate::store::cdap::ImportReport;
use crate::store::conventions::{ContractTerms, NewConvention};
use crate::store::habilitations::GrantRequest;
use crate::store::partners::AdministratorRank;
use crate::store::subscriptions::NewSubscription;
use crate::use_cases::{accounts, cafs, cdap, conventions, habilitations, partners};
use crate::use_cases::{staff, subscriptions};

/// How many synthetic beneficiary files the demo Caf holds.
const FILES: u64 = 50;

/// One invented person of the demo, able to sign in.
#[derive(Debug, Clone)]
pub struct DemoPerson {
    /// What they are in the demo (« Administratrice de la Caf »…).
    pub what: &'static str,
    /// Their name.
    pub full_name: String,
    /// Their sign-in identifier.
    pub identifier: String,
    /// Their password, chosen for them at random.
    pub password: String,
}

/// What the demo world holds, for the console to print.
#[derive(Debug, Clone)]
pub struct DemoWorld {
    /// The people, in the order they were registered.
    pub people: Vec<DemoPerson>,
    /// The Caf.
    pub caf_id: CafId,
    /// The partner in mode délégué.
    pub delegated_partner_id: PartnerId,
    /// The partner in mode centralisé.
    pub centralised_partner_id: PartnerId,
    /// The mission of the délégué partner's convention that the agent's habilitation serves.
    pub mission_id: MissionId,
    /// A few numéros allocataire of the demo files.
    pub numeros: Vec<String>,
}

/// Seeds the demo world. Refused (409 `already_bootstrapped`) unless the database holds no
/// account at all: never beside real people, never twice.
pub fn seed(db: &Database, ctx: &Ctx) -> Result<DemoWorld> {
    if db.read(crate::store::demo::any)? {
        return Err(DomainError::conflict(
            ErrorCode::AlreadyBootstrapped,
            mcp_domain::Message::new(
                "la base de données contient déjà des comptes : le monde de démonstration ne se \
                 crée que sur une base vide",
                "the database already holds accounts: the demo world is seeded only on an empty \
                 one",
            ),
        )
        .into());
    }
    let now = ctx.now;
    let mut people = vec![];
    let person = |name: &str, function: &str, email: &str, phone: Option<&str>| {
        Person::new(name, function, email, phone)
    };

    let (operator, activation) = accounts::bootstrap_cnaf_operator(
        db,
        ctx,
        &person(
            "Nadia Lambert",
            "Opératrice nationale",
            "nadia.lambert@cnaf.demo.example",
            None,
        )?,
    )?;
    let cnaf = activate(
        db,
        ctx,
        &operator,
        &activation.secret,
        "Opératrice nationale (Cnaf)",
        &mut people,
    )?;

    let caf = cafs::create(
        db,
        &as_(ctx, &cnaf),
        &CafData::new(
            "771",
            "Caf de Seine-et-Marne",
            "21-23 avenue du Général Leclerc, 77024 Melun",
            "Le directeur de la Caf de Seine-et-Marne",
        )?,
    )?;
    let caf_id = caf.id.get();
    let admin = cafs::add_administrator(
        db,
        &as_(ctx, &cnaf),
        caf_id,
        &person(
            "Anne Lefèvre",
            "Administratrice Mon Compte Partenaire",
            "anne.lefevre@caf77.demo.example",
            None,
        )?,
    )?;
    let caf_admin = invited(db, ctx, &admin, "Administratrice de la Caf", &mut people)?;
    let caf_ctx = as_(ctx, &caf_admin);

    let (delegated, mission_id, t13) = partner_with_convention(
        db,
        &caf_ctx,
        now,
        (
            "26770001000015",
            "CCAS de Lieusaint",
            "Place de l'Hôtel de Ville, 77127 Lieusaint",
            "ccas",
        ),
        "771-2026-0001",
        ManagementMode::Delegue,
    )?;
    let claire = partners::name_administrator(
        db,
        &caf_ctx,
        delegated,
        AdministratorRank::Principal,
        &person(
            "Claire Dupont",
            "Directrice du CCAS",
            "claire.dupont@ccas-lieusaint.demo.example",
            Some("01 64 13 55 00"),
        )?,
    )?;
    let partner_admin = invited(
        db,
        ctx,
        &claire,
        "Administratrice principale du CCAS (mode délégué)",
        &mut people,
    )?;
    let admin_ctx = as_(ctx, &partner_admin);
    let julien = staff::create_user(
        db,
        &admin_ctx,
        delegated,
        &person(
            "Julien Moreau",
            "Conseiller en économie sociale et familiale",
            "julien.moreau@ccas-lieusaint.demo.example",
            Some("01 64 13 55 12"),
        )?,
    )?;
    habilitations::grant(
        db,
        &admin_ctx,
        delegated,
        GrantRequest {
            holder: Holder::Account(julien.id.get().uuid()),
            profile_id: t13,
            mission_id,
            ends_on: None,
        },
    )?;
    invited(
        db,
        ctx,
        &julien,
        "Agent du CCAS habilité CDAP T13",
        &mut people,
    )?;
    let sophie = staff::create_user(
        db,
        &admin_ctx,
        delegated,
        &person(
            "Sophie Bernard",
            "Assistante sociale",
            "sophie.bernard@ccas-lieusaint.demo.example",
            Some("01 64 13 55 14"),
        )?,
    )?;
    invited(
        db,
        ctx,
        &sophie,
        "Agent du CCAS sans habilitation",
        &mut people,
    )?;

    let (centralised, _, _) = partner_with_convention(
        db,
        &caf_ctx,
        now,
        (
            "21770133000011",
            "Commune de Combs-la-Ville",
            "Place de l'Hôtel de Ville, 77380 Combs-la-Ville",
            "commune",
        ),
        "771-2026-0002",
        ManagementMode::Centralise,
    )?;
    let paul = partners::name_administrator(
        db,
        &caf_ctx,
        centralised,
        AdministratorRank::Principal,
        &person(
            "Paul Girard",
            "Directeur général des services",
            "paul.girard@combs-la-ville.demo.example",
            Some("01 64 13 16 00"),
        )?,
    )?;
    invited(
        db,
        ctx,
        &paul,
        "Administrateur de la commune (mode centralisé)",
        &mut people,
    )?;

    let today = now.date();
    let files: Vec<_> = (1..=FILES)
        .map(|n| mcp_domain::cdap::synthetic(n, 771, today))
        .collect();
    let lines: Vec<(usize, String)> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (i + 1, serde_json::to_string(f).expect("plain data")))
        .collect();
    let mut report = ImportReport::default();
    cdap::import_batch(db, &caf_ctx, caf_id, &lines, &mut report)?;

    Ok(DemoWorld {
        people,
        caf_id,
        delegated_partner_id: delegated,
        centralised_partner_id: centralised,
        mission_id,
        numeros: files.iter().take(3).map(|f| f.numero.clone()).collect(),
    })
}

/// The context of `principal` acting in the seeding request.
fn as_(ctx: &Ctx, principal: &Principal) -> Ctx {
    ctx.acting_as(Some(principal.clone()))
}

/// Registers a partner, drafts its convention in `mode` with one mission and CDAP T13 (quota 3),
/// records both signatures ten days ago and the RGPD formalities yesterday: access is open.
/// Returns the partner, the mission and the T13 profile.
fn partner_with_convention(
    db: &Database,
    caf_ctx: &Ctx,
    now: NaiveDateTime,
    (siret, name, address, category): (&str, &str, &str, &str),
    number: &str,
    mode: ManagementMode,
) -> Result<(PartnerId, MissionId, mcp_domain::ids::ProfileId)> {
    let partner = partners::create(
        db,
        caf_ctx,
        &PartnerData::new(siret, name, address, "Le maire", Some("Maire"), category)?,
    )?;
    let partner_id = partner.id.get();
    let convention = conventions::create(
        db,
        caf_ctx,
        partner_id,
        NewConvention {
            number: number.into(),
            caf_signatory: None,
            partner_signatory: None,
            missions: vec!["Instruction des dossiers du fonds de solidarité logement".into()],
            contract: Some(ContractTerms {
                management_mode: mode,
                password_policy: PasswordPolicy::default(),
                contacts: vec![],
                second_factor_required: false,
                email_domains: vec![],
                service_centre: Default::default(),
            }),
        },
    )?;
    let convention_id = convention.row.id.get();
    let mission_id = convention.missions[0].id.get();
    let (subscription, _) = subscriptions::create(
        db,
        caf_ctx,
        convention_id,
        NewSubscription {
            service: "CDAP".into(),
            made_available_on: None,
            profiles: vec![ProfileQuota::new("T13".into(), Some(3), vec![])],
        },
        None,
    )?;
    let t13 = subscription.subscription.quotas[0].profile_id.get();
    let day = |days: i64| (now - Duration::days(days)).date();
    conventions::sign(db, caf_ctx, convention_id, day(10), day(9))?;
    conventions::complete_rgpd(db, caf_ctx, convention_id, day(1))?;
    Ok((partner_id, mission_id, t13))
}

/// Activates an account the seeding just registered (its code went to the invented person's
/// outbox message) with a new code and a password drawn at random; returns the person.
fn invited(
    db: &Database,
    ctx: &Ctx,
    account: &Account,
    what: &'static str,
    people: &mut Vec<DemoPerson>,
) -> Result<Principal> {
    let activation =
        db.write(|conn| crate::store::demo::new_activation(conn, account.id, ctx.now))?;
    activate(db, ctx, account, &activation.secret, what, people)
}

fn activate(
    db: &Database,
    ctx: &Ctx,
    account: &Account,
    secret: &str,
    what: &'static str,
    people: &mut Vec<DemoPerson>,
) -> Result<Principal> {
    let password = demo_password();
    let active = accounts::activate(db, ctx, &account.identifier, secret, &password, true)?;
    people.push(DemoPerson {
        what,
        full_name: active.full_name.clone(),
        identifier: active.identifier.clone(),
        password,
    });
    Ok(active.principal().expect("a known role"))
}

/// A password of the default policy (12 characters or more, four classes), drawn at random.
fn demo_password() -> String {
    let mut rng = rand::thread_rng();
    format!(
        "Demo.{:04}.{:04}",
        rng.gen_range(0..10_000),
        rng.gen_range(0..10_000)
    )
}

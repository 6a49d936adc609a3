//! Conventions, their life and their service contract (management mode, password policy,
//! contacts); their amendments are in [`crate::store::amendments`]. Status and term are computed from the dated events on each read.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::contract::{check_contacts, Contact, EmailDomains, ManagementMode, PasswordPolicy};
use mcp_domain::convention::{ConventionLife, Party, Termination, TerminationKind};
use mcp_domain::ids::{AccountId, AmendmentId, CafId, ConventionId, MissionId, PartnerId};
use mcp_domain::service_centre::ServiceCentreTerms;
use mcp_domain::DomainError;
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::{amendments, convention_missions, conventions};

/// A stored convention.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = conventions)]
pub struct ConventionRow {
    /// Opaque id.
    pub id: Id<ConventionId>,
    /// Its Caf.
    pub caf_id: Id<CafId>,
    /// Its partner.
    pub partner_id: Id<PartnerId>,
    /// Business number.
    pub number: String,
    /// Who signs for the Caf.
    pub caf_signatory: String,
    /// Who signs for the partner.
    pub partner_signatory: String,
    /// Number of the last amendment (0: as signed).
    pub version: i32,
    /// Partner's signature date.
    pub partner_signed_on: Option<NaiveDate>,
    /// Caf's signature date.
    pub caf_signed_on: Option<NaiveDate>,
    /// RGPD formalities completion date.
    pub rgpd_completed_on: Option<NaiveDate>,
    /// Termination kind code.
    pub termination_kind: Option<String>,
    /// Terminating party code.
    pub termination_initiated_by: Option<String>,
    /// Receipt of the letter or formal notice.
    pub termination_received_on: Option<NaiveDate>,
    /// Requested date.
    pub termination_requested_on: Option<NaiveDate>,
    /// Computed effective date.
    pub termination_effective_on: Option<NaiveDate>,
    /// Reason.
    pub termination_reason: Option<String>,
    /// Contract: management mode code.
    pub management_mode: String,
    /// Contract: password policy, JSON.
    pub password_policy: String,
    /// Contract: annex-1 contacts, JSON.
    pub contacts: String,
    /// Creation instant.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// Contract: whether the partner's staff must use a second factor.
    pub second_factor_required: bool,
    /// Contract: the partner's own e-mail domains, JSON (empty: any address).
    pub email_domains: String,
    /// Contract: the service centre's hours and escalation delay, JSON.
    pub service_centre: String,
}

impl ConventionRow {
    /// The dated events, as the domain reasons on them.
    pub fn life(&self) -> Result<ConventionLife> {
        let termination = match (
            &self.termination_kind,
            &self.termination_initiated_by,
            self.termination_received_on,
            self.termination_effective_on,
        ) {
            (Some(kind), Some(by), Some(received_on), Some(effective_on)) => Some(Termination {
                kind: TerminationKind::from_code(kind)
                    .ok_or_else(|| Error::Corrupt(kind.clone()))?,
                initiated_by: Party::from_code(by).ok_or_else(|| Error::Corrupt(by.clone()))?,
                received_on,
                requested_on: self.termination_requested_on,
                effective_on,
                reason: self.termination_reason.clone().unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(ConventionLife {
            partner_signed_on: self.partner_signed_on,
            caf_signed_on: self.caf_signed_on,
            rgpd_completed_on: self.rgpd_completed_on,
            termination,
        })
    }

    /// The contract's management mode.
    pub fn management_mode(&self) -> Result<ManagementMode> {
        ManagementMode::from_code(&self.management_mode)
            .ok_or_else(|| Error::Corrupt(self.management_mode.clone()))
    }

    /// The contract's e-mail domains for the partner's staff.
    pub fn email_domains(&self) -> Result<EmailDomains> {
        serde_json::from_str(&self.email_domains).map_err(|e| Error::Corrupt(e.to_string()))
    }

    /// The contract's service centre: its hours and the escalation delay (S-art. 3.2, 3.3).
    pub fn service_centre(&self) -> Result<ServiceCentreTerms> {
        serde_json::from_str(&self.service_centre).map_err(|e| Error::Corrupt(e.to_string()))
    }

    /// The contract's password policy.
    pub fn password_policy(&self) -> Result<PasswordPolicy> {
        serde_json::from_str(&self.password_policy).map_err(|e| Error::Corrupt(e.to_string()))
    }

    /// The contract's contacts.
    pub fn contacts(&self) -> Result<Vec<Contact>> {
        serde_json::from_str(&self.contacts).map_err(|e| Error::Corrupt(e.to_string()))
    }

    pub(crate) fn uuid(&self) -> Result<Uuid> {
        Ok(self.id.uuid())
    }

    pub(crate) fn caf_uuid(&self) -> Result<Uuid> {
        Ok(self.caf_id.uuid())
    }
}

/// A mission of the convention (C-art. 8).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = convention_missions)]
pub struct Mission {
    /// Opaque id, named by the grants that serve it.
    pub id: Id<MissionId>,
    /// Its convention.
    pub convention_id: Id<ConventionId>,
    /// Order in the convention.
    pub position: i32,
    /// The purpose, as written.
    pub label: String,
    /// The version that withdrew it, if withdrawn.
    pub withdrawn_in_version: Option<i32>,
    /// When it was added.
    pub created_at: NaiveDateTime,
}

/// A convention with its missions, as read.
#[derive(Debug, Clone)]
pub struct Convention {
    /// The stored row.
    pub row: ConventionRow,
    /// Its life, from which status and term are computed.
    pub life: ConventionLife,
    /// Its current missions, in order.
    pub missions: Vec<Mission>,
}

/// A recorded amendment.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = amendments)]
pub struct Amendment {
    /// Opaque id.
    pub id: Id<AmendmentId>,
    /// Its convention.
    pub convention_id: Id<ConventionId>,
    /// Its number (1, 2, …).
    pub number: i32,
    /// What part it changes (`missions`, `contract`, `subscription`…).
    pub subject: String,
    /// What it changes, in a sentence.
    pub summary: String,
    /// Caf's signature date.
    pub caf_signed_on: NaiveDate,
    /// Partner's signature date.
    pub partner_signed_on: NaiveDate,
    /// The version it replaced, JSON.
    pub previous_version: String,
    /// The version it made, JSON.
    pub new_version: String,
    /// The account that recorded it.
    pub recorded_by: Id<AccountId>,
    /// When it was recorded.
    pub created_at: NaiveDateTime,
}

/// A new convention, as drafted by the Caf.
#[derive(Debug, Clone)]
pub struct NewConvention {
    /// Business number.
    pub number: String,
    /// Caf signatory; the Caf's director when absent.
    pub caf_signatory: Option<String>,
    /// Partner signatory; the partner's representative when absent.
    pub partner_signatory: Option<String>,
    /// Missions (C-art. 8).
    pub missions: Vec<String>,
    /// Contract terms; defaults when absent.
    pub contract: Option<ContractTerms>,
}

/// The terms of the service contract.
#[derive(Debug, Clone)]
pub struct ContractTerms {
    /// Management mode.
    pub management_mode: ManagementMode,
    /// Password policy.
    pub password_policy: PasswordPolicy,
    /// Annex-1 contacts.
    pub contacts: Vec<Contact>,
    /// Whether the partner's staff must use a second factor.
    pub second_factor_required: bool,
    /// The partner's own e-mail domains (empty: any address).
    pub email_domains: Vec<String>,
    /// The service centre's hours and the escalation delay.
    pub service_centre: ServiceCentreTerms,
}

/// A change to a service contract's terms: what is left out keeps its current value, so that
/// an amendment changing the management mode does not also reset the password policy or drop
/// the annex-1 contacts.
#[derive(Debug, Clone, Default)]
pub struct ContractChange {
    /// Management mode.
    pub management_mode: Option<ManagementMode>,
    /// Password policy.
    pub password_policy: Option<PasswordPolicy>,
    /// Annex-1 contacts, the whole list.
    pub contacts: Option<Vec<Contact>>,
    /// Whether the partner's staff must use a second factor.
    pub second_factor_required: Option<bool>,
    /// The partner's own e-mail domains, the whole list.
    pub email_domains: Option<Vec<String>>,
    /// The service centre's hours and the escalation delay.
    pub service_centre: Option<ServiceCentreTerms>,
}

impl ContractChange {
    /// The terms after the change, over the contract as it stands.
    pub(crate) fn over(self, current: &ConventionRow) -> Result<ContractTerms> {
        Ok(ContractTerms {
            management_mode: match self.management_mode {
                Some(m) => m,
                None => current.management_mode()?,
            },
            password_policy: match self.password_policy {
                Some(p) => p,
                None => current.password_policy()?,
            },
            contacts: match self.contacts {
                Some(c) => c,
                None => current.contacts()?,
            },
            second_factor_required: self
                .second_factor_required
                .unwrap_or(current.second_factor_required),
            email_domains: match self.email_domains {
                Some(d) => d,
                None => current.email_domains()?.domains().to_vec(),
            },
            service_centre: match self.service_centre {
                Some(s) => s,
                None => current.service_centre()?,
            },
        })
    }
}

/// The terms of a service contract, checked.
#[derive(Debug, Clone)]
pub struct CheckedTerms {
    /// Management mode.
    pub management_mode: ManagementMode,
    /// Password policy.
    pub password_policy: PasswordPolicy,
    /// Annex-1 contacts.
    pub contacts: Vec<Contact>,
    /// Whether the partner's staff must use a second factor.
    pub second_factor_required: bool,
    /// The partner's own e-mail domains.
    pub email_domains: EmailDomains,
    /// The service centre's hours and the escalation delay.
    pub service_centre: ServiceCentreTerms,
}

impl ContractTerms {
    pub(crate) fn check(self) -> Result<CheckedTerms, DomainError> {
        let mut c = mcp_domain::error::Checks::new();
        let policy = c.take(self.password_policy.check("password_policy"));
        let contacts = c.take(check_contacts("contacts", self.contacts));
        let domains = c.take(EmailDomains::check("email_domains", self.email_domains));
        let centre = c.take(self.service_centre.check("service_centre"));
        c.finish()?;
        Ok(CheckedTerms {
            management_mode: self.management_mode,
            password_policy: policy.expect("checked"),
            contacts: contacts.expect("checked"),
            second_factor_required: self.second_factor_required,
            email_domains: domains.expect("checked"),
            service_centre: centre.expect("checked"),
        })
    }
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("plain data serialises")
}

pub(crate) fn replace_missions(
    conn: &mut DbConnection,
    convention_id: Id<ConventionId>,
    labels: &[String],
    version: i32,
    now: NaiveDateTime,
) -> Result<()> {
    let current = current_missions(conn, convention_id)?;
    for m in &current {
        if !labels
            .iter()
            .any(|l| l.to_lowercase() == m.label.to_lowercase())
        {
            diesel::update(convention_missions::table.find(&m.id))
                .set(convention_missions::withdrawn_in_version.eq(Some(version)))
                .execute(conn)?;
        }
    }
    for (i, label) in labels.iter().enumerate() {
        let position = i as i32 + 1;
        match current
            .iter()
            .find(|m| m.label.to_lowercase() == label.to_lowercase())
        {
            Some(m) => {
                diesel::update(convention_missions::table.find(&m.id))
                    .set((
                        convention_missions::position.eq(position),
                        convention_missions::label.eq(label),
                    ))
                    .execute(conn)?;
            }
            None => {
                diesel::insert_into(convention_missions::table)
                    .values((
                        convention_missions::id.eq(crate::new_id()),
                        convention_missions::convention_id.eq(convention_id),
                        convention_missions::position.eq(position),
                        convention_missions::label.eq(label),
                        convention_missions::created_at.eq(now),
                    ))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

pub(crate) fn current_missions(
    conn: &mut DbConnection,
    convention_id: Id<ConventionId>,
) -> Result<Vec<Mission>> {
    Ok(convention_missions::table
        .filter(convention_missions::convention_id.eq(convention_id))
        .filter(convention_missions::withdrawn_in_version.is_null())
        .order(convention_missions::position.asc())
        .select(Mission::as_select())
        .load(conn)?)
}

pub(crate) fn load(conn: &mut DbConnection, id: Id<ConventionId>) -> Result<Convention> {
    let row: ConventionRow = conventions::table
        .find(id)
        .select(ConventionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))?;
    let missions = current_missions(conn, id)?;
    Ok(Convention {
        life: row.life()?,
        row,
        missions,
    })
}

/// Loads a convention for a check made on the system's behalf (the caller's reach was checked
/// on the object that leads to it).
pub(crate) fn load_for_system(conn: &mut DbConnection, id: Id<ConventionId>) -> Result<Convention> {
    load(conn, id)
}

/// Loads a convention and checks the caller may use `function` on it.
pub(crate) fn load_for(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: ConventionId,
    function: Function,
) -> Result<Convention> {
    let conv = load(conn, Id(id))?;
    authorize(
        ctx.principal(),
        function,
        Reach::Partner {
            caf_id: conv.row.caf_uuid()?.into(),
            partner_id: conv.row.partner_id.get(),
        },
    )?;
    Ok(conv)
}

/// Changes to the convention itself.
#[derive(Debug, Clone, Default)]
pub struct ConventionChange {
    /// New Caf signatory.
    pub caf_signatory: Option<String>,
    /// New partner signatory.
    pub partner_signatory: Option<String>,
    /// New list of missions.
    pub missions: Option<Vec<String>>,
}

/// The e-mail domains the partner's contract in force on `today` lists for its staff (none when
/// no contract is in force, or it lists none: any address).
pub(crate) fn email_domains_in_force(
    conn: &mut DbConnection,
    partner_id: Id<PartnerId>,
    today: chrono::NaiveDate,
) -> Result<EmailDomains> {
    Ok(match row_in_force(conn, partner_id, today)? {
        Some(r) => r.email_domains()?,
        None => EmailDomains::default(),
    })
}

/// The partner's convention whose contract is in force on `today`, if any
/// (`contract::in_force`).
pub(crate) fn row_in_force(
    conn: &mut DbConnection,
    partner_id: Id<PartnerId>,
    today: chrono::NaiveDate,
) -> Result<Option<ConventionRow>> {
    let rows: Vec<ConventionRow> = conventions::table
        .filter(conventions::partner_id.eq(partner_id))
        .select(ConventionRow::as_select())
        .load(conn)?;
    let contracts = rows
        .into_iter()
        .map(|r| Ok((r.life()?, r)))
        .collect::<Result<Vec<_>>>()?;
    Ok(mcp_domain::contract::in_force(&contracts, today).cloned())
}

/// The number of the convention a mission belongs to.
pub(crate) fn number_of_mission(conn: &mut DbConnection, mission_id: MissionId) -> Result<String> {
    Ok(convention_missions::table
        .inner_join(conventions::table.on(conventions::id.eq(convention_missions::convention_id)))
        .filter(convention_missions::id.eq(mission_id.to_string()))
        .select(conventions::number)
        .first(conn)?)
}

/// The mode a partner is managed in today: its contract's, or centralisé while the Caf has
/// taken management back (`ManagementMode::effective`).
pub(crate) fn management_mode(
    conn: &mut DbConnection,
    partner_id: Id<PartnerId>,
    today: NaiveDate,
) -> Result<ManagementMode> {
    let taken_over = crate::schema::partners::table
        .find(partner_id)
        .select(crate::schema::partners::management_taken_over_at)
        .first::<Option<chrono::NaiveDateTime>>(conn)
        .optional()?
        .flatten()
        .is_some();
    Ok(ManagementMode::effective(
        contract_mode(conn, partner_id, today)?,
        taken_over,
    ))
}

/// The management mode the partner's contract says: that of its convention opening access
/// today, else of its latest convention not terminated, else délégué.
fn contract_mode(
    conn: &mut DbConnection,
    partner_id: Id<PartnerId>,
    today: NaiveDate,
) -> Result<ManagementMode> {
    let ids: Vec<Id<ConventionId>> = conventions::table
        .filter(conventions::partner_id.eq(partner_id))
        .order(conventions::id.desc())
        .select(conventions::id)
        .load(conn)?;
    let mut fallback = None;
    for id in ids {
        let c = crate::store::conventions::load_for_system(conn, id)?;
        if c.life.access_open(today) {
            return c.row.management_mode();
        }
        if fallback.is_none()
            && c.life.status(today) != mcp_domain::convention::ConventionStatus::Terminated
        {
            fallback = Some(c.row.management_mode()?);
        }
    }
    Ok(fallback.unwrap_or_default())
}

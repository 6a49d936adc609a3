//! Reverse reviews of habilitations (revue inverse, S-art. 2.2.2): a campaign per partner and
//! year, opened by the Caf or by the schedule, listing the habilitations in force at opening; the
//! partner's principal administrator confirms or removes each (a removal devalidates at once),
//! then completes it into a report whose digest is kept, delivered to the Caf. And the annual
//! review of a partner's convention (bilan, C-art. 16), from durable figures only.

use mcp_domain::ids::{
    AccountId, CafId, CampaignId, ConventionId, HabilitationId, MissionId, PartnerId, ProfileId,
    ReviewItemId, SuspensionId,
};
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};
use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::access::{Reach, Role};
use mcp_domain::habilitation::HabilitationStatus;
use mcp_domain::review::{
    authorize_decision, is_overdue, CampaignStatus, ItemState, ReportPerson, ReviewReport,
};
use mcp_domain::DomainError;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::{
    accounts, caf_suspensions, convention_missions, conventions, habilitations,
    partners as partners_t, review_campaigns, review_items,
};
use crate::store::conventions::ConventionRow;
use crate::store::habilitations::{self as habs, Habilitation, HabilitationView, Question};
use crate::store::partners::{AdministratorRank, Partner};
use crate::store::quotas::QuotaLine;
use crate::store::trace::{self, Event, Outcome};

/// A campaign as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = review_campaigns)]
pub struct Campaign {
    /// Opaque id.
    pub id: Id<CampaignId>,
    /// The Caf.
    pub caf_id: Id<CafId>,
    /// The partner.
    pub partner_id: Id<PartnerId>,
    /// The convention opening access when the campaign opened.
    pub convention_id: Id<ConventionId>,
    /// The year reviewed.
    pub year: i32,
    /// `open` or `completed`.
    pub status: String,
    /// When it opened.
    pub opened_at: NaiveDateTime,
    /// Who opened it; `None` when the schedule did.
    pub opened_by: Option<Id<AccountId>>,
    /// The day it is due.
    pub due_on: NaiveDate,
    /// When the Caf was told it is overdue.
    pub overdue_notified_at: Option<NaiveDateTime>,
    /// When it was completed.
    pub completed_at: Option<NaiveDateTime>,
    /// Who completed it.
    pub completed_by: Option<Id<AccountId>>,
    /// The report, canonical JSON.
    pub report: Option<String>,
    /// SHA-256 of the report, hex.
    pub report_digest: Option<String>,
    /// Last change.
    pub updated_at: NaiveDateTime,
}

impl Campaign {
    /// Its status.
    pub fn status(&self) -> Result<CampaignStatus> {
        CampaignStatus::from_code(&self.status).ok_or_else(|| Error::Corrupt(self.status.clone()))
    }

    pub(crate) fn reach(&self) -> Result<Reach> {
        Ok(Reach::Partner {
            caf_id: self.caf_id.get(),
            partner_id: self.partner_id.get(),
        })
    }
}

/// An item of a campaign as stored: the habilitation as it stood at opening, and the decision.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = review_items)]
pub struct ItemRow {
    /// Opaque id.
    pub id: Id<ReviewItemId>,
    /// The campaign.
    pub campaign_id: Id<CampaignId>,
    /// The habilitation reviewed.
    pub habilitation_id: Id<HabilitationId>,
    /// `account` or `group`.
    pub holder_kind: String,
    /// The holder.
    pub holder_id: String,
    /// The holder's name at opening.
    pub holder_name: String,
    /// The profile.
    pub profile_id: Id<ProfileId>,
    /// Its code.
    pub profile_code: String,
    /// The mission served.
    pub mission_id: Id<MissionId>,
    /// Its label.
    pub mission_label: String,
    /// When the habilitation was granted.
    pub granted_at: NaiveDateTime,
    /// Last day of a temporary mission.
    pub ends_on: Option<NaiveDate>,
    /// `active` or `suspended` at opening.
    pub status_at_opening: String,
    /// `pending`, `confirmed`, `removed` or `ended`.
    pub decision: String,
    /// Who decided.
    pub decided_by: Option<Id<AccountId>>,
    /// When.
    pub decided_at: Option<NaiveDateTime>,
    /// The removal's reason or the confirmation's comment.
    pub reason: Option<String>,
}

/// How a campaign's items stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Every item.
    pub items: usize,
    /// Awaiting a decision.
    pub pending: usize,
    /// Confirmed.
    pub confirmed: usize,
    /// Removed.
    pub removed: usize,
    /// Ended otherwise.
    pub ended: usize,
}

impl Counts {
    pub(crate) fn add(&mut self, state: ItemState) {
        self.items += 1;
        match state {
            ItemState::Pending => self.pending += 1,
            ItemState::Confirmed => self.confirmed += 1,
            ItemState::Removed => self.removed += 1,
            ItemState::Ended => self.ended += 1,
        }
    }
}

/// A campaign with what people read about it.
#[derive(Debug, Clone)]
pub struct CampaignView {
    /// The campaign.
    pub campaign: Campaign,
    /// The partner's name.
    pub partner_name: String,
    /// The convention's number.
    pub convention_number: String,
    /// Still open after its due day, on the day of the request.
    pub overdue: bool,
    /// How its items stand.
    pub counts: Counts,
}

/// An item with its state now.
#[derive(Debug, Clone)]
pub struct ItemView {
    /// The item.
    pub item: ItemRow,
    /// Its state: an undecided item whose habilitation ended is `ended`.
    pub state: ItemState,
    /// The habilitation's status now.
    pub habilitation_status: String,
    /// Its last consultation.
    pub last_used_at: Option<NaiveDateTime>,
    /// When it was devalidated, if it was.
    pub devalidated_at: Option<NaiveDateTime>,
    /// The decider's name.
    pub decided_by_name: Option<String>,
}

pub(crate) fn load_campaign(conn: &mut DbConnection, id: CampaignId) -> Result<Campaign> {
    review_campaigns::table
        .find(id.to_string())
        .select(Campaign::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))
}

/// Loads a campaign to change it, after writing its row: on PostgreSQL the row lock makes a
/// decision and the completion (or two completions) wait for each other, so nothing is decided
/// after the report was written; SQLite has one writer anyway.
pub(crate) fn load_campaign_to_change(conn: &mut DbConnection, id: CampaignId) -> Result<Campaign> {
    diesel::update(review_campaigns::table.find(id.to_string()))
        .set(review_campaigns::updated_at.eq(review_campaigns::updated_at))
        .execute(conn)?;
    load_campaign(conn, id)
}

pub(crate) fn campaign_of(
    conn: &mut DbConnection,
    partner_id: Id<PartnerId>,
    year: i32,
) -> Result<Option<Campaign>> {
    Ok(review_campaigns::table
        .filter(review_campaigns::partner_id.eq(partner_id))
        .filter(review_campaigns::year.eq(year))
        .select(Campaign::as_select())
        .first(conn)
        .optional()?)
}

/// The partner's convention opening access today, the latest if several.
pub(crate) fn active_convention(
    conn: &mut DbConnection,
    partner_id: Id<PartnerId>,
    today: NaiveDate,
) -> Result<Option<ConventionRow>> {
    let ids: Vec<Id<ConventionId>> = conventions::table
        .filter(conventions::partner_id.eq(partner_id))
        .order(conventions::id.desc())
        .select(conventions::id)
        .load(conn)?;
    for id in ids {
        let c = crate::store::conventions::load_for_system(conn, id)?;
        if c.life.access_open(today) {
            return Ok(Some(c.row));
        }
    }
    Ok(None)
}

/// The addresses of a Caf's active administrators.
pub(crate) fn caf_administrators(
    conn: &mut DbConnection,
    caf_id: Id<CafId>,
) -> Result<Vec<String>> {
    Ok(accounts::table
        .filter(accounts::caf_id.eq(caf_id))
        .filter(accounts::role.eq(Role::CafAdministrator.code()))
        .filter(accounts::status.eq(AccountStatus::Active.code()))
        .order(accounts::id.asc())
        .select(accounts::email)
        .load(conn)?)
}

/// Messages every active administrator of the Caf.
pub(crate) fn notify_caf(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    caf_id: Id<CafId>,
    subject: &str,
    body: &str,
) -> Result<usize> {
    let to = caf_administrators(conn, caf_id)?;
    crate::store::outbox::enqueue_to_each(conn, now, &to, subject, body)
}

/// Opens a campaign for `partner` inside the caller's transaction: one item per habilitation in
/// force (active or suspended), with the names as they stand; traced, and the partner's
/// principal administrator told.
pub(crate) fn open_in(
    conn: &mut DbConnection,
    ctx: &Ctx,
    partner: &Partner,
    convention: &ConventionRow,
    year: i32,
    due_on: NaiveDate,
) -> Result<Campaign> {
    let c = Campaign {
        id: Id::new(),
        caf_id: partner.caf_id,
        partner_id: partner.id,
        convention_id: convention.id,
        year,
        status: CampaignStatus::Open.code().into(),
        opened_at: ctx.now,
        opened_by: ctx.principal.as_ref().map(|p| Id(p.account_id)),
        due_on,
        overdue_notified_at: None,
        completed_at: None,
        completed_by: None,
        report: None,
        report_digest: None,
        updated_at: ctx.now,
    };
    diesel::insert_into(review_campaigns::table)
        .values((
            review_campaigns::id.eq(&c.id),
            review_campaigns::caf_id.eq(&c.caf_id),
            review_campaigns::partner_id.eq(&c.partner_id),
            review_campaigns::convention_id.eq(&c.convention_id),
            review_campaigns::year.eq(c.year),
            review_campaigns::status.eq(&c.status),
            review_campaigns::opened_at.eq(c.opened_at),
            review_campaigns::opened_by.eq(&c.opened_by),
            review_campaigns::due_on.eq(c.due_on),
            review_campaigns::updated_at.eq(c.updated_at),
        ))
        .execute(conn)?;
    let live: Vec<Habilitation> = habilitations::table
        .filter(habilitations::partner_id.eq(&partner.id))
        .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
        .order(habilitations::id.asc())
        .select(Habilitation::as_select())
        .load(conn)?;
    let count = live.len();
    for h in live {
        let mission_label: String = convention_missions::table
            .find(&h.mission_id)
            .select(convention_missions::label)
            .first(conn)?;
        let v = habs::view(conn, h)?;
        let h = v.habilitation;
        diesel::insert_into(review_items::table)
            .values((
                review_items::id.eq(crate::new_id()),
                review_items::campaign_id.eq(&c.id),
                review_items::habilitation_id.eq(&h.id),
                review_items::holder_kind.eq(&h.holder_kind),
                review_items::holder_id.eq(&h.holder_id),
                review_items::holder_name.eq(&v.holder_name),
                review_items::profile_id.eq(&h.profile_id),
                review_items::profile_code.eq(&v.profile_code),
                review_items::mission_id.eq(&h.mission_id),
                review_items::mission_label.eq(&mission_label),
                review_items::granted_at.eq(h.granted_at),
                review_items::ends_on.eq(h.ends_on),
                review_items::status_at_opening.eq(&h.status),
                review_items::decision.eq(ItemState::Pending.code()),
            ))
            .execute(conn)?;
    }
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: Some(c.partner_id.get()),
            action: TraceAction::ReviewCampaignOpened,
            target_type: TargetType::ReviewCampaign,
            target_id: Some(c.id.get().uuid()),
            caf_id: Some(c.caf_id.get()),
            outcome: Outcome::Success,
            detail: json!({
                "partner_id": c.partner_id, "convention_id": c.convention_id, "year": year,
                "due_on": due_on, "items": count,
                "by": if c.opened_by.is_some() { "caf" } else { "schedule" },
            }),
        },
    )?;
    let principal: Option<String> = accounts::table
        .filter(accounts::partner_id.eq(&partner.id))
        .filter(accounts::administrator_rank.eq(AdministratorRank::Principal.code()))
        .filter(accounts::status.ne(AccountStatus::Disabled.code()))
        .select(accounts::email)
        .first(conn)
        .optional()?;
    if let Some(email) = principal {
        crate::store::outbox::enqueue(
            conn,
            ctx.now,
            &email,
            &format!("Mon Compte Partenaire : revue inverse {year} de vos habilitations"),
            &format!(
                "Bonjour,\n\nLa revue inverse {year} des habilitations de {name} est ouverte : \
                 {count} habilitation(s) à confirmer ou à retirer, au plus tard le {due}.\n\
                 Le rapport est transmis à votre Caf quand la revue est terminée.\n\n\
                 Consultez-la : GET /api/v1/review-campaigns/{id}\n",
                name = partner.name,
                due = due_on.format("%d/%m/%Y"),
                id = c.id,
            ),
        )?;
    }
    Ok(c)
}

/// Runs a write that may meet a concurrent opening of the same partner-year: the unique index
/// refuses the second insert, and the retry then finds the campaign as existing.
pub(crate) fn retrying<T>(mut f: impl FnMut() -> Result<T>) -> Result<T> {
    let mut attempts = 0;
    loop {
        match f() {
            Err(Error::Database(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            ))) if attempts < 3 => attempts += 1,
            other => return other,
        }
    }
}

pub(crate) fn views(
    conn: &mut DbConnection,
    campaigns: Vec<Campaign>,
    today: NaiveDate,
) -> Result<Vec<CampaignView>> {
    if campaigns.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<Id<CampaignId>> = campaigns.iter().map(|c| c.id).collect();
    let states: Vec<(Id<CampaignId>, String, String)> = review_items::table
        .inner_join(habilitations::table)
        .filter(review_items::campaign_id.eq_any(&ids))
        .select((
            review_items::campaign_id,
            review_items::decision,
            habilitations::status,
        ))
        .load(conn)?;
    let mut counts: BTreeMap<Id<CampaignId>, Counts> = BTreeMap::new();
    for (campaign, decision, status) in states {
        let state = item_state(&decision, &status)?;
        counts.entry(campaign).or_default().add(state);
    }
    let partner_ids: BTreeSet<Id<PartnerId>> = campaigns.iter().map(|c| c.partner_id).collect();
    let names: BTreeMap<Id<PartnerId>, String> = partners_t::table
        .filter(partners_t::id.eq_any(partner_ids))
        .select((partners_t::id, partners_t::name))
        .load::<(Id<PartnerId>, String)>(conn)?
        .into_iter()
        .collect();
    let convention_ids: BTreeSet<Id<ConventionId>> =
        campaigns.iter().map(|c| c.convention_id).collect();
    let numbers: BTreeMap<Id<ConventionId>, String> = conventions::table
        .filter(conventions::id.eq_any(convention_ids))
        .select((conventions::id, conventions::number))
        .load::<(Id<ConventionId>, String)>(conn)?
        .into_iter()
        .collect();
    campaigns
        .into_iter()
        .map(|c| {
            Ok(CampaignView {
                overdue: is_overdue(c.status()?, c.due_on, today),
                counts: counts.get(&c.id).copied().unwrap_or_default(),
                partner_name: names.get(&c.partner_id).cloned().unwrap_or_default(),
                convention_number: numbers.get(&c.convention_id).cloned().unwrap_or_default(),
                campaign: c,
            })
        })
        .collect()
}

pub(crate) fn view(conn: &mut DbConnection, c: Campaign, today: NaiveDate) -> Result<CampaignView> {
    Ok(views(conn, vec![c], today)?
        .pop()
        .expect("one view per campaign"))
}

pub(crate) fn item_state(decision: &str, habilitation_status: &str) -> Result<ItemState> {
    let decision =
        ItemState::from_code(decision).ok_or_else(|| Error::Corrupt(decision.to_string()))?;
    let status = HabilitationStatus::from_code(habilitation_status)
        .ok_or_else(|| Error::Corrupt(habilitation_status.to_string()))?;
    Ok(decision.shown(status))
}

pub(crate) fn item_views(
    conn: &mut DbConnection,
    campaign_id: Id<CampaignId>,
) -> Result<Vec<ItemView>> {
    let rows: Vec<(ItemRow, Habilitation)> = review_items::table
        .inner_join(habilitations::table)
        .filter(review_items::campaign_id.eq(campaign_id))
        .order(review_items::id.asc())
        .select((ItemRow::as_select(), Habilitation::as_select()))
        .load(conn)?;
    let deciders: BTreeSet<Id<AccountId>> = rows.iter().filter_map(|(i, _)| i.decided_by).collect();
    let names: BTreeMap<Id<AccountId>, String> = accounts::table
        .filter(accounts::id.eq_any(deciders))
        .select((accounts::id, accounts::full_name))
        .load::<(Id<AccountId>, String)>(conn)?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|(item, h)| {
            Ok(ItemView {
                state: item_state(&item.decision, &h.status)?,
                decided_by_name: item.decided_by.as_ref().and_then(|d| names.get(d).cloned()),
                habilitation_status: h.status,
                last_used_at: h.last_used_at,
                devalidated_at: h.devalidated_at,
                item,
            })
        })
        .collect()
}

/// What opening a year's campaigns did.
#[derive(Debug, Clone, Default)]
pub struct Opening {
    /// The campaigns opened now.
    pub opened: Vec<CampaignView>,
    /// The campaigns that already existed for that year.
    pub existing: Vec<CampaignView>,
    /// The partners without a convention opening access today: no campaign for them.
    pub skipped_partners: Vec<Id<PartnerId>>,
}

/// What one run of the schedule did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScheduleRun {
    /// Campaigns opened.
    pub opened: usize,
    /// Overdue campaigns the Caf was told of.
    pub overdue_notified: usize,
}

/// Filters of a Caf's campaigns.
#[derive(Debug, Clone, Copy, Default)]
pub struct CampaignFilter {
    /// Only this year.
    pub year: Option<i32>,
    /// Only those overdue (or, with `false`, not overdue) on the day of the request.
    pub overdue: Option<bool>,
}

/// Checks that the caller is the principal administrator of the campaign's partner.
pub(crate) fn check_decider(conn: &mut DbConnection, ctx: &Ctx, c: &Campaign) -> Result<()> {
    let rank: Option<String> = accounts::table
        .find(ctx.principal().account_id.to_string())
        .select(accounts::administrator_rank)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten();
    authorize_decision(
        ctx.principal(),
        c.reach()?,
        rank.as_deref() == Some(AdministratorRank::Principal.code()),
    )?;
    Ok(())
}

pub(crate) fn person(conn: &mut DbConnection, account_id: Id<AccountId>) -> Result<ReportPerson> {
    let full_name: String = accounts::table
        .find(account_id)
        .select(accounts::full_name)
        .first(conn)?;
    Ok(ReportPerson {
        account_id: account_id.to_string(),
        full_name,
    })
}

/// SHA-256 of a report's canonical JSON, hex.
pub fn digest_of(canonical: &str) -> String {
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// A completed campaign's report, as stored.
#[derive(Debug, Clone)]
pub struct StoredReport {
    /// The report.
    pub report: ReviewReport,
    /// Its canonical JSON, as hashed.
    pub canonical: String,
    /// SHA-256 of the canonical JSON, hex.
    pub digest: String,
}

/// Consultations counted for one mission of one profile.
#[derive(Debug, Clone)]
pub struct MissionConsultations {
    /// The mission.
    pub mission_id: Id<MissionId>,
    /// Its label.
    pub mission_label: String,
    /// Over the year.
    pub consultations: i64,
    /// Month (`YYYY-MM`) by month, months without any left out.
    pub by_month: Vec<(String, i64)>,
}

/// Consultations counted for one profile.
#[derive(Debug, Clone)]
pub struct ProfileConsultations {
    /// The profile.
    pub profile_id: Id<ProfileId>,
    /// Its code.
    pub profile_code: String,
    /// Over the year.
    pub consultations: i64,
    /// By mission.
    pub missions: Vec<MissionConsultations>,
}

/// A precautionary suspension by the Caf (S-art. 2.2.1), as kept.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = caf_suspensions)]
pub struct CafSuspension {
    /// Opaque id.
    pub id: Id<SuspensionId>,
    /// The habilitation.
    pub habilitation_id: Id<HabilitationId>,
    /// The Caf.
    pub caf_id: Id<CafId>,
    /// The partner.
    pub partner_id: Id<PartnerId>,
    /// Why.
    pub reason: String,
    /// Who suspended (unknown for suspensions made before they were kept here).
    pub suspended_by: Option<Id<AccountId>>,
    /// When.
    pub suspended_at: NaiveDateTime,
    /// Who lifted it.
    pub lifted_by: Option<Id<AccountId>>,
    /// When.
    pub lifted_at: Option<NaiveDateTime>,
    /// Why.
    pub lift_reason: Option<String>,
}

/// The annual review of a partner (bilan, C-art. 16): is access correctly assigned and used?
#[derive(Debug, Clone)]
pub struct AnnualReview {
    /// The partner.
    pub partner: Partner,
    /// The year.
    pub year: i32,
    /// Per profile, the people habilitated now against the quota.
    pub quotas: Vec<QuotaLine>,
    /// Consultations over the year, per profile and mission.
    pub consultations: Vec<ProfileConsultations>,
    /// Habilitations in force at some moment of the year that were never used.
    pub never_used: Vec<HabilitationView>,
    /// The Caf's questions asked during the year about the partner's habilitations.
    pub questions: Vec<Question>,
    /// The Caf's precautionary suspensions made during the year.
    pub caf_suspensions: Vec<CafSuspension>,
    /// The year's reverse review, if opened.
    pub campaign: Option<CampaignView>,
}

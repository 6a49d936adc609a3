//! Reverse reviews of habilitations (revue inverse, S-art. 2.2.2): a campaign per partner and
//! year, opened by the Caf or by the schedule, listing the habilitations in force at opening; the
//! partner's principal administrator confirms or removes each (a removal devalidates at once),
//! then completes it into a report whose digest is kept, delivered to the Caf. And the annual
//! review of a partner's convention (bilan, C-art. 16), from durable figures only.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach, Role};
use mcp_domain::habilitation::HabilitationStatus;
use mcp_domain::review::{
    authorize_decision, check_completion, check_decision, check_opening, held_during, is_overdue,
    month_keys_of, scheduled_due_on, timestamp, year_range, CampaignStatus, ItemState, ReportCaf,
    ReportConvention, ReportHeader, ReportHolder, ReportItem, ReportPartner, ReportPerson,
    ReviewReport, Verdict,
};
use mcp_domain::DomainError;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::conventions::ConventionRow;
use crate::ctx::Ctx;
use crate::db::{Database, DbConnection};
use crate::error::{Error, Result};
use crate::habilitations::{self as habs, Habilitation, HabilitationView, Question, QuotaLine};
use crate::page::{Page, PageRequest};
use crate::partners::{self, AdministratorRank, Partner};
use crate::schema::{
    accounts, caf_suspensions, cafs, consultation_counts, convention_missions, conventions,
    habilitation_questions, habilitations, partners as partners_t, profiles, review_campaigns,
    review_items,
};
use crate::trace::{self, Event, Outcome};

/// A campaign as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = review_campaigns)]
pub struct Campaign {
    /// Opaque id.
    pub id: String,
    /// The Caf.
    pub caf_id: String,
    /// The partner.
    pub partner_id: String,
    /// The convention opening access when the campaign opened.
    pub convention_id: String,
    /// The year reviewed.
    pub year: i32,
    /// `open` or `completed`.
    pub status: String,
    /// When it opened.
    pub opened_at: NaiveDateTime,
    /// Who opened it; `None` when the schedule did.
    pub opened_by: Option<String>,
    /// The day it is due.
    pub due_on: NaiveDate,
    /// When the Caf was told it is overdue.
    pub overdue_notified_at: Option<NaiveDateTime>,
    /// When it was completed.
    pub completed_at: Option<NaiveDateTime>,
    /// Who completed it.
    pub completed_by: Option<String>,
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

    fn reach(&self) -> Result<Reach> {
        Ok(Reach::Partner {
            caf_id: crate::uuid(&self.caf_id)?,
            partner_id: crate::uuid(&self.partner_id)?,
        })
    }
}

/// An item of a campaign as stored: the habilitation as it stood at opening, and the decision.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = review_items)]
pub struct ItemRow {
    /// Opaque id.
    pub id: String,
    /// The campaign.
    pub campaign_id: String,
    /// The habilitation reviewed.
    pub habilitation_id: String,
    /// `account` or `group`.
    pub holder_kind: String,
    /// The holder.
    pub holder_id: String,
    /// The holder's name at opening.
    pub holder_name: String,
    /// The profile.
    pub profile_id: String,
    /// Its code.
    pub profile_code: String,
    /// The mission served.
    pub mission_id: String,
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
    pub decided_by: Option<String>,
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
    fn add(&mut self, state: ItemState) {
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

fn load_campaign(conn: &mut DbConnection, id: Uuid) -> Result<Campaign> {
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
fn load_campaign_to_change(conn: &mut DbConnection, id: Uuid) -> Result<Campaign> {
    diesel::update(review_campaigns::table.find(id.to_string()))
        .set(review_campaigns::updated_at.eq(review_campaigns::updated_at))
        .execute(conn)?;
    load_campaign(conn, id)
}

fn campaign_of(conn: &mut DbConnection, partner_id: &str, year: i32) -> Result<Option<Campaign>> {
    Ok(review_campaigns::table
        .filter(review_campaigns::partner_id.eq(partner_id))
        .filter(review_campaigns::year.eq(year))
        .select(Campaign::as_select())
        .first(conn)
        .optional()?)
}

/// The partner's convention opening access today, the latest if several.
fn active_convention(
    conn: &mut DbConnection,
    partner_id: &str,
    today: NaiveDate,
) -> Result<Option<ConventionRow>> {
    let ids: Vec<String> = conventions::table
        .filter(conventions::partner_id.eq(partner_id))
        .order(conventions::id.desc())
        .select(conventions::id)
        .load(conn)?;
    for id in ids {
        let c = crate::conventions::load_for_system(conn, &id)?;
        if c.life.access_open(today) {
            return Ok(Some(c.row));
        }
    }
    Ok(None)
}

/// The addresses of a Caf's active administrators.
fn caf_administrators(conn: &mut DbConnection, caf_id: &str) -> Result<Vec<String>> {
    Ok(accounts::table
        .filter(accounts::caf_id.eq(caf_id))
        .filter(accounts::role.eq(Role::CafAdministrator.code()))
        .filter(accounts::status.eq("active"))
        .order(accounts::id.asc())
        .select(accounts::email)
        .load(conn)?)
}

/// Messages every active administrator of the Caf.
fn notify_caf(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    caf_id: &str,
    subject: &str,
    body: &str,
) -> Result<usize> {
    let to = caf_administrators(conn, caf_id)?;
    for email in &to {
        crate::outbox::enqueue(conn, now, email, subject, body)?;
    }
    Ok(to.len())
}

/// Opens a campaign for `partner` inside the caller's transaction: one item per habilitation in
/// force (active or suspended), with the names as they stand; traced, and the partner's
/// principal administrator told.
fn open_in(
    conn: &mut DbConnection,
    ctx: &Ctx,
    partner: &Partner,
    convention: &ConventionRow,
    year: i32,
    due_on: NaiveDate,
) -> Result<Campaign> {
    let c = Campaign {
        id: crate::new_id(),
        caf_id: partner.caf_id.clone(),
        partner_id: partner.id.clone(),
        convention_id: convention.id.clone(),
        year,
        status: CampaignStatus::Open.code().into(),
        opened_at: ctx.now,
        opened_by: ctx.principal.as_ref().map(|p| p.account_id.to_string()),
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
            partner_id: Some(crate::uuid(&c.partner_id)?),
            action: "review_campaign.opened",
            target_type: "review_campaign",
            target_id: Some(crate::uuid(&c.id)?),
            caf_id: Some(crate::uuid(&c.caf_id)?),
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
        .filter(accounts::status.ne("disabled"))
        .select(accounts::email)
        .first(conn)
        .optional()?;
    if let Some(email) = principal {
        crate::outbox::enqueue(
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
fn retrying<T>(mut f: impl FnMut() -> Result<T>) -> Result<T> {
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

fn views(
    conn: &mut DbConnection,
    campaigns: Vec<Campaign>,
    today: NaiveDate,
) -> Result<Vec<CampaignView>> {
    if campaigns.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<&String> = campaigns.iter().map(|c| &c.id).collect();
    let states: Vec<(String, String, String)> = review_items::table
        .inner_join(habilitations::table)
        .filter(review_items::campaign_id.eq_any(&ids))
        .select((
            review_items::campaign_id,
            review_items::decision,
            habilitations::status,
        ))
        .load(conn)?;
    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    for (campaign, decision, status) in states {
        let state = item_state(&decision, &status)?;
        counts.entry(campaign).or_default().add(state);
    }
    let partner_ids: BTreeSet<&String> = campaigns.iter().map(|c| &c.partner_id).collect();
    let names: BTreeMap<String, String> = partners_t::table
        .filter(partners_t::id.eq_any(partner_ids))
        .select((partners_t::id, partners_t::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let convention_ids: BTreeSet<&String> = campaigns.iter().map(|c| &c.convention_id).collect();
    let numbers: BTreeMap<String, String> = conventions::table
        .filter(conventions::id.eq_any(convention_ids))
        .select((conventions::id, conventions::number))
        .load::<(String, String)>(conn)?
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

fn view(conn: &mut DbConnection, c: Campaign, today: NaiveDate) -> Result<CampaignView> {
    Ok(views(conn, vec![c], today)?
        .pop()
        .expect("one view per campaign"))
}

fn item_state(decision: &str, habilitation_status: &str) -> Result<ItemState> {
    let decision =
        ItemState::from_code(decision).ok_or_else(|| Error::Corrupt(decision.to_string()))?;
    let status = HabilitationStatus::from_code(habilitation_status)
        .ok_or_else(|| Error::Corrupt(habilitation_status.to_string()))?;
    Ok(decision.shown(status))
}

fn item_views(conn: &mut DbConnection, campaign_id: &str) -> Result<Vec<ItemView>> {
    let rows: Vec<(ItemRow, Habilitation)> = review_items::table
        .inner_join(habilitations::table)
        .filter(review_items::campaign_id.eq(campaign_id))
        .order(review_items::id.asc())
        .select((ItemRow::as_select(), Habilitation::as_select()))
        .load(conn)?;
    let deciders: BTreeSet<&String> = rows
        .iter()
        .filter_map(|(i, _)| i.decided_by.as_ref())
        .collect();
    let names: BTreeMap<String, String> = accounts::table
        .filter(accounts::id.eq_any(deciders))
        .select((accounts::id, accounts::full_name))
        .load::<(String, String)>(conn)?
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
    pub skipped_partners: Vec<String>,
}

/// Opens the year's campaigns for every partner of a Caf with a convention opening access (the
/// Caf's administrators). Idempotent per partner and year: what exists is returned as such.
pub fn open(
    db: &Database,
    ctx: &Ctx,
    caf_id: Uuid,
    year: i32,
    due_on: NaiveDate,
) -> Result<Opening> {
    authorize(ctx.principal(), Function::OpenReviews, Reach::Caf(caf_id))?;
    check_opening(year, due_on, ctx.today())?;
    retrying(|| {
        db.write(|conn| {
            crate::cafs::load(conn, caf_id)?;
            // In id order, as the schedule goes: two openings never wait on each other.
            let partners: Vec<Partner> = partners_t::table
                .filter(partners_t::caf_id.eq(caf_id.to_string()))
                .order(partners_t::id.asc())
                .select(Partner::as_select())
                .load(conn)?;
            let (mut opened, mut existing, mut skipped) = (vec![], vec![], vec![]);
            for p in partners {
                if let Some(c) = campaign_of(conn, &p.id, year)? {
                    existing.push(c);
                } else if let Some(conv) = active_convention(conn, &p.id, ctx.today())? {
                    opened.push(open_in(conn, ctx, &p, &conv, year, due_on)?);
                } else {
                    skipped.push(p.id);
                }
            }
            Ok(Opening {
                opened: views(conn, opened, ctx.today())?,
                existing: views(conn, existing, ctx.today())?,
                skipped_partners: skipped,
            })
        })
    })
}

/// What one run of the schedule did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScheduleRun {
    /// Campaigns opened.
    pub opened: usize,
    /// Overdue campaigns the Caf was told of.
    pub overdue_notified: usize,
}

/// The schedule, run as the service itself (traces without an actor): from 1 January, opens the
/// year's campaign of every partner with a convention opening access and none yet (due 31 March,
/// or 90 days on when opened later); and tells each Caf, once, of its campaigns gone overdue.
/// `now` is passed in so tests move the clock.
pub fn run_schedule(db: &Database, now: NaiveDateTime) -> Result<ScheduleRun> {
    let ctx = Ctx {
        principal: None,
        request_id: "review-schedule".into(),
        now,
        asked: None,
    };
    let today = now.date();
    let year = today.year();
    let due_on = scheduled_due_on(year, today);
    let mut run = ScheduleRun::default();
    let caf_ids: Vec<String> = db.read(|conn| {
        Ok(cafs::table
            .order(cafs::id.asc())
            .select(cafs::id)
            .load(conn)?)
    })?;
    for caf_id in caf_ids {
        run.opened += retrying(|| {
            db.write(|conn| {
                let reviewed: BTreeSet<String> = review_campaigns::table
                    .filter(review_campaigns::caf_id.eq(&caf_id))
                    .filter(review_campaigns::year.eq(year))
                    .select(review_campaigns::partner_id)
                    .load::<String>(conn)?
                    .into_iter()
                    .collect();
                let partners: Vec<Partner> = partners_t::table
                    .filter(partners_t::caf_id.eq(&caf_id))
                    .order(partners_t::id.asc())
                    .select(Partner::as_select())
                    .load(conn)?;
                let mut opened = 0;
                for p in partners.iter().filter(|p| !reviewed.contains(&p.id)) {
                    if let Some(conv) = active_convention(conn, &p.id, today)? {
                        open_in(conn, &ctx, p, &conv, year, due_on)?;
                        opened += 1;
                    }
                }
                Ok(opened)
            })
        })?;
    }
    run.overdue_notified = db.write(|conn| {
        let candidates: Vec<Campaign> = review_campaigns::table
            .filter(review_campaigns::status.eq(CampaignStatus::Open.code()))
            .filter(review_campaigns::due_on.lt(today))
            .filter(review_campaigns::overdue_notified_at.is_null())
            .order(review_campaigns::id.asc())
            .select(Campaign::as_select())
            .load(conn)?;
        let mut notified = 0;
        for c in candidates {
            if !is_overdue(c.status()?, c.due_on, today) {
                continue;
            }
            // Flagged first, and only if nobody did meanwhile: another instance running the
            // schedule waits on this row, then finds it flagged and sends nothing.
            let flagged = diesel::update(
                review_campaigns::table
                    .find(&c.id)
                    .filter(review_campaigns::status.eq(CampaignStatus::Open.code()))
                    .filter(review_campaigns::overdue_notified_at.is_null()),
            )
            .set((
                review_campaigns::overdue_notified_at.eq(now),
                review_campaigns::updated_at.eq(now),
            ))
            .execute(conn)?;
            if flagged == 0 {
                continue;
            }
            let v = view(conn, c, today)?;
            let c = &v.campaign;
            let told = notify_caf(
                conn,
                now,
                &c.caf_id,
                &format!(
                    "Mon Compte Partenaire : revue inverse {} de {} en retard",
                    c.year, v.partner_name
                ),
                &format!(
                    "Bonjour,\n\nLa revue inverse {year} des habilitations de {name} (convention \
                     {number}) devait être terminée le {due} : {pending} habilitation(s) sur \
                     {items} attendent encore une décision de son administrateur principal.\n\n\
                     Consultez-la : GET /api/v1/review-campaigns/{id}\n",
                    year = c.year,
                    name = v.partner_name,
                    number = v.convention_number,
                    due = c.due_on.format("%d/%m/%Y"),
                    pending = v.counts.pending,
                    items = v.counts.items,
                    id = c.id,
                ),
            )?;
            trace::record(
                conn,
                &ctx,
                Event {
                    partner_id: Some(crate::uuid(&c.partner_id)?),
                    action: "review_campaign.overdue_notified",
                    target_type: "review_campaign",
                    target_id: Some(crate::uuid(&c.id)?),
                    caf_id: Some(crate::uuid(&c.caf_id)?),
                    outcome: Outcome::Success,
                    detail: json!({
                        "partner_id": c.partner_id, "year": c.year, "due_on": c.due_on,
                        "pending": v.counts.pending, "caf_administrators_told": told,
                    }),
                },
            )?;
            notified += 1;
        }
        Ok(notified)
    })?;
    Ok(run)
}

/// Filters of a Caf's campaigns.
#[derive(Debug, Clone, Copy, Default)]
pub struct CampaignFilter {
    /// Only this year.
    pub year: Option<i32>,
    /// Only those overdue (or, with `false`, not overdue) on the day of the request.
    pub overdue: Option<bool>,
}

/// A Caf's campaigns (its administrators, the Cnaf), in opening order.
pub fn for_caf(
    db: &Database,
    ctx: &Ctx,
    caf_id: Uuid,
    filter: CampaignFilter,
    page: &PageRequest,
) -> Result<Page<CampaignView>> {
    authorize(ctx.principal(), Function::ReadReviews, Reach::Caf(caf_id))?;
    let today = ctx.today();
    db.read(|conn| {
        crate::cafs::load(conn, caf_id)?;
        let mut q = review_campaigns::table
            .filter(review_campaigns::caf_id.eq(caf_id.to_string()))
            .select(Campaign::as_select())
            .into_boxed();
        if let Some(y) = filter.year {
            q = q.filter(review_campaigns::year.eq(y));
        }
        // The SQL form of `review::is_overdue`: open, and due before today.
        match filter.overdue {
            Some(true) => {
                q = q
                    .filter(review_campaigns::status.eq(CampaignStatus::Open.code()))
                    .filter(review_campaigns::due_on.lt(today))
            }
            Some(false) => {
                q = q.filter(
                    review_campaigns::status
                        .ne(CampaignStatus::Open.code())
                        .or(review_campaigns::due_on.ge(today)),
                )
            }
            None => {}
        }
        if let Some(c) = &page.cursor {
            q = q.filter(review_campaigns::id.gt(c.clone()));
        }
        let limit = page.limit();
        let rows = q
            .order(review_campaigns::id.asc())
            .limit(limit + 1)
            .load(conn)?;
        let page = Page::from_rows(rows, limit, |c: &Campaign| c.id.clone(), Ok)?;
        Ok(Page {
            items: views(conn, page.items, today)?,
            next_cursor: page.next_cursor,
        })
    })
}

/// A partner's campaigns, latest year first (its administrators, its Caf, the Cnaf).
pub fn for_partner(
    db: &Database,
    ctx: &Ctx,
    partner_id: Uuid,
    page: &PageRequest,
) -> Result<Page<CampaignView>> {
    let today = ctx.today();
    partners::read_for(db, ctx, partner_id, Function::ReadReviews, |conn, p| {
        let mut q = review_campaigns::table
            .filter(review_campaigns::partner_id.eq(&p.id))
            .select(Campaign::as_select())
            .into_boxed();
        if let Some(c) = &page.cursor {
            q = q.filter(review_campaigns::id.lt(c.clone()));
        }
        let limit = page.limit();
        let rows = q
            .order(review_campaigns::id.desc())
            .limit(limit + 1)
            .load(conn)?;
        let page = Page::from_rows(rows, limit, |c: &Campaign| c.id.clone(), Ok)?;
        Ok(Page {
            items: views(conn, page.items, today)?,
            next_cursor: page.next_cursor,
        })
    })
}

/// One campaign with its items (those who read reviews, within their reach).
pub fn get(db: &Database, ctx: &Ctx, id: Uuid) -> Result<(CampaignView, Vec<ItemView>)> {
    authorize(ctx.principal(), Function::ReadReviews, Reach::National)?;
    db.read(|conn| {
        let c = load_campaign(conn, id)?;
        authorize(ctx.principal(), Function::ReadReviews, c.reach()?)?;
        let items = item_views(conn, &c.id)?;
        Ok((view(conn, c, ctx.today())?, items))
    })
}

/// Checks that the caller is the principal administrator of the campaign's partner.
fn check_decider(conn: &mut DbConnection, ctx: &Ctx, c: &Campaign) -> Result<()> {
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

/// The principal administrator confirms or removes one item. A removal devalidates the
/// habilitation in the same transaction, through the path every devalidation takes (seat freed,
/// record kept, traced).
pub fn decide(
    db: &Database,
    ctx: &Ctx,
    campaign_id: Uuid,
    item_id: Uuid,
    verdict: &Verdict,
) -> Result<ItemView> {
    // The role is checked before anything is looked up.
    authorize_decision(ctx.principal(), Reach::National, true)?;
    db.write(|conn| {
        let c = load_campaign_to_change(conn, campaign_id)?;
        check_decider(conn, ctx, &c)?;
        let item: ItemRow = review_items::table
            .find(item_id.to_string())
            .filter(review_items::campaign_id.eq(&c.id))
            .select(ItemRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(Error::Domain(DomainError::NotFound))?;
        let h = habs::load(conn, crate::uuid(&item.habilitation_id)?)?;
        let before = item_state(&item.decision, &h.status)?;
        let after = check_decision(c.status()?, before, verdict)?;
        if after == ItemState::Removed {
            habs::devalidate_in(
                conn,
                ctx,
                &h,
                &format!(
                    "revue inverse {} : {}",
                    c.year,
                    verdict.reason().unwrap_or_default()
                ),
            )?;
        }
        let by = ctx.principal().account_id.to_string();
        diesel::update(review_items::table.find(&item.id))
            .set((
                review_items::decision.eq(after.code()),
                review_items::decided_by.eq(&by),
                review_items::decided_at.eq(ctx.now),
                review_items::reason.eq(verdict.reason()),
            ))
            .execute(conn)?;
        diesel::update(review_campaigns::table.find(&c.id))
            .set(review_campaigns::updated_at.eq(ctx.now))
            .execute(conn)?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&c.partner_id)?),
                action: if after == ItemState::Removed {
                    "review_item.removed"
                } else {
                    "review_item.confirmed"
                },
                target_type: "review_campaign",
                target_id: Some(campaign_id),
                caf_id: Some(crate::uuid(&c.caf_id)?),
                outcome: Outcome::Success,
                detail: json!({
                    "partner_id": c.partner_id, "item_id": item.id,
                    "habilitation_id": item.habilitation_id, "from": before.code(),
                    "to": after.code(), "reason": verdict.reason(),
                }),
            },
        )?;
        item_views(conn, &c.id)?
            .into_iter()
            .find(|v| v.item.id == item.id)
            .ok_or_else(|| Error::Corrupt(format!("review item {} vanished", item.id)))
    })
}

fn person(conn: &mut DbConnection, account_id: &str) -> Result<ReportPerson> {
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

/// The principal administrator completes the campaign once every item is decided or ended: the
/// report is built, its canonical JSON and digest stored, and the Caf's administrators are sent
/// it — all in one transaction.
pub fn complete(db: &Database, ctx: &Ctx, campaign_id: Uuid) -> Result<CampaignView> {
    authorize_decision(ctx.principal(), Reach::National, true)?;
    db.write(|conn| {
        let c = load_campaign_to_change(conn, campaign_id)?;
        check_decider(conn, ctx, &c)?;
        let items = item_views(conn, &c.id)?;
        let states: Vec<ItemState> = items.iter().map(|i| i.state).collect();
        check_completion(c.status()?, &states)?;
        let mut lines = vec![];
        for i in items {
            if i.state == ItemState::Ended && i.item.decision != ItemState::Ended.code() {
                // Written as it is reported: the habilitation ended otherwise.
                diesel::update(review_items::table.find(&i.item.id))
                    .set(review_items::decision.eq(ItemState::Ended.code()))
                    .execute(conn)?;
            }
            let decided_by = match (&i.item.decided_by, i.state) {
                (Some(by), ItemState::Confirmed | ItemState::Removed) => Some(person(conn, by)?),
                _ => None,
            };
            let decided = decided_by.is_some();
            lines.push(ReportItem {
                habilitation_id: i.item.habilitation_id,
                holder: ReportHolder {
                    kind: i.item.holder_kind,
                    id: i.item.holder_id,
                    name: i.item.holder_name,
                },
                profile_id: i.item.profile_id,
                profile_code: i.item.profile_code,
                mission_id: i.item.mission_id,
                mission_label: i.item.mission_label,
                granted_at: timestamp(i.item.granted_at),
                ends_on: i.item.ends_on,
                status_at_opening: i.item.status_at_opening,
                status_at_completion: i.habilitation_status,
                last_used_at: i.last_used_at.map(timestamp),
                decision: i.state.code().into(),
                decided_by,
                decided_at: i.item.decided_at.filter(|_| decided).map(timestamp),
                reason: i.item.reason.filter(|_| decided),
                ended_at: if i.state == ItemState::Ended {
                    i.devalidated_at.map(timestamp)
                } else {
                    None
                },
            });
        }
        let caf = crate::cafs::load(conn, crate::uuid(&c.caf_id)?)?;
        let partner: Partner = partners_t::table
            .find(&c.partner_id)
            .select(Partner::as_select())
            .first(conn)?;
        let number: String = conventions::table
            .find(&c.convention_id)
            .select(conventions::number)
            .first(conn)?;
        let opened_by = c
            .opened_by
            .as_deref()
            .map(|a| person(conn, a))
            .transpose()?;
        let completed_by = person(conn, &ctx.principal().account_id.to_string())?;
        let report = ReviewReport::new(
            ReportHeader {
                campaign_id: c.id.clone(),
                year: c.year,
                caf: ReportCaf {
                    id: caf.id.clone(),
                    code: caf.code.clone(),
                    name: caf.name.clone(),
                },
                partner: ReportPartner {
                    id: partner.id.clone(),
                    siret: partner.siret.clone(),
                    name: partner.name.clone(),
                },
                convention: ReportConvention {
                    id: c.convention_id.clone(),
                    number,
                },
                opened_at: c.opened_at,
                opened_by,
                due_on: c.due_on,
                completed_at: ctx.now,
                completed_by,
            },
            lines,
        )?;
        let canonical = report.canonical_json();
        let digest = digest_of(&canonical);
        diesel::update(review_campaigns::table.find(&c.id))
            .set((
                review_campaigns::status.eq(CampaignStatus::Completed.code()),
                review_campaigns::completed_at.eq(ctx.now),
                review_campaigns::completed_by.eq(ctx.principal().account_id.to_string()),
                review_campaigns::report.eq(&canonical),
                review_campaigns::report_digest.eq(&digest),
                review_campaigns::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let counts = report.counts;
        let told = notify_caf(
            conn,
            ctx.now,
            &c.caf_id,
            &format!(
                "Mon Compte Partenaire : revue inverse {} de {}",
                c.year, partner.name
            ),
            &format!(
                "Bonjour,\n\n{name} (SIRET {siret}) a terminé la revue inverse {year} de ses \
                 habilitations (convention {number}) le {day}.\n\n\
                 Habilitations revues : {items}\nConfirmées : {confirmed}\nRetirées : {removed}\n\
                 Terminées pendant la campagne : {ended}\n\n\
                 Empreinte SHA-256 du rapport : {digest}\n\n\
                 Rapport : GET /api/v1/review-campaigns/{id}/report (JSON)\n\
                 Version imprimable : GET /api/v1/review-campaigns/{id}/report.html\n",
                name = partner.name,
                siret = partner.siret,
                year = c.year,
                number = report.convention.number,
                day = ctx.now.format("%d/%m/%Y"),
                items = counts.items,
                confirmed = counts.confirmed,
                removed = counts.removed,
                ended = counts.ended,
                id = c.id,
            ),
        )?;
        trace::record(
            conn,
            ctx,
            Event {
                partner_id: Some(crate::uuid(&c.partner_id)?),
                action: "review_campaign.completed",
                target_type: "review_campaign",
                target_id: Some(campaign_id),
                caf_id: Some(crate::uuid(&c.caf_id)?),
                outcome: Outcome::Success,
                detail: json!({
                    "partner_id": c.partner_id, "year": c.year, "report_sha256": digest,
                    "items": counts.items, "confirmed": counts.confirmed,
                    "removed": counts.removed, "ended": counts.ended,
                    "caf_administrators_told": told,
                }),
            },
        )?;
        let c = load_campaign(conn, campaign_id)?;
        view(conn, c, ctx.today())
    })
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

/// The report of a completed campaign (the Caf's administrators, the partner's, the Cnaf).
pub fn report(db: &Database, ctx: &Ctx, id: Uuid) -> Result<StoredReport> {
    authorize(ctx.principal(), Function::ReadReviews, Reach::National)?;
    db.read(|conn| {
        let c = load_campaign(conn, id)?;
        authorize(ctx.principal(), Function::ReadReviews, c.reach()?)?;
        let (Some(canonical), Some(digest)) = (c.report, c.report_digest) else {
            return Err(DomainError::conflict(
                "review_campaign_open",
                "the report exists once the principal administrator completes the campaign",
            )
            .into());
        };
        let report: ReviewReport =
            serde_json::from_str(&canonical).map_err(|e| Error::Corrupt(e.to_string()))?;
        Ok(StoredReport {
            report,
            canonical,
            digest,
        })
    })
}

/// Consultations counted for one mission of one profile.
#[derive(Debug, Clone)]
pub struct MissionConsultations {
    /// The mission.
    pub mission_id: String,
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
    pub profile_id: String,
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
    pub id: String,
    /// The habilitation.
    pub habilitation_id: String,
    /// The Caf.
    pub caf_id: String,
    /// The partner.
    pub partner_id: String,
    /// Why.
    pub reason: String,
    /// Who suspended (unknown for suspensions made before they were kept here).
    pub suspended_by: Option<String>,
    /// When.
    pub suspended_at: NaiveDateTime,
    /// Who lifted it.
    pub lifted_by: Option<String>,
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

/// The annual review of a partner for `year` (the Caf's administrators, the partner's, the
/// Cnaf), from durable records only: consultation counts, habilitations, the Caf's questions and
/// suspensions, and the year's campaign — never from traces, kept six months only.
pub fn annual_review(
    db: &Database,
    ctx: &Ctx,
    partner_id: Uuid,
    year: i32,
) -> Result<AnnualReview> {
    let today = ctx.today();
    partners::read_for(
        db,
        ctx,
        partner_id,
        Function::ReadReviews,
        |conn, partner| {
            let quotas = habs::quota_lines(conn, &partner, today)?;
            let (first, last) = month_keys_of(year);
            let counted: Vec<(String, String, String, i64)> = consultation_counts::table
                .filter(consultation_counts::partner_id.eq(&partner.id))
                .filter(consultation_counts::month.between(first, last))
                .order((
                    consultation_counts::profile_id.asc(),
                    consultation_counts::mission_id.asc(),
                    consultation_counts::month.asc(),
                ))
                .select((
                    consultation_counts::profile_id,
                    consultation_counts::mission_id,
                    consultation_counts::month,
                    consultation_counts::consultations,
                ))
                .load(conn)?;
            let mut consultations: Vec<ProfileConsultations> = vec![];
            for (profile_id, mission_id, month, n) in counted {
                if consultations
                    .last()
                    .is_none_or(|p| p.profile_id != profile_id)
                {
                    let profile_code: String = profiles::table
                        .find(&profile_id)
                        .select(profiles::code)
                        .first(conn)?;
                    consultations.push(ProfileConsultations {
                        profile_id: profile_id.clone(),
                        profile_code,
                        consultations: 0,
                        missions: vec![],
                    });
                }
                let p = consultations.last_mut().expect("pushed");
                if p.missions.last().is_none_or(|m| m.mission_id != mission_id) {
                    let mission_label: String = convention_missions::table
                        .find(&mission_id)
                        .select(convention_missions::label)
                        .first(conn)?;
                    p.missions.push(MissionConsultations {
                        mission_id: mission_id.clone(),
                        mission_label,
                        consultations: 0,
                        by_month: vec![],
                    });
                }
                let m = p.missions.last_mut().expect("pushed");
                m.consultations += n;
                m.by_month.push((month, n));
                p.consultations += n;
            }
            consultations.sort_by(|a, b| a.profile_code.cmp(&b.profile_code));
            let (start, end) = year_range(year);
            let recorded = habs::use_recorded_profiles(conn)?;
            let candidates: Vec<Habilitation> = habilitations::table
                .filter(habilitations::partner_id.eq(&partner.id))
                .filter(habilitations::last_used_at.is_null())
                .filter(habilitations::granted_at.lt(end))
                .order(habilitations::id.asc())
                .select(Habilitation::as_select())
                .load(conn)?;
            let mut never_used = vec![];
            for h in candidates {
                if recorded.contains(&h.profile_id)
                    && held_during(h.granted_at, h.devalidated_at, year)
                {
                    never_used.push(habs::view(conn, h)?);
                }
            }
            let questions: Vec<Question> = habilitation_questions::table
                .filter(habilitation_questions::partner_id.eq(&partner.id))
                .filter(habilitation_questions::asked_at.ge(start))
                .filter(habilitation_questions::asked_at.lt(end))
                .order(habilitation_questions::id.asc())
                .select(Question::as_select())
                .load(conn)?;
            let suspensions: Vec<CafSuspension> = caf_suspensions::table
                .filter(caf_suspensions::partner_id.eq(&partner.id))
                .filter(caf_suspensions::suspended_at.ge(start))
                .filter(caf_suspensions::suspended_at.lt(end))
                .order(caf_suspensions::suspended_at.asc())
                .select(CafSuspension::as_select())
                .load(conn)?;
            let campaign = match campaign_of(conn, &partner.id, year)? {
                Some(c) => Some(view(conn, c, today)?),
                None => None,
            };
            Ok(AnnualReview {
                partner,
                year,
                quotas,
                consultations,
                never_used,
                questions,
                caf_suspensions: suspensions,
                campaign,
            })
        },
    )
}

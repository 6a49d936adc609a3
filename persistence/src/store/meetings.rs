//! Meetings on a convention (C-art. 16).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::convention::Party;
use mcp_domain::ids::{AccountId, CafId, ConventionId, MeetingId, PartnerId};
use mcp_domain::meeting::{Attendee, Held, Kind, Planned};
use mcp_domain::DomainError;

use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::meetings;

/// A meeting as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = meetings)]
pub struct MeetingRow {
    /// Opaque id.
    pub id: Id<MeetingId>,
    /// The convention.
    pub convention_id: Id<ConventionId>,
    /// The partner.
    pub partner_id: Id<PartnerId>,
    /// Its Caf.
    pub caf_id: Id<CafId>,
    /// A `Kind` code.
    pub kind: String,
    /// The party that asked for it (a `Party` code).
    pub requested_by: Option<String>,
    /// The day the request was received.
    pub requested_on: Option<NaiveDate>,
    /// The day it must be held by.
    pub due_by: Option<NaiveDate>,
    /// The day it is planned for.
    pub planned_on: NaiveDate,
    /// Who planned it.
    pub planned_by: Id<AccountId>,
    /// The day it was held.
    pub held_on: Option<NaiveDate>,
    /// Who attended, JSON.
    pub attendees: String,
    /// Whether the Cnaf attended.
    pub cnaf_attended: bool,
    /// Held after the month a request allowed.
    pub held_late: bool,
    /// The party that drafts the minutes (a `Party` code).
    pub drafter: Option<String>,
    /// The day both parties must have validated the minutes by.
    pub minutes_due_by: Option<NaiveDate>,
    /// The minutes.
    pub minutes: Option<String>,
    /// When they were written.
    pub minutes_written_at: Option<NaiveDateTime>,
    /// When the Caf validated them.
    pub validated_by_caf_at: Option<NaiveDateTime>,
    /// When the partner validated them.
    pub validated_by_partner_at: Option<NaiveDateTime>,
    /// When it was recorded.
    pub created_at: NaiveDateTime,
}

impl MeetingRow {
    /// Why it is held.
    pub fn kind(&self) -> Result<Kind> {
        crate::read_code(&self.kind, Kind::from_code)
    }

    /// Who attended.
    pub fn attendees(&self) -> Result<Vec<Attendee>> {
        serde_json::from_str(&self.attendees).map_err(|e| Error::Corrupt(e.to_string()))
    }

    /// The party that drafts the minutes, once the meeting is held.
    pub fn drafter(&self) -> Result<Option<Party>> {
        self.drafter
            .as_deref()
            .map(|d| crate::read_code(d, Party::from_code))
            .transpose()
    }

    /// When `party` validated the minutes.
    pub fn validated_by(&self, party: Party) -> Option<NaiveDateTime> {
        match party {
            Party::Caf => self.validated_by_caf_at,
            Party::Partner => self.validated_by_partner_at,
        }
    }

    /// When both parties had validated the minutes.
    pub fn validated_at(&self) -> Option<NaiveDateTime> {
        Some(self.validated_by_caf_at?.max(self.validated_by_partner_at?))
    }
}

/// Records a meeting planned.
pub fn insert(
    conn: &mut DbConnection,
    id: Id<MeetingId>,
    (convention_id, caf_id, partner_id): (Id<ConventionId>, CafId, PartnerId),
    planned: &Planned,
    by: AccountId,
    now: NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(meetings::table)
        .values((
            meetings::id.eq(id),
            meetings::convention_id.eq(convention_id),
            meetings::partner_id.eq(Id(partner_id)),
            meetings::caf_id.eq(Id(caf_id)),
            meetings::kind.eq(planned.kind.code()),
            meetings::requested_by.eq(planned.requested.map(|(p, _)| p.code())),
            meetings::requested_on.eq(planned.requested.map(|(_, d)| d)),
            meetings::due_by.eq(planned.due_by),
            meetings::planned_on.eq(planned.planned_on),
            meetings::planned_by.eq(Id(by)),
            meetings::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// One meeting; 404 when there is none.
pub fn load(conn: &mut DbConnection, id: MeetingId) -> Result<MeetingRow> {
    meetings::table
        .find(Id(id))
        .select(MeetingRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))
}

/// Records that a meeting was held.
pub fn record_held(conn: &mut DbConnection, id: Id<MeetingId>, held: &Held) -> Result<()> {
    diesel::update(meetings::table.find(id))
        .set((
            meetings::held_on.eq(Some(held.held_on)),
            meetings::attendees.eq(serde_json::json!(held.attendees).to_string()),
            meetings::cnaf_attended.eq(held.cnaf_attended),
            meetings::held_late.eq(held.late),
            meetings::drafter.eq(Some(held.drafter.code())),
            meetings::minutes_due_by.eq(Some(held.minutes_due_by)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes the minutes.
pub fn write_minutes_of(
    conn: &mut DbConnection,
    id: Id<MeetingId>,
    text: &str,
    now: NaiveDateTime,
) -> Result<()> {
    diesel::update(meetings::table.find(id))
        .set((
            meetings::minutes.eq(Some(text)),
            meetings::minutes_written_at.eq(Some(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records one party's validation of the minutes.
pub fn validate(
    conn: &mut DbConnection,
    id: Id<MeetingId>,
    party: Party,
    now: NaiveDateTime,
) -> Result<()> {
    let q = diesel::update(meetings::table.find(id));
    match party {
        Party::Caf => q
            .set(meetings::validated_by_caf_at.eq(Some(now)))
            .execute(conn)?,
        Party::Partner => q
            .set(meetings::validated_by_partner_at.eq(Some(now)))
            .execute(conn)?,
    };
    Ok(())
}

/// The meetings on a convention, oldest first.
pub fn of_convention(
    conn: &mut DbConnection,
    convention_id: Id<ConventionId>,
) -> Result<Vec<MeetingRow>> {
    Ok(meetings::table
        .filter(meetings::convention_id.eq(convention_id))
        .order(meetings::id)
        .select(MeetingRow::as_select())
        .load(conn)?)
}

/// The party that drafted the last minutes on the partner's conventions, for the turn.
pub fn last_drafter(conn: &mut DbConnection, partner_id: PartnerId) -> Result<Option<Party>> {
    let last: Option<Option<String>> = meetings::table
        .filter(meetings::partner_id.eq(Id(partner_id)))
        .filter(meetings::drafter.is_not_null())
        .order(meetings::held_on.desc())
        .then_order_by(meetings::id.desc())
        .select(meetings::drafter)
        .first(conn)
        .optional()?;
    last.flatten()
        .map(|d| crate::read_code(&d, Party::from_code))
        .transpose()
}

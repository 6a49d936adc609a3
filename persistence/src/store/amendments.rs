//! Amendments (C-art. 18): a change to a signed convention's documents — the convention, its
//! contract, its subscriptions — is a numbered amendment keeping the version before it.

use crate::id::Id;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::convention::{authorize_change, AmendmentSignature};
use mcp_domain::ids::ConventionId;
use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::{DomainError, ErrorCode};
use serde_json::{json, Value};

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::{on_unique, Result};
use crate::schema::{amendments, conventions};
use crate::store::conventions::{load, Amendment, Convention};
use crate::store::subscriptions;
use crate::store::trace::{self, Event, Outcome};

/// The version of a convention's documents as an amendment keeps it: signatories, missions,
/// contract and subscriptions.
pub(crate) fn snapshot(conn: &mut DbConnection, id: Id<ConventionId>) -> Result<Value> {
    let conv = load(conn, id)?;
    let subs = subscriptions::for_convention(conn, id)?;
    Ok(json!({
        "version": conv.row.version,
        "number": conv.row.number,
        "caf_signatory": conv.row.caf_signatory,
        "partner_signatory": conv.row.partner_signatory,
        "missions": conv.missions.iter().map(|m| &m.label).collect::<Vec<_>>(),
        "contract": {
            "management_mode": conv.row.management_mode()?,
            "password_policy": conv.row.password_policy()?,
            "contacts": conv.row.contacts()?,
            "second_factor_required": conv.row.second_factor_required,
            "email_domains": conv.row.email_domains()?,
            "service_centre": conv.row.service_centre()?,
        },
        "subscriptions": subs.iter().map(|s| json!({
            "service": s.service_code,
            "made_available_on": s.made_available_on,
            "profiles": s.quotas.iter().map(|q| json!({ "profile": q.profile_code, "max_users": q.max_users })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    }))
}

/// Applies a change to a convention's documents in the regime its status imposes: directly on a
/// draft, as a numbered amendment keeping the previous version once signed, not at all once
/// terminated. Returns what `apply` returned and the amendment, if one was recorded.
pub(crate) fn change<T>(
    conn: &mut DbConnection,
    ctx: &Ctx,
    conv: &Convention,
    amendment: Option<AmendmentSignature>,
    subject: &str,
    apply: impl FnOnce(&mut DbConnection, i32) -> Result<T>,
) -> Result<(T, Option<Amendment>)> {
    let amendment = authorize_change(&conv.life, amendment, ctx.today())?;
    let Some(signature) = amendment else {
        let out = apply(conn, conv.row.version)?;
        touch(conn, conv.row.id, conv.row.version, ctx.now)?;
        return Ok((out, None));
    };
    let previous = snapshot(conn, conv.row.id)?;
    let number = conv.row.version + 1;
    let out = apply(conn, number)?;
    // The version moves only if nobody amended the convention meanwhile.
    let moved = diesel::update(
        conventions::table
            .find(&conv.row.id)
            .filter(conventions::version.eq(conv.row.version)),
    )
    .set((
        conventions::version.eq(number),
        conventions::updated_at.eq(ctx.now),
    ))
    .execute(conn)?;
    if moved != 1 {
        return Err(DomainError::conflict(
            ErrorCode::ConcurrentAmendment,
            mcp_domain::msg!("un autre avenant a été enregistré au même moment : relisez la convention et recommencez", "another amendment was recorded at the same time: reload and try again"),
        )
        .into());
    }
    let new_version = snapshot(conn, conv.row.id)?;
    let a = Amendment {
        id: Id::new(),
        convention_id: conv.row.id,
        number,
        subject: subject.to_string(),
        summary: signature.summary,
        caf_signed_on: signature.caf_signed_on,
        partner_signed_on: signature.partner_signed_on,
        previous_version: previous.to_string(),
        new_version: new_version.to_string(),
        recorded_by: Id(ctx.principal().account_id()),
        created_at: ctx.now,
    };
    diesel::insert_into(amendments::table)
        .values((
            amendments::id.eq(&a.id),
            amendments::convention_id.eq(&a.convention_id),
            amendments::number.eq(a.number),
            amendments::subject.eq(&a.subject),
            amendments::summary.eq(&a.summary),
            amendments::caf_signed_on.eq(a.caf_signed_on),
            amendments::partner_signed_on.eq(a.partner_signed_on),
            amendments::previous_version.eq(&a.previous_version),
            amendments::new_version.eq(&a.new_version),
            amendments::recorded_by.eq(&a.recorded_by),
            amendments::created_at.eq(a.created_at),
        ))
        .execute(conn)
        .map_err(on_unique(
            ErrorCode::ConcurrentAmendment,
            mcp_domain::msg!(
                "un autre avenant a été enregistré au même moment",
                "another amendment was recorded at the same time"
            ),
        ))?;
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: Some(conv.row.partner_id.get()),
            action: TraceAction::AmendmentRecorded,
            target_type: TargetType::Convention,
            target_id: Some(conv.row.uuid()?),
            caf_id: Some(conv.row.caf_uuid()?.into()),
            outcome: Outcome::Success,
            detail: json!({ "number": a.number, "subject": a.subject, "summary": a.summary }),
        },
    )?;
    Ok((out, Some(a)))
}

pub(crate) fn touch(
    conn: &mut DbConnection,
    id: Id<ConventionId>,
    version: i32,
    now: NaiveDateTime,
) -> Result<()> {
    let moved = diesel::update(
        conventions::table
            .find(id)
            .filter(conventions::version.eq(version)),
    )
    .set(conventions::updated_at.eq(now))
    .execute(conn)?;
    if moved != 1 {
        return Err(DomainError::conflict(
            ErrorCode::ConcurrentAmendment,
            mcp_domain::msg!(
                "la convention a changé entre-temps : relisez-la et recommencez",
                "the convention changed meanwhile: reload and try again"
            ),
        )
        .into());
    }
    Ok(())
}

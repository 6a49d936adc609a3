//! The Caf approves a request, and the approval does the work in the same transaction.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::store::partners::AdministratorRank;
use mcp_domain::access::Function;
use mcp_domain::habilitation::Holder;
use mcp_domain::ids::RequestId;
use mcp_domain::request::RequestStep;
use mcp_domain::vocabulary::TraceAction;
use mcp_domain::DomainError;
use serde_json::json;

use super::*;

/// The Caf approves a request, and the approval does the work in the same transaction: the
/// person's account is created (their credentials go to them, never to the approver) — or, if
/// they already have one with the partner, that one is used — and habilitated, access is removed, or the administrator replaced.
pub fn approve(db: &Database, ctx: &Ctx, id: RequestId) -> Result<RequestView> {
    db.write(|conn| {
        let (row, partner) = load(conn, ctx, id, Function::DecideRequests)?;
        let to = row.status()?.after(RequestStep::Approve)?;
        let (form, _) = check_form(conn, &partner, row.form()?, ctx.today())?;
        let result = match form {
            Form::Habilitate(f) => {
                // The grant below counts the holders under the subscription's lock: two
                // approvals never overrun the quota, even one the Caf lowered meanwhile. Seats
                // reserved by other pending requests do not block the Caf's own decision.
                let (_, person) = f.person.check()?;
                // One person, one account: someone who already has one is habilitated on it.
                let existing = crate::store::accounts::of_person(conn, partner.id, &person.email_key())?;
                let existing_account = existing.is_some();
                let account = match existing {
                    Some(account) => account,
                    None => crate::store::staff::create_user_in(conn, ctx, &partner, &person, Some(row.id), db.links())?,
                };
                let account_id = account.id.get();
                let h = crate::store::habilitations::grant_in(
                    conn,
                    ctx,
                    &partner,
                    &crate::store::habilitations::GrantRequest {
                        holder: Holder::Account(account_id.uuid()),
                        profile_id: f.profile_id,
                        mission_id: f.mission_id,
                        ends_on: f.ends_on,
                    },
                    None,
                )?;
                json!({ "account_id": account.id, "identifier": account.identifier, "existing_account": existing_account, "habilitation_id": h.id })
            }
            Form::RemoveAccess(f) => {
                // "À compter du" a day still to come: the removal takes effect that day (the
                // expiry job), until then the people keep their access.
                let later = f.effective_on.filter(|d| *d > ctx.today());
                let mut people = vec![];
                for line in &f.people {
                    people.push(crate::store::staff::staff_member(conn, &partner, line.account_id.into())?.0);
                }
                match &f.service {
                    // One service's access: the accounts stay, for the others.
                    Some(code) => {
                        let service = crate::store::catalogue::by_code(conn, code)?.ok_or(Error::Domain(DomainError::NotFound))?;
                        let (mut ended, mut ending) = (0, 0);
                        for account in &people {
                            let done = crate::store::departures::remove_from_service(conn, ctx, account, &service, later, &f.reason)?;
                            (ended, ending) = (ended + done.ended, ending + done.ending);
                        }
                        json!({ "service": code, "habilitations_ended": ended, "habilitations_ending": ending, "last_day": later.and_then(|d| d.pred_opt()) })
                    }
                    None => {
                        let (mut closed, mut closing) = (vec![], vec![]);
                        for account in people {
                            match later {
                                Some(on) => {
                                    crate::store::departures::schedule_closure(conn, ctx, &account, on, &f.reason)?;
                                    closing.push(account.id);
                                }
                                None => closed.push(crate::store::departures::close_in(conn, ctx, account, &f.reason)?.id),
                            }
                        }
                        json!({ "closed_account_ids": closed, "closing_account_ids": closing, "closes_on": later })
                    }
                }
            }
            Form::ChangeRights(f) => {
                // The profile taken away first, so that a change of function within one quota
                // frees its seat before the new profile takes one.
                let (account, _) = crate::store::staff::staff_member(conn, &partner, f.account_id.into())?;
                let mut devalidated = vec![];
                if let Some(r) = f.remove_profile_id {
                    for h in crate::store::departures::held_of_profiles(conn, &account, &[Id(r)])? {
                        devalidated.push(crate::store::habilitations::devalidate_in(conn, ctx, &h, &f.reason)?.id);
                    }
                }
                let granted = match &f.add {
                    Some(a) => Some(
                        crate::store::habilitations::grant_in(
                            conn,
                            ctx,
                            &partner,
                            &crate::store::habilitations::GrantRequest {
                                holder: Holder::Account(f.account_id),
                                profile_id: a.profile_id,
                                mission_id: a.mission_id,
                                ends_on: a.ends_on,
                            },
                            None,
                        )?
                        .id,
                    ),
                    None => None,
                };
                json!({ "account_id": account.id, "habilitation_id": granted, "devalidated_habilitation_ids": devalidated })
            }
            Form::ChangeAdministrator(f) => {
                let rank = AdministratorRank::from_code(&f.rank).expect("checked");
                let mut replaced = None;
                if let Some(r) = f.replaced_account_id {
                    let (account, _) = crate::store::staff::staff_member(conn, &partner, r)?;
                    replaced = Some(crate::store::departures::close_in(conn, ctx, account, "replaced as administrator")?.id);
                }
                let (_, person) = f.person.check()?;
                let named = crate::store::staff::name_in(conn, ctx, &partner, rank, &person, db.links())?;
                json!({ "replaced_account_id": replaced, "account_id": named.id, "identifier": named.identifier })
            }
        };
        let row = set_status(conn, ctx, row, to, None, Some(result.clone()))?;
        record(conn, ctx, &row, TraceAction::RequestApproved, result)?;
        notify(conn, ctx, &row, "a été approuvée et exécutée")?;
        view(row, ctx.now)
    })
}

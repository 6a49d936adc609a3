//! Requests a partner's administrators send the Caf (annex 3): habilitate a new person, remove
//! access, change a person's rights, change an administrator. Each is checked when filed and when sent, reserves its seat
//! in the quota while the Caf decides, and is carried out by the approval in one transaction.

use mcp_domain::ids::{AccountId, CafId, PartnerId, ProfileId, RequestId, SubscriptionId};
use mcp_domain::vocabulary::{AccountStatus, TargetType, TraceAction};
use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::access::{Function, Role};
use mcp_domain::habilitation::check_reason;
use mcp_domain::request::{escalation_due, RequestKind, RequestStatus};
use mcp_domain::DomainError;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::page::{Page, PageRequest};
use crate::schema::{accounts, habilitation_requests};
use crate::store::partners::{self, AdministratorRank, Partner};
pub use crate::store::request_forms::*;
use crate::store::trace::{self, Event, Outcome};

/// A stored request.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = habilitation_requests)]
pub struct RequestRow {
    /// Opaque id.
    pub id: Id<RequestId>,
    /// The Caf.
    pub caf_id: Id<CafId>,
    /// The partner.
    pub partner_id: Id<PartnerId>,
    /// Kind code.
    pub kind: String,
    /// Status code.
    pub status: String,
    /// The form, JSON.
    pub form: String,
    /// For a habilitation request: the subscription whose quota it reserves.
    pub subscription_id: Option<Id<SubscriptionId>>,
    /// For a habilitation request: the profile.
    pub profile_id: Option<Id<ProfileId>>,
    /// The administrator who filed it.
    pub filed_by: Id<AccountId>,
    /// Creation.
    pub created_at: NaiveDateTime,
    /// Last sent to the Caf.
    pub submitted_at: Option<NaiveDateTime>,
    /// The Caf administrator who last decided.
    pub decided_by: Option<Id<AccountId>>,
    /// When.
    pub decided_at: Option<NaiveDateTime>,
    /// The reason given with the last step (changes asked, refusal, withdrawal).
    pub reason: Option<String>,
    /// What the approval did, JSON.
    pub result: Option<String>,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// When, unanswered, it falls due for escalation: its contract's delay after it was last
    /// sent (S-art. 3.3); none when the contract sets no delay.
    pub escalation_due_at: Option<NaiveDateTime>,
}

impl RequestRow {
    /// Its status.
    pub fn status(&self) -> Result<RequestStatus> {
        RequestStatus::from_code(&self.status).ok_or_else(|| Error::Corrupt(self.status.clone()))
    }

    /// Its form.
    pub fn form(&self) -> Result<Form> {
        serde_json::from_str(&self.form).map_err(|e| Error::Corrupt(e.to_string()))
    }

    /// What the approval did.
    pub fn result(&self) -> Option<Value> {
        self.result
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
    }
}

/// A request as read, with its escalation flag.
#[derive(Debug, Clone)]
pub struct RequestView {
    /// The request.
    pub row: RequestRow,
    /// Unanswered past its contract's delay (S-art. 3.3).
    pub escalation_due: bool,
}

pub(crate) fn view(row: RequestRow, now: NaiveDateTime) -> Result<RequestView> {
    let due = escalation_due(row.status()?, row.escalation_due_at, now);
    Ok(RequestView {
        row,
        escalation_due: due,
    })
}

pub(crate) fn field_error(
    field: &str,
    code: &'static str,
    message: impl Into<mcp_domain::Message>,
) -> Error {
    DomainError::field(field, code, message).into()
}

/// Checks a form against the partner's state today; returns it normalised, with the
/// subscription and profile a habilitation request would use.
pub(crate) fn check_form(
    conn: &mut DbConnection,
    partner: &Partner,
    form: Form,
    today: NaiveDate,
) -> Result<(Form, Option<Seat>)> {
    let mode = crate::store::conventions::management_mode(conn, partner.id, today)?;
    form.kind().allowed_in(mode)?;
    match form {
        Form::Habilitate(f) => {
            let (named, person) = f.person.check()?;
            let signatory = check_signatory(f.signatory)?;
            crate::store::conventions::email_domains_in_force(conn, partner.id, today)?
                .check_email("email", &person.email)?;
            let g = crate::store::habilitations::check_grantable(
                conn,
                partner,
                f.profile_id,
                f.mission_id,
                f.ends_on,
                today,
                false,
            )?;
            let seat = (g.subscription_id, g.profile.id);
            let convention_number =
                crate::store::conventions::number_of_mission(conn, f.mission_id)?;
            Ok((
                Form::Habilitate(HabilitateForm {
                    person: named,
                    signatory,
                    convention_number: Some(convention_number),
                    ..f
                }),
                Some(seat),
            ))
        }
        Form::RemoveAccess(mut f) => {
            let reason = check_reason("reason", &f.reason)?;
            let legacy = std::mem::take(&mut f.account_ids);
            f.people
                .extend(legacy.into_iter().map(|account_id| RemovalLine {
                    account_id,
                    lost_or_stolen: f.lost_or_stolen,
                }));
            f.lost_or_stolen = false;
            let mut seen = BTreeSet::new();
            f.people.retain(|l| seen.insert(l.account_id));
            if f.people.is_empty() || f.people.len() > 50 {
                return Err(field_error(
                    "people",
                    "invalid_length",
                    mcp_domain::msg!("indiquez de 1 à 50 personnes", "name 1 to 50 people"),
                ));
            }
            mcp_domain::request::check_removal_date(f.effective_on, today)?;
            let service = match &f.service {
                Some(code) => Some(
                    crate::store::catalogue::by_code(conn, code.trim())?.ok_or_else(|| {
                        field_error(
                            "service",
                            "unknown_service",
                            mcp_domain::msg!(
                                "aucun service ne porte ce code",
                                "no service has this code"
                            ),
                        )
                    })?,
                ),
                None => None,
            };
            for (i, line) in f.people.iter().enumerate() {
                let field = format!("people[{i}].account_id");
                let account = open_partner_user(conn, partner, line.account_id, &field)?;
                if let Some(service) = &service {
                    use crate::store::departures::{
                        holds_service, reaches_service_through_a_group,
                    };
                    if reaches_service_through_a_group(conn, &account, service)? {
                        return Err(field_error(
                            &field,
                            "access_through_a_group",
                            mcp_domain::msg!("cette personne accède au service par un groupe : retirez-la de ce groupe", "this person reaches the service through a group: take them out of it"),
                        ));
                    }
                    if !holds_service(conn, &account, service)? {
                        return Err(field_error(
                            &field,
                            "no_access_to_service",
                            mcp_domain::msg!(
                                "cette personne n'a pas accès à ce service",
                                "this person has no access to this service"
                            ),
                        ));
                    }
                }
            }
            let service = service.map(|s| s.code);
            Ok((
                Form::RemoveAccess(RemoveAccessForm {
                    reason,
                    service,
                    ..f
                }),
                None,
            ))
        }
        Form::ChangeRights(f) => {
            let reason = check_reason("reason", &f.reason)?;
            let signatory = check_signatory(f.signatory)?;
            let account = open_partner_user(conn, partner, f.account_id, "account_id")?;
            if f.add.is_none() && f.remove_profile_id.is_none() {
                return Err(field_error(
                    "add",
                    "required",
                    mcp_domain::msg!(
                        "donnez un profil (add), retirez-en un (remove_profile_id), ou les deux",
                        "give a profile (add), take one away (remove_profile_id), or both"
                    ),
                ));
            }
            if let (Some(a), Some(r)) = (&f.add, f.remove_profile_id) {
                if a.profile_id == r {
                    return Err(field_error(
                        "remove_profile_id",
                        "same_profile",
                        mcp_domain::msg!(
                            "le profil donné et le profil retiré sont identiques",
                            "the profile given and the profile taken away are the same"
                        ),
                    ));
                }
            }
            if let Some(r) = f.remove_profile_id {
                use crate::store::departures::{held_of_profiles, reaches_through_a_group};
                if held_of_profiles(conn, &account, &[Id(r)])?.is_empty() {
                    let (code, message) = if reaches_through_a_group(conn, &account, &[Id(r)])? {
                        (
                            "access_through_a_group",
                            mcp_domain::msg!("cette personne détient le profil par un groupe : retirez-la de ce groupe", "this person holds the profile through a group: take them out of it"),
                        )
                    } else {
                        (
                            "not_held",
                            mcp_domain::msg!(
                                "cette personne ne détient pas ce profil",
                                "this person does not hold this profile"
                            ),
                        )
                    };
                    return Err(field_error("remove_profile_id", code, message));
                }
            }
            let (seat, convention_number) = match &f.add {
                Some(a) => {
                    let g = crate::store::habilitations::check_grantable(
                        conn,
                        partner,
                        a.profile_id,
                        a.mission_id,
                        a.ends_on,
                        today,
                        false,
                    )
                    .map_err(|e| match e {
                        Error::Domain(d) => Error::Domain(d.within("add")),
                        other => other,
                    })?;
                    if !crate::store::departures::held_of_profiles(conn, &account, &[g.profile.id])?
                        .is_empty()
                    {
                        return Err(field_error(
                            "add.profile_id",
                            "already_held",
                            mcp_domain::msg!(
                                "cette personne détient déjà ce profil",
                                "this person already holds this profile"
                            ),
                        ));
                    }
                    let number = crate::store::conventions::number_of_mission(conn, a.mission_id)?;
                    (Some((g.subscription_id, g.profile.id)), Some(number))
                }
                None => (None, None),
            };
            Ok((
                Form::ChangeRights(ChangeRightsForm {
                    reason,
                    signatory,
                    convention_number,
                    ..f
                }),
                seat,
            ))
        }
        Form::ChangeAdministrator(f) => {
            let rank = AdministratorRank::from_code(&f.rank).ok_or_else(|| {
                field_error(
                    "rank",
                    "invalid_rank",
                    mcp_domain::msg!("principal ou deputy", "principal or deputy"),
                )
            })?;
            let (named, person) = f.person.check()?;
            let signatory = check_signatory(f.signatory)?;
            crate::store::conventions::email_domains_in_force(conn, partner.id, today)?
                .check_email("email", &person.email)?;
            let holder: Option<Id<AccountId>> = accounts::table
                .filter(accounts::partner_id.eq(&partner.id))
                .filter(accounts::administrator_rank.eq(rank.code()))
                .filter(accounts::status.ne(AccountStatus::Disabled.code()))
                .select(accounts::id)
                .first(conn)
                .optional()?;
            match (holder, f.replaced_account_id) {
                (Some(h), Some(r)) if h == r => {}
                (Some(_), _) => {
                    return Err(field_error(
                        "replaced_account_id",
                        "not_that_administrator",
                        mcp_domain::msg!(
                            "indiquez l'administrateur de ce rang qui est remplacé",
                            "name the administrator of that rank who is replaced"
                        ),
                    ))
                }
                (None, Some(_)) => {
                    return Err(field_error(
                        "replaced_account_id",
                        "rank_vacant",
                        mcp_domain::msg!(
                            "personne n'occupe ce rang : ne renseignez pas replaced_account_id",
                            "nobody holds that rank: leave replaced_account_id out"
                        ),
                    ))
                }
                (None, None) => {}
            }
            Ok((
                Form::ChangeAdministrator(ChangeAdministratorForm {
                    person: named,
                    signatory,
                    ..f
                }),
                None,
            ))
        }
    }
}

/// A partner user named by a form, whose account is open (administrators are the Caf's, through
/// a change_administrator request).
fn open_partner_user(
    conn: &mut DbConnection,
    partner: &Partner,
    account_id: Uuid,
    field: &str,
) -> Result<crate::store::accounts::Account> {
    let (account, role) = crate::store::staff::staff_member(conn, partner, account_id.into())
        .map_err(|_| {
            field_error(
                field,
                "unknown_account",
                mcp_domain::msg!(
                    "cette personne ne fait pas partie du personnel de ce partenaire",
                    "no such person among this partner's staff"
                ),
            )
        })?;
    if role != Role::PartnerUser {
        return Err(field_error(
            field,
            "administrator",
            mcp_domain::msg!(
                "le remplacement d'un administrateur passe par une demande change_administrator",
                "an administrator is replaced through a change_administrator request"
            ),
        ));
    }
    if crate::read_code(&account.status, AccountStatus::from_code)? == AccountStatus::Disabled {
        return Err(field_error(
            field,
            "account_closed",
            mcp_domain::msg!("ce compte est déjà fermé", "this account is already closed"),
        ));
    }
    Ok(account)
}

/// The seat a habilitation request takes: a profile's quota under one subscription.
pub(crate) type Seat = (Id<SubscriptionId>, Id<ProfileId>);

/// Seats reserved by other requests awaiting the Caf for the same profile.
pub(crate) fn reserved_by_others(
    conn: &mut DbConnection,
    seat: &Seat,
    except: Id<RequestId>,
) -> Result<u32> {
    let n: i64 = habilitation_requests::table
        .filter(habilitation_requests::subscription_id.eq(&seat.0))
        .filter(habilitation_requests::profile_id.eq(&seat.1))
        .filter(habilitation_requests::status.eq_any([
            RequestStatus::Submitted.code(),
            RequestStatus::ChangesRequested.code(),
        ]))
        .filter(habilitation_requests::id.ne(except))
        .count()
        .get_result(conn)?;
    Ok(n as u32)
}

/// Checks, under the subscription's lock, that the person of a habilitation request fits beside
/// the holders and the other requests awaiting the Caf: one more person, unless the account
/// they already have with the partner (`account`) holds the profile.
pub(crate) fn check_seat(
    conn: &mut DbConnection,
    seat: &Seat,
    request_id: Id<RequestId>,
    account: Option<Uuid>,
) -> Result<()> {
    let reserved = reserved_by_others(conn, seat, request_id)?;
    // Someone without an account yet: any id no holder has stands for them.
    let newcomer = BTreeSet::from([account.unwrap_or_else(Uuid::new_v4)]);
    crate::store::quotas::check_seats(conn, seat.0, seat.1, &newcomer, reserved)
}

pub(crate) fn load(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: RequestId,
    function: Function,
) -> Result<(RequestRow, Partner)> {
    let row: RequestRow = habilitation_requests::table
        .find(id.to_string())
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))?;
    let partner = partners::load_for(conn, ctx, row.partner_id.get().uuid().into(), function)?;
    Ok((row, partner))
}

pub(crate) fn record(
    conn: &mut DbConnection,
    ctx: &Ctx,
    row: &RequestRow,
    action: TraceAction,
    detail: Value,
) -> Result<()> {
    trace::record(
        conn,
        ctx,
        Event {
            partner_id: Some(row.partner_id.get()),
            action,
            target_type: TargetType::Request,
            target_id: Some(row.id.get().uuid()),
            caf_id: Some(row.caf_id.get()),
            outcome: Outcome::Success,
            detail: json!({ "partner_id": row.partner_id, "kind": row.kind, "detail": detail }),
        },
    )
}

/// Tells the administrator who filed the request where it stands.
pub(crate) fn notify(
    conn: &mut DbConnection,
    ctx: &Ctx,
    row: &RequestRow,
    what: &str,
) -> Result<()> {
    let email: Option<String> = accounts::table
        .find(&row.filed_by)
        .select(accounts::email)
        .first(conn)
        .optional()?;
    let Some(email) = email else { return Ok(()) };
    let kind =
        crate::read_code(&row.kind, mcp_domain::request::RequestKind::from_code)?.in_french();
    crate::store::outbox::enqueue(
        conn,
        ctx.now,
        &email,
        "Mon Compte Partenaire : suivi de votre demande",
        &format!(
            "Bonjour,\n\nVotre demande {kind} ({id}) {what}.\n{reason}\n\
             Consultez-la : GET /api/v1/requests/{id}\n",
            id = row.id,
            reason = row
                .reason
                .as_deref()
                .map(|r| format!("Motif : {r}\n"))
                .unwrap_or_default(),
        ),
    )
}

pub(crate) fn set_status(
    conn: &mut DbConnection,
    ctx: &Ctx,
    row: RequestRow,
    to: RequestStatus,
    reason: Option<String>,
    result: Option<Value>,
) -> Result<RequestRow> {
    let by_caf = !ctx.principal().is_partner_staff();
    let (submitted_at, escalation_due_at) = if to == RequestStatus::Submitted {
        let contract = crate::store::conventions::row_in_force(conn, row.partner_id, ctx.today())?;
        let due = match contract {
            Some(c) => c.service_centre()?.escalation_due_at(ctx.now),
            None => {
                mcp_domain::service_centre::ServiceCentreTerms::default().escalation_due_at(ctx.now)
            }
        };
        (Some(ctx.now), due)
    } else {
        (row.submitted_at, row.escalation_due_at)
    };
    let (decided_by, decided_at) = if by_caf {
        (Some(Id(ctx.principal().account_id)), Some(ctx.now))
    } else {
        (row.decided_by, row.decided_at)
    };
    let result = result.map(|r| r.to_string()).or(row.result.clone());
    diesel::update(habilitation_requests::table.find(&row.id))
        .set((
            habilitation_requests::status.eq(to.code()),
            habilitation_requests::submitted_at.eq(submitted_at),
            habilitation_requests::escalation_due_at.eq(escalation_due_at),
            habilitation_requests::decided_by.eq(&decided_by),
            habilitation_requests::decided_at.eq(decided_at),
            habilitation_requests::reason.eq(&reason),
            habilitation_requests::result.eq(&result),
            habilitation_requests::updated_at.eq(ctx.now),
        ))
        .execute(conn)?;
    Ok(RequestRow {
        status: to.code().into(),
        submitted_at,
        escalation_due_at,
        decided_by,
        decided_at,
        reason,
        result,
        updated_at: ctx.now,
        ..row
    })
}

/// Filters of request lists.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Only this status.
    pub status: Option<RequestStatus>,
    /// Only this kind.
    pub kind: Option<RequestKind>,
    /// Only this partner (Caf inbox).
    pub partner_id: Option<PartnerId>,
    /// Only those due for escalation.
    pub escalation_due: bool,
}

pub(crate) fn list(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    caf_id: Option<Id<CafId>>,
    partner_id: Option<String>,
    filter: &RequestFilter,
    page: &PageRequest,
) -> Result<Page<RequestView>> {
    let mut q = habilitation_requests::table
        .select(RequestRow::as_select())
        .into_boxed();
    if let Some(c) = caf_id {
        q = q.filter(habilitation_requests::caf_id.eq(c.to_string()));
    }
    if let Some(p) = partner_id {
        q = q.filter(habilitation_requests::partner_id.eq(p));
    }
    if let Some(s) = filter.status {
        q = q.filter(habilitation_requests::status.eq(s.code()));
    }
    if let Some(k) = filter.kind {
        q = q.filter(habilitation_requests::kind.eq(k.code()));
    }
    if filter.escalation_due {
        q = q
            .filter(habilitation_requests::status.eq(RequestStatus::Submitted.code()))
            .filter(habilitation_requests::escalation_due_at.le(now));
    }
    if let Some(after) = &page.cursor {
        q = q.filter(habilitation_requests::id.gt(after));
    }
    let limit = page.limit();
    let rows: Vec<RequestRow> = q
        .order(habilitation_requests::id.asc())
        .limit(limit + 1)
        .load(conn)?;
    Page::from_rows(rows, limit, |r| r.id.to_string(), |r| view(r, now))
}

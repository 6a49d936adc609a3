//! The one way a use case is run for an authenticated caller: the use case authorizes, loads,
//! asks the domain, writes and traces its success in its own transaction; when the rules refuse
//! (403, 404 of an object outside the caller's reach, 409, 422 of a rule), that transaction is
//! rolled back and the runner traces the refusal — who, what was asked, the code — so that no
//! use case has to remember to (S-art. 5.3.1: every action, from login to logout, is recorded).

use mcp_domain::vocabulary::{TargetType, TraceAction};
use mcp_domain::DomainError;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::store::trace::{self, Event, Outcome};

/// The trace action of a refused request.
pub const REFUSED: TraceAction = TraceAction::OperationRefused;

/// Runs `use_case` for the caller of `ctx`, and traces its refusal if the rules refused it.
///
/// Badly filled input (422 `validation_failed`) is not traced: it decides nothing about access,
/// and the same goes for what never reaches a use case (malformed bodies, bad tokens). A
/// request without an authenticated person (login, activation) traces its own attempts. If the
/// refusal cannot be traced, the caller gets that failure instead of the refusal: no refusal
/// goes unrecorded because the database failed at that moment.
pub fn run<T>(
    db: &Database,
    ctx: &Ctx,
    use_case: impl FnOnce(&Database, &Ctx) -> Result<T>,
) -> Result<T> {
    let outcome = use_case(db, ctx);
    if let Err(Error::Domain(refusal)) = &outcome {
        if refusal.is_decision() && ctx.principal.is_some() {
            db.write(|conn| trace::record(conn, ctx, refusal_event(ctx, refusal)))?;
        }
    }
    outcome
}

/// The trace of a refusal: what was asked (operation, route, the values that named its
/// objects) and the code the caller got. Its target is the last object the route named by a
/// UUID (the habilitation of `/habilitations/{id}/suspension`, the partner of
/// `/partners/{id}/habilitations`), or the beneficiary file it named.
fn refusal_event(ctx: &Ctx, refusal: &DomainError) -> Event {
    let asked = ctx.asked.as_ref();
    let params: Map<String, Value> = asked
        .map(|a| {
            a.params
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect()
        })
        .unwrap_or_default();
    let target = asked.and_then(|a| {
        a.params
            .iter()
            .rev()
            .find_map(|(name, value)| Some((name.as_str(), Uuid::parse_str(value).ok()?)))
    });
    let file_number = asked.and_then(|a| a.file_number.as_deref());
    let target_type = match (file_number, target) {
        (Some(_), _) => TargetType::BeneficiaryFile,
        (None, Some((name, _))) => {
            TargetType::of_route_parameter(name).unwrap_or(TargetType::Operation)
        }
        (None, None) => TargetType::Operation,
    };
    Event {
        action: REFUSED,
        target_type,
        target_id: target.filter(|_| file_number.is_none()).map(|(_, id)| id),
        caf_id: None,
        partner_id: None,
        outcome: Outcome::Denied,
        detail: json!({
            "operation": asked.map(|a| a.operation.as_str()),
            "route": asked.map(|a| a.route.as_str()),
            "params": params,
            "asked": file_number.map(|n| json!({ "numero": n })),
            "code": refusal.code(),
            "status": refusal.status(),
        }),
    }
}

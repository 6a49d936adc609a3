//! Sends a request to the Caf, checked again against today's state.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use mcp_domain::access::Function;
use mcp_domain::ids::{AccountId, RequestId};
use mcp_domain::request::RequestStep;
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// Sends a request to the Caf, checked again against today's state; a request giving a profile
/// then reserves its seat. Credentials reported lost or stolen stop working at once, before
/// the Caf decides: their sessions end and their password is voided (the person sets a new one
/// with a reset code sent to their own e-mail, should the Caf keep their access).
pub fn submit(db: &Database, ctx: &Ctx, id: RequestId) -> Result<RequestView> {
    db.write(|conn| {
        let (row, partner) = load(conn, ctx, id, Function::FileRequests)?;
        let to = row.status()?.after(RequestStep::Submit)?;
        let (form, seat) = check_form(conn, &partner, row.form()?, ctx.today())?;
        if let Some(seat) = &seat {
            // The person the seat is for: the account named, or the one the person already
            // has (one person, one account), or nobody yet.
            let account = match &form {
                Form::ChangeRights(f) => Some(f.account_id),
                Form::Habilitate(f) => {
                    let key = mcp_domain::person::email_key(&f.person.email);
                    let account = crate::store::accounts::of_person(conn, partner.id, &key)?;
                    account.map(|a| a.id.uuid())
                }
                Form::RemoveAccess(_) | Form::ChangeAdministrator(_) => None,
            };
            check_seat(conn, seat, row.id, account)?;
        }
        let mut ended = 0;
        if let Form::RemoveAccess(f) = &form {
            for line in f.people.iter().filter(|l| l.lost_or_stolen) {
                let a = &line.account_id;
                {
                    crate::store::accounts::revoke_credentials(
                        conn,
                        ctx,
                        (*a).into(),
                        mcp_domain::vocabulary::SessionEnd::CredentialsLostOrStolen.code(),
                    )?;
                    ended += crate::store::sessions::revoke_others_in(
                        conn,
                        ctx,
                        Id(AccountId::from(*a)),
                        None,
                        mcp_domain::vocabulary::SessionEnd::CredentialsLostOrStolen,
                    )?;
                }
            }
        }
        let row = set_status(conn, ctx, row, to, None, None)?;
        record(
            conn,
            ctx,
            &row,
            TraceAction::RequestSubmitted,
            json!({ "sessions_ended": ended }),
        )?;
        view(row, ctx.now)
    })
}

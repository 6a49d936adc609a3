//! Live habilitations of a Caf's partners not used since `since`.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::schema::{accounts, group_members, habilitations, sessions};
use crate::store::accounts::Account;
use crate::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use mcp_domain::access::{authorize, Function, Reach};
use mcp_domain::habilitation::HabilitationStatus;
use mcp_domain::ids::CafId;
use mcp_domain::vocabulary::HolderKind;
use std::collections::BTreeMap;

use super::*;

/// Live habilitations of a Caf's partners not used since `since`: candidates for removal at the
/// next review (C-art. 9.2: keep the number of people low). A CDAP habilitation is unused when no
/// consultation was served through it since then (never used: `last_used_at` null); a group's
/// habilitation also lists each member who has not signed in since then, since a consultation by
/// one member says nothing of the others. Services whose use is not recorded fall back on the
/// holder's last sign-in.
pub fn unused(
    db: &Database,
    ctx: &Ctx,
    caf_id: CafId,
    since: NaiveDateTime,
    page: &PageRequest,
) -> Result<Page<Unused>> {
    authorize(
        ctx.principal(),
        Function::ReadHabilitations,
        Reach::Caf(caf_id),
    )?;
    db.read(|conn| {
        crate::store::cafs::load(conn, caf_id)?;
        let recorded = use_recorded_profiles(conn)?;
        let mut last_seen: BTreeMap<String, Option<NaiveDateTime>> = BTreeMap::new();
        let live = |conn: &mut DbConnection, after: Option<&str>, n: i64| {
            let mut q = habilitations::table
                .filter(habilitations::caf_id.eq(caf_id.to_string()))
                .filter(habilitations::status.ne(HabilitationStatus::Devalidated.code()))
                .into_boxed();
            if let Some(after) = after {
                q = q.filter(habilitations::id.gt(after.to_string()));
            }
            Ok(q.order(habilitations::id.asc())
                .limit(n)
                .select(Habilitation::as_select())
                .load(conn)?)
        };
        // A page ends at a habilitation's boundary: a group's members stay on one page.
        Page::by_groups(
            page,
            conn,
            live,
            |h: &Habilitation| h.id.to_string(),
            |conn, h| {
                let mut out = vec![];
                let by_group =
                    crate::read_code(&h.holder_kind, HolderKind::from_code)? == HolderKind::Group;
                let people: Vec<String> = if by_group {
                    group_members::table
                        .filter(group_members::group_id.eq(&h.holder_id))
                        .select(group_members::account_id)
                        .load(conn)?
                } else {
                    vec![h.holder_id.clone()]
                };
                let use_recorded = recorded.contains(&h.profile_id);
                let habilitation_unused = h.last_used_at.is_none_or(|l| l < since);
                let hv = view(conn, h)?;
                for person in people {
                    // A person reached by several habilitations is looked up once.
                    let last = match last_seen.get(&person) {
                        Some(l) => *l,
                        None => {
                            let l: Option<NaiveDateTime> = sessions::table
                                .filter(sessions::account_id.eq(&person))
                                .select(diesel::dsl::max(sessions::last_used_at))
                                .first(conn)?;
                            last_seen.insert(person.clone(), l);
                            l
                        }
                    };
                    let unseen = last.is_none_or(|l| l < since);
                    let unused = match (use_recorded, by_group) {
                        (true, false) => habilitation_unused,
                        (true, true) => habilitation_unused || unseen,
                        (false, _) => unseen,
                    };
                    if unused {
                        let account: Account = accounts::table
                            .find(&person)
                            .select(Account::as_select())
                            .first(conn)?;
                        out.push(Unused {
                            habilitation: hv.clone(),
                            account,
                            last_seen_at: last,
                        });
                    }
                }
                Ok(out)
            },
        )
    })
}

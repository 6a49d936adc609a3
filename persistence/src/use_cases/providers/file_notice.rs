//! A partner tells the Caf of the service providers it means to use.

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::Result;
use crate::id::Id;
use crate::store::trace;
use mcp_domain::access::Function;
use mcp_domain::ids::{ConventionId, ProviderNoticeId};
use mcp_domain::provider::{self, Notice, Provider};
use mcp_domain::vocabulary::TraceAction;
use serde_json::json;

use super::*;

/// Files a notice of providers under a convention not terminated (the partner's
/// administrators): the five items of C-art. 14 for each provider, and the safeguards where data
/// leave the protected countries. The Caf's administrators are told at once, to record the day
/// they received it.
pub fn file_notice(
    db: &Database,
    ctx: &Ctx,
    convention_id: ConventionId,
    providers: &[Provider],
    safeguards: Option<&str>,
) -> Result<NoticeRow> {
    db.write(|conn| {
        let conv = crate::store::conventions::load_for(
            conn,
            ctx,
            convention_id,
            Function::DeclareProviders,
        )?;
        provider::check_convention(conv.life.status(ctx.today()))?;
        let notice = Notice::check(providers, safeguards)?;
        let (caf_id, partner_id) = (conv.row.caf_id.get(), conv.row.partner_id.get());
        let partner =
            crate::store::partners::load_for(conn, ctx, partner_id, Function::DeclareProviders)?;
        let id: Id<ProviderNoticeId> = Id::new();
        insert(
            conn,
            id,
            conv.row.id,
            (caf_id, partner_id),
            &notice,
            ctx.principal().account_id(),
            ctx.now,
        )?;
        let message = provider::filed_message(&partner.name, &conv.row.number, &notice);
        let caf_admins = crate::store::accounts::administrators(conn, caf_id, None)?;
        tell(conn, ctx, &caf_admins, &message)?;
        let row = load(conn, id.get())?;
        let names: Vec<&str> = notice.providers.iter().map(|p| p.name.as_str()).collect();
        trace::record(
            conn,
            ctx,
            event(
                &row,
                TraceAction::ProviderNoticeFiled,
                json!({
                    "convention": conv.row.number,
                    "providers": names,
                    "safeguards": notice.safeguards.is_some(),
                }),
            ),
        )?;
        Ok(row)
    })
}

//! The report of a completed campaign (the Caf's administrators, the partner's, the Cnaf).

use crate::ctx::Ctx;
use crate::db::Database;
use crate::error::{Error, Result};
use mcp_domain::access::{authorize, Function};
use mcp_domain::ids::CampaignId;
use mcp_domain::review::ReviewReport;
use mcp_domain::{DomainError, ErrorCode};

use super::*;

/// The report of a completed campaign (the Caf's administrators, the partner's, the Cnaf).
pub fn report(db: &Database, ctx: &Ctx, id: CampaignId) -> Result<StoredReport> {
    db.read(|conn| {
        let c = load_campaign(conn, id)?;
        authorize(ctx.principal(), Function::ReadReviews, c.reach()?)?;
        let (Some(canonical), Some(digest)) = (c.report, c.report_digest) else {
            return Err(DomainError::conflict(
                ErrorCode::ReviewCampaignOpen,
                mcp_domain::msg!("le rapport n'existe qu'une fois la campagne terminée par l'administrateur principal", "the report exists once the principal administrator completes the campaign"),
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

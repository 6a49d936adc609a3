//! The lookup a consultation makes, alone.

use crate::db::Database;
use crate::error::Result;
use crate::schema::beneficiary_files;
use diesel::prelude::*;
use mcp_domain::ids::CafId;

/// The lookup a consultation makes, alone: for the benchmark's comparison with the database's
/// own speed.
pub fn lookup_only(db: &Database, caf_id: CafId, numero: &str) -> Result<Option<String>> {
    db.read(|conn| {
        Ok(beneficiary_files::table
            .filter(beneficiary_files::caf_id.eq(caf_id.to_string()))
            .filter(beneficiary_files::numero.eq(numero))
            .select(beneficiary_files::document)
            .first(conn)
            .optional()?)
    })
}

//! Whose software a sign-in page is for, for the person about to sign in.

use crate::db::Database;
use crate::error::Result;
use diesel::prelude::*;

use super::*;

/// The names of the Caf that registered `app` and of the partner it belongs to.
pub fn names(db: &Database, app: &ClientApplication) -> Result<(String, String)> {
    db.read(|conn| {
        let caf = crate::store::cafs::load(conn, app.caf_id.get())?;
        let partner: String = crate::schema::partners::table
            .find(&app.partner_id)
            .select(crate::schema::partners::name)
            .first(conn)?;
        Ok((caf.name, partner))
    })
}

//! Forgets the failures of a key after a successful login.

use crate::db::Database;
use crate::error::Result;
use crate::schema::login_throttle;
use diesel::prelude::*;

use super::*;

/// Forgets the failures of a key after a successful login.
pub fn succeeded(db: &Database, key: &Key) -> Result<()> {
    db.write(|conn| {
        diesel::delete(login_throttle::table.find(&key.key)).execute(conn)?;
        Ok(())
    })
}

//! A row's typed id: stored as text on both engines, read back as the domain's id
//! (`Id<PartnerId>`), so a query filtering partners cannot be handed an account's id and a row
//! read back never needs a conversion that could be forgotten.

use std::fmt;
use std::str::FromStr;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;
use uuid::Uuid;

use crate::db::MultiBackend;

/// A domain id (`PartnerId`, `AccountId`…) as a column holds it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    AsExpression,
    FromSqlRow,
    serde::Serialize,
    serde::Deserialize,
)]
#[diesel(sql_type = Text)]
#[serde(transparent)]
pub struct Id<T>(pub T);

/// What the domain's typed ids are: a UUID, printed and parsed as one.
pub trait DomainId:
    Copy + fmt::Display + fmt::Debug + FromStr + From<Uuid> + Send + Sync + 'static
{
}

impl<T> DomainId for T where
    T: Copy + fmt::Display + fmt::Debug + FromStr + From<Uuid> + Send + Sync + 'static
{
}

impl<T: PartialEq> PartialEq<T> for Id<T> {
    fn eq(&self, other: &T) -> bool {
        self.0 == *other
    }
}

impl<T> std::ops::Deref for Id<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: From<Uuid>> Id<T> {
    /// A new time-ordered id: pages ordered by id follow creation order.
    pub fn new() -> Self {
        Id(T::from(Uuid::now_v7()))
    }
}

impl<T: From<Uuid>> Default for Id<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy> Id<T> {
    /// The domain's id.
    pub fn get(self) -> T {
        self.0
    }
}

impl<T> From<T> for Id<T> {
    fn from(id: T) -> Self {
        Id(id)
    }
}

impl<T: fmt::Display> fmt::Display for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: DomainId> ToSql<Text, Sqlite> for Id<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.to_string());
        Ok(IsNull::No)
    }
}

impl<T: DomainId> ToSql<Text, Pg> for Id<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        use std::io::Write;
        write!(out, "{}", self.0)?;
        Ok(IsNull::No)
    }
}

impl<T: DomainId> ToSql<Text, MultiBackend> for Id<T> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Text, self));
        Ok(IsNull::No)
    }
}

impl<T, DB> FromSql<Text, DB> for Id<T>
where
    DB: Backend,
    String: FromSql<Text, DB>,
    T: DomainId,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let stored = String::from_sql(bytes)?;
        stored
            .parse()
            .map(Id)
            .map_err(|_| format!("not a UUID: {stored}").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::prelude::*;
    use diesel::sql_types::Text;
    use mcp_domain::ids::PartnerId;

    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        id: Id<PartnerId>,
    }

    #[test]
    fn an_id_is_written_as_its_uuid_and_read_back_typed() {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        let id: Id<PartnerId> = Id::new();
        let row: Row = diesel::sql_query("SELECT ? AS id")
            .bind::<Text, _>(id)
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(row.id, id);
        let text: Vec<String> = diesel::select(id.into_sql::<Text>())
            .load(&mut conn)
            .unwrap();
        assert_eq!(text, vec![id.get().to_string()]);
        let corrupt = diesel::sql_query("SELECT 'P1' AS id").get_result::<Row>(&mut conn);
        assert!(
            corrupt.is_err(),
            "a stored value that is not a UUID is not read as an id"
        );
    }
}

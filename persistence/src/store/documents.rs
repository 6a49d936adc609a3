//! Documents of a convention: their description, and their bytes behind [`Contents`] (in the
//! database by default; an object store can implement it later).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use mcp_domain::document::{Checked, Kind};
use mcp_domain::ids::{AccountId, CafId, ConventionId, DocumentId, PartnerId};
use mcp_domain::DomainError;

use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::schema::{document_contents, documents};

/// A document as described.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    /// Opaque id.
    pub id: Id<DocumentId>,
    /// The convention.
    pub convention_id: Id<ConventionId>,
    /// The partner.
    pub partner_id: Id<PartnerId>,
    /// Its Caf.
    pub caf_id: Id<CafId>,
    /// A `Kind` code.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its file name.
    pub file_name: String,
    /// Its media type.
    pub media_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
    /// For a deliberation: its number.
    pub deliberation_number: Option<String>,
    /// For a deliberation: the day it was adopted.
    pub deliberation_adopted_on: Option<NaiveDate>,
    /// For a deliberation: the préfecture's acknowledgement.
    pub prefecture_acknowledgement: Option<String>,
    /// Who attached it.
    pub attached_by: Id<AccountId>,
    /// When.
    pub attached_at: NaiveDateTime,
}

impl DocumentRow {
    /// What it is.
    pub fn kind(&self) -> Result<Kind> {
        crate::read_code(&self.kind, Kind::from_code)
    }
}

/// Where the bytes of documents are kept, in the transaction that describes them.
pub trait Contents: Send + Sync {
    /// Keeps the bytes of a new document.
    fn put(&self, conn: &mut DbConnection, id: Id<DocumentId>, bytes: &[u8]) -> Result<()>;
    /// Gives them back.
    fn get(&self, conn: &mut DbConnection, id: Id<DocumentId>) -> Result<Vec<u8>>;
}

/// The bytes in the database, beside their description (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct InDatabase;

impl Contents for InDatabase {
    fn put(&self, conn: &mut DbConnection, id: Id<DocumentId>, bytes: &[u8]) -> Result<()> {
        diesel::insert_into(document_contents::table)
            .values((
                document_contents::document_id.eq(id),
                document_contents::content.eq(bytes),
            ))
            .execute(conn)?;
        Ok(())
    }

    fn get(&self, conn: &mut DbConnection, id: Id<DocumentId>) -> Result<Vec<u8>> {
        document_contents::table
            .find(id)
            .select(document_contents::content)
            .first(conn)
            .optional()?
            .ok_or_else(|| Error::Corrupt(format!("document {id:?} has no content")))
    }
}

/// Describes a document attached.
pub fn insert(
    conn: &mut DbConnection,
    id: Id<DocumentId>,
    (convention_id, caf_id, partner_id): (Id<ConventionId>, CafId, PartnerId),
    doc: &Checked,
    by: AccountId,
    now: NaiveDateTime,
) -> Result<()> {
    let d = doc.deliberation.as_ref();
    diesel::insert_into(documents::table)
        .values((
            documents::id.eq(id),
            documents::convention_id.eq(convention_id),
            documents::partner_id.eq(Id(partner_id)),
            documents::caf_id.eq(Id(caf_id)),
            documents::kind.eq(doc.kind.code()),
            documents::title.eq(&doc.title),
            documents::file_name.eq(&doc.file_name),
            documents::media_type.eq(doc.media_type),
            documents::size.eq(doc.size as i64),
            documents::sha256.eq(&doc.sha256),
            documents::deliberation_number.eq(d.map(|d| d.number.as_str())),
            documents::deliberation_adopted_on.eq(d.map(|d| d.adopted_on)),
            documents::prefecture_acknowledgement
                .eq(d.map(|d| d.prefecture_acknowledgement.as_str())),
            documents::attached_by.eq(Id(by)),
            documents::attached_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// One document's description; 404 when there is none.
pub fn load(conn: &mut DbConnection, id: DocumentId) -> Result<DocumentRow> {
    documents::table
        .find(Id(id))
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::Domain(DomainError::NotFound))
}

/// The document of a convention with this kind and SHA-256, if one was attached.
pub fn same_file(
    conn: &mut DbConnection,
    convention_id: Id<ConventionId>,
    kind: Kind,
    sha256: &str,
) -> Result<Option<DocumentRow>> {
    Ok(documents::table
        .filter(documents::convention_id.eq(convention_id))
        .filter(documents::kind.eq(kind.code()))
        .filter(documents::sha256.eq(sha256))
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()?)
}

/// The documents of a convention, oldest first.
pub fn of_convention(
    conn: &mut DbConnection,
    convention_id: Id<ConventionId>,
) -> Result<Vec<DocumentRow>> {
    Ok(documents::table
        .filter(documents::convention_id.eq(convention_id))
        .order(documents::id)
        .select(DocumentRow::as_select())
        .load(conn)?)
}

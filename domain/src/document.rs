//! Documents of a convention: the signed convention, the service contract, the bulletins and
//! amendments, the deliberation authorising the partner to sign (its number, date and the
//! préfecture's acknowledgement), and the evidence of the RGPD formalities (C-art. 17.1). Each is
//! a PDF, checked as such, whose SHA-256 the sender declares and the service verifies.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::access::{Function, Principal, Role};
use crate::error::{Checks, DomainError};

/// The largest document accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The convention, signed by both parties.
    SignedConvention,
    /// The service contract and its annexes.
    ServiceContract,
    /// A bulletin d'adhésion.
    Bulletin,
    /// An amendment (avenant).
    Amendment,
    /// The deliberation authorising the partner's representative to sign.
    Deliberation,
    /// Evidence of the RGPD formalities (register entry, impact assessment…).
    RgpdEvidence,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 6] = [
        Self::SignedConvention,
        Self::ServiceContract,
        Self::Bulletin,
        Self::Amendment,
        Self::Deliberation,
        Self::RgpdEvidence,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::SignedConvention => "signed_convention",
            Self::ServiceContract => "service_contract",
            Self::Bulletin => "bulletin",
            Self::Amendment => "amendment",
            Self::Deliberation => "deliberation",
            Self::RgpdEvidence => "rgpd_evidence",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The function under which `principal` attaches a document of `kind`: the Caf's
/// administrators attach any (the Caf keeps the signed originals); the partner's administrators
/// the documents that are the partner's to produce — its deliberation and its RGPD evidence.
pub fn attach_function(principal: &Principal, kind: Kind) -> Result<Function, DomainError> {
    match (principal.role, kind) {
        (Role::CafAdministrator, _) => Ok(Function::ManagePartners),
        (Role::PartnerAdministrator, Kind::Deliberation | Kind::RgpdEvidence) => {
            Ok(Function::AttachDocuments)
        }
        _ => Err(DomainError::Forbidden),
    }
}

/// The deliberation's references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deliberation {
    /// Its number.
    pub number: String,
    /// The day it was adopted.
    pub adopted_on: NaiveDate,
    /// The préfecture's acknowledgement of receipt (contrôle de légalité).
    pub prefecture_acknowledgement: String,
}

/// A document as sent.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// A `Kind` code.
    pub kind: &'a str,
    /// Its title.
    pub title: &'a str,
    /// Its file name.
    pub file_name: &'a str,
    /// The bytes.
    pub content: &'a [u8],
    /// The SHA-256 the sender computed, in hex.
    pub sha256: &'a str,
    /// For a deliberation, its references.
    pub deliberation: Option<Deliberation>,
}

/// A document checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// What it is.
    pub kind: Kind,
    /// Its title.
    pub title: String,
    /// Its file name.
    pub file_name: String,
    /// Its media type.
    pub media_type: &'static str,
    /// Its size in bytes.
    pub size: usize,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
    /// For a deliberation, its references.
    pub deliberation: Option<Deliberation>,
}

/// The SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Checks a document on `today`: a known kind, a title, a plain file name, a PDF of at most
/// [`MAX_BYTES`] whose SHA-256 is the one declared (the file arrived whole), and a deliberation's
/// references exactly for a deliberation.
pub fn check(input: &Input<'_>, today: NaiveDate) -> Result<Checked, DomainError> {
    let mut c = Checks::new();
    let kind = Kind::from_code(input.kind);
    if kind.is_none() {
        c.push(
            "kind",
            "unknown_kind",
            crate::msg!(
                "signed_convention, service_contract, bulletin, amendment, deliberation ou rgpd_evidence",
                "signed_convention, service_contract, bulletin, amendment, deliberation or rgpd_evidence"
            ),
        );
    }
    let title = c.take(crate::text::required("title", input.title, 200));
    let file_name = c.take(crate::text::required("file_name", input.file_name, 200));
    if file_name
        .as_deref()
        .is_some_and(|f| f.contains(['/', '\\']) || f.starts_with('.'))
    {
        c.push(
            "file_name",
            "invalid_file_name",
            crate::msg!(
                "un nom de fichier, sans chemin d'accès",
                "a file name, without folders"
            ),
        );
    }
    if input.content.is_empty() || input.content.len() > MAX_BYTES {
        c.push(
            "content",
            "size",
            crate::msg!(
                "un document pèse de 1 octet à {} Mio",
                "a document holds 1 byte to {} MiB",
                MAX_BYTES / 1024 / 1024
            ),
        );
    } else if !input.content.starts_with(b"%PDF-") {
        c.push(
            "content",
            "not_pdf",
            crate::msg!("un document est un fichier PDF", "a document is a PDF file"),
        );
    }
    let sha256 = sha256_hex(input.content);
    if !input.sha256.eq_ignore_ascii_case(&sha256) {
        c.push(
            "sha256",
            "mismatch",
            crate::msg!(
                "le fichier reçu n'a pas l'empreinte SHA-256 déclarée : envoyez-le de nouveau",
                "the file received does not have the SHA-256 declared: send it again"
            ),
        );
    }
    match (kind, &input.deliberation) {
        (Some(Kind::Deliberation), None) => c.push(
            "deliberation",
            "required",
            crate::msg!(
                "une délibération indique son numéro, sa date et l'accusé de réception de la préfecture",
                "a deliberation gives its number, date and the préfecture's acknowledgement"
            ),
        ),
        (Some(Kind::Deliberation), Some(d)) => {
            c.take(crate::text::required("deliberation.number", &d.number, 50));
            c.take(crate::text::required(
                "deliberation.prefecture_acknowledgement",
                &d.prefecture_acknowledgement,
                100,
            ));
            if d.adopted_on > today {
                c.push(
                    "deliberation.adopted_on",
                    "date_in_future",
                    crate::msg!(
                        "désigne un fait passé : ne peut pas être une date à venir",
                        "records a past event: must not be after today"
                    ),
                );
            }
        }
        (_, Some(_)) => c.push(
            "deliberation",
            "not_applicable",
            crate::msg!(
                "seule une délibération porte ces références",
                "only a deliberation gives these references"
            ),
        ),
        (_, None) => {}
    }
    c.finish()?;
    Ok(Checked {
        kind: kind.unwrap_or(Kind::SignedConvention),
        title: title.unwrap_or_default(),
        file_name: file_name.unwrap_or_default(),
        media_type: "application/pdf",
        size: input.content.len(),
        sha256,
        deliberation: input.deliberation.clone().map(|d| Deliberation {
            number: d.number.trim().to_string(),
            prefecture_acknowledgement: d.prefecture_acknowledgement.trim().to_string(),
            ..d
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n";

    fn input<'a>(kind: &'a str, content: &'a [u8], sha256: &'a str) -> Input<'a> {
        Input {
            kind,
            title: "Convention signée",
            file_name: "convention-251-2026-0007.pdf",
            content,
            sha256,
            deliberation: None,
        }
    }

    fn codes(e: DomainError) -> Vec<(String, &'static str)> {
        match e {
            DomainError::Validation(v) => v.into_iter().map(|f| (f.field, f.code)).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_document_is_a_whole_pdf() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let sum = sha256_hex(PDF);
        let ok = check(&input("signed_convention", PDF, &sum.to_uppercase()), today).unwrap();
        assert_eq!((ok.size, ok.sha256.as_str()), (PDF.len(), sum.as_str()));
        assert_eq!(
            codes(check(&input("signed_convention", PDF, &sha256_hex(b"x")), today).unwrap_err()),
            vec![("sha256".to_string(), "mismatch")]
        );
        let png = b"\x89PNG\r\n";
        assert_eq!(
            codes(check(&input("bulletin", png, &sha256_hex(png)), today).unwrap_err()),
            vec![("content".to_string(), "not_pdf")]
        );
        assert_eq!(
            codes(check(&input("memo", b"", &sha256_hex(b"")), today).unwrap_err()),
            vec![
                ("kind".to_string(), "unknown_kind"),
                ("content".to_string(), "size")
            ]
        );
        let mut bad_name = input("bulletin", PDF, &sum);
        bad_name.file_name = "../etc/passwd";
        assert_eq!(
            codes(check(&bad_name, today).unwrap_err()),
            vec![("file_name".to_string(), "invalid_file_name")]
        );
    }

    #[test]
    fn a_deliberation_gives_its_references_and_only_it() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let sum = sha256_hex(PDF);
        assert_eq!(
            codes(check(&input("deliberation", PDF, &sum), today).unwrap_err()),
            vec![("deliberation".to_string(), "required")]
        );
        let d = Deliberation {
            number: "2026-114".into(),
            adopted_on: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
            prefecture_acknowledgement: "077-217700001-20261120-2026_114-DE".into(),
        };
        let mut i = input("deliberation", PDF, &sum);
        i.deliberation = Some(d.clone());
        assert_eq!(
            codes(check(&i, today).unwrap_err()),
            vec![("deliberation.adopted_on".to_string(), "date_in_future")]
        );
        let mut j = input("bulletin", PDF, &sum);
        j.deliberation = Some(d);
        assert_eq!(
            codes(check(&j, today).unwrap_err()),
            vec![("deliberation".to_string(), "not_applicable")]
        );
    }

    #[test]
    fn the_caf_attaches_any_document_the_partner_its_own() {
        use crate::ids::{AccountId, CafId, PartnerId};
        use uuid::Uuid;
        let (a, caf, p) = (
            AccountId::from(Uuid::from_u128(1)),
            CafId::from(Uuid::from_u128(2)),
            PartnerId::from(Uuid::from_u128(3)),
        );
        let caf_admin = Principal::caf_administrator(a, caf);
        let partner_admin = Principal::partner_administrator(a, caf, p);
        assert_eq!(
            attach_function(&caf_admin, Kind::Bulletin),
            Ok(Function::ManagePartners)
        );
        assert_eq!(
            attach_function(&partner_admin, Kind::Deliberation),
            Ok(Function::AttachDocuments)
        );
        assert_eq!(
            attach_function(&partner_admin, Kind::SignedConvention),
            Err(DomainError::Forbidden)
        );
    }
}

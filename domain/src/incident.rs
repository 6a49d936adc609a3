//! Security incidents (C-art. 9.2, S-art. 5.1): the partner reports to the Caf without delay any
//! security incident in its perimeter that may endanger the data its users reach; the Caf's
//! security officer is told; the Caf may suspend accesses as a precaution; both sides record the
//! measures taken until the Caf closes the incident.

use chrono::NaiveDateTime;

use crate::access::{Function, Principal, Role};
use crate::convention::Party;
use crate::error::{Checks, DomainError, ErrorCode};
use crate::ids::AccountId;

/// Most accounts one report names.
pub const MAX_ACCOUNTS: usize = 200;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nature {
    /// Identifiers and passwords disclosed, guessed or stolen.
    CompromisedCredentials,
    /// A computer or telephone lost or stolen.
    LostOrStolenDevice,
    /// Malicious software on a workstation.
    Malware,
    /// Someone reached the service who should not have.
    UnauthorisedAccess,
    /// Data read from the service disclosed outside the partner.
    DataDisclosure,
    /// Anything else.
    Other,
}

impl Nature {
    /// Every nature.
    pub const ALL: [Nature; 6] = [
        Self::CompromisedCredentials,
        Self::LostOrStolenDevice,
        Self::Malware,
        Self::UnauthorisedAccess,
        Self::DataDisclosure,
        Self::Other,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::CompromisedCredentials => "compromised_credentials",
            Self::LostOrStolenDevice => "lost_or_stolen_device",
            Self::Malware => "malware",
            Self::UnauthorisedAccess => "unauthorised_access",
            Self::DataDisclosure => "data_disclosure",
            Self::Other => "other",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.code() == code)
    }

    /// As a French message says it.
    pub fn in_french(self) -> &'static str {
        match self {
            Self::CompromisedCredentials => "identifiants compromis",
            Self::LostOrStolenDevice => "poste ou téléphone perdu ou volé",
            Self::Malware => "logiciel malveillant",
            Self::UnauthorisedAccess => "accès non autorisé",
            Self::DataDisclosure => "divulgation de données",
            Self::Other => "autre incident",
        }
    }
}

/// A report, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// What happened.
    pub nature: Nature,
    /// What the partner knows of it.
    pub description: String,
    /// When it was detected (UTC).
    pub detected_at: NaiveDateTime,
    /// The partner's accounts whose access may be endangered.
    pub accounts: Vec<AccountId>,
}

impl Report {
    /// Checks a report made at `now`: a known nature, a description, a detection not in the
    /// future, each account once, among `partner_accounts` (the partner's own).
    pub fn check(
        nature: &str,
        description: &str,
        detected_at: NaiveDateTime,
        accounts: &[AccountId],
        partner_accounts: &[AccountId],
        now: NaiveDateTime,
    ) -> Result<Self, DomainError> {
        let mut c = Checks::new();
        let parsed = Nature::from_code(nature);
        if parsed.is_none() {
            c.push(
                "nature",
                "unknown_nature",
                crate::msg!(
                    "compromised_credentials, lost_or_stolen_device, malware, unauthorised_access, data_disclosure ou other",
                    "compromised_credentials, lost_or_stolen_device, malware, unauthorised_access, data_disclosure or other"
                ),
            );
        }
        let description = c.take(crate::text::required("description", description, 4000));
        if detected_at > now {
            c.push(
                "detected_at",
                "date_in_future",
                crate::msg!(
                    "désigne un fait passé : ne peut pas être dans le futur",
                    "records a past event: must not be after now"
                ),
            );
        }
        if accounts.len() > MAX_ACCOUNTS {
            c.push(
                "accounts_concerned",
                "too_many",
                crate::msg!(
                    "{MAX_ACCOUNTS} comptes au plus",
                    "at most {MAX_ACCOUNTS} accounts"
                ),
            );
        }
        for (i, a) in accounts.iter().enumerate() {
            let field = format!("accounts_concerned[{i}]");
            if accounts[..i].contains(a) {
                c.push(
                    field,
                    "duplicate",
                    crate::msg!("cité deux fois", "named twice"),
                );
            } else if !partner_accounts.contains(a) {
                c.push(
                    field,
                    "not_found",
                    crate::msg!(
                        "aucun compte de ce partenaire ne porte cet identifiant",
                        "no account of this partner has this id"
                    ),
                );
            }
        }
        c.finish()?;
        Ok(Self {
            nature: parsed.unwrap_or(Nature::Other),
            description: description.unwrap_or_default(),
            detected_at,
            accounts: accounts.to_vec(),
        })
    }
}

/// The side a person acts for on an incident, and the function that lets them: the partner's
/// administrators report and record their measures; the Caf's administrators follow it,
/// suspend accesses and close it.
pub fn side_of(principal: &Principal) -> Result<(Party, Function), DomainError> {
    match principal.role {
        Role::PartnerAdministrator => Ok((Party::Partner, Function::ReportIncidents)),
        Role::CafAdministrator => Ok((Party::Caf, Function::HandleIncidents)),
        _ => Err(DomainError::Forbidden),
    }
}

/// Nothing is added to an incident the Caf closed.
pub fn check_open(closed_at: Option<NaiveDateTime>) -> Result<(), DomainError> {
    match closed_at {
        None => Ok(()),
        Some(_) => Err(DomainError::conflict(
            ErrorCode::IncidentClosed,
            crate::msg!("la Caf a clos cet incident", "the Caf closed this incident"),
        )),
    }
}

/// The accounts the Caf suspends from an incident are the partner's own.
pub fn check_suspension(
    accounts: &[AccountId],
    partner_accounts: &[AccountId],
) -> Result<(), DomainError> {
    let mut c = Checks::new();
    if accounts.is_empty() {
        c.push(
            "account_ids",
            "required",
            crate::msg!(
                "l'incident ne cite aucun compte : indiquez les comptes à suspendre",
                "the incident names no account: give the accounts to suspend"
            ),
        );
    }
    for (i, a) in accounts.iter().enumerate() {
        if !partner_accounts.contains(a) {
            c.push(
                format!("account_ids[{i}]"),
                "not_found",
                crate::msg!(
                    "aucun compte de ce partenaire ne porte cet identifiant",
                    "no account of this partner has this id"
                ),
            );
        }
    }
    c.finish()
}

/// The measure a precautionary suspension records.
pub fn suspension_measure(suspended: usize) -> String {
    match suspended {
        0 => "Suspension par précaution demandée : les comptes concernés étaient déjà suspendus ou clos.".into(),
        1 => "Suspension par précaution d'un compte concerné ; ses sessions sont closes.".into(),
        n => format!("Suspension par précaution de {n} comptes concernés ; leurs sessions sont closes."),
    }
}

/// Checks the text of a measure or of a closure.
pub fn check_text(field: &str, text: &str) -> Result<String, DomainError> {
    crate::text::required(field, text, 4000)
}

/// The message telling the Caf of a report by `partner`.
pub fn reported_message(partner: &str, report: &Report) -> (String, String) {
    (
        format!("Mon Compte Partenaire : incident de sécurité signalé par {partner}"),
        format!(
            "Bonjour,\n\n{partner} signale un incident de sécurité (convention, art. 9.2) : \
             {nature}, détecté le {detected} (heure de Paris).\n\n{description}\n\nComptes \
             concernés : {count}.\n\nVous pouvez suspendre ces accès par précaution depuis \
             l'incident, et y consigner les mesures prises jusqu'à sa clôture.\n",
            nature = report.nature.in_french(),
            detected = crate::text::paris_time(report.detected_at),
            description = report.description,
            count = report.accounts.len(),
        ),
    )
}

/// The message telling the other side of a measure recorded by `by`.
pub fn measure_message(partner: &str, by: Party, text: &str) -> (String, String) {
    let who = match by {
        Party::Caf => "La Caf".to_string(),
        Party::Partner => partner.to_string(),
    };
    (
        format!("Mon Compte Partenaire : incident de sécurité de {partner}, mesure prise"),
        format!("Bonjour,\n\n{who} consigne une mesure sur l'incident de sécurité de {partner} :\n\n{text}\n"),
    )
}

/// The message telling the partner the Caf closed the incident.
pub fn closed_message(partner: &str, summary: &str) -> (String, String) {
    (
        format!("Mon Compte Partenaire : incident de sécurité de {partner} clos"),
        format!("Bonjour,\n\nLa Caf clôt l'incident de sécurité de {partner}.\n\n{summary}\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn a_report_names_what_happened_when_and_the_partners_own_accounts() {
        let now = t("2026-12-03 10:00");
        let ours = AccountId::from(Uuid::from_u128(1));
        let theirs = AccountId::from(Uuid::from_u128(2));
        let ok = Report::check(
            "malware",
            "Poste infecté",
            t("2026-12-03 09:00"),
            &[ours],
            &[ours],
            now,
        )
        .unwrap();
        assert_eq!((ok.nature, ok.accounts.len()), (Nature::Malware, 1));
        let codes = |e: DomainError| match e {
            DomainError::Validation(v) => {
                v.into_iter().map(|f| (f.field, f.code)).collect::<Vec<_>>()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(
            codes(
                Report::check(
                    "virus",
                    " ",
                    t("2026-12-04 09:00"),
                    &[ours, ours, theirs],
                    &[ours],
                    now
                )
                .unwrap_err()
            ),
            vec![
                ("nature".to_string(), "unknown_nature"),
                ("description".to_string(), "required"),
                ("detected_at".to_string(), "date_in_future"),
                ("accounts_concerned[1]".to_string(), "duplicate"),
                ("accounts_concerned[2]".to_string(), "not_found"),
            ]
        );
        for n in Nature::ALL {
            assert_eq!(Nature::from_code(n.code()), Some(n));
        }
    }

    #[test]
    fn the_partner_reports_the_caf_follows_and_a_closed_incident_stays_closed() {
        let caf = crate::ids::CafId::from(Uuid::from_u128(1));
        let partner = crate::ids::PartnerId::from(Uuid::from_u128(2));
        let a = AccountId::from(Uuid::from_u128(3));
        assert_eq!(
            side_of(&Principal::partner_administrator(a, caf, partner)),
            Ok((Party::Partner, Function::ReportIncidents))
        );
        assert_eq!(
            side_of(&Principal::caf_administrator(a, caf)),
            Ok((Party::Caf, Function::HandleIncidents))
        );
        assert_eq!(
            side_of(&Principal::partner_user(a, caf, partner, None)),
            Err(DomainError::Forbidden)
        );
        assert!(check_open(None).is_ok());
        assert_eq!(
            check_open(Some(t("2026-12-03 10:00")))
                .unwrap_err()
                .error_code(),
            ErrorCode::IncidentClosed
        );
    }
}

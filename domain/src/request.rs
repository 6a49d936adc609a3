//! Requests a partner sends the Caf (mode centralisé, and administrator changes in both modes):
//! the forms of annex 3 as a workflow (C-art. 9.1, S-art. 2.2).

use chrono::NaiveDateTime;

use crate::contract::ManagementMode;
use crate::error::{DomainError, ErrorCode};

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// Habilitate a new person: an account and a habilitation.
    Habilitate,
    /// Remove the access of one or more people (departure, change of function, lost credentials).
    RemoveAccess,
    /// Replace the principal administrator or the deputy.
    ChangeAdministrator,
    /// Change the rights of a person who already has an account: give them a profile, take one
    /// away, or both (a change of function).
    ChangeRights,
}

impl RequestKind {
    /// What the French messages call it: « votre demande d'habilitation ».
    pub fn in_french(self) -> &'static str {
        match self {
            Self::Habilitate => "d'habilitation",
            Self::RemoveAccess => "de suppression d'accès",
            Self::ChangeAdministrator => "de changement d'administrateur",
            Self::ChangeRights => "de modification des droits",
        }
    }

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Habilitate => "habilitate",
            Self::RemoveAccess => "remove_access",
            Self::ChangeAdministrator => "change_administrator",
            Self::ChangeRights => "change_rights",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::Habilitate,
            Self::RemoveAccess,
            Self::ChangeAdministrator,
            Self::ChangeRights,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }

    /// Whether a partner under `mode` sends this request. Administrator changes always go
    /// through the Caf (it alone manages administrators); the rest only in mode centralisé,
    /// since in mode délégué the partner's managers do it themselves.
    pub fn allowed_in(self, mode: ManagementMode) -> Result<(), DomainError> {
        match (self, mode) {
            (Self::ChangeAdministrator, _) | (_, ManagementMode::Centralise) => Ok(()),
            (_, ManagementMode::Delegue) => Err(DomainError::conflict(
                ErrorCode::DelegatedMode,
                crate::msg!(
                    "le contrat de ce partenaire est en mode délégué : ses administrateurs et \
                     gestionnaires délégués le font eux-mêmes (POST /api/v1/partners/{{partner_id}}/users, \
                     /habilitations, /accounts/{{account_id}}/closure)",
                    "this partner's contract is in mode délégué: its administrators and delegated \
                     managers do this themselves (POST /api/v1/partners/{{partner_id}}/users, \
                     /habilitations, /accounts/{{account_id}}/closure)"
                ),
            )),
        }
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    /// Being written by the partner.
    Draft,
    /// Sent, awaiting the Caf.
    Submitted,
    /// Sent back by the Caf for changes.
    ChangesRequested,
    /// Approved: the work is done.
    Approved,
    /// Refused, with a reason.
    Refused,
    /// Withdrawn by the partner.
    Withdrawn,
}

/// A step of a request's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStep {
    /// The partner edits it.
    Edit,
    /// The partner sends it.
    Submit,
    /// The Caf sends it back for changes.
    RequestChanges,
    /// The Caf approves it.
    Approve,
    /// The Caf refuses it.
    Refuse,
    /// The partner withdraws it.
    Withdraw,
}

impl RequestStatus {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::ChangesRequested => "changes_requested",
            Self::Approved => "approved",
            Self::Refused => "refused",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// What the French messages call it: « une demande envoyée ».
    pub fn in_french(self) -> &'static str {
        match self {
            Self::Draft => "en brouillon",
            Self::Submitted => "envoyée",
            Self::ChangesRequested => "renvoyée pour modification",
            Self::Approved => "approuvée",
            Self::Refused => "refusée",
            Self::Withdrawn => "retirée",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::Draft,
            Self::Submitted,
            Self::ChangesRequested,
            Self::Approved,
            Self::Refused,
            Self::Withdrawn,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    /// Whether the request still holds a seat in its profile's quota (sent and undecided).
    pub fn reserves_seat(self) -> bool {
        matches!(self, Self::Submitted | Self::ChangesRequested)
    }

    /// The status after `step`, or the conflict that forbids it.
    pub fn after(self, step: RequestStep) -> Result<Self, DomainError> {
        use RequestStatus::*;
        use RequestStep::*;
        match (self, step) {
            (Draft | ChangesRequested, Edit) => Ok(self),
            (Draft | ChangesRequested, Submit) => Ok(Submitted),
            (Submitted, RequestChanges) => Ok(ChangesRequested),
            (Submitted, Approve) => Ok(Approved),
            (Submitted, Refuse) => Ok(Refused),
            (Draft | Submitted | ChangesRequested, Withdraw) => Ok(Withdrawn),
            (status, step) => {
                let (status_fr, status_en) = (status.in_french(), status.code());
                let (step_fr, step_en) = step_label(step);
                Err(DomainError::conflict(
                    ErrorCode::RequestStatusConflict,
                    crate::msg!(
                        "une demande {status_fr} ne peut pas être {step_fr}",
                        "a request {status_en} cannot be {step_en}"
                    ),
                ))
            }
        }
    }
}

/// What a step makes of a request, in French and in English: « une demande … ne peut pas être
/// approuvée ».
fn step_label(step: RequestStep) -> (&'static str, &'static str) {
    match step {
        RequestStep::Edit => ("modifiée", "edited"),
        RequestStep::Submit => ("envoyée", "submitted"),
        RequestStep::RequestChanges => ("renvoyée pour modification", "sent back for changes"),
        RequestStep::Approve => ("approuvée", "approved"),
        RequestStep::Refuse => ("refusée", "refused"),
        RequestStep::Withdraw => ("retirée", "withdrawn"),
    }
}

/// Furthest ahead a removal of access may take effect ("à compter du").
pub const REMOVAL_HORIZON_DAYS: i64 = 366;

/// Checks the day a removal of access takes effect: within [`REMOVAL_HORIZON_DAYS`] of `today`
/// (a day past means at once: the person has already left).
pub fn check_removal_date(
    effective_on: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> Result<(), DomainError> {
    match effective_on {
        Some(d) if (d - today).num_days() > REMOVAL_HORIZON_DAYS => Err(DomainError::field(
            "effective_on",
            "too_far_ahead",
            crate::msg!(
                "une suppression d'accès prend effet dans un délai d'un an au plus",
                "a removal takes effect within a year"
            ),
        )),
        _ => Ok(()),
    }
}

/// Whether a request still awaiting the Caf at `now` is due for escalation (S-art. 3.3):
/// `due_at` is its contract's delay after it was sent (`ServiceCentreTerms::escalation_due_at`),
/// none when the contract sets no delay.
pub fn escalation_due(
    status: RequestStatus,
    due_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> bool {
    status == RequestStatus::Submitted && due_at.is_some_and(|d| d <= now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use RequestStatus::*;
    use RequestStep::*;

    #[test]
    fn a_removal_takes_effect_within_a_year() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let day = |n: i64| Some(today + Duration::days(n));
        assert!(check_removal_date(None, today).is_ok());
        assert!(
            check_removal_date(day(-30), today).is_ok(),
            "left already: at once"
        );
        assert!(check_removal_date(day(REMOVAL_HORIZON_DAYS), today).is_ok());
        assert!(check_removal_date(day(REMOVAL_HORIZON_DAYS + 1), today).is_err());
    }

    #[test]
    fn life_cycle() {
        // (from, step, to or None when refused)
        let table = [
            (Draft, Edit, Some(Draft)),
            (Draft, Submit, Some(Submitted)),
            (Draft, Approve, None),
            (Draft, Withdraw, Some(Withdrawn)),
            (Submitted, Edit, None),
            (Submitted, RequestChanges, Some(ChangesRequested)),
            (Submitted, Approve, Some(Approved)),
            (Submitted, Refuse, Some(Refused)),
            (Submitted, Withdraw, Some(Withdrawn)),
            (ChangesRequested, Edit, Some(ChangesRequested)),
            (ChangesRequested, Submit, Some(Submitted)),
            (ChangesRequested, Approve, None),
            (Approved, Withdraw, None),
            (Approved, Refuse, None),
            (Refused, Submit, None),
            (Withdrawn, Submit, None),
        ];
        for (from, step, to) in table {
            assert_eq!(from.after(step).ok(), to, "{from:?} {step:?}");
        }
        for s in [
            Draft,
            Submitted,
            ChangesRequested,
            Approved,
            Refused,
            Withdrawn,
        ] {
            assert_eq!(RequestStatus::from_code(s.code()), Some(s));
        }
        assert!(Submitted.reserves_seat() && ChangesRequested.reserves_seat());
        assert!(!Draft.reserves_seat() && !Approved.reserves_seat());
    }

    #[test]
    fn which_requests_each_mode_takes() {
        use ManagementMode::*;
        assert!(RequestKind::ChangeAdministrator.allowed_in(Delegue).is_ok());
        assert!(RequestKind::ChangeAdministrator
            .allowed_in(Centralise)
            .is_ok());
        assert!(RequestKind::Habilitate.allowed_in(Centralise).is_ok());
        assert!(RequestKind::RemoveAccess.allowed_in(Delegue).is_err());
        assert!(RequestKind::ChangeRights.allowed_in(Delegue).is_err());
        assert!(RequestKind::ChangeRights.allowed_in(Centralise).is_ok());
    }

    #[test]
    fn escalation_after_the_contracts_delay_unanswered() {
        let t = |d: i64| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, 1)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap()
                + Duration::days(d)
        };
        let terms = crate::service_centre::ServiceCentreTerms::default();
        let due = terms.escalation_due_at(t(0));
        assert!(!escalation_due(Submitted, due, t(9)));
        assert!(escalation_due(Submitted, due, t(10)));
        assert!(!escalation_due(ChangesRequested, due, t(30)));
        assert!(!escalation_due(Approved, due, t(30)));
        // A contract that sets no delay: only urgency escalates.
        assert!(!escalation_due(Submitted, None, t(400)));
    }
}

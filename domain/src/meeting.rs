//! Meetings on the convention (C-art. 16): the yearly review may be held as a meeting, which the
//! Cnaf may attend; either party may ask for a meeting, held within one month of the request's
//! receipt; after each meeting the minutes are drafted by each party in turn and validated by
//! both within 30 days.

use chrono::{Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::access::{Principal, Role};
use crate::convention::Party;
use crate::error::{Checks, DomainError, ErrorCode};
use crate::message::Message;

/// Days the two parties have to validate the minutes after the meeting.
pub const MINUTES_DAYS: i64 = 30;
/// Most attendees a meeting records.
pub const MAX_ATTENDEES: usize = 50;

/// Why the meeting is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The yearly review (bilan annuel).
    Annual,
    /// Asked for by one party: held within one month of the request.
    OnRequest,
}

impl Kind {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Annual => "annual",
            Self::OnRequest => "on_request",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Annual, Self::OnRequest]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// Whom an attendee represents: a party, or the Cnaf (controller of the processing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Represents {
    /// The Caf.
    Caf,
    /// The partner.
    Partner,
    /// The Cnaf.
    Cnaf,
}

/// Someone who attended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    /// Their name.
    pub name: String,
    /// Their function.
    pub function_title: String,
    /// Whom they represent.
    pub represents: Represents,
}

/// The party a person acts for in a meeting: a Caf's administrators for the Caf, a partner's
/// administrators for the partner.
pub fn side_of(principal: &Principal) -> Result<Party, DomainError> {
    match principal.role {
        Role::CafAdministrator => Ok(Party::Caf),
        Role::PartnerAdministrator => Ok(Party::Partner),
        _ => Err(DomainError::Forbidden),
    }
}

/// A meeting planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Why.
    pub kind: Kind,
    /// For a meeting asked for: which party asked, and when the request was received.
    pub requested: Option<(Party, NaiveDate)>,
    /// The day it must be held by (one month after the request), for a meeting asked for.
    pub due_by: Option<NaiveDate>,
    /// The day it is planned for.
    pub planned_on: NaiveDate,
}

/// Plans a meeting on `today`: a meeting `by` asks for is due within one month (the request is
/// received when it is recorded here), and planned no later; a yearly review is planned any day
/// not past.
pub fn plan(
    kind: Kind,
    by: Party,
    planned_on: NaiveDate,
    today: NaiveDate,
) -> Result<Planned, DomainError> {
    if planned_on < today {
        return Err(DomainError::field(
            "planned_on",
            "date_in_past",
            crate::msg!(
                "une réunion se tient aujourd'hui ou à une date ultérieure",
                "a meeting is planned for today or later"
            ),
        ));
    }
    let (requested, due_by) = match kind {
        Kind::Annual => (None, None),
        Kind::OnRequest => {
            let due = today + Months::new(1);
            if planned_on > due {
                let due_fr = due.format("%d/%m/%Y");
                return Err(DomainError::field(
                    "planned_on",
                    "beyond_one_month",
                    crate::msg!(
                        "une réunion demandée se tient dans le mois qui suit la demande : au plus \
                         tard le {due_fr}",
                        "a meeting asked for is held within one month of the request: by {due}"
                    ),
                ));
            }
            (Some((by, today)), Some(due))
        }
    };
    Ok(Planned {
        kind,
        requested,
        due_by,
        planned_on,
    })
}

/// A meeting held, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// The day.
    pub held_on: NaiveDate,
    /// Who attended.
    pub attendees: Vec<Attendee>,
    /// Whether the Cnaf was represented.
    pub cnaf_attended: bool,
    /// Which party drafts the minutes.
    pub drafter: Party,
    /// The day both parties must have validated the minutes by.
    pub minutes_due_by: NaiveDate,
    /// Held after the month a request allowed.
    pub late: bool,
}

/// Records a meeting held on `held_on` (not in the future): both parties attended; the minutes
/// are drafted by the party that did not draft the last minutes (the Caf first), and validated
/// within [`MINUTES_DAYS`].
pub fn hold(
    held_on: NaiveDate,
    attendees: &[Attendee],
    due_by: Option<NaiveDate>,
    last_drafter: Option<Party>,
    today: NaiveDate,
) -> Result<Held, DomainError> {
    let mut c = Checks::new();
    if held_on > today {
        c.push(
            "held_on",
            "date_in_future",
            crate::msg!(
                "désigne un fait passé : ne peut pas être une date à venir",
                "records a past event: must not be after today"
            ),
        );
    }
    if attendees.len() > MAX_ATTENDEES {
        c.push(
            "attendees",
            "too_many",
            crate::msg!("{MAX_ATTENDEES} au plus", "at most {MAX_ATTENDEES}"),
        );
    }
    let mut checked = vec![];
    for (i, a) in attendees.iter().enumerate() {
        let name = c.take(crate::text::name(
            &format!("attendees[{i}].name"),
            &a.name,
            200,
        ));
        let function_title = c.take(crate::text::required(
            &format!("attendees[{i}].function_title"),
            &a.function_title,
            200,
        ));
        if let (Some(name), Some(function_title)) = (name, function_title) {
            checked.push(Attendee {
                name,
                function_title,
                represents: a.represents,
            });
        }
    }
    for (party, who_fr, who_en) in [
        (Represents::Caf, "la Caf", "the Caf"),
        (Represents::Partner, "le partenaire", "the partner"),
    ] {
        if !attendees.iter().any(|a| a.represents == party) {
            c.push(
                "attendees",
                "party_missing",
                crate::msg!(
                    "{who_fr} doit participer à une réunion portant sur sa convention",
                    "{who_en} attends a meeting on its convention"
                ),
            );
        }
    }
    c.finish()?;
    Ok(Held {
        held_on,
        cnaf_attended: checked.iter().any(|a| a.represents == Represents::Cnaf),
        attendees: checked,
        drafter: match last_drafter {
            Some(Party::Caf) => Party::Partner,
            _ => Party::Caf,
        },
        minutes_due_by: held_on + Duration::days(MINUTES_DAYS),
        late: due_by.is_some_and(|due| held_on > due),
    })
}

/// Nothing is recorded twice: a meeting is held once, its minutes validated once by each party.
/// `refusal` says what is already recorded.
pub fn check_not_yet(done: bool, refusal: Message) -> Result<(), DomainError> {
    if done {
        return Err(DomainError::conflict(ErrorCode::MeetingStepDone, refusal));
    }
    Ok(())
}

/// Minutes are written for a meeting held, by the party whose turn it is, before either
/// party validated them.
pub fn check_drafting(
    drafter: Option<Party>,
    by: Party,
    validated: bool,
) -> Result<(), DomainError> {
    match drafter {
        None => Err(DomainError::conflict(
            ErrorCode::MeetingNotHeld,
            crate::msg!(
                "la réunion n'est pas encore enregistrée comme tenue",
                "the meeting is not recorded as held yet"
            ),
        )),
        Some(d) if d != by => Err(DomainError::rule(
            ErrorCode::NotYourMinutes,
            crate::msg!(
                "l'autre partie rédige ce compte rendu (chacune à son tour)",
                "the other party drafts these minutes (each in turn)"
            ),
        )),
        Some(_) => check_not_yet(
            validated,
            crate::msg!(
                "une validation de ce compte rendu est déjà enregistrée",
                "a validation of these minutes is already recorded"
            ),
        ),
    }
}

/// Each party validates written minutes once.
pub fn check_validation(written: bool, already: bool) -> Result<(), DomainError> {
    if !written {
        return Err(DomainError::conflict(
            ErrorCode::MinutesNotWritten,
            crate::msg!(
                "le compte rendu n'est pas encore rédigé",
                "the minutes are not written yet"
            ),
        ));
    }
    check_not_yet(
        already,
        crate::msg!(
            "votre validation de ce compte rendu est déjà enregistrée",
            "your validation of these minutes is already recorded"
        ),
    )
}

/// Whether the minutes' validation is late: both parties validated after `due_by`, or it has
/// passed without both validations.
pub fn minutes_late(
    due_by: Option<NaiveDate>,
    validated_on: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    due_by.is_some_and(|due| validated_on.unwrap_or(today) > due)
}

/// Checks the minutes' text.
pub fn check_minutes(text: &str) -> Result<String, DomainError> {
    crate::text::required("text", text, 20_000)
}

/// The message asking the other party for a meeting.
pub fn requested_message(
    partner: &str,
    by: Party,
    planned_on: NaiveDate,
    due_by: NaiveDate,
) -> (String, String) {
    let who = match by {
        Party::Caf => "La Caf".to_string(),
        Party::Partner => partner.to_string(),
    };
    (
        format!("Mon Compte Partenaire : demande de réunion ({partner})"),
        format!(
            "Bonjour,\n\n{who} demande une réunion de suivi de la convention (art. 16), prévue le \
             {planned}. Elle doit se tenir au plus tard le {due}, un mois après la demande.\n",
            planned = planned_on.format("%d/%m/%Y"),
            due = due_by.format("%d/%m/%Y"),
        ),
    )
}

/// The message asking the other party to validate the minutes.
pub fn minutes_message(partner: &str, held_on: NaiveDate, due_by: NaiveDate) -> (String, String) {
    (
        format!("Mon Compte Partenaire : compte rendu à valider ({partner})"),
        format!(
            "Bonjour,\n\nLe compte rendu de la réunion du {held} ({partner}) est rédigé. \
             Validez-le au plus tard le {due} (convention, art. 16 : sous 30 jours).\n",
            held = held_on.format("%d/%m/%Y"),
            due = due_by.format("%d/%m/%Y"),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn attendee(name: &str, represents: Represents) -> Attendee {
        Attendee {
            name: name.into(),
            function_title: "Responsable".into(),
            represents,
        }
    }

    #[test]
    fn a_meeting_asked_for_is_held_within_one_month() {
        let today = d("2026-12-03");
        let p = plan(Kind::OnRequest, Party::Partner, d("2027-01-03"), today).unwrap();
        assert_eq!(p.due_by, Some(d("2027-01-03")));
        assert_eq!(p.requested, Some((Party::Partner, today)));
        for (kind, on, code) in [
            (Kind::OnRequest, "2027-01-04", "beyond_one_month"),
            (Kind::Annual, "2026-12-02", "date_in_past"),
        ] {
            match plan(kind, Party::Caf, d(on), today) {
                Err(DomainError::Validation(v)) => assert_eq!(v[0].code, code),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            plan(Kind::Annual, Party::Caf, d("2027-09-01"), today)
                .unwrap()
                .due_by,
            None
        );
    }

    #[test]
    fn both_parties_attend_and_the_minutes_alternate() {
        let today = d("2026-12-03");
        let both = [
            attendee("Anne Martin", Represents::Caf),
            attendee("Claire Dupont", Represents::Partner),
        ];
        let h = hold(d("2026-12-02"), &both, Some(d("2026-12-01")), None, today).unwrap();
        assert_eq!(
            (h.drafter, h.cnaf_attended, h.late),
            (Party::Caf, false, true)
        );
        assert_eq!(h.minutes_due_by, d("2027-01-01"));
        let with_cnaf = [
            both[0].clone(),
            both[1].clone(),
            attendee("Léa Roux", Represents::Cnaf),
        ];
        let h = hold(d("2026-12-02"), &with_cnaf, None, Some(Party::Caf), today).unwrap();
        assert_eq!(
            (h.drafter, h.cnaf_attended, h.late),
            (Party::Partner, true, false)
        );
        match hold(d("2026-12-04"), &both[..1], None, None, today) {
            Err(DomainError::Validation(v)) => assert_eq!(
                v.iter()
                    .map(|f| (f.field.as_str(), f.code))
                    .collect::<Vec<_>>(),
                vec![
                    ("held_on", "date_in_future"),
                    ("attendees", "party_missing")
                ]
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn minutes_are_late_past_thirty_days_validated_or_not() {
        let due = Some(d("2027-01-01"));
        assert!(!minutes_late(due, Some(d("2027-01-01")), d("2027-02-01")));
        assert!(minutes_late(due, Some(d("2027-01-02")), d("2027-02-01")));
        assert!(minutes_late(due, None, d("2027-01-02")));
        assert!(!minutes_late(due, None, d("2026-12-20")));
        assert!(!minutes_late(None, None, d("2027-12-20")));
    }

    #[test]
    fn the_drafter_writes_before_any_validation() {
        assert!(check_drafting(Some(Party::Caf), Party::Caf, false).is_ok());
        assert_eq!(
            check_drafting(Some(Party::Caf), Party::Partner, false)
                .unwrap_err()
                .error_code(),
            ErrorCode::NotYourMinutes
        );
        assert_eq!(
            check_drafting(None, Party::Caf, false)
                .unwrap_err()
                .error_code(),
            ErrorCode::MeetingNotHeld
        );
        assert_eq!(
            check_drafting(Some(Party::Caf), Party::Caf, true)
                .unwrap_err()
                .error_code(),
            ErrorCode::MeetingStepDone
        );
    }
}

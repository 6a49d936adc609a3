//! The *Convention d'accès* and its life (C-art. 17): signature, RGPD formalities, tacit yearly
//! renewal, termination with its notice periods, amendments.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Checks, DomainError, ErrorCode};
use crate::text;

/// Notice between receipt of a unilateral termination letter and its earliest effect (C-art. 17.2).
pub const UNILATERAL_NOTICE_MONTHS: u32 = 3;
/// Delay after a formal notice left without effect before termination for breach (C-art. 17.2).
pub const BREACH_NOTICE_MONTHS: u32 = 1;
/// Length of one term of the convention, renewed tacitly (C-art. 17.1).
pub const TERM_MONTHS: u32 = 12;
/// Most missions one convention may list.
pub const MAX_MISSIONS: usize = 50;

/// Where a convention stands on a given day; computed from its dated events, never stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConventionStatus {
    /// Being drafted: freely editable, not yet signed by both parties.
    Draft,
    /// Signed by both parties, RGPD formalities not yet completed: no access opens (C-art. 17.1).
    Signed,
    /// Signed and RGPD formalities completed: access may open.
    Active,
    /// A termination was notified and has not yet taken effect.
    TerminationNotified,
    /// The termination has taken effect: the contract and its subscriptions have ended.
    Terminated,
}

/// One of the two signing parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The Caf.
    Caf,
    /// The partner.
    Partner,
}

impl Party {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Caf => "caf",
            Self::Partner => "partner",
        }
    }
    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "caf" => Some(Self::Caf),
            "partner" => Some(Self::Partner),
            _ => None,
        }
    }
}

/// The two ways a convention ends (C-art. 17.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TerminationKind {
    /// By registered letter of one party: at the requested date, never before three months.
    Unilateral,
    /// For breach: by right one month after a formal notice left without effect.
    Breach,
}

impl TerminationKind {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Unilateral => "unilateral",
            Self::Breach => "breach",
        }
    }
    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "unilateral" => Some(Self::Unilateral),
            "breach" => Some(Self::Breach),
            _ => None,
        }
    }
}

/// A notified termination, with the date it takes effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Termination {
    /// Unilateral or for breach.
    pub kind: TerminationKind,
    /// The party that sent the letter or the formal notice.
    pub initiated_by: Party,
    /// When the other party received the letter (unilateral) or the formal notice (breach).
    pub received_on: NaiveDate,
    /// The date the terminating party asked for (unilateral only).
    pub requested_on: Option<NaiveDate>,
    /// When the termination takes effect, computed by [`termination_effective_on`].
    pub effective_on: NaiveDate,
    /// Why, as written in the letter.
    pub reason: String,
}

/// A termination as the Caf records it, before its effective date is computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminationNotice {
    /// Unilateral or for breach.
    pub kind: TerminationKind,
    /// Who sent it.
    pub initiated_by: Party,
    /// Date of receipt by the other party.
    pub received_on: NaiveDate,
    /// Requested effective date (unilateral only; ignored otherwise).
    pub requested_on: Option<NaiveDate>,
    /// Why.
    pub reason: String,
}

/// When a termination takes effect (C-art. 17.2).
///
/// Unilateral: at the requested date, but never less than three months after the letter was
/// received. Breach: one month after the formal notice, if it stays without effect.
pub fn termination_effective_on(
    kind: TerminationKind,
    received_on: NaiveDate,
    requested_on: Option<NaiveDate>,
) -> NaiveDate {
    match kind {
        TerminationKind::Unilateral => {
            let earliest = add_months(received_on, UNILATERAL_NOTICE_MONTHS);
            requested_on.map_or(earliest, |r| r.max(earliest))
        }
        TerminationKind::Breach => add_months(received_on, BREACH_NOTICE_MONTHS),
    }
}

fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    // Month arithmetic clamps to the month's last day (31 Jan + 1 month = 28/29 Feb).
    d.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The day the `n`th yearly term after `start` begins. A year counted from 29 February ends on
/// the last day of February when the year has no 29th (art. 641 of the code de procédure
/// civile: without the same day, a term in years ends on the month's last day), so the next
/// term begins on 1 March — and on 29 February again in a leap year.
fn anniversary(start: NaiveDate, n: u32) -> NaiveDate {
    let same_day = add_months(start, TERM_MONTHS * n);
    if same_day.day() == start.day() {
        same_day
    } else {
        same_day.succ_opt().unwrap_or(NaiveDate::MAX)
    }
}

/// One yearly term of the convention: it renews tacitly at the end of each (C-art. 17.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// 1 for the first year, 2 after the first tacit renewal, …
    pub number: u32,
    /// First day of the term.
    pub starts_on: NaiveDate,
    /// Last day of the term.
    pub ends_on: NaiveDate,
}

/// How a change to a convention's documents must be made on a given day (C-art. 17.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeRegime {
    /// A draft is edited freely.
    Free,
    /// After signature every change is an amendment signed by both parties.
    Amendment,
    /// A terminated convention is closed to change.
    Closed,
}

/// The dated events of a convention's life, from which everything else is computed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConventionLife {
    /// When the partner signed.
    pub partner_signed_on: Option<NaiveDate>,
    /// When the Caf signed.
    pub caf_signed_on: Option<NaiveDate>,
    /// When the RGPD formalities were recorded as completed.
    pub rgpd_completed_on: Option<NaiveDate>,
    /// The notified termination, if any.
    pub termination: Option<Termination>,
}

impl ConventionLife {
    /// The day the convention took effect: the later of the two signatures (C-art. 17.1).
    pub fn effective_since(&self) -> Option<NaiveDate> {
        Some(self.partner_signed_on?.max(self.caf_signed_on?))
    }

    /// Where the convention stands on `today`.
    pub fn status(&self, today: NaiveDate) -> ConventionStatus {
        if self.effective_since().is_none() {
            return ConventionStatus::Draft;
        }
        if let Some(t) = &self.termination {
            return if today >= t.effective_on {
                ConventionStatus::Terminated
            } else {
                ConventionStatus::TerminationNotified
            };
        }
        if self.rgpd_completed_on.is_some() {
            ConventionStatus::Active
        } else {
            ConventionStatus::Signed
        }
    }

    /// Whether partner staff may use services under it on `today`: signed, RGPD formalities
    /// completed, not terminated (a notified termination keeps access until it takes effect).
    pub fn access_open(&self, today: NaiveDate) -> bool {
        self.rgpd_completed_on.is_some()
            && matches!(
                self.status(today),
                ConventionStatus::Active | ConventionStatus::TerminationNotified
            )
    }

    /// The yearly term running on `today`, renewals counted; none before it takes effect or
    /// once terminated.
    pub fn term_at(&self, today: NaiveDate) -> Option<Term> {
        let start = self.effective_since()?;
        if today < start || self.status(today) == ConventionStatus::Terminated {
            return None;
        }
        let mut n: u32 = 0;
        // Count whole years elapsed; a loop keeps 29 February exact.
        while anniversary(start, n + 1) <= today {
            n += 1;
        }
        let starts_on = anniversary(start, n);
        let ends_on = anniversary(start, n + 1)
            .pred_opt()
            .unwrap_or(NaiveDate::MAX);
        Some(Term {
            number: n + 1,
            starts_on,
            ends_on,
        })
    }

    /// How changes are made on `today`.
    pub fn change_regime(&self, today: NaiveDate) -> ChangeRegime {
        match self.status(today) {
            ConventionStatus::Draft => ChangeRegime::Free,
            ConventionStatus::Terminated => ChangeRegime::Closed,
            _ => ChangeRegime::Amendment,
        }
    }

    /// Records both signatures; the convention takes effect at the later one.
    pub fn sign(
        &mut self,
        partner_signed_on: NaiveDate,
        caf_signed_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<NaiveDate, DomainError> {
        if self.status(today) != ConventionStatus::Draft {
            return Err(DomainError::conflict(
                ErrorCode::ConventionAlreadySigned,
                crate::msg!(
                    "la convention est déjà signée ; toute modification passe désormais par un avenant",
                    "the convention is already signed; changes now go through amendments"
                ),
            ));
        }
        let mut c = Checks::new();
        not_in_future(&mut c, "partner_signed_on", partner_signed_on, today);
        not_in_future(&mut c, "caf_signed_on", caf_signed_on, today);
        c.finish()?;
        self.partner_signed_on = Some(partner_signed_on);
        self.caf_signed_on = Some(caf_signed_on);
        Ok(partner_signed_on.max(caf_signed_on))
    }

    /// Records that the RGPD formalities are completed: access may then open (C-art. 17.1).
    pub fn complete_rgpd(
        &mut self,
        completed_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<(), DomainError> {
        match self.status(today) {
            ConventionStatus::Draft => {
                return Err(DomainError::conflict(
                    ErrorCode::ConventionNotSigned,
                    crate::msg!(
                        "la convention doit d'abord être signée par les deux parties",
                        "the convention must be signed by both parties first"
                    ),
                ))
            }
            ConventionStatus::Terminated => return Err(terminated()),
            _ => {}
        }
        if self.rgpd_completed_on.is_some() {
            return Err(DomainError::conflict(
                ErrorCode::RgpdAlreadyCompleted,
                crate::msg!(
                    "les formalités RGPD sont déjà enregistrées comme accomplies",
                    "the RGPD formalities are already recorded as completed"
                ),
            ));
        }
        let mut c = Checks::new();
        not_in_future(&mut c, "completed_on", completed_on, today);
        c.finish()?;
        self.rgpd_completed_on = Some(completed_on);
        Ok(())
    }

    /// Records a termination letter or formal notice and computes when it takes effect.
    pub fn notify_termination(
        &mut self,
        notice: TerminationNotice,
        today: NaiveDate,
    ) -> Result<&Termination, DomainError> {
        match self.status(today) {
            ConventionStatus::Draft => {
                return Err(DomainError::conflict(
                    ErrorCode::ConventionNotSigned,
                    crate::msg!(
                        "un projet de convention ne se résilie pas : il n'a jamais été signé",
                        "a draft is not terminated: it was never signed"
                    ),
                ))
            }
            ConventionStatus::Terminated => return Err(terminated()),
            ConventionStatus::TerminationNotified => {
                return Err(DomainError::conflict(
                    ErrorCode::TerminationAlreadyNotified,
                    crate::msg!(
                        "une résiliation est déjà en cours ; retirez-la d'abord pour en enregistrer une autre",
                        "a termination is already under way; withdraw it first to record another"
                    ),
                ))
            }
            _ => {}
        }
        let mut c = Checks::new();
        let reason = c.take(text::required("reason", &notice.reason, 2000));
        not_in_future(&mut c, "received_on", notice.received_on, today);
        if let Some(since) = self.effective_since() {
            if notice.received_on < since {
                c.push(
                    "received_on",
                    "before_signature",
                    crate::msg!(
                        "une résiliation ne peut pas être reçue avant la prise d'effet de la convention",
                        "a termination cannot be received before the convention took effect"
                    ),
                );
            }
        }
        if notice.kind == TerminationKind::Breach && notice.requested_on.is_some() {
            c.push(
                "requested_on",
                "not_applicable",
                crate::msg!(
                    "la résiliation pour manquement prend effet un mois après la mise en demeure ; aucune date n'est à indiquer",
                    "termination for breach takes effect one month after the formal notice; no date is requested"
                ),
            );
        }
        c.finish()?;
        let effective_on =
            termination_effective_on(notice.kind, notice.received_on, notice.requested_on);
        Ok(self.termination.insert(Termination {
            kind: notice.kind,
            initiated_by: notice.initiated_by,
            received_on: notice.received_on,
            requested_on: notice.requested_on,
            effective_on,
            reason: reason.expect("checked"),
        }))
    }

    /// Withdraws a termination before it takes effect (the letter is withdrawn, or the breach
    /// was remedied within the month).
    pub fn withdraw_termination(&mut self, today: NaiveDate) -> Result<Termination, DomainError> {
        match self.status(today) {
            ConventionStatus::TerminationNotified => {
                Ok(self.termination.take().expect("status says so"))
            }
            ConventionStatus::Terminated => Err(terminated()),
            _ => Err(DomainError::conflict(
                ErrorCode::NoTerminationPending,
                crate::msg!(
                    "aucune résiliation de cette convention n'est en cours",
                    "no termination is pending on this convention"
                ),
            )),
        }
    }
}

fn terminated() -> DomainError {
    DomainError::conflict(
        ErrorCode::ConventionTerminated,
        crate::msg!("la convention est résiliée", "the convention is terminated"),
    )
}

fn not_in_future(c: &mut Checks, field: &str, date: NaiveDate, today: NaiveDate) {
    if date > today {
        c.push(
            field,
            "date_in_future",
            crate::msg!(
                "désigne un fait passé : ne peut pas être une date à venir",
                "records a past event: must not be after today"
            ),
        );
    }
}

/// Checks a convention number as the Caf writes it (letters, digits, `-`, `/`, `.`, `_`).
pub fn check_number(field: &str, number: &str) -> Result<String, DomainError> {
    // As printed on the convention ("2023-267 701 647", "GC 130", "24/2025"); runs of spaces
    // are one space, so that a number typed twice is the same number.
    let n = text::required(field, number, 50)?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if !n
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-/._ ".contains(c))
    {
        return Err(DomainError::field(
            field,
            "invalid_convention_number",
            crate::msg!(
                "uniquement des lettres, des chiffres, des espaces et - / . _",
                "letters, digits, spaces and - / . _ only"
            ),
        ));
    }
    Ok(n)
}

/// Checks the partner's missions (C-art. 8): at least one, each distinct, each bounded.
pub fn check_missions(field: &str, missions: &[String]) -> Result<Vec<String>, DomainError> {
    let mut c = Checks::new();
    if missions.is_empty() {
        c.push(
            field,
            "required",
            crate::msg!(
                "une convention énumère au moins une mission (convention, art. 8)",
                "a convention lists at least one mission (C-art. 8)"
            ),
        );
    }
    if missions.len() > MAX_MISSIONS {
        c.push(
            field,
            "too_many",
            crate::msg!(
                "{MAX_MISSIONS} missions au plus",
                "at most {MAX_MISSIONS} missions"
            ),
        );
    }
    let mut out: Vec<String> = Vec::with_capacity(missions.len());
    for (i, m) in missions.iter().enumerate() {
        let name = format!("{field}[{i}]");
        if let Some(m) = c.take(text::required(&name, m, 300)) {
            if out.iter().any(|o| o.to_lowercase() == m.to_lowercase()) {
                c.push(
                    name,
                    "duplicate",
                    crate::msg!(
                        "cette mission figure déjà dans la liste",
                        "this mission is already listed"
                    ),
                );
            } else {
                out.push(m);
            }
        }
    }
    c.finish()?;
    Ok(out)
}

/// The signature of an amendment (avenant) by both parties (C-art. 17.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentSignature {
    /// What the amendment changes, in a sentence.
    pub summary: String,
    /// When the Caf signed it.
    pub caf_signed_on: NaiveDate,
    /// When the partner signed it.
    pub partner_signed_on: NaiveDate,
}

/// Decides whether a change may be made on `today`, and checks the amendment it then needs.
///
/// A draft changes freely (an amendment is refused: there is nothing signed to amend); a signed
/// convention changes only through an amendment signed by both parties, on or after the day it
/// took effect; a terminated one not at all.
pub fn authorize_change(
    life: &ConventionLife,
    amendment: Option<AmendmentSignature>,
    today: NaiveDate,
) -> Result<Option<AmendmentSignature>, DomainError> {
    match (life.change_regime(today), amendment) {
        (ChangeRegime::Closed, _) => Err(terminated()),
        (ChangeRegime::Free, None) => Ok(None),
        (ChangeRegime::Free, Some(_)) => Err(DomainError::field(
            "amendment",
            "amendment_on_draft",
            crate::msg!(
                "la convention n'est encore qu'un projet : modifiez-la directement, sans avenant",
                "the convention is still a draft: change it directly, without an amendment"
            ),
        )),
        (ChangeRegime::Amendment, None) => Err(DomainError::rule(
            ErrorCode::AmendmentRequired,
            crate::msg!(
                "la convention est signée : cette modification exige un avenant signé par les deux parties (convention, art. 17.3)",
                "the convention is signed: this change needs an amendment signed by both parties (C-art. 17.3)"
            ),
        )),
        (ChangeRegime::Amendment, Some(a)) => {
            let mut c = Checks::new();
            let summary = c.take(text::required("amendment.summary", &a.summary, 2000));
            let since = life.effective_since().expect("signed");
            for (field, d) in [
                ("amendment.caf_signed_on", a.caf_signed_on),
                ("amendment.partner_signed_on", a.partner_signed_on),
            ] {
                not_in_future(&mut c, field, d, today);
                if d < since {
                    c.push(
                        field,
                        "before_signature",
                        crate::msg!(
                            "un avenant ne peut pas être signé avant la convention",
                            "an amendment cannot be signed before the convention"
                        ),
                    );
                }
            }
            c.finish()?;
            Ok(Some(AmendmentSignature {
                summary: summary.expect("checked"),
                ..a
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn signed(on: &str) -> ConventionLife {
        ConventionLife {
            partner_signed_on: Some(d(on)),
            caf_signed_on: Some(d(on)),
            ..Default::default()
        }
    }

    #[test]
    fn termination_dates() {
        use TerminationKind::*;
        // (kind, letter or notice received, requested date, takes effect)
        let cases = [
            (Unilateral, "2026-01-15", None, "2026-04-15"),
            (Unilateral, "2026-01-15", Some("2026-02-01"), "2026-04-15"), // too early: 3 months win
            (Unilateral, "2026-01-15", Some("2026-04-15"), "2026-04-15"), // exactly 3 months
            (Unilateral, "2026-01-15", Some("2026-12-31"), "2026-12-31"), // later date honoured
            (Unilateral, "2025-11-30", None, "2026-02-28"),               // clamps to month end
            (Unilateral, "2027-11-30", None, "2028-02-29"),               // leap year
            (Breach, "2026-01-31", None, "2026-02-28"),
            (Breach, "2026-03-10", None, "2026-04-10"),
        ];
        for (kind, received, requested, expected) in cases {
            assert_eq!(
                termination_effective_on(kind, d(received), requested.map(d)),
                d(expected),
                "{kind:?} received {received} requested {requested:?}"
            );
        }
    }

    #[test]
    fn life_cycle_statuses() {
        use ConventionStatus::*;
        let mut life = ConventionLife::default();
        let today = d("2026-06-01");
        assert_eq!(life.status(today), Draft);
        assert!(!life.access_open(today));

        assert_eq!(
            life.sign(d("2026-05-02"), d("2026-05-10"), today).unwrap(),
            d("2026-05-10")
        );
        assert_eq!(life.status(today), Signed);
        assert!(
            !life.access_open(today),
            "signed is not active (C-art. 17.1)"
        );

        life.complete_rgpd(d("2026-05-20"), today).unwrap();
        assert_eq!(life.status(today), Active);
        assert!(life.access_open(today));

        life.notify_termination(
            TerminationNotice {
                kind: TerminationKind::Unilateral,
                initiated_by: Party::Partner,
                received_on: d("2026-05-25"),
                requested_on: None,
                reason: "Fin de la mission FSL".into(),
            },
            today,
        )
        .unwrap();
        assert_eq!(life.status(today), TerminationNotified);
        assert!(
            life.access_open(today),
            "access stays open during the notice"
        );
        assert_eq!(life.status(d("2026-08-24")), TerminationNotified);
        assert_eq!(life.status(d("2026-08-25")), Terminated);
        assert!(!life.access_open(d("2026-08-25")));
    }

    #[test]
    fn transitions_refused_from_the_wrong_state() {
        let today = d("2026-06-01");
        let notice = |kind| TerminationNotice {
            kind,
            initiated_by: Party::Caf,
            received_on: d("2026-05-15"),
            requested_on: None,
            reason: "Manquement".into(),
        };
        let code = |r: Result<_, DomainError>| match r {
            Err(DomainError::Conflict { code, .. }) | Err(DomainError::Rule { code, .. }) => {
                code.as_str()
            }
            Err(DomainError::Validation(e)) => e[0].code,
            other => panic!("expected a refusal, got {other:?}"),
        };

        let mut draft = ConventionLife::default();
        assert_eq!(
            code(draft.complete_rgpd(today, today)),
            "convention_not_signed"
        );
        assert_eq!(
            code(
                draft
                    .notify_termination(notice(TerminationKind::Breach), today)
                    .map(|_| ())
            ),
            "convention_not_signed"
        );
        assert_eq!(
            code(draft.withdraw_termination(today).map(|_| ())),
            "no_termination_pending"
        );
        assert_eq!(
            code(draft.sign(d("2026-06-02"), today, today).map(|_| ())),
            "date_in_future"
        );

        let mut s = signed("2026-01-10");
        assert_eq!(
            code(s.sign(today, today, today).map(|_| ())),
            "convention_already_signed"
        );
        s.complete_rgpd(d("2026-01-12"), today).unwrap();
        assert_eq!(
            code(s.complete_rgpd(today, today)),
            "rgpd_already_completed"
        );

        let mut early = signed("2026-05-20");
        assert_eq!(
            code(
                early
                    .notify_termination(notice(TerminationKind::Breach), today)
                    .map(|_| ())
            ),
            "before_signature"
        );

        s.notify_termination(notice(TerminationKind::Breach), today)
            .unwrap();
        assert_eq!(
            code(
                s.notify_termination(notice(TerminationKind::Breach), today)
                    .map(|_| ())
            ),
            "termination_already_notified"
        );
        // Breach remedied within the month: the notice is lifted and the convention is active again.
        s.withdraw_termination(today).unwrap();
        assert_eq!(s.status(today), ConventionStatus::Active);

        s.notify_termination(notice(TerminationKind::Breach), today)
            .unwrap();
        let after = d("2026-06-15");
        assert_eq!(s.status(after), ConventionStatus::Terminated);
        assert_eq!(
            code(s.withdraw_termination(after).map(|_| ())),
            "convention_terminated"
        );
        assert_eq!(code(s.complete_rgpd(after, after)), "convention_terminated");
        assert_eq!(
            code(
                s.notify_termination(notice(TerminationKind::Unilateral), after)
                    .map(|_| ())
            ),
            "convention_terminated"
        );
    }

    #[test]
    fn breach_takes_no_requested_date() {
        let mut s = signed("2026-01-10");
        let r = s.notify_termination(
            TerminationNotice {
                kind: TerminationKind::Breach,
                initiated_by: Party::Caf,
                received_on: d("2026-03-01"),
                requested_on: Some(d("2026-09-01")),
                reason: "x".into(),
            },
            d("2026-03-02"),
        );
        assert!(matches!(r, Err(DomainError::Validation(e)) if e[0].field == "requested_on"));
    }

    #[test]
    fn tacit_yearly_renewal() {
        let mut life = signed("2024-02-29");
        life.complete_rgpd(d("2024-03-01"), d("2024-03-01"))
            .unwrap();
        // (today, term number, starts, ends)
        let cases = [
            ("2024-02-29", 1, "2024-02-29", "2025-02-28"),
            ("2025-02-28", 1, "2024-02-29", "2025-02-28"),
            ("2025-03-01", 2, "2025-03-01", "2026-02-28"),
            ("2026-11-23", 3, "2026-03-01", "2027-02-28"),
            ("2028-02-28", 4, "2027-03-01", "2028-02-28"),
            ("2028-02-29", 5, "2028-02-29", "2029-02-28"),
            ("2028-03-01", 5, "2028-02-29", "2029-02-28"),
        ];
        for (today, n, s, e) in cases {
            let t = life.term_at(d(today)).unwrap();
            assert_eq!(
                (t.number, t.starts_on, t.ends_on),
                (n, d(s), d(e)),
                "{today}"
            );
        }
        assert_eq!(life.term_at(d("2024-02-28")), None);
        assert_eq!(ConventionLife::default().term_at(d("2026-01-01")), None);
    }

    #[test]
    fn changes_after_signature_are_amendments() {
        let today = d("2026-06-01");
        let amendment = |on: &str| AmendmentSignature {
            summary: "Quota T13 porté à 6".into(),
            caf_signed_on: d(on),
            partner_signed_on: d(on),
        };
        let draft = ConventionLife::default();
        assert_eq!(authorize_change(&draft, None, today), Ok(None));
        assert!(authorize_change(&draft, Some(amendment("2026-05-01")), today).is_err());

        let s = signed("2026-01-10");
        assert!(matches!(
            authorize_change(&s, None, today),
            Err(DomainError::Rule {
                code: ErrorCode::AmendmentRequired,
                ..
            })
        ));
        assert!(authorize_change(&s, Some(amendment("2026-05-01")), today)
            .unwrap()
            .is_some());
        assert!(
            authorize_change(&s, Some(amendment("2026-01-01")), today).is_err(),
            "before signature"
        );
        assert!(
            authorize_change(&s, Some(amendment("2026-06-02")), today).is_err(),
            "in the future"
        );

        let mut t = signed("2026-01-10");
        t.notify_termination(
            TerminationNotice {
                kind: TerminationKind::Breach,
                initiated_by: Party::Caf,
                received_on: d("2026-02-01"),
                requested_on: None,
                reason: "x".into(),
            },
            d("2026-02-02"),
        )
        .unwrap();
        assert!(matches!(
            authorize_change(&t, Some(amendment("2026-05-01")), today),
            Err(DomainError::Conflict {
                code: ErrorCode::ConventionTerminated,
                ..
            })
        ));
    }

    #[test]
    fn missions_and_numbers() {
        assert_eq!(
            check_missions("missions", &[" Instruction des dossiers FSL ".into()]).unwrap(),
            ["Instruction des dossiers FSL"]
        );
        assert!(check_missions("missions", &[]).is_err());
        let Err(DomainError::Validation(e)) =
            check_missions("missions", &["FSL".into(), "fsl".into(), "".into()])
        else {
            panic!()
        };
        let got: Vec<_> = e.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [("missions[1]", "duplicate"), ("missions[2]", "required")]
        );
        assert_eq!(
            check_number("number", "761-2026/0042").unwrap(),
            "761-2026/0042"
        );
        // As printed: spaces inside, runs of them as one.
        assert_eq!(
            check_number("number", " 2023-267 701 647 ").unwrap(),
            "2023-267 701 647"
        );
        assert_eq!(check_number("number", "GC   130").unwrap(), "GC 130");
        assert!(check_number("number", "761;2026").is_err());
        assert!(check_number("number", "761\u{202E}2026").is_err());
        assert!(check_number("number", "").is_err());
    }
}

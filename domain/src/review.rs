//! The reverse review of habilitations (revue inverse, S-art. 2.2.2) and the annual review of a
//! convention (bilan, C-art. 16).
//!
//! Every year the partner's principal administrator goes through every habilitation the partner
//! gave that was still in force when the campaign opened, confirms or removes each, and sends the
//! result to the Caf as proof. The proof is a report whose canonical JSON form is hashed, so that
//! the copy the Caf keeps can be checked against the one stored here.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, SecondsFormat};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::access::{authorize, Function, Principal, Reach};
use crate::error::{DomainError, ErrorCode};
use crate::habilitation::{check_reason, HabilitationStatus};
use crate::message::Message;

/// Where a campaign stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignStatus {
    /// Items are being decided.
    Open,
    /// Every item was decided or ended; the report is produced and nothing changes any more.
    Completed,
}

impl CampaignStatus {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Completed => "completed",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Open, Self::Completed]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// Where one item of a campaign stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemState {
    /// Awaits the principal administrator's decision.
    Pending,
    /// Kept: the holder still needs the profile for the mission.
    Confirmed,
    /// Removed in the review: the habilitation was devalidated at once.
    Removed,
    /// The habilitation ended otherwise during the campaign (a departure, an expiry, a
    /// devalidation): nothing left to decide.
    Ended,
}

impl ItemState {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Removed => "removed",
            Self::Ended => "ended",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Pending, Self::Confirmed, Self::Removed, Self::Ended]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// How the printed report names the state, in French.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "En attente",
            Self::Confirmed => "Confirmée",
            Self::Removed => "Retirée",
            Self::Ended => "Terminée pendant la campagne",
        }
    }

    /// The state shown for an item whose stored decision is `self` and whose habilitation is
    /// `habilitation` now: an undecided item whose habilitation ended otherwise is `ended`.
    pub fn shown(self, habilitation: HabilitationStatus) -> Self {
        match self {
            Self::Pending if habilitation == HabilitationStatus::Devalidated => Self::Ended,
            other => other,
        }
    }
}

/// What the principal administrator decides about one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Keep the habilitation, with an optional comment.
    Confirm(Option<String>),
    /// Remove it, for a reason (required).
    Remove(String),
}

impl Verdict {
    /// The state the item takes.
    pub fn state(&self) -> ItemState {
        match self {
            Self::Confirm(_) => ItemState::Confirmed,
            Self::Remove(_) => ItemState::Removed,
        }
    }

    /// The reason or comment given.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Confirm(c) => c.as_deref(),
            Self::Remove(r) => Some(r),
        }
    }
}

/// Reads a decision as the client sends it: `confirmed`, or `removed` with a reason.
pub fn check_verdict(decision: &str, reason: Option<&str>) -> Result<Verdict, DomainError> {
    match decision {
        "confirmed" => Ok(Verdict::Confirm(crate::text::optional(
            "reason", reason, 2000,
        )?)),
        "removed" => Ok(Verdict::Remove(check_reason(
            "reason",
            reason.unwrap_or(""),
        )?)),
        _ => Err(DomainError::field(
            "decision",
            "unknown_decision",
            crate::msg!(
                "choisissez `confirmed` ou `removed`",
                "decide `confirmed` or `removed`"
            ),
        )),
    }
}

/// Decides whether `principal` may decide a campaign's items and complete it: the function
/// belongs to the partner's administrators (the one access decision point says so), and among
/// them to the principal administrator only (S-art. 2.2.2), not the deputy. Other partner staff
/// — delegated managers included — are told the same.
pub fn authorize_decision(
    principal: &Principal,
    reach: Reach,
    is_principal_administrator: bool,
) -> Result<(), DomainError> {
    let only_the_principal = || DomainError::Blocked {
        code: ErrorCode::PrincipalAdministratorOnly,
        message: crate::msg!(
            "la revue inverse des habilitations est conduite par l'administrateur principal du \
             partenaire",
            "the reverse review is performed by the partner's principal administrator"
        ),
    };
    match authorize(principal, Function::ReviewHabilitations, reach) {
        Err(DomainError::Forbidden)
            if principal.is_partner_staff() && principal.software.is_none() =>
        {
            Err(only_the_principal())
        }
        Err(e) => Err(e),
        Ok(()) if !is_principal_administrator => Err(only_the_principal()),
        Ok(()) => Ok(()),
    }
}

fn completed() -> DomainError {
    DomainError::conflict(
        ErrorCode::ReviewCampaignCompleted,
        crate::msg!(
            "cette campagne de revue est terminée : son rapport est définitif",
            "this review campaign is completed: its report is final"
        ),
    )
}

/// Checks a decision on an item of a campaign; gives the item's new state. A confirmed item may
/// still be removed while the campaign is open; a removal is final (the habilitation is gone),
/// and an ended item needs no decision.
pub fn check_decision(
    campaign: CampaignStatus,
    item: ItemState,
    verdict: &Verdict,
) -> Result<ItemState, DomainError> {
    if campaign == CampaignStatus::Completed {
        return Err(completed());
    }
    match (item, verdict) {
        (ItemState::Ended, _) => Err(DomainError::conflict(
            ErrorCode::ReviewItemEnded,
            crate::msg!(
                "cette habilitation a pris fin pendant la campagne : il n'y a rien à trancher",
                "this habilitation ended during the campaign: there is nothing to decide"
            ),
        )),
        (ItemState::Removed, _) => Err(DomainError::conflict(
            ErrorCode::ReviewItemRemoved,
            crate::msg!(
                "cette habilitation a été retirée lors de la revue",
                "this habilitation was removed in the review"
            ),
        )),
        (ItemState::Confirmed, Verdict::Confirm(_)) => Err(DomainError::conflict(
            ErrorCode::ReviewItemConfirmed,
            crate::msg!(
                "cette habilitation est déjà confirmée",
                "this habilitation is already confirmed"
            ),
        )),
        (ItemState::Pending | ItemState::Confirmed, v) => Ok(v.state()),
    }
}

/// Checks that a campaign may be completed: open, and every item decided or ended.
pub fn check_completion(campaign: CampaignStatus, items: &[ItemState]) -> Result<(), DomainError> {
    if campaign == CampaignStatus::Completed {
        return Err(completed());
    }
    let pending = items.iter().filter(|s| **s == ItemState::Pending).count();
    if pending > 0 {
        return Err(DomainError::conflict(
            ErrorCode::ReviewIncomplete,
            Message::new(
                if pending == 1 {
                    "1 habilitation attend encore une décision : confirmez-la ou retirez-la"
                        .to_string()
                } else {
                    format!(
                        "{pending} habilitations attendent encore une décision : confirmez ou \
                         retirez chacune"
                    )
                },
                format!("{pending} habilitation(s) still await a decision: confirm or remove each"),
            ),
        ));
    }
    Ok(())
}

/// Whether a campaign is overdue on `today`: still open after its due day.
pub fn is_overdue(status: CampaignStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    status == CampaignStatus::Open && today > due_on
}

/// How long a campaign opened by the schedule after 31 March gives the partner.
pub const LATE_OPENING_DAYS: i64 = 90;

/// The due day of a campaign the schedule opens on `today` for `year`: 31 March, or — for a
/// partner whose convention opened access later in the year — 90 days after opening, so that no
/// campaign is born overdue.
pub fn scheduled_due_on(year: i32, today: NaiveDate) -> NaiveDate {
    let march_31 = NaiveDate::from_ymd_opt(year, 3, 31).expect("31 March exists");
    if today <= march_31 {
        march_31
    } else {
        today + Duration::days(LATE_OPENING_DAYS)
    }
}

/// Checks what a Caf administrator asks when opening campaigns: the current year, due between
/// today and a year from now.
pub fn check_opening(year: i32, due_on: NaiveDate, today: NaiveDate) -> Result<(), DomainError> {
    if year != today.year() {
        return Err(DomainError::field(
            "year",
            "review_year_not_current",
            crate::msg!(
                "une campagne revoit les habilitations telles qu'elles sont : ouvrez celle de {}",
                "a campaign reviews habilitations as they stand: open {}'s",
                today.year()
            ),
        ));
    }
    if due_on < today {
        return Err(DomainError::field(
            "due_on",
            "due_on_in_past",
            crate::msg!(
                "l'échéance tombe aujourd'hui au plus tôt",
                "the due day is today at the earliest"
            ),
        ));
    }
    if due_on > today + Duration::days(366) {
        return Err(DomainError::field(
            "due_on",
            "due_on_too_far",
            crate::msg!(
                "l'échéance tombe dans un délai d'un an au plus",
                "the due day is within a year"
            ),
        ));
    }
    Ok(())
}

/// The first and the last instant of a calendar year (UTC), as a half-open range.
pub fn year_range(year: i32) -> (NaiveDateTime, NaiveDateTime) {
    let start = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .expect("1 January exists")
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
    };
    (start(year), start(year + 1))
}

/// Whether a habilitation granted at `granted_at` and devalidated at `devalidated_at` (if ever)
/// was in force at some moment of `year`.
pub fn held_during(
    granted_at: NaiveDateTime,
    devalidated_at: Option<NaiveDateTime>,
    year: i32,
) -> bool {
    let (start, end) = year_range(year);
    granted_at < end && devalidated_at.is_none_or(|d| d >= start)
}

/// The month a consultation is counted in: `YYYY-MM`.
pub fn month_key(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

/// The first and last month keys of a year, for a range over `YYYY-MM` strings.
pub fn month_keys_of(year: i32) -> (String, String) {
    (format!("{year:04}-01"), format!("{year:04}-12"))
}

/// An instant as the report writes it: RFC 3339, UTC, microseconds.
pub fn timestamp(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A person named in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPerson {
    /// Their account.
    pub account_id: String,
    /// Their name.
    pub full_name: String,
}

/// The Caf a report is sent to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportCaf {
    /// Opaque id.
    pub id: String,
    /// Its number.
    pub code: String,
    /// Its name.
    pub name: String,
}

/// The partner whose habilitations were reviewed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPartner {
    /// Opaque id.
    pub id: String,
    /// SIRET.
    pub siret: String,
    /// Name.
    pub name: String,
}

/// The convention under which the review was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportConvention {
    /// Opaque id.
    pub id: String,
    /// Business number.
    pub number: String,
}

/// The holder of a reviewed habilitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportHolder {
    /// `account` or `group`.
    pub kind: String,
    /// The account or group.
    pub id: String,
    /// The person's or group's name at opening.
    pub name: String,
}

/// One reviewed habilitation and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportItem {
    /// The habilitation.
    pub habilitation_id: String,
    /// Its holder.
    pub holder: ReportHolder,
    /// The profile's id.
    pub profile_id: String,
    /// The profile's code (`T13`).
    pub profile_code: String,
    /// The convention mission it serves.
    pub mission_id: String,
    /// The mission's label.
    pub mission_label: String,
    /// When it was granted.
    pub granted_at: String,
    /// Last day of a temporary mission.
    pub ends_on: Option<NaiveDate>,
    /// `active` or `suspended` when the campaign opened.
    pub status_at_opening: String,
    /// Its status when the campaign was completed.
    pub status_at_completion: String,
    /// Its last CDAP consultation, if ever.
    pub last_used_at: Option<String>,
    /// `confirmed`, `removed` or `ended`.
    pub decision: String,
    /// Who decided (none for an ended item).
    pub decided_by: Option<ReportPerson>,
    /// When.
    pub decided_at: Option<String>,
    /// The reason of a removal, or the comment of a confirmation.
    pub reason: Option<String>,
    /// When an ended item's habilitation ended.
    pub ended_at: Option<String>,
}

/// How many items ended how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportCounts {
    /// Every item.
    pub items: usize,
    /// Confirmed.
    pub confirmed: usize,
    /// Removed in the review.
    pub removed: usize,
    /// Ended otherwise during the campaign.
    pub ended: usize,
}

/// The proof of a completed reverse review, sent to the Caf (S-art. 2.2.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewReport {
    /// What this document is.
    pub document: String,
    /// The campaign.
    pub campaign_id: String,
    /// The year reviewed.
    pub year: i32,
    /// The Caf.
    pub caf: ReportCaf,
    /// The partner.
    pub partner: ReportPartner,
    /// The convention.
    pub convention: ReportConvention,
    /// When the campaign opened.
    pub opened_at: String,
    /// Who opened it (none when the schedule did).
    pub opened_by: Option<ReportPerson>,
    /// The day it was due.
    pub due_on: NaiveDate,
    /// When it was completed.
    pub completed_at: String,
    /// Who completed it: the principal administrator.
    pub completed_by: ReportPerson,
    /// Every item.
    pub items: Vec<ReportItem>,
    /// The counts.
    pub counts: ReportCounts,
}

/// The `document` name of a reverse-review report.
pub const REPORT_DOCUMENT: &str = "mcp:reverse-review-report:v1";

/// What a report is made of, before its counts are taken.
#[derive(Debug, Clone)]
pub struct ReportHeader {
    /// The campaign.
    pub campaign_id: String,
    /// The year.
    pub year: i32,
    /// The Caf.
    pub caf: ReportCaf,
    /// The partner.
    pub partner: ReportPartner,
    /// The convention.
    pub convention: ReportConvention,
    /// Opening instant.
    pub opened_at: NaiveDateTime,
    /// Who opened it.
    pub opened_by: Option<ReportPerson>,
    /// Due day.
    pub due_on: NaiveDate,
    /// Completion instant.
    pub completed_at: NaiveDateTime,
    /// Who completed it.
    pub completed_by: ReportPerson,
}

impl ReviewReport {
    /// Builds the report; every item must be decided or ended.
    pub fn new(h: ReportHeader, items: Vec<ReportItem>) -> Result<Self, DomainError> {
        let mut counts = ReportCounts {
            items: items.len(),
            ..Default::default()
        };
        for i in &items {
            match ItemState::from_code(&i.decision) {
                Some(ItemState::Confirmed) => counts.confirmed += 1,
                Some(ItemState::Removed) => counts.removed += 1,
                Some(ItemState::Ended) => counts.ended += 1,
                _ => {
                    return Err(DomainError::conflict(
                        ErrorCode::ReviewIncomplete,
                        crate::msg!(
                            "un élément attend encore une décision",
                            "an item awaits a decision"
                        ),
                    ))
                }
            }
        }
        Ok(Self {
            document: REPORT_DOCUMENT.into(),
            campaign_id: h.campaign_id,
            year: h.year,
            caf: h.caf,
            partner: h.partner,
            convention: h.convention,
            opened_at: timestamp(h.opened_at),
            opened_by: h.opened_by,
            due_on: h.due_on,
            completed_at: timestamp(h.completed_at),
            completed_by: h.completed_by,
            items,
            counts,
        })
    }

    /// The canonical JSON of the report: the input of its digest.
    pub fn canonical_json(&self) -> String {
        canonical(&serde_json::to_value(self).expect("plain data"))
    }
}

/// Writes JSON canonically: object members sorted by name, no insignificant whitespace, strings
/// escaped as serde_json does (only `"`, `\` and control characters). For documents holding only
/// strings, integers, booleans and nulls with ASCII member names — as the report does — this is
/// the JSON Canonicalization Scheme of RFC 8785, so anyone can recompute the digest.
pub fn canonical(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Delegation;
    use serde_json::json;
    use uuid::Uuid;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn only_the_principal_administrator_decides() {
        let caf = crate::ids::CafId::from(Uuid::from_u128(1));
        let (partner, other) = (Uuid::from_u128(2).into(), Uuid::from_u128(3).into());
        let own = Reach::Partner {
            caf_id: caf,
            partner_id: partner,
        };
        let elsewhere = Reach::Partner {
            caf_id: caf,
            partner_id: other,
        };
        let admin = Principal::partner_administrator(Uuid::from_u128(10).into(), caf, partner);
        let manager = Principal::partner_user(
            Uuid::from_u128(11).into(),
            caf,
            partner,
            Some(Delegation {
                functions: crate::access::ManagementFunction::ALL.to_vec(),
                profiles: vec![],
            }),
        );
        let plain = Principal::partner_user(Uuid::from_u128(12).into(), caf, partner, None);
        let caf_admin = Principal::caf_administrator(Uuid::from_u128(13).into(), caf);
        let cnaf = Principal::cnaf_operator(Uuid::from_u128(14).into());
        let code = |r: Result<(), DomainError>| match r {
            Ok(()) => "ok",
            Err(DomainError::Blocked { code, .. }) => code.as_str(),
            Err(DomainError::Forbidden) => "forbidden",
            Err(DomainError::NotFound) => "not_found",
            Err(e) => panic!("{e:?}"),
        };
        assert_eq!(code(authorize_decision(&admin, own, true)), "ok");
        // The deputy holds the same role: the rank decides.
        assert_eq!(
            code(authorize_decision(&admin, own, false)),
            "principal_administrator_only"
        );
        assert_eq!(
            code(authorize_decision(&admin, elsewhere, true)),
            "not_found"
        );
        assert_eq!(
            code(authorize_decision(&manager, own, false)),
            "principal_administrator_only"
        );
        assert_eq!(
            code(authorize_decision(&plain, own, false)),
            "principal_administrator_only"
        );
        assert_eq!(
            code(authorize_decision(&caf_admin, own, false)),
            "forbidden"
        );
        assert_eq!(code(authorize_decision(&cnaf, own, false)), "forbidden");
        // Software never attests a review for the person.
        let through = admin.clone().through(
            Uuid::from_u128(99).into(),
            crate::access::Scope::ALL.to_vec(),
        );
        assert_eq!(code(authorize_decision(&through, own, true)), "forbidden");
    }

    #[test]
    fn decisions_follow_the_item_and_the_campaign() {
        use CampaignStatus::*;
        use ItemState::*;
        let confirm = Verdict::Confirm(None);
        let remove = Verdict::Remove("Départ".into());
        let code = |r: Result<ItemState, DomainError>| match r {
            Ok(s) => s.code(),
            Err(DomainError::Conflict { code, .. }) => code.as_str(),
            Err(e) => panic!("{e:?}"),
        };
        // (campaign, item, verdict, expected)
        let table = [
            (Open, Pending, &confirm, "confirmed"),
            (Open, Pending, &remove, "removed"),
            (Open, Confirmed, &remove, "removed"),
            (Open, Confirmed, &confirm, "review_item_confirmed"),
            (Open, Removed, &confirm, "review_item_removed"),
            (Open, Removed, &remove, "review_item_removed"),
            (Open, Ended, &confirm, "review_item_ended"),
            (Open, Ended, &remove, "review_item_ended"),
            (Completed, Pending, &confirm, "review_campaign_completed"),
            (Completed, Confirmed, &remove, "review_campaign_completed"),
        ];
        for (campaign, item, verdict, expected) in table {
            assert_eq!(
                code(check_decision(campaign, item, verdict)),
                expected,
                "{campaign:?} {item:?} {verdict:?}"
            );
        }
    }

    #[test]
    fn a_removal_needs_a_reason() {
        assert_eq!(check_verdict("confirmed", None), Ok(Verdict::Confirm(None)));
        assert_eq!(
            check_verdict("confirmed", Some("  Toujours instructrice FSL ")),
            Ok(Verdict::Confirm(Some("Toujours instructrice FSL".into())))
        );
        assert_eq!(
            check_verdict("removed", Some("Mutation")),
            Ok(Verdict::Remove("Mutation".into()))
        );
        for (decision, reason, field, code) in [
            ("removed", None, "reason", "required"),
            ("removed", Some("   "), "reason", "required"),
            ("kept", None, "decision", "unknown_decision"),
        ] {
            match check_verdict(decision, reason) {
                Err(DomainError::Validation(e)) => {
                    assert_eq!((e[0].field.as_str(), e[0].code), (field, code))
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn an_undecided_item_whose_habilitation_ended_is_ended() {
        use HabilitationStatus::*;
        assert_eq!(ItemState::Pending.shown(Devalidated), ItemState::Ended);
        assert_eq!(ItemState::Pending.shown(Suspended), ItemState::Pending);
        assert_eq!(
            ItemState::Confirmed.shown(Devalidated),
            ItemState::Confirmed
        );
        assert_eq!(ItemState::Removed.shown(Devalidated), ItemState::Removed);
    }

    #[test]
    fn completion_needs_every_item_decided_or_ended() {
        use ItemState::*;
        assert_eq!(
            check_completion(CampaignStatus::Open, &[Confirmed, Removed, Ended]),
            Ok(())
        );
        assert_eq!(check_completion(CampaignStatus::Open, &[]), Ok(()));
        match check_completion(CampaignStatus::Open, &[Confirmed, Pending, Pending]) {
            Err(DomainError::Conflict { code, message }) => {
                assert_eq!(code, ErrorCode::ReviewIncomplete);
                assert!(message.en().starts_with("2 "), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            check_completion(CampaignStatus::Completed, &[Confirmed]),
            Err(DomainError::Conflict {
                code: ErrorCode::ReviewCampaignCompleted,
                ..
            })
        ));
    }

    #[test]
    fn overdue_is_open_after_the_due_day() {
        let due = d("2027-03-31");
        assert!(!is_overdue(CampaignStatus::Open, due, d("2027-03-31")));
        assert!(is_overdue(CampaignStatus::Open, due, d("2027-04-01")));
        assert!(!is_overdue(CampaignStatus::Completed, due, d("2027-06-01")));
    }

    #[test]
    fn the_schedule_gives_until_31_march_or_ninety_days() {
        assert_eq!(scheduled_due_on(2027, d("2027-01-01")), d("2027-03-31"));
        assert_eq!(scheduled_due_on(2027, d("2027-03-31")), d("2027-03-31"));
        assert_eq!(scheduled_due_on(2027, d("2027-04-01")), d("2027-06-30"));
        assert_eq!(scheduled_due_on(2027, d("2027-11-15")), d("2028-02-13"));
    }

    #[test]
    fn opening_is_for_this_year_due_within_a_year() {
        let today = d("2027-01-10");
        assert_eq!(check_opening(2027, d("2027-03-31"), today), Ok(()));
        assert_eq!(check_opening(2027, today, today), Ok(()));
        for (year, due, code) in [
            (2026, d("2027-03-31"), "review_year_not_current"),
            (2028, d("2027-03-31"), "review_year_not_current"),
            (2027, d("2027-01-09"), "due_on_in_past"),
            (2027, d("2028-01-12"), "due_on_too_far"),
        ] {
            match check_opening(year, due, today) {
                Err(DomainError::Validation(e)) => assert_eq!(e[0].code, code),
                other => panic!("{year} {due}: {other:?}"),
            }
        }
    }

    #[test]
    fn held_during_a_year_and_months() {
        assert!(held_during(t("2026-05-01 10:00:00"), None, 2027));
        assert!(!held_during(t("2028-01-01 00:00:00"), None, 2027));
        assert!(held_during(t("2027-12-31 23:59:59"), None, 2027));
        assert!(!held_during(
            t("2026-05-01 10:00:00"),
            Some(t("2026-12-31 23:59:59")),
            2027
        ));
        assert!(held_during(
            t("2026-05-01 10:00:00"),
            Some(t("2027-01-01 00:00:00")),
            2027
        ));
        assert_eq!(month_key(d("2027-03-09")), "2027-03");
        assert_eq!(
            month_keys_of(2027),
            ("2027-01".to_string(), "2027-12".to_string())
        );
        assert_eq!(
            timestamp(t("2027-03-09 08:05:00")),
            "2027-03-09T08:05:00.000000Z"
        );
    }

    #[test]
    fn canonical_json_sorts_members_and_drops_whitespace() {
        let v = json!({"b": [1, {"z": null, "a": "é\"<"}], "a": true, "A": "x\ny"});
        assert_eq!(
            canonical(&v),
            r#"{"A":"x\ny","a":true,"b":[1,{"a":"é\"<","z":null}]}"#
        );
    }

    fn item(decision: &str) -> ReportItem {
        ReportItem {
            habilitation_id: "h".into(),
            holder: ReportHolder {
                kind: "account".into(),
                id: "a".into(),
                name: "Julie <Martin>".into(),
            },
            profile_id: "p".into(),
            profile_code: "T13".into(),
            mission_id: "m".into(),
            mission_label: "FSL".into(),
            granted_at: "2026-01-01T00:00:00.000000Z".into(),
            ends_on: None,
            status_at_opening: "active".into(),
            status_at_completion: "active".into(),
            last_used_at: None,
            decision: decision.into(),
            decided_by: None,
            decided_at: None,
            reason: None,
            ended_at: None,
        }
    }

    fn header() -> ReportHeader {
        let person = ReportPerson {
            account_id: "c".into(),
            full_name: "Claire".into(),
        };
        ReportHeader {
            campaign_id: "r".into(),
            year: 2027,
            caf: ReportCaf {
                id: "caf".into(),
                code: "771".into(),
                name: "Caf 771".into(),
            },
            partner: ReportPartner {
                id: "p".into(),
                siret: "21770251200013".into(),
                name: "CCAS".into(),
            },
            convention: ReportConvention {
                id: "conv".into(),
                number: "771-1".into(),
            },
            opened_at: t("2027-01-02 03:00:00"),
            opened_by: None,
            due_on: d("2027-03-31"),
            completed_at: t("2027-02-01 10:00:00"),
            completed_by: person,
        }
    }

    #[test]
    fn the_report_counts_and_its_canonical_form_is_stable() {
        let report = ReviewReport::new(
            header(),
            vec![
                item("confirmed"),
                item("removed"),
                item("ended"),
                item("confirmed"),
            ],
        )
        .unwrap();
        assert_eq!(
            report.counts,
            ReportCounts {
                items: 4,
                confirmed: 2,
                removed: 1,
                ended: 1
            }
        );
        let text = report.canonical_json();
        assert!(
            text.starts_with(r#"{"caf":{"code":"771","id":"caf""#),
            "{text}"
        );
        // Read back and written again: the same bytes, so the digest can be recomputed.
        let back: ReviewReport = serde_json::from_str(&text).unwrap();
        assert_eq!(back, report);
        assert_eq!(back.canonical_json(), text);
        assert!(matches!(
            ReviewReport::new(header(), vec![item("pending")]),
            Err(DomainError::Conflict {
                code: ErrorCode::ReviewIncomplete,
                ..
            })
        ));
    }
}

//! Planned stops of the service (S-art. 3.1, 4): « Mon Compte Partenaire » is available 24 hours
//! a day except for national maintenance, which the Cnaf declares and which stops the whole API;
//! each Caf may also plan operations of its own that stop the services it runs for its partners.
//! Either way the partners concerned are told ahead, and anyone may read the stops to come.

use chrono::{Duration, NaiveDateTime};

use crate::access::{authorize, Function, Principal, Reach, Role};
use crate::error::{Checks, DomainError, ErrorCode};
use crate::ids::CafId;

/// The longest stop that can be declared: a mistyped year must not stop the service for a year.
pub const MAX_STOP_HOURS: i64 = 72;
/// The longest description of what a stop is for.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;

/// Whose stop it is, and so whose partners it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopScope {
    /// National maintenance, declared by the Cnaf: every partner; the API answers 503 during it.
    National,
    /// Operations of one Caf: its partners.
    Caf(CafId),
}

impl StopScope {
    /// The scope of the stops `principal` declares: the Cnaf's operators declare national
    /// maintenance, a Caf's administrators their Caf's operations; nobody else declares any.
    pub fn declared_by(principal: &Principal) -> Result<Self, DomainError> {
        let scope = match (principal.role, principal.caf_id) {
            (Role::CnafOperator, _) => Self::National,
            (Role::CafAdministrator, Some(caf)) => Self::Caf(caf),
            _ => return Err(DomainError::Forbidden),
        };
        scope.authorize(principal)?;
        Ok(scope)
    }

    /// Whether `principal` may declare or cancel a stop of this scope: a national stop is the
    /// Cnaf's, a Caf's stop its own administrators' (another Caf's stop is not found).
    pub fn authorize(self, principal: &Principal) -> Result<(), DomainError> {
        let reach = match self {
            Self::National => Reach::National,
            Self::Caf(caf) => Reach::Caf(caf),
        };
        authorize(principal, Function::DeclareStops, reach)?;
        match (self, principal.role) {
            (Self::National, Role::CnafOperator) | (Self::Caf(_), Role::CafAdministrator) => Ok(()),
            _ => Err(DomainError::Forbidden),
        }
    }
}

/// A stop as declared, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopInput {
    /// When it starts (UTC).
    pub starts_at: NaiveDateTime,
    /// When it ends (UTC).
    pub ends_at: NaiveDateTime,
    /// The services it stops, by catalogue code; empty when it stops the whole service.
    pub services: Vec<String>,
    /// What it is for and what users will notice, in French.
    pub description: String,
}

/// A checked stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    /// Whose stop it is.
    pub scope: StopScope,
    /// When it starts (UTC).
    pub starts_at: NaiveDateTime,
    /// When it ends (UTC).
    pub ends_at: NaiveDateTime,
    /// The services it stops; empty for the whole service.
    pub services: Vec<String>,
    /// What it is for.
    pub description: String,
}

impl Stop {
    /// Checks a declaration made at `now`: a planned stop starts later than now (partners are
    /// told ahead), ends after it starts and within [`MAX_STOP_HOURS`], and names each service
    /// it stops once, among `known_services`.
    pub fn declare(
        scope: StopScope,
        input: &StopInput,
        now: NaiveDateTime,
        known_services: &[String],
    ) -> Result<Self, DomainError> {
        let mut checks = Checks::new();
        let description = checks.take(crate::text::required(
            "description",
            &input.description,
            MAX_DESCRIPTION_CHARS,
        ));
        if input.starts_at <= now {
            checks.push(
                "starts_at",
                "not_in_future",
                crate::msg!(
                    "un arrêt programmé ne peut commencer que dans le futur, afin que les partenaires soient prévenus à l'avance",
                    "a planned stop starts later than now, so that partners are told ahead"
                ),
            );
        }
        if input.ends_at <= input.starts_at {
            checks.push(
                "ends_at",
                "before_start",
                crate::msg!(
                    "la fin de l'arrêt doit suivre son début",
                    "the stop ends after it starts"
                ),
            );
        } else if input.ends_at - input.starts_at > Duration::hours(MAX_STOP_HOURS) {
            checks.push(
                "ends_at",
                "too_long",
                crate::msg!(
                    "un arrêt dure {MAX_STOP_HOURS} heures au plus",
                    "a stop lasts at most {MAX_STOP_HOURS} hours"
                ),
            );
        }
        for (i, code) in input.services.iter().enumerate() {
            if !known_services.contains(code) {
                checks.push(
                    format!("services[{i}]"),
                    "unknown_service",
                    crate::msg!(
                        "aucun service du catalogue ne porte ce code",
                        "no service of the catalogue has this code"
                    ),
                );
            } else if input.services[..i].contains(code) {
                checks.push(
                    format!("services[{i}]"),
                    "duplicate",
                    crate::msg!("cité deux fois", "named twice"),
                );
            }
        }
        checks.finish()?;
        Ok(Self {
            scope,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            services: input.services.clone(),
            description: description.unwrap_or_default(),
        })
    }

    /// Who declares the stop, as a message says it: "La Cnaf" for national maintenance, the
    /// Caf by its registered name otherwise ("La Caf de l'Essonne").
    pub fn declarer(&self, caf_name: Option<&str>) -> String {
        match (self.scope, caf_name) {
            (StopScope::National, _) | (StopScope::Caf(_), None) => "La Cnaf".into(),
            (StopScope::Caf(_), Some(name)) if name.starts_with("Caf ") => format!("La {name}"),
            (StopScope::Caf(_), Some(name)) => name.to_string(),
        }
    }

    /// The message telling a partner's people of the stop, from `declarer` (see
    /// [`Stop::declarer`]): subject and body, in French, times in Paris time.
    pub fn announcement(&self, declarer: &str) -> (String, String) {
        let start = crate::text::paris_time(self.starts_at);
        let subject = format!(
            "Mon Compte Partenaire : arrêt programmé le {}",
            &start[..10]
        );
        let body =
            format!(
            "Bonjour,\n\n{declarer} prévoit un arrêt de Mon Compte Partenaire du {start} au {end} \
             (heure de Paris).\n\nServices concernés : {services}\nMotif : {description}\n\n\
             Pendant l'arrêt, {during}\n\nLes arrêts programmés sont listés à l'adresse \
             /api/v1/maintenance du service.\n\n\
             Ce message vous est adressé en tant que responsable services ou administrateur des \
             habilitations de votre organisme (contrat de services, art. 3.1 et 4). Prévenez les \
             utilisateurs concernés.\n",
            end = crate::text::paris_time(self.ends_at),
            services = self.services_in_words(),
            description = self.description,
            during = match self.scope {
                StopScope::National => "le service ne répond pas : reportez les consultations \
                                        et les démarches prévues.",
                StopScope::Caf(_) => "les services nommés ci-dessus et le centre de services de \
                                      la Caf peuvent ne pas répondre.",
            },
        );
        (subject, body)
    }

    /// The message telling that a stop announced is cancelled.
    pub fn cancellation(&self, declarer: &str, reason: &str) -> (String, String) {
        let start = crate::text::paris_time(self.starts_at);
        (
            format!("Mon Compte Partenaire : arrêt du {} annulé", &start[..10]),
            format!(
                "Bonjour,\n\n{declarer} annule l'arrêt de Mon Compte Partenaire annoncé du \
                 {start} au {end} (heure de Paris).\nMotif : {reason}\n\nLe service reste \
                 disponible sur cette période.\n",
                end = crate::text::paris_time(self.ends_at),
            ),
        )
    }

    fn services_in_words(&self) -> String {
        if self.services.is_empty() {
            "tous".into()
        } else {
            self.services.join(", ")
        }
    }
}

/// Where a stop stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Declared, not started.
    Upcoming,
    /// Under way.
    Current,
    /// Over.
    Ended,
    /// Cancelled before its end.
    Cancelled,
}

impl Phase {
    /// Where a stop from `starts_at` to `ends_at` stands at `now`.
    pub fn at(
        starts_at: NaiveDateTime,
        ends_at: NaiveDateTime,
        cancelled: bool,
        now: NaiveDateTime,
    ) -> Self {
        if cancelled {
            Self::Cancelled
        } else if now >= ends_at {
            Self::Ended
        } else if now >= starts_at {
            Self::Current
        } else {
            Self::Upcoming
        }
    }

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Upcoming => "upcoming",
            Self::Current => "current",
            Self::Ended => "ended",
            Self::Cancelled => "cancelled",
        }
    }

    /// A stop is cancelled before its end, once.
    pub fn check_cancellable(self) -> Result<(), DomainError> {
        match self {
            Self::Upcoming | Self::Current => Ok(()),
            Self::Ended | Self::Cancelled => Err(DomainError::conflict(
                ErrorCode::StopOver,
                crate::msg!(
                    "cet arrêt est terminé ou a déjà été annulé",
                    "this stop has ended or was cancelled already"
                ),
            )),
        }
    }
}

/// A national stop's window, as the HTTP layer keeps them to answer during one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Start (UTC).
    pub starts_at: NaiveDateTime,
    /// End (UTC).
    pub ends_at: NaiveDateTime,
}

/// Whether a national stop is under way at `now` among `windows` (not cancelled), and if so
/// how many seconds until the service is back (the latest end of those under way, at least 1).
pub fn stopped_for(windows: &[Window], now: NaiveDateTime) -> Option<u64> {
    windows
        .iter()
        .filter(|w| w.starts_at <= now && now < w.ends_at)
        .map(|w| (w.ends_at - now).num_seconds().max(1) as u64)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::AccountId;
    use uuid::Uuid;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn input(start: &str, end: &str, services: &[&str]) -> StopInput {
        StopInput {
            starts_at: t(start),
            ends_at: t(end),
            services: services.iter().map(|s| s.to_string()).collect(),
            description: "Mise à jour des serveurs".into(),
        }
    }

    fn fields(e: DomainError) -> Vec<(String, String)> {
        match e {
            DomainError::Validation(v) => v
                .into_iter()
                .map(|f| (f.field, f.code.to_string()))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_stop_is_planned_ahead_bounded_and_names_known_services() {
        let now = t("2026-12-03 10:00");
        let known = vec!["CDAP".to_string(), "AFAS".to_string()];
        let ok = Stop::declare(
            StopScope::National,
            &input("2026-12-12 21:00", "2026-12-13 01:00", &["CDAP"]),
            now,
            &known,
        )
        .unwrap();
        assert_eq!(ok.services, vec!["CDAP"]);
        for (start, end, services, want) in [
            (
                "2026-12-03 10:00",
                "2026-12-03 12:00",
                vec![],
                ("starts_at", "not_in_future"),
            ),
            (
                "2026-12-02 10:00",
                "2026-12-03 12:00",
                vec![],
                ("starts_at", "not_in_future"),
            ),
            (
                "2026-12-12 21:00",
                "2026-12-12 21:00",
                vec![],
                ("ends_at", "before_start"),
            ),
            (
                "2026-12-12 21:00",
                "2026-12-12 20:00",
                vec![],
                ("ends_at", "before_start"),
            ),
            (
                "2026-12-12 21:00",
                "2026-12-15 21:01",
                vec![],
                ("ends_at", "too_long"),
            ),
            (
                "2026-12-12 21:00",
                "2026-12-13 01:00",
                vec!["XYZ"],
                ("services[0]", "unknown_service"),
            ),
            (
                "2026-12-12 21:00",
                "2026-12-13 01:00",
                vec!["CDAP", "CDAP"],
                ("services[1]", "duplicate"),
            ),
        ] {
            let e = Stop::declare(
                StopScope::National,
                &input(start, end, &services),
                now,
                &known,
            )
            .unwrap_err();
            assert_eq!(
                fields(e),
                vec![(want.0.to_string(), want.1.to_string())],
                "{start} {end}"
            );
        }
        // Exactly the longest stop is accepted.
        assert!(Stop::declare(
            StopScope::National,
            &input("2026-12-12 21:00", "2026-12-15 21:00", &[]),
            now,
            &known
        )
        .is_ok());
        let blank = StopInput {
            description: "  ".into(),
            ..input("2026-12-12 21:00", "2026-12-13 01:00", &[])
        };
        assert_eq!(
            fields(Stop::declare(StopScope::National, &blank, now, &known).unwrap_err()),
            vec![("description".to_string(), "required".to_string())]
        );
    }

    #[test]
    fn the_cnaf_declares_national_stops_and_a_caf_its_own() {
        let caf = CafId::from(Uuid::from_u128(1));
        let other = CafId::from(Uuid::from_u128(2));
        let cnaf = Principal::cnaf_operator(AccountId::from(Uuid::from_u128(9)));
        let admin = Principal::caf_administrator(AccountId::from(Uuid::from_u128(8)), caf);
        let auditor = Principal::auditor(AccountId::from(Uuid::from_u128(7)), None);
        assert_eq!(StopScope::declared_by(&cnaf), Ok(StopScope::National));
        assert_eq!(StopScope::declared_by(&admin), Ok(StopScope::Caf(caf)));
        assert_eq!(
            StopScope::declared_by(&auditor),
            Err(DomainError::Forbidden)
        );
        // Cancelling: a Caf cannot cancel national maintenance, nor see another Caf's stop;
        // the Cnaf does not run a Caf's own operations.
        assert_eq!(
            StopScope::National.authorize(&admin),
            Err(DomainError::Forbidden)
        );
        assert_eq!(
            StopScope::Caf(other).authorize(&admin),
            Err(DomainError::NotFound)
        );
        assert_eq!(
            StopScope::Caf(caf).authorize(&cnaf),
            Err(DomainError::Forbidden)
        );
        assert_eq!(StopScope::Caf(caf).authorize(&admin), Ok(()));
    }

    #[test]
    fn phases_and_the_wait_during_a_national_stop() {
        let (s, e) = (t("2026-12-12 21:00"), t("2026-12-13 01:00"));
        assert_eq!(
            Phase::at(s, e, false, t("2026-12-12 20:59")),
            Phase::Upcoming
        );
        assert_eq!(Phase::at(s, e, false, s), Phase::Current);
        assert_eq!(Phase::at(s, e, false, e), Phase::Ended);
        assert_eq!(Phase::at(s, e, true, s), Phase::Cancelled);
        assert!(Phase::Current.check_cancellable().is_ok());
        assert_eq!(
            Phase::Ended.check_cancellable().unwrap_err().error_code(),
            ErrorCode::StopOver
        );
        let windows = [
            Window {
                starts_at: s,
                ends_at: e,
            },
            Window {
                starts_at: t("2026-12-12 23:00"),
                ends_at: t("2026-12-13 02:00"),
            },
        ];
        assert_eq!(stopped_for(&windows, t("2026-12-12 20:59")), None);
        assert_eq!(stopped_for(&windows, t("2026-12-12 22:00")), Some(3 * 3600));
        // Overlapping stops: back at the latest end.
        assert_eq!(stopped_for(&windows, t("2026-12-13 00:00")), Some(2 * 3600));
        assert_eq!(stopped_for(&windows, t("2026-12-13 02:00")), None);
    }

    #[test]
    fn the_announcement_says_when_in_paris_time_and_what() {
        let stop = Stop::declare(
            StopScope::National,
            &input("2026-12-12 21:00", "2026-12-13 01:00", &["CDAP"]),
            t("2026-12-01 00:00"),
            &["CDAP".to_string()],
        )
        .unwrap();
        let (subject, body) = stop.announcement("La Cnaf");
        assert_eq!(
            subject,
            "Mon Compte Partenaire : arrêt programmé le 12/12/2026"
        );
        assert!(body.contains("du 12/12/2026 à 22 h 00 au 13/12/2026 à 02 h 00 (heure de Paris)"));
        assert!(body.contains("Services concernés : CDAP"));
        assert!(body.contains("/api/v1/maintenance"));
        let (subject, body) = stop.cancellation("La Cnaf", "report");
        assert_eq!(
            subject,
            "Mon Compte Partenaire : arrêt du 12/12/2026 annulé"
        );
        assert!(body.contains("Motif : report"));
        let caf = Stop {
            scope: StopScope::Caf(CafId::from(Uuid::from_u128(1))),
            ..stop
        };
        assert_eq!(
            caf.declarer(Some("Caf de l'Essonne")),
            "La Caf de l'Essonne"
        );
        assert_eq!(caf.declarer(Some("CAF 91")), "CAF 91");
    }
}

//! Service providers of a partner (C-art. 14): a partner that means to have providers work for it
//! in the convention's execution tells the Caf at least six months ahead, with the list of the
//! providers, where they are, where the databases are, the legal regime of their tools and
//! their tasks; outside the European Union, in a country without adequate protection, the
//! safeguards it adopted (RGPD art. 44 ff.). The Caf may make observations.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::convention::ConventionStatus;
use crate::error::{Checks, DomainError, ErrorCode};

/// The notice the Caf is given before a provider starts.
pub const NOTICE_MONTHS: u32 = 6;
/// Most providers one notice lists.
pub const MAX_PROVIDERS: usize = 20;

/// The member states of the European Union and the other states of the European Economic Area,
/// where the RGPD applies as such.
const EEA: [&str; 30] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO",
];

/// Countries the European Commission recognised as ensuring adequate protection (RGPD art.
/// 45), as its decisions stood in 2026. The United States are not listed: their decision covers
/// only organisations certified under the Data Privacy Framework, which the partner states as
/// its safeguard.
const ADEQUATE: [&str; 14] = [
    "AD", "AR", "CA", "CH", "FO", "GB", "GG", "IL", "IM", "JE", "JP", "KR", "NZ", "UY",
];

/// Whether data may go to `country` (ISO 3166-1 alpha-2) without further safeguards.
pub fn protected(country: &str) -> bool {
    EEA.contains(&country) || ADEQUATE.contains(&country)
}

/// One provider as the partner describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provider {
    /// Its name (raison sociale).
    pub name: String,
    /// Where it works from: town and country, as a reader says it.
    pub location: String,
    /// That country, ISO 3166-1 alpha-2 (`FR`).
    pub country: String,
    /// Where the databases it uses are hosted.
    pub database_location: String,
    /// That country, ISO 3166-1 alpha-2.
    pub database_country: String,
    /// The legal regime its tools fall under (the law that applies, extraterritorial laws).
    pub legal_regime: String,
    /// The tasks it performs for the partner.
    pub tasks: String,
}

impl Provider {
    /// Whether it or its databases sit outside the protected countries.
    pub fn needs_safeguards(&self) -> bool {
        !protected(&self.country) || !protected(&self.database_country)
    }
}

/// A notice of providers, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The providers.
    pub providers: Vec<Provider>,
    /// The safeguards adopted for transfers outside the protected countries.
    pub safeguards: Option<String>,
}

impl Notice {
    /// Checks a notice: one to [`MAX_PROVIDERS`] providers, each with the five items of the
    /// article, countries as ISO codes; safeguards given exactly when a provider or its
    /// databases are outside the protected countries.
    pub fn check(providers: &[Provider], safeguards: Option<&str>) -> Result<Self, DomainError> {
        let mut c = Checks::new();
        if providers.is_empty() || providers.len() > MAX_PROVIDERS {
            c.push(
                "providers",
                "count",
                crate::msg!(
                    "une déclaration énumère de 1 à {MAX_PROVIDERS} prestataires",
                    "a notice lists 1 to {MAX_PROVIDERS} providers"
                ),
            );
        }
        let mut checked = vec![];
        let mut countries_read = true;
        for (i, p) in providers.iter().enumerate() {
            let f = |name: &str| format!("providers[{i}].{name}");
            let text = |c: &mut Checks, name: &str, v: &str, max| {
                c.take(crate::text::required(&f(name), v, max))
            };
            let name = text(&mut c, "name", &p.name, 200);
            let location = text(&mut c, "location", &p.location, 200);
            let database_location = text(&mut c, "database_location", &p.database_location, 200);
            let legal_regime = text(&mut c, "legal_regime", &p.legal_regime, 1000);
            let tasks = text(&mut c, "tasks", &p.tasks, 2000);
            for (field, code) in [
                ("country", &p.country),
                ("database_country", &p.database_country),
            ] {
                if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                    countries_read = false;
                    c.push(
                        f(field),
                        "invalid_country",
                        crate::msg!(
                            "un code ISO 3166-1 de deux lettres majuscules (FR)",
                            "an ISO 3166-1 code of two capital letters (FR)"
                        ),
                    );
                }
            }
            if let (
                Some(name),
                Some(location),
                Some(database_location),
                Some(legal_regime),
                Some(tasks),
            ) = (name, location, database_location, legal_regime, tasks)
            {
                checked.push(Provider {
                    name,
                    location,
                    country: p.country.clone(),
                    database_location,
                    database_country: p.database_country.clone(),
                    legal_regime,
                    tasks,
                });
            }
        }
        // Whether safeguards are owed is judged once every country is read.
        let needed = providers.iter().any(Provider::needs_safeguards);
        let safeguards = match safeguards.map(str::trim).filter(|s| !s.is_empty()) {
            _ if !countries_read => None,
            Some(s) if needed => c.take(crate::text::required("safeguards", s, 4000)),
            Some(_) => {
                c.push(
                    "safeguards",
                    "not_applicable",
                    crate::msg!(
                        "tous les prestataires et toutes les bases de données se trouvent dans \
                         l'Union européenne ou dans un pays assurant une protection adéquate",
                        "every provider and database is within the EU or a country with adequate \
                         protection"
                    ),
                );
                None
            }
            None if needed => {
                c.push(
                    "safeguards",
                    "required",
                    crate::msg!(
                        "un prestataire ou ses bases de données se trouvent hors de l'Union \
                         européenne sans protection adéquate : indiquez les garanties adoptées \
                         (RGPD, art. 44 et suivants)",
                        "a provider or its databases are outside the EU without adequate \
                         protection: give the safeguards adopted (RGPD art. 44 ff.)"
                    ),
                );
                None
            }
            None => None,
        };
        c.finish()?;
        Ok(Self {
            providers: checked,
            safeguards,
        })
    }
}

/// The message telling the Caf's administrators of a notice filed by `partner` under the
/// convention `number`.
pub fn filed_message(partner: &str, number: &str, notice: &Notice) -> (String, String) {
    let names: Vec<&str> = notice.providers.iter().map(|p| p.name.as_str()).collect();
    let count = names.len();
    (
        format!("Mon Compte Partenaire : recours à des prestataires (convention {number})"),
        format!(
            "Bonjour,\n\n{partner} (convention {number}) déclare {count} prestataire{s} de \
             services (convention, art. 14) : {names}.{outside}\n\nEnregistrez la date de \
             réception de ce courrier : les prestataires ne peuvent intervenir que six mois \
             après. Vous pouvez faire part de vos observations.\n",
            s = if count > 1 { "s" } else { "" },
            names = names.join(", "),
            outside = if notice.safeguards.is_some() {
                " Des données iront hors de l'Union européenne, dans un pays sans protection \
                 adéquate : le partenaire indique les garanties adoptées."
            } else {
                ""
            },
        ),
    )
}

/// The message telling the partner's administrators the day the Caf received their notice.
pub fn receipt_message(
    number: &str,
    received_on: NaiveDate,
    earliest: NaiveDate,
) -> (String, String) {
    (
        format!("Mon Compte Partenaire : déclaration de prestataires reçue (convention {number})"),
        format!(
            "Bonjour,\n\nLa Caf a reçu le {received} votre déclaration de prestataires de \
             services (convention {number}). Ils peuvent intervenir à partir du {earliest} au plus \
             tôt (délai de prévenance de six mois, convention art. 14).\n",
            received = received_on.format("%d/%m/%Y"),
            earliest = earliest.format("%d/%m/%Y"),
        ),
    )
}

/// The message carrying an observation of the Caf to the partner's administrators.
pub fn observation_message(number: &str, text: &str) -> (String, String) {
    (
        format!("Mon Compte Partenaire : observation de la Caf sur vos prestataires (convention {number})"),
        format!(
            "Bonjour,\n\nLa Caf fait l'observation suivante sur votre déclaration de \
             prestataires de services (convention {number}, art. 14) :\n\n{text}\n"
        ),
    )
}

/// Checks the text of an observation.
pub fn check_observation(text: &str) -> Result<String, DomainError> {
    crate::text::required("text", text, 4000)
}

/// A notice is given under a convention not terminated.
pub fn check_convention(status: ConventionStatus) -> Result<(), DomainError> {
    if status == ConventionStatus::Terminated {
        return Err(DomainError::conflict(
            ErrorCode::ConventionTerminated,
            crate::msg!(
                "la convention est résiliée : plus aucun prestataire n'intervient à son titre",
                "the convention is terminated: no provider works under it any more"
            ),
        ));
    }
    Ok(())
}

/// The receipt of a notice is recorded once: the six months run from it.
pub fn check_not_received(received_on: Option<NaiveDate>) -> Result<(), DomainError> {
    match received_on {
        None => Ok(()),
        Some(day) => {
            let day_fr = day.format("%d/%m/%Y");
            Err(DomainError::conflict(
                ErrorCode::NoticeAlreadyReceived,
                crate::msg!(
                    "la Caf a enregistré la réception de cette déclaration le {day_fr}",
                    "the Caf recorded receiving this notice on {day}"
                ),
            ))
        }
    }
}

/// The day the Caf received the notice is a past day, not before the partner filed it; the
/// providers start [`NOTICE_MONTHS`] later at the earliest (the same day of the month, or the
/// month's last day when it has none: art. 641 CPC). Gives that day.
pub fn earliest_start(
    received_on: NaiveDate,
    filed_on: NaiveDate,
    today: NaiveDate,
) -> Result<NaiveDate, DomainError> {
    if received_on > today {
        return Err(DomainError::field(
            "received_on",
            "date_in_future",
            crate::msg!(
                "désigne un fait passé : ne peut pas être une date à venir",
                "records a past event: must not be after today"
            ),
        ));
    }
    if received_on < filed_on {
        return Err(DomainError::field(
            "received_on",
            "before_filing",
            crate::msg!(
                "la Caf ne peut pas recevoir la déclaration avant que le partenaire l'ait déposée",
                "the Caf cannot receive the notice before the partner filed it"
            ),
        ));
    }
    Ok(received_on + Months::new(NOTICE_MONTHS))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(country: &str, database_country: &str) -> Provider {
        Provider {
            name: "Infogérance Bourgogne".into(),
            location: "Dijon, France".into(),
            country: country.into(),
            database_location: "Roubaix, France".into(),
            database_country: database_country.into(),
            legal_regime: "Droit français".into(),
            tasks: "Maintenance du logiciel d'instruction".into(),
        }
    }

    fn codes(e: DomainError) -> Vec<(String, &'static str)> {
        match e {
            DomainError::Validation(v) => v.into_iter().map(|f| (f.field, f.code)).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn safeguards_are_given_exactly_outside_protected_countries() {
        for (country, db, safeguards, want) in [
            ("FR", "FR", None, Ok(())),
            ("NO", "CH", None, Ok(())),
            ("FR", "US", None, Err(("safeguards", "required"))),
            ("MA", "FR", None, Err(("safeguards", "required"))),
            (
                "FR",
                "US",
                Some("Clauses contractuelles types 2021/914"),
                Ok(()),
            ),
            (
                "FR",
                "FR",
                Some("Clauses contractuelles types"),
                Err(("safeguards", "not_applicable")),
            ),
            ("FR", "FR", Some("   "), Ok(())),
        ] {
            let got = Notice::check(&[provider(country, db)], safeguards);
            match want {
                Ok(()) => assert!(got.is_ok(), "{country} {db} {safeguards:?}: {got:?}"),
                Err((f, code)) => {
                    assert_eq!(
                        codes(got.unwrap_err()),
                        vec![(f.to_string(), code)],
                        "{country} {db}"
                    )
                }
            }
        }
    }

    #[test]
    fn each_provider_gives_the_five_items() {
        let mut p = provider("fr", "FRA");
        p.tasks = " ".into();
        assert_eq!(
            codes(Notice::check(&[p], None).unwrap_err()),
            vec![
                ("providers[0].tasks".to_string(), "required"),
                ("providers[0].country".to_string(), "invalid_country"),
                (
                    "providers[0].database_country".to_string(),
                    "invalid_country"
                ),
            ]
        );
        assert_eq!(
            codes(Notice::check(&[], None).unwrap_err()),
            vec![("providers".to_string(), "count")]
        );
    }

    #[test]
    fn providers_start_six_months_after_the_caf_received_the_notice() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = d("2026-12-03");
        assert_eq!(
            earliest_start(d("2026-12-01"), d("2026-11-30"), today),
            Ok(d("2027-06-01"))
        );
        // No 31 in June: the month's last day.
        assert_eq!(
            earliest_start(d("2025-12-31"), d("2025-12-30"), today),
            Ok(d("2026-06-30"))
        );
        assert!(earliest_start(d("2026-12-04"), d("2026-12-01"), today).is_err());
        assert!(earliest_start(d("2026-11-29"), d("2026-11-30"), today).is_err());
        assert!(check_convention(ConventionStatus::Terminated).is_err());
        assert!(check_convention(ConventionStatus::Draft).is_ok());
        let (_, body) = receipt_message("911-2026-0001", d("2026-12-01"), d("2027-06-01"));
        assert!(body.contains("le 01/12/2026") && body.contains("à partir du 01/06/2027"));
    }
}

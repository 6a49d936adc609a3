//! CDAP: a beneficiary's file (dossier allocataire) and what each profile may see of it. A
//! profile's view — sections, period, benefits — is catalogue data; this module applies it, and
//! the profile's restriction, to a file (DOMAIN.md §3).

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::message::Message;

/// A person of the household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Family name.
    pub last_name: String,
    /// Given name.
    pub first_name: String,
    /// Date of birth.
    pub birth_date: NaiveDate,
}

/// Identity of the beneficiary.
pub type Identity = Person;

/// Postal address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Street line.
    pub line: String,
    /// Postcode.
    pub postcode: String,
    /// Town.
    pub city: String,
}

/// Household composition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Household {
    /// `single` or `couple`.
    pub situation: String,
    /// The spouse or partner, if any.
    pub partner: Option<Person>,
    /// Dependent children.
    pub children: Vec<Person>,
}

/// Professional situation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Professional {
    /// `employee`, `self_employed`, `job_seeker`, `student`, `retired`, `inactive`.
    pub status: String,
    /// Employer, when employed.
    pub employer: Option<String>,
}

/// A monthly amount (resources, quotient familial).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Monthly {
    /// First day of the month.
    pub month: NaiveDate,
    /// Amount in euros (or quotient value).
    pub amount: f64,
}

/// A benefit right for one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Right {
    /// `RSA`, `PPA`, `AL` (housing aid), `AF`, `AAH`, `CMG`…
    pub benefit: String,
    /// First day of the month.
    pub month: NaiveDate,
    /// Amount in euros.
    pub amount: f64,
    /// SIRET of the landlord paid directly (tiers payant), for housing aid.
    pub landlord_siret: Option<String>,
}

/// A request for the childcare supplement (CMG).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CmgRequest {
    /// When it was filed.
    pub filed_on: NaiveDate,
}

/// A beneficiary's file as a Caf holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BeneficiaryFile {
    /// Numéro allocataire: seven digits, unique within a Caf.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "1000001", pattern = "^[0-9]{7}$")
    )]
    pub numero: String,
    /// The beneficiary.
    #[cfg_attr(feature = "openapi", schema(value_type = Person))]
    pub identity: Identity,
    /// Address.
    pub address: Address,
    /// Household.
    pub household: Household,
    /// Professional situation.
    pub professional: Professional,
    /// Resources by month.
    pub resources: Vec<Monthly>,
    /// Quotient familial by month.
    pub quotient_familial: Vec<Monthly>,
    /// Rights and payments by month.
    pub rights: Vec<Right>,
    /// CMG requests.
    pub cmg_requests: Vec<CmgRequest>,
    /// RSA instructor numbers of the agents who instructed the file.
    pub rsa_instructors: Vec<String>,
}

impl BeneficiaryFile {
    /// Reads and checks one line of an import; why it is refused, when it is.
    pub fn parse(line: &str) -> Result<Self, Message> {
        let file: Self = serde_json::from_str(line).map_err(|e| {
            crate::msg!(
                "la ligne n'est pas un dossier allocataire lisible ({e})",
                "{e}"
            )
        })?;
        check_numero(&file.numero).map_err(|e| match e {
            DomainError::Validation(v) => v[0].message.clone(),
            other => other.message(),
        })?;
        if file.identity.last_name.trim().is_empty() {
            return Err(crate::msg!(
                "identity.last_name : le nom de famille est vide",
                "identity.last_name is empty"
            ));
        }
        Ok(file)
    }

    /// The last month with an RSA right, if any.
    pub fn last_rsa_month(&self) -> Option<NaiveDate> {
        self.rights
            .iter()
            .filter(|r| r.benefit == "RSA")
            .map(|r| r.month)
            .max()
    }

    /// Landlords paid directly for this file.
    pub fn landlords(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .rights
            .iter()
            .filter_map(|r| r.landlord_siret.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Checks a numéro allocataire: seven digits.
pub fn check_numero(numero: &str) -> Result<(), DomainError> {
    if numero.len() == 7 && numero.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(DomainError::field(
            "numero",
            "invalid_numero",
            crate::msg!(
                "un numéro allocataire compte sept chiffres",
                "a numéro allocataire has seven digits"
            ),
        ))
    }
}

/// The sections of a file a view may include.
pub const SECTIONS: [&str; 8] = [
    "identity",
    "address",
    "household",
    "professional",
    "resources",
    "quotient_familial",
    "rights",
    "cmg_requests",
];

/// A profile's restriction, beyond its view (the bulletin's wording, as a rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restriction {
    /// T4: the instructor number must be given first.
    InstructorNumber,
    /// T10: only files where the landlord paid directly is the partner.
    OwnTenants,
    /// T18/T19: only people with an RSA right in the last two years.
    RsaLastTwoYears,
    /// T21: only files with a CMG request.
    CmgRequest,
}

impl Restriction {
    /// Stable code, as stored in the catalogue.
    pub fn code(self) -> &'static str {
        match self {
            Self::InstructorNumber => "instructor_number",
            Self::OwnTenants => "own_tenants",
            Self::RsaLastTwoYears => "rsa_last_two_years",
            Self::CmgRequest => "cmg_request",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::InstructorNumber,
            Self::OwnTenants,
            Self::RsaLastTwoYears,
            Self::CmgRequest,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }
}

/// What a profile sees of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The sections shown (names from [`SECTIONS`]).
    pub sections: Vec<String>,
    /// How many months back the monthly series go (resources, quotient, rights).
    pub months: u32,
    /// The benefits whose rights are shown; all when empty.
    pub benefits: Vec<String>,
    /// The profile's restriction, if any.
    pub restriction: Option<Restriction>,
    /// Whether the profile may find a file by identity (its bodies do not know the numéro).
    pub identity_search: bool,
}

/// Who consults, for the restrictions.
#[derive(Debug, Clone, Default)]
pub struct Consultant {
    /// The partner's SIRET.
    pub siret: String,
    /// The instructor number typed in (T4).
    pub instructor_number: Option<String>,
}

/// Whether the restriction lets the consultant see this file at all. When it does not, the
/// file is answered as missing (404): nobody learns that a file exists outside their reach.
pub fn restriction_allows(
    restriction: Option<Restriction>,
    file: &BeneficiaryFile,
    who: &Consultant,
    today: NaiveDate,
) -> bool {
    match restriction {
        None => true,
        Some(Restriction::InstructorNumber) => who
            .instructor_number
            .as_ref()
            .is_some_and(|n| file.rsa_instructors.iter().any(|i| i == n)),
        Some(Restriction::OwnTenants) => file.landlords().contains(&who.siret),
        Some(Restriction::RsaLastTwoYears) => file
            .last_rsa_month()
            .is_some_and(|m| m >= first_month_shown(today, 24)),
        Some(Restriction::CmgRequest) => !file.cmg_requests.is_empty(),
    }
}

/// The first month a series of `months` months ending this month includes.
pub fn first_month_shown(today: NaiveDate, months: u32) -> NaiveDate {
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("valid");
    this_month
        .checked_sub_months(Months::new(months.saturating_sub(1)))
        .unwrap_or(NaiveDate::MIN)
}

/// The file as the view shows it: only its sections, series cut to its period, rights to its
/// benefits. Nothing outside the view is in the result.
pub fn apply_view(file: &BeneficiaryFile, view: &View, today: NaiveDate) -> serde_json::Value {
    let since = first_month_shown(today, view.months);
    let mut out = serde_json::Map::new();
    out.insert("numero".into(), file.numero.clone().into());
    let json = |v: &dyn erased::Ser| v.to_value();
    for section in &view.sections {
        let value = match section.as_str() {
            "identity" => json(&file.identity),
            "address" => json(&file.address),
            "household" => json(&file.household),
            "professional" => json(&file.professional),
            "resources" => json(
                &file
                    .resources
                    .iter()
                    .filter(|m| m.month >= since)
                    .collect::<Vec<_>>(),
            ),
            "quotient_familial" => json(
                &file
                    .quotient_familial
                    .iter()
                    .filter(|m| m.month >= since)
                    .collect::<Vec<_>>(),
            ),
            "rights" => json(
                &file
                    .rights
                    .iter()
                    .filter(|r| r.month >= since)
                    .filter(|r| view.benefits.is_empty() || view.benefits.contains(&r.benefit))
                    .collect::<Vec<_>>(),
            ),
            "cmg_requests" => json(&file.cmg_requests),
            _ => continue,
        };
        out.insert(section.clone(), value);
    }
    serde_json::Value::Object(out)
}

mod erased {
    /// Serialises any section without naming its type.
    pub trait Ser {
        fn to_value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_value(&self) -> serde_json::Value {
            serde_json::to_value(self).expect("plain data serialises")
        }
    }
}

/// A synthetic but realistic file, the same for the same `n` and `seed`: for development and
/// benchmarks, never for production.
pub fn synthetic(n: u64, seed: u64, today: NaiveDate) -> BeneficiaryFile {
    let mut state = seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = move || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    const LAST: [&str; 12] = [
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Laurent",
    ];
    const FIRST: [&str; 12] = [
        "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Lucas", "Hugo", "Louis", "Nathan",
        "Karim", "Yanis",
    ];
    const CITIES: [(&str, &str); 6] = [
        ("77127", "Lieusaint"),
        ("76000", "Rouen"),
        ("93200", "Saint-Denis"),
        ("59000", "Lille"),
        ("69007", "Lyon"),
        ("13003", "Marseille"),
    ];
    let mut pick = |len: usize| (next() % len as u64) as usize;
    let last = LAST[pick(LAST.len())];
    let person = |pick: &mut dyn FnMut(usize) -> usize, min_age: i32, span: i32| Person {
        last_name: last.to_string(),
        first_name: FIRST[pick(FIRST.len())].to_string(),
        birth_date: NaiveDate::from_ymd_opt(
            today.year() - min_age - pick(span as usize) as i32,
            1 + pick(12) as u32,
            1 + pick(28) as u32,
        )
        .expect("valid"),
    };
    let identity = person(&mut pick, 20, 50);
    let couple = pick(2) == 0;
    let partner = couple.then(|| person(&mut pick, 20, 50));
    let children = (0..pick(4)).map(|_| person(&mut pick, 0, 18)).collect();
    let (postcode, city) = CITIES[pick(CITIES.len())];
    let status = [
        "employee",
        "job_seeker",
        "self_employed",
        "inactive",
        "student",
    ][pick(5)];
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("valid");
    let months: Vec<NaiveDate> = (0..24u32).map(|k| this_month - Months::new(k)).collect();
    let income = 400.0 + pick(2200) as f64;
    let rsa = status != "employee" && pick(3) > 0;
    let tenant_of =
        (pick(3) == 0).then(|| format!("{:014}", 30_000_000_000_000u64 + pick(50) as u64));
    let mut rights = vec![];
    for (k, m) in months.iter().enumerate() {
        if rsa && k < 18 {
            rights.push(Right {
                benefit: "RSA".into(),
                month: *m,
                amount: 607.75,
                landlord_siret: None,
            });
        }
        if let Some(siret) = &tenant_of {
            rights.push(Right {
                benefit: "AL".into(),
                month: *m,
                amount: 250.0,
                landlord_siret: Some(siret.clone()),
            });
        }
    }
    BeneficiaryFile {
        numero: format!("{:07}", n % 10_000_000),
        identity,
        address: Address {
            line: format!("{} rue de la République", 1 + pick(120)),
            postcode: postcode.into(),
            city: city.into(),
        },
        household: Household {
            situation: if couple { "couple" } else { "single" }.into(),
            partner,
            children,
        },
        professional: Professional {
            status: status.into(),
            employer: (status == "employee").then(|| "Entreprise générale".to_string()),
        },
        resources: months
            .iter()
            .map(|m| Monthly {
                month: *m,
                amount: income,
            })
            .collect(),
        quotient_familial: months
            .iter()
            .map(|m| Monthly {
                month: *m,
                amount: (income / 3.0).round(),
            })
            .collect(),
        rights,
        cmg_requests: if pick(5) == 0 {
            vec![CmgRequest {
                filed_on: this_month - Months::new(6),
            }]
        } else {
            vec![]
        },
        rsa_instructors: if rsa {
            vec![format!("I-{:03}", pick(20))]
        } else {
            vec![]
        },
    }
}

/// The catalogue code of the consultation service these rules serve.
pub const SERVICE_CODE: &str = "CDAP";

/// One CDAP habilitation a person holds, as a consultation chooses among them: directly or
/// through a group, for one profile and one mission of the convention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// The habilitation.
    pub habilitation: crate::ids::HabilitationId,
    /// Its profile.
    pub profile: crate::ids::ProfileId,
    /// The mission it serves.
    pub mission: crate::ids::MissionId,
}

/// Chooses the habilitation a consultation rests on: one of the person's that serves the
/// mission cited (C-art. 8: the mission is the purpose of the consultation, and a habilitation
/// serves one) and, when given, has the profile asked. The same profile held twice for that
/// mission (directly and through a group) is one view: the first is taken. Several profiles
/// for the mission need the consultation to say which (`profile_id`).
pub fn choose_habilitation(
    held: &[Held],
    profile: Option<crate::ids::ProfileId>,
    mission: crate::ids::MissionId,
) -> Result<&Held, DomainError> {
    let with_profile: Vec<&Held> = held
        .iter()
        .filter(|h| profile.is_none_or(|p| h.profile == p))
        .collect();
    if with_profile.is_empty() {
        return Err(DomainError::Blocked {
            code: crate::ErrorCode::NotHabilitated,
            message: crate::msg!(
                "vous ne détenez aucune habilitation CDAP active (pour ce profil)",
                "you hold no active CDAP habilitation (for this profile)"
            ),
        });
    }
    let serving: Vec<&Held> = with_profile
        .into_iter()
        .filter(|h| h.mission == mission)
        .collect();
    let Some(first) = serving.first() else {
        return Err(DomainError::field(
            "mission_id",
            "mission_not_habilitated",
            crate::msg!(
                "aucune de vos habilitations ne sert cette mission : indiquez celle pour laquelle vous êtes habilité",
                "none of your habilitations serves this mission: cite the mission you are habilitated for"
            ),
        ));
    };
    if serving.iter().any(|h| h.profile != first.profile) {
        return Err(DomainError::field(
            "profile_id",
            "profile_required",
            crate::msg!(
                "vous détenez plusieurs profils CDAP pour cette mission : précisez celui qu'utilise cette consultation",
                "you hold several CDAP profiles for this mission: say which one this consultation uses"
            ),
        ));
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn file() -> BeneficiaryFile {
        let m = |y, mo| NaiveDate::from_ymd_opt(y, mo, 1).unwrap();
        BeneficiaryFile {
            numero: "1234567".into(),
            identity: Person {
                last_name: "Martin".into(),
                first_name: "Léa".into(),
                birth_date: m(1990, 5),
            },
            address: Address {
                line: "1 rue".into(),
                postcode: "77127".into(),
                city: "Lieusaint".into(),
            },
            household: Household {
                situation: "single".into(),
                partner: None,
                children: vec![],
            },
            professional: Professional {
                status: "job_seeker".into(),
                employer: None,
            },
            resources: vec![
                Monthly {
                    month: m(2026, 11),
                    amount: 500.0,
                },
                Monthly {
                    month: m(2024, 1),
                    amount: 400.0,
                },
            ],
            quotient_familial: vec![Monthly {
                month: m(2026, 11),
                amount: 300.0,
            }],
            rights: vec![
                Right {
                    benefit: "RSA".into(),
                    month: m(2025, 1),
                    amount: 600.0,
                    landlord_siret: None,
                },
                Right {
                    benefit: "AL".into(),
                    month: m(2026, 10),
                    amount: 250.0,
                    landlord_siret: Some("21770251200013".into()),
                },
            ],
            cmg_requests: vec![],
            rsa_instructors: vec!["I-007".into()],
        }
    }

    #[test]
    fn a_view_shows_its_sections_and_period_only() {
        let view = View {
            sections: vec!["identity".into(), "rights".into(), "resources".into()],
            months: 12,
            benefits: vec!["AL".into()],
            restriction: None,
            identity_search: false,
        };
        let v = apply_view(&file(), &view, today());
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["identity", "numero", "resources", "rights"]);
        assert_eq!(v["rights"].as_array().unwrap().len(), 1, "AL only");
        assert_eq!(v["rights"][0]["benefit"], "AL");
        assert_eq!(
            v["resources"].as_array().unwrap().len(),
            1,
            "last 12 months only"
        );
        assert!(v.get("address").is_none() && v.get("household").is_none());
    }

    #[test]
    fn restrictions() {
        let f = file();
        let who = |siret: &str, instructor: Option<&str>| Consultant {
            siret: siret.into(),
            instructor_number: instructor.map(Into::into),
        };
        use Restriction::*;
        // (restriction, consultant, allowed)
        let table = [
            (None, who("1", None), true),
            (Some(InstructorNumber), who("1", None), false),
            (Some(InstructorNumber), who("1", Some("I-008")), false),
            (Some(InstructorNumber), who("1", Some("I-007")), true),
            (Some(OwnTenants), who("21770251200013", None), true),
            (Some(OwnTenants), who("21770251200014", None), false),
            (Some(RsaLastTwoYears), who("1", None), true),
            (Some(CmgRequest), who("1", None), false),
        ];
        for (r, c, allowed) in table {
            assert_eq!(restriction_allows(r, &f, &c, today()), allowed, "{r:?}");
        }
        let old_rsa = BeneficiaryFile {
            rights: vec![Right {
                benefit: "RSA".into(),
                month: NaiveDate::from_ymd_opt(2024, 10, 1).unwrap(),
                amount: 1.0,
                landlord_siret: None,
            }],
            ..file()
        };
        assert!(!restriction_allows(
            Some(RsaLastTwoYears),
            &old_rsa,
            &who("1", None),
            today()
        ));
        assert_eq!(
            first_month_shown(today(), 24),
            NaiveDate::from_ymd_opt(2024, 12, 1).unwrap()
        );
    }

    #[test]
    fn import_lines_are_checked_and_synthetic_files_are_stable() {
        let line = serde_json::to_string(&file()).unwrap();
        assert_eq!(BeneficiaryFile::parse(&line).unwrap(), file());
        assert!(BeneficiaryFile::parse("{").is_err());
        let bad = line.replace("1234567", "12345");
        assert!(BeneficiaryFile::parse(&bad)
            .unwrap_err()
            .en()
            .contains("seven digits"));
        let extra = line.replacen('{', "{\"secret\":1,", 1);
        assert!(
            BeneficiaryFile::parse(&extra).is_err(),
            "unknown fields refused"
        );
        assert_eq!(synthetic(42, 7, today()), synthetic(42, 7, today()));
        let s = synthetic(42, 7, today());
        assert_eq!(s.numero, "0000042");
        assert!(BeneficiaryFile::parse(&serde_json::to_string(&s).unwrap()).is_ok());
    }

    #[test]
    fn the_habilitation_a_consultation_rests_on() {
        use crate::ids::{HabilitationId, MissionId, ProfileId};
        let id = |n: u128| uuid::Uuid::from_u128(n);
        let held = |h: u128, p: u128, m: u128| Held {
            habilitation: HabilitationId::from(id(h)),
            profile: ProfileId::from(id(p)),
            mission: MissionId::from(id(m)),
        };
        let (t13, t1) = (ProfileId::from(id(13)), ProfileId::from(id(1)));
        let (fsl, social) = (MissionId::from(id(100)), MissionId::from(id(200)));
        // T13 held directly and through a group, for the same mission: one view, the first.
        let twice = [held(1, 13, 100), held(2, 13, 100)];
        assert_eq!(choose_habilitation(&twice, None, fsl).unwrap(), &twice[0]);
        assert_eq!(
            choose_habilitation(&twice, Some(t13), fsl).unwrap(),
            &twice[0]
        );
        // Another mission than the habilitation's: refused, naming the field.
        let code = |r: Result<&Held, DomainError>| match r {
            Err(DomainError::Validation(e)) => e[0].code.to_string(),
            Err(DomainError::Blocked { code, .. }) => code.as_str().to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            code(choose_habilitation(&twice, None, social)),
            "mission_not_habilitated"
        );
        // Two profiles for the mission: say which.
        let two = [held(1, 13, 100), held(3, 1, 100), held(4, 1, 200)];
        assert_eq!(
            code(choose_habilitation(&two, None, fsl)),
            "profile_required"
        );
        assert_eq!(choose_habilitation(&two, Some(t1), fsl).unwrap(), &two[1]);
        assert_eq!(choose_habilitation(&two, None, social).unwrap(), &two[2]);
        // A profile not held at all.
        assert_eq!(
            code(choose_habilitation(&two, Some(ProfileId::from(id(4))), fsl)),
            "not_habilitated"
        );
        assert_eq!(code(choose_habilitation(&[], None, fsl)), "not_habilitated");
    }
}

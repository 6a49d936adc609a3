//! Contract types that mirror domain vocabularies, so that the OpenAPI document lists their
//! values; conversions are exhaustive both ways, so a new domain value cannot be forgotten here.

use chrono::NaiveDate;
use mcp_domain::{contract, convention, partner};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Declares a contract enum mirroring a domain one, with conversions both ways.
macro_rules! mirror_enum {
    ($(#[$m:meta])* $name:ident => $domain:path { $($(#[$vm:meta])* $variant:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),* }

        impl From<$name> for $domain {
            fn from(v: $name) -> Self {
                match v { $($name::$variant => <$domain>::$variant),* }
            }
        }

        impl From<$domain> for $name {
            fn from(v: $domain) -> Self {
                match v { $(<$domain>::$variant => $name::$variant),* }
            }
        }
    };
}

pub(crate) use mirror_enum;

mirror_enum! {
    /// The kind of body a partner is; the catalogue decides which profiles each may hold.
    PartnerCategory => partner::PartnerCategory {
        Commune, Epci, Ccas, Departement, Etat, Prefecture, Hopital, EtablissementMedicoSocial,
        OrganismeSecuriteSociale, Cpam, Carsat, Msa, RegimeParticulierMaladie, Enim,
        CaisseDesDepots, Pajemploi, GestionnaireFsl, BailleurSocial, Association, PrestataireActionSociale,
        OrganismeProtectionMajeurs, CommissionSurendettement, BureauAideJuridictionnelle,
        CommissionMediationLogement, AutoriteTransport, CaisseFrontaliere, Crous,
    }
}

mirror_enum! {
    /// Habilitation-management mode of the contract: `delegue` (default) or `centralise`.
    ManagementMode => contract::ManagementMode { Delegue, Centralise }
}

mirror_enum! {
    /// A signing party.
    Party => convention::Party { Caf, Partner }
}

mirror_enum! {
    /// `unilateral` (registered letter, at least 3 months' notice) or `breach` (one month after
    /// a formal notice left without effect), C-art. 17.2.
    TerminationKind => convention::TerminationKind { Unilateral, Breach }
}

mirror_enum! {
    /// Where a convention stands today, computed from its dated events.
    ConventionStatus => convention::ConventionStatus { Draft, Signed, Active, TerminationNotified, Terminated }
}

mirror_enum! {
    /// Role of a contact in annex 1 of the contract.
    ContactRole => contract::ContactRole {
        PrincipalAdministrator, DeputyAdministrator, SecurityOfficer, ItManager, DataProtectionOfficer, ServiceCentre,
        /// Responsable « Mon Compte Partenaire ».
        MonComptePartenaireManager,
        /// The partner's responsable services, told ahead of planned stops (S-art. 4).
        ServicesManager,
    }
}

/// The contract's password policy (C-art. 9.1), at least CNIL 2022-100's floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[schema(example = json!({"kind": "characters", "min_length": 12, "min_classes": 4, "max_age_days": null}))]
pub enum PasswordPolicy {
    /// A minimum length and a minimum number of character classes (lowercase, uppercase,
    /// digits, special): at least 8 characters of 3 classes.
    Characters {
        /// Minimum length, 8 to 128.
        #[schema(minimum = 8, maximum = 128)]
        min_length: u16,
        /// Classes required, 3 or 4.
        #[schema(minimum = 3, maximum = 4)]
        min_classes: u8,
        /// Forced renewal after this many days (30 to 730), or none.
        #[schema(minimum = 30, maximum = 730)]
        max_age_days: Option<u16>,
    },
    /// A passphrase of at least 7 words.
    Passphrase {
        /// Minimum words, 7 to 20.
        #[schema(minimum = 7, maximum = 20)]
        min_words: u8,
        /// Forced renewal after this many days (30 to 730), or none.
        #[schema(minimum = 30, maximum = 730)]
        max_age_days: Option<u16>,
    },
}

impl From<PasswordPolicy> for contract::PasswordPolicy {
    fn from(p: PasswordPolicy) -> Self {
        match p {
            PasswordPolicy::Characters {
                min_length,
                min_classes,
                max_age_days,
            } => Self::Characters {
                min_length,
                min_classes,
                max_age_days,
            },
            PasswordPolicy::Passphrase {
                min_words,
                max_age_days,
            } => Self::Passphrase {
                min_words,
                max_age_days,
            },
        }
    }
}

impl From<contract::PasswordPolicy> for PasswordPolicy {
    fn from(p: contract::PasswordPolicy) -> Self {
        match p {
            contract::PasswordPolicy::Characters {
                min_length,
                min_classes,
                max_age_days,
            } => Self::Characters {
                min_length,
                min_classes,
                max_age_days,
            },
            contract::PasswordPolicy::Passphrase {
                min_words,
                max_age_days,
            } => Self::Passphrase {
                min_words,
                max_age_days,
            },
        }
    }
}

/// A contact of annex 1.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Which side.
    pub side: Party,
    /// Role in the contract.
    pub role: ContactRole,
    /// Full name (or the service's name).
    #[schema(min_length = 1, max_length = 200, example = "Claire Dupont")]
    pub name: String,
    /// E-mail; a contact gives an e-mail, a telephone, or both.
    #[schema(
        format = "email",
        max_length = 254,
        example = "claire.dupont@ccas-lieusaint.fr"
    )]
    #[serde(default)]
    pub email: Option<String>,
    /// Telephone.
    #[schema(example = "01 64 13 55 00")]
    #[serde(default)]
    pub phone: Option<String>,
    /// Their place in the escalation procedure's list of their side (S-art. 3.3), 1 first;
    /// when a side ranks no one, its administrators are its escalation contacts.
    #[schema(minimum = 1, maximum = 10)]
    #[serde(default)]
    pub escalation_rank: Option<u8>,
}

impl From<Contact> for contract::Contact {
    fn from(c: Contact) -> Self {
        Self {
            side: c.side.into(),
            role: c.role.into(),
            name: c.name,
            email: c.email,
            phone: c.phone,
            escalation_rank: c.escalation_rank,
        }
    }
}

impl From<contract::Contact> for Contact {
    fn from(c: contract::Contact) -> Self {
        Self {
            side: c.side.into(),
            role: c.role.into(),
            name: c.name,
            email: c.email,
            phone: c.phone,
            escalation_rank: c.escalation_rank,
        }
    }
}

mirror_enum! {
    /// A day of the week.
    Day => mcp_domain::service_centre::Day {
        /// Lundi.
        Monday,
        /// Mardi.
        Tuesday,
        /// Mercredi.
        Wednesday,
        /// Jeudi.
        Thursday,
        /// Vendredi.
        Friday,
        /// Samedi.
        Saturday,
        /// Dimanche.
        Sunday,
    }
}

/// What the contract says of the Caf service centre (S-art. 3.2, 3.3): its opening hours,
/// Paris time, and the days either side has to answer the other before the escalation opens.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"opening_days": ["monday", "tuesday", "wednesday", "thursday", "friday"], "opens_at": "09:00:00", "closes_at": "16:00:00", "escalation_delay_days": 10}))]
pub struct ServiceCentreTerms {
    /// The days it is open.
    #[schema(min_items = 1, max_items = 7)]
    pub opening_days: Vec<Day>,
    /// When it opens, Paris time (`09:00` or `09:00:00`).
    #[schema(value_type = String, example = "09:00:00")]
    pub opens_at: chrono::NaiveTime,
    /// When it closes, Paris time.
    #[schema(value_type = String, example = "16:00:00")]
    pub closes_at: chrono::NaiveTime,
    /// Days to answer before the escalation opens (1 to 90); null when the contract sets no
    /// delay, so that only urgency opens it.
    #[schema(minimum = 1, maximum = 90)]
    pub escalation_delay_days: Option<u16>,
}

impl From<ServiceCentreTerms> for mcp_domain::service_centre::ServiceCentreTerms {
    fn from(t: ServiceCentreTerms) -> Self {
        Self {
            opening_days: t.opening_days.into_iter().map(Into::into).collect(),
            opens_at: t.opens_at,
            closes_at: t.closes_at,
            escalation_delay_days: t.escalation_delay_days,
        }
    }
}

impl From<mcp_domain::service_centre::ServiceCentreTerms> for ServiceCentreTerms {
    fn from(t: mcp_domain::service_centre::ServiceCentreTerms) -> Self {
        Self {
            opening_days: t.opening_days.into_iter().map(Into::into).collect(),
            opens_at: t.opens_at,
            closes_at: t.closes_at,
            escalation_delay_days: t.escalation_delay_days,
        }
    }
}

/// The amendment (avenant) signed by both parties that a change to a signed convention needs
/// (C-art. 17.3). Refused on a draft, which changes freely.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"summary": "Quota du profil T13 porté de 4 à 6 utilisateurs", "caf_signed_on": "2026-11-02", "partner_signed_on": "2026-11-05"}))]
pub struct AmendmentInput {
    /// What it changes, in a sentence.
    #[schema(min_length = 1, max_length = 2000)]
    pub summary: String,
    /// Caf's signature date.
    pub caf_signed_on: NaiveDate,
    /// Partner's signature date.
    pub partner_signed_on: NaiveDate,
}

impl From<AmendmentInput> for convention::AmendmentSignature {
    fn from(a: AmendmentInput) -> Self {
        Self {
            summary: a.summary,
            caf_signed_on: a.caf_signed_on,
            partner_signed_on: a.partner_signed_on,
        }
    }
}

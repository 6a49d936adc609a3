//! Contract types that mirror domain vocabularies, so that the OpenAPI document lists their
//! values; conversions are exhaustive both ways, so a new domain value cannot be forgotten here.

use chrono::NaiveDate;
use mcp_domain::{contract, convention, partner};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
}

impl From<Contact> for contract::Contact {
    fn from(c: Contact) -> Self {
        Self {
            side: c.side.into(),
            role: c.role.into(),
            name: c.name,
            email: c.email,
            phone: c.phone,
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

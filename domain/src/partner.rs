//! Partners (partenaires): the legal entities that sign a convention with a Caf.

use serde::{Deserialize, Serialize};

use crate::error::{Checks, DomainError};
use crate::siret::Siret;
use crate::text;

/// The kind of body a partner is; the catalogue decides which profiles each kind may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerCategory {
    /// A commune (municipality).
    Commune,
    /// An établissement public de coopération intercommunale.
    Epci,
    /// A centre communal (or intercommunal) d'action sociale.
    Ccas,
    /// A département council.
    Departement,
    /// A State service.
    Etat,
    /// A préfecture.
    Prefecture,
    /// A hospital.
    Hopital,
    /// A medico-social establishment.
    EtablissementMedicoSocial,
    /// A social-security body of none of the kinds below (Cnav, Cnaf's own bodies…): the
    /// catalogue opens no profile to it as delivered. Partners recorded before the finer kinds
    /// existed and whose profiles did not tell which kind they are keep this code until a Caf
    /// re-categorises them.
    OrganismeSecuriteSociale,
    /// A CPAM or CGSS (health insurance, profile T6).
    Cpam,
    /// A Carsat or the Cramif (retirement and occupational health, profile T1).
    Carsat,
    /// A caisse de Mutualité sociale agricole (profiles T1 and T8).
    Msa,
    /// A special health-insurance scheme: Urssaf, CNMSS, Crpcen, the SNCF fund (profile T8).
    RegimeParticulierMaladie,
    /// The Établissement national des invalides de la marine (profiles T8 and T14).
    Enim,
    /// The Caisse des dépôts et consignations (profile T14).
    CaisseDesDepots,
    /// The Centre national Pajemploi (profile T21).
    Pajemploi,
    /// A body that manages a housing-solidarity fund: GIP FSL (profile T13).
    GestionnaireFsl,
    /// A social landlord (bailleur social) paid housing aid directly.
    BailleurSocial,
    /// An association (approved or contracted).
    Association,
    /// A social-service provider subsidised by Caf social action.
    PrestataireActionSociale,
    /// A guardianship or curatorship body (protection des majeurs et de l'enfance).
    OrganismeProtectionMajeurs,
    /// An over-indebtedness commission (commission de surendettement).
    CommissionSurendettement,
    /// A legal-aid office (bureau d'aide juridictionnelle).
    BureauAideJuridictionnelle,
    /// A housing-mediation commission (Dalo, Ccapex).
    CommissionMediationLogement,
    /// A public-transport authority or its provider.
    AutoriteTransport,
    /// A body of an EU member state or Switzerland equivalent to a Caf.
    CaisseFrontaliere,
    /// A Crous (student services).
    Crous,
}

impl PartnerCategory {
    /// Every category, in the order the API documents them.
    pub const ALL: [PartnerCategory; 27] = [
        Self::Commune,
        Self::Epci,
        Self::Ccas,
        Self::Departement,
        Self::Etat,
        Self::Prefecture,
        Self::Hopital,
        Self::EtablissementMedicoSocial,
        Self::OrganismeSecuriteSociale,
        Self::Cpam,
        Self::Carsat,
        Self::Msa,
        Self::RegimeParticulierMaladie,
        Self::Enim,
        Self::CaisseDesDepots,
        Self::Pajemploi,
        Self::GestionnaireFsl,
        Self::BailleurSocial,
        Self::Association,
        Self::PrestataireActionSociale,
        Self::OrganismeProtectionMajeurs,
        Self::CommissionSurendettement,
        Self::BureauAideJuridictionnelle,
        Self::CommissionMediationLogement,
        Self::AutoriteTransport,
        Self::CaisseFrontaliere,
        Self::Crous,
    ];

    /// The stable code stored and exchanged.
    pub fn code(self) -> &'static str {
        match self {
            Self::Commune => "commune",
            Self::Epci => "epci",
            Self::Ccas => "ccas",
            Self::Departement => "departement",
            Self::Etat => "etat",
            Self::Prefecture => "prefecture",
            Self::Hopital => "hopital",
            Self::EtablissementMedicoSocial => "etablissement_medico_social",
            Self::OrganismeSecuriteSociale => "organisme_securite_sociale",
            Self::Cpam => "cpam",
            Self::Carsat => "carsat",
            Self::Msa => "msa",
            Self::RegimeParticulierMaladie => "regime_particulier_maladie",
            Self::Enim => "enim",
            Self::CaisseDesDepots => "caisse_des_depots",
            Self::Pajemploi => "pajemploi",
            Self::GestionnaireFsl => "gestionnaire_fsl",
            Self::BailleurSocial => "bailleur_social",
            Self::Association => "association",
            Self::PrestataireActionSociale => "prestataire_action_sociale",
            Self::OrganismeProtectionMajeurs => "organisme_protection_majeurs",
            Self::CommissionSurendettement => "commission_surendettement",
            Self::BureauAideJuridictionnelle => "bureau_aide_juridictionnelle",
            Self::CommissionMediationLogement => "commission_mediation_logement",
            Self::AutoriteTransport => "autorite_transport",
            Self::CaisseFrontaliere => "caisse_frontaliere",
            Self::Crous => "crous",
        }
    }

    /// Reads a stored or submitted code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// A partner's registration data, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerData {
    /// SIRET of the establishment that signs.
    pub siret: Siret,
    /// Legal name (« CCAS de Lieusaint »).
    pub name: String,
    /// Postal address.
    pub address: String,
    /// Name of the legal representative who signs the convention.
    pub representative_name: String,
    /// The representative's title (« Maire », « Présidente »…).
    pub representative_title: Option<String>,
    /// Kind of body.
    pub category: PartnerCategory,
}

impl PartnerData {
    /// Checks every field and reports all the invalid ones at once.
    pub fn new(
        siret: &str,
        name: &str,
        address: &str,
        representative_name: &str,
        representative_title: Option<&str>,
        category: &str,
    ) -> Result<Self, DomainError> {
        let mut c = Checks::new();
        let siret = c.take(Siret::parse("siret", siret));
        let name = c.take(text::required("name", name, 200));
        let address = c.take(text::required("address", address, 500));
        let representative_name = c.take(text::required(
            "representative_name",
            representative_name,
            200,
        ));
        let representative_title = c.take(text::optional(
            "representative_title",
            representative_title,
            100,
        ));
        let category = PartnerCategory::from_code(category);
        if category.is_none() {
            c.push(
                "category",
                "unknown_category",
                crate::msg!(
                    "n'est pas une catégorie de partenaire connue",
                    "not a known partner category"
                ),
            );
        }
        c.finish()?;
        Ok(Self {
            siret: siret.expect("checked"),
            name: name.expect("checked"),
            address: address.expect("checked"),
            representative_name: representative_name.expect("checked"),
            representative_title: representative_title.expect("checked"),
            category: category.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_codes_round_trip() {
        for c in PartnerCategory::ALL {
            assert_eq!(PartnerCategory::from_code(c.code()), Some(c));
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.code())
            );
        }
        assert_eq!(PartnerCategory::from_code("mairie"), None);
    }

    #[test]
    fn invalid_partner_names_each_field() {
        let Err(DomainError::Validation(errors)) =
            PartnerData::new("73282932000075", "CCAS", "", "Mme X", None, "mairie")
        else {
            panic!()
        };
        let got: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [
                ("siret", "invalid_siret"),
                ("address", "required"),
                ("category", "unknown_category")
            ]
        );
    }
}

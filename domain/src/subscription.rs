//! Service subscriptions (bulletins d'adhésion): the profiles opened to a partner for one
//! service, each with the maximum number of users the Caf fixes (S-art. 2.2.1).

use crate::catalogue::CatalogueProfile;
use crate::error::{Checks, DomainError};
use crate::partner::PartnerCategory;
use crate::text;

/// Largest quota a bulletin may set for one profile: the contract keeps numbers low (C-art. 9.2).
pub const MAX_QUOTA: i32 = 10_000;

/// One profile of a bulletin with its quota, as requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileQuota {
    /// Profile code within the service.
    pub profile: String,
    /// Maximum number of distinct people holding the profile; `None` when the bulletin leaves
    /// the line blank: the profile is listed, not opened.
    pub max_users: Option<i32>,
    /// The Caf-subsidised services (« accueil de loisirs », « multi-accueil »…) whose family
    /// participations the partner computes with the profile: required by a profile opened only
    /// for them (T2), refused elsewhere.
    pub subsidised_services: Vec<String>,
}

impl ProfileQuota {
    /// A bulletin line as submitted, its subsidised services trimmed.
    pub fn new(profile: String, max_users: Option<i32>, subsidised_services: Vec<String>) -> Self {
        Self {
            profile,
            max_users,
            subsidised_services: subsidised_services
                .into_iter()
                .map(|s| s.trim().to_string())
                .collect(),
        }
    }

    /// Whether the line opens its profile (its quota is filled in).
    pub fn opens(&self) -> bool {
        self.max_users.is_some()
    }
}

/// Checks a bulletin's profiles against the service's catalogue entry and the partner's category:
/// at least one profile opened, each line's profile known to the service and listed once; each
/// opened profile eligible for the category, with a quota between 1 and [`MAX_QUOTA`]. A line left
/// blank opens nothing, so the category does not matter for it.
pub fn check_profiles(
    field: &str,
    requested: &[ProfileQuota],
    service_profiles: &[CatalogueProfile],
    category: PartnerCategory,
) -> Result<(), DomainError> {
    let mut c = Checks::new();
    if !requested.iter().any(ProfileQuota::opens) {
        c.push(
            field,
            "required",
            crate::msg!(
                "un bulletin d'adhésion ouvre au moins un profil (un quota laissé vide n'en ouvre aucun)",
                "a bulletin opens at least one profile (a quota left blank opens none)"
            ),
        );
    }
    for (i, p) in requested.iter().enumerate() {
        let f = |name: &str| format!("{field}[{i}].{name}");
        match service_profiles.iter().find(|s| s.code == p.profile) {
            None => c.push(
                f("profile"),
                "unknown_profile",
                crate::msg!(
                    "{} n'est pas un profil de ce service",
                    "{} is not a profile of this service",
                    p.profile
                ),
            ),
            Some(profile) if p.opens() && !profile.is_eligible(category) => c.push(
                f("profile"),
                "profile_not_eligible",
                crate::msg!(
                    "un partenaire de la catégorie {} ne peut pas détenir {}",
                    "a partner of category {} may not hold {}",
                    category.code(),
                    p.profile
                ),
            ),
            Some(profile) => {
                if p.opens() && profile.subsidised_only && p.subsidised_services.is_empty() {
                    c.push(
                        f("subsidised_services"),
                        "required",
                        crate::msg!(
                            "{} n'est ouvert que pour des services subventionnés par la Caf : \
                             indiquez-les",
                            "{} is opened only for services the Caf subsidises: name them",
                            p.profile
                        ),
                    );
                }
                if !profile.subsidised_only && !p.subsidised_services.is_empty() {
                    c.push(
                        f("subsidised_services"),
                        "not_applicable",
                        crate::msg!(
                            "{} n'est pas lié à des services subventionnés",
                            "{} is not tied to subsidised services",
                            p.profile
                        ),
                    );
                }
                for (j, s) in p.subsidised_services.iter().enumerate() {
                    c.take(text::required(
                        &format!("{field}[{i}].subsidised_services[{j}]"),
                        s,
                        200,
                    ));
                }
            }
        }
        if requested[..i].iter().any(|o| o.profile == p.profile) {
            c.push(
                f("profile"),
                "duplicate_profile",
                crate::msg!(
                    "chaque profil ne figure qu'une fois",
                    "each profile appears once"
                ),
            );
        }
        if p.max_users.is_some_and(|n| !(1..=MAX_QUOTA).contains(&n)) {
            c.push(
                f("max_users"),
                "invalid_quota",
                crate::msg!(
                    "la Caf fixe un quota entre 1 et {MAX_QUOTA} (contrat de services, art. 2.2.1)",
                    "the Caf fixes a quota between 1 and {MAX_QUOTA} (S-art. 2.2.1)"
                ),
            );
        }
    }
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::parse_categories;

    #[test]
    fn bulletin_rules() {
        let cdap = [
            CatalogueProfile {
                code: "T1".into(),
                eligible_categories: parse_categories("ccas,commune"),
                temporary: false,
                subsidised_only: false,
            },
            CatalogueProfile {
                code: "T10".into(),
                eligible_categories: parse_categories("bailleur_social"),
                temporary: false,
                subsidised_only: false,
            },
            CatalogueProfile {
                code: "T13".into(),
                eligible_categories: parse_categories("ccas,departement"),
                temporary: false,
                subsidised_only: false,
            },
            CatalogueProfile {
                code: "T2".into(),
                eligible_categories: parse_categories("ccas,commune"),
                temporary: false,
                subsidised_only: true,
            },
        ];
        let q = |p: &str, n| ProfileQuota::new(p.into(), Some(n), vec![]);
        let blank = |p: &str| ProfileQuota::new(p.into(), None, vec![]);
        let subsidised = |p: &str, services: &[&str]| {
            ProfileQuota::new(
                p.into(),
                Some(1),
                services.iter().map(|s| s.to_string()).collect(),
            )
        };
        // (requested, expected error codes, in order)
        let cases: Vec<(Vec<ProfileQuota>, Vec<&str>)> = vec![
            (vec![q("T13", 4)], vec![]),
            (vec![q("T13", 4), q("T1", 2)], vec![]),
            (vec![], vec!["required"]),
            // A blank line opens nothing: no eligibility to check, but one profile must open.
            (vec![q("T13", 4), blank("T10")], vec![]),
            (vec![blank("T13")], vec!["required"]),
            (
                vec![q("T13", 4), blank("T99"), blank("T13")],
                vec!["unknown_profile", "duplicate_profile"],
            ),
            (vec![q("T99", 4)], vec!["unknown_profile"]),
            (vec![q("T10", 4)], vec!["profile_not_eligible"]),
            (vec![q("T13", 4), q("T13", 2)], vec!["duplicate_profile"]),
            (vec![q("T13", 0)], vec!["invalid_quota"]),
            (vec![q("T13", MAX_QUOTA + 1)], vec!["invalid_quota"]),
            (
                vec![q("T13", -1), q("T3", 1)],
                vec!["invalid_quota", "unknown_profile"],
            ),
            // T2 only for services the Caf subsidises, which the bulletin names.
            (vec![q("T2", 1)], vec!["required"]),
            (vec![subsidised("T2", &["Accueil de loisirs"])], vec![]),
            (vec![subsidised("T2", &[" "])], vec!["required"]),
            (vec![blank("T2")], vec!["required"]),
            (
                vec![subsidised("T13", &["Accueil de loisirs"])],
                vec!["not_applicable"],
            ),
        ];
        for (requested, expected) in cases {
            let got = match check_profiles("profiles", &requested, &cdap, PartnerCategory::Ccas) {
                Ok(()) => vec![],
                Err(DomainError::Validation(e)) => e.iter().map(|e| e.code).collect(),
                Err(other) => panic!("{other:?}"),
            };
            assert_eq!(got, expected, "{requested:?}");
        }
    }
}

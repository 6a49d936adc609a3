//! Service subscriptions (bulletins d'adhésion): the profiles opened to a partner for one
//! service, each with the maximum number of users the Caf fixes (S-art. 2.2.1).

use crate::catalogue::CatalogueProfile;
use crate::error::{Checks, DomainError};
use crate::partner::PartnerCategory;

/// Largest quota a bulletin may set for one profile: the contract keeps numbers low (C-art. 9.2).
pub const MAX_QUOTA: i32 = 10_000;

/// One profile of a bulletin with its quota, as requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileQuota {
    /// Profile code within the service.
    pub profile: String,
    /// Maximum number of distinct people holding the profile.
    pub max_users: i32,
}

/// Checks a bulletin's profiles against the service's catalogue entry and the partner's category:
/// at least one profile, each known to the service, listed once, eligible for the category, with
/// a quota between 1 and [`MAX_QUOTA`].
pub fn check_profiles(
    field: &str,
    requested: &[ProfileQuota],
    service_profiles: &[CatalogueProfile],
    category: PartnerCategory,
) -> Result<(), DomainError> {
    let mut c = Checks::new();
    if requested.is_empty() {
        c.push(field, "required", "a bulletin opens at least one profile");
    }
    for (i, p) in requested.iter().enumerate() {
        let f = |name: &str| format!("{field}[{i}].{name}");
        match service_profiles.iter().find(|s| s.code == p.profile) {
            None => c.push(
                f("profile"),
                "unknown_profile",
                format!("{} is not a profile of this service", p.profile),
            ),
            Some(profile) if !profile.is_eligible(category) => c.push(
                f("profile"),
                "profile_not_eligible",
                format!(
                    "a partner of category {} may not hold {}",
                    category.code(),
                    p.profile
                ),
            ),
            Some(_) => {}
        }
        if requested[..i].iter().any(|o| o.profile == p.profile) {
            c.push(
                f("profile"),
                "duplicate_profile",
                "each profile appears once",
            );
        }
        if !(1..=MAX_QUOTA).contains(&p.max_users) {
            c.push(
                f("max_users"),
                "invalid_quota",
                format!("the Caf fixes a quota between 1 and {MAX_QUOTA} (S-art. 2.2.1)"),
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
            },
            CatalogueProfile {
                code: "T10".into(),
                eligible_categories: parse_categories("bailleur_social"),
                temporary: false,
            },
            CatalogueProfile {
                code: "T13".into(),
                eligible_categories: parse_categories("ccas,departement"),
                temporary: false,
            },
        ];
        let q = |p: &str, n| ProfileQuota {
            profile: p.into(),
            max_users: n,
        };
        // (requested, expected error codes, in order)
        let cases: Vec<(Vec<ProfileQuota>, Vec<&str>)> = vec![
            (vec![q("T13", 4)], vec![]),
            (vec![q("T13", 4), q("T1", 2)], vec![]),
            (vec![], vec!["required"]),
            (vec![q("T99", 4)], vec!["unknown_profile"]),
            (vec![q("T10", 4)], vec!["profile_not_eligible"]),
            (vec![q("T13", 4), q("T13", 2)], vec!["duplicate_profile"]),
            (vec![q("T13", 0)], vec!["invalid_quota"]),
            (vec![q("T13", MAX_QUOTA + 1)], vec!["invalid_quota"]),
            (
                vec![q("T13", -1), q("T3", 1)],
                vec!["invalid_quota", "unknown_profile"],
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

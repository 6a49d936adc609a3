//! The service catalogue: services and their profiles, kept as reference data in the database.
//! The domain only decides with what the catalogue says; it lists no profile itself.

use crate::partner::PartnerCategory;

/// A profile of a service as the catalogue describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueProfile {
    /// Its code within the service (`T13`).
    pub code: String,
    /// The partner categories that may hold it.
    pub eligible_categories: Vec<PartnerCategory>,
    /// Opened only for a time (T16, "temporairement"): a habilitation to it has an end date.
    pub temporary: bool,
    /// Opened only for services the Caf subsidises (T2): the bulletin names them.
    pub subsidised_only: bool,
}

impl CatalogueProfile {
    /// Whether a partner of this category may be given this profile.
    pub fn is_eligible(&self, category: PartnerCategory) -> bool {
        self.eligible_categories.contains(&category)
    }
}

/// Reads the stored list of eligible categories (codes separated by commas); unknown codes are
/// ignored so that a newer catalogue does not break an older reader.
pub fn parse_categories(stored: &str) -> Vec<PartnerCategory> {
    stored
        .split(',')
        .filter_map(|c| PartnerCategory::from_code(c.trim()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eligibility_comes_from_the_data() {
        let t13 = CatalogueProfile {
            code: "T13".into(),
            eligible_categories: parse_categories("departement, ccas,commune,unknown_kind"),
            temporary: false,
            subsidised_only: false,
        };
        assert_eq!(t13.eligible_categories.len(), 3);
        assert!(t13.is_eligible(PartnerCategory::Ccas));
        assert!(!t13.is_eligible(PartnerCategory::BailleurSocial));
    }
}

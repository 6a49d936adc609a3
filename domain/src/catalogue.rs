//! The service catalogue: services and their profiles, kept as reference data in the database.
//! The domain only decides with what the catalogue says; it lists no profile itself.

use crate::cdap::{Restriction, View, SECTIONS};
use crate::error::{Checks, DomainError};
use crate::partner::PartnerCategory;
use crate::text;

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

/// The longest a view may look back, in months (the files keep ten years of monthly series).
pub const MAX_VIEW_MONTHS: u32 = 120;

/// A profile as the Cnaf writes it in the catalogue (DOMAIN §3: the catalogue is data the Cnaf
/// edits), checked: what the bulletin prints for it, who may hold it, and, for a service whose
/// profiles consult beneficiaries' files, what it sees of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileEntry {
    /// Its code within the service (`T23`), fixed once the profile exists.
    pub code: String,
    /// Name, as the bulletin prints it.
    pub name: String,
    /// Who it is for.
    pub description: String,
    /// The partner categories that may hold it (at least one, each once).
    pub eligible_categories: Vec<PartnerCategory>,
    /// The restriction as the bulletin words it, if any.
    pub restriction: Option<String>,
    /// Opened only for a time: a habilitation to it has an end date.
    pub temporary: bool,
    /// Opened only for services the Caf subsidises: a bulletin line names them.
    pub subsidised_only: bool,
    /// What it sees of a file; present exactly when the service's profiles consult files.
    pub view: Option<View>,
}

/// A profile as written, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    /// Code within the service.
    pub code: String,
    /// Name.
    pub name: String,
    /// Who it is for.
    pub description: String,
    /// The categories that may hold it.
    pub eligible_categories: Vec<PartnerCategory>,
    /// The restriction as the bulletin words it.
    pub restriction: Option<String>,
    /// Opened only for a time.
    pub temporary: bool,
    /// Opened only for services the Caf subsidises.
    pub subsidised_only: bool,
    /// What it sees of a file.
    pub view: Option<ViewInput>,
}

/// A view as written, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct ViewInput {
    /// Section names, from [`SECTIONS`].
    pub sections: Vec<String>,
    /// Months back the monthly series go.
    pub months: i64,
    /// Benefits whose rights are shown; all when empty.
    pub benefits: Vec<String>,
    /// Restriction code, if any.
    pub restriction: Option<String>,
    /// Whether a file may be found by identity.
    pub identity_search: bool,
}

impl ProfileEntry {
    /// Checks a profile as written. `sees_files` says whether the service's profiles consult
    /// beneficiaries' files (then each has a view, since the consultation shows nothing
    /// outside it); otherwise a view is refused as meaning nothing.
    pub fn new(input: &ProfileInput, sees_files: bool) -> Result<Self, DomainError> {
        let ProfileInput {
            code,
            name,
            description,
            eligible_categories,
            restriction,
            temporary,
            subsidised_only,
            view,
        } = input;
        let mut c = Checks::new();
        let code = c.take(profile_code(code));
        let name = c.take(text::required("name", name, 200));
        let description = c.take(text::required("description", description, 2000));
        let restriction = c.take(text::optional("restriction", restriction.as_deref(), 500));
        if eligible_categories.is_empty() {
            c.push(
                "eligible_categories",
                "required",
                crate::msg!(
                    "un profil qu'aucune catégorie ne peut détenir n'est ouvert à personne : indiquez au moins une catégorie",
                    "a profile no category may hold opens to nobody: name at least one category"
                ),
            );
        }
        for (i, cat) in eligible_categories.iter().enumerate() {
            if eligible_categories[..i].contains(cat) {
                c.push(
                    format!("eligible_categories[{i}]"),
                    "duplicate",
                    crate::msg!("{} figure deux fois", "{} is listed twice", cat.code()),
                );
            }
        }
        let view = match (view.as_ref(), sees_files) {
            (Some(v), true) => c.take(check_view(v)),
            (None, true) => {
                c.push(
                    "view",
                    "required",
                    crate::msg!(
                        "un profil de ce service consulte des dossiers : précisez ce qu'il en voit",
                        "a profile of this service consults files: say what it sees of one"
                    ),
                );
                None
            }
            (Some(_), false) => {
                c.push(
                    "view",
                    "not_applicable",
                    crate::msg!(
                        "les profils de ce service ne consultent pas de dossiers allocataires",
                        "the profiles of this service do not consult beneficiaries' files"
                    ),
                );
                None
            }
            (None, false) => None,
        };
        c.finish()?;
        Ok(Self {
            code: code.unwrap_or_default(),
            name: name.unwrap_or_default(),
            description: description.unwrap_or_default(),
            eligible_categories: eligible_categories.to_vec(),
            restriction: restriction.flatten(),
            temporary: *temporary,
            subsidised_only: *subsidised_only,
            view,
        })
    }

    /// The profile as the rules of subscriptions and habilitations read it.
    pub fn to_profile(&self) -> CatalogueProfile {
        CatalogueProfile {
            code: self.code.clone(),
            eligible_categories: self.eligible_categories.clone(),
            temporary: self.temporary,
            subsidised_only: self.subsidised_only,
        }
    }
}

/// A profile code: one to ten capital letters and digits (`T13`, `T23`), as bulletins print
/// them.
fn profile_code(code: &str) -> Result<String, DomainError> {
    let c = code.trim();
    if c.is_empty()
        || c.len() > 10
        || !c
            .chars()
            .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())
    {
        return Err(DomainError::field(
            "code",
            "invalid_profile_code",
            crate::msg!(
                "un code de profil compte de un à dix lettres majuscules et chiffres, comme T23",
                "a profile code is one to ten capital letters and digits, such as T23"
            ),
        ));
    }
    Ok(c.to_string())
}

/// Checks a view: known sections, each once (kept in file order), a period within what the
/// files hold, benefits each once, a known restriction.
fn check_view(v: &ViewInput) -> Result<View, DomainError> {
    let mut c = Checks::new();
    if v.sections.is_empty() {
        c.push(
            "view.sections",
            "required",
            crate::msg!(
                "une vue montre au moins une section",
                "a view shows at least one section"
            ),
        );
    }
    for (i, s) in v.sections.iter().enumerate() {
        if !SECTIONS.contains(&s.as_str()) {
            c.push(
                format!("view.sections[{i}]"),
                "unknown_section",
                crate::msg!(
                    "{s} n'est pas une section de dossier ({})",
                    "{s} is not a section of a file ({})",
                    SECTIONS.join(", ")
                ),
            );
        } else if v.sections[..i].contains(s) {
            c.push(
                format!("view.sections[{i}]"),
                "duplicate",
                crate::msg!("{s} figure deux fois", "{s} is listed twice"),
            );
        }
    }
    if !(1..=i64::from(MAX_VIEW_MONTHS)).contains(&v.months) {
        c.push(
            "view.months",
            "out_of_range",
            crate::msg!(
                "une vue remonte de 1 à {MAX_VIEW_MONTHS} mois",
                "a view looks back between 1 and {MAX_VIEW_MONTHS} months"
            ),
        );
    }
    let mut benefits = Vec::new();
    for (i, b) in v.benefits.iter().enumerate() {
        let field = format!("view.benefits[{i}]");
        if let Some(b) = c.take(text::required(&field, b, 20)) {
            if benefits.contains(&b) {
                c.push(
                    field,
                    "duplicate",
                    crate::msg!("{b} figure deux fois", "{b} is listed twice"),
                );
            } else {
                benefits.push(b);
            }
        }
    }
    let restriction = match v.restriction.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(r) => {
            let found = Restriction::from_code(r);
            if found.is_none() {
                c.push(
                    "view.restriction",
                    "unknown_restriction",
                    crate::msg!(
                        "{r} n'est pas une restriction que la consultation applique",
                        "{r} is not a restriction the consultation applies"
                    ),
                );
            }
            found
        }
    };
    c.finish()?;
    Ok(View {
        sections: SECTIONS
            .iter()
            .filter(|s| v.sections.iter().any(|x| x == *s))
            .map(|s| s.to_string())
            .collect(),
        months: v.months as u32,
        benefits,
        restriction,
        identity_search: v.identity_search,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::field_codes;

    fn view() -> ViewInput {
        ViewInput {
            sections: vec!["rights".into(), "identity".into()],
            months: 24,
            benefits: vec!["RSA".into()],
            restriction: Some("rsa_last_two_years".into()),
            identity_search: false,
        }
    }

    fn entry(
        code: &str,
        categories: &[PartnerCategory],
        view: Option<&ViewInput>,
        sees_files: bool,
    ) -> Result<ProfileEntry, DomainError> {
        let input = ProfileInput {
            code: code.into(),
            name: "Contrôle RSA".into(),
            description: "Agents des départements".into(),
            eligible_categories: categories.to_vec(),
            restriction: Some("  ".into()),
            view: view.cloned(),
            ..ProfileInput::default()
        };
        ProfileEntry::new(&input, sees_files)
    }

    #[test]
    fn a_profile_entry_is_checked_and_its_view_kept_in_file_order() {
        let e = entry(
            " T19 ",
            &[PartnerCategory::Departement, PartnerCategory::Commune],
            Some(&view()),
            true,
        )
        .unwrap();
        assert_eq!(e.code, "T19");
        assert_eq!(e.restriction, None);
        let v = e.view.clone().unwrap();
        assert_eq!(v.sections, ["identity", "rights"]);
        assert_eq!(v.restriction, Some(Restriction::RsaLastTwoYears));
        assert!(e.to_profile().is_eligible(PartnerCategory::Commune));
    }

    #[test]
    fn a_profile_entry_names_each_fault() {
        let bad = ViewInput {
            sections: vec!["identity".into(), "identity".into(), "salary".into()],
            months: 0,
            benefits: vec!["RSA".into(), "RSA".into()],
            restriction: Some("everyone".into()),
            identity_search: true,
        };
        let codes = field_codes(entry(
            "t19",
            &[PartnerCategory::Commune, PartnerCategory::Commune],
            Some(&bad),
            true,
        ));
        for expected in [
            ("code", "invalid_profile_code"),
            ("eligible_categories[1]", "duplicate"),
            ("view.sections[1]", "duplicate"),
            ("view.sections[2]", "unknown_section"),
            ("view.months", "out_of_range"),
            ("view.benefits[1]", "duplicate"),
            ("view.restriction", "unknown_restriction"),
        ] {
            assert!(
                codes.contains(&(expected.0.to_string(), expected.1)),
                "{expected:?} in {codes:?}"
            );
        }
        assert_eq!(
            field_codes(entry("T19", &[], Some(&view()), true)),
            [("eligible_categories".to_string(), "required")]
        );
    }

    #[test]
    fn a_view_is_required_exactly_where_the_profiles_consult_files() {
        let c = [PartnerCategory::Commune];
        assert_eq!(
            field_codes(entry("T19", &c, None, true)),
            [("view".to_string(), "required")]
        );
        assert_eq!(
            field_codes(entry("A1", &c, Some(&view()), false)),
            [("view".to_string(), "not_applicable")]
        );
        assert!(entry("A1", &c, None, false).unwrap().view.is_none());
    }

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

//! The *Contrat de services*: management mode, password policy and contacts (annex 1).

use serde::{Deserialize, Serialize};

use crate::error::{Checks, DomainError};
use crate::text;

/// How the partner's habilitations are managed, for all its services (C-art. 9.1, S-art. 2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManagementMode {
    /// Délégué: the partner's administrators and delegated managers run habilitations (default).
    #[default]
    Delegue,
    /// Centralisé: the partner sends requests, the Caf decides.
    Centralise,
}

impl ManagementMode {
    /// The mode the partner is managed in: its contract's, or centralisé while the Caf has taken
    /// management back as a supervision act (S-art. 2.2.1), whatever the contract says.
    pub fn effective(contract: ManagementMode, taken_over: bool) -> ManagementMode {
        if taken_over {
            ManagementMode::Centralise
        } else {
            contract
        }
    }

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Delegue => "delegue",
            Self::Centralise => "centralise",
        }
    }
    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "delegue" => Some(Self::Delegue),
            "centralise" => Some(Self::Centralise),
            _ => None,
        }
    }
}

/// Longest password any policy accepts: long passphrases are welcome, unbounded input is not.
pub const MAX_PASSWORD_LENGTH: u16 = 128;

/// The password characteristics the contract sets (C-art. 9.1), within what CNIL deliberation
/// 2022-100 accepts for a service that throttles failed logins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PasswordPolicy {
    /// Characters: a minimum length and a minimum number of character classes among
    /// lowercase, uppercase, digits and special characters.
    Characters {
        /// Minimum length in characters.
        min_length: u16,
        /// How many of the four classes each password must contain.
        min_classes: u8,
        /// Days after which a password must be changed; none when the contract sets no limit.
        max_age_days: Option<u16>,
    },
    /// A passphrase: a minimum number of words.
    Passphrase {
        /// Minimum number of words.
        min_words: u8,
        /// Days after which a password must be changed; none when the contract sets no limit.
        max_age_days: Option<u16>,
    },
}

impl Default for PasswordPolicy {
    /// CNIL 2022-100 case 1: 12 characters of all four classes, strong with no other measure.
    fn default() -> Self {
        Self::Characters {
            min_length: 12,
            min_classes: 4,
            max_age_days: None,
        }
    }
}

impl PasswordPolicy {
    /// The policy as a person choosing a password reads it, in French.
    pub fn in_french(self) -> String {
        let (rule, age) = match self {
            Self::Characters {
                min_length,
                min_classes,
                max_age_days,
            } => (
                if min_classes >= 4 {
                    format!("au moins {min_length} caractères, dont au moins une minuscule, une majuscule, un chiffre et un caractère spécial")
                } else {
                    format!("au moins {min_length} caractères, de {min_classes} types au moins parmi minuscules, majuscules, chiffres et caractères spéciaux")
                },
                max_age_days,
            ),
            Self::Passphrase {
                min_words,
                max_age_days,
            } => (
                format!("une phrase de passe d'au moins {min_words} mots"),
                max_age_days,
            ),
        };
        match age {
            Some(days) => format!("{rule} ; il sera à changer tous les {days} jours"),
            None => rule,
        }
    }

    /// The days after which a password must be changed, if the policy sets a limit.
    pub fn max_age_days(self) -> Option<u16> {
        match self {
            Self::Characters { max_age_days, .. } | Self::Passphrase { max_age_days, .. } => {
                max_age_days
            }
        }
    }

    /// When a password set at `changed_at` expires under the policy, if it sets a limit.
    pub fn password_expires_at(
        self,
        changed_at: chrono::NaiveDateTime,
    ) -> Option<chrono::NaiveDateTime> {
        self.max_age_days()
            .map(|days| changed_at + chrono::Duration::days(i64::from(days)))
    }

    /// Whether the person should be told at `now` that their password set at `changed_at`
    /// expires: within `days_ahead` days of its expiry, and not once it has expired (the next
    /// sign-in then asks for a new one).
    pub fn expiry_reminder_due(
        self,
        changed_at: chrono::NaiveDateTime,
        now: chrono::NaiveDateTime,
        days_ahead: u32,
    ) -> bool {
        self.password_expires_at(changed_at)
            .is_some_and(|at| now < at && at - now <= chrono::Duration::days(i64::from(days_ahead)))
    }

    /// Whether a password set at `changed_at` has outlived the policy at `now`.
    pub fn password_expired(
        self,
        changed_at: chrono::NaiveDateTime,
        now: chrono::NaiveDateTime,
    ) -> bool {
        self.max_age_days()
            .is_some_and(|days| now - changed_at >= chrono::Duration::days(i64::from(days)))
    }

    /// Refuses policies weaker than CNIL's floor, or unusable ones.
    ///
    /// Accepted: at least 8 characters of at least 3 classes (CNIL case 2, which requires the
    /// throttling of failed logins the platform applies), any stronger combination, or a
    /// passphrase of at least 7 words (CNIL case 1). A maximum age, when set, is 30 to 730 days.
    pub fn check(self, field: &str) -> Result<Self, DomainError> {
        let mut c = Checks::new();
        let max_age = match self {
            Self::Characters {
                min_length,
                min_classes,
                max_age_days,
            } => {
                if !(3..=4).contains(&min_classes) {
                    c.push(
                        format!("{field}.min_classes"),
                        "policy_too_weak",
                        crate::msg!(
                            "au moins 3 des 4 types de caractères (CNIL 2022-100), au plus 4",
                            "at least 3 of the 4 character classes (CNIL 2022-100), at most 4"
                        ),
                    );
                }
                if !(8..=MAX_PASSWORD_LENGTH).contains(&min_length) {
                    c.push(
                        format!("{field}.min_length"),
                        "policy_too_weak",
                        crate::msg!(
                            "entre 8 (CNIL 2022-100) et {MAX_PASSWORD_LENGTH} caractères",
                            "between 8 (CNIL 2022-100) and {MAX_PASSWORD_LENGTH} characters"
                        ),
                    );
                }
                max_age_days
            }
            Self::Passphrase {
                min_words,
                max_age_days,
            } => {
                if !(7..=20).contains(&min_words) {
                    c.push(
                        format!("{field}.min_words"),
                        "policy_too_weak",
                        crate::msg!(
                            "une phrase de passe compte au moins 7 mots (CNIL 2022-100), au plus 20",
                            "a passphrase has at least 7 words (CNIL 2022-100), at most 20"
                        ),
                    );
                }
                max_age_days
            }
        };
        if let Some(days) = max_age {
            if !(30..=730).contains(&days) {
                c.push(
                    format!("{field}.max_age_days"),
                    "out_of_range",
                    crate::msg!(
                        "entre 30 et 730 jours, ou absent pour ne pas imposer de renouvellement",
                        "between 30 and 730 days, or absent for no forced renewal"
                    ),
                );
            }
        }
        c.finish()?;
        Ok(self)
    }
}

/// The roles of the contacts named in annex 1 of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactRole {
    /// Principal administrator (gestionnaire principal d'habilitations).
    PrincipalAdministrator,
    /// Deputy administrator (suppléant).
    DeputyAdministrator,
    /// Security officer (responsable de la sécurité).
    SecurityOfficer,
    /// IT manager (responsable informatique).
    ItManager,
    /// Data-protection officer (délégué à la protection des données).
    DataProtectionOfficer,
    /// Service centre (centre de services), on the Caf's side.
    ServiceCentre,
    /// Responsable « Mon Compte Partenaire », who answers for the service on their side.
    MonComptePartenaireManager,
    /// The partner's responsable services, told ahead of planned stops (S-art. 4).
    ServicesManager,
}

/// A contact of annex 1, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Which side the contact belongs to.
    pub side: crate::convention::Party,
    /// Their role in the contract.
    pub role: ContactRole,
    /// Full name (or the service's name for a service centre).
    pub name: String,
    /// Individual (or service) e-mail, if the annex gives one.
    pub email: Option<String>,
    /// Telephone, if the annex gives one (at least one of the two).
    pub phone: Option<String>,
    /// Their place in the escalation procedure's list of their side (S-art. 3.3: "dans
    /// l'ordre présenté"), 1 first; none when the contract does not list them there.
    #[serde(default)]
    pub escalation_rank: Option<u8>,
}

/// Most contacts annex 1 may list.
pub const MAX_CONTACTS: usize = 30;

/// Checks the contacts of annex 1 as the contracts write them: each well-formed, reachable by
/// e-mail or telephone (the Lieusaint annex gives some administrators a phone only); on the
/// partner's side one principal administrator and one deputy (S-art. 2.2.2), while the Caf may
/// name several administrators (the Doubs contract names four); one security officer per side,
/// the single contact of S-art. 5.1; the service centre on the Caf's side.
pub fn check_contacts(field: &str, contacts: Vec<Contact>) -> Result<Vec<Contact>, DomainError> {
    use crate::convention::Party;
    let mut c = Checks::new();
    if contacts.len() > MAX_CONTACTS {
        c.push(
            field,
            "too_many",
            crate::msg!(
                "{MAX_CONTACTS} interlocuteurs au plus",
                "at most {MAX_CONTACTS} contacts"
            ),
        );
    }
    let mut out = Vec::with_capacity(contacts.len());
    for (i, contact) in contacts.into_iter().enumerate() {
        let f = |name: &str| format!("{field}[{i}].{name}");
        let name = c.take(text::required(&f("name"), &contact.name, 200));
        let email = match contact.email.as_deref().map(str::trim) {
            Some(e) if !e.is_empty() => c.take(text::email(&f("email"), e).map(Some)),
            _ => Some(None),
        };
        let phone = match contact.phone.as_deref().map(str::trim) {
            Some(p) if !p.is_empty() => c.take(text::phone(&f("phone"), p).map(Some)),
            _ => Some(None),
        };
        if matches!((&email, &phone), (Some(None), Some(None))) {
            c.push(
                f("email"),
                "contact_unreachable",
                crate::msg!(
                    "indiquez une adresse électronique ou un numéro de téléphone",
                    "give an e-mail address or a telephone number"
                ),
            );
        }
        if let Some(rank) = contact.escalation_rank {
            if !(1..=10).contains(&rank) {
                c.push(
                    f("escalation_rank"),
                    "out_of_range",
                    crate::msg!("entre 1 et 10", "between 1 and 10"),
                );
            } else if out
                .iter()
                .any(|o: &Contact| o.side == contact.side && o.escalation_rank == Some(rank))
            {
                c.push(
                    f("escalation_rank"),
                    "duplicate",
                    crate::msg!(
                        "chaque partie classe ses interlocuteurs de la procédure d'escalade dans un seul ordre : un interlocuteur par rang",
                        "each side lists its escalation contacts in one order: one contact per rank"
                    ),
                );
            }
        }
        if contact.role == ContactRole::ServiceCentre && contact.side != Party::Caf {
            c.push(
                f("side"),
                "service_centre_is_caf_side",
                crate::msg!(
                    "le centre de services relève de la Caf",
                    "the service centre belongs to the Caf"
                ),
            );
        }
        let unique = match contact.role {
            ContactRole::PrincipalAdministrator | ContactRole::DeputyAdministrator => {
                contact.side == Party::Partner
            }
            ContactRole::SecurityOfficer => true,
            _ => false,
        };
        if unique
            && out
                .iter()
                .any(|o: &Contact| o.side == contact.side && o.role == contact.role)
        {
            c.push(
                f("role"),
                "duplicate_role",
                crate::msg!(
                    "le partenaire désigne un administrateur principal et un suppléant ; chaque partie, un responsable sécurité",
                    "the partner names one principal administrator and one deputy; each side one security officer"
                ),
            );
        }
        if let (Some(name), Some(email), Some(phone)) = (name, email, phone) {
            out.push(Contact {
                name,
                email,
                phone,
                ..contact
            });
        }
    }
    c.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_reads_in_french() {
        assert_eq!(
            PasswordPolicy::default().in_french(),
            "au moins 12 caractères, dont au moins une minuscule, une majuscule, un chiffre et un caractère spécial"
        );
        let phrase = PasswordPolicy::Passphrase {
            min_words: 5,
            max_age_days: Some(365),
        };
        assert_eq!(
            phrase.in_french(),
            "une phrase de passe d'au moins 5 mots ; il sera à changer tous les 365 jours"
        );
        let three = PasswordPolicy::Characters {
            min_length: 14,
            min_classes: 3,
            max_age_days: None,
        };
        assert!(three
            .in_french()
            .starts_with("au moins 14 caractères, de 3 types"));
    }
    use crate::convention::Party;

    #[test]
    fn password_policies_against_cnil_floor() {
        let chars = |min_length, min_classes, max_age_days| PasswordPolicy::Characters {
            min_length,
            min_classes,
            max_age_days,
        };
        // (policy, accepted?)
        let cases = [
            (PasswordPolicy::default(), true),
            (chars(8, 3, None), true),
            (chars(8, 2, None), false),
            (chars(7, 4, None), false),
            (chars(14, 3, Some(365)), true),
            (chars(14, 3, Some(10)), false),
            (chars(129, 4, None), false),
            (chars(12, 5, None), false),
            (
                PasswordPolicy::Passphrase {
                    min_words: 7,
                    max_age_days: None,
                },
                true,
            ),
            (
                PasswordPolicy::Passphrase {
                    min_words: 5,
                    max_age_days: None,
                },
                false,
            ),
        ];
        for (policy, ok) in cases {
            assert_eq!(policy.check("password_policy").is_ok(), ok, "{policy:?}");
        }
    }

    #[test]
    fn password_age() {
        let t = |d: i64| {
            chrono::DateTime::from_timestamp(1_790_000_000 + d * 86_400, 0)
                .unwrap()
                .naive_utc()
        };
        let ninety = PasswordPolicy::Characters {
            min_length: 12,
            min_classes: 4,
            max_age_days: Some(90),
        };
        assert!(!ninety.password_expired(t(0), t(89)));
        assert!(ninety.password_expired(t(0), t(90)));
        assert!(
            !PasswordPolicy::default().password_expired(t(0), t(10_000)),
            "no limit by default"
        );
        assert_eq!(ninety.password_expires_at(t(0)), Some(t(90)));
        assert!(
            !ninety.expiry_reminder_due(t(0), t(82), 7),
            "eight days ahead"
        );
        assert!(ninety.expiry_reminder_due(t(0), t(83), 7));
        assert!(ninety.expiry_reminder_due(t(0), t(89), 7));
        assert!(
            !ninety.expiry_reminder_due(t(0), t(90), 7),
            "expired: the sign-in asks"
        );
        assert!(!PasswordPolicy::default().expiry_reminder_due(t(0), t(89), 7));
    }

    #[test]
    fn contacts_rules() {
        let contact = |side, role| Contact {
            side,
            role,
            name: "Mme Dupont".into(),
            email: Some("dupont@ccas-lieusaint.fr".into()),
            phone: Some("01 60 60 60 60".into()),
            escalation_rank: None,
        };
        use ContactRole::*;
        // As the contracts write them: four Caf administrators (Doubs), an administrator with
        // a phone only (Lieusaint), the "Responsable MCP" and the partner's "responsable
        // services".
        assert!(check_contacts(
            "contacts",
            vec![
                contact(Party::Partner, PrincipalAdministrator),
                contact(Party::Partner, DeputyAdministrator),
                contact(Party::Caf, PrincipalAdministrator),
                contact(Party::Caf, PrincipalAdministrator),
                contact(Party::Caf, DeputyAdministrator),
                contact(Party::Caf, DeputyAdministrator),
                contact(Party::Caf, ServiceCentre),
                contact(Party::Partner, SecurityOfficer),
                contact(Party::Caf, SecurityOfficer),
                Contact {
                    email: None,
                    ..contact(Party::Caf, MonComptePartenaireManager)
                },
                contact(Party::Partner, ServicesManager),
                contact(Party::Partner, ServicesManager),
            ]
        )
        .is_ok());
        let codes = crate::error::field_codes;
        assert_eq!(
            codes(check_contacts(
                "contacts",
                vec![
                    contact(Party::Partner, PrincipalAdministrator),
                    contact(Party::Partner, PrincipalAdministrator),
                    contact(Party::Partner, ServiceCentre),
                    Contact {
                        email: Some("nope".into()),
                        ..contact(Party::Caf, ItManager)
                    },
                    contact(Party::Partner, SecurityOfficer),
                    contact(Party::Partner, SecurityOfficer),
                    Contact {
                        email: None,
                        phone: Some(" ".into()),
                        ..contact(Party::Partner, ItManager)
                    },
                ]
            )),
            [
                ("contacts[1].role".to_string(), "duplicate_role"),
                ("contacts[2].side".to_string(), "service_centre_is_caf_side"),
                ("contacts[3].email".to_string(), "invalid_email"),
                ("contacts[5].role".to_string(), "duplicate_role"),
                ("contacts[6].email".to_string(), "contact_unreachable"),
            ]
        );
    }
}

/// What a contract asks of the sign-in of its partner's staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SignInRules {
    /// The password policy.
    pub password_policy: PasswordPolicy,
    /// Whether a second factor is required.
    pub second_factor_required: bool,
}

impl SignInRules {
    /// The same rules, with the second factor their Caf may require of all its staff and its
    /// partners' staff whatever the contract says.
    pub fn with_caf_requirement(self, caf_requires_second_factor: bool) -> Self {
        Self {
            second_factor_required: self.second_factor_required || caf_requires_second_factor,
            ..self
        }
    }
}

/// The sign-in rules that apply to a partner's staff on `today`: those of the contract of the
/// partner's convention in force (signed, not terminated; the latest signed when several are),
/// or the defaults when none is.
pub fn rules_in_force(
    contracts: &[(crate::convention::ConventionLife, SignInRules)],
    today: chrono::NaiveDate,
) -> SignInRules {
    in_force(contracts, today).copied().unwrap_or_default()
}

/// What the contract in force on `today` says, among a partner's contracts: that of the
/// convention signed and not terminated, the latest signed when several are.
pub fn in_force<T>(
    contracts: &[(crate::convention::ConventionLife, T)],
    today: chrono::NaiveDate,
) -> Option<&T> {
    use crate::convention::ConventionStatus::*;
    contracts
        .iter()
        .filter(|(life, _)| matches!(life.status(today), Signed | Active | TerminationNotified))
        .max_by_key(|(life, _)| life.effective_since())
        .map(|(_, t)| t)
}

/// The e-mail domains of the partner's own mailboxes a contract may list: then every account
/// of its staff has an address in one of them (or a subdomain), so that credentials go to the
/// organisation's mailboxes, not to private ones (C-art. 9.2: individual, nominative access).
/// None listed: any address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EmailDomains(Vec<String>);

impl EmailDomains {
    /// Checks and normalises (case folded, no leading `@`, sorted, without repeats) a list of
    /// domains such as `ville-lieusaint.fr`.
    pub fn check(field: &str, domains: Vec<String>) -> Result<Self, DomainError> {
        let mut out = Vec::with_capacity(domains.len());
        for (i, d) in domains.iter().enumerate() {
            let d = d.trim().trim_start_matches('@').to_lowercase();
            let labels_ok = d.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
            if d.len() > 253 || !d.contains('.') || !labels_ok {
                return Err(DomainError::field(
                    format!("{field}[{i}]"),
                    "invalid_domain",
                    crate::msg!(
                        "doit être un domaine de messagerie, comme ville-lieusaint.fr",
                        "must be an e-mail domain such as ville-lieusaint.fr"
                    ),
                ));
            }
            out.push(d);
        }
        if out.len() > 20 {
            return Err(DomainError::field(
                field,
                "too_many",
                crate::msg!("20 domaines au plus", "at most 20 domains"),
            ));
        }
        out.sort();
        out.dedup();
        Ok(Self(out))
    }

    /// The domains, normalised.
    pub fn domains(&self) -> &[String] {
        &self.0
    }

    /// Refuses an address outside the listed domains (any address when none is listed).
    pub fn check_email(&self, field: &str, email: &str) -> Result<(), DomainError> {
        if self.0.is_empty() {
            return Ok(());
        }
        let domain = email
            .rsplit_once('@')
            .map(|(_, d)| d.trim().to_lowercase())
            .unwrap_or_default();
        let inside = self
            .0
            .iter()
            .any(|d| domain == *d || domain.ends_with(&format!(".{d}")));
        if inside {
            Ok(())
        } else {
            Err(DomainError::field(
                field,
                "email_outside_partner_domains",
                crate::msg!(
                    "le contrat demande une adresse dans les domaines du partenaire ({})",
                    "the contract asks for an address of the partner's own domains ({})",
                    self.0.join(", ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod email_domain_tests {
    use super::*;

    #[test]
    fn addresses_within_the_partners_domains() {
        let d = EmailDomains::check(
            "email_domains",
            vec![
                " @Ville-Lieusaint.fr".into(),
                "ccas-lieusaint.fr".into(),
                "ville-lieusaint.fr".into(),
            ],
        )
        .unwrap();
        assert_eq!(d.domains(), ["ccas-lieusaint.fr", "ville-lieusaint.fr"]);
        for ok in [
            "a@ville-lieusaint.fr",
            "b@CCAS-Lieusaint.FR",
            "c@services.ville-lieusaint.fr",
        ] {
            assert!(d.check_email("email", ok).is_ok(), "{ok}");
        }
        for bad in [
            "a@gmail.com",
            "a@evil-ville-lieusaint.fr",
            "a@ville-lieusaint.fr.evil.com",
        ] {
            assert!(d.check_email("email", bad).is_err(), "{bad}");
        }
        assert!(EmailDomains::default()
            .check_email("email", "a@gmail.com")
            .is_ok());
        for bad in ["", "fr", "a..fr", "-a.fr", "a b.fr", "x@y.fr"] {
            assert!(EmailDomains::check("d", vec![bad.into()]).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod policy_tests {
    use super::*;
    use crate::convention::ConventionLife;
    use chrono::NaiveDate;

    #[test]
    fn the_contract_in_force_decides() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let signed = |on: &str| ConventionLife {
            partner_signed_on: Some(d(on)),
            caf_signed_on: Some(d(on)),
            ..Default::default()
        };
        let strict = SignInRules {
            password_policy: PasswordPolicy::Passphrase {
                min_words: 7,
                max_age_days: None,
            },
            second_factor_required: true,
        };
        let lax = SignInRules {
            password_policy: PasswordPolicy::Characters {
                min_length: 8,
                min_classes: 3,
                max_age_days: Some(90),
            },
            second_factor_required: false,
        };
        let today = d("2026-11-23");
        assert_eq!(rules_in_force(&[], today), SignInRules::default());
        assert!(
            lax.with_caf_requirement(true).second_factor_required,
            "the Caf's requirement adds to the contract's"
        );
        assert!(strict.with_caf_requirement(false).second_factor_required);
        assert!(!lax.with_caf_requirement(false).second_factor_required);
        assert_eq!(
            rules_in_force(&[(ConventionLife::default(), strict)], today),
            SignInRules::default(),
            "a draft binds nobody"
        );
        assert_eq!(
            rules_in_force(
                &[(signed("2025-01-01"), lax), (signed("2026-01-01"), strict)],
                today
            ),
            strict,
            "the latest signed"
        );
    }
}

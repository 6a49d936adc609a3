//! SIRET: the 14-digit identifier of a French establishment, which identifies a partner.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// The SIREN of La Poste, whose establishments' SIRETs use a digit-sum key instead of Luhn.
const LA_POSTE_SIREN: &str = "356000000";

/// A checked SIRET: 14 ASCII digits whose Luhn key is valid (or La Poste's digit-sum rule).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(String);

impl Siret {
    /// Parses a SIRET, accepting spaces between digit groups as people type them.
    pub fn parse(field: &str, input: &str) -> Result<Self, DomainError> {
        let compact: String = input.chars().filter(|c| *c != ' ').collect();
        if compact.len() != 14 || !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::field(
                field,
                "invalid_siret",
                crate::msg!(
                    "un numéro SIRET compte exactement 14 chiffres",
                    "a SIRET is exactly 14 digits"
                ),
            ));
        }
        if !(luhn_valid(&compact) || la_poste_valid(&compact)) {
            return Err(DomainError::field(
                field,
                "invalid_siret",
                crate::msg!(
                    "la clé de contrôle du numéro SIRET est fausse (Luhn) : vérifiez qu'aucun chiffre n'a été mal saisi",
                    "the SIRET's check key is wrong (Luhn): check for a mistyped digit"
                ),
            ));
        }
        Ok(Self(compact))
    }

    /// The 9-digit SIREN of the legal entity the establishment belongs to.
    pub fn siren(&self) -> &str {
        &self.0[..9]
    }

    /// The 14 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Siret {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse("siret", &value)
    }
}

impl From<Siret> for String {
    fn from(value: Siret) -> Self {
        value.0
    }
}

impl fmt::Display for Siret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 {
                    dd - 9
                } else {
                    dd
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn la_poste_valid(digits: &str) -> bool {
    digits.starts_with(LA_POSTE_SIREN)
        && digits
            .bytes()
            .map(|b| u32::from(b - b'0'))
            .sum::<u32>()
            .is_multiple_of(5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siret_keys() {
        // (input, valid?)
        let cases = [
            ("73282932000074", true),
            ("732 829 320 00074", true),
            ("44306184100047", true),
            ("21770251200013", true),
            ("35600000000048", true),  // La Poste head office: Luhn holds
            ("35600000049837", true),  // La Poste establishment: digit sum multiple of 5
            ("35600000012345", false), // La Poste prefix, neither rule holds
            ("73282932000075", false), // last digit mistyped
            ("73282932000047", false), // two digits swapped
            ("12345678901234", false), // digit sum multiple of 5 is not enough outside La Poste
            ("7328293200007", false),  // 13 digits
            ("732829320000740", false),
            ("7328293200007A", false),
            ("", false),
            ("７３２８２９３２０００７４", false), // full-width digits
        ];
        for (input, valid) in cases {
            let got = Siret::parse("siret", input);
            assert_eq!(got.is_ok(), valid, "{input}: {got:?}");
            if let Err(DomainError::Validation(e)) = got {
                assert_eq!(e[0].field, "siret");
                assert_eq!(e[0].code, "invalid_siret");
            }
        }
    }

    #[test]
    fn siren_is_the_first_nine_digits() {
        let s = Siret::parse("siret", "732 829 320 00074").unwrap();
        assert_eq!(s.siren(), "732829320");
        assert_eq!(s.as_str(), "73282932000074");
    }
}

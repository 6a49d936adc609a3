//! Cafs: the local family-benefit funds that sign conventions with partners.

use crate::error::{Checks, DomainError};
use crate::text;

/// A Caf's registration data, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CafData {
    /// The Caf's three-digit number (e.g. `761` for Seine-Maritime).
    pub code: String,
    /// Its name (« Caf de Seine-Maritime »).
    pub name: String,
    /// Its postal address.
    pub address: String,
    /// The director who signs conventions.
    pub director_name: String,
}

impl CafData {
    /// Checks every field and reports all the invalid ones at once.
    pub fn new(
        code: &str,
        name: &str,
        address: &str,
        director_name: &str,
    ) -> Result<Self, DomainError> {
        let mut c = Checks::new();
        let code = code.trim();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            c.push(
                "code",
                "invalid_caf_code",
                crate::msg!(
                    "un numéro de Caf compte trois chiffres (par exemple 761)",
                    "a Caf number is three digits (e.g. 761)"
                ),
            );
        }
        let name = c.take(text::required("name", name, 200));
        let address = c.take(text::required("address", address, 500));
        let director_name = c.take(text::required("director_name", director_name, 200));
        c.finish()?;
        Ok(Self {
            code: code.to_string(),
            name: name.unwrap_or_default(),
            address: address.unwrap_or_default(),
            director_name: director_name.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caf_codes() {
        for (code, ok) in [
            ("761", true),
            ("011", true),
            ("76", false),
            ("7610", false),
            ("7a1", false),
        ] {
            assert_eq!(
                CafData::new(code, "Caf", "Rouen", "D").is_ok(),
                ok,
                "{code}"
            );
        }
    }

    #[test]
    fn all_invalid_fields_are_reported_together() {
        let Err(DomainError::Validation(errors)) = CafData::new("x", "", " ", "") else {
            panic!("expected validation errors")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["code", "name", "address", "director_name"]);
    }
}

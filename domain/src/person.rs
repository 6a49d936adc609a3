//! The person behind an account: one person, one account (C-art. 9.2).

use crate::error::{Checks, DomainError};
use crate::text;

/// Who an account belongs to, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Full name.
    pub full_name: String,
    /// Function in their organisation.
    pub function_title: String,
    /// Personal, individual e-mail: where credentials are delivered.
    pub email: String,
    /// A telephone number.
    pub phone: Option<String>,
}

impl Person {
    /// Checks every field and reports all the invalid ones at once.
    pub fn new(
        full_name: &str,
        function_title: &str,
        email: &str,
        phone: Option<&str>,
    ) -> Result<Self, DomainError> {
        let mut c = Checks::new();
        let full_name = c.take(text::name("full_name", full_name, 200));
        let function_title = c.take(text::required("function_title", function_title, 200));
        let email = c.take(text::email("email", email));
        let phone = match phone {
            Some(p) => c.take(text::phone("phone", p).map(Some)),
            None => Some(None),
        };
        c.finish()?;
        Ok(Self {
            full_name: full_name.expect("checked"),
            function_title: function_title.expect("checked"),
            email: email.expect("checked"),
            phone: phone.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_fields() {
        assert!(Person::new(
            "Anne Martin",
            "Administratrice",
            "anne.martin@caf76.fr",
            Some("02 35 00 00 00")
        )
        .is_ok());
        let Err(DomainError::Validation(e)) = Person::new("", "x", "anne", Some("abc")) else {
            panic!()
        };
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["full_name", "email", "phone"]);
    }
}

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

impl Person {
    /// The key under which this person is known: see [`email_key`].
    pub fn email_key(&self) -> String {
        email_key(&self.email)
    }
}

/// The mailbox an e-mail address reaches, as a key: case folded, and without the "+tag"
/// sub-address most mail servers deliver to the same mailbox (`Claire+2@CCAS.fr` is
/// `claire@ccas.fr`). One person, one account per partner (C-art. 9.2) is checked on it.
pub fn email_key(email: &str) -> String {
    let email = email.trim().to_lowercase();
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let local = local.split_once('+').map_or(local, |(base, _)| base);
            format!("{local}@{domain}")
        }
        None => email,
    }
}

/// A name as a key to compare people: its letters only, case folded, accents and spacing set
/// aside ("Claire  DUPONT", "claire dupont" and "Claire Dupont-" are one name).
pub fn name_key(full_name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
    full_name
        .nfkd()
        .filter(|c| c.is_alphanumeric() && c.general_category_group() != GeneralCategoryGroup::Mark)
        .flat_map(char::to_lowercase)
        .collect()
}

/// Someone as four eyes see them: their account, and what tells the person behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Someone {
    /// Their account.
    pub account_id: crate::ids::AccountId,
    /// Their e-mail address.
    pub email: String,
    /// Their full name.
    pub full_name: String,
}

impl Someone {
    /// Whether `other` is the same person: the same account, the same mailbox, or the same
    /// name. A namesake is taken for the same person: the other administrator then acts, which
    /// costs little, where a second account under one's own name would defeat four eyes.
    pub fn is(&self, other: &Someone) -> bool {
        self.account_id == other.account_id
            || email_key(&self.email) == email_key(&other.email)
            || (!name_key(&self.full_name).is_empty()
                && name_key(&self.full_name) == name_key(&other.full_name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_a_person() {
        assert_eq!(
            email_key(" Claire+test@CCAS.example "),
            "claire@ccas.example"
        );
        assert_eq!(
            email_key("claire.dupont@ccas.example"),
            "claire.dupont@ccas.example"
        );
        assert_eq!(name_key("Claire  DUPONT"), name_key("claire dupont"));
        assert_eq!(name_key("Hélène Lefèvre"), name_key("Helene Lefevre"));
        assert_eq!(
            name_key("He\u{0301}le\u{0300}ne Lefevre"),
            name_key("Helene Lefevre")
        );
        assert_ne!(name_key("Claire Dupont"), name_key("Claire Dupond"));
        let someone = |id: u128, email: &str, name: &str| Someone {
            account_id: uuid::Uuid::from_u128(id).into(),
            email: email.into(),
            full_name: name.into(),
        };
        let claire = someone(1, "claire@ccas.example", "Claire Dupont");
        assert!(claire.is(&someone(1, "x@y.example", "X")));
        assert!(claire.is(&someone(2, "Claire+bis@ccas.example", "C. D.")));
        assert!(claire.is(&someone(3, "cd@gmail.example", "CLAIRE DUPONT")));
        assert!(!claire.is(&someone(4, "paul@ccas.example", "Paul Leroy")));
    }

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

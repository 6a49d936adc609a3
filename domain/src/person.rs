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

/// A person as the annex-3 forms name them (individual habilitation request, change of
/// administrator): "Prénom" and "NOM" apart, and a landline and a mobile of which the form asks
/// at least one ("renseigner au moins un numéro").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPerson {
    /// Prénom.
    pub first_name: String,
    /// NOM.
    pub last_name: String,
    /// Function in their organisation.
    pub function_title: String,
    /// Personal, individual e-mail.
    pub email: String,
    /// Téléphone fixe.
    pub landline: Option<String>,
    /// Téléphone mobile.
    pub mobile: Option<String>,
}

impl FormPerson {
    /// Checks every field and reports all the invalid ones at once.
    pub fn new(
        first_name: &str,
        last_name: &str,
        function_title: &str,
        email: &str,
        landline: Option<&str>,
        mobile: Option<&str>,
    ) -> Result<Self, DomainError> {
        let mut c = Checks::new();
        let first_name = c.take(text::name("first_name", first_name, 100));
        let last_name = c.take(text::name("last_name", last_name, 100));
        let function_title = c.take(text::required("function_title", function_title, 200));
        let email = c.take(text::email("email", email));
        fn given(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        let (landline, mobile) = (given(landline), given(mobile));
        if landline.is_none() && mobile.is_none() {
            c.push(
                "landline",
                "phone_required",
                crate::msg!(
                    "le formulaire demande au moins un numéro de téléphone : fixe ou mobile",
                    "the form asks at least one number: a landline or a mobile"
                ),
            );
        }
        let landline = c.take(landline.map(|p| text::phone("landline", p)).transpose());
        let mobile = c.take(mobile.map(|p| text::phone("mobile", p)).transpose());
        c.finish()?;
        Ok(Self {
            first_name: first_name.expect("checked"),
            last_name: last_name.expect("checked"),
            function_title: function_title.expect("checked"),
            email: email.expect("checked"),
            landline: landline.expect("checked"),
            mobile: mobile.expect("checked"),
        })
    }

    /// The person behind the account the form asks for: named "Prénom NOM" as French forms
    /// write it, reached first on their landline (the form's first number), else their mobile.
    pub fn person(&self) -> Person {
        Person {
            full_name: format!("{} {}", self.first_name, self.last_name.to_uppercase()),
            function_title: self.function_title.clone(),
            email: self.email.clone(),
            phone: self.landline.clone().or_else(|| self.mobile.clone()),
        }
    }
}

/// Who signs an annex-3 form for the partner ("Pour le Partenaire : Fonction, Prénom NOM et
/// signature"): often not the administrator who files it (a mayor, a director).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signatory {
    /// Prénom NOM.
    pub full_name: String,
    /// Fonction.
    pub function_title: String,
}

impl Signatory {
    /// Checks both fields, named `signatory.full_name` and `signatory.function_title`.
    pub fn new(full_name: &str, function_title: &str) -> Result<Self, DomainError> {
        let mut c = Checks::new();
        let full_name = c.take(text::name("signatory.full_name", full_name, 200));
        let function_title = c.take(text::required(
            "signatory.function_title",
            function_title,
            200,
        ));
        c.finish()?;
        Ok(Self {
            full_name: full_name.expect("checked"),
            function_title: function_title.expect("checked"),
        })
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
    fn the_forms_person_has_a_first_name_a_name_and_one_number_at_least() {
        let p = FormPerson::new(
            " Julie ",
            "Martin",
            "Conseillère ESF",
            "julie.martin@ccas.example",
            None,
            Some("06 12 34 56 78"),
        )
        .unwrap();
        let person = p.person();
        assert_eq!(person.full_name, "Julie MARTIN");
        assert_eq!(person.phone.as_deref(), Some("06 12 34 56 78"));
        let both = FormPerson::new(
            "Julie",
            "Martin",
            "ESF",
            "j@c.example",
            Some("01 64 13 55 01"),
            Some("06 12 34 56 78"),
        )
        .unwrap();
        assert_eq!(both.person().phone.as_deref(), Some("01 64 13 55 01"));
        let codes = crate::error::field_codes;
        assert_eq!(
            codes(FormPerson::new(
                "Julie",
                "",
                "ESF",
                "j@c.example",
                Some(" "),
                None
            )),
            [
                ("last_name".to_string(), "required"),
                ("landline".to_string(), "phone_required")
            ]
        );
        assert_eq!(
            codes(FormPerson::new(
                "Julie",
                "Martin",
                "ESF",
                "j@c.example",
                None,
                Some("abc")
            )),
            [("mobile".to_string(), codes_of_phone())]
        );
    }

    fn codes_of_phone() -> &'static str {
        match text::phone("mobile", "abc") {
            Err(DomainError::Validation(e)) => e[0].code,
            other => panic!("{other:?}"),
        }
    }

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

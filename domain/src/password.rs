//! Checks a chosen password against a contract's password policy.

use crate::contract::{PasswordPolicy, MAX_PASSWORD_LENGTH};
use crate::error::DomainError;
use crate::message::Message;

/// Passwords refused whatever the policy: the most common ones and their obvious variants.
const COMMON: &[&str] = &[
    "password",
    "motdepasse",
    "azerty",
    "qwerty",
    "123456",
    "12345678",
    "123456789",
    "1234567890",
    "azertyuiop",
    "soleil",
    "bonjour",
    "marseille",
    "doudou",
    "loulou",
    "iloveyou",
    "admin",
    "welcome",
    "letmein",
    "caf",
    "partenaire",
    "moncomptepartenaire",
];

/// How many of the four classes (lowercase, uppercase, digits, others) a password uses.
pub fn classes(password: &str) -> u8 {
    let has = |f: fn(&char) -> bool| password.chars().any(|c| f(&c));
    [
        has(|c| c.is_lowercase()),
        has(|c| c.is_uppercase()),
        has(|c| c.is_ascii_digit()),
        has(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count() as u8
}

/// Checks `password` for the account identified by `identifier` under `policy`.
pub fn check(policy: PasswordPolicy, password: &str, identifier: &str) -> Result<(), DomainError> {
    let err = |code, msg: Message| Err(DomainError::field("password", code, msg));
    let len = password.chars().count();
    if len > MAX_PASSWORD_LENGTH as usize {
        return err(
            "password_too_long",
            crate::msg!(
                "ne doit pas dépasser {MAX_PASSWORD_LENGTH} caractères",
                "at most {MAX_PASSWORD_LENGTH} characters"
            ),
        );
    }
    match policy {
        PasswordPolicy::Characters {
            min_length,
            min_classes,
            ..
        } => {
            if len < min_length as usize {
                return err(
                    "password_too_short",
                    crate::msg!(
                        "doit compter au moins {min_length} caractères",
                        "at least {min_length} characters"
                    ),
                );
            }
            if classes(password) < min_classes {
                return err(
                    "password_too_simple",
                    crate::msg!(
                        "doit mêler au moins {min_classes} de ces types de caractères : minuscules, majuscules, chiffres, caractères spéciaux",
                        "use at least {min_classes} of: lowercase, uppercase, digits, special characters"
                    ),
                );
            }
        }
        PasswordPolicy::Passphrase { min_words, .. } => {
            if password.split_whitespace().count() < min_words as usize {
                return err(
                    "password_too_short",
                    crate::msg!(
                        "doit être une phrase de passe d'au moins {min_words} mots",
                        "a passphrase of at least {min_words} words"
                    ),
                );
            }
        }
    }
    let lowered = password.to_lowercase();
    let core: String = lowered.chars().filter(|c| c.is_alphanumeric()).collect();
    let stripped = core.trim_end_matches(|c: char| c.is_ascii_digit());
    if COMMON.iter().any(|w| core == *w || stripped == *w) {
        return err(
            "password_too_common",
            crate::msg!(
                "ce mot de passe fait partie des plus courants",
                "this password is among the most common ones"
            ),
        );
    }
    if !identifier.is_empty() && lowered.contains(&identifier.to_lowercase()) {
        return err(
            "password_contains_identifier",
            crate::msg!(
                "ne doit pas contenir l'identifiant",
                "must not contain the identifier"
            ),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_against_the_default_policy() {
        let p = PasswordPolicy::default();
        // (password, expected code or "ok")
        let cases = [
            ("Lieusaint#2026!", "ok"),
            ("lieusaint#2026!", "password_too_simple"),
            ("Sh0rt!", "password_too_short"),
            ("Motdepasse!2026", "password_too_common"),
            ("Fsl-Melun-77!ok", "ok"),
            ("MotDePasse!!123", "password_too_common"),
            ("Azerty!!!!!1", "password_too_common"),
            ("K7M2-Q9XD-Zz!1", "password_contains_identifier"),
            (&"Aa1!".repeat(40), "password_too_long"),
        ];
        for (pw, expected) in cases {
            let got = match check(p, pw, "K7M2-Q9XD") {
                Ok(()) => "ok",
                Err(DomainError::Validation(e)) => e[0].code,
                Err(e) => panic!("{e:?}"),
            };
            assert_eq!(got, expected, "{pw}");
        }
    }

    #[test]
    fn passphrases() {
        let p = PasswordPolicy::Passphrase {
            min_words: 7,
            max_age_days: None,
        };
        assert!(check(p, "le chat de la voisine mange des fraises", "x").is_ok());
        assert!(check(p, "trois mots seulement", "x").is_err());
    }
}

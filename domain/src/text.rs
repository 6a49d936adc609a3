//! Checks on free-text fields shared by every input: trimmed, bounded, printable, and (where
//! a text is required) something a reader can see.

use crate::error::{DomainError, FieldError};
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// Trims a required text field and bounds its length in characters. A text made only of
/// characters nobody sees — spaces, zero-width or other format characters, combining marks
/// with nothing to combine with — is as empty as an empty one.
pub fn required(field: &str, value: &str, max_chars: usize) -> Result<String, DomainError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::field(
            field,
            "required",
            crate::msg!("doit être renseigné", "must not be empty"),
        ));
    }
    let v = bounded(field, v, max_chars)?;
    if !v.chars().any(visible) {
        return Err(DomainError::field(
            field,
            "no_visible_character",
            crate::msg!(
                "doit contenir au moins un caractère visible",
                "must contain at least one visible character"
            ),
        ));
    }
    Ok(v)
}

/// A person's name: a required text with at least one letter, so that whoever reads a list of
/// accounts, a trace or a review report can tell one person from another.
pub fn name(field: &str, value: &str, max_chars: usize) -> Result<String, DomainError> {
    let v = required(field, value, max_chars)?;
    if !v.chars().any(char::is_alphabetic) {
        return Err(DomainError::field(
            field,
            "no_letter",
            crate::msg!(
                "un nom comporte au moins une lettre",
                "a name contains at least one letter"
            ),
        ));
    }
    Ok(v)
}

/// Whether a reader sees the character: not a space, a control or format character (zero-width
/// space, joiners, soft hyphen…), nor a combining mark on its own.
fn visible(c: char) -> bool {
    !c.is_whitespace()
        && !matches!(
            c.general_category_group(),
            GeneralCategoryGroup::Mark
                | GeneralCategoryGroup::Other
                | GeneralCategoryGroup::Separator
        )
}

/// Characters that reorder the text around them when displayed (Unicode bidirectional
/// controls): "Trojan Source" names that read differently from what is stored.
fn bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Trims an optional text field; blank becomes `None`.
pub fn optional(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<Option<String>, DomainError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => bounded(field, v, max_chars).map(Some),
    }
}

fn bounded(field: &str, v: &str, max_chars: usize) -> Result<String, DomainError> {
    if v.chars().count() > max_chars {
        return Err(DomainError::field(
            field,
            "too_long",
            crate::msg!(
                "ne doit pas dépasser {max_chars} caractères",
                "must be at most {max_chars} characters"
            ),
        ));
    }
    if v.chars().any(|c| c.is_control() && c != '\n') {
        return Err(DomainError::field(
            field,
            "invalid_characters",
            crate::msg!(
                "ne doit pas contenir de caractères de contrôle",
                "must not contain control characters"
            ),
        ));
    }
    if v.chars().any(bidi_control) {
        return Err(DomainError::field(
            field,
            "invalid_characters",
            crate::msg!(
                "ne doit pas contenir de caractères de contrôle bidirectionnel",
                "must not contain bidirectional control characters"
            ),
        ));
    }
    Ok(v.to_string())
}

/// A plausible individual e-mail address: one `@`, a dotted domain, no spaces.
pub fn email(field: &str, value: &str) -> Result<String, DomainError> {
    let v = value.trim();
    let invalid = || {
        DomainError::field(
            field,
            "invalid_email",
            crate::msg!(
                "doit être une adresse électronique",
                "must be an e-mail address"
            ),
        )
    };
    if v.len() > 254 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let (local, domain) = v.split_once('@').ok_or_else(invalid)?;
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
    {
        return Err(invalid());
    }
    Ok(v.to_string())
}

/// A telephone number: digits with optional leading `+`, spaces, dots or dashes; 6 to 20 digits.
pub fn phone(field: &str, value: &str) -> Result<String, DomainError> {
    let v = value.trim();
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let allowed = v
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || " .-".contains(c) || (c == '+' && i == 0));
    if !allowed || !(6..=20).contains(&digits) {
        return Err(DomainError::Validation(vec![FieldError::new(
            field,
            "invalid_phone",
            crate::msg!(
                "doit être un numéro de téléphone (des chiffres, éventuellement précédés de +)",
                "must be a telephone number (digits, optional leading +)"
            ),
        )]));
    }
    Ok(v.to_string())
}

/// Compares two secrets (codes, hashes) in a time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A wait, as a French sentence says it: "1 seconde", "30 secondes", "2 minutes" (a wait of a
/// minute or more is given in whole minutes, rounded up, so that nobody comes back too early).
pub fn wait_in_french(seconds: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n > 1 { "s" } else { "" });
    if seconds < 60 {
        plural(seconds.max(1), "seconde")
    } else {
        plural(seconds.div_ceil(60), "minute")
    }
}

/// An instant (UTC) as a French reader expects it, in Paris time: "12/12/2026 à 22 h 00".
/// The offset changes with summer time, which the time-zone database knows.
pub fn paris_time(utc: chrono::NaiveDateTime) -> String {
    use chrono::TimeZone;
    chrono_tz::Europe::Paris
        .from_utc_datetime(&utc)
        .format("%d/%m/%Y à %H h %M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_read_in_paris_time_summer_and_winter() {
        let t = |s| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(paris_time(t("2026-12-12 21:00")), "12/12/2026 à 22 h 00");
        assert_eq!(paris_time(t("2026-07-01 22:30")), "02/07/2026 à 00 h 30");
    }

    #[test]
    fn waits_read_as_french_does() {
        assert_eq!(wait_in_french(0), "1 seconde");
        assert_eq!(wait_in_french(1), "1 seconde");
        assert_eq!(wait_in_french(2), "2 secondes");
        assert_eq!(wait_in_french(59), "59 secondes");
        assert_eq!(wait_in_french(60), "1 minute");
        assert_eq!(wait_in_french(61), "2 minutes");
        assert_eq!(wait_in_french(900), "15 minutes");
    }

    #[test]
    fn required_fields() {
        let cases: &[(&str, usize, Result<&str, &str>)] = &[
            ("  Lieusaint ", 50, Ok("Lieusaint")),
            ("", 50, Err("required")),
            ("   ", 50, Err("required")),
            ("abcdef", 5, Err("too_long")),
            ("été", 3, Ok("été")),
            ("a\u{0}b", 10, Err("invalid_characters")),
            ("?", 10, Ok("?")),
            ("\u{200B}\u{200D}\u{FEFF}", 10, Err("no_visible_character")),
            ("\u{0301}\u{0308}", 10, Err("no_visible_character")),
            ("e\u{0301}", 10, Ok("e\u{0301}")),
            ("\u{00AD}\u{2060}", 10, Err("no_visible_character")),
            ("Anne\u{202E}nitraM", 20, Err("invalid_characters")),
            ("\u{2067}Paul\u{2069}", 20, Err("invalid_characters")),
            ("abc\u{200F}", 20, Err("invalid_characters")),
        ];
        for (input, max, expected) in cases {
            let got = required("f", input, *max);
            match (got, expected) {
                (Ok(v), Ok(e)) => assert_eq!(v, *e, "{input:?}"),
                (Err(DomainError::Validation(errs)), Err(code)) => {
                    assert_eq!(errs[0].code, *code, "{input:?}")
                }
                (got, e) => panic!("{input:?}: got {got:?}, expected {e:?}"),
            }
        }
    }

    #[test]
    fn names_have_a_letter() {
        assert_eq!(name("n", " Zoé Ñúñez ", 50).unwrap(), "Zoé Ñúñez");
        assert_eq!(name("n", "李小龍", 50).unwrap(), "李小龍");
        for (bad, code) in [
            ("1234", "no_letter"),
            ("--- ...", "no_letter"),
            ("\u{200B}", "no_visible_character"),
        ] {
            match name("n", bad, 50) {
                Err(DomainError::Validation(e)) => assert_eq!(e[0].code, code, "{bad:?}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn secrets_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn emails() {
        for ok in ["a.b@ville-lieusaint.fr", "x+y@caf.fr"] {
            assert!(email("e", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@caf.fr",
            "a@.fr",
            "a@caf.",
            "a b@caf.fr",
            "a@@caf.fr",
            "a@caf..fr",
        ] {
            assert!(email("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones() {
        for ok in [
            "01 60 60 60 60",
            "+33 1 60 60 60 60",
            "0160606060",
            "01.60.60.60.60",
        ] {
            assert!(phone("p", ok).is_ok(), "{ok}");
        }
        for bad in ["", "12345", "01-60-60-60-6a", "33+1606060", "+"] {
            assert!(phone("p", bad).is_err(), "{bad}");
        }
    }
}

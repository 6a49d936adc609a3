//! A sentence for a person, written once in both languages the service speaks: French, read by
//! default, and English, read on request. The HTTP layer picks the reader's; logs and
//! `Display` use the English one.

use std::borrow::Cow;
use std::fmt;

/// A sentence in French and in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    fr: Cow<'static, str>,
    en: Cow<'static, str>,
}

impl Message {
    /// The same sentence in French and in English.
    pub fn new(fr: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Self {
        Self {
            fr: fr.into(),
            en: en.into(),
        }
    }

    /// From two formatted sentences ([`msg!`](crate::msg)): a sentence without arguments is
    /// kept as written, without a copy.
    pub fn from_args(fr: fmt::Arguments<'_>, en: fmt::Arguments<'_>) -> Self {
        let own = |a: fmt::Arguments<'_>| match a.as_str() {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(a.to_string()),
        };
        Self {
            fr: own(fr),
            en: own(en),
        }
    }

    /// The French sentence.
    pub fn fr(&self) -> &str {
        &self.fr
    }

    /// The English sentence.
    pub fn en(&self) -> &str {
        &self.en
    }

    /// The sentence in French when `french`, else in English.
    pub fn in_french(&self, french: bool) -> &str {
        if french {
            &self.fr
        } else {
            &self.en
        }
    }

    /// Both sentences preceded by `prefix_fr` and `prefix_en` ("line 3: …").
    pub fn prefixed(&self, prefix_fr: &str, prefix_en: &str) -> Self {
        Self::new(
            format!("{prefix_fr}{}", self.fr),
            format!("{prefix_en}{}", self.en),
        )
    }
}

/// Logs and errors chained in English.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// A [`Message`] from a French and an English format string, with the same arguments:
/// `msg!("le SIRET a {n} chiffres", "the SIRET has {n} digits")`.
#[macro_export]
macro_rules! msg {
    ($fr:literal, $en:literal $(,)?) => {
        $crate::message::Message::from_args(format_args!($fr), format_args!($en))
    };
    ($fr:literal, $en:literal, $($arg:expr),+ $(,)?) => {
        $crate::message::Message::new(format!($fr, $($arg),+), format!($en, $($arg),+))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reader_gets_their_language_and_logs_get_english() {
        let n = 13;
        let m = crate::msg!(
            "le numéro SIRET compte {n} chiffres au lieu de 14",
            "the SIRET has {n} digits instead of 14"
        );
        assert_eq!(m.fr(), "le numéro SIRET compte 13 chiffres au lieu de 14");
        assert_eq!(m.en(), "the SIRET has 13 digits instead of 14");
        assert_eq!(m.in_french(true), m.fr());
        assert_eq!(m.in_french(false), m.en());
        assert_eq!(m.to_string(), m.en());
        let p = crate::msg!("{} sur {}", "{} of {}", 1, 2);
        assert_eq!((p.fr(), p.en()), ("1 sur 2", "1 of 2"));
        let q = m.prefixed("ligne 3 : ", "line 3: ");
        assert_eq!(
            q.fr(),
            "ligne 3 : le numéro SIRET compte 13 chiffres au lieu de 14"
        );
    }

    #[test]
    fn a_sentence_without_arguments_is_not_copied() {
        let m = crate::msg!("doit être renseigné", "must not be empty");
        assert!(matches!(m.fr, Cow::Borrowed(_)) && matches!(m.en, Cow::Borrowed(_)));
        assert_eq!(Message::new("oui", String::from("yes")).en(), "yes");
    }
}

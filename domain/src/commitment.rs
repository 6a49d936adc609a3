//! The commitment a partner's staff member accepts before using the service (individual
//! habilitation request form of annex 3, C-art. 9.2 and 11): use limited to the convention's
//! missions, knowing that connections are checked; professional secrecy, whose breach the Caf may
//! prosecute (Code pénal art. 226-13); a departure or the end of a mission reported at once, so
//! that the access is removed.

use crate::access::Role;

/// Version of the text below; an acceptance records which one was accepted.
pub const VERSION: &str = "2026-12";

/// The text accepted.
pub const TEXT: &str = "Je m'engage à n'utiliser « Mon Compte Partenaire » que pour les missions prévues \
par la convention signée entre mon organisation et la Caf, dans la stricte limite de ce qu'elles requièrent ; \
à ne communiquer à personne mon identifiant, mon mot de passe ni mes codes ; à signaler sans délai toute perte \
ou tout vol de ces moyens d'accès. Je sais que mes connexions et mes consultations sont tracées et contrôlées, \
et qu'un usage sans motif légitime peut entraîner la suspension de mes accès. Les informations que je consulte \
sont couvertes par le secret professionnel (articles 226-13 et suivants du code pénal) : je ne les communique \
qu'aux personnes qui ont à en connaître pour ces missions, et le non-respect de ces obligations peut entraîner, \
à l'initiative de la Caf, les poursuites pénales prévues à l'article 226-13 du code pénal. Je signale sans délai \
à l'administrateur de mon organisation mon départ, un changement de fonction ou la fin de ma mission, pour que \
mes accès soient supprimés.";

/// Whether a role must accept the commitment before first use: partner staff do.
pub fn required_for(role: Role) -> bool {
    matches!(role, Role::PartnerAdministrator | Role::PartnerUser)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_staff_commit() {
        assert!(required_for(Role::PartnerAdministrator));
        assert!(required_for(Role::PartnerUser));
        assert!(!required_for(Role::CafAdministrator));
        assert!(!required_for(Role::CnafOperator));
        assert!(TEXT.contains("missions") && TEXT.contains("tracées"));
        assert!(TEXT.contains("secret professionnel") && TEXT.contains("226-13"));
        assert!(TEXT.contains("mon départ"));
    }
}

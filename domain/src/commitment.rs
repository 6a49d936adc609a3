//! The commitment a partner's staff member accepts before using the service (individual
//! habilitation request form, C-art. 9.2): use limited to the convention's missions, knowing that
//! connections are checked.

use crate::access::Role;

/// Version of the text below; an acceptance records which one was accepted.
pub const VERSION: &str = "2026-11";

/// The text accepted.
pub const TEXT: &str = "Je m'engage à n'utiliser « Mon Compte Partenaire » que pour les missions prévues \
par la convention signée entre mon organisation et la Caf, dans la stricte limite de ce qu'elles requièrent ; \
à ne communiquer à personne mon identifiant, mon mot de passe ni mes codes ; à signaler sans délai toute perte \
ou tout vol de ces moyens d'accès. Je sais que mes connexions et mes consultations sont tracées et contrôlées, \
et qu'un usage sans motif légitime peut entraîner la suspension de mes accès.";

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
    }
}

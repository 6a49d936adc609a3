//! Closed vocabularies stored as codes: where an account or a software stands, what holds a
//! habilitation. Rows keep the code; everything that decides reads it back through these.

/// Declares an enum whose variants are stored as stable codes.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$(Self::$variant),*];

            /// Stable code, as stored.
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// Reads a stable code.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

vocabulary! {
    /// Where an account stands.
    AccountStatus {
        /// Created; its holder has not chosen a password with the activation code yet.
        PendingActivation = "pending_activation",
        /// In use.
        Active = "active",
        /// Suspended by a supervisor as a precaution: no sign-in until reinstated.
        Suspended = "suspended",
        /// Closed for good (someone who left); its records are kept.
        Disabled = "disabled",
    }
}

vocabulary! {
    /// Where a partner software stands.
    SoftwareStatus {
        /// Submitted by the partner; nobody signs in to it until the Caf approves it.
        PendingApproval = "pending_approval",
        /// Approved: people may sign in to it.
        Approved = "approved",
        /// Revoked for good.
        Revoked = "revoked",
    }
}

vocabulary! {
    /// What holds a habilitation.
    HolderKind {
        /// A person, through their account.
        Account = "account",
        /// A group: each of its members holds the profile.
        Group = "group",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        for s in AccountStatus::ALL {
            assert_eq!(AccountStatus::from_code(s.code()), Some(*s));
        }
        for s in SoftwareStatus::ALL {
            assert_eq!(SoftwareStatus::from_code(s.code()), Some(*s));
        }
        for k in HolderKind::ALL {
            assert_eq!(HolderKind::from_code(k.code()), Some(*k));
        }
        assert_eq!(AccountStatus::from_code("Active"), None);
    }
}

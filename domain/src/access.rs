//! Who may do what, decided in one place.
//!
//! Every request is made by a [`Principal`] (a person, through their account) and asks for a
//! [`Function`] over something within a [`Reach`]. The answer is allowed, forbidden (403: the
//! function is above the role) or not found (404: the object is outside the caller's reach, and
//! the caller must not learn that it exists).

use uuid::Uuid;

use crate::error::DomainError;

/// The role an account holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// National operator at the Cnaf: registers Cafs and their administrators, sees everything.
    CnafOperator,
    /// Administrateur des habilitations of one Caf: registers and supervises its partners.
    CafAdministrator,
}

impl Role {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::CnafOperator => "cnaf_operator",
            Self::CafAdministrator => "caf_administrator",
        }
    }
    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "cnaf_operator" => Some(Self::CnafOperator),
            "caf_administrator" => Some(Self::CafAdministrator),
            _ => None,
        }
    }
}

/// An authenticated person acting through their account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A Cnaf operator.
    CnafOperator {
        /// Their account.
        account_id: Uuid,
    },
    /// An administrator of one Caf.
    CafAdministrator {
        /// Their account.
        account_id: Uuid,
        /// The Caf they belong to.
        caf_id: Uuid,
    },
}

impl Principal {
    /// The account acting.
    pub fn account_id(&self) -> Uuid {
        match self {
            Self::CnafOperator { account_id } | Self::CafAdministrator { account_id, .. } => {
                *account_id
            }
        }
    }

    /// The role held.
    pub fn role(&self) -> Role {
        match self {
            Self::CnafOperator { .. } => Role::CnafOperator,
            Self::CafAdministrator { .. } => Role::CafAdministrator,
        }
    }

    /// The Caf whose objects alone the principal may see; `None` for national reach.
    pub fn caf_scope(&self) -> Option<Uuid> {
        match self {
            Self::CnafOperator { .. } => None,
            Self::CafAdministrator { caf_id, .. } => Some(*caf_id),
        }
    }
}

/// The functions of the service, as the access rules name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// Read the service catalogue.
    ReadCatalogue,
    /// Register and change Cafs.
    ManageCafs,
    /// Read a Caf's registration.
    ReadCaf,
    /// Register Caf administrators and read their accounts.
    ManageCafAdministrators,
    /// Read partners, conventions, contracts, subscriptions and amendments.
    ReadPartners,
    /// Register partners; draft, sign, amend and terminate their conventions, contracts and
    /// subscriptions. The Caf signs the convention, so only the Caf does this.
    ManagePartners,
    /// Read the traces of actions.
    ReadTraces,
}

/// Where the object acted upon sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Nothing more specific: national objects, or a collection filtered by the caller's scope.
    National,
    /// An object belonging to one Caf (the Caf itself, or one of its partners' objects).
    Caf(Uuid),
}

/// Decides whether `principal` may use `function` on an object within `reach`.
pub fn authorize(
    principal: &Principal,
    function: Function,
    reach: Reach,
) -> Result<(), DomainError> {
    use Function::*;
    let allowed = match principal.role() {
        Role::CnafOperator => matches!(
            function,
            ReadCatalogue
                | ManageCafs
                | ReadCaf
                | ManageCafAdministrators
                | ReadPartners
                | ReadTraces
        ),
        Role::CafAdministrator => matches!(
            function,
            ReadCatalogue | ReadCaf | ReadPartners | ManagePartners
        ),
    };
    if !allowed {
        return Err(DomainError::Forbidden);
    }
    match (principal.caf_scope(), reach) {
        (None, _) | (_, Reach::National) => Ok(()),
        (Some(own), Reach::Caf(caf)) if own == caf => Ok(()),
        (Some(_), Reach::Caf(_)) => Err(DomainError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Function::*;

    #[test]
    fn role_by_function_by_reach() {
        let own = Uuid::from_u128(1);
        let other = Uuid::from_u128(2);
        let cnaf = Principal::CnafOperator {
            account_id: Uuid::from_u128(10),
        };
        let caf = Principal::CafAdministrator {
            account_id: Uuid::from_u128(11),
            caf_id: own,
        };
        const OK: &str = "ok";
        const FORBIDDEN: &str = "403";
        const HIDDEN: &str = "404";
        // (principal, function, reach, expected)
        let table = [
            (&cnaf, ReadCatalogue, Reach::National, OK),
            (&cnaf, ManageCafs, Reach::National, OK),
            (&cnaf, ManageCafAdministrators, Reach::Caf(other), OK),
            (&cnaf, ReadCaf, Reach::Caf(other), OK),
            (&cnaf, ReadPartners, Reach::Caf(own), OK),
            (&cnaf, ReadPartners, Reach::Caf(other), OK),
            (&cnaf, ManagePartners, Reach::Caf(own), FORBIDDEN),
            (&cnaf, ReadTraces, Reach::National, OK),
            (&caf, ReadCatalogue, Reach::National, OK),
            (&caf, ManageCafs, Reach::National, FORBIDDEN),
            (&caf, ManageCafs, Reach::Caf(own), FORBIDDEN),
            (&caf, ManageCafAdministrators, Reach::Caf(own), FORBIDDEN),
            (&caf, ReadCaf, Reach::Caf(own), OK),
            (&caf, ReadCaf, Reach::Caf(other), HIDDEN),
            (&caf, ReadPartners, Reach::Caf(own), OK),
            (&caf, ReadPartners, Reach::Caf(other), HIDDEN),
            (&caf, ManagePartners, Reach::Caf(own), OK),
            (&caf, ManagePartners, Reach::Caf(other), HIDDEN),
            (&caf, ReadTraces, Reach::National, FORBIDDEN),
        ];
        for (principal, function, reach, expected) in table {
            let got = match authorize(principal, function, reach) {
                Ok(()) => OK,
                Err(DomainError::Forbidden) => FORBIDDEN,
                Err(DomainError::NotFound) => HIDDEN,
                Err(e) => panic!("{e:?}"),
            };
            assert_eq!(
                got,
                expected,
                "{:?} {function:?} {reach:?}",
                principal.role()
            );
        }
    }
}

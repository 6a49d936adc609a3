//! Habilitations: the use of one profile of one subscribed service, given to a person or to a
//! group, within the subscription's quota and the principle of least assignment (DOMAIN.md §4).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::contract::ManagementMode;
use crate::error::{Checks, DomainError, ErrorCode};
use crate::text;
use crate::vocabulary::HolderKind;

/// Where a habilitation stands. Suspended ones keep their seat in the quota; devalidated ones
/// free it and are kept six years (S-art. 5.3.2), never deleted early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HabilitationStatus {
    /// In use.
    Active,
    /// Stopped for a while (a precaution, an absence); still counted in the quota.
    Suspended,
    /// Ended for good: a departure, a removal, the end of a temporary mission.
    Devalidated,
}

impl HabilitationStatus {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Devalidated => "devalidated",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Active, Self::Suspended, Self::Devalidated]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// What a French reader calls it (files and pages).
    pub fn in_french(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Suspended => "Suspendue",
            Self::Devalidated => "Dévalidée",
        }
    }

    /// Whether its holders count in the quota.
    pub fn holds_seat(self) -> bool {
        self != Self::Devalidated
    }

    /// Suspends an active habilitation.
    pub fn suspend(self) -> Result<Self, DomainError> {
        match self {
            Self::Active => Ok(Self::Suspended),
            other => Err(status_conflict(other, "suspendue", "suspended")),
        }
    }

    /// Lifts a suspension. A suspension the Caf decided as a precaution is lifted by the Caf
    /// only (S-art. 2.2.1): the partner cannot undo its supervisor's decision.
    pub fn reinstate(self, suspended_by_caf: bool, by_caf: bool) -> Result<Self, DomainError> {
        match self {
            Self::Suspended if suspended_by_caf && !by_caf => Err(DomainError::conflict(
                ErrorCode::SuspendedByCaf,
                crate::msg!(
                    "la Caf a suspendu cette habilitation : elle seule peut lever la suspension",
                    "the Caf suspended this habilitation: only the Caf lifts its suspension"
                ),
            )),
            Self::Suspended => Ok(Self::Active),
            other => Err(status_conflict(other, "rétablie", "reinstated")),
        }
    }

    /// Ends a habilitation for good.
    pub fn devalidate(self) -> Result<Self, DomainError> {
        match self {
            Self::Active | Self::Suspended => Ok(Self::Devalidated),
            Self::Devalidated => Err(status_conflict(self, "dévalidée", "devalidated")),
        }
    }
}

fn status_conflict(status: HabilitationStatus, wanted_fr: &str, wanted_en: &str) -> DomainError {
    let (status_fr, status_en) = (status.in_french().to_lowercase(), status.code());
    DomainError::conflict(
        ErrorCode::HabilitationStatusConflict,
        crate::msg!(
            "l'habilitation est {status_fr} : elle ne peut pas être {wanted_fr}",
            "the habilitation is {status_en}: it cannot be {wanted_en}"
        ),
    )
}

/// Who holds a habilitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// A person, through their account.
    Account(Uuid),
    /// A group: each of its members holds the profile.
    Group(Uuid),
}

impl Holder {
    /// Its kind.
    pub fn holder_kind(self) -> HolderKind {
        match self {
            Self::Account(_) => HolderKind::Account,
            Self::Group(_) => HolderKind::Group,
        }
    }

    /// Stable code of the kind.
    pub fn kind(self) -> &'static str {
        self.holder_kind().code()
    }

    /// The holder's id.
    pub fn id(self) -> Uuid {
        match self {
            Self::Account(id) | Self::Group(id) => id,
        }
    }
}

/// Refuses any partner-side management when the contract is in mode centralisé (C-art. 9.1):
/// there, the partner sends requests and the Caf decides.
pub fn require_delegated_mode(mode: ManagementMode) -> Result<(), DomainError> {
    match mode {
        ManagementMode::Delegue => Ok(()),
        ManagementMode::Centralise => Err(DomainError::conflict(
            ErrorCode::CentralisedMode,
            crate::msg!(
                "ce partenaire est géré en mode centralisé (par son contrat, ou parce que la Caf \
                 a repris la gestion) : adressez plutôt une demande à la Caf \
                 (POST /api/v1/partners/{{partner_id}}/requests)",
                "this partner is managed in mode centralisé (by its contract, or the Caf took \
                 management back): send the Caf a request \
                 (POST /api/v1/partners/{{partner_id}}/requests) instead"
            ),
        )),
    }
}

/// Who manages the habilitations of people of these roles (granting, devalidating): the
/// partner's administrators and delegated managers in mode délégué, but never those of an
/// administrator, whose rights only the Caf's administrator manages (S-art. 2.2.2); the Caf's
/// administrator those of the partner's administrators always, and everyone's once management
/// is the Caf's (mode centralisé, S-art. 2.2.1). `beneficiaries` are the roles of the people
/// the habilitation reaches (the members, for a group).
pub fn check_management(
    principal: &crate::access::Principal,
    mode: ManagementMode,
    beneficiaries: &[crate::access::Role],
) -> Result<(), DomainError> {
    use crate::access::Role;
    let administrators = beneficiaries.contains(&Role::PartnerAdministrator);
    match principal.role {
        Role::PartnerAdministrator | Role::PartnerUser => {
            require_delegated_mode(mode)?;
            if administrators {
                return Err(DomainError::Blocked {
                    code: ErrorCode::AdministratorRightsByCaf,
                    message: crate::msg!(
                        "les habilitations des administrateurs sont gérées par le seul \
                         administrateur de la Caf (contrat de services, art. 2.2.2)",
                        "the administrators' habilitations are managed by the Caf's \
                         administrator only (S-art. 2.2.2)"
                    ),
                });
            }
            Ok(())
        }
        Role::CafAdministrator => {
            let only_administrators = !beneficiaries.is_empty()
                && beneficiaries
                    .iter()
                    .all(|r| *r == Role::PartnerAdministrator);
            if only_administrators || mode == ManagementMode::Centralise {
                Ok(())
            } else {
                Err(DomainError::Blocked {
                    code: ErrorCode::DelegatedToPartner,
                    message: crate::msg!(
                        "en mode délégué, le partenaire gère les habilitations de ses agents : \
                         supervisez-les, ou reprenez la gestion",
                        "in mode délégué the partner manages its staff's habilitations: \
                         supervise them, or take management back"
                    ),
                })
            }
        }
        _ => Err(DomainError::Forbidden),
    }
}

/// What a grant depends on, read from the convention, its subscription and the catalogue.
#[derive(Debug, Clone)]
pub struct GrantConditions {
    /// The contract's management mode.
    pub mode: ManagementMode,
    /// Whether the convention the mission belongs to opens access today (signed, RGPD
    /// formalities completed, not terminated).
    pub convention_open: bool,
    /// Whether the mission is one of the convention's current missions.
    pub mission_in_force: bool,
    /// The subscription's quota for the profile; `None` when the partner did not subscribe to it.
    pub quota: Option<u32>,
    /// Whether the partner's category is eligible for the profile.
    pub eligible: bool,
    /// End date of a temporary mission.
    pub ends_on: Option<NaiveDate>,
    /// Whether the profile is opened only for a time, so that the grant must end.
    pub temporary_profile: bool,
    /// The day of the grant.
    pub today: NaiveDate,
}

/// Checks a grant against the principle of least assignment; each refusal has its code.
pub fn check_grant(c: &GrantConditions) -> Result<(), DomainError> {
    require_delegated_mode(c.mode)?;
    if !c.convention_open {
        return Err(DomainError::rule(
            ErrorCode::ConventionNotActive,
            crate::msg!(
                "la convention dont relève cette mission n'ouvre pas l'accès aujourd'hui (non \
                 signée, formalités RGPD non accomplies, ou résiliée)",
                "the convention this mission belongs to does not open access today (not signed, \
                 RGPD formalities not completed, or terminated)"
            ),
        ));
    }
    if !c.mission_in_force {
        return Err(DomainError::field(
            "mission_id",
            "mission_withdrawn",
            crate::msg!(
                "cette mission a été retirée de la convention par un avenant",
                "this mission was withdrawn from the convention by an amendment"
            ),
        ));
    }
    if c.quota.is_none() {
        return Err(DomainError::rule(
            ErrorCode::ProfileNotSubscribed,
            crate::msg!(
                "le partenaire n'a pas souscrit ce profil au titre de cette convention",
                "the partner did not subscribe to this profile under this convention"
            ),
        ));
    }
    if !c.eligible {
        return Err(DomainError::rule(
            ErrorCode::ProfileNotEligible,
            crate::msg!(
                "la catégorie du partenaire n'est pas éligible à ce profil",
                "the partner's category is not eligible for this profile"
            ),
        ));
    }
    if c.temporary_profile && c.ends_on.is_none() {
        return Err(DomainError::field(
            "ends_on",
            "end_date_required",
            crate::msg!(
                "ce profil n'est ouvert que pour un temps : l'habilitation doit indiquer jusqu'à quand",
                "this profile is opened only for a time: the habilitation says until when"
            ),
        ));
    }
    if let Some(end) = c.ends_on {
        if end < c.today {
            return Err(DomainError::field(
                "ends_on",
                "end_date_in_past",
                crate::msg!(
                    "une habilitation temporaire prend fin aujourd'hui au plus tôt",
                    "a temporary habilitation ends today at the earliest"
                ),
            ));
        }
    }
    Ok(())
}

/// Checks that giving a profile to `newcomers` keeps the number of distinct people holding it
/// within `max_users`. `holders` are the people already holding it (directly or through a
/// group, suspended included); newcomers already among them take no new seat.
pub fn check_quota(
    max_users: u32,
    holders: &BTreeSet<Uuid>,
    newcomers: &BTreeSet<Uuid>,
) -> Result<(), DomainError> {
    let added = newcomers.difference(holders).count();
    if added == 0 {
        return Ok(());
    }
    let after = holders.len() + added;
    if after > max_users as usize {
        let left = (max_users as usize).saturating_sub(holders.len());
        return Err(DomainError::conflict(
            ErrorCode::QuotaExceeded,
            crate::msg!(
                "le quota de ce profil est de {max_users} personnes ; {} le détiennent, {left} \
                 place(s) restante(s), {added} nécessaire(s)",
                "the quota of this profile is {max_users} people; {} hold it, {left} seat(s) \
                 left, {added} needed",
                holders.len()
            ),
        ));
    }
    Ok(())
}

/// Four eyes: nobody gives a business profile to themselves — directly, through a group they
/// belong to, or through a second account under their own name or mailbox; the other
/// administrator must.
pub fn check_not_self(
    actor: &crate::person::Someone,
    beneficiaries: &[crate::person::Someone],
) -> Result<(), DomainError> {
    if beneficiaries.iter().any(|b| actor.is(b)) {
        return Err(DomainError::Blocked {
            code: ErrorCode::SelfGrant,
            message: crate::msg!(
                "nul ne s'habilite soi-même, ni n'habilite un compte à son propre nom ou à sa \
                 propre adresse électronique : l'autre administrateur doit le faire",
                "nobody habilitates themselves, nor an account under their own name or mailbox: \
                 the other administrator must do it"
            ),
        });
    }
    Ok(())
}

/// How a profile's quota is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaUse {
    /// The subscription's quota.
    pub max_users: u32,
    /// Distinct people holding the profile (suspended habilitations included).
    pub used: u32,
}

impl QuotaUse {
    /// Seats left for new holders.
    pub fn left(self) -> u32 {
        self.max_users.saturating_sub(self.used)
    }

    /// How many people beyond the quota hold the profile (after the Caf lowered it): the
    /// partner must resolve it; nothing is removed silently.
    pub fn over_by(self) -> u32 {
        self.used.saturating_sub(self.max_users)
    }
}

/// A reason given for a suspension, a devalidation, a question or an answer.
pub fn check_reason(field: &str, reason: &str) -> Result<String, DomainError> {
    text::required(field, reason, 2000)
}

/// A group's name and description.
pub fn check_group(name: &str, description: Option<&str>) -> Result<(String, String), DomainError> {
    let mut c = Checks::new();
    let name = c.take(text::required("name", name, 100));
    let description = c.take(text::optional("description", description, 1000));
    c.finish()?;
    Ok((
        name.expect("checked"),
        description.flatten().unwrap_or_default(),
    ))
}

/// A role bundle: a name and the profiles it gives together (at most 20, no repeats).
pub fn check_bundle(
    name: &str,
    description: Option<&str>,
    profiles: &[Uuid],
) -> Result<(String, String, Vec<Uuid>), DomainError> {
    let mut c = Checks::new();
    let name = c.take(text::required("name", name, 100));
    let description = c.take(text::optional("description", description, 1000));
    let mut unique = vec![];
    for p in profiles {
        if !unique.contains(p) {
            unique.push(*p);
        }
    }
    if unique.is_empty() {
        c.push(
            "profile_ids",
            "empty",
            crate::msg!(
                "un ensemble de rôles donne au moins un profil",
                "a role bundle gives at least one profile"
            ),
        );
    } else if unique.len() > 20 {
        c.push(
            "profile_ids",
            "too_many",
            crate::msg!(
                "un ensemble de rôles donne au plus 20 profils",
                "a role bundle gives at most 20 profiles"
            ),
        );
    }
    c.finish()?;
    Ok((
        name.expect("checked"),
        description.flatten().unwrap_or_default(),
        unique,
    ))
}

/// A delegation's content: at least one function, and the profiles it covers when it includes
/// managing habilitations.
pub fn check_delegation(
    functions: &[crate::access::ManagementFunction],
    profiles: &[Uuid],
) -> Result<(), DomainError> {
    let mut c = Checks::new();
    if functions.is_empty() {
        c.push(
            "functions",
            "empty",
            crate::msg!(
                "déléguez au moins l'une de ces fonctions : gestion des utilisateurs, des groupes, des habilitations",
                "delegate at least one of users, groups, habilitations"
            ),
        );
    }
    if functions.contains(&crate::access::ManagementFunction::Habilitations) && profiles.is_empty()
    {
        c.push(
            "profile_ids",
            "empty",
            crate::msg!(
                "indiquez les profils que le gestionnaire pourra attribuer à son tour",
                "name the profiles whose habilitations the manager may hand on"
            ),
        );
    }
    if profiles.len() > 50 {
        c.push(
            "profile_ids",
            "too_many",
            crate::msg!("50 profils au plus", "at most 50 profiles"),
        );
    }
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: &[u128]) -> BTreeSet<Uuid> {
        n.iter().map(|i| Uuid::from_u128(*i)).collect()
    }

    #[test]
    fn quota_counts_distinct_people() {
        // (max, holders, newcomers, allowed)
        let table: [(u32, &[u128], &[u128], bool); 8] = [
            (4, &[], &[1], true),
            (4, &[1, 2, 3], &[4], true),
            (4, &[1, 2, 3, 4], &[5], false),
            (4, &[1, 2, 3, 4], &[4], true), // already holds it through another way
            (4, &[1, 2], &[3, 4, 5], false), // a group of three into two seats
            (4, &[1, 2], &[2, 3], true),
            (2, &[1, 2, 3], &[1], true), // over quota after a lowering: no new seat taken
            (2, &[1, 2, 3], &[4], false),
        ];
        for (max, holders, newcomers, allowed) in table {
            let r = check_quota(max, &ids(holders), &ids(newcomers));
            assert_eq!(r.is_ok(), allowed, "{max} {holders:?} {newcomers:?}");
            if let Err(e) = r {
                assert!(matches!(
                    e,
                    DomainError::Conflict {
                        code: ErrorCode::QuotaExceeded,
                        ..
                    }
                ));
            }
        }
    }

    #[test]
    fn grant_conditions_each_have_a_code() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let ok = GrantConditions {
            mode: ManagementMode::Delegue,
            convention_open: true,
            mission_in_force: true,
            quota: Some(4),
            eligible: true,
            ends_on: Some(today),
            temporary_profile: true,
            today,
        };
        assert_eq!(check_grant(&ok), Ok(()));
        assert_eq!(
            check_grant(&GrantConditions {
                temporary_profile: false,
                ends_on: None,
                ..ok.clone()
            }),
            Ok(())
        );
        let code = |c: GrantConditions| match check_grant(&c) {
            Err(DomainError::Conflict { code, .. }) | Err(DomainError::Rule { code, .. }) => {
                code.as_str()
            }
            Err(DomainError::Validation(v)) => v[0].code,
            other => panic!("{other:?}"),
        };
        let table = [
            (
                GrantConditions {
                    mode: ManagementMode::Centralise,
                    ..ok.clone()
                },
                "centralised_mode",
            ),
            (
                GrantConditions {
                    convention_open: false,
                    ..ok.clone()
                },
                "convention_not_active",
            ),
            (
                GrantConditions {
                    mission_in_force: false,
                    ..ok.clone()
                },
                "mission_withdrawn",
            ),
            (
                GrantConditions {
                    quota: None,
                    ..ok.clone()
                },
                "profile_not_subscribed",
            ),
            (
                GrantConditions {
                    eligible: false,
                    ..ok.clone()
                },
                "profile_not_eligible",
            ),
            (
                GrantConditions {
                    ends_on: today.pred_opt(),
                    ..ok.clone()
                },
                "end_date_in_past",
            ),
            (
                GrantConditions {
                    ends_on: None,
                    ..ok.clone()
                },
                "end_date_required",
            ),
        ];
        for (conditions, expected) in table {
            assert_eq!(code(conditions), expected);
        }
    }

    #[test]
    fn status_transitions() {
        use HabilitationStatus::*;
        assert_eq!(Active.suspend(), Ok(Suspended));
        assert!(Suspended.suspend().is_err());
        assert!(Devalidated.suspend().is_err());
        assert_eq!(Suspended.reinstate(false, false), Ok(Active));
        assert_eq!(Suspended.reinstate(true, true), Ok(Active));
        assert!(matches!(
            Suspended.reinstate(true, false),
            Err(DomainError::Conflict {
                code: ErrorCode::SuspendedByCaf,
                ..
            })
        ));
        assert!(Active.reinstate(false, false).is_err());
        assert_eq!(Active.devalidate(), Ok(Devalidated));
        assert_eq!(Suspended.devalidate(), Ok(Devalidated));
        assert!(Devalidated.devalidate().is_err());
        assert!(Suspended.holds_seat() && Active.holds_seat() && !Devalidated.holds_seat());
        for s in [Active, Suspended, Devalidated] {
            assert_eq!(HabilitationStatus::from_code(s.code()), Some(s));
        }
    }

    #[test]
    fn nobody_habilitates_themselves() {
        let someone = |id: u128, email: &str, name: &str| crate::person::Someone {
            account_id: Uuid::from_u128(id).into(),
            email: email.into(),
            full_name: name.into(),
        };
        let me = someone(1, "claire@ccas.example", "Claire Dupont");
        let others = [
            someone(2, "paul@ccas.example", "Paul Leroy"),
            someone(3, "lea@ccas.example", "Léa Roux"),
        ];
        assert!(check_not_self(&me, &others).is_ok());
        for me_again in [
            someone(1, "claire@ccas.example", "Claire Dupont"),
            someone(4, "CLAIRE+2@ccas.example", "Agent"),
            someone(5, "c.d@mairie.example", "claire  dupont"),
        ] {
            assert!(matches!(
                check_not_self(&me, &[others[0].clone(), me_again]),
                Err(DomainError::Blocked {
                    code: ErrorCode::SelfGrant,
                    ..
                })
            ));
        }
    }

    #[test]
    fn quota_use_reports_excess() {
        let u = QuotaUse {
            max_users: 2,
            used: 3,
        };
        assert_eq!((u.left(), u.over_by()), (0, 1));
        let u = QuotaUse {
            max_users: 4,
            used: 1,
        };
        assert_eq!((u.left(), u.over_by()), (3, 0));
    }

    #[test]
    fn bundles_and_delegations_are_checked() {
        use crate::access::ManagementFunction;
        let p = Uuid::from_u128(7);
        assert!(check_bundle("Accueil", None, &[p, p]).unwrap().2.len() == 1);
        assert!(check_bundle("Accueil", None, &[]).is_err());
        assert!(check_bundle(" ", None, &[p]).is_err());
        assert!(check_delegation(&[ManagementFunction::Users], &[]).is_ok());
        assert!(check_delegation(&[], &[p]).is_err());
        assert!(check_delegation(&[ManagementFunction::Habilitations], &[]).is_err());
    }

    #[test]
    fn who_manages_whose_habilitations() {
        use crate::access::{Principal, Role};
        let someone = |role| Principal {
            role,
            ..Principal::cnaf_operator(uuid::Uuid::from_u128(9).into())
        };
        let code = |r: Result<(), DomainError>| match r {
            Ok(()) => "ok".to_string(),
            Err(DomainError::Blocked { code, .. }) | Err(DomainError::Conflict { code, .. }) => {
                code.as_str().to_string()
            }
            Err(e) => format!("{e:?}"),
        };
        let (d, c) = (ManagementMode::Delegue, ManagementMode::Centralise);
        let (admin, user) = (Role::PartnerAdministrator, Role::PartnerUser);
        let partner = someone(Role::PartnerAdministrator);
        let caf = someone(Role::CafAdministrator);
        assert_eq!(code(check_management(&partner, d, &[user, user])), "ok");
        assert_eq!(
            code(check_management(&partner, d, &[admin])),
            "administrator_rights_by_caf"
        );
        assert_eq!(
            code(check_management(&partner, d, &[user, admin])),
            "administrator_rights_by_caf"
        );
        assert_eq!(
            code(check_management(&partner, c, &[user])),
            "centralised_mode"
        );
        assert_eq!(code(check_management(&caf, d, &[admin])), "ok");
        assert_eq!(
            code(check_management(&caf, d, &[user])),
            "delegated_to_partner"
        );
        assert_eq!(code(check_management(&caf, d, &[])), "delegated_to_partner");
        assert_eq!(code(check_management(&caf, c, &[user])), "ok");
        assert_eq!(
            code(check_management(&someone(Role::CnafOperator), c, &[user])),
            "Forbidden"
        );
    }
}

//! Who may do what, decided in one place.
//!
//! Every request is made by a [`Principal`] — a person, through their account, possibly through
//! partner software acting for them — and asks for a [`Function`] over something within a
//! [`Reach`]. The answer is allowed, forbidden (403: the function is above the role, or outside
//! what the person granted the software) or not found (404: the object is outside the caller's
//! reach, and the caller must not learn that it exists).

use crate::ids::{AccountId, CafId, ClientId, PartnerId, ProfileId};
#[cfg(test)]
use uuid::Uuid;

use crate::error::{DomainError, ErrorCode};

/// The role an account holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// National operator at the Cnaf: registers Cafs and their administrators, sees everything.
    CnafOperator,
    /// Administrateur des habilitations of one Caf: registers and supervises its partners.
    CafAdministrator,
    /// A partner's principal administrator or deputy, named by the Caf (S-art. 2.2.2).
    PartnerAdministrator,
    /// Any other member of a partner's staff, created by the partner's managers; a delegation
    /// may make them a delegated manager.
    PartnerUser,
    /// Specifically habilitated Cnaf staff: read every trace and habilitation history, check
    /// the chain of traces; nothing else (S-art. 5.3).
    CnafAuditor,
    /// Specifically habilitated staff of one Caf: read the traces and habilitation history of
    /// the Caf's partners; nothing else (S-art. 5.3).
    CafAuditor,
    /// An agent of one Caf's service centre (S-art. 3.1): takes, answers, routes, resolves and
    /// closes the partners' requests; nothing else.
    ServiceCentreAgent,
}

impl Role {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::CnafOperator => "cnaf_operator",
            Self::CafAdministrator => "caf_administrator",
            Self::PartnerAdministrator => "partner_administrator",
            Self::PartnerUser => "partner_user",
            Self::CnafAuditor => "cnaf_auditor",
            Self::CafAuditor => "caf_auditor",
            Self::ServiceCentreAgent => "service_centre_agent",
        }
    }
    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::CnafOperator,
            Self::CafAdministrator,
            Self::PartnerAdministrator,
            Self::PartnerUser,
            Self::CnafAuditor,
            Self::CafAuditor,
            Self::ServiceCentreAgent,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }
}

/// What a person allowed a partner software to do on their behalf (OAuth 2.0 scopes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Read the person's own account.
    Profile,
    /// Read the registry within the person's reach.
    RegistryRead,
    /// Change the registry within the person's reach.
    RegistryWrite,
    /// Read users, groups, delegations and habilitations within the person's reach.
    HabilitationsRead,
    /// Manage users, groups, delegations and habilitations within the person's reach.
    HabilitationsWrite,
    /// Consult beneficiaries' files through the person's CDAP habilitation.
    CdapRead,
    /// Know who signed in (OpenID Connect): an `id_token` naming the person, and `/userinfo`.
    Openid,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 7] = [
        Self::Profile,
        Self::RegistryRead,
        Self::RegistryWrite,
        Self::HabilitationsRead,
        Self::HabilitationsWrite,
        Self::CdapRead,
        Self::Openid,
    ];

    /// Stable code, as in OAuth `scope` strings.
    pub fn code(self) -> &'static str {
        match self {
            Self::Profile => "profile",
            Self::RegistryRead => "registry:read",
            Self::RegistryWrite => "registry:write",
            Self::HabilitationsRead => "habilitations:read",
            Self::HabilitationsWrite => "habilitations:write",
            Self::CdapRead => "cdap:read",
            Self::Openid => "openid",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Parses a space-separated scope string; unknown scopes are an error.
    pub fn parse_list(list: &str) -> Result<Vec<Scope>, String> {
        let mut out = vec![];
        for code in list.split_whitespace() {
            let s = Self::from_code(code).ok_or_else(|| code.to_string())?;
            if !out.contains(&s) {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// Writes a scope list as a space-separated string.
    pub fn join(scopes: &[Scope]) -> String {
        scopes
            .iter()
            .map(|s| s.code())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Partner software acting for the person, and what it was granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Software {
    /// The registered client application.
    pub client_id: ClientId,
    /// The scopes the person granted it.
    pub scopes: Vec<Scope>,
}

/// One of the three management functions a partner's administrators hold and may delegate
/// (S-art. 2.2.2): manage users, manage groups, manage habilitations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ManagementFunction {
    /// Create partner users, suspend and close their accounts.
    Users,
    /// Create groups and change their members.
    Groups,
    /// Grant, suspend and devalidate habilitations, build role bundles.
    Habilitations,
}

impl ManagementFunction {
    /// Every management function.
    pub const ALL: [ManagementFunction; 3] = [Self::Users, Self::Groups, Self::Habilitations];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Users => "users",
            Self::Groups => "groups",
            Self::Habilitations => "habilitations",
        }
    }

    /// Reads a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// What a partner's administrator delegated to a delegated manager: which management functions,
/// over which profiles (S-art. 2.2.2). A delegated manager hands on only profiles listed here.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Delegation {
    /// The management functions delegated.
    pub functions: Vec<ManagementFunction>,
    /// The profiles (catalogue ids) whose habilitations the manager may hand on.
    pub profiles: Vec<ProfileId>,
}

impl Delegation {
    /// Whether the function was delegated.
    pub fn covers(&self, function: ManagementFunction) -> bool {
        self.functions.contains(&function)
    }
}

/// An authenticated person acting through their account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Their account.
    pub account_id: AccountId,
    /// Their role.
    pub role: Role,
    /// The Caf they belong to, or whose partner they belong to.
    pub caf_id: Option<CafId>,
    /// The partner they belong to.
    pub partner_id: Option<PartnerId>,
    /// The software acting for them, when it is not the person directly.
    pub software: Option<Software>,
    /// They must change their password before anything but their own account.
    pub must_change_password: bool,
    /// Their contract requires a second factor they have not enrolled yet: nothing but their
    /// own account until they do.
    pub must_enrol_second_factor: bool,
    /// For a partner user: the delegation that makes them a delegated manager, if any.
    pub delegation: Option<Delegation>,
}

impl Principal {
    /// A Cnaf operator.
    pub fn cnaf_operator(account_id: AccountId) -> Self {
        Self {
            account_id,
            role: Role::CnafOperator,
            caf_id: None,
            partner_id: None,
            software: None,
            must_change_password: false,
            must_enrol_second_factor: false,
            delegation: None,
        }
    }

    /// An administrator of one Caf.
    pub fn caf_administrator(account_id: AccountId, caf_id: CafId) -> Self {
        Self {
            account_id,
            role: Role::CafAdministrator,
            caf_id: Some(caf_id),
            partner_id: None,
            software: None,
            must_change_password: false,
            must_enrol_second_factor: false,
            delegation: None,
        }
    }

    /// An auditor: of the Cnaf when `caf_id` is `None`, of one Caf otherwise.
    pub fn auditor(account_id: AccountId, caf_id: Option<CafId>) -> Self {
        Self {
            role: if caf_id.is_some() {
                Role::CafAuditor
            } else {
                Role::CnafAuditor
            },
            caf_id,
            ..Self::cnaf_operator(account_id)
        }
    }

    /// An agent of one Caf's service centre.
    pub fn service_centre_agent(account_id: AccountId, caf_id: CafId) -> Self {
        Self {
            role: Role::ServiceCentreAgent,
            ..Self::caf_administrator(account_id, caf_id)
        }
    }

    /// An administrator of one partner of one Caf.
    pub fn partner_administrator(
        account_id: AccountId,
        caf_id: CafId,
        partner_id: PartnerId,
    ) -> Self {
        Self {
            account_id,
            role: Role::PartnerAdministrator,
            caf_id: Some(caf_id),
            partner_id: Some(partner_id),
            software: None,
            must_change_password: false,
            must_enrol_second_factor: false,
            delegation: None,
        }
    }

    /// A partner user, with the delegation they hold if any.
    pub fn partner_user(
        account_id: AccountId,
        caf_id: CafId,
        partner_id: PartnerId,
        delegation: Option<Delegation>,
    ) -> Self {
        Self {
            role: Role::PartnerUser,
            delegation,
            ..Self::partner_administrator(account_id, caf_id, partner_id)
        }
    }

    /// Whether the person works for a partner (administrator or user).
    pub fn is_partner_staff(&self) -> bool {
        matches!(self.role, Role::PartnerAdministrator | Role::PartnerUser)
    }

    /// The same person, through software granted `scopes`.
    pub fn through(self, client_id: ClientId, scopes: Vec<Scope>) -> Self {
        Self {
            software: Some(Software { client_id, scopes }),
            ..self
        }
    }

    /// The account acting.
    pub fn account_id(&self) -> AccountId {
        self.account_id
    }

    /// The role held.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The Caf whose objects alone the principal may see; `None` for national reach.
    pub fn caf_scope(&self) -> Option<CafId> {
        self.caf_id
    }
}

/// The functions of the service, as the access rules name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// Read one's own account.
    ReadOwnAccount,
    /// See and change one's own security: sessions (addresses, devices), password, second
    /// factor. Never through software: the person does it themselves.
    ManageOwnAccount,
    /// Read the service catalogue.
    ReadCatalogue,
    /// Write the service catalogue: add profiles, change who may hold them and what they see
    /// (DOMAIN §3: reference data the Cnaf edits). Cnaf operators, in person.
    ManageCatalogue,
    /// Register and change Cafs.
    ManageCafs,
    /// Read a Caf's registration.
    ReadCaf,
    /// Register Caf administrators, suspend and reinstate them.
    ManageCafAdministrators,
    /// Set what a Caf requires of the sign-in of its staff and its partners' staff (a second
    /// factor): the Caf's administrators for their Caf, the Cnaf for any.
    ManageCafSecurity,
    /// Read partners, conventions, contracts, subscriptions and amendments.
    ReadPartners,
    /// Register partners; draft, sign, amend and terminate their conventions, contracts and
    /// subscriptions; name their administrators; register their software. The Caf signs the
    /// convention, so only the Caf does this.
    ManagePartners,
    /// Read the traces of actions within one's perimeter ([`trace_perimeter`]): auditors, and a
    /// partner's administrators for their organisation.
    ReadTraces,
    /// Check the chain of traces and read the evidence of retention purges: Cnaf auditors.
    VerifyTraces,
    /// Produce a person's own traces at their request (RGPD art. 15): the partner's
    /// administrators for their staff.
    ProduceSubjectAccess,
    /// Register auditors and supervise their accounts: Cnaf operators.
    ManageAuditors,
    /// Submit the partner's own software for the Caf's approval: its administrators.
    SubmitSoftware,
    /// File, edit, submit and withdraw requests to the Caf: the partner's administrators.
    FileRequests,
    /// Send back, approve or refuse a partner's requests: the Caf's administrators.
    DecideRequests,
    /// Read requests: the partner's administrators, its Caf, the Cnaf.
    ReadRequests,
    /// Load beneficiaries' files (bulk import): the Caf's administrators, for their Caf.
    ImportFiles,
    /// Consult a beneficiary's file: partner staff, through an active CDAP habilitation that
    /// decides the view.
    ConsultFiles,
    /// Read a partner's users, groups, delegations, role bundles and habilitations.
    ReadHabilitations,
    /// Create partner users and close their accounts (a management function).
    ManageUsers,
    /// Create groups and change their members (a management function).
    ManageGroups,
    /// Grant, suspend, devalidate habilitations; build role bundles; answer the Caf's questions
    /// (a management function).
    ManageHabilitations,
    /// Give and withdraw delegations: the partner's administrators only.
    ManageDelegations,
    /// Suspend, reinstate and end the sessions of a partner's users, require a password
    /// change: the partner's administrators, managers delegated the users function, and the Caf.
    SuperviseStaff,
    /// The Caf's supervision of delegated management (S-art. 2.2.1): suspend any habilitation
    /// as a precaution and reinstate it, ask why one was given.
    SuperviseHabilitations,
    /// Open a year's reverse-review campaigns for the Caf's partners: the Caf's administrators.
    OpenReviews,
    /// Confirm or remove the habilitations of a reverse review and complete it (S-art. 2.2.2):
    /// the partner's administrators by role, and among them only the principal administrator
    /// (`review::authorize_decision` checks the rank).
    ReviewHabilitations,
    /// Read reverse-review campaigns, their reports and the annual review (C-art. 16): the
    /// partner's administrators, its Caf, the Cnaf.
    ReadReviews,
    /// See the messages to people that could not be delivered and queue them again: Cnaf
    /// operators, who run the service.
    SuperviseDelivery,
    /// Declare and cancel planned stops (S-art. 3.1, 4): the Cnaf's operators national
    /// maintenance, a Caf's administrators their Caf's operations (`maintenance::StopScope`).
    DeclareStops,
    /// Tell the Caf of the service providers the partner means to use (C-art. 14): the
    /// partner's administrators, who answer for the convention's execution.
    DeclareProviders,
    /// Report a security incident in the partner's perimeter and record the partner's measures
    /// (C-art. 9.2): the partner's administrators.
    ReportIncidents,
    /// Follow the partners' security incidents: suspend accesses as a precaution, record the
    /// Caf's measures, close them (the Caf's administrators).
    HandleIncidents,
    /// Plan and record meetings on a convention, write and validate their minutes (C-art. 16):
    /// the Caf's administrators and the partner's, each for their party.
    HoldMeetings,
    /// Attach to a convention the documents that are the partner's to produce (its
    /// deliberation, its RGPD evidence): the partner's administrators. The Caf attaches any
    /// under [`Function::ManagePartners`].
    AttachDocuments,
    /// File requests with the Caf service centre and answer it (S-art. 3): the partner's
    /// habilitation managers — its administrators and delegated managers — alone.
    FileSupportRequests,
    /// Take, answer, route, resolve and close the partners' requests, see the open
    /// escalations (S-art. 3.1, 3.3): the Caf's service-centre agents and administrators.
    AnswerSupportRequests,
    /// Register the agents of a Caf's service centre: its administrators.
    ManageServiceCentreAgents,
}

impl Function {
    /// The scope software needs for this function; `None` when no software may use it.
    pub fn scope(self) -> Option<Scope> {
        use Function::*;
        match self {
            ReadOwnAccount => Some(Scope::Profile),
            ManageOwnAccount
            | ReadTraces
            | VerifyTraces
            | ProduceSubjectAccess
            | ManageAuditors
            | ManageCafSecurity
            | SubmitSoftware
            | SuperviseDelivery
            | ManageCatalogue
            | DeclareStops
            | DeclareProviders
            | ReportIncidents
            | HandleIncidents
            | HoldMeetings
            | AttachDocuments
            | ManageServiceCentreAgents => None,
            // The partner's support structure may work through its own ticketing software.
            FileSupportRequests | AnswerSupportRequests => Some(Scope::HabilitationsWrite),
            // A review is attested by the person, and its reports are read by people: no
            // software acts in it.
            OpenReviews | ReviewHabilitations | ReadReviews => None,
            ReadCatalogue | ReadCaf | ReadPartners => Some(Scope::RegistryRead),
            ManageCafs | ManageCafAdministrators | ManagePartners => Some(Scope::RegistryWrite),
            ReadHabilitations | ReadRequests => Some(Scope::HabilitationsRead),
            FileRequests | DecideRequests => Some(Scope::HabilitationsWrite),
            ImportFiles => Some(Scope::RegistryWrite),
            ConsultFiles => Some(Scope::CdapRead),
            ManageUsers
            | ManageGroups
            | ManageHabilitations
            | ManageDelegations
            | SuperviseStaff
            | SuperviseHabilitations => Some(Scope::HabilitationsWrite),
        }
    }

    /// The management function this function belongs to, for delegated managers.
    fn management(self) -> Option<ManagementFunction> {
        match self {
            Function::ManageUsers | Function::SuperviseStaff => Some(ManagementFunction::Users),
            Function::ManageGroups => Some(ManagementFunction::Groups),
            Function::ManageHabilitations => Some(ManagementFunction::Habilitations),
            _ => None,
        }
    }
}

/// Where the object acted upon sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Nothing more specific: national objects, or a collection filtered by the caller's scope.
    National,
    /// An object belonging to one Caf (the Caf itself, or one of its own objects).
    Caf(CafId),
    /// An object belonging to one partner of one Caf.
    Partner {
        /// The Caf.
        caf_id: CafId,
        /// The partner.
        partner_id: PartnerId,
    },
}

/// Decides whether `principal` may use `function` on an object within `reach`.
pub fn authorize(
    principal: &Principal,
    function: Function,
    reach: Reach,
) -> Result<(), DomainError> {
    use Function::*;
    let allowed = match principal.role {
        Role::CnafOperator => matches!(
            function,
            ReadOwnAccount
                | ManageOwnAccount
                | ReadCatalogue
                | ManageCatalogue
                | ManageCafs
                | ReadCaf
                | ManageCafAdministrators
                | ManageCafSecurity
                | ManageAuditors
                | ReadPartners
                | ReadHabilitations
                | ReadRequests
                | ReadReviews
                | SuperviseDelivery
                | DeclareStops
                | ManageServiceCentreAgents
        ),
        Role::CafAdministrator => matches!(
            function,
            ReadOwnAccount
                | ManageOwnAccount
                | ReadCatalogue
                | ReadCaf
                | ManageCafSecurity
                | ReadPartners
                | ManagePartners
                | ReadHabilitations
                | SuperviseStaff
                | SuperviseHabilitations
                | DecideRequests
                | ReadRequests
                | ImportFiles
                | OpenReviews
                | ReadReviews
                | DeclareStops
                | HandleIncidents
                | HoldMeetings
                | AnswerSupportRequests
                | ManageServiceCentreAgents
        ),
        Role::PartnerAdministrator => matches!(
            function,
            ReadOwnAccount
                | ManageOwnAccount
                | ReadCatalogue
                | ReadPartners
                | ReadHabilitations
                | ManageUsers
                | ManageGroups
                | ManageHabilitations
                | ManageDelegations
                | SuperviseStaff
                | SubmitSoftware
                | FileRequests
                | ReadRequests
                | ConsultFiles
                | ReadTraces
                | ProduceSubjectAccess
                | ReviewHabilitations
                | ReadReviews
                | DeclareProviders
                | ReportIncidents
                | HoldMeetings
                | AttachDocuments
                | FileSupportRequests
        ),
        Role::CnafAuditor => matches!(
            function,
            ReadOwnAccount
                | ManageOwnAccount
                | ReadCatalogue
                | ReadCaf
                | ReadPartners
                | ReadHabilitations
                | ReadTraces
                | VerifyTraces
                | ReadReviews
        ),
        Role::CafAuditor => matches!(
            function,
            ReadOwnAccount
                | ManageOwnAccount
                | ReadCatalogue
                | ReadCaf
                | ReadPartners
                | ReadHabilitations
                | ReadTraces
                | ReadReviews
        ),
        // The service centre diagnoses access problems: it reads the partners' registry and
        // habilitations, changes nothing but its requests.
        Role::ServiceCentreAgent => matches!(
            function,
            ReadOwnAccount
                | ManageOwnAccount
                | ReadCatalogue
                | ReadCaf
                | ReadPartners
                | ReadHabilitations
                | AnswerSupportRequests
        ),
        Role::PartnerUser => match (function, &principal.delegation) {
            (
                ReadOwnAccount | ManageOwnAccount | ReadCatalogue | ReadPartners | ConsultFiles,
                _,
            ) => true,
            // A delegated manager reads what they manage, and is the partner's level-1 support.
            (ReadHabilitations | FileSupportRequests, Some(_)) => true,
            (f, Some(d)) => f.management().is_some_and(|m| d.covers(m)),
            (_, None) => false,
        },
    };
    // An object of an organisation the caller is not part of is 404 whatever they asked to do
    // with it, before their role is looked at: a refusal never tells that it exists.
    let foreign = match (reach, principal.role) {
        (Reach::National, _) | (_, Role::CnafOperator | Role::CnafAuditor) => false,
        (Reach::Caf(caf), _) => principal.caf_id != Some(caf),
        (
            Reach::Partner { caf_id, .. },
            Role::CafAdministrator | Role::CafAuditor | Role::ServiceCentreAgent,
        ) => principal.caf_id != Some(caf_id),
        (Reach::Partner { partner_id, .. }, Role::PartnerAdministrator | Role::PartnerUser) => {
            principal.partner_id != Some(partner_id)
        }
    };
    if foreign {
        return Err(DomainError::NotFound);
    }
    if !allowed {
        return Err(DomainError::Forbidden);
    }
    if principal.must_change_password && !matches!(function, ReadOwnAccount | ManageOwnAccount) {
        return Err(DomainError::Blocked {
            code: ErrorCode::PasswordChangeRequired,
            message: crate::msg!(
                "changez d'abord votre mot de passe (POST /api/v1/me/password)",
                "change your password first (POST /api/v1/me/password)"
            ),
        });
    }
    if principal.must_enrol_second_factor && !matches!(function, ReadOwnAccount | ManageOwnAccount)
    {
        return Err(DomainError::Blocked {
            code: ErrorCode::SecondFactorRequired,
            message: crate::msg!(
                "votre contrat ou votre Caf exige un second facteur : enrôlez-en un d'abord (POST /api/v1/me/totp)",
                "your contract or your Caf requires a second factor: enrol one first (POST /api/v1/me/totp)"
            ),
        });
    }
    if let Some(software) = &principal.software {
        match function.scope() {
            Some(needed) if software.scopes.contains(&needed) => {}
            _ => return Err(DomainError::Forbidden),
        }
    }
    let within = match (reach, principal.role) {
        (Reach::National, _) | (_, Role::CnafOperator | Role::CnafAuditor) => true,
        (Reach::Caf(caf), Role::CafAdministrator | Role::CafAuditor | Role::ServiceCentreAgent) => {
            principal.caf_id == Some(caf)
        }
        (
            Reach::Partner { caf_id, .. },
            Role::CafAdministrator | Role::CafAuditor | Role::ServiceCentreAgent,
        ) => principal.caf_id == Some(caf_id),
        (Reach::Partner { partner_id, .. }, Role::PartnerAdministrator | Role::PartnerUser) => {
            principal.partner_id == Some(partner_id)
        }
        // A Caf's own objects are outside every partner's reach.
        (Reach::Caf(_), Role::PartnerAdministrator | Role::PartnerUser) => false,
    };
    if within {
        Ok(())
    } else {
        Err(DomainError::NotFound)
    }
}

/// Whether a partner-side manager may hand on `profile`: administrators hold every profile their
/// partner subscribed to, a delegated manager only those delegated to them. Called after
/// [`authorize`] has admitted the management function.
pub fn authorize_profile(principal: &Principal, profile: ProfileId) -> Result<(), DomainError> {
    match (principal.role, &principal.delegation) {
        (Role::PartnerUser, Some(d)) if d.profiles.contains(&profile) => Ok(()),
        (Role::PartnerUser, _) => Err(DomainError::Blocked {
            code: ErrorCode::ProfileNotDelegated,
            message: crate::msg!(
                "ce profil ne vous a pas été délégué : adressez-vous à l'administrateur de votre organisme",
                "this profile was not delegated to you: ask your partner's administrator"
            ),
        }),
        _ => Ok(()),
    }
}

/// Refuses a delegated manager acting on an administrator's account, habilitations or group
/// membership: administrators are the Caf's to name and the other administrator's to habilitate.
pub fn authorize_touching(principal: &Principal, target_role: Role) -> Result<(), DomainError> {
    if principal.role == Role::PartnerUser && target_role == Role::PartnerAdministrator {
        return Err(DomainError::Blocked {
            code: ErrorCode::AdministratorUntouchable,
            message: crate::msg!(
                "un gestionnaire délégué ne peut pas agir sur un administrateur",
                "a delegated manager cannot act on an administrator"
            ),
        });
    }
    Ok(())
}

/// The function and reach under which someone supervises an account of `role` (suspends or
/// reinstates it, ends its sessions): the Cnaf over Caf administrators, the Caf over its partners'
/// administrators, the Caf and the partner's managers over its users. `None` for accounts no one
/// supervises through the API.
pub fn supervision_of(
    role: Role,
    caf_id: Option<CafId>,
    partner_id: Option<PartnerId>,
) -> Option<(Function, Reach)> {
    match (role, caf_id, partner_id) {
        (Role::CafAdministrator, Some(caf), _) => {
            Some((Function::ManageCafAdministrators, Reach::Caf(caf)))
        }
        (Role::PartnerAdministrator, Some(caf_id), Some(partner_id)) => Some((
            Function::ManagePartners,
            Reach::Partner { caf_id, partner_id },
        )),
        (Role::PartnerUser, Some(caf_id), Some(partner_id)) => Some((
            Function::SuperviseStaff,
            Reach::Partner { caf_id, partner_id },
        )),
        (Role::CafAuditor, Some(caf), _) => Some((Function::ManageAuditors, Reach::Caf(caf))),
        (Role::CnafAuditor, _, _) => Some((Function::ManageAuditors, Reach::National)),
        _ => None,
    }
}

/// Decides whether `principal` may supervise an account of `role` in that Caf and partner
/// (suspend, reinstate, end its sessions, close it…). Partner staff know only their own
/// partner's people: anyone else's account — another partner's, the Caf's staff — is 404, as a
/// random id is, so that the answer tells neither that it exists nor its role.
pub fn authorize_supervision(
    principal: &Principal,
    role: Role,
    caf_id: Option<CafId>,
    partner_id: Option<PartnerId>,
) -> Result<(), DomainError> {
    if principal.is_partner_staff() && (partner_id.is_none() || partner_id != principal.partner_id)
    {
        return Err(DomainError::NotFound);
    }
    let (function, reach) =
        supervision_of(role, caf_id, partner_id).ok_or(DomainError::NotFound)?;
    authorize(principal, function, reach)
}

/// Whose traces a reader sees (S-art. 5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TracePerimeter {
    /// Every trace: Cnaf auditors.
    National,
    /// The traces of one Caf's perimeter (its partners and its own staff's actions on them):
    /// that Caf's auditors.
    Caf(CafId),
    /// The traces of one partner: what its staff did and what was done to its objects.
    Partner(PartnerId),
}

/// The traces `principal` may read; refused to everyone but auditors and a partner's
/// administrators (principal and deputy).
pub fn trace_perimeter(principal: &Principal) -> Result<TracePerimeter, DomainError> {
    authorize(principal, Function::ReadTraces, Reach::National)?;
    match (principal.role, principal.caf_id, principal.partner_id) {
        (Role::CnafAuditor, _, _) => Ok(TracePerimeter::National),
        (Role::CafAuditor, Some(caf), _) => Ok(TracePerimeter::Caf(caf)),
        (Role::PartnerAdministrator, _, Some(partner)) => Ok(TracePerimeter::Partner(partner)),
        _ => Err(DomainError::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id<T: From<Uuid>>(n: u128) -> T {
        Uuid::from_u128(n).into()
    }
    use Function::*;

    #[test]
    fn role_by_function_by_reach() {
        let own = id(1);
        let other = id(2);
        let partner = id(3);
        let other_partner = id(4);
        let cnaf = Principal::cnaf_operator(id(10));
        let caf = Principal::caf_administrator(id(11), own);
        let padm = Principal::partner_administrator(id(12), own, partner);
        let cnaf_auditor = Principal::auditor(id(13), None);
        let caf_auditor = Principal::auditor(id(14), Some(own));
        let in_partner = Reach::Partner {
            caf_id: own,
            partner_id: partner,
        };
        let in_other_partner = Reach::Partner {
            caf_id: own,
            partner_id: other_partner,
        };
        let in_other_caf = Reach::Partner {
            caf_id: other,
            partner_id: other_partner,
        };
        const OK: &str = "ok";
        const FORBIDDEN: &str = "403";
        const HIDDEN: &str = "404";
        // (principal, function, reach, expected)
        let table = [
            (&cnaf, ReadCatalogue, Reach::National, OK),
            (&cnaf, ManageCatalogue, Reach::National, OK),
            (&cnaf, ManageCafs, Reach::National, OK),
            (&cnaf, ManageCafAdministrators, Reach::Caf(other), OK),
            (&cnaf, ReadCaf, Reach::Caf(other), OK),
            (&cnaf, ReadPartners, in_partner, OK),
            (&cnaf, ReadPartners, in_other_caf, OK),
            (&cnaf, ManagePartners, in_partner, FORBIDDEN),
            (&cnaf, ReadTraces, Reach::National, FORBIDDEN),
            (&cnaf, ManageAuditors, Reach::Caf(other), OK),
            (&cnaf_auditor, ReadTraces, Reach::National, OK),
            (&cnaf_auditor, VerifyTraces, Reach::National, OK),
            (&cnaf_auditor, ReadHabilitations, in_other_caf, OK),
            (&cnaf_auditor, ReadPartners, in_partner, OK),
            (&cnaf_auditor, ManagePartners, in_partner, FORBIDDEN),
            (&cnaf_auditor, ManageAuditors, Reach::National, FORBIDDEN),
            (&cnaf_auditor, ConsultFiles, in_partner, FORBIDDEN),
            (&caf_auditor, ReadTraces, Reach::National, OK),
            (&caf_auditor, VerifyTraces, Reach::National, FORBIDDEN),
            (&caf_auditor, ReadHabilitations, in_partner, OK),
            (&caf_auditor, ReadHabilitations, in_other_caf, HIDDEN),
            (&caf_auditor, ManageHabilitations, in_partner, FORBIDDEN),
            (&caf_auditor, SuperviseHabilitations, in_partner, FORBIDDEN),
            (&caf_auditor, DecideRequests, in_partner, FORBIDDEN),
            (&caf, ReadCatalogue, Reach::National, OK),
            (&caf, ManageCatalogue, Reach::National, FORBIDDEN),
            (&caf, ManageCafs, Reach::National, FORBIDDEN),
            (&caf, ManageCafs, Reach::Caf(own), FORBIDDEN),
            (&caf, ManageCafAdministrators, Reach::Caf(own), FORBIDDEN),
            (&caf, ReadCaf, Reach::Caf(own), OK),
            (&caf, ReadCaf, Reach::Caf(other), HIDDEN),
            (&caf, ManageCafSecurity, Reach::Caf(own), OK),
            (&caf, ManageCafSecurity, Reach::Caf(other), HIDDEN),
            (&cnaf, ManageCafSecurity, Reach::Caf(other), OK),
            (&padm, ManageCafSecurity, Reach::Caf(own), FORBIDDEN),
            (&caf, ReadPartners, in_partner, OK),
            (&caf, ReadPartners, in_other_caf, HIDDEN),
            (&caf, ManagePartners, in_other_partner, OK),
            (&caf, ManagePartners, in_other_caf, HIDDEN),
            (&caf, ReadTraces, Reach::National, FORBIDDEN),
            (&padm, ReadCatalogue, Reach::National, OK),
            (&padm, ReadPartners, in_partner, OK),
            (&padm, ReadPartners, in_other_partner, HIDDEN),
            (&padm, ReadPartners, in_other_caf, HIDDEN),
            (&padm, ReadCaf, Reach::Caf(own), FORBIDDEN),
            (&padm, ManagePartners, in_partner, FORBIDDEN),
            // Lacking the function on another organisation's object: hidden, not forbidden,
            // so that the answer is the one a random id gets.
            (&padm, ManagePartners, in_other_partner, HIDDEN),
            (&padm, ManageHabilitations, in_other_caf, HIDDEN),
            (&caf_auditor, ManageHabilitations, in_other_caf, HIDDEN),
            (&padm, SubmitSoftware, in_partner, OK),
            (&padm, SubmitSoftware, in_other_partner, HIDDEN),
            (&caf, SubmitSoftware, in_partner, FORBIDDEN),
            (&caf, DecideRequests, in_partner, OK),
            (&caf, DecideRequests, in_other_caf, HIDDEN),
            (&caf, FileRequests, in_partner, FORBIDDEN),
            (&padm, FileRequests, in_partner, OK),
            (&padm, ConsultFiles, in_partner, OK),
            (&padm, ImportFiles, Reach::Caf(own), FORBIDDEN),
            (&caf, ImportFiles, Reach::Caf(own), OK),
            (&caf, ImportFiles, Reach::Caf(other), HIDDEN),
            (&caf, ConsultFiles, in_partner, FORBIDDEN),
            (&cnaf, ConsultFiles, in_partner, FORBIDDEN),
            (&padm, FileRequests, in_other_partner, HIDDEN),
            (&padm, DecideRequests, in_partner, FORBIDDEN),
            (&cnaf, ReadRequests, in_other_caf, OK),
            (&cnaf, DecideRequests, in_partner, FORBIDDEN),
            (&padm, ReadTraces, Reach::National, OK),
            (&padm, ProduceSubjectAccess, in_partner, OK),
            (&padm, ProduceSubjectAccess, in_other_partner, HIDDEN),
            (&caf, ProduceSubjectAccess, in_partner, FORBIDDEN),
            (&caf, OpenReviews, Reach::Caf(own), OK),
            (&caf, OpenReviews, Reach::Caf(other), HIDDEN),
            (&cnaf, OpenReviews, Reach::Caf(own), FORBIDDEN),
            (&padm, OpenReviews, Reach::Caf(own), FORBIDDEN),
            (&padm, ReviewHabilitations, in_partner, OK),
            (&padm, ReviewHabilitations, in_other_partner, HIDDEN),
            (&caf, ReviewHabilitations, in_partner, FORBIDDEN),
            (&cnaf, ReviewHabilitations, in_partner, FORBIDDEN),
            (&padm, ReadReviews, in_partner, OK),
            (&padm, ReadReviews, in_other_partner, HIDDEN),
            (&padm, ReadReviews, Reach::Caf(own), HIDDEN),
            (&caf, ReadReviews, in_partner, OK),
            (&caf, ReadReviews, in_other_caf, HIDDEN),
            (&cnaf, ReadReviews, in_other_caf, OK),
        ];
        for (principal, function, reach, expected) in table {
            assert_eq!(
                decide(principal, function, reach),
                expected,
                "{:?} {function:?} {reach:?}",
                principal.role
            );
        }
    }

    fn decide(p: &Principal, f: Function, r: Reach) -> &'static str {
        match authorize(p, f, r) {
            Ok(()) => "ok",
            Err(DomainError::Forbidden) => "403",
            Err(DomainError::NotFound) => "404",
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn software_does_only_what_the_person_granted() {
        let own = id(1);
        let client = id(99);
        let person = Principal::caf_administrator(id(11), own);
        let reader = person.clone().through(client, vec![Scope::RegistryRead]);
        let writer = person.clone().through(
            client,
            vec![Scope::RegistryRead, Scope::RegistryWrite, Scope::Profile],
        );
        let reach = Reach::Caf(own);
        // (principal, function, expected)
        let table = [
            (&person, ManagePartners, "ok"),
            (&person, ManageOwnAccount, "ok"),
            (&reader, ReadPartners, "ok"),
            (&reader, ManagePartners, "403"),
            (&reader, ReadOwnAccount, "403"),
            (&writer, ManagePartners, "ok"),
            (&writer, ReadOwnAccount, "ok"),
            (&writer, ManageOwnAccount, "403"), // never through software
            (&writer, ManageCafs, "403"),       // scope does not lift the role's limits
        ];
        for (p, f, expected) in table {
            assert_eq!(decide(p, f, reach), expected, "{:?} {f:?}", p.software);
        }
        // Another Caf's object is hidden from software as from the person: 404, whatever it asked.
        assert_eq!(decide(&reader, ManagePartners, Reach::Caf(id(7))), "404");
    }

    #[test]
    fn a_password_to_change_comes_first() {
        let own = id(1);
        let p = Principal {
            must_change_password: true,
            ..Principal::caf_administrator(id(11), own)
        };
        assert!(matches!(
            authorize(&p, ReadPartners, Reach::Caf(own)),
            Err(DomainError::Blocked {
                code: ErrorCode::PasswordChangeRequired,
                ..
            })
        ));
        assert_eq!(authorize(&p, ManageOwnAccount, Reach::National), Ok(()));
        assert_eq!(authorize(&p, ReadOwnAccount, Reach::National), Ok(()));
        assert_eq!(
            authorize(&p, ManageCafs, Reach::National),
            Err(DomainError::Forbidden),
            "the role still decides first"
        );
    }

    #[test]
    fn who_supervises_whom() {
        let (own, other, partner) = (id(1), id(2), id(3));
        let cnaf = Principal::cnaf_operator(id(10));
        let caf = Principal::caf_administrator(id(11), own);
        let supervise = |p: &Principal, role, caf_id, partner_id| match supervision_of(
            role, caf_id, partner_id,
        ) {
            None => "404",
            Some((f, r)) => decide(p, f, r),
        };
        assert_eq!(
            supervise(&cnaf, Role::CafAdministrator, Some(own), None),
            "ok"
        );
        assert_eq!(
            supervise(&caf, Role::CafAdministrator, Some(own), None),
            "403",
            "not a colleague"
        );
        assert_eq!(
            supervise(&caf, Role::PartnerAdministrator, Some(own), Some(partner)),
            "ok"
        );
        assert_eq!(
            supervise(&caf, Role::PartnerAdministrator, Some(other), Some(partner)),
            "404"
        );
        assert_eq!(
            supervise(&cnaf, Role::PartnerAdministrator, Some(own), Some(partner)),
            "403",
            "the Caf supervises its partners"
        );
        assert_eq!(supervise(&cnaf, Role::CnafOperator, None, None), "404");
    }

    #[test]
    fn delegated_management_by_role_and_delegation() {
        let (caf_id, partner, other) = (id(1), id(3), id(4));
        let t13 = id(13);
        let own = Reach::Partner {
            caf_id,
            partner_id: partner,
        };
        let elsewhere = Reach::Partner {
            caf_id,
            partner_id: other,
        };
        let cnaf = Principal::cnaf_operator(id(10));
        let caf = Principal::caf_administrator(id(11), caf_id);
        let admin = Principal::partner_administrator(id(12), caf_id, partner);
        let plain = Principal::partner_user(id(20), caf_id, partner, None);
        let manager = Principal::partner_user(
            id(21),
            caf_id,
            partner,
            Some(Delegation {
                functions: vec![ManagementFunction::Habilitations],
                profiles: vec![t13],
            }),
        );
        // (principal, function, reach, expected)
        let table = [
            (&cnaf, ReadHabilitations, own, "ok"),
            (&cnaf, ManageHabilitations, own, "403"),
            (&cnaf, SuperviseHabilitations, own, "403"),
            (&caf, ReadHabilitations, own, "ok"),
            (&caf, SuperviseHabilitations, own, "ok"),
            (&caf, SuperviseStaff, own, "ok"),
            (&caf, ManageHabilitations, own, "403"),
            (&caf, ManageDelegations, own, "403"),
            (&admin, ManageUsers, own, "ok"),
            (&admin, ManageGroups, own, "ok"),
            (&admin, ManageHabilitations, own, "ok"),
            (&admin, ManageDelegations, own, "ok"),
            (&admin, ManageHabilitations, elsewhere, "404"),
            (&admin, SuperviseHabilitations, own, "403"),
            (&plain, ReadPartners, own, "ok"),
            (&plain, ReadHabilitations, own, "403"),
            (&plain, ManageUsers, own, "403"),
            (&manager, ReadHabilitations, own, "ok"),
            (&manager, ManageHabilitations, own, "ok"),
            (&manager, ManageHabilitations, elsewhere, "404"),
            (&manager, ManageUsers, own, "403"),
            (&manager, SuperviseStaff, own, "403"),
            (&manager, ManageGroups, own, "403"),
            (&manager, ManageDelegations, own, "403"),
        ];
        for (principal, function, reach, expected) in table {
            assert_eq!(
                decide(principal, function, reach),
                expected,
                "{:?} {function:?} {reach:?}",
                principal.role
            );
        }
        assert_eq!(authorize_profile(&manager, t13), Ok(()));
        assert!(matches!(
            authorize_profile(&manager, id(1)),
            Err(DomainError::Blocked {
                code: ErrorCode::ProfileNotDelegated,
                ..
            })
        ));
        assert_eq!(authorize_profile(&admin, id(1)), Ok(()));
        assert!(authorize_touching(&manager, Role::PartnerAdministrator).is_err());
        assert_eq!(authorize_touching(&manager, Role::PartnerUser), Ok(()));
        assert_eq!(
            authorize_touching(&admin, Role::PartnerAdministrator),
            Ok(())
        );
        // Who supervises a partner user: the partner's administrators and the Caf.
        let (f, r) = supervision_of(Role::PartnerUser, Some(caf_id), Some(partner)).unwrap();
        assert_eq!(decide(&admin, f, r), "ok");
        assert_eq!(decide(&caf, f, r), "ok");
        assert_eq!(decide(&cnaf, f, r), "403");
        assert_eq!(decide(&manager, f, r), "403");
    }

    #[test]
    fn scope_strings() {
        assert_eq!(
            Scope::parse_list("registry:read  profile registry:read"),
            Ok(vec![Scope::RegistryRead, Scope::Profile])
        );
        assert_eq!(
            Scope::parse_list("registry:read admin"),
            Err("admin".to_string())
        );
        assert_eq!(
            Scope::join(&[Scope::Profile, Scope::RegistryWrite]),
            "profile registry:write"
        );
        assert_eq!(
            Role::from_code("partner_administrator"),
            Some(Role::PartnerAdministrator)
        );
    }

    #[test]
    fn trace_readers_and_their_perimeter() {
        let caf = id(1);
        let partner = id(2);
        let cnaf_auditor = Principal::auditor(id(10), None);
        let caf_auditor = Principal::auditor(id(11), Some(caf));
        let padm = Principal::partner_administrator(id(12), caf, partner);
        assert_eq!(trace_perimeter(&cnaf_auditor), Ok(TracePerimeter::National));
        assert_eq!(trace_perimeter(&caf_auditor), Ok(TracePerimeter::Caf(caf)));
        assert_eq!(trace_perimeter(&padm), Ok(TracePerimeter::Partner(partner)));
        // Nobody else, whatever their other powers; and never through software.
        let refused = [
            Principal::cnaf_operator(id(13)),
            Principal::caf_administrator(id(14), caf),
            Principal::partner_user(id(15), caf, partner, None),
            Principal::partner_user(
                id(16),
                caf,
                partner,
                Some(Delegation {
                    functions: ManagementFunction::ALL.to_vec(),
                    profiles: vec![],
                }),
            ),
            padm.clone().through(id(17), Scope::ALL.to_vec()),
        ];
        for p in refused {
            assert_eq!(trace_perimeter(&p), Err(DomainError::Forbidden), "{p:?}");
        }
    }
}

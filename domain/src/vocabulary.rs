//! Closed vocabularies stored as codes: where an account or a software stands, what holds a
//! habilitation, what a trace records. Rows keep the code; everything that decides reads it back through these.

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
    /// The rank of a partner administrator named in the contract.
    AdministratorRank {
        /// Principal administrator (gestionnaire principal d'habilitations).
        Principal = "principal",
        /// Deputy (suppléant).
        Deputy = "deputy",
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

vocabulary! {
    /// What a trace records: the closed list of actions (`habilitation.granted`…).
    TraceAction {
        /// `account.activated`.
        AccountActivated = "account.activated",
        /// `account.bootstrapped`.
        AccountBootstrapped = "account.bootstrapped",
        /// `account.closed`.
        AccountClosed = "account.closed",
        /// `account.password_change_required`.
        AccountPasswordChangeRequired = "account.password_change_required",
        /// `account.password_changed`.
        AccountPasswordChanged = "account.password_changed",
        /// `account.password_reset`.
        AccountPasswordReset = "account.password_reset",
        /// `account.credentials_revoked`: its password reported lost or stolen no longer works.
        AccountCredentialsRevoked = "account.credentials_revoked",
        /// `account.password_reset_requested`.
        AccountPasswordResetRequested = "account.password_reset_requested",
        /// `account.password_expiry_reminded`: told that their password expires soon.
        AccountPasswordExpiryReminded = "account.password_expiry_reminded",
        /// `account.reinstated`.
        AccountReinstated = "account.reinstated",
        /// `account.second_factor_required`.
        AccountSecondFactorRequired = "account.second_factor_required",
        /// `account.sessions_ended`.
        AccountSessionsEnded = "account.sessions_ended",
        /// `account.suspended`.
        AccountSuspended = "account.suspended",
        /// `account.totp_enrolled`.
        AccountTotpEnrolled = "account.totp_enrolled",
        /// `account.totp_removed`.
        AccountTotpRemoved = "account.totp_removed",
        /// `amendment.recorded`.
        AmendmentRecorded = "amendment.recorded",
        /// `auditor.created`.
        AuditorCreated = "auditor.created",
        /// `auth.login`.
        AuthLogin = "auth.login",
        /// `auth.refresh`.
        AuthRefresh = "auth.refresh",
        /// `auth.session_revoked`.
        AuthSessionRevoked = "auth.session_revoked",
        /// `beneficiary_files.imported`.
        BeneficiaryFilesImported = "beneficiary_files.imported",
        /// `caf.created`.
        CafCreated = "caf.created",
        /// `caf.second_factor_requirement_changed`.
        CafSecondFactorRequirementChanged = "caf.second_factor_requirement_changed",
        /// `caf.updated`.
        CafUpdated = "caf.updated",
        /// `catalogue.profile_added`: the Cnaf added a profile to a service.
        CatalogueProfileAdded = "catalogue.profile_added",
        /// `catalogue.profile_changed`: the Cnaf changed a profile (who may hold it, its view…).
        CatalogueProfileChanged = "catalogue.profile_changed",
        /// `caf_administrator.created`.
        CafAdministratorCreated = "caf_administrator.created",
        /// `cdap.file_consulted`.
        CdapFileConsulted = "cdap.file_consulted",
        /// `client_application.approved`.
        ClientApplicationApproved = "client_application.approved",
        /// `client_application.registered`.
        ClientApplicationRegistered = "client_application.registered",
        /// `client_application.revoked`.
        ClientApplicationRevoked = "client_application.revoked",
        /// `client_application.submitted`.
        ClientApplicationSubmitted = "client_application.submitted",
        /// `contract.updated`.
        ContractUpdated = "contract.updated",
        /// `convention.created`.
        ConventionCreated = "convention.created",
        /// `convention.rgpd_completed`.
        ConventionRgpdCompleted = "convention.rgpd_completed",
        /// `convention.signed`.
        ConventionSigned = "convention.signed",
        /// `convention.termination_notified`.
        ConventionTerminationNotified = "convention.termination_notified",
        /// `convention.termination_withdrawn`.
        ConventionTerminationWithdrawn = "convention.termination_withdrawn",
        /// `convention.updated`.
        ConventionUpdated = "convention.updated",
        /// `delegation.given`.
        DelegationGiven = "delegation.given",
        /// `delegation.withdrawn`.
        DelegationWithdrawn = "delegation.withdrawn",
        /// `group.created`.
        GroupCreated = "group.created",
        /// `group.member_added`.
        GroupMemberAdded = "group.member_added",
        /// `group.member_removed`.
        GroupMemberRemoved = "group.member_removed",
        /// `habilitation.devalidated`.
        HabilitationDevalidated = "habilitation.devalidated",
        /// `partner.management_taken_over`: the Caf took management back (S-art. 2.2.1).
        PartnerManagementTakenOver = "partner.management_taken_over",
        /// `partner.management_handed_back`: the Caf gave it back to the partner.
        PartnerManagementHandedBack = "partner.management_handed_back",
        /// `habilitation.end_reminded`: the holder and their manager were told it ends soon.
        HabilitationEndReminded = "habilitation.end_reminded",
        /// `habilitation.expired`.
        HabilitationExpired = "habilitation.expired",
        /// `habilitation.end_set`: given a last day (a removal taking effect later).
        HabilitationEndSet = "habilitation.end_set",
        /// `habilitation.convention_ended`: devalidated when its convention's termination took
        /// effect (its six-year retention starts then, S-art. 5.3.2).
        HabilitationConventionEnded = "habilitation.convention_ended",
        /// `habilitation.granted`.
        HabilitationGranted = "habilitation.granted",
        /// `habilitation.question_answered`.
        HabilitationQuestionAnswered = "habilitation.question_answered",
        /// `habilitation.question_asked`.
        HabilitationQuestionAsked = "habilitation.question_asked",
        /// `habilitation.reinstated`.
        HabilitationReinstated = "habilitation.reinstated",
        /// `habilitation.suspended`.
        HabilitationSuspended = "habilitation.suspended",
        /// `oauth.consent_given`.
        OauthConsentGiven = "oauth.consent_given",
        /// `operation.refused`.
        OperationRefused = "operation.refused",
        /// `document.attached`: a document was attached to a convention.
        DocumentAttached = "document.attached",
        /// `meeting.held`: a meeting on the convention was recorded as held.
        MeetingHeld = "meeting.held",
        /// `meeting.minutes_validated`: a party validated the minutes.
        MeetingMinutesValidated = "meeting.minutes_validated",
        /// `meeting.minutes_written`: the drafting party wrote the minutes.
        MeetingMinutesWritten = "meeting.minutes_written",
        /// `meeting.planned`: a meeting on the convention was planned or asked for (C-art. 16).
        MeetingPlanned = "meeting.planned",
        /// `partner.created`.
        PartnerCreated = "partner.created",
        /// `partner.updated`.
        PartnerUpdated = "partner.updated",
        /// `account.closure_scheduled`: a removal approved ahead of its date closes the account
        /// that day.
        AccountClosureScheduled = "account.closure_scheduled",
        /// `partner.staff_exported`: the partner's users, as a file (CSV).
        PartnerStaffExported = "partner.staff_exported",
        /// `partner.habilitations_exported`: the partner's habilitations, as a file (CSV).
        PartnerHabilitationsExported = "partner.habilitations_exported",
        /// `partner_administrator.named`.
        PartnerAdministratorNamed = "partner_administrator.named",
        /// `partner_user.created`.
        PartnerUserCreated = "partner_user.created",
        /// `provider_notice.filed`: a partner told the Caf of the service providers it means to
        /// use (C-art. 14).
        ProviderNoticeFiled = "provider_notice.filed",
        /// `provider_notice.observed`: the Caf made an observation on a notice of providers.
        ProviderNoticeObserved = "provider_notice.observed",
        /// `provider_notice.received`: the Caf recorded the day it received a notice.
        ProviderNoticeReceived = "provider_notice.received",
        /// `request.approved`.
        RequestApproved = "request.approved",
        /// `request.changes_requested`.
        RequestChangesRequested = "request.changes_requested",
        /// `request.edited`.
        RequestEdited = "request.edited",
        /// `request.filed`.
        RequestFiled = "request.filed",
        /// `request.refused`.
        RequestRefused = "request.refused",
        /// `request.submitted`.
        RequestSubmitted = "request.submitted",
        /// `request.withdrawn`.
        RequestWithdrawn = "request.withdrawn",
        /// `message.retried`: a message set aside after its last attempt, queued again.
        MessageRetried = "message.retried",
        /// `retention.purged`.
        RetentionPurged = "retention.purged",
        /// `review_campaign.completed`.
        ReviewCampaignCompleted = "review_campaign.completed",
        /// `review_campaign.opened`.
        ReviewCampaignOpened = "review_campaign.opened",
        /// `review_campaign.overdue_notified`.
        ReviewCampaignOverdueNotified = "review_campaign.overdue_notified",
        /// `review_item.confirmed`.
        ReviewItemConfirmed = "review_item.confirmed",
        /// `review_item.removed`.
        ReviewItemRemoved = "review_item.removed",
        /// `security_incident.accesses_suspended`: the Caf suspended accesses as a precaution
        /// from an incident.
        SecurityIncidentAccessesSuspended = "security_incident.accesses_suspended",
        /// `security_incident.closed`: the Caf closed an incident.
        SecurityIncidentClosed = "security_incident.closed",
        /// `security_incident.measure_recorded`: a side recorded a measure taken.
        SecurityIncidentMeasureRecorded = "security_incident.measure_recorded",
        /// `security_incident.reported`: a partner reported a security incident (C-art. 9.2).
        SecurityIncidentReported = "security_incident.reported",
        /// `service_centre_agent.created`: a Caf's administrator registered a service-centre
        /// agent.
        ServiceCentreAgentCreated = "service_centre_agent.created",
        /// `support_request.escalated`: the escalation procedure opened (S-art. 3.3).
        SupportRequestEscalated = "support_request.escalated",
        /// `support_request.filed`: a partner's support structure filed a request with the
        /// Caf service centre (S-art. 3).
        SupportRequestFiled = "support_request.filed",
        /// `support_request.step`: a message or an agent's step on a request.
        SupportRequestStep = "support_request.step",
        /// `role_bundle.created`.
        RoleBundleCreated = "role_bundle.created",
        /// `stop.cancelled`: a planned stop announced was cancelled.
        StopCancelled = "stop.cancelled",
        /// `stop.declared`: the Cnaf or a Caf declared a planned stop.
        StopDeclared = "stop.declared",
        /// `subscription.created`.
        SubscriptionCreated = "subscription.created",
        /// `subscription.quotas_changed`.
        SubscriptionQuotasChanged = "subscription.quotas_changed",
        /// `traces.chain_verified`.
        TracesChainVerified = "traces.chain_verified",
        /// `traces.checkpointed`: every chain's end, signed.
        TracesCheckpointed = "traces.checkpointed",
        /// `traces.exported`.
        TracesExported = "traces.exported",
        /// `traces.read`.
        TracesRead = "traces.read",
        /// `traces.subject_access_produced`.
        TracesSubjectAccessProduced = "traces.subject_access_produced",
    }
}

vocabulary! {
    /// How partner software asks for tokens (RFC 6749 §4.1.3, §6, §4.3): never on its own
    /// behalf, always for a person.
    GrantType {
        /// A single-use code the person's consent gave (with its PKCE verifier).
        AuthorizationCode = "authorization_code",
        /// A refresh token of a session the software holds.
        RefreshToken = "refresh_token",
        /// The person's own credentials, where the Caf allowed it for this software.
        Password = "password",
    }
}

vocabulary! {
    /// Why an OAuth request was refused (RFC 6749 §4.1.2.1, §5.2): the `error` the software reads.
    OAuthError {
        /// A parameter is missing, repeated or malformed.
        InvalidRequest = "invalid_request",
        /// The software is unknown, not approved or revoked.
        InvalidClient = "invalid_client",
        /// The code, refresh token or credentials do not hold.
        InvalidGrant = "invalid_grant",
        /// This software may not use this grant.
        UnauthorizedClient = "unauthorized_client",
        /// The grant is not one the service offers.
        UnsupportedGrantType = "unsupported_grant_type",
        /// The response type is not `code`.
        UnsupportedResponseType = "unsupported_response_type",
        /// A scope asked for is not registered for the software.
        InvalidScope = "invalid_scope",
    }
}

impl OAuthError {
    /// The HTTP status of a token endpoint's refusal: 401 for the client, 400 otherwise.
    pub fn status(self) -> u16 {
        match self {
            Self::InvalidClient => 401,
            _ => 400,
        }
    }
}

vocabulary! {
    /// What kind of object a trace is about.
    TargetType {
        /// A person's account.
        Account = "account",
        /// A beneficiary's file, named by its number (never an id of ours).
        BeneficiaryFile = "beneficiary_file",
        /// A Caf.
        Caf = "caf",
        /// A partner software.
        ClientApplication = "client_application",
        /// A convention.
        Convention = "convention",
        /// A delegation of habilitation management.
        Delegation = "delegation",
        /// A document attached to a convention.
        Document = "document",
        /// A group of the partner's staff.
        Group = "group",
        /// A habilitation.
        Habilitation = "habilitation",
        /// A question of the Caf on a habilitation request.
        HabilitationQuestion = "habilitation_question",
        /// A meeting on a convention.
        Meeting = "meeting",
        /// A message to a person, in the outbox.
        Message = "message",
        /// A partner.
        Partner = "partner",
        /// A partner's notice of its service providers.
        ProviderNotice = "provider_notice",
        /// A profile of the catalogue.
        Profile = "profile",
        /// A request to the Caf (annex 3).
        Request = "request",
        /// A review campaign (the yearly reverse review).
        ReviewCampaign = "review_campaign",
        /// One line of a review campaign.
        ReviewItem = "review_item",
        /// A role bundle.
        RoleBundle = "role_bundle",
        /// A service of the catalogue.
        Service = "service",
        /// A security incident a partner reported.
        SecurityIncident = "security_incident",
        /// A session.
        Session = "session",
        /// A request to the Caf service centre.
        SupportRequest = "support_request",
        /// A planned stop of the service.
        Stop = "stop",
        /// A subscription.
        Subscription = "subscription",
        /// The traces themselves (readings, exports).
        Traces = "traces",
        /// An operation that named no object (a refusal of a list, a creation…).
        Operation = "operation",
    }
}

impl TargetType {
    /// The kind of object a route parameter names (`partner_id`, `campaign_id`…), for the
    /// trace of a refused request.
    pub fn of_route_parameter(name: &str) -> Option<Self> {
        Some(match name {
            "account_id" => Self::Account,
            "caf_id" => Self::Caf,
            "client_id" => Self::ClientApplication,
            "convention_id" => Self::Convention,
            "delegation_id" => Self::Delegation,
            "document_id" => Self::Document,
            "group_id" => Self::Group,
            "habilitation_id" => Self::Habilitation,
            "question_id" => Self::HabilitationQuestion,
            "message_id" => Self::Message,
            "meeting_id" => Self::Meeting,
            "partner_id" => Self::Partner,
            "profile_id" => Self::Profile,
            "notice_id" => Self::ProviderNotice,
            "request_id" => Self::Request,
            "campaign_id" => Self::ReviewCampaign,
            "item_id" => Self::ReviewItem,
            "role_bundle_id" => Self::RoleBundle,
            "service_id" => Self::Service,
            "session_id" => Self::Session,
            "incident_id" => Self::SecurityIncident,
            "stop_id" => Self::Stop,
            "subscription_id" => Self::Subscription,
            "support_request_id" => Self::SupportRequest,
            _ => return None,
        })
    }
}

vocabulary! {
    /// Why a session ended before its time.
    SessionEnd {
        /// Its owner logged out.
        Logout = "logout",
        /// Its owner logged out everywhere.
        LogoutEverywhere = "logout_everywhere",
        /// Its owner ended it from their list of sessions.
        EndedByOwner = "ended_by_owner",
        /// Whoever supervises the account ended it.
        EndedBySupervisor = "ended_by_supervisor",
        /// A used refresh token came back: someone kept a copy.
        RefreshTokenReuse = "refresh_token_reuse",
        /// Its owner changed their password.
        PasswordChanged = "password_changed",
        /// Its owner reset a forgotten password.
        PasswordReset = "password_reset",
        /// The account was suspended.
        AccountSuspended = "account_suspended",
        /// The account was closed.
        AccountClosed = "account_closed",
        /// A removal request reported the credentials lost or stolen.
        CredentialsLostOrStolen = "credentials_lost_or_stolen",
        /// The software it belonged to was revoked.
        ClientRevoked = "client_revoked",
        /// The authorization code it was opened with was presented again: intercepted.
        CodeReuse = "code_reuse",
        /// The software it belonged to revoked one of its tokens (RFC 7009).
        RevokedBySoftware = "revoked_by_software",
    }
}

impl AccountStatus {
    /// What a French reader calls it (files and pages).
    pub fn in_french(self) -> &'static str {
        match self {
            Self::PendingActivation => "En attente d'activation",
            Self::Active => "Actif",
            Self::Suspended => "Suspendu",
            Self::Disabled => "Fermé",
        }
    }
}

impl AdministratorRank {
    /// What a French reader calls a partner administrator of this rank.
    pub fn in_french(self) -> &'static str {
        match self {
            Self::Principal => "Administrateur principal",
            Self::Deputy => "Administrateur suppléant",
        }
    }
}

impl HolderKind {
    /// What a French reader calls it (files and pages).
    pub fn in_french(self) -> &'static str {
        match self {
            Self::Account => "Personne",
            Self::Group => "Groupe",
        }
    }
}

impl SessionEnd {
    /// Whether the end is a refusal (a stolen copy caught) rather than an ordinary end.
    pub fn is_refusal(self) -> bool {
        matches!(self, Self::RefreshTokenReuse | Self::CodeReuse)
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
        for a in TraceAction::ALL {
            assert_eq!(TraceAction::from_code(a.code()), Some(*a));
            assert!(a.code().contains('.'), "{a:?}");
        }
        for g in GrantType::ALL {
            assert_eq!(GrantType::from_code(g.code()), Some(*g));
        }
        for e in OAuthError::ALL {
            assert_eq!(OAuthError::from_code(e.code()), Some(*e));
        }
        assert_eq!(GrantType::from_code("client_credentials"), None);
        for e in SessionEnd::ALL {
            assert_eq!(SessionEnd::from_code(e.code()), Some(*e));
            assert_eq!(
                e.is_refusal(),
                matches!(e, SessionEnd::RefreshTokenReuse | SessionEnd::CodeReuse)
            );
        }
        for t in TargetType::ALL {
            assert_eq!(TargetType::from_code(t.code()), Some(*t));
        }
        assert_eq!(
            TargetType::of_route_parameter("campaign_id"),
            Some(TargetType::ReviewCampaign)
        );
        assert_eq!(TargetType::of_route_parameter("numero"), None);
        assert_eq!(OAuthError::InvalidClient.status(), 401);
        assert_eq!(OAuthError::InvalidGrant.status(), 400);
    }
}

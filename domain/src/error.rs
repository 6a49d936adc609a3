//! The one error type of the domain: each variant carries a stable machine code.

use crate::message::Message;
use std::fmt;

/// One invalid field of an input, named as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's path as the client names it (`siret`, `profiles[2].max_users`).
    pub field: String,
    /// A stable machine code (`invalid_siret`, `too_long`, …).
    pub code: &'static str,
    /// A sentence for a person, in French and in English.
    pub message: Message,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<Message>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}

/// Declares the closed list of error codes with, for each, its HTTP status, its title in English
/// and in French, and what a client should do.
macro_rules! error_codes {
    ($($variant:ident = $code:literal, $status:literal, $en:literal, $fr:literal, $todo:literal;)*) => {
        /// Every refusal the service gives, by its stable machine code (`quota_exceeded`…).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $(
                #[doc = $en]
                $variant,
            )*
        }

        impl ErrorCode {
            /// Every code, in the catalogue's order.
            pub const ALL: &'static [ErrorCode] = &[$(Self::$variant),*];

            /// The stable machine code a client reads.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// The HTTP status that carries it.
            pub fn status(self) -> u16 {
                match self { $(Self::$variant => $status,)* }
            }

            /// Its title, in English.
            pub fn title_en(self) -> &'static str {
                match self { $(Self::$variant => $en,)* }
            }

            /// Its title, in French.
            pub fn title_fr(self) -> &'static str {
                match self { $(Self::$variant => $fr,)* }
            }

            /// What a client should do when given it.
            pub fn what_to_do(self) -> &'static str {
                match self { $(Self::$variant => $todo,)* }
            }

            /// The code named by its machine string.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

error_codes! {
    ValidationFailed = "validation_failed", 422, "Some fields of the request are invalid (see `errors`)", "Certains champs de la demande sont invalides (voir `errors`)", "Correct the fields listed and send again.";
    Forbidden = "forbidden", 403, "Your role does not include this function", "Votre rôle ne comprend pas cette fonction", "Ask whoever manages your rights; do not retry.";
    NotFound = "not_found", 404, "No such object within your reach", "Aucun objet de ce nom dans votre périmètre", "Check the identifier; an object outside your perimeter answers the same.";
    AccountStatusConflict = "account_status_conflict", 409, "The account is already in that state", "Le compte est déjà dans cet état", "Read the account again; nothing to do.";
    ActivationRefused = "activation_refused", 422, "This identifier and activation code do not match", "Cet identifiant et ce code d'activation ne correspondent pas", "Check the code of the message received, or ask for a new one.";
    AdministratorAlreadyNamed = "administrator_already_named", 409, "This partner already has an administrator of that rank", "Ce partenaire a déjà un administrateur de ce rang", "Replace the administrator through a change request instead.";
    AdministratorUntouchable = "administrator_untouchable", 403, "A partner's administrators are managed by the Caf only", "Les administrateurs d'un partenaire relèvent de la seule Caf", "Ask the Caf's administrator (S-art. 2.2.2).";
    AlreadyBootstrapped = "already_bootstrapped", 409, "The first national operator already exists", "Le premier opérateur national existe déjà", "Sign in with that account.";
    AdministratorRightsByCaf = "administrator_rights_by_caf", 403, "The Caf manages the administrators' habilitations", "La Caf gère les habilitations des administrateurs", "Ask your Caf's administrator (S-art. 2.2.2).";
    DelegatedToPartner = "delegated_to_partner", 403, "In mode délégué the partner manages its staff's habilitations", "En mode délégué, le partenaire gère les habilitations de ses agents", "Supervise (suspend, ask why), or take management back (S-art. 2.2.1).";
    AlreadyHabilitated = "already_habilitated", 409, "This holder already holds this profile for this mission", "Ce titulaire détient déjà ce profil pour cette mission", "Nothing to do, or devalidate the existing habilitation first.";
    AlreadyMember = "already_member", 409, "This person is already a member of the group", "Cette personne est déjà membre du groupe", "Nothing to do.";
    AlreadySigned = "already_signed", 409, "This document is already signed", "Ce document est déjà signé", "Changes now take an amendment.";
    AlreadySubscribed = "already_subscribed", 409, "The convention already subscribes this service", "La convention souscrit déjà ce service", "Change the existing subscription's quotas instead.";
    AmendmentRequired = "amendment_required", 422, "Once signed, this change takes an amendment signed by both parties", "Une fois signée, cette modification passe par un avenant signé des deux parties", "Send the change with its amendment's signature dates.";
    ProfileCodeTaken = "profile_code_taken", 409, "The service already has a profile with this code", "Le service a déjà un profil portant ce code", "Change that profile, or give the new one another code.";
    CafAlreadyRegistered = "caf_already_registered", 409, "A Caf with this code is already registered", "Une Caf portant ce code est déjà enregistrée", "Use the existing Caf.";
    CategoryConflictsWithSubscriptions = "category_conflicts_with_subscriptions", 409, "The new category is not eligible to profiles the partner subscribes to", "La nouvelle catégorie n'est pas éligible à des profils souscrits par le partenaire", "Change the subscriptions first.";
    CentralisedMode = "centralised_mode", 409, "The contract is in mode centralisé: the Caf decides", "Le contrat est en mode centralisé : la Caf décide", "File a request to the Caf instead.";
    ClientNotPending = "client_not_pending", 409, "This software is not awaiting approval", "Ce logiciel n'est pas en attente d'approbation", "Read its status again.";
    ClientRevoked = "client_revoked", 409, "This software was revoked", "Ce logiciel a été révoqué", "Register it again if it is to be used.";
    ConcurrentAmendment = "concurrent_amendment", 409, "Another amendment of this convention was recorded meanwhile", "Un autre avenant de cette convention a été enregistré entre-temps", "Read the convention again and send the change anew.";
    ConventionAlreadySigned = "convention_already_signed", 409, "The convention is already signed", "La convention est déjà signée", "Nothing to do.";
    ConventionNotActive = "convention_not_active", 422, "The convention does not open access today", "La convention n'ouvre pas l'accès aujourd'hui", "Wait for signature and the RGPD formalities, or check its termination.";
    ConventionNotSigned = "convention_not_signed", 409, "The convention is not signed yet", "La convention n'est pas encore signée", "Record both signatures first.";
    ConventionNumberTaken = "convention_number_taken", 409, "A convention of this Caf already bears this number", "Une convention de cette Caf porte déjà ce numéro", "Check the number printed on the convention.";
    ConventionTerminated = "convention_terminated", 409, "The convention is terminated", "La convention est résiliée", "Nothing can change it any more.";
    DelegatedMode = "delegated_mode", 409, "The contract is in mode délégué: the partner manages its habilitations", "Le contrat est en mode délégué : le partenaire gère ses habilitations", "Grant the habilitation directly instead of filing a request.";
    DelegationInForce = "delegation_in_force", 409, "This person already has a delegation in force", "Cette personne a déjà une délégation en vigueur", "Withdraw it before giving another.";
    DelegationWithdrawn = "delegation_withdrawn", 409, "This delegation was already withdrawn", "Cette délégation a déjà été retirée", "Nothing to do.";
    GroupNameTaken = "group_name_taken", 409, "This partner already has a group of that name", "Ce partenaire a déjà un groupe de ce nom", "Choose another name.";
    HabilitationStatusConflict = "habilitation_status_conflict", 409, "The habilitation's state forbids this change", "L'état de l'habilitation interdit ce changement", "Read the habilitation again.";
    IdentitySearchNotAllowed = "identity_search_not_allowed", 403, "Your profile does not search files by identity", "Votre profil ne permet pas la recherche par identité", "Consult by numéro allocataire.";
    SupportRequestClosed = "support_request_closed", 409, "This request to the service centre is closed", "Cette demande au centre de services est close", "File a new request if the problem comes back.";
    SupportRequestStatusConflict = "support_request_status_conflict", 409, "The request's state forbids this step", "L'état de la demande au centre de services interdit cette étape", "Read the request again.";
    IncidentClosed = "incident_closed", 409, "The Caf closed this security incident", "La Caf a clos cet incident de sécurité", "Report a new incident if it starts again.";
    InvalidGrant = "invalid_grant", 422, "The authorization code or its verifier is not valid", "Le code d'autorisation ou son vérificateur n'est pas valide", "Start the sign-in again.";
    NotYourMinutes = "not_your_minutes", 403, "The other party drafts these minutes", "L'autre partie rédige ce compte rendu", "Each party drafts in turn: validate theirs.";
    NoticeAlreadyReceived = "notice_already_received", 409, "The Caf already recorded the day it received this notice", "La Caf a déjà enregistré la date de réception de cette déclaration", "Nothing to do; read the notice for its earliest start.";
    NoPendingEnrolment = "no_pending_enrolment", 409, "No second factor is being enrolled", "Aucun second facteur n'est en cours d'enrôlement", "Start the enrolment first.";
    NoTerminationPending = "no_termination_pending", 409, "No termination is pending", "Aucune résiliation n'est en cours", "Nothing to withdraw.";
    NotHabilitated = "not_habilitated", 403, "You hold no habilitation for this", "Vous ne détenez aucune habilitation pour cela", "Ask your partner's administrator.";
    OwnAccount = "own_account", 422, "You cannot do this to your own account", "Vous ne pouvez pas faire cela à votre propre compte", "Ask another administrator.";
    PartnerAlreadyRegistered = "partner_already_registered", 409, "This Caf already registered a partner with this SIRET", "Cette Caf a déjà enregistré un partenaire de ce SIRET", "Use the existing partner.";
    MeetingNotHeld = "meeting_not_held", 409, "The meeting is not recorded as held yet", "La réunion n'est pas encore enregistrée comme tenue", "Record that it was held first.";
    MeetingStepDone = "meeting_step_done", 409, "This step of the meeting is already recorded", "Cette étape de la réunion est déjà enregistrée", "Read the meeting again.";
    MinutesNotWritten = "minutes_not_written", 409, "The minutes are not written yet", "Le compte rendu n'est pas encore rédigé", "Wait for the drafting party.";
    ManagementAlreadyTakenOver = "management_already_taken_over", 409, "The Caf already manages this partner's habilitations", "La Caf gère déjà les habilitations de ce partenaire", "Give management back first, or nothing to do.";
    ManagementNotTakenOver = "management_not_taken_over", 409, "The Caf has not taken this partner's management back", "La Caf n'a pas repris la gestion de ce partenaire", "Nothing to give back.";
    PasswordChangeRequired = "password_change_required", 403, "Change your password before anything else", "Changez votre mot de passe avant toute autre chose", "POST /api/v1/me/password.";
    PrincipalAdministratorOnly = "principal_administrator_only", 403, "Only the partner's principal administrator does this", "Seul l'administrateur principal du partenaire fait cela", "Ask the principal administrator.";
    ProfileNotDelegated = "profile_not_delegated", 403, "This profile was not delegated to you", "Ce profil ne vous a pas été délégué", "Ask your administrator for the delegation.";
    ProfileNotEligible = "profile_not_eligible", 422, "This profile is not open to the partner's category", "Ce profil n'est pas ouvert à la catégorie du partenaire", "Choose a profile of the partner's category.";
    ProfileNotSubscribed = "profile_not_subscribed", 422, "The partner does not subscribe to this profile", "Le partenaire n'a pas souscrit ce profil", "Subscribe it by amendment first.";
    QuestionAnswered = "question_answered", 409, "This question was already answered", "Cette question a déjà reçu une réponse", "Nothing to do.";
    PersonAlreadyHasAccount = "person_already_has_account", 409, "This person already has an account with this partner", "Cette personne a déjà un compte chez ce partenaire", "One person, one account: habilitate the existing account, or close it first.";
    QuotaExceeded = "quota_exceeded", 409, "The quota of this profile is reached", "Le quota de ce profil est atteint", "Free a seat, or ask the Caf for a higher quota.";
    RefreshRefused = "refresh_refused", 422, "This refresh token is not valid any more", "Ce jeton de renouvellement n'est plus valide", "Sign in again.";
    RequestStatusConflict = "request_status_conflict", 409, "The request's state forbids this step", "L'état de la demande interdit cette étape", "Read the request again.";
    ResetRefused = "reset_refused", 422, "This identifier and reset code do not match", "Cet identifiant et ce code de réinitialisation ne correspondent pas", "Ask for a new code.";
    ReviewCampaignCompleted = "review_campaign_completed", 409, "The review campaign is completed", "La campagne de revue est terminée", "Nothing can change it any more.";
    ReviewCampaignOpen = "review_campaign_open", 409, "The review campaign is still open", "La campagne de revue est encore ouverte", "Complete it first.";
    ReviewIncomplete = "review_incomplete", 409, "Some habilitations of the campaign are not decided yet", "Des habilitations de la campagne ne sont pas encore tranchées", "Decide every item first.";
    ReviewItemConfirmed = "review_item_confirmed", 409, "This item is already confirmed", "Cet élément est déjà confirmé", "Nothing to do.";
    ReviewItemEnded = "review_item_ended", 409, "This habilitation ended otherwise", "Cette habilitation a pris fin autrement", "Nothing to decide.";
    ReviewItemRemoved = "review_item_removed", 409, "This item is already removed", "Cet élément est déjà retiré", "Nothing to do.";
    RgpdAlreadyCompleted = "rgpd_already_completed", 409, "The RGPD formalities are already recorded", "Les formalités RGPD sont déjà enregistrées", "Nothing to do.";
    RoleBundleNameTaken = "role_bundle_name_taken", 409, "This partner already has a role bundle of that name", "Ce partenaire a déjà un ensemble de rôles de ce nom", "Choose another name.";
    SecondFactorRequired = "second_factor_required", 403, "Enrol a second factor before anything else", "Enrôlez un second facteur avant toute autre chose", "POST /api/v1/me/totp.";
    SelfGrant = "self_grant", 403, "Nobody habilitates themselves", "Nul ne s'habilite soi-même", "Another administrator must do it (four eyes).";
    StopOver = "stop_over", 409, "The stop has ended or was cancelled already", "L'arrêt est terminé ou déjà annulé", "Nothing to cancel; declare a new stop if needed.";
    SuspendedByCaf = "suspended_by_caf", 409, "The Caf suspended this habilitation: only the Caf lifts it", "La Caf a suspendu cette habilitation : elle seule la rétablit", "Answer the Caf's question.";
    TerminationAlreadyNotified = "termination_already_notified", 409, "A termination is already notified", "Une résiliation est déjà notifiée", "Withdraw it first to notify another.";
    TotpAlreadyEnrolled = "totp_already_enrolled", 409, "A second factor is already in use", "Un second facteur est déjà utilisé", "Remove it first to enrol another.";
}

impl ErrorCode {
    /// The catalogue of codes as a Markdown table, as checked in at `docs/ERRORS.md`.
    pub fn catalogue() -> String {
        let mut out = String::from(
            "# Error codes\n\n\
             Every refusal of the service is an RFC 9457 `application/problem+json` document whose \
             `code` is one of these (generated from `mcp_domain::error::ErrorCode`; the codes of \
             the HTTP layer — malformed bodies, bad tokens, throttling — follow).\n\n\
             | code | status | meaning | en français | what to do |\n|---|---|---|---|---|\n",
        );
        for c in Self::ALL {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                c.as_str(),
                c.status(),
                c.title_en(),
                c.title_fr(),
                c.what_to_do()
            ));
        }
        out
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the domain refused a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// The input is well-formed JSON but some fields are invalid (422 `validation_failed`).
    Validation(Vec<FieldError>),
    /// A business rule forbids the change (422).
    Rule {
        /// Stable machine code.
        code: ErrorCode,
        /// Explanation for a person, in French and in English.
        message: Message,
    },
    /// The object's current state forbids the change (409).
    Conflict {
        /// Stable machine code.
        code: ErrorCode,
        /// Explanation for a person, in French and in English.
        message: Message,
    },
    /// The caller's role does not include this function (403).
    Forbidden,
    /// The caller may not use this function until they do something first (403 with a code,
    /// such as `password_change_required`).
    Blocked {
        /// Stable machine code.
        code: ErrorCode,
        /// What to do, for a person, in French and in English.
        message: Message,
    },
    /// The object does not exist or is outside the caller's reach (404).
    NotFound,
}

impl DomainError {
    /// A business-rule refusal.
    pub fn rule(code: ErrorCode, message: impl Into<Message>) -> Self {
        Self::Rule {
            code,
            message: message.into(),
        }
    }

    /// A state conflict.
    pub fn conflict(code: ErrorCode, message: impl Into<Message>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    /// The code of this refusal.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::Validation(_) => ErrorCode::ValidationFailed,
            Self::Rule { code, .. } | Self::Conflict { code, .. } | Self::Blocked { code, .. } => {
                *code
            }
            Self::Forbidden => ErrorCode::Forbidden,
            Self::NotFound => ErrorCode::NotFound,
        }
    }

    /// The stable machine code a client reads (`quota_exceeded`, `forbidden`…).
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// The HTTP status that carries this refusal: its code's.
    pub fn status(&self) -> u16 {
        self.error_code().status()
    }

    /// Whether this is a decision of the rules about what the caller asked (who may do what,
    /// on which object, in which state), as opposed to a badly filled input: those decisions
    /// are traced.
    pub fn is_decision(&self) -> bool {
        !matches!(self, Self::Validation(_))
    }

    /// The sentence for a person: the refusal's own, or its fields' joined ("siret: …; name: …").
    pub fn message(&self) -> Message {
        match self {
            Self::Validation(errors) => {
                // French puts a space before « : » and « ; », English does not.
                let join = |text: fn(&Message) -> &str, colon: &str, semicolon: &str| {
                    errors
                        .iter()
                        .map(|e| match e.field.as_str() {
                            "" => text(&e.message).to_string(),
                            f => format!("{f}{colon}{}", text(&e.message)),
                        })
                        .collect::<Vec<_>>()
                        .join(semicolon)
                };
                Message::new(
                    join(Message::fr, " : ", " ; "),
                    join(Message::en, ": ", "; "),
                )
            }
            Self::Rule { message, .. }
            | Self::Conflict { message, .. }
            | Self::Blocked { message, .. } => message.clone(),
            Self::Forbidden => crate::msg!(
                "votre rôle ne comprend pas cette fonction",
                "your role does not include this function"
            ),
            Self::NotFound => crate::msg!(
                "aucun objet de ce nom dans votre périmètre",
                "no such object within your reach"
            ),
        }
    }

    /// A validation failure on one field.
    pub fn field(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<Message>,
    ) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    /// The same refusal, its validation failures named as fields of `prefix` (`add.profile_id`
    /// for `profile_id` checked inside the object `add`).
    pub fn within(self, prefix: &str) -> Self {
        match self {
            Self::Validation(errors) => Self::Validation(
                errors
                    .into_iter()
                    .map(|e| FieldError {
                        field: format!("{prefix}.{}", e.field),
                        ..e
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    /// The same refusal, its validation failures named after `field` (a value checked under
    /// one name, received under another: the new password of a change…).
    pub fn for_field(self, field: &str) -> Self {
        match self {
            Self::Validation(errors) => Self::Validation(
                errors
                    .into_iter()
                    .map(|e| FieldError {
                        field: field.into(),
                        ..e
                    })
                    .collect(),
            ),
            other => other,
        }
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Validation(errors) => {
                write!(f, "invalid input:")?;
                for e in errors {
                    write!(f, " {}: {};", e.field, e.message)?;
                }
                Ok(())
            }
            Self::Rule { message, .. }
            | Self::Conflict { message, .. }
            | Self::Blocked { message, .. } => f.write_str(message.en()),
            Self::Forbidden => f.write_str("function not allowed for this role"),
            Self::NotFound => f.write_str("not found"),
        }
    }
}

impl std::error::Error for DomainError {}

/// The (field, code) pairs a validation failure names, for the domain's tests; panics on any
/// other answer.
#[cfg(test)]
pub(crate) fn field_codes<T: fmt::Debug>(r: Result<T, DomainError>) -> Vec<(String, &'static str)> {
    match r {
        Err(DomainError::Validation(e)) => e.iter().map(|e| (e.field.clone(), e.code)).collect(),
        other => panic!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_carried_by_a_refusal_status() {
        let mut seen = std::collections::BTreeSet::new();
        for c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s}"
            );
            assert_eq!(ErrorCode::from_code(s), Some(*c));
            assert!(
                [403, 404, 409, 422].contains(&c.status()),
                "{s}: {}",
                c.status()
            );
            assert!(
                !c.title_en().is_empty() && !c.title_fr().is_empty() && !c.what_to_do().is_empty()
            );
        }
        assert_eq!(ErrorCode::from_code("no_such_code"), None);
    }

    #[test]
    fn each_refusal_has_its_code_and_status() {
        let cases = [
            (
                DomainError::field("siret", "invalid_siret", crate::msg!("x", "x")),
                "validation_failed",
                422,
                false,
            ),
            (
                DomainError::rule(ErrorCode::ProfileNotSubscribed, crate::msg!("x", "x")),
                "profile_not_subscribed",
                422,
                true,
            ),
            (
                DomainError::conflict(ErrorCode::AlreadySigned, crate::msg!("x", "x")),
                "already_signed",
                409,
                true,
            ),
            (DomainError::Forbidden, "forbidden", 403, true),
            (
                DomainError::Blocked {
                    code: ErrorCode::PasswordChangeRequired,
                    message: crate::msg!("x", "x"),
                },
                "password_change_required",
                403,
                true,
            ),
            (DomainError::NotFound, "not_found", 404, true),
        ];
        for (e, code, status, decision) in cases {
            assert_eq!(
                (e.code(), e.status(), e.is_decision()),
                (code, status, decision),
                "{e:?}"
            );
        }
    }
}

/// Collects field errors while checking an input, then turns them into one result.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a field error.
    pub fn push(
        &mut self,
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<Message>,
    ) {
        self.0.push(FieldError::new(field, code, message));
    }

    /// Keeps the value of a check, or records its errors and gives `None`.
    pub fn take<T>(&mut self, result: Result<T, DomainError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(DomainError::Validation(errors)) => {
                self.0.extend(errors);
                None
            }
            Err(other) => {
                self.0.push(FieldError::new("", "invalid", other.message()));
                None
            }
        }
    }

    /// Ok when nothing was recorded.
    pub fn finish(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(self.0))
        }
    }
}

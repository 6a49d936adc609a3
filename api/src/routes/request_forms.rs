//! The annex-3 forms a request carries, as a client sends them: habilitate a new person,
//! remove access, change a person's rights, change an administrator.

use chrono::NaiveDate;
use mcp_persistence::use_cases::requests::{Form, FormSignatory};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::partners::AdministratorRank;

/// A request's form: `kind` says which annex-3 form it is.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RequestForm {
    /// Habilitate a new person: an account (the person receives their credentials) and a
    /// habilitation.
    /// Field for field the individual request form: "Prénom" and "NOM", function, a landline
    /// and/or a mobile (at least one), the personal e-mail, whether the mission is temporary
    /// and until when, and who signs for the partner. The convention's number is filled in
    /// from the mission.
    #[schema(example = json!({"kind": "habilitate", "first_name": "Julie", "last_name": "Martin", "function_title": "Conseillère ESF", "email": "julie.martin@ccas-lieusaint.fr", "landline": "01 64 13 55 01", "mobile": null, "profile_id": "4f8fdc96-33f6-52c8-96f9-dbecb9dd46fd", "mission_id": "01a20810-0000-7000-8000-000000000001", "ends_on": null, "signatory": {"full_name": "Michel DURAND", "function_title": "Maire"}}))]
    Habilitate {
        /// Prénom.
        #[schema(min_length = 1, max_length = 100, example = "Julie")]
        first_name: String,
        /// NOM.
        #[schema(min_length = 1, max_length = 100, example = "Martin")]
        last_name: String,
        /// Function.
        #[schema(min_length = 1, max_length = 200, example = "Conseillère ESF")]
        function_title: String,
        /// Personal, individual e-mail: where the person's credentials go.
        #[schema(
            format = "email",
            max_length = 254,
            example = "julie.martin@ccas-lieusaint.fr"
        )]
        email: String,
        /// Téléphone fixe (this or `mobile`, or both).
        #[schema(example = "01 64 13 55 01")]
        landline: Option<String>,
        /// Téléphone mobile.
        #[schema(example = "06 12 34 56 78")]
        mobile: Option<String>,
        /// The profile asked for (GET /services).
        profile_id: Uuid,
        /// The convention mission it serves (GET /conventions/{id}).
        mission_id: Uuid,
        /// Last day, for a temporary mission.
        ends_on: Option<NaiveDate>,
        /// Who signs the form for the partner.
        signatory: SignatoryInput,
        /// The number of the convention the mission belongs to, as the form's heading gives it:
        /// filled in by the service (a number sent is not read).
        #[schema(read_only, example = "GC 130")]
        #[serde(default)]
        convention_number: Option<String>,
    },
    /// Remove the access of people who left, changed function, or lost their credentials.
    /// Field for field the access removal form: the people, each with their own "perte ou vol"
    /// box, and "à compter du" the first day without access.
    #[schema(example = json!({"kind": "remove_access", "people": [{"account_id": "01a20810-0000-7000-8000-000000000002", "lost_or_stolen": false}], "effective_on": "2026-12-31", "reason": "Départ de la structure le 30/12"}))]
    RemoveAccess {
        /// The people (partner users; administrators are replaced by a change_administrator
        /// request), 1 to 50.
        people: Vec<RemovalLineInput>,
        /// "À compter du": the first day without access, within a year. When it is still to
        /// come at approval, the accounts close that day and the people keep their access until
        /// then; absent or past, at approval.
        #[serde(default)]
        effective_on: Option<NaiveDate>,
        /// "Suppression de l'accès au service": the code of the one service whose access is
        /// removed (`CDAP`); the people keep their accounts and their other services, their
        /// habilitations of that service end (on `effective_on`'s eve when it is still to
        /// come). Absent: every access, the accounts close.
        #[serde(default)]
        #[schema(example = "CDAP")]
        service: Option<String>,
        /// Why.
        #[schema(min_length = 1, max_length = 2000, example = "Départ de la structure")]
        reason: String,
    },
    /// Change the rights of a person who already has an account with the partner (mode
    /// centralisé): give them a profile (`add`), take one away (`remove_profile_id`), or both,
    /// as for a change of function. The approval devalidates the person's own habilitation to
    /// the profile taken away, then grants the one given (same rules and quota as a grant).
    #[schema(example = json!({"kind": "change_rights", "account_id": "01a20810-0000-7000-8000-000000000002", "add": {"profile_id": "4f8fdc96-33f6-52c8-96f9-dbecb9dd46fd", "mission_id": "01a20810-0000-7000-8000-000000000001", "ends_on": null}, "remove_profile_id": null, "reason": "Prend en charge l'instruction des dossiers FSL", "signatory": {"full_name": "Michel DURAND", "function_title": "Maire"}}))]
    ChangeRights {
        /// The person (a partner user).
        account_id: Uuid,
        /// The profile given.
        #[serde(default)]
        add: Option<AddedProfileInput>,
        /// The profile taken away (one the person holds themselves, not through a group).
        #[serde(default)]
        remove_profile_id: Option<Uuid>,
        /// Why: the new function, the mission ended…
        #[schema(min_length = 1, max_length = 2000)]
        reason: String,
        /// Who signs the form for the partner.
        signatory: SignatoryInput,
        /// The number of the convention the added profile's mission belongs to: filled in by
        /// the service (a number sent is not read).
        #[schema(read_only, example = "GC 130")]
        #[serde(default)]
        convention_number: Option<String>,
    },
    /// Replace the principal administrator or the deputy (who replaces whom); in both modes,
    /// since only the Caf manages administrators.
    /// Field for field the administrator-change form: the new administrator's "Prénom" and
    /// "NOM", function, landline and/or mobile, e-mail, and who signs for the partner.
    #[schema(example = json!({"kind": "change_administrator", "rank": "deputy", "replaced_account_id": "01a20810-0000-7000-8000-000000000003", "first_name": "Paul", "last_name": "Leroy", "function_title": "Directeur adjoint", "email": "paul.leroy@ccas-lieusaint.fr", "landline": null, "mobile": "06 71 20 33 48", "signatory": {"full_name": "Michel DURAND", "function_title": "Maire"}}))]
    ChangeAdministrator {
        /// The rank.
        rank: AdministratorRank,
        /// The administrator replaced, when the rank is held.
        replaced_account_id: Option<Uuid>,
        /// The new administrator's first name.
        #[schema(min_length = 1, max_length = 100)]
        first_name: String,
        /// Their NAME.
        #[schema(min_length = 1, max_length = 100)]
        last_name: String,
        /// Their function.
        #[schema(min_length = 1, max_length = 200)]
        function_title: String,
        /// Their individual e-mail.
        #[schema(format = "email", max_length = 254)]
        email: String,
        /// Téléphone fixe (this or `mobile`, or both).
        landline: Option<String>,
        /// Téléphone mobile.
        mobile: Option<String>,
        /// Who signs the form for the partner.
        signatory: SignatoryInput,
    },
}

/// A profile a change of rights gives.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddedProfileInput {
    /// The profile (GET /services).
    pub profile_id: Uuid,
    /// The convention mission it serves (GET /conventions/{id}).
    pub mission_id: Uuid,
    /// Last day, for a temporary mission.
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
}

/// One person of a removal form.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemovalLineInput {
    /// The person.
    pub account_id: Uuid,
    /// Their credentials were lost or stolen: their sessions end and their password stops
    /// working as soon as the request is sent, before the Caf decides.
    #[serde(default)]
    pub lost_or_stolen: bool,
}

/// Who signs a form for the partner ("Pour le Partenaire : Fonction, Prénom NOM et signature").
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatoryInput {
    /// Prénom NOM.
    #[schema(min_length = 1, max_length = 200, example = "Michel DURAND")]
    pub full_name: String,
    /// Fonction.
    #[schema(min_length = 1, max_length = 200, example = "Maire")]
    pub function_title: String,
}

impl From<SignatoryInput> for FormSignatory {
    fn from(s: SignatoryInput) -> Self {
        Self {
            full_name: s.full_name,
            function_title: s.function_title,
        }
    }
}

impl From<RequestForm> for Form {
    fn from(f: RequestForm) -> Self {
        use mcp_persistence::use_cases::requests::{
            AddedProfile, ChangeAdministratorForm, ChangeRightsForm, HabilitateForm, NamedPerson,
            RemovalLine, RemoveAccessForm,
        };
        let named = |first_name, last_name, function_title, email, landline, mobile| NamedPerson {
            first_name,
            last_name,
            function_title,
            email,
            landline,
            mobile,
            full_name: None,
            phone: None,
        };
        match f {
            RequestForm::Habilitate {
                first_name,
                last_name,
                function_title,
                email,
                landline,
                mobile,
                profile_id,
                mission_id,
                ends_on,
                signatory,
                convention_number: _,
            } => Form::Habilitate(HabilitateForm {
                person: named(
                    first_name,
                    last_name,
                    function_title,
                    email,
                    landline,
                    mobile,
                ),
                profile_id: profile_id.into(),
                mission_id: mission_id.into(),
                ends_on,
                signatory: Some(signatory.into()),
                convention_number: None,
            }),
            RequestForm::RemoveAccess {
                people,
                effective_on,
                service,
                reason,
            } => Form::RemoveAccess(RemoveAccessForm {
                service,
                people: people
                    .into_iter()
                    .map(|l| RemovalLine {
                        account_id: l.account_id,
                        lost_or_stolen: l.lost_or_stolen,
                    })
                    .collect(),
                effective_on,
                reason,
                account_ids: vec![],
                lost_or_stolen: false,
            }),
            RequestForm::ChangeRights {
                account_id,
                add,
                remove_profile_id,
                reason,
                signatory,
                convention_number: _,
            } => Form::ChangeRights(ChangeRightsForm {
                account_id,
                add: add.map(|a| AddedProfile {
                    profile_id: a.profile_id.into(),
                    mission_id: a.mission_id.into(),
                    ends_on: a.ends_on,
                }),
                remove_profile_id: remove_profile_id.map(Into::into),
                reason,
                signatory: Some(signatory.into()),
                convention_number: None,
            }),
            RequestForm::ChangeAdministrator {
                rank,
                replaced_account_id,
                first_name,
                last_name,
                function_title,
                email,
                landline,
                mobile,
                signatory,
            } => Form::ChangeAdministrator(ChangeAdministratorForm {
                rank: match rank {
                    AdministratorRank::Principal => "principal",
                    AdministratorRank::Deputy => "deputy",
                }
                .into(),
                replaced_account_id: replaced_account_id.map(Into::into),
                person: named(
                    first_name,
                    last_name,
                    function_title,
                    email,
                    landline,
                    mobile,
                ),
                signatory: Some(signatory.into()),
            }),
        }
    }
}

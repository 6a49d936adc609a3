//! The annex-3 forms as a request keeps them (habilitate a new person, remove access, change a
//! person's rights, change an administrator): field for field what the paper forms ask, checked by the domain's rules, and
//! readable as they were filed by earlier versions.

use chrono::NaiveDate;
use mcp_domain::ids::{AccountId, MissionId, ProfileId};
use mcp_domain::person::{FormPerson, Person, Signatory};
use mcp_domain::request::RequestKind;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;

/// The person an annex-3 form names, as it names them: "Prénom" and "NOM" apart, a landline
/// and a mobile of which at least one is given (`FormPerson` in the domain checks it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamedPerson {
    /// Prénom.
    #[serde(default)]
    pub first_name: String,
    /// NOM.
    #[serde(default)]
    pub last_name: String,
    /// Function.
    pub function_title: String,
    /// Personal, individual e-mail: where their credentials go.
    pub email: String,
    /// Téléphone fixe.
    #[serde(default)]
    pub landline: Option<String>,
    /// Téléphone mobile.
    #[serde(default)]
    pub mobile: Option<String>,
    /// Requests filed before the forms had first and last names apart kept one full name and
    /// one telephone: they are read, and carried out, as they were filed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    /// See `full_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl NamedPerson {
    /// Checks the person named, and gives them back normalised with the person behind the
    /// account the form asks for ("Prénom NOM").
    pub fn check(self) -> Result<(Self, Person)> {
        if let (Some(full_name), true) = (&self.full_name, self.first_name.is_empty()) {
            let p = Person::new(
                full_name,
                &self.function_title,
                &self.email,
                self.phone.as_deref(),
            )?;
            let named = Self {
                full_name: Some(p.full_name.clone()),
                function_title: p.function_title.clone(),
                email: p.email.clone(),
                phone: p.phone.clone(),
                ..self
            };
            return Ok((named, p));
        }
        let f = FormPerson::new(
            &self.first_name,
            &self.last_name,
            &self.function_title,
            &self.email,
            self.landline.as_deref(),
            self.mobile.as_deref(),
        )?;
        let person = f.person();
        let named = Self {
            first_name: f.first_name,
            last_name: f.last_name,
            function_title: f.function_title,
            email: f.email,
            landline: f.landline,
            mobile: f.mobile,
            full_name: None,
            phone: None,
        };
        Ok((named, person))
    }
}

/// Who signed the form for the partner (Fonction, Prénom NOM).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FormSignatory {
    /// Prénom NOM.
    pub full_name: String,
    /// Fonction.
    pub function_title: String,
}

impl FormSignatory {
    pub(crate) fn check(&self) -> Result<Self> {
        let s = Signatory::new(&self.full_name, &self.function_title)?;
        Ok(Self {
            full_name: s.full_name,
            function_title: s.function_title,
        })
    }
}

/// Checks the signatory a form carries (those filed before forms named one carry none).
pub(crate) fn check_signatory(s: Option<FormSignatory>) -> Result<Option<FormSignatory>> {
    s.as_ref().map(FormSignatory::check).transpose()
}

/// Habilitate a new person (annex 3, individual request form).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HabilitateForm {
    /// The person to habilitate.
    #[serde(flatten)]
    pub person: NamedPerson,
    /// The profile asked for.
    pub profile_id: ProfileId,
    /// The convention mission it serves.
    pub mission_id: MissionId,
    /// End of a temporary mission.
    pub ends_on: Option<NaiveDate>,
    /// Who signed the form for the partner.
    #[serde(default)]
    pub signatory: Option<FormSignatory>,
    /// The number of the convention the mission belongs to, as the form's heading gives it
    /// (filled in by the service).
    #[serde(default)]
    pub convention_number: Option<String>,
}

/// One person of a removal form, with the form's "cocher si perte ou vol" box.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RemovalLine {
    /// The person (a partner user).
    pub account_id: Uuid,
    /// Their credentials were lost or stolen: their sessions end as soon as the request is sent.
    #[serde(default)]
    pub lost_or_stolen: bool,
}

/// Remove the access of people who left or changed function, or lost their credentials
/// (annex 3, access removal form).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RemoveAccessForm {
    /// The people, each with their own lost-or-stolen box.
    #[serde(default)]
    pub people: Vec<RemovalLine>,
    /// "À compter du": the first day without access (at once when absent or past).
    #[serde(default)]
    pub effective_on: Option<NaiveDate>,
    /// The service whose access is removed (its code, `CDAP`): the people keep their accounts
    /// and their other services. Absent: every access, the accounts close.
    #[serde(default)]
    pub service: Option<String>,
    /// Why.
    pub reason: String,
    /// Requests filed before the form had a box per person kept the people and one box for
    /// all: read as one line each with that box.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub account_ids: Vec<Uuid>,
    /// See `account_ids`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lost_or_stolen: bool,
}

/// Replace an administrator (who replaces whom).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangeAdministratorForm {
    /// `principal` or `deputy`.
    pub rank: String,
    /// The administrator replaced, when the rank is held.
    pub replaced_account_id: Option<AccountId>,
    /// The new administrator.
    #[serde(flatten)]
    pub person: NamedPerson,
    /// Who signed the form for the partner.
    #[serde(default)]
    pub signatory: Option<FormSignatory>,
}

/// A profile a change of rights gives, for a mission of the convention.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AddedProfile {
    /// The profile.
    pub profile_id: ProfileId,
    /// The convention mission it serves.
    pub mission_id: MissionId,
    /// End of a temporary mission.
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
}

/// Change the rights of a person who has an account with the partner: a profile given, a
/// profile taken away, or both (a change of function).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangeRightsForm {
    /// The person.
    pub account_id: Uuid,
    /// The profile given.
    #[serde(default)]
    pub add: Option<AddedProfile>,
    /// The profile taken away: the person's own habilitation to it is devalidated.
    #[serde(default)]
    pub remove_profile_id: Option<ProfileId>,
    /// Why (the new function…).
    pub reason: String,
    /// Who signed the form for the partner.
    #[serde(default)]
    pub signatory: Option<FormSignatory>,
    /// The number of the convention the added profile's mission belongs to (filled in by the
    /// service).
    #[serde(default)]
    pub convention_number: Option<String>,
}

/// A request's form.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Form {
    /// Habilitate a new person.
    Habilitate(HabilitateForm),
    /// Remove access.
    RemoveAccess(RemoveAccessForm),
    /// Change an administrator.
    ChangeAdministrator(ChangeAdministratorForm),
    /// Change a person's rights.
    ChangeRights(ChangeRightsForm),
}

impl Form {
    /// Its kind.
    pub fn kind(&self) -> RequestKind {
        match self {
            Self::Habilitate(_) => RequestKind::Habilitate,
            Self::RemoveAccess(_) => RequestKind::RemoveAccess,
            Self::ChangeAdministrator(_) => RequestKind::ChangeAdministrator,
            Self::ChangeRights(_) => RequestKind::ChangeRights,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_removal_filed_before_the_box_per_person_still_reads() {
        let stored = r#"{"kind": "remove_access", "reason": "Départ", "lost_or_stolen": true,
            "account_ids": ["01a20810-0000-7000-8000-000000000002"]}"#;
        let Form::RemoveAccess(f) = serde_json::from_str::<Form>(stored).unwrap() else {
            panic!("a removal");
        };
        assert!(f.people.is_empty() && f.effective_on.is_none());
        assert_eq!((f.account_ids.len(), f.lost_or_stolen), (1, true));
        // A new one stores only its lines.
        let new = RemoveAccessForm {
            people: vec![RemovalLine {
                account_id: f.account_ids[0],
                lost_or_stolen: true,
            }],
            account_ids: vec![],
            lost_or_stolen: false,
            ..f
        };
        let v = serde_json::to_value(Form::RemoveAccess(new)).unwrap();
        assert!(
            v.get("account_ids").is_none() && v.get("lost_or_stolen").is_none(),
            "{v}"
        );
        assert_eq!(v["people"][0]["lost_or_stolen"], true);
    }

    #[test]
    fn a_request_filed_before_first_and_last_names_were_apart_still_reads() {
        // As such a request is stored: one full name, one telephone, no signatory.
        let stored = r#"{"kind": "habilitate", "full_name": "Julie Martin", "function_title": "ESF",
            "email": "julie@ccas.example", "phone": "01 64 13 55 01",
            "profile_id": "4f8fdc96-33f6-52c8-96f9-dbecb9dd46fd",
            "mission_id": "01a20810-0000-7000-8000-000000000001", "ends_on": null}"#;
        let Form::Habilitate(f) = serde_json::from_str::<Form>(stored).unwrap() else {
            panic!("a habilitation request");
        };
        assert!(f.signatory.is_none() && f.convention_number.is_none());
        let (named, person) = f.person.check().unwrap();
        assert_eq!(person.full_name, "Julie Martin");
        assert_eq!(person.phone.as_deref(), Some("01 64 13 55 01"));
        let again = serde_json::to_value(&named).unwrap();
        assert_eq!(again["full_name"], "Julie Martin", "kept as filed");
        // A new one: the names apart, the account's name "Prénom NOM".
        let new = NamedPerson {
            first_name: "Julie".into(),
            last_name: "Martin".into(),
            function_title: "ESF".into(),
            email: "julie@ccas.example".into(),
            landline: None,
            mobile: Some("06 12 34 56 78".into()),
            full_name: None,
            phone: None,
        };
        let (named, person) = new.check().unwrap();
        assert_eq!(person.full_name, "Julie MARTIN");
        let stored = serde_json::to_value(&named).unwrap();
        assert!(stored.get("full_name").is_none() && stored.get("phone").is_none());
    }
}

//! Typed identifiers: a partner's id is not an account's. Each wraps the UUID the rows store,
//! so that a use case taking a `PartnerId` cannot be handed an `AccountId` by mistake and the
//! access rules compare a Caf with a Caf.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// A stored or received value that is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a UUID: {0}")]
pub struct NotAnId(pub String);

macro_rules! typed_ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// The UUID it wraps.
            pub fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = NotAnId;

            fn from_str(s: &str) -> Result<Self, NotAnId> {
                Uuid::parse_str(s).map(Self).map_err(|_| NotAnId(s.chars().take(64).collect()))
            }
        }

        impl TryFrom<String> for $name {
            type Error = NotAnId;

            fn try_from(s: String) -> Result<Self, NotAnId> {
                s.parse()
            }
        }
    )*};
}

typed_ids! {
    /// A person's account.
    AccountId;
    /// A Caf.
    CafId;
    /// A partner (one organisation, one SIRET).
    PartnerId;
    /// A partner software (its OAuth `client_id`).
    ClientId;
    /// A profile of the catalogue.
    ProfileId;
    /// A service of the catalogue.
    ServiceId;
    /// A convention.
    ConventionId;
    /// A subscription of a convention to a service.
    SubscriptionId;
    /// A habilitation.
    HabilitationId;
    /// A group of a partner's staff.
    GroupId;
    /// A session.
    SessionId;
    /// A request to the Caf (annex 3).
    RequestId;
    /// A mission of a convention.
    MissionId;
    /// A review campaign.
    CampaignId;
    /// A delegation of habilitation management to a partner's agent.
    DelegationId;
    /// A bundle of profiles granted together.
    BundleId;
    /// A question the Caf asks about a habilitation.
    QuestionId;
    /// An amendment of a convention.
    AmendmentId;
    /// A precautionary suspension decided by a Caf.
    SuspensionId;
    /// A line of a review campaign (one habilitation reviewed).
    ReviewItemId;
    /// A planned stop of the service (S-art. 3.1, 4).
    StopId;
    /// A partner's notice of its service providers (C-art. 14).
    ProviderNoticeId;
    /// A security incident a partner reported (C-art. 9.2).
    SecurityIncidentId;
    /// A meeting on a convention (C-art. 16).
    MeetingId;
    /// A document attached to a convention.
    DocumentId;
    /// A request to the Caf service centre (S-art. 3).
    SupportRequestId;
    /// A message or step kept on a request to the service centre.
    SupportMessageId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_and_print_as_their_uuid() {
        let raw = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        let id: PartnerId = raw.parse().unwrap();
        assert_eq!(id.to_string(), raw);
        assert_eq!(Uuid::from(id), Uuid::parse_str(raw).unwrap());
        assert_eq!(PartnerId::try_from(raw.to_string()), Ok(id));
        assert_eq!(serde_json::to_value(id).unwrap(), serde_json::json!(raw));
        assert!("12".parse::<AccountId>().is_err());
    }
}

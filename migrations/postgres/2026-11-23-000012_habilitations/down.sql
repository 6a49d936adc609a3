DROP TABLE habilitation_questions;
DROP TABLE habilitations;
DROP TABLE role_bundles;
DROP TABLE group_members;
DROP TABLE partner_groups;
DROP TABLE delegations;

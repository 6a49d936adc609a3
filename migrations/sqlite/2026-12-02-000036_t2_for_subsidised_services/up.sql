-- T2 (prestataires de services sociaux) "ne peut pas être attribué dans le cas d'avantages qui
-- ne bénéficient pas de subventions d'action de la part de la Caf": the bulletin that opens it
-- names the Caf-subsidised services whose family participations the partner computes.
ALTER TABLE profiles ADD COLUMN subsidised_only BOOLEAN NOT NULL DEFAULT 0;
UPDATE profiles SET subsidised_only = 1 WHERE code = 'T2';
-- The subsidised services a bulletin line names, a JSON array of strings.
ALTER TABLE subscription_quotas ADD COLUMN subsidised_services TEXT NOT NULL DEFAULT '[]';

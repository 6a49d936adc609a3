ALTER TABLE subscription_quotas DROP COLUMN subsidised_services;
ALTER TABLE profiles DROP COLUMN subsidised_only;

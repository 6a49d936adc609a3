DROP TABLE support_messages;
DROP TABLE support_requests;
ALTER TABLE conventions DROP COLUMN service_centre;

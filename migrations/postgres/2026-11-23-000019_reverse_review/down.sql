DROP TABLE review_items;
DROP TABLE review_campaigns;
DROP TABLE caf_suspensions;
DROP TABLE consultation_counts;
ALTER TABLE habilitations DROP COLUMN last_used_at;

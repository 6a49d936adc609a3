-- A profile the bulletin opens only for a time (T16, Dalo / Ccapex: "temporairement"): a
-- habilitation to it must say until when.
ALTER TABLE profiles ADD COLUMN temporary BOOLEAN NOT NULL DEFAULT 0;
UPDATE profiles SET temporary = 1 WHERE code = 'T16';

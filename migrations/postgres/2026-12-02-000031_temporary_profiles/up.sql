-- A profile the bulletin opens only for a time (T16, Dalo / Ccapex: "temporairement"): a
-- habilitation to it must say until when.
ALTER TABLE profiles ADD COLUMN temporary BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE profiles SET temporary = TRUE WHERE code = 'T16';

ALTER TABLE profiles DROP COLUMN temporary;

-- A Caf may require a second factor of its own administrators and of its partners' staff,
-- whatever their contracts say.
ALTER TABLE cafs ADD COLUMN second_factor_required BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE profile_views SET sections = 'identity,household,professional,rights'
WHERE profile_id IN (SELECT id FROM profiles WHERE code = 'T20');

-- T20 (caisses frontalières): the bulletin lets the fund check "si une nouvelle adresse a déjà
-- été communiquée auprès de la Caf"; its view shows the address (in file order).
UPDATE profile_views SET sections = 'identity,address,household,professional,rights'
WHERE profile_id IN (SELECT id FROM profiles WHERE code = 'T20');

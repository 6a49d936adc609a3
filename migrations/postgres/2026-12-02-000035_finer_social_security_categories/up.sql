-- The bulletin opens T1, T6, T8, T14 and T21 to different social-security bodies (Carsat and
-- MSA; CPAM and CGSS; the special schemes; CDC and Enim; Pajemploi) and T13 to the bodies that
-- manage a FSL (GIP): one "organisme_securite_sociale" category opened them all alike.
UPDATE profiles SET eligible_categories = REPLACE(eligible_categories, 'organisme_securite_sociale', 'carsat,msa') WHERE code = 'T1';
UPDATE profiles SET eligible_categories = REPLACE(eligible_categories, 'organisme_securite_sociale', 'cpam') WHERE code = 'T6';
UPDATE profiles SET eligible_categories = REPLACE(eligible_categories, 'organisme_securite_sociale', 'msa,regime_particulier_maladie,enim') WHERE code = 'T8';
UPDATE profiles SET eligible_categories = REPLACE(eligible_categories, 'organisme_securite_sociale', 'caisse_des_depots,enim') WHERE code = 'T14';
UPDATE profiles SET eligible_categories = REPLACE(eligible_categories, 'organisme_securite_sociale', 'pajemploi') WHERE code = 'T21';
UPDATE profiles SET eligible_categories = eligible_categories || ',gestionnaire_fsl' WHERE code = 'T13' AND eligible_categories NOT LIKE '%gestionnaire_fsl%';

-- Partners already recorded as "organisme_securite_sociale" take the kind their subscribed
-- profiles tell; the others keep the code (no profile is opened to it) until a Caf
-- re-categorises them.
CREATE TEMPORARY TABLE held_profiles AS
  SELECT c.partner_id, p.code FROM conventions c
  JOIN partners pa ON pa.id = c.partner_id AND pa.category = 'organisme_securite_sociale'
  JOIN subscriptions s ON s.convention_id = c.id
  JOIN subscription_quotas q ON q.subscription_id = s.id JOIN profiles p ON p.id = q.profile_id;
UPDATE partners SET category = 'pajemploi' WHERE category = 'organisme_securite_sociale'
  AND id IN (SELECT partner_id FROM held_profiles WHERE code = 'T21');
UPDATE partners SET category = 'cpam' WHERE category = 'organisme_securite_sociale'
  AND id IN (SELECT partner_id FROM held_profiles WHERE code = 'T6');
UPDATE partners SET category = 'enim' WHERE category = 'organisme_securite_sociale'
  AND id IN (SELECT partner_id FROM held_profiles WHERE code = 'T14')
  AND id IN (SELECT partner_id FROM held_profiles WHERE code = 'T8');
UPDATE partners SET category = 'caisse_des_depots' WHERE category = 'organisme_securite_sociale'
  AND id IN (SELECT partner_id FROM held_profiles WHERE code = 'T14');
UPDATE partners SET category = 'regime_particulier_maladie' WHERE category = 'organisme_securite_sociale'
  AND id IN (SELECT partner_id FROM held_profiles WHERE code = 'T8');
UPDATE partners SET category = 'carsat' WHERE category = 'organisme_securite_sociale'
  AND id IN (SELECT partner_id FROM held_profiles WHERE code = 'T1');
DROP TABLE held_profiles;

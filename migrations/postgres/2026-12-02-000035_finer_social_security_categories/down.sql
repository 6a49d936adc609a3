UPDATE partners SET category = 'organisme_securite_sociale'
WHERE category IN ('cpam', 'carsat', 'msa', 'regime_particulier_maladie', 'enim', 'caisse_des_depots', 'pajemploi');
UPDATE partners SET category = 'association' WHERE category = 'gestionnaire_fsl';
UPDATE profiles SET eligible_categories = REPLACE(eligible_categories, ',gestionnaire_fsl', '') WHERE code = 'T13';
UPDATE profiles SET eligible_categories = REPLACE(eligible_categories, 'carsat,msa', 'organisme_securite_sociale') WHERE code = 'T1';
UPDATE profiles SET eligible_categories = REPLACE(eligible_categories, 'cpam', 'organisme_securite_sociale') WHERE code = 'T6';
UPDATE profiles SET eligible_categories = REPLACE(eligible_categories, 'msa,regime_particulier_maladie,enim', 'organisme_securite_sociale') WHERE code = 'T8';
UPDATE profiles SET eligible_categories = REPLACE(eligible_categories, 'caisse_des_depots,enim', 'organisme_securite_sociale') WHERE code = 'T14';
UPDATE profiles SET eligible_categories = REPLACE(eligible_categories, 'pajemploi', 'organisme_securite_sociale') WHERE code = 'T21';
